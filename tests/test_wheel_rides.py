"""A wheel's charges, rides, faults and lock through Home Assistant, on an emulated One E+.

The emulated wheel runs 100 times faster than the wall clock (the test time scale), its own clock
(the power-on runtime the integration counts by) included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from homeassistant.components.lock import LockState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.const import DOMAIN
from custom_components.miband_ninebot.ninebot import client as wheel_client
from emulator.devices.wheel import NinebotOne
from emulator.devices.wheel_state import ChargeProfile, RideProfile, Standing, WheelState
from emulator.link.peripheral import Peripheral

from . import entity_id_of, record_states, settle, state_of, until
from .helpers.wheel import add_wheel_in_state, enable_lock, fired_events

AddDevice = Callable[[Peripheral], Peripheral]


def _value(hass: HomeAssistant, wheel: NinebotOne, key: str) -> float:
    return float(state_of(hass, Platform.SENSOR, wheel.address, key))


async def test_an_automation_switches_the_charger_off_at_80_percent(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The automation a smart-plug owner writes, on the charge event's "limit reached"."""
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=72))
    charge_id = entity_id_of(hass, Platform.EVENT, wheel.address, "charge")
    charges = record_states(hass, charge_id)
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"plug": None}})
    await hass.services.async_call("input_boolean", "turn_on", {"entity_id": "input_boolean.plug"})
    automation = {
        "alias": "Stop the wheel's charge at its limit",
        "triggers": [
            {
                "trigger": "state",
                "entity_id": charge_id,
                "attribute": "event_type",
                "to": "limit_reached",
            }
        ],
        "actions": [
            {"action": "input_boolean.turn_off", "target": {"entity_id": "input_boolean.plug"}}
        ],
    }
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging") == STATE_OFF

    wheel.do(ChargeProfile(rate=6.0))  # % per minute of the wheel's clock
    await until(
        lambda: state_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging") == STATE_ON
    )
    assert (
        state_of(hass, Platform.SENSOR, wheel.address, "time_to_full") == STATE_UNKNOWN
    )  # no rate yet

    await until(lambda: hass.states.get("input_boolean.plug").state == STATE_OFF)
    fired = fired_events(charges)
    assert [event for event, _data in fired] == ["started", "limit_reached"]
    assert fired[1][1]["battery"] == 80
    assert fired[1][1]["limit"] == 80
    # Measured over this charge: 6 points a minute, 20 points to go at 80 %.
    await until(
        lambda: state_of(hass, Platform.SENSOR, wheel.address, "time_to_full") != STATE_UNKNOWN
    )
    level = _value(hass, wheel, "battery")
    assert _value(hass, wheel, "time_to_full") == pytest.approx((100 - level) / 6, abs=1)

    # Left on the charger, the wheel fills up; the charger stops and the charge ends.
    await until(
        lambda: state_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging") == STATE_OFF
    )
    assert wheel.state.battery == 100
    assert [event for event, _data in fired_events(charges)] == [
        "started",
        "limit_reached",
        "ended",
    ]
    assert state_of(hass, Platform.SENSOR, wheel.address, "time_to_full") == STATE_UNKNOWN


