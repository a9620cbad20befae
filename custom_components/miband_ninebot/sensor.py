"""Sensors: each kind's own (band/sensor.py, wheel/sensor.py), then both kinds' link sensors.

A wheel's telemetry; a band's heart rate, steps and battery; the signal strength and when and where
the device was last seen are link_entities'.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band import sensor as band
from .device_coordinator import by_kind
from .link_entities import LAST_SEEN, SIGNAL_STRENGTH, LastSeenSensor, SignalStrengthSensor
from .wheel import sensor as wheel

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of a wheel or a band, then the signal strength and the last seen."""
    coordinator = entry.runtime_data
    async_add_entities(
        [
            *by_kind(coordinator, band=band.entities, wheel=wheel.entities),
            SignalStrengthSensor(coordinator, SIGNAL_STRENGTH),
            LastSeenSensor(coordinator, LAST_SEEN),
        ]
    )
