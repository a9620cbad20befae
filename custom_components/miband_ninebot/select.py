"""Select entities: on which days each of the band's alarms rings."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .band_coordinator import BandCoordinator
from .miband.alarm import AlarmRepeat

PARALLEL_UPDATES = 0

ALARM_REPEATS = alarm_descriptions(
    SelectEntityDescription, "repeat", options=[repeat.value for repeat in AlarmRepeat]
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a band's alarm repeats."""
    if isinstance(coordinator := entry.runtime_data, BandCoordinator):
        async_add_entities(slot_entities(AlarmRepeatSelect, coordinator, ALARM_REPEATS))


class AlarmRepeatSelect(AlarmSlotEntity, SelectEntity):
    """Once, daily, Monday to Friday, or Saturday and Sunday."""

    @property
    def current_option(self) -> str:
        """The slot's repeat."""
        return self.alarm.repeat.value

    async def async_select_option(self, option: str) -> None:
        """Repeat the alarm as `option` says."""
        await self.async_set(repeat=AlarmRepeat(option))
