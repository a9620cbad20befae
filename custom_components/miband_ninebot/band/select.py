"""A band's select entities: on which days each of its alarms rings, and the wrist it is worn on.

The wrist is written to the band (FF05 `0f 00` left, `0f 01` right: Mi Fit's capture and
Gadgetbridge's `MiBandSupport.setWearLocation`) at once and on every connection, and restored
across restarts, as the step goal (band/number.py).
"""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.restore_state import RestoreEntity

from ..entity import MiBandNinebotEntity
from ..miband.alarm import AlarmRepeat
from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .coordinator import BandCoordinator

ALARM_REPEATS = alarm_descriptions(
    SelectEntityDescription, "repeat", options=[repeat.value for repeat in AlarmRepeat]
)

LEFT, RIGHT = "left", "right"
WEAR_LOCATION = SelectEntityDescription(
    key="wear_location",
    translation_key="wear_location",
    entity_category=EntityCategory.CONFIG,
    options=[LEFT, RIGHT],
)


def entities(coordinator: BandCoordinator) -> list[SelectEntity]:
    """One repeat per alarm slot, and the wrist."""
    return [
        *slot_entities(AlarmRepeatSelect, coordinator, ALARM_REPEATS),
        WearLocationSelect(coordinator, WEAR_LOCATION),
    ]


class AlarmRepeatSelect(AlarmSlotEntity, SelectEntity):
    """Once, daily, Monday to Friday, or Saturday and Sunday."""

    @property
    def current_option(self) -> str:
        """The slot's repeat."""
        return self.alarm.repeat.value

    async def async_select_option(self, option: str) -> None:
        """Repeat the alarm as `option` says."""
        await self.async_set(repeat=AlarmRepeat(option))


class WearLocationSelect(MiBandNinebotEntity[BandCoordinator], SelectEntity, RestoreEntity):
    """The wrist the band is worn on: the band counts steps and sleep by it."""

    @property
    def available(self) -> bool:
        """A setting kept here: it can change while the band is away (written when it is back)."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: the restored wrist went to the band's settings, the device's."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Take the wrist chosen before a restart; the first connection writes it."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in (LEFT, RIGHT):
            self.coordinator.session.settings.wear_left = last.state == LEFT

    @property
    def current_option(self) -> str:
        """Left or right."""
        return LEFT if self.coordinator.session.settings.wear_left else RIGHT

    async def async_select_option(self, option: str) -> None:
        """Wear it on `option`: written to the band now (it connects if need be)."""
        session = self.coordinator.session
        session.settings.wear_left = left = option == LEFT
        await self.coordinator.async_write_setting(
            lambda: session.set_wear_location(left), "wear_location_not_written", wrist=option
        )
