"""A wheel's outings through Home Assistant: ridden out of range, and what it says once back.

The emulated One E+ goes out of the virtual proxy's range (the link times out, nothing hears it),
its counters move as a ride moves them (a `RideProfile` advanced while it is away), and it comes
back; or Home Assistant goes away (the entry unloaded and set up again, as a restart does) while
the wheel is ridden.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.miband_ninebot.const import (
    CONF_CONNECTION_POLICY,
    CONF_MIN_STATE_INTERVAL,
    CONF_READ_INTERVAL,
    DOMAIN,
)
from emulator.devices.wheel import NinebotOne
from emulator.devices.wheel_state import RideProfile, Standing, WheelState
from emulator.link.peripheral import ConnectFault, Peripheral

from . import entity_id_of, record_states, settle, state_of, until
from .helpers.wheel import add_wheel, add_wheel_in_state, fired_events

AddDevice = Callable[[Peripheral], Peripheral]

STORAGE_KEY = f"{DOMAIN}.outing.e0e5cf000001"
LAST_OUTING = "sensor.ninebot_one_e_0001_last_outing"


def _counters(wheel: NinebotOne) -> tuple[int, int, int]:
    """What the wheel's registers say: odometer (m), lifetime runtime (s), battery (%)."""
    state = wheel.state
    return round(state.total_distance * 1000), int(state.total_ride_time), state.battery


def _connected(hass: HomeAssistant, wheel: NinebotOne) -> str:
    return state_of(hass, Platform.BINARY_SENSOR, wheel.address, "connected")


async def _leaves(hass: HomeAssistant, wheel: NinebotOne) -> None:
    """Out of radio range: the link times out, reconnects find nothing."""
    wheel.leave_range()
    await settle(hass)
    assert _connected(hass, wheel) == STATE_OFF


def _ridden_away(wheel: NinebotOne, seconds: float) -> RideProfile:
    """A ride of `seconds` on the wheel's clock while nothing hears it; it stands at the end."""
    ride = RideProfile(cruise_speed=18.0)
    ride.advance(wheel.state, seconds)
    wheel.state.speed, wheel.state.current = 0.0, 0.4
    return ride


async def _comes_back(hass: HomeAssistant, wheel: NinebotOne) -> None:
    """Back in range: the next reconnect (a minute at most of backing off) finds it."""
    wheel.return_to_range()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)
    assert _connected(hass, wheel) == STATE_ON


async def test_an_outing_out_of_range_tells_its_distance_riding_time_and_battery_used(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=92))
    outings = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "outing"))
    assert hass.states.get(LAST_OUTING).state == STATE_UNKNOWN  # none yet
    metres, runtime, battery = _counters(wheel)

    await _leaves(hass, wheel)
    left = dt_util.utcnow()
    _ridden_away(wheel, 2400)  # 40 minutes at 13-23 km/h
    await _comes_back(hass, wheel)

    after_metres, after_runtime, after_battery = _counters(wheel)
    distance = (after_metres - metres) / 1000
    assert distance > 10  # a real ride, however the profile swells
    expected = {
        "distance": distance,
        "riding_time": 2400,
        "battery_used": battery - after_battery,
        "average_speed": round(distance / 2400 * 3600, 1),
    }
    assert after_runtime - runtime == 2400
    assert expected["battery_used"] > 0
    assert [
        (event, {key: data[key] for key in expected}) for event, data in fired_events(outings)
    ] == [("returned", expected)]

    last = hass.states.get(LAST_OUTING)
    assert last is not None
    assert float(last.state) == distance
    assert last.attributes[ATTR_UNIT_OF_MEASUREMENT] == "km"
    assert last.attributes[ATTR_DEVICE_CLASS] == "distance"
    assert {key: last.attributes[key] for key in expected if key != "distance"} == {
        key: value for key, value in expected.items() if key != "distance"
    }
    # Left: the last reading heard before the link went; returned: the first one after.
    gone, back = (datetime.fromisoformat(last.attributes[key]) for key in ("left", "returned"))
    assert gone <= left < back <= dt_util.utcnow()


