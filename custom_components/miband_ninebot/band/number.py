"""A band's numbers: its daily step goal.

The goal is a setting of the device that the wearer changes from a dashboard, so it is an entity
that restores its value across restarts (as the continuous heart-rate switch does), not an entry
option: changing an option reloads the entry and drops the band's link. The band forgets nothing
of it, but another app may set its own, so it is written on every connection.
"""

from __future__ import annotations

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import EntityCategory
from homeassistant.core import callback

from ..entity import MiBandNinebotEntity
from ..miband.daily import STEP_GOAL_MAX, STEP_GOAL_MIN
from .coordinator import BandCoordinator

STEP_GOAL = NumberEntityDescription(
    key="step_goal",
    translation_key="step_goal",
    entity_category=EntityCategory.CONFIG,
    mode=NumberMode.BOX,
    native_min_value=STEP_GOAL_MIN,
    native_max_value=STEP_GOAL_MAX,
    native_step=1,
    native_unit_of_measurement="steps",
)


def entities(coordinator: BandCoordinator) -> list[NumberEntity]:
    """The step goal."""
    return [StepGoalNumber(coordinator, STEP_GOAL)]


class StepGoalNumber(MiBandNinebotEntity[BandCoordinator], RestoreNumber):
    """The daily step goal: the band's progress display and the goal event go by it."""

    @property
    def available(self) -> bool:
        """A setting kept here: it can change while the band is away (written when it is back)."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: the restored goal went to the band's settings."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Take the goal set before a restart; the first connection writes it."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is not None and last.native_value is not None:
            self.coordinator.session.settings.step_goal = int(last.native_value)

    @property
    def native_value(self) -> float:
        """The goal, steps."""
        return self.coordinator.session.settings.step_goal

    async def async_set_native_value(self, value: float) -> None:
        """Set the goal: written to the band now (it connects if need be) and on each connection."""
        await self.coordinator.async_set_step_goal(int(value))
