"""A wheel in Home Assistant: one of known identity and values, adding it, enabling its lock, the
events its event entities fired."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miband_ninebot.const import (
    CONF_KIND,
    CONF_MIN_STATE_INTERVAL,
    CONF_MODEL,
    DOMAIN,
)
from emulator.devices.wheel import NinebotOne, WheelIdentity
from emulator.devices.wheel_state import WheelState
from emulator.link.peripheral import Peripheral

from .. import settle

PIN = "731946"  # distinctive, so that a leak anywhere is found by a plain search
IDENTITY = WheelIdentity(serial_number="N2OPB2210C0042", pin=PIN, firmware=0x3142)
STATE = WheelState(
    battery=67,
    speed=12.345,
    average_speed=9.5,
    total_distance=1234.567,
    trip_distance=3.21,
    trip_time=1500,
    temperature=31.4,
    voltage=57.31,
    current=-2.0,
    remaining_range=18.5,
)
# What Home Assistant must show for STATE: value and unit per key.
EXPECTED = {
    "speed": ("12.345", "km/h"),
    "battery": ("67", "%"),
    "voltage": ("57.31", "V"),
    "current": ("-2.0", "A"),
    "power": ("-114.62", "W"),  # 57.31 V x -2.00 A
    "temperature": ("31.4", "°C"),
    "total_distance": ("1234.567", "km"),
    "trip_distance": ("3.21", "km"),
    "remaining_range": ("18.5", "km"),
}


def make_wheel() -> NinebotOne:
    """A One E+ of IDENTITY, at STATE (its own copy)."""
    return NinebotOne(identity=IDENTITY, state=replace(STATE))


async def add_wheel(
    hass: HomeAssistant,
    add_device: Callable[[Peripheral], Peripheral],
    wheel: NinebotOne | None = None,
    **options: object,
) -> tuple[NinebotOne, MockConfigEntry]:
    """Put a wheel in range and add it the way discovery does, with the given options."""
    wheel = wheel or make_wheel()
    add_device(wheel)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=wheel.address,
        title="Ninebot One E (0001)",
        data={"address": wheel.address, CONF_KIND: "wheel", CONF_MODEL: "Ninebot One E"},
        options=options,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    return wheel, entry


async def add_wheel_in_state(
    hass: HomeAssistant,
    add_device: Callable[[Peripheral], Peripheral],
    state: WheelState,
    **options: object,
) -> tuple[NinebotOne, MockConfigEntry]:
    """A wheel in this state, added as `add_wheel` adds one, every change written at once."""
    return await add_wheel(
        hass, add_device, NinebotOne(state=state), **{CONF_MIN_STATE_INTERVAL: 0, **options}
    )


def fired_events(states: list[State]) -> list[tuple[str, dict[str, Any]]]:
    """The events among an event entity's recorded states: (type, the data it came with)."""
    return [
        (state.attributes["event_type"], dict(state.attributes))
        for state in states
        if state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    ]


async def enable_lock(hass: HomeAssistant, wheel: NinebotOne, entry: MockConfigEntry) -> str:
    """Enable the lock entity as a user does (it is off by default), then reload the entry."""
    registry = er.async_get(hass)
    lock_id = registry.async_get_entity_id(Platform.LOCK, DOMAIN, f"{wheel.address}_lock")
    assert lock_id is not None
    registry_entry = registry.async_get(lock_id)
    assert registry_entry is not None
    assert registry_entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    registry.async_update_entity(lock_id, disabled_by=None)
    await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    return lock_id