async def test_an_outing_counts_in_the_long_term_statistics_of_distance(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The odometer, a total_increasing sensor unavailable while the wheel is away, comes back
    with the outing in it: the statistics sum it, as they did before outings were told."""
    start = dt_util.utcnow().replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 5)
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState())
    total_id = entity_id_of(hass, Platform.SENSOR, wheel.address, "total_distance")
    metres, _runtime, _battery = _counters(wheel)

    await _leaves(hass, wheel)
    _ridden_away(wheel, 1200)
    await _comes_back(hass, wheel)
    after_metres, _runtime, _battery = _counters(wheel)
    assert float(hass.states.get(total_id).state) == after_metres / 1000

    await async_wait_recording_done(hass)
    # The test may straddle a 5-minute boundary: both periods.
    for period in (start, start + timedelta(minutes=5)):
        do_adhoc_statistics(hass, start=period)
    await async_wait_recording_done(hass)
    statistics = await recorder_mock.async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        None,
        {total_id},
        "5minute",
        None,
        {"state", "sum"},
    )
    last = statistics[total_id][-1]
    assert last["state"] == after_metres / 1000
    assert last["sum"] == pytest.approx((after_metres - metres) / 1000, abs=1e-9)


async def test_a_ride_seen_live_is_not_an_outing_when_the_wheel_then_goes_and_comes_back(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState())
    outings = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "outing"))
    rides = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "ride"))
    odometer = float(state_of(hass, Platform.SENSOR, wheel.address, "total_distance"))

    wheel.start_ride(RideProfile(cruise_speed=18.0))
    await until(
        lambda: (
            float(state_of(hass, Platform.SENSOR, wheel.address, "total_distance"))
            >= odometer + 0.5
        )
    )
    # Stopped, and read stopped: the odometer Home Assistant last heard is the wheel's.
    wheel.do(Standing())
    await until(lambda: state_of(hass, Platform.SENSOR, wheel.address, "speed") == "0.0")
    await _leaves(hass, wheel)
    wheel.registers()  # standing switched on while away: the runtime runs, the odometer not
    await _comes_back(hass, wheel)

    assert [event for event, _data in fired_events(rides)][:1] == ["started"]  # seen live
    assert fired_events(outings) == []
    assert hass.states.get(LAST_OUTING).state == STATE_UNKNOWN


async def test_a_charge_while_away_leaves_the_battery_used_unknown(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=40))
    outings = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "outing"))

    await _leaves(hass, wheel)
    _ridden_away(wheel, 600)
    wheel.state.battery = 95  # charged at the other end, before the ride home
    await _comes_back(hass, wheel)

    ((event, data),) = fired_events(outings)
    assert event == "returned"
    assert data["battery_used"] is None
    assert data["riding_time"] == 600
    assert data["distance"] > 2
    assert hass.states.get(LAST_OUTING).attributes["battery_used"] is None


async def test_the_figures_last_heard_and_the_last_outing_survive_a_restart(
    hass: HomeAssistant, add_device: AddDevice, hass_storage: dict[str, Any]
) -> None:
    wheel, entry = await add_wheel_in_state(hass, add_device, WheelState(battery=88))
    outing_id = entity_id_of(hass, Platform.EVENT, wheel.address, "outing")
    metres, runtime, battery = _counters(wheel)

    assert await hass.config_entries.async_unload(entry.entry_id)  # as a restart does
    stored = hass_storage[STORAGE_KEY]["data"]
    assert (stored["total_distance"], stored["total_ride_time"], stored["battery"]) == (
        metres / 1000,
        runtime,
        battery,
    )
    _ridden_away(wheel, 1200)  # ridden while Home Assistant was away
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)

    after_metres, _runtime, after_battery = _counters(wheel)
    event = hass.states.get(outing_id)
    assert event is not None
    assert event.attributes["event_type"] == "returned"
    assert event.attributes["distance"] == (after_metres - metres) / 1000
    assert event.attributes["riding_time"] == 1200
    assert event.attributes["battery_used"] == battery - after_battery
    last = hass.states.get(LAST_OUTING)
    assert last is not None
    assert float(last.state) == event.attributes["distance"]

    # Once more, the wheel standing still meanwhile: the last outing is restored as it was, and
    # nothing new is told (the event keeps the moment it fired).
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    restored = hass.states.get(LAST_OUTING)
    assert restored is not None
    assert (restored.state, restored.attributes) == (last.state, last.attributes)
    assert hass.states.get(outing_id).state == event.state


async def test_a_fresh_start_measures_from_the_stored_figures_and_restores_the_last_outing(
    hass: HomeAssistant, add_device: AddDevice, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant started anew: its storage and its restore cache are all that is left."""
    left = dt_util.utcnow() - timedelta(hours=3)
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {
            "moment": left.isoformat(),
            "total_distance": 1222.567,
            "total_ride_time": 357_600,
            "battery": 92,
        },
    }
    earlier = {
        "riding_time": 900,
        "battery_used": 6,
        "average_speed": 12.8,
        "left": "2025-06-01T08:00:00+00:00",
        "returned": "2025-06-01T09:00:00+00:00",
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_OUTING, "3.2", earlier),
                {"native_value": 3.2, "native_unit_of_measurement": "km"},
            )
        ],
    )
    wheel = NinebotOne(
        state=WheelState(total_distance=1234.567, total_ride_time=360_000, battery=67)
    )
    wheel.refuse_connects(100, ConnectFault.ERROR)

    await add_wheel(hass, add_device, wheel, **{CONF_MIN_STATE_INTERVAL: 0})
    restored = hass.states.get(LAST_OUTING)
    assert restored is not None
    assert restored.state == "3.2"  # before the wheel answers
    assert {key: restored.attributes[key] for key in earlier} == earlier

    wheel.stop_refusing()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)

    last = hass.states.get(LAST_OUTING)
    assert last is not None
    assert float(last.state) == 12.0
    assert (last.attributes["riding_time"], last.attributes["battery_used"]) == (2400, 25)
    assert last.attributes["average_speed"] == 18.0
    assert last.attributes["left"] == left.isoformat()


