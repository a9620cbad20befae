"""A band's `sleep` event and `last_sleep` sensor, from band/sleep.py's sessions."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import callback

from ..entity import MiBandNinebotEntity
from ..miband.sleep import SleepChange, SleepEvent, SleepSession
from .coordinator import BandCoordinator
from .sleep import ATTR_ASLEEP, ATTR_START, SESSION_ATTRIBUTES, session_attributes

SLEEP_EVENT = EventEntityDescription(
    key="sleep", translation_key="sleep", event_types=[event.value for event in SleepEvent]
)
LAST_SLEEP = SensorEntityDescription(
    key="last_sleep",
    translation_key="last_sleep",
    device_class=SensorDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.MINUTES,
    suggested_display_precision=0,  # whole minutes
    # One value per night, not a quantity that evolves: no long-term statistics.
)


class SleepEventEntity(MiBandNinebotEntity[BandCoordinator], EventEntity):
    """Fires `fell_asleep` and `woke_up`, once each per session, as the synced minutes tell."""

    @property
    def available(self) -> bool:
        """The last event stays readable while the band is away (it is, most nights)."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: it listens to the band's sleep, not to an entity id."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Listen to the band's sleep."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.history.sleep.async_listen(self._async_on_change))

    @callback
    def _async_on_change(self, change: SleepChange) -> None:
        attributes = session_attributes(change.session)
        if change.event is SleepEvent.FELL_ASLEEP:
            attributes = {ATTR_START: attributes[ATTR_START]}
        else:
            attributes[ATTR_ASLEEP] = change.session.asleep
        self._trigger_event(change.event.value, attributes)
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Events write their own state; a reading is not one."""


class SessionSensor(MiBandNinebotEntity[BandCoordinator], RestoreSensor):
    """A figure of the last finished sleep session, with attributes of it; kept across restarts."""

    _attr_native_value: int | None = None
    _restored_attributes: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """The last night stays readable while the band is away."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: it listens to the band's sleep; the restored value is kept."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """The stored session; without one, what was shown before the restart."""
        await super().async_added_to_hass()
        sleep = self.coordinator.history.sleep
        if sleep.last is not None:
            self._show(sleep.last)
        else:
            await self._async_restore()
        self.async_on_remove(sleep.async_listen_sessions(self._async_on_session))

    async def _async_restore(self) -> None:
        last, state = await self.async_get_last_sensor_data(), await self.async_get_last_state()
        if last is not None and isinstance(last.native_value, int | float) and state is not None:
            self._attr_native_value = int(last.native_value)
            self._attr_extra_state_attributes = {
                key: state.attributes.get(key) for key in self._restored_attributes
            }

    @abstractmethod
    def _value(self, session: SleepSession) -> int | None:
        """The state a session gives this sensor."""

    @abstractmethod
    def _attributes(self, session: SleepSession) -> dict[str, Any]:
        """The attributes a session gives this sensor."""

    def _show(self, session: SleepSession) -> None:
        self._attr_native_value = self._value(session)
        self._attr_extra_state_attributes = self._attributes(session)

    @callback
    def _async_on_session(self, session: SleepSession) -> None:
        self._show(session)
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Sessions write their own state; a reading is not one."""


class LastSleepSensor(SessionSensor):
    """Minutes asleep in the last finished session; its figures as attributes."""

    _restored_attributes = SESSION_ATTRIBUTES

    def _value(self, session: SleepSession) -> int | None:
        return session.asleep

    def _attributes(self, session: SleepSession) -> dict[str, Any]:
        return session_attributes(session)


def event_entities(coordinator: BandCoordinator) -> list[EventEntity]:
    """The band's `sleep` event."""
    return [SleepEventEntity(coordinator, SLEEP_EVENT)]