async def test_a_ride_shows_its_time_speeds_and_energy(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The slow registers (the lifetime runtime among them) come round every 15 s of Home
    # Assistant's clock, which the test does not speed up: every half second here.
    monkeypatch.setattr(wheel_client, "SLOW_READ_INTERVAL", 0.5)
    connected = dt_util.utcnow()
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(trip_time=30))
    rides = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "ride"))
    wheel.do(Standing())
    await until(lambda: _value(hass, wheel, "ride_time") >= 1)  # whole minutes
    assert fired_events(rides) == []

    ride = wheel.start_ride(RideProfile(cruise_speed=18.0))
    await until(lambda: fired_events(rides))
    assert fired_events(rides)[0][0] == "started"
    await until(lambda: ride.elapsed > 300)  # five minutes on the wheel's clock
    wheel.do(Standing())
    ridden = (wheel.state.trip_distance, ride.energy_wh)
    await until(lambda: len(fired_events(rides)) == 2)

    event, summary = fired_events(rides)[1]
    assert event == "ended"
    assert summary["reason"] == "stopped"
    # Against what the wheel told: a busy host can stall between two answers, and the ride the
    # emulator ran on in the stall was never reported (the wheel's own figures follow below).
    assert wheel.answered_moving is not None
    (started, start_distance), (last_moving, last_distance) = wheel.answered_moving
    assert summary["duration"] == last_moving - started
    assert summary["distance"] == pytest.approx(last_distance - start_distance, abs=0.01)
    assert summary["duration"] == pytest.approx(ride.elapsed, abs=10)
    assert summary["distance"] == pytest.approx(ridden[0], abs=0.05)
    assert summary["energy"] == pytest.approx(ridden[1], rel=0.03)
    assert summary["top_speed"] == pytest.approx(23.0, abs=0.1)  # cruise 18 + swell 5
    # The power-on's own figures, from the wheel's registers and integrated by Home Assistant.
    assert _value(hass, wheel, "top_speed") == summary["top_speed"]
    # Whole Wh since power-on: the ride, and the standing wheel's draw since (23 W).
    assert summary["energy"] - 0.5 <= _value(hass, wheel, "energy") <= summary["energy"] + 1.5
    assert _value(hass, wheel, "average_speed") == pytest.approx(
        wheel.state.average_speed,
        abs=0.051,  # to 0.1 km/h
    )
    # Whole minutes, in the minutes it is shown in.
    assert _value(hass, wheel, "ride_time") == pytest.approx(wheel.state.trip_time // 60, abs=1)
    assert _value(hass, wheel, "total_ride_time") == pytest.approx(
        wheel.state.total_ride_time / 3600,
        abs=0.04,  # whole minutes, read every 50 s of its clock here
    )
    energy = hass.states.get(entity_id_of(hass, Platform.SENSOR, wheel.address, "energy"))
    assert energy is not None
    powered_on = dt_util.parse_datetime(energy.attributes["last_reset"])
    assert powered_on is not None
    # The wheel had run 30 s when Home Assistant first read it (its clock runs faster here).
    assert abs(powered_on - (connected - timedelta(seconds=30))) < timedelta(seconds=2)

    # Switched off and on: a new power-on starts the top speed and the energy from nothing.
    wheel.power_cycle()
    await until(lambda: _value(hass, wheel, "top_speed") == 0)
    assert _value(hass, wheel, "energy") == 0


async def test_a_ride_ends_when_the_wheel_is_switched_off_or_gone(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState())
    rides = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "ride"))
    ride = wheel.start_ride()
    await until(lambda: fired_events(rides))
    await until(lambda: ride.elapsed > 30)

    wheel.power_cycle()  # switched off mid-ride and on again: the clock starts over
    await until(lambda: len(fired_events(rides)) == 3)  # ended, and the wheel still rolls: started
    assert [(event, data.get("reason")) for event, data in fired_events(rides)] == [
        ("started", None),
        ("ended", "switched_off"),
        ("started", None),
    ]

    wheel.leave_range()
    await settle(hass)
    assert len(fired_events(rides)) == 3  # a moment away is not the end of a ride
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)
    assert fired_events(rides)[-1][0] == "ended"
    assert fired_events(rides)[-1][1]["reason"] == "disconnected"