@pytest.mark.parametrize(
    "data",
    [
        {"total_distance": "far"},
        {"moment": "never", "total_distance": 1.0, "total_ride_time": None, "battery": 50},
    ],
)
async def test_stored_figures_that_cannot_be_read_are_ignored(
    hass: HomeAssistant,
    add_device: AddDevice,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: dict[str, Any],
) -> None:
    hass_storage[STORAGE_KEY] = {"version": 1, "key": STORAGE_KEY, "data": data}
    await add_wheel_in_state(hass, add_device, WheelState())
    assert caplog.text.count("Ignored stored outing figures") == 1
    # Nothing to measure from: the first reading is the first heard.
    assert hass.states.get(LAST_OUTING).state == STATE_UNKNOWN
    assert hass_storage[STORAGE_KEY]["data"] == data  # overwritten only once there is news


async def test_a_ride_between_two_periodic_visits_is_an_outing(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """With the periodic policy nothing hears the wheel between visits: what it did meanwhile
    shows at the next one, as an outing; a visit to a wheel that stayed put shows none."""
    wheel, _entry = await add_wheel_in_state(
        hass,
        add_device,
        WheelState(),
        **{CONF_CONNECTION_POLICY: "periodic", CONF_READ_INTERVAL: 120},
    )
    outings = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "outing"))

    async def visit() -> None:
        attempts = wheel.connect_attempts
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=121))
        await settle(hass)
        assert wheel.connect_attempts == attempts + 1
        assert wheel.connection is None

    await visit()
    assert fired_events(outings) == []
    _ridden_away(wheel, 300)
    await visit()
    assert [event for event, _data in fired_events(outings)] == ["returned"]
    assert fired_events(outings)[0][1]["riding_time"] == 300


async def test_a_ride_that_goes_on_through_a_short_gap_is_no_outing(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The link drops mid-ride and is back before the ride's end delay: the ride counts it all."""
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState())
    outings = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "outing"))
    rides = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "ride"))
    ride = wheel.start_ride(RideProfile(cruise_speed=25.0))
    await until(lambda: fired_events(rides))

    await _leaves(hass, wheel)
    away_from = ride.elapsed

    def ridden_on() -> float:
        wheel.registers()  # the wheel's values move when looked at: nothing asks it while away
        return ride.elapsed - away_from

    await until(lambda: ridden_on() > 60)  # a minute on the wheel's clock: ~400 m
    wheel.return_to_range()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))  # < the end delay
    await settle(hass)
    assert _connected(hass, wheel) == STATE_ON

    assert [event for event, _data in fired_events(rides)] == ["started"]  # still the same ride
    assert fired_events(outings) == []


async def test_a_removed_wheel_s_stored_figures_go_with_it(
    hass: HomeAssistant, add_device: AddDevice, hass_storage: dict[str, Any]
) -> None:
    """Re-added months later, its first reading must not be an outing of all it rode since."""
    _wheel, entry = await add_wheel_in_state(hass, add_device, WheelState())
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert STORAGE_KEY in hass_storage
    assert f"{DOMAIN}.power_on.e0e5cf000001" in hass_storage

    await hass.config_entries.async_remove(entry.entry_id)
    await settle(hass)

    assert STORAGE_KEY not in hass_storage
    assert f"{DOMAIN}.power_on.e0e5cf000001" not in hass_storage
