"""A band's switches: alarms (on, smart wake-up), finding it; 1S: continuous and sleep HR."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_ON, EntityCategory
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.restore_state import RestoreEntity

from ..entity import MiBandNinebotEntity
from ..miband.sleep_heart_rate import set_sleep_heart_rate
from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .coordinator import BandCoordinator

CONTINUOUS_HEART_RATE = SwitchEntityDescription(
    key="continuous_heart_rate",
    translation_key="continuous_heart_rate",
)

SLEEP_HEART_RATE = SwitchEntityDescription(
    key="sleep_heart_rate",
    translation_key="sleep_heart_rate",
    entity_category=EntityCategory.CONFIG,
)

FIND_BAND = SwitchEntityDescription(key="find_band", translation_key="find_band")

ALARMS = alarm_descriptions(SwitchEntityDescription, None)
SMART_WAKES = alarm_descriptions(SwitchEntityDescription, "smart_wake")


def entities(coordinator: BandCoordinator) -> list[SwitchEntity]:
    """The alarm switches, their smart wake-ups, finding the band; 1S: continuous, sleep HR."""
    switches: list[SwitchEntity] = [
        *slot_entities(AlarmSwitch, coordinator, ALARMS),
        *slot_entities(SmartWakeSwitch, coordinator, SMART_WAKES),
        FindBandSwitch(coordinator, FIND_BAND),
    ]
    if coordinator.has_heart_rate_sensor:
        switches.append(ContinuousHeartRateSwitch(coordinator, CONTINUOUS_HEART_RATE))
        switches.append(SleepHeartRateSwitch(coordinator, SLEEP_HEART_RATE))
    return switches


class ContinuousHeartRateSwitch(MiBandNinebotEntity[BandCoordinator], SwitchEntity, RestoreEntity):
    """On: the band measures about every 5 s while connected, and the heart-rate sensor follows.

    The band forgets the mode on every drop; the integration sets it again on each connection.
    The choice survives restarts.
    """

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: the restored choice went to the coordinator, which is the device's."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Take the choice made before a restart; the first connection applies it."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state == STATE_ON:
            await self.coordinator.async_set_continuous_heart_rate(True)

    @property
    def is_on(self) -> bool:
        """Whether continuous measurement is asked for."""
        return self.coordinator.continuous_heart_rate

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start measuring continuously (now if connected, else on the next connection)."""
        await self.coordinator.async_set_continuous_heart_rate(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop measuring continuously."""
        await self.coordinator.async_set_continuous_heart_rate(False)


class SleepHeartRateSwitch(MiBandNinebotEntity[BandCoordinator], SwitchEntity, RestoreEntity):
    """On: the band measures heart rate while its wearer sleeps (2A39 `15 00 01`; off `15 00 00`).

    The readings land in the synced minutes: the hourly heart-rate statistic and the night's
    resting heart rate. A setting kept here, written at every connection; it survives restarts.
    """

    @property
    def available(self) -> bool:
        """A setting: it can change while the band is away (written when it is back)."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: the restored choice went to the band's settings, the device's."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Take the choice made before a restart; the first connection writes it."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state == STATE_ON:
            self.coordinator.session.settings.sleep_heart_rate = True

    @property
    def is_on(self) -> bool:
        """Whether the band is to measure during sleep."""
        return self.coordinator.session.settings.sleep_heart_rate

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Measure during sleep: written now (connecting if need be) and on each connection."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop measuring during sleep."""
        await self._async_set(False)

    async def _async_set(self, enabled: bool) -> None:
        session = self.coordinator.session
        session.settings.sleep_heart_rate = enabled
        await self.coordinator.async_write_setting(
            lambda: set_sleep_heart_rate(session, enabled), "sleep_heart_rate_not_written"
        )


class AlarmSwitch(AlarmSlotEntity, SwitchEntity):
    """On: the band rings this alarm at its time and days."""

    @property
    def is_on(self) -> bool:
        """Whether the alarm is set."""
        return self.alarm.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Set the alarm (a one-time alarm for the next time its time comes)."""
        await self.async_set(enabled=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unset the alarm."""
        await self.async_set(enabled=False)


class SmartWakeSwitch(AlarmSlotEntity, SwitchEntity):
    """On: the band may wake its wearer up to 30 minutes early, in light sleep."""

    @property
    def is_on(self) -> bool:
        """Whether the alarm has the smart wake-up window."""
        return self.alarm.smart_wake

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Give the alarm the 30-minute window."""
        await self.async_set(smart_wake=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Ring at the time itself."""
        await self.async_set(smart_wake=False)


class FindBandSwitch(MiBandNinebotEntity[BandCoordinator], SwitchEntity):
    """On: the band rings until turned off, two minutes at most (band/find.py); off on restart."""

    @property
    def available(self) -> bool:
        """Always: a band away is what one looks for; turned on, it says it is out of reach."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the band is being rung."""
        return self.coordinator.finder.active

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Ring the band now and every few seconds; a band out of reach is an error."""
        try:
            await self.coordinator.finder.async_start()
        except HomeAssistantError as err:
            raise self.coordinator.translated_error("find_band_failed") from err

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop ringing: the band's stop-vibration command."""
        try:
            await self.coordinator.finder.async_stop()
        except HomeAssistantError as err:
            raise self.coordinator.translated_error("find_band_failed") from err
