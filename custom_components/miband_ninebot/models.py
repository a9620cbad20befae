"""Which supported device an advertisement belongs to."""

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


def identify(service_info: BluetoothServiceInfoBleak) -> SupportedDevice | None:
    """Return the supported device behind an advertisement, or None for anything else."""
    name, uuids = service_info.name, service_info.service_uuids
    if model := band_advertisement.model_from_advertisement(name, uuids):
        return SupportedDevice(DeviceKind.BAND, model)
    if model := wheel_advertisement.model_from_advertisement(
        name, uuids, service_info.manufacturer_data
    ):
        return SupportedDevice(DeviceKind.WHEEL, model)
    return None
