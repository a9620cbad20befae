"""The blueprints in blueprints/automation/miband_ninebot/, as a user imports and uses them.

Each is copied where Home Assistant looks (`<config>/blueprints/automation/miband_ninebot/`),
loaded and validated by Home Assistant's own blueprint integration, instantiated as an automation
with `use_blueprint`, and driven by the emulated band and wheel to the action it promises: the band
receives the vibration commands, the smart plug (an `input_boolean`) turns off, the user's phone
(a notify action registered here: not the integration's) is called.

The wall clock stands still (`frozen_time`) and `Clock.advance` moves it on, running what Home
Assistant set for the moments passed: the wall-clock timers (`async_track_point_in_time`, the
band's reminder) and the delays of triggers' `for` and scripts' waits, which Home Assistant sets on
the event loop's clock; the loop's clock itself runs on for the emulated links.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import re
import shutil
from typing import Any
from urllib.parse import quote

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.components.recorder import Recorder
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HassJob, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_mock_service,
    get_scheduled_timer_handles,
)

from custom_components.miband_ninebot.miband import protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_memory import RecordedMinute
from emulator.devices.wheel import NinebotOne
from emulator.devices.wheel_state import ChargeProfile, RideProfile, Standing, WheelState
from emulator.link.peripheral import Peripheral
from emulator.transports.virtual_proxy import VirtualProxy

from . import (
    device_id,
    entity_id_of,
    let_bluetooth_forget_unheard_devices,
    run_wall_timer,
    settle,
    state_of,
    until,
)
from .helpers.band import add_band, add_paired_band, record_ending_now
from .helpers.wheel import add_wheel_in_state

AddDevice = Callable[[Peripheral], Peripheral]

ROOT = Path(__file__).parent.parent
BLUEPRINTS = ROOT / "blueprints"
OURS = BLUEPRINTS / "automation" / "miband_ninebot"
REPOSITORY = json.loads((ROOT / "custom_components/miband_ninebot/manifest.json").read_text())[
    "documentation"
]
LIGHT_SLEEP = 5  # the band's category for a minute of light sleep
PHONE = "mobile_app_phone"  # the user's phone: its notify action is Home Assistant's, not ours
EVENT_HELPERS = "homeassistant.helpers.event"
CALL_LATER = re.compile(r"call_later ([0-9.]+)")  # the name async_call_later gives its job


def pulses(count: int) -> list[bytes]:
    """The Immediate Alert writes of `count` pulses (a 1S on firmware 4.16)."""
    return [protocol.ALERT_MILD, protocol.ALERT_OFF] * count


@pytest.fixture
async def blueprints(hass: HomeAssistant, tmp_path: Path) -> AsyncIterator[None]:
    """The repository's blueprints in a configuration of this test's own, where HA looks.

    The automations are turned off at the end, before the devices' entries are unloaded: their
    entities going unavailable would start a trigger's `for` that outlives the test.
    """
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(OURS, hass.config.path("blueprints", "automation", "miband_ninebot"))
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """An automation from the blueprint `name`, as the UI saves one; it must be on."""
    automation = {
        "id": name,
        "alias": name,
        "use_blueprint": {"path": f"miband_ninebot/{name}.yaml", "input": inputs},
    }
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await settle(hass)
    state = hass.states.get(f"automation.{name}")
    assert state is not None
    assert state.state == STATE_ON, state


def phone(hass: HomeAssistant) -> list[ServiceCall]:
    """The user's phone, as a notify action that records its calls."""
    return async_mock_service(hass, "notify", PHONE)


