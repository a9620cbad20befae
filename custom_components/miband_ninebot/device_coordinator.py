"""`DeviceCoordinator`, an entry's coordinator of either kind, and where the kinds part ways.

An entry's device is a band or a wheel for its whole life: its kind, stored in the entry, picks
the coordinator once (`async_create_coordinator`), and the type says which two there are. The
platforms and diagnostics hand over to the kind's own code through `by_kind`, the one place that
looks at which one it is: a third kind added to the union shows as a type error there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never

from bleak.backends.device import BLEDevice
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .band.coordinator import BandCoordinator
from .const import CONF_KIND, DeviceKind
from .options import link_settings
from .wheel.coordinator import WheelCoordinator

type DeviceCoordinator = BandCoordinator | WheelCoordinator


async def async_create_coordinator(
    hass: HomeAssistant, entry: ConfigEntry, ble_device: BLEDevice
) -> DeviceCoordinator:
    """The coordinator of the entry's kind, with what its storage keeps loaded."""
    settings = link_settings(entry.options)
    coordinator: DeviceCoordinator
    if DeviceKind(entry.data[CONF_KIND]) is DeviceKind.WHEEL:
        coordinator = WheelCoordinator(hass, entry, ble_device, settings)
    else:
        coordinator = BandCoordinator(hass, entry, ble_device, settings)
    await coordinator.async_load()
    return coordinator


def by_kind[T](
    coordinator: DeviceCoordinator,
    *,
    band: Callable[[BandCoordinator], T],
    wheel: Callable[[WheelCoordinator], T],
) -> T:
    """What `band` or `wheel` makes of the coordinator, whichever kind it is."""
    match coordinator:
        case BandCoordinator():
            return band(coordinator)
        case WheelCoordinator():
            return wheel(coordinator)
        case _:
            assert_never(coordinator)


def no_entities(_coordinator: object) -> list[Any]:
    """For `by_kind` on a platform where one kind has nothing."""
    return []
