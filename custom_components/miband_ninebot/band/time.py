"""A band's time entities: when each of its three alarms rings."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription

from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .coordinator import BandCoordinator

ALARM_TIMES = alarm_descriptions(TimeEntityDescription, "time")


def entities(coordinator: BandCoordinator) -> list[TimeEntity]:
    """One time per alarm slot."""
    return list(slot_entities(AlarmTime, coordinator, ALARM_TIMES))


class AlarmTime(AlarmSlotEntity, TimeEntity):
    """The time an alarm rings (whole minutes, the band's local time)."""

    @property
    def native_value(self) -> time:
        """The slot's time."""
        return self.alarm.time

    async def async_set_value(self, value: time) -> None:
        """Ring at `value` (seconds are dropped: the band rings on the minute)."""
        await self.async_set(time=value.replace(second=0, microsecond=0))
