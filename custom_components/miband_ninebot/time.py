"""Time entities: when each of the band's three alarms rings."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .band_coordinator import BandCoordinator

PARALLEL_UPDATES = 0

ALARM_TIMES = alarm_descriptions(TimeEntityDescription, "time")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a band's alarm times."""
    if isinstance(coordinator := entry.runtime_data, BandCoordinator):
        async_add_entities(slot_entities(AlarmTime, coordinator, ALARM_TIMES))


class AlarmTime(AlarmSlotEntity, TimeEntity):
    """The time an alarm rings (whole minutes, the band's local time)."""

    @property
    def native_value(self) -> time:
        """The slot's time."""
        return self.alarm.time

    async def async_set_value(self, value: time) -> None:
        """Ring at `value` (seconds are dropped: the band rings on the minute)."""
        await self.async_set(time=value.replace(second=0, microsecond=0))