class Clock:
    """The frozen wall clock, moved on with Home Assistant's timers that are due meanwhile.

    Two kinds: the wall clock's (`async_track_point_in_time`: a handle that knows its moment) and
    the delays Home Assistant's triggers (`for`) and scripts (`delay`, a wait's `timeout`) set on
    the event loop's clock. The wall clock stands still between moves, so such a handle's moment
    is the wall clock's when it is first seen plus its delay: `async_call_later`'s (a trigger's
    `for`) is in its job's name, exact; a script's is taken from the loop's time when the wall
    clock last moved, late by the real time the test took since, never early. Other loop timers
    (the links', Bluetooth's) are left to the loop.
    """

    def __init__(self, hass: HomeAssistant, frozen_time: FrozenDateTimeFactory) -> None:
        self.hass = hass
        self.frozen_time = frozen_time
        self._moments: dict[asyncio.TimerHandle, float] = {}
        self._loop_mark = hass.loop.time()  # the loop's time when the wall clock was last moved

    def _delay(self, handle: asyncio.TimerHandle) -> float:
        """The handle's delay from the wall clock's standing moment (set since it last moved)."""
        job = handle._args[1] if len(handle._args) > 1 else None
        if isinstance(job, HassJob) and (named := CALL_LATER.fullmatch(job.name or "")):
            return float(named[1])  # `async_call_later`'s own: exact
        return handle.when() - self._loop_mark

    def _move_to(self, moment: datetime) -> None:
        self.frozen_time.move_to(moment)
        self._loop_mark = self.hass.loop.time()

    def _due(self, until_timestamp: float) -> list[tuple[float, asyncio.TimerHandle]]:
        now = dt_util.utcnow().timestamp()
        due = []
        for handle in get_scheduled_timer_handles(self.hass.loop):
            if not isinstance(handle, asyncio.TimerHandle) or handle.cancelled():
                continue
            moment = getattr(handle._callback, "expected_fire_timestamp", None)
            if moment is None and _home_assistant_delay(handle):
                moment = self._moments.setdefault(handle, now + self._delay(handle))
            if moment is not None and moment <= until_timestamp:
                due.append((moment, handle))
        return due

    async def advance(self, delta: timedelta) -> None:
        """Move the wall clock on by `delta`, running the timers due on the way in their order."""
        target = dt_util.utcnow() + delta
        await self._let_listeners_run()
        while due := self._due(target.timestamp()):
            moment, handle = min(due, key=lambda timer: timer[0])
            at = datetime.fromtimestamp(max(moment, dt_util.utcnow().timestamp()), UTC)
            self._move_to(at)
            run_wall_timer(handle, at)
            await self._let_listeners_run()
        self._move_to(target)
        await self._let_listeners_run()

    async def _let_listeners_run(self) -> None:
        """Settle, and let the state listeners Home Assistant calls soon run first.

        On Home Assistant 2025.8 a person's state trigger was seen to run its listener after
        `async_block_till_done` had returned: the `for` it starts would be set only once the wall
        clock had moved on, and counted from there.
        """
        for _ in range(3):
            await asyncio.sleep(0)
        await settle(self.hass)


def _home_assistant_delay(handle: asyncio.TimerHandle) -> bool:
    """A `for` of a trigger (`async_call_later` from the event helpers) or a script's wait."""
    callback = handle._callback
    if callback.__name__ == "_set_result_unless_done":
        return callback.__module__ == "homeassistant.helpers.script"
    if callback.__name__ == "_run_async_call_action":
        job = handle._args[1]
        return getattr(job.target, "__module__", "") == EVENT_HELPERS
    return False


def today_at(hour: int, minute: int = 0) -> datetime:
    """Local time today (the frozen clock's day)."""
    return dt_util.start_of_local_day() + timedelta(hours=hour, minutes=minute)


def _value(hass: HomeAssistant, device: Peripheral, key: str) -> float:
    return float(state_of(hass, Platform.SENSOR, device.address, key))


# -- every blueprint --------------------------------------------------------------------------


