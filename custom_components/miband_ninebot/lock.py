"""Locks: the wheel's, opt-in and at a standstill only (wheel/lock.py)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .device_coordinator import by_kind, no_entities
from .wheel import lock as wheel

PARALLEL_UPDATES = 1  # one write at a time: each checks the speed and reads back


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the wheel's lock entities."""
    async_add_entities(by_kind(entry.runtime_data, band=no_entities, wheel=wheel.entities))
