"""Event entities: a wheel's rides and charges (wheel/event.py), a band's goal and sleep."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band import event as band
from .device_coordinator import by_kind
from .wheel import event as wheel

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of a wheel or a band."""
    async_add_entities(by_kind(entry.runtime_data, band=band.entities, wheel=wheel.entities))
