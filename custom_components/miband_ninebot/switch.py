"""Switches: a wheel's link; a band's continuous heart rate and its alarms (on, smart wake-up)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from . import MiBandNinebotConfigEntry
from .alarm_entity import AlarmSlotEntity, alarm_descriptions, slot_entities
from .band_coordinator import BandCoordinator
from .entity import MiBandNinebotEntity
from .wheel_coordinator import WheelCoordinator

PARALLEL_UPDATES = 0

CONNECTION = SwitchEntityDescription(
    key="connection",
    translation_key="connection",
    entity_category=EntityCategory.CONFIG,
)
CONTINUOUS_HEART_RATE = SwitchEntityDescription(
    key="continuous_heart_rate",
    translation_key="continuous_heart_rate",
)

ALARMS = alarm_descriptions(SwitchEntityDescription, None)
SMART_WAKES = alarm_descriptions(SwitchEntityDescription, "smart_wake")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a wheel's connection switch; a band's alarm switches, and continuous HR on a 1S."""
    coordinator = entry.runtime_data
    if isinstance(coordinator, WheelCoordinator):
        async_add_entities([ConnectionSwitch(coordinator, CONNECTION)])
    elif isinstance(coordinator, BandCoordinator):
        switches: list[SwitchEntity] = [
            *slot_entities(AlarmSwitch, coordinator, ALARMS),
            *slot_entities(SmartWakeSwitch, coordinator, SMART_WAKES),
        ]
        if coordinator.has_heart_rate_sensor:
            switches.append(ContinuousHeartRateSwitch(coordinator, CONTINUOUS_HEART_RATE))
        async_add_entities(switches)


class ConnectionSwitch(MiBandNinebotEntity[WheelCoordinator], SwitchEntity, RestoreEntity):
    """On: Home Assistant holds (or periodically opens) the link. Off: the link is released.

    The wheel accepts one central at a time, so the rider's phone app can only connect while
    this is off. The choice survives restarts.
    """

    async def async_added_to_hass(self) -> None:
        """Release the link from the start if the user had released it before a restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state == STATE_OFF:
            await self.coordinator.async_set_enabled(False)

    @property
    def available(self) -> bool:
        """Always available: it is how the user gets the link back."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether Home Assistant uses the link."""
        return self.coordinator.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Connect to the wheel again."""
        await self.coordinator.async_set_enabled(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disconnect and stay away, so that another central can connect."""
        await self.coordinator.async_set_enabled(False)


class ContinuousHeartRateSwitch(MiBandNinebotEntity[BandCoordinator], SwitchEntity, RestoreEntity):
    """On: the band measures about every 5 s while connected, and the heart-rate sensor follows.

    The band forgets the mode on every drop; the integration sets it again on each connection.
    The choice survives restarts.
    """

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