async def test_an_error_code_raises_a_repair_until_it_clears(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The codes come round with the slow registers: every 15 s of Home Assistant's clock, which
    # the test does not speed up; every half second here.
    monkeypatch.setattr(wheel_client, "SLOW_READ_INTERVAL", 0.5)
    wheel, entry = await add_wheel_in_state(hass, add_device, WheelState())
    issues = ir.async_get(hass)
    issue_id = f"wheel_error_{entry.entry_id}"
    assert state_of(hass, Platform.SENSOR, wheel.address, "error_code") == "0"
    assert issues.async_get_issue(DOMAIN, issue_id) is None

    wheel.state.error_code = 21
    wheel.state.warning_code = 3
    await until(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_key == "wheel_error"
    assert issue.translation_placeholders == {"name": entry.title, "code": "21"}
    assert state_of(hass, Platform.SENSOR, wheel.address, "error_code") == "21"
    assert state_of(hass, Platform.SENSOR, wheel.address, "warning_code") == "3"

    wheel.state.error_code = 0
    await until(lambda: issues.async_get_issue(DOMAIN, issue_id) is None)
    assert state_of(hass, Platform.SENSOR, wheel.address, "error_code") == "0"


async def test_the_lock_refuses_while_moving_and_works_at_standstill(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, entry = await add_wheel_in_state(hass, add_device, WheelState())
    lock_id = await enable_lock(hass, wheel, entry)
    assert hass.states.get(lock_id).state == LockState.UNLOCKED

    ride = wheel.start_ride()
    await until(lambda: _value(hass, wheel, "speed") > 0)
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call("lock", "lock", {"entity_id": lock_id}, blocking=True)
    assert refused.value.translation_key == "wheel_moving"
    assert wheel.writes == []  # refused before anything was written
    assert not wheel.state.locked
    assert ride.elapsed > 0

    wheel.do(Standing())
    await until(lambda: _value(hass, wheel, "speed") == 0)
    await hass.services.async_call("lock", "lock", {"entity_id": lock_id}, blocking=True)
    assert wheel.state.locked
    assert [write.hex() for write in wheel.writes] == ["55aa03090370017fff"]  # eucWatch's lock
    assert hass.states.get(lock_id).state == LockState.LOCKED
    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "locked") == STATE_ON

    await hass.services.async_call("lock", "unlock", {"entity_id": lock_id}, blocking=True)
    assert not wheel.state.locked
    assert hass.states.get(lock_id).state == LockState.UNLOCKED


async def test_a_lock_the_wheel_does_not_take_is_reported(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, entry = await add_wheel_in_state(hass, add_device, WheelState())
    lock_id = await enable_lock(hass, wheel, entry)
    wheel.faults.ignore_writes = True

    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call("lock", "lock", {"entity_id": lock_id}, blocking=True)

    assert refused.value.translation_key == "lock_not_confirmed"
    assert len(wheel.writes) == 1
    assert hass.states.get(lock_id).state == LockState.UNLOCKED


async def test_a_restart_keeps_the_power_on_s_top_speed_and_energy(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """Home Assistant going away and back while the wheel stays on: the same power-on goes on."""
    # On for ten minutes when Home Assistant first reads it.
    wheel, entry = await add_wheel_in_state(hass, add_device, WheelState(trip_time=600))
    energy_id = entity_id_of(hass, Platform.SENSOR, wheel.address, "energy")
    wheel.start_ride()
    await until(lambda: _value(hass, wheel, "energy") >= 3)
    # Values frozen from here (the wheel's clock too), so the runtime counted back from now lands
    # on the same power-on whatever the test's time scale.
    wheel.do(None)
    await until(lambda: _value(hass, wheel, "speed") == wheel.state.speed)
    top_speed, energy = _value(hass, wheel, "top_speed"), _value(hass, wheel, "energy")
    powered_on = hass.states.get(energy_id).attributes["last_reset"]

    assert await hass.config_entries.async_unload(entry.entry_id)  # as a restart does
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)

    assert _value(hass, wheel, "top_speed") == top_speed
    assert _value(hass, wheel, "energy") == energy
    assert hass.states.get(energy_id).attributes["last_reset"] == powered_on

    # Switched off and on while Home Assistant was away: a new power-on, counted from nothing.
    assert await hass.config_entries.async_unload(entry.entry_id)
    wheel.power_cycle()
    wheel.state.speed = 0.0
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)

    assert _value(hass, wheel, "top_speed") == 0
    assert _value(hass, wheel, "energy") == 0
    assert hass.states.get(energy_id).attributes["last_reset"] != powered_on