async def test_every_blueprint_is_valid_and_has_a_test(
    hass: HomeAssistant, blueprints: None
) -> None:
    files = sorted(BLUEPRINTS.rglob("*.y*ml"))
    assert files
    # Only automation blueprints, all in the folder Home Assistant's importer puts them in.
    assert [path.parent for path in files] == [OURS] * len(files)

    docs = await hass.async_add_executor_job((ROOT / "docs" / "blueprints.md").read_text)
    assert await async_setup_component(hass, "automation", {})
    loaded = await async_get_blueprints(hass).async_get_blueprints()
    ours = {path: blueprint for path, blueprint in loaded.items() if path.startswith("miband_")}
    assert sorted(ours) == [f"miband_ninebot/{path.name}" for path in files]
    for path, blueprint in ours.items():
        assert isinstance(blueprint, Blueprint), (path, blueprint)  # else the error loading it
        assert blueprint.validate() is None, path  # the minimum version
        metadata = blueprint.metadata
        assert metadata["domain"] == "automation"
        assert metadata["name"]
        assert metadata["description"]
        assert metadata["source_url"] == f"{REPOSITORY}/blob/main/blueprints/automation/{path}"
        # Our devices are chosen among ours only.
        for name, spec in blueprint.inputs.items():
            selector = (spec or {}).get("selector", {})
            if "device" in selector:
                assert selector["device"]["filter"][0]["integration"] == "miband_ninebot", name
        # The blueprint's test is in this file, named after it.
        stem = Path(path).stem
        assert any(name.startswith(f"test_{stem}") for name in globals()), stem
        # Its import button in the documentation.
        assert f"blueprint_url={quote(metadata['source_url'], safe='')})" in docs, stem


async def test_a_broken_blueprint_is_reported_as_such(
    hass: HomeAssistant, blueprints: None
) -> None:
    """The check above can fail: a blueprint without its domain does not load."""
    broken = Path(hass.config.path("blueprints", "automation", "miband_ninebot", "broken.yaml"))
    text = await hass.async_add_executor_job((OURS / "wrist_alert.yaml").read_text)
    await hass.async_add_executor_job(
        broken.write_text, text.replace("domain: automation", "domain: script")
    )
    assert await async_setup_component(hass, "automation", {})
    loaded = await async_get_blueprints(hass).async_get_blueprints()
    assert not isinstance(loaded["miband_ninebot/broken.yaml"], Blueprint)
    assert isinstance(loaded["miband_ninebot/wrist_alert.yaml"], Blueprint)


# -- 1. wrist alert ---------------------------------------------------------------------------


async def test_wrist_alert_vibrates_the_band_when_the_doorbell_rings(
    hass: HomeAssistant, add_device: AddDevice, blueprints: None
) -> None:
    band, _entry = await add_band(hass, add_device)
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"doorbell": None, "washer_done": None}}
    )
    await use_blueprint(
        hass,
        "wrist_alert",
        {
            "watched": ["input_boolean.doorbell", "input_boolean.washer_done"],
            "band": device_id(hass, band.address),
            "pattern": "alarm_clock",
            "count": 2,
        },
    )
    band.vibrations.clear()

    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": "input_boolean.doorbell"}, blocking=True
    )
    await until(lambda: len(band.vibrations) == len(pulses(8)))
    await settle(hass)
    assert band.vibrations == pulses(8)  # "alarm clock" is four short pulses, played twice

    await hass.services.async_call(
        "input_boolean", "turn_off", {"entity_id": "input_boolean.doorbell"}, blocking=True
    )
    await settle(hass)
    assert band.vibrations == pulses(8)  # turning off is no alert


# -- 2. heart rate ----------------------------------------------------------------------------


async def _band_measuring(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    memory: list[RecordedMinute] | None = None,
) -> MiBand:
    """A paired 1S at 72 bpm measuring continuously, its memory (synced at once) `memory`."""
    frozen_time.move_to(today_at(3 if memory else 10))
    band = catalog.mi_band_1s()
    band.activity.heart_rate = 72
    if memory:
        record_ending_now(band, memory)
    add_device(band)
    await add_paired_band(hass, band)
    await hass.services.async_call(
        Platform.SWITCH,
        "turn_on",
        {"entity_id": entity_id_of(hass, Platform.SWITCH, band.address, "continuous_heart_rate")},
        blocking=True,
    )
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "72")
    return band


