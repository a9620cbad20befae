"""The night sync cadence: every few minutes between two local times, the regular interval outside.

Through Home Assistant (its real recorder) to the emulated band, the wall clock frozen and moved
with `async_fire_time_changed`: a sync is the band's FF05 `06` (fetch activity data).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.band.cadence import SyncCadence
from custom_components.miband_ninebot.const import DOMAIN
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.link.peripheral import Peripheral

from . import form_defaults, settle, until
from .helpers.band import add_paired_band

AddDevice = Callable[[Peripheral], Peripheral]

FETCH = b"\x06"
NIGHT = {"night_sync": True}  # 5 min between 22:00 and 08:00, the defaults; 15 min otherwise
NIGHT_OPTIONS = ("night_sync", "night_sync_interval", "night_sync_start", "night_sync_end")


def syncs(band: MiBand) -> int:
    return band.control_commands.count(FETCH)


async def band_at(
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
    hour: int,
    options: dict[str, object] = NIGHT,
) -> MiBand:
    """A paired band connecting at `hour` local time, its first sync done."""
    frozen_time.move_to(dt_util.now().replace(hour=hour, minute=0, second=0, microsecond=0))
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_paired_band(hass, band, options)
    await settle(hass)
    assert syncs(band) == 1
    return band


async def later(hass: HomeAssistant, frozen_time: FrozenDateTimeFactory, minutes: float) -> None:
    """The timers due `minutes` after the last sync fired; the wall clock then moved on as much.

    The event loop's clock stays real (`frozen_time`): a timer's delay counts from when it was set.
    """
    moment = dt_util.utcnow() + timedelta(minutes=minutes)
    async_fire_time_changed(hass, moment)
    frozen_time.move_to(moment)
    await settle(hass)


async def test_at_night_the_band_syncs_every_night_interval(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    band = await band_at(hass, add_device, frozen_time, 23)

    await later(hass, frozen_time, 4.5)
    assert syncs(band) == 1
    await later(hass, frozen_time, 5.1)
    assert syncs(band) == 2
    await later(hass, frozen_time, 5.1)
    assert syncs(band) == 3


async def test_by_day_the_regular_interval_holds(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    band = await band_at(hass, add_device, frozen_time, 12)

    await later(hass, frozen_time, 5.1)
    assert syncs(band) == 1  # not the night's five minutes
    await later(hass, frozen_time, 15.1)
    assert syncs(band) == 2  # the regular fifteen


async def test_equal_start_and_end_make_the_night_last_all_day(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    """As the reminders' equal hours do: the same time twice is no gap, not the option off."""
    noon = {**NIGHT, "night_sync_start": "12:00:00", "night_sync_end": "12:00:00"}
    band = await band_at(hass, add_device, frozen_time, 15, noon)

    await later(hass, frozen_time, 5.1)
    assert syncs(band) == 2  # the night's five minutes, by day
    await later(hass, frozen_time, 5.1)
    assert syncs(band) == 3


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (time(23, 0), timedelta(minutes=5)),  # within the night
        (time(3, 0), timedelta(minutes=5)),  # past midnight
        (time(8, 0), timedelta(minutes=15)),  # the night's end: the regular interval
        (time(12, 0), timedelta(minutes=15)),
        (time(21, 50), timedelta(minutes=10)),  # a regular wait cut short at the night's start
    ],
)
def test_the_next_sync_is_due(now: time, expected: timedelta) -> None:
    cadence = SyncCadence(timedelta(minutes=15), timedelta(minutes=5), time(22), time(8))
    moment = datetime(2026, 3, 1, now.hour, now.minute, tzinfo=dt_util.get_default_time_zone())
    assert cadence.delay(moment) == expected


@pytest.mark.parametrize("now", [time(0, 0), time(7, 0), time(7, 59), time(16, 30)])
def test_equal_hours_are_night_at_any_time(now: time) -> None:
    cadence = SyncCadence(timedelta(minutes=15), timedelta(minutes=5), time(8), time(8))
    moment = datetime(2026, 3, 1, now.hour, now.minute, tzinfo=dt_util.get_default_time_zone())
    assert cadence.in_night(now)
    assert cadence.delay(moment) == timedelta(minutes=5)


def test_without_the_option_the_regular_interval_holds() -> None:
    cadence = SyncCadence.from_options({"activity_sync_interval": 30})
    assert cadence.delay(dt_util.now().replace(hour=23)) == timedelta(minutes=30)


async def test_the_options_show_the_night_sync_and_save_it(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    band = await band_at(hass, add_device, frozen_time, 12, {})  # off, the default
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert form_defaults(result, NIGHT_OPTIONS) == {
        "night_sync": False,
        "night_sync_interval": 5,
        "night_sync_start": "22:00:00",
        "night_sync_end": "08:00:00",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "night_sync": True,
            "night_sync_interval": 3.0,
            "night_sync_start": "11:00:00",
            "night_sync_end": "13:30:00",
        },
    )
    await settle(hass)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: entry.options[key] for key in NIGHT_OPTIONS} == {
        "night_sync": True,
        "night_sync_interval": 3,  # stored whole
        "night_sync_start": "11:00:00",
        "night_sync_end": "13:30:00",
    }
    # Reloaded with them (a new link, its sync): noon is in the night, every three minutes.
    await until(lambda: syncs(band) == 2)
    await settle(hass)
    await later(hass, frozen_time, 3.1)
    assert syncs(band) == 3
