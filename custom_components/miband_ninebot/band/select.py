"""A band's select entities: on which days each of its alarms rings."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription

from ..miband.alarm import AlarmRepeat
from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .coordinator import BandCoordinator

ALARM_REPEATS = alarm_descriptions(
    SelectEntityDescription, "repeat", options=[repeat.value for repeat in AlarmRepeat]
)


def entities(coordinator: BandCoordinator) -> list[SelectEntity]:
    """One repeat per alarm slot."""
    return list(slot_entities(AlarmRepeatSelect, coordinator, ALARM_REPEATS))


class AlarmRepeatSelect(AlarmSlotEntity, SelectEntity):
    """Once, daily, Monday to Friday, or Saturday and Sunday."""

    @property
    def current_option(self) -> str:
        """The slot's repeat."""
        return self.alarm.repeat.value

    async def async_select_option(self, option: str) -> None:
        """Repeat the alarm as `option` says."""
        await self.async_set(repeat=AlarmRepeat(option))