async def _heart_rate_alert(hass: HomeAssistant, band: MiBand) -> None:
    message = "{{ heart_rate }} bpm, {{ direction }}, asleep {{ asleep }}"
    await use_blueprint(
        hass,
        "heart_rate_alert",
        {
            "heart_rate": entity_id_of(hass, Platform.SENSOR, band.address, "heart_rate"),
            "asleep": entity_id_of(hass, Platform.BINARY_SENSOR, band.address, "asleep"),
            "minutes": 10,
            "above": 120,
            "below": 45,
            "asleep_above": 100,
            "asleep_below": 38,
            "awake_actions": [
                {"action": f"notify.{PHONE}", "data": {"message": f"awake: {message}"}}
            ],
            "asleep_actions": [
                {"action": f"notify.{PHONE}", "data": {"message": f"asleep: {message}"}}
            ],
        },
    )


async def test_heart_rate_alert_awake_above_the_threshold_for_the_minutes(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    blueprints: None,
) -> None:
    band = await _band_measuring(hass, add_device, frozen_time)
    clock = Clock(hass, frozen_time)
    calls = phone(hass)
    await _heart_rate_alert(hass, band)

    band.activity.heart_rate = 110  # above the asleep threshold only: awake, nothing
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "110")
    await clock.advance(timedelta(minutes=11))
    assert calls == []

    band.activity.heart_rate = 140
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "140")
    await clock.advance(timedelta(minutes=9))
    assert calls == []
    await clock.advance(timedelta(minutes=1, seconds=5))
    assert [call.data["message"] for call in calls] == ["awake: 140 bpm, above, asleep False"]


async def test_heart_rate_alert_asleep_has_its_own_threshold_and_actions(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    blueprints: None,
) -> None:
    asleep = [RecordedMinute(LIGHT_SLEEP, 0, 0)] * 30
    band = await _band_measuring(hass, add_device, frozen_time, memory=asleep)
    clock = Clock(hass, frozen_time)
    await until(lambda: band.memory.minute_count == 0)  # synced
    await settle(hass)
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "asleep") == STATE_ON
    calls = phone(hass)
    await _heart_rate_alert(hass, band)

    band.activity.heart_rate = 110  # above the asleep threshold, not the awake one
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "110")
    await clock.advance(timedelta(minutes=10, seconds=5))
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "asleep") == STATE_ON
    assert [call.data["message"] for call in calls] == ["asleep: 110 bpm, above, asleep True"]


# -- 3. sat too long --------------------------------------------------------------------------


async def test_sit_too_long_buzzes_the_wrist_and_tells_the_phone(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    blueprints: None,
) -> None:
    frozen_time.move_to(today_at(10))
    clock = Clock(hass, frozen_time)
    band, _entry = await add_band(hass, add_device)  # its count at 10:00, then no step
    calls = phone(hass)
    inactive = entity_id_of(hass, Platform.BINARY_SENSOR, band.address, "inactive")
    await use_blueprint(
        hass,
        "sit_too_long",
        {"inactive": inactive, "pattern": "medium", "count": 3, "phone": f"notify.{PHONE}"},
    )
    band.vibrations.clear()

    await clock.advance(today_at(10, 59) - dt_util.utcnow())
    assert hass.states.get(inactive).state == STATE_OFF
    assert band.vibrations == []
    await clock.advance(timedelta(minutes=1))
    assert hass.states.get(inactive).state == STATE_ON
    await until(lambda: len(band.vibrations) == len(pulses(3)))
    await settle(hass)
    assert band.vibrations == pulses(3)
    assert [call.data["message"] for call in calls] == [
        "Time to move: you have been sitting for a while."
    ]


# -- 4. charge limit --------------------------------------------------------------------------


