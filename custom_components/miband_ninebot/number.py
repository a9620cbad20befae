"""Number entities: a band's daily step goal (band/number.py)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band import number as band
from .device_coordinator import by_kind, no_entities

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the band's numbers."""
    async_add_entities(by_kind(entry.runtime_data, band=band.entities, wheel=no_entities))
