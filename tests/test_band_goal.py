"""A band's day in Home Assistant: the step goal, the goal event, today's distance and calories.

Through Home Assistant's Bluetooth stack to the emulated band (tests/test_band.py): the goal is
its FF05 `05 00 lo hi` write; the band counts steps and notifies them; the integration works out
the rest (custom_components/miband_ninebot/miband/daily.py, Gadgetbridge's rules).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

from custom_components.miband_ninebot.miband import protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT
from emulator.transports.virtual_proxy import VirtualProxy

from . import entity_id_of, record_states, settle, state_of, until
from .helpers.band import add_band, add_paired_band, band_out_of_reach

AddDevice = Callable[[Peripheral], Peripheral]

GOAL_STORE = "miband_ninebot.goal.c80f103c7e51"  # the emulated 1S's


async def set_step_goal(hass: HomeAssistant, address: str, goal: int) -> None:
    """The step goal set from Home Assistant (a dashboard, an automation)."""
    await hass.services.async_call(
        Platform.NUMBER,
        "set_value",
        {ATTR_ENTITY_ID: entity_id_of(hass, Platform.NUMBER, address, "step_goal"), "value": goal},
        blocking=True,
    )


def goal_event(hass: HomeAssistant, address: str) -> State:
    """The goal event entity's state."""
    state = hass.states.get(entity_id_of(hass, Platform.EVENT, address, "goal"))
    assert state is not None
    return state


def paired_1s(add_device: AddDevice) -> MiBand:
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    return band


# -- the step goal ------------------------------------------------------------------------------


async def test_the_goal_is_written_at_each_connection_and_at_once_when_changed(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    assert protocol.encode_step_goal(8000) in band.control_commands  # Mi Fit's `05 00 40 1f`
    assert state_of(hass, Platform.NUMBER, band.address, "step_goal") == "8000"

    await set_step_goal(hass, band.address, 10_000)

    assert band.control_commands[-1] == bytes.fromhex("05001027")
    assert state_of(hass, Platform.NUMBER, band.address, "step_goal") == "10000"
    # The band gets it again on the next connection.
    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.authenticated)
    await until(lambda: band.control_commands.count(bytes.fromhex("05001027")) == 2)


async def test_the_goal_survives_a_restart(hass: HomeAssistant, add_device: AddDevice) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("number.mi_band_1s_7e51_step_goal", "12000"),
                {
                    "native_max_value": 65535.0,
                    "native_min_value": 1.0,
                    "native_step": 1.0,
                    "native_unit_of_measurement": "steps",
                    "native_value": 12000.0,
                },
            )
        ],
    )
    band = paired_1s(add_device)
    await add_paired_band(hass, band)

    assert state_of(hass, Platform.NUMBER, band.address, "step_goal") == "12000"
    assert protocol.encode_step_goal(12_000) in band.control_commands
    assert protocol.encode_step_goal(8000) not in band.control_commands


async def test_a_goal_set_for_a_band_out_of_reach_is_kept_and_says_so(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    band = await band_out_of_reach(hass, add_device, proxy)

    with pytest.raises(HomeAssistantError) as raised:
        await set_step_goal(hass, band.address, 9000)

    assert raised.value.translation_key == "step_goal_not_written"
    assert raised.value.translation_placeholders["goal"] == "9000"
    assert band.connection is None
    assert protocol.encode_step_goal(9000) not in band.control_commands
    band.return_to_range()
    add_device(band)  # back in range: its first advertisement brings it back
    await settle(hass)
    await until(lambda: protocol.encode_step_goal(9000) in band.control_commands)


# -- the goal event -----------------------------------------------------------------------------


async def test_the_goal_event_fires_once_a_day_not_again_after_a_reconnect(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)  # 1234 steps
    await set_step_goal(hass, band.address, 1300)
    assert goal_event(hass, band.address).state == STATE_UNKNOWN

    band.walk(60)  # 1294: not yet
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "1294")
    assert goal_event(hass, band.address).state == STATE_UNKNOWN
    band.walk(10)  # 1304
    await until(lambda: goal_event(hass, band.address).state != STATE_UNKNOWN)
    fired = goal_event(hass, band.address)
    assert fired.attributes["event_type"] == "reached"
    assert fired.attributes["steps"] == 1304
    assert fired.attributes["goal"] == 1300

    band.walk(100)
    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.authenticated)
    band.walk(100)
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "1504")
    await settle(hass)
    assert goal_event(hass, band.address).state == fired.state  # once that day


async def test_the_goal_reached_before_a_restart_does_not_fire_again_that_day(
    hass: HomeAssistant, add_device: AddDevice, hass_storage: dict[str, Any]
) -> None:
    today = dt_util.now().date().isoformat()
    hass_storage[GOAL_STORE] = {"version": 1, "key": GOAL_STORE, "data": {"last_reached": today}}
    band = paired_1s(add_device)
    await add_paired_band(hass, band)  # 1234 steps, the goal 8000

    band.walk(8000)
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "9234")
    await settle(hass)
    assert goal_event(hass, band.address).state == STATE_UNKNOWN