async def test_wheel_charge_limit_turns_the_plug_off_at_the_limit(
    hass: HomeAssistant, add_device: AddDevice, blueprints: None
) -> None:
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=68))
    assert await async_setup_component(hass, "homeassistant", {})  # homeassistant.turn_off
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"plug": None}})
    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": "input_boolean.plug"}, blocking=True
    )
    await use_blueprint(
        hass,
        "wheel_charge_limit",
        {
            "battery": entity_id_of(hass, Platform.SENSOR, wheel.address, "battery"),
            "charging": entity_id_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging"),
            "limit": 75,  # not the wheel's own option (80): the blueprint's
            "plug": "input_boolean.plug",
        },
    )
    at_off: list[float] = []

    def plug_off() -> bool:
        if hass.states.get("input_boolean.plug").state == STATE_OFF:
            at_off.append(_value(hass, wheel, "battery"))
            return True
        return False

    wheel.do(ChargeProfile(rate=6.0))  # % per minute of the wheel's clock
    await until(plug_off)
    assert 75 <= at_off[0] < 80
    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging") == STATE_ON


# -- 5. parked low ----------------------------------------------------------------------------


async def _use_parked_low(hass: HomeAssistant, wheel: NinebotOne) -> None:
    """The parked-wheel blueprint on this wheel: below 20 % for 30 minutes tells the phone."""
    await use_blueprint(
        hass,
        "wheel_parked_low",
        {
            "battery": entity_id_of(hass, Platform.SENSOR, wheel.address, "battery"),
            "charging": entity_id_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging"),
            "speed": entity_id_of(hass, Platform.SENSOR, wheel.address, "speed"),
            "level": 20,
            "minutes": 30,
            "notify": f"notify.{PHONE}",
        },
    )


async def test_wheel_parked_low_notifies_once_parked_for_the_minutes(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    blueprints: None,
) -> None:
    clock = Clock(hass, frozen_time)
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=16))
    calls = phone(hass)
    await _use_parked_low(hass, wheel)

    # Ridden home, then parked.
    wheel.start_ride(RideProfile(cruise_speed=18.0))
    await until(lambda: _value(hass, wheel, "speed") > 2)
    await clock.advance(timedelta(minutes=40))  # riding for long: nothing
    assert calls == []
    wheel.do(Standing())
    await until(lambda: _value(hass, wheel, "speed") == 0)
    await settle(hass)
    level = int(_value(hass, wheel, "battery"))
    await clock.advance(timedelta(minutes=29))
    assert calls == []
    await clock.advance(timedelta(minutes=1, seconds=5))
    assert [call.data["message"] for call in calls] == [
        f"The wheel is parked with {level} % left. Charge it before the next ride."
    ]
    await clock.advance(timedelta(hours=2))
    assert len(calls) == 1  # once

    # The link drops and comes back: the sensors go unavailable and known again, still parked low.
    speed_id = entity_id_of(hass, Platform.SENSOR, wheel.address, "speed")
    wheel.drop_link()
    await until(lambda: hass.states.get(speed_id).state == STATE_UNAVAILABLE)
    await until(lambda: hass.states.get(speed_id).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN))
    assert _value(hass, wheel, "speed") == 0
    await clock.advance(timedelta(minutes=40))
    assert len(calls) == 1


async def test_wheel_parked_low_notifies_when_the_level_drops_below_while_parked(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    blueprints: None,
) -> None:
    """Standing switched on, the wheel's board drains the pack: the level goes below the line."""
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=21))
    wheel.do(Standing())
    await until(lambda: _value(hass, wheel, "speed") == 0)
    clock = Clock(hass, frozen_time)
    calls = phone(hass)
    await _use_parked_low(hass, wheel)
    await clock.advance(timedelta(minutes=40))  # parked, but at 21 %
    assert calls == []

    wheel.state.battery = 19
    await until(lambda: _value(hass, wheel, "battery") == 19)
    await clock.advance(timedelta(minutes=29))
    assert calls == []
    await clock.advance(timedelta(minutes=1, seconds=5))
    assert [call.data["message"] for call in calls] == [
        "The wheel is parked with 19 % left. Charge it before the next ride."
    ]


# -- 6. charge done ---------------------------------------------------------------------------


