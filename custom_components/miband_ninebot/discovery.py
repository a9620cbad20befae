"""Discovery: which supported device (kind and model) an advertisement belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.bluetooth import BluetoothServiceInfoBleak

from .const import DeviceKind
from .miband import advertisement as band_advertisement
from .ninebot import advertisement as wheel_advertisement


@dataclass(frozen=True, slots=True)
class SupportedDevice:
    """A device this integration can talk to, as recognised from its advertisement."""

    kind: DeviceKind
    model: str


def _heard_name(service_info: BluetoothServiceInfoBleak) -> str | None:
    """The local name the device sent; None if none was heard (a passive scan).

    Home Assistant shows the address where no name was heard.
    """
    name = service_info.advertisement.local_name
    return None if not name or name == service_info.address else name


def identify(service_info: BluetoothServiceInfoBleak) -> SupportedDevice | None:
    """Return the supported device behind an advertisement, or None for anything else."""
    name, uuids = _heard_name(service_info), service_info.service_uuids
    if model := band_advertisement.model_from_advertisement(
        service_info.address,
        name,
        uuids,
        service_info.manufacturer_data,
        service_info.service_data,
    ):
        return SupportedDevice(DeviceKind.BAND, model)
    if model := wheel_advertisement.model_from_advertisement(
        name, uuids, service_info.manufacturer_data
    ):
        return SupportedDevice(DeviceKind.WHEEL, model)
    return None
