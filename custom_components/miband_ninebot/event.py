"""Event entities: a wheel's rides and charges (wheel/event.py), a band's sleep."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band import sleep_entities as band
from .device_coordinator import by_kind
from .wheel import event as wheel

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the wheel's or the band's event entities."""
    async_add_entities(by_kind(entry.runtime_data, band=band.event_entities, wheel=wheel.entities))