async def _charge_done(
    hass: HomeAssistant, add_device: AddDevice, battery: int, inputs: dict[str, Any]
) -> tuple[MiBand, NinebotOne, str]:
    """A band, a wheel at `battery` %, the charge-done blueprint on them; its charging entity."""
    band, _entry = await add_band(hass, add_device)
    wheel, _wheel_entry = await add_wheel_in_state(hass, add_device, WheelState(battery=battery))
    charging = entity_id_of(hass, Platform.BINARY_SENSOR, wheel.address, "charging")
    await use_blueprint(
        hass,
        "wheel_charge_done",
        {
            "charging": charging,
            "battery": entity_id_of(hass, Platform.SENSOR, wheel.address, "battery"),
            "band": device_id(hass, band.address),
            **inputs,
        },
    )
    band.vibrations.clear()
    return band, wheel, charging


@pytest.mark.parametrize("level", [90, 100])
async def test_wheel_charge_done_buzzes_the_wrist_when_the_charger_stops(
    hass: HomeAssistant,
    add_device: AddDevice,
    blueprints: None,
    level: int,
) -> None:
    band, wheel, charging = await _charge_done(
        hass, add_device, 85, {"level": level, "pattern": "medium", "count": 2}
    )

    wheel.do(ChargeProfile(rate=30.0))
    await until(lambda: hass.states.get(charging).state == STATE_ON)
    assert band.vibrations == []
    await until(lambda: hass.states.get(charging).state == STATE_OFF)  # full: the charger stops
    assert wheel.state.battery == 100
    await until(lambda: len(band.vibrations) == len(pulses(2)))
    await settle(hass)
    assert band.vibrations == pulses(2)


async def test_wheel_charge_done_stays_quiet_for_a_charge_cut_short(
    hass: HomeAssistant, add_device: AddDevice, blueprints: None
) -> None:
    band, wheel, charging = await _charge_done(hass, add_device, 50, {"level": 90})

    wheel.do(ChargeProfile(rate=6.0))
    await until(lambda: hass.states.get(charging).state == STATE_ON)
    wheel.do(Standing())  # unplugged at about 50 %
    await until(lambda: hass.states.get(charging).state == STATE_OFF)
    await settle(hass)
    assert _value(hass, wheel, "battery") < 90
    assert band.vibrations == []


# -- 7. left behind ---------------------------------------------------------------------------


@pytest.mark.parametrize("taken_along", [False, True], ids=["left_behind", "taken_along"])
async def test_left_behind_notifies_when_the_wheel_stays_in_range(
    hass: HomeAssistant,
    add_device: AddDevice,
    proxy: VirtualProxy,
    frozen_time: FrozenDateTimeFactory,
    blueprints: None,
    taken_along: bool,
) -> None:
    clock = Clock(hass, frozen_time)
    wheel, _entry = await add_wheel_in_state(hass, add_device, WheelState(battery=60))
    in_range = entity_id_of(hass, Platform.BINARY_SENSOR, wheel.address, "in_range")
    assert hass.states.get(in_range).state == STATE_ON
    hass.states.async_set("device_tracker.alice_phone", "home")
    assert await async_setup_component(
        hass,
        "person",
        {
            "person": [
                {"id": "alice", "name": "Alice", "device_trackers": ["device_tracker.alice_phone"]}
            ]
        },
    )
    await settle(hass)
    assert hass.states.get("person.alice").state == "home"
    calls = phone(hass)
    await use_blueprint(
        hass,
        "left_behind",
        {
            "person": "person.alice",
            "in_range": in_range,
            "minutes": 16,
            "notify": f"notify.{PHONE}",
        },
    )

    hass.states.async_set("device_tracker.alice_phone", "not_home")
    await settle(hass)
    assert hass.states.get("person.alice").state == "not_home"
    await clock.advance(timedelta(minutes=5))
    if taken_along:
        proxy.remove(wheel.address)  # out of home's range with Alice
        await settle(hass)
        await let_bluetooth_forget_unheard_devices(hass, seconds=1000)
        assert hass.states.get(in_range).state == STATE_OFF
    assert calls == []
    await clock.advance(timedelta(minutes=11, seconds=5))
    if taken_along:
        assert calls == []
    else:
        assert [call.data["message"] for call in calls] == [
            "Ninebot One E (0001) is still at home."
        ]
