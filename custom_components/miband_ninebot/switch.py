"""Switches: a wheel's link; a band's continuous heart rate and its alarms (on, smart wake-up).

The wheel's are in wheel/switch.py, the band's in band/switch.py.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band import switch as band
from .device_coordinator import by_kind
from .wheel import switch as wheel

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a wheel's connection switch; a band's alarm switches, and continuous HR on a 1S."""
    async_add_entities(by_kind(entry.runtime_data, band=band.entities, wheel=wheel.entities))