async def test_the_day_it_fired_is_stored(
    hass: HomeAssistant, add_device: AddDevice, hass_storage: dict[str, Any]
) -> None:
    band, _entry = await add_band(hass, add_device)
    await set_step_goal(hass, band.address, 1000)  # under the 1234 steps: reached at once
    await settle(hass)

    assert goal_event(hass, band.address).attributes["steps"] == 1234
    assert hass_storage[GOAL_STORE]["data"] == {"last_reached": dt_util.now().date().isoformat()}


# -- distance and calories ----------------------------------------------------------------------


async def test_distance_and_calories_follow_the_steps_and_the_profile(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = paired_1s(add_device)
    await add_paired_band(hass, band, {"gender": "male", "age": 41, "height": 182, "weight": 77})

    # 1234 steps of 78 cm (0.43 x 182, whole cm); 0.04 kcal a step at 70 kg, x 77/70.
    assert float(state_of(hass, Platform.SENSOR, band.address, "distance_today")) == 0.96252
    assert float(state_of(hass, Platform.SENSOR, band.address, "calories_today")) == 54.3
    band.walk(766)  # 2000 steps
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "distance_today") == "1.56")
    assert float(state_of(hass, Platform.SENSOR, band.address, "calories_today")) == 88.0


async def test_the_day_starts_over_at_local_midnight(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    # Ten seconds before midnight: its timer is due in ten seconds of the event loop's clock.
    midnight = dt_util.start_of_local_day(dt_util.now() + timedelta(days=1))
    frozen_time.move_to(midnight - timedelta(seconds=10))
    band, _entry = await add_band(hass, add_device)  # the default profile: 170 cm, 70 kg
    assert float(state_of(hass, Platform.SENSOR, band.address, "distance_today")) == 0.90082
    distance = hass.states.get(entity_id_of(hass, Platform.SENSOR, band.address, "distance_today"))
    assert distance is not None
    assert distance.attributes["state_class"] == "total_increasing"  # as the steps

    async_fire_time_changed(hass, midnight)
    frozen_time.move_to(midnight)
    await settle(hass)

    assert float(state_of(hass, Platform.SENSOR, band.address, "distance_today")) == 0
    assert float(state_of(hass, Platform.SENSOR, band.address, "calories_today")) == 0
    # The band starts counting again at its midnight: its next count is the new day's.
    band.activity.steps = 0
    band.walk(100)
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "distance_today") == "0.073")
    assert float(state_of(hass, Platform.SENSOR, band.address, "calories_today")) == 4.0


@pytest.mark.parametrize(
    "lag",
    [timedelta(minutes=5), timedelta(seconds=20)],
    ids=["five_minutes", "twenty_seconds_which_its_offset_to_the_minute_does_not_show"],
)
async def test_a_band_whose_clock_lags_counts_yesterday_for_minutes_after_midnight(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory, lag: timedelta
) -> None:
    """Its steps before its own midnight are not today's: no goal, no jump in the day's totals."""
    midnight = dt_util.start_of_local_day(dt_util.now() + timedelta(days=1))
    frozen_time.move_to(midnight - timedelta(seconds=10))
    band = paired_1s(add_device)
    band.clock_ahead = -lag  # its clock runs behind what it was set
    await add_paired_band(hass, band)  # 1234 steps
    await set_step_goal(hass, band.address, 1300)
    distance = record_states(
        hass, entity_id_of(hass, Platform.SENSOR, band.address, "distance_today")
    )

    async_fire_time_changed(hass, midnight)
    frozen_time.move_to(midnight)
    await settle(hass)
    band.walk(100)  # 23:55 by the band: yesterday's 1334
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "1334")
    await settle(hass)

    assert goal_event(hass, band.address).state == STATE_UNKNOWN
    assert float(state_of(hass, Platform.SENSOR, band.address, "distance_today")) == 0
    assert float(state_of(hass, Platform.SENSOR, band.address, "calories_today")) == 0

    # Its midnight: it starts again, and its counts are today's from then on.
    frozen_time.move_to(midnight + lag + timedelta(minutes=1))
    band.activity.steps = 0
    band.walk(100)
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "distance_today") == "0.073")
    assert [float(state.state) for state in distance] == [0, 0.073]  # no jump in between


async def test_a_band_whose_clock_runs_ahead_keeps_yesterday_s_count_out_of_today(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    """40 s ahead (a minute, to its offset): a count just before midnight is still yesterday's."""
    midnight = dt_util.start_of_local_day(dt_util.now() + timedelta(days=1))
    frozen_time.move_to(midnight - timedelta(seconds=50))
    band = paired_1s(add_device)
    band.clock_ahead = timedelta(seconds=40)
    await add_paired_band(hass, band)  # 1234 steps
    band.walk(100)  # 23:59:50 by the band: yesterday's 1334
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "1334")

    async_fire_time_changed(hass, midnight)
    frozen_time.move_to(midnight)
    await settle(hass)
    assert float(state_of(hass, Platform.SENSOR, band.address, "distance_today")) == 0

    band.activity.steps = 0  # it started its day at 23:59:20 by ours; its next count is today's
    band.walk(100)
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "distance_today") == "0.073")
