"""A band's event entities: the daily step goal reached, and its sleep (sleep_entities.py).

It fires `reached` once a day, when the day's steps come to the goal (band/day.py), with the steps
and the goal: "the goal is reached, make the band vibrate".
"""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from ..entity import MiBandNinebotEntity
from ..miband.daily import GoalReached
from .coordinator import BandCoordinator
from .sleep_entities import event_entities

EVENT_REACHED = "reached"
ATTR_STEPS = "steps"
ATTR_GOAL = "goal"

GOAL = EventEntityDescription(key="goal", translation_key="goal", event_types=[EVENT_REACHED])


def entities(coordinator: BandCoordinator) -> list[EventEntity]:
    """The goal event, then the sleep event."""
    return [GoalEvent(coordinator, GOAL), *event_entities(coordinator)]


class GoalEvent(MiBandNinebotEntity[BandCoordinator], EventEntity):
    """Fires when the day's steps come to the goal, once a day."""

    @property
    def available(self) -> bool:
        """The last time the goal was reached stays readable while the band is away."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: it listens to the band's day, not to an entity id."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Listen to the band's day."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.day.async_listen(self._async_reached))

    @callback
    def _async_reached(self, reached: GoalReached) -> None:
        self._trigger_event(EVENT_REACHED, {ATTR_STEPS: reached.steps, ATTR_GOAL: reached.goal})
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Events write their own state; a new reading is not one."""
