"""The base of an alarm slot's entities: a setting kept in Home Assistant, so always available."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.helpers.entity import EntityDescription

from ..entity import MiBandNinebotEntity
from ..miband.alarm import ALARM_SLOTS, Alarm
from .coordinator import BandCoordinator


def alarm_key(slot: int, setting: str | None = None) -> str:
    """`alarm_1`, `alarm_1_time`...: slots count from 1, as the band's apps show them."""
    return f"alarm_{slot + 1}" if setting is None else f"alarm_{slot + 1}_{setting}"


def alarm_descriptions[DescriptionT: EntityDescription](
    make: type[DescriptionT], setting: str | None, **fields: Any
) -> tuple[DescriptionT, ...]:
    """One description per slot, its key also its translation key (docs/design.md, section 3)."""
    return tuple(
        make(key=alarm_key(slot, setting), translation_key=alarm_key(slot, setting), **fields)
        for slot in range(ALARM_SLOTS)
    )


def slot_entities[EntityT: AlarmSlotEntity](
    entity: Callable[[BandCoordinator, EntityDescription, int], EntityT],
    coordinator: BandCoordinator,
    descriptions: Iterable[EntityDescription],
) -> list[EntityT]:
    """One entity per slot, from the slot's description."""
    return [entity(coordinator, description, slot) for slot, description in enumerate(descriptions)]


class AlarmSlotEntity(MiBandNinebotEntity[BandCoordinator]):
    """One setting of one of the band's alarm slots.

    Available whether or not the band is in reach: a change is stored and reaches the band when
    it connects.
    """

    def __init__(self, coordinator: BandCoordinator, description: EntityDescription, slot: int):
        """Bind the entity to slot `slot` (from 0)."""
        super().__init__(coordinator, description)
        self.slot = slot

    @property
    def available(self) -> bool:
        """Always: the setting is Home Assistant's until the band gets it."""
        return True

    @property
    def alarm(self) -> Alarm:
        """The slot as Home Assistant keeps it."""
        return self.coordinator.alarms.alarm(self.slot)

    async def async_set(self, **changes: Any) -> None:
        """Change the slot, and the band's copy when it can be reached."""
        await self.coordinator.async_set_alarm(self.slot, **changes)
