"""A wheel's event entities: rides, charges, outings.

Rides fire started and ended, charges started, ended and limit reached, outings returned.
Automations trigger on them: "the wheel reached 80 %, switch the charger's plug off", "the ride
ended, tell me how far", "the wheel is back: it did 12 km". A ride's end carries its summary; a
charge's events the battery level; an outing what changed while the wheel was away (`outing`).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from ..entity import MiBandNinebotEntity
from ..ninebot.charge import ChargeEvent
from .coordinator import WheelCoordinator, WheelEvent
from .outing import EVENT_RETURNED

WHEEL_EVENTS = (
    EventEntityDescription(
        key=WheelEvent.RIDE, translation_key=WheelEvent.RIDE, event_types=["started", "ended"]
    ),
    EventEntityDescription(
        key=WheelEvent.CHARGE,
        translation_key=WheelEvent.CHARGE,
        event_types=[event.value for event in ChargeEvent],
    ),
    EventEntityDescription(
        key=WheelEvent.OUTING, translation_key=WheelEvent.OUTING, event_types=[EVENT_RETURNED]
    ),
)


def entities(coordinator: WheelCoordinator) -> list[EventEntity]:
    """Rides, charges, outings."""
    return [WheelEventEntity(coordinator, d) for d in WHEEL_EVENTS]


class WheelEventEntity(MiBandNinebotEntity[WheelCoordinator], EventEntity):
    """Fires what the wheel's readings add up to."""

    @property
    def available(self) -> bool:
        """The last event stays readable while the wheel is away (a ride ends that way)."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: it listens to the coordinator's events by kind, not by entity id."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's events of this kind."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_listen_event(
                WheelEvent(self.entity_description.key), self._async_on_event
            )
        )

    @callback
    def _async_on_event(self, event_type: str, attributes: dict[str, Any]) -> None:
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Events write their own state; a new reading is not one."""
