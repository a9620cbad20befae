"""A band's reminders on the wrist: `inactive` and, on a 1S, `no_heart_rate`.

Through Home Assistant's Bluetooth stack to the emulated band (tests/test_band.py): the band
notifies its step count as it walks and a heart-rate reading about every 5 s while measuring
continuously (none when it reads 0). The wall clock stands still (`frozen_time`) and is moved
past the moment each reminder would turn on: its timer fires then (no polling).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import get_scheduled_timer_handles

from custom_components.miband_ninebot.const import DOMAIN
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_memory import RecordedMinute
from emulator.link.peripheral import Peripheral

from . import entity_id_of, form_defaults, run_wall_timer, settle, state_of, until
from .helpers.band import add_band, add_paired_band, record_ending_now

AddDevice = Callable[[Peripheral], Peripheral]
NOT_WORN = 3
EVENT_HELPERS = "homeassistant.helpers.event"
REMINDER_OPTIONS = (
    "inactive_steps",
    "inactive_window",
    "inactive_from",
    "inactive_to",
    "no_heart_rate_after",
)


def inactive(hass: HomeAssistant, band: MiBand) -> str:
    return state_of(hass, Platform.BINARY_SENSOR, band.address, "inactive")


def no_heart_rate(hass: HomeAssistant, band: MiBand) -> str:
    return state_of(hass, Platform.BINARY_SENSOR, band.address, "no_heart_rate")


def today_at(hour: int, minute: int = 0) -> datetime:
    """Local time today (the frozen clock's day)."""
    return dt_util.start_of_local_day() + timedelta(hours=hour, minutes=minute)


async def move_to(
    hass: HomeAssistant, frozen_time: FrozenDateTimeFactory, moment: datetime
) -> None:
    """Move the wall clock on to `moment`, running the timers due by then as it passes them.

    Only the wall clock is frozen (the event loop's runs on, for the emulated band), so the
    timers set for a moment of the wall clock (`async_track_point_in_time`, the day's midnight)
    are run here in their order, each with the clock at its moment: what they set next is due
    from there. The loop's own timers (the link's) are left to the loop.
    """
    while (timer := next_wall_timer(hass, moment)) is not None:
        handle, at = timer
        frozen_time.move_to(at)
        run_wall_timer(handle, at)
        await settle(hass)
    frozen_time.move_to(moment)
    await settle(hass)


def next_wall_timer(
    hass: HomeAssistant, moment: datetime
) -> tuple[asyncio.TimerHandle, datetime] | None:
    """The first timer set for a moment of the wall clock at or before `moment`, and when."""
    due = [
        (at, handle)
        for handle in get_scheduled_timer_handles(hass.loop)
        if isinstance(handle, asyncio.TimerHandle)
        and not handle.cancelled()
        and (at := getattr(handle._callback, "expected_fire_timestamp", None)) is not None
        and at <= moment.timestamp()
    ]
    if not due:
        return None
    at, handle = min(due, key=lambda timer: timer[0])
    return handle, datetime.fromtimestamp(at, UTC)


async def paired_1s_at(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    moment: datetime,
    options: dict[str, Any] | None = None,
    *,
    heart_rate: int = 72,
    memory: list[RecordedMinute] | None = None,
) -> MiBand:
    """A paired 1S reading `heart_rate`, its memory ending with `memory`, set up at `moment`."""
    frozen_time.move_to(moment)
    band = catalog.mi_band_1s()
    band.activity.heart_rate = heart_rate
    if memory:
        record_ending_now(band, memory)
    add_device(band)
    await add_paired_band(hass, band, options)
    return band


async def set_continuous(hass: HomeAssistant, band: MiBand, service: str) -> None:
    switch = entity_id_of(hass, Platform.SWITCH, band.address, "continuous_heart_rate")
    await hass.services.async_call(
        Platform.SWITCH, service, {ATTR_ENTITY_ID: switch}, blocking=True
    )


# -- inactive -------------------------------------------------------------------------------------


async def test_inactive_after_an_idle_hour_within_the_hours_off_once_steps_come(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    frozen_time.move_to(today_at(10))
    band, _entry = await add_band(hass, add_device)  # its count, 1234, at 10:00
    assert inactive(hass, band) == STATE_OFF

    await move_to(hass, frozen_time, today_at(10, 59))
    assert inactive(hass, band) == STATE_OFF
    await move_to(hass, frozen_time, today_at(11))
    assert inactive(hass, band) == STATE_ON

    band.walk(150)
    await until(lambda: inactive(hass, band) == STATE_OFF)
    # Another idle hour from those steps on.
    await move_to(hass, frozen_time, today_at(12))
    assert inactive(hass, band) == STATE_ON


async def test_a_few_steps_do_not_count_as_activity(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    options = {"inactive_steps": 50, "inactive_window": 30}
    band = await paired_1s_at(hass, add_device, frozen_time, today_at(10), options)

    await move_to(hass, frozen_time, today_at(10, 10))
    band.walk(40)  # under 50
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "1274")
    await move_to(hass, frozen_time, today_at(10, 30))
    assert inactive(hass, band) == STATE_ON  # 40 steps in the last 30 minutes


async def test_inactive_stays_off_outside_the_hours_and_turns_on_when_they_start(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    frozen_time.move_to(today_at(20, 30))
    band, _entry = await add_band(hass, add_device)

    await move_to(hass, frozen_time, today_at(21))
    assert inactive(hass, band) == STATE_OFF
    await move_to(hass, frozen_time, today_at(21, 30))  # an idle hour, but at night
    assert inactive(hass, band) == STATE_OFF
    await move_to(hass, frozen_time, today_at(24))  # the day's count starts again at 0
    assert inactive(hass, band) == STATE_OFF
    await move_to(hass, frozen_time, today_at(33))  # 09:00 the next day, still idle
    assert inactive(hass, band) == STATE_ON


async def test_an_idle_hour_across_the_clocks_going_back_is_an_hour(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    """Berlin, 2026-10-25: the count comes at 02:30 summer time, and an hour later it is 02:30
    again, winter time. The window is an hour of real time, not of the wall clock."""
    await hass.config.async_update(time_zone="Europe/Berlin")
    all_day = {"inactive_from": "00:00:00", "inactive_to": "00:00:00"}
    band = await paired_1s_at(
        hass, add_device, frozen_time, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), all_day
    )
    assert dt_util.now().strftime("%H:%M %Z") == "02:30 CEST"

    await move_to(hass, frozen_time, datetime(2026, 10, 25, 1, 29, tzinfo=UTC))
    assert inactive(hass, band) == STATE_OFF
    await move_to(hass, frozen_time, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert dt_util.now().strftime("%H:%M %Z") == "02:30 CET"
    assert inactive(hass, band) == STATE_ON


async def test_inactive_stays_off_while_the_band_is_not_worn(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    not_worn = [RecordedMinute(NOT_WORN, 0, 0, 0)] * 30
    # Synced at once: the newest minute is not worn.
    band = await paired_1s_at(hass, add_device, frozen_time, today_at(10), memory=not_worn)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "worn") == STATE_OFF

    await move_to(hass, frozen_time, today_at(11))
    assert inactive(hass, band) == STATE_OFF


# -- no heart rate --------------------------------------------------------------------------------


async def test_no_heart_rate_after_minutes_without_a_reading_off_when_one_comes(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    frozen_time.move_to(today_at(10))
    band, _entry = await add_band(hass, add_device)
    band.activity.heart_rate = 0  # the sensor reads nothing (a loose band)
    assert no_heart_rate(hass, band) == STATE_OFF

    await set_continuous(hass, band, "turn_on")
    await move_to(hass, frozen_time, today_at(10, 9))
    assert no_heart_rate(hass, band) == STATE_OFF
    await move_to(hass, frozen_time, today_at(10, 10))  # the default: 10 minutes
    assert no_heart_rate(hass, band) == STATE_ON

    band.activity.heart_rate = 70
    await until(lambda: no_heart_rate(hass, band) == STATE_OFF)
    band.activity.heart_rate = 0
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "70")
    await move_to(hass, frozen_time, today_at(10, 20))
    assert no_heart_rate(hass, band) == STATE_ON


async def test_no_heart_rate_is_off_while_not_measuring_continuously(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    options = {"no_heart_rate_after": 5}
    band = await paired_1s_at(hass, add_device, frozen_time, today_at(10), options, heart_rate=0)

    await move_to(hass, frozen_time, today_at(11))  # not measuring: nothing is missing
    assert no_heart_rate(hass, band) == STATE_OFF
    await set_continuous(hass, band, "turn_on")
    await move_to(hass, frozen_time, today_at(11, 5))
    assert no_heart_rate(hass, band) == STATE_ON
    await set_continuous(hass, band, "turn_off")
    assert no_heart_rate(hass, band) == STATE_OFF


async def test_a_band_without_a_heart_rate_sensor_has_no_such_reminder(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device, catalog.mi_band_1a())
    registry = er.async_get(hass)
    unique_id = f"{band.address}_no_heart_rate"
    assert registry.async_get_entity_id(Platform.BINARY_SENSOR, DOMAIN, unique_id) is None
    assert inactive(hass, band) == STATE_OFF


# -- options --------------------------------------------------------------------------------------


async def test_options_set_the_reminders_and_default_them(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, entry = await add_band(hass, add_device)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert form_defaults(result, REMINDER_OPTIONS) == {
        "inactive_steps": 100,
        "inactive_window": 60,
        "inactive_from": "09:00:00",
        "inactive_to": "21:00:00",
        "no_heart_rate_after": 10,
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "inactive_steps": 250.0,
            "inactive_window": 45.0,
            "inactive_from": "08:30:00",
            "inactive_to": "18:00:00",
            "no_heart_rate_after": 3.0,
        },
    )
    await settle(hass)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: entry.options[key] for key in REMINDER_OPTIONS} == {
        "inactive_steps": 250,
        "inactive_window": 45,
        "inactive_from": "08:30:00",
        "inactive_to": "18:00:00",
        "no_heart_rate_after": 3,
    }
    assert inactive(hass, band) == STATE_OFF  # reloaded with them
