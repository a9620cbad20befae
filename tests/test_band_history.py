"""The band's memory in Home Assistant: a day away, hour by hour in the recorder's statistics.

Home Assistant's real recorder (the test plugin's in-memory SQLite), its real statistics and
storage; the emulated band holds a seeded day of minutes and deletes a block only when it is
acknowledged with its own count. Expected hours are computed here from the band's minutes.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.components.recorder import Recorder, statistics as recorder_statistics
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from sqlalchemy.exc import SQLAlchemyError

from custom_components.miband_ninebot.const import CONF_KEEP_ACTIVITY_ON_BAND, DOMAIN
from custom_components.miband_ninebot.miband import activity_transfer as band_transfer
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import CONTROL_POINT
from emulator.devices.band_memory import (
    GADGETBRIDGE_45_BLOCK_MINUTES,
    RecordedMinute,
    generate_minutes,
)
from emulator.link.peripheral import Peripheral

from . import device_id, entity_id_of, settle, until
from .helpers.band import add_paired_band, hourly_statistics, sync_activity

AddDevice = Callable[[Peripheral], Peripheral]
STEPS = "miband_ninebot:c80f103c7e51_steps"
HEART_RATE = "miband_ninebot:c80f103c7e51_heart_rate"
ACTIVITY_STORE = "miband_ninebot.activity.c80f103c7e51"


def _band_with_a_day(
    hours: float = 24, *, offset: timedelta | None = None, seed: int = 5
) -> tuple[MiBand, datetime, list[RecordedMinute]]:
    """A 1S whose clock runs `offset` ahead of UTC (Home Assistant's now), `hours` of memory."""
    band = catalog.mi_band_1s()
    # Blocks as Gadgetbridge #45 shows them, not whole runs: the day goes out in several, each
    # acknowledged on its own, which is what these tests are about.
    band.memory.block_minutes = GADGETBRIDGE_45_BLOCK_MINUTES
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    offset = dt_util.now().utcoffset() if offset is None else offset
    assert offset is not None
    band.set_clock(utc_now + offset)
    count = int(hours * 60)
    start = (utc_now + offset - timedelta(minutes=count + 1)).replace(second=0, microsecond=0)
    minutes = generate_minutes(start, count, seed=seed)
    band.memory.record(start, minutes)
    return band, start - offset, minutes


def _expected_hours(
    utc_start: datetime, minutes: list[RecordedMinute]
) -> tuple[dict[datetime, int], dict[datetime, tuple[float, int, int]]]:
    """Steps per UTC hour, and heart-rate (mean, min, max) per UTC hour, of minutes from start."""
    steps: dict[datetime, int] = defaultdict(int)
    rates: dict[datetime, list[int]] = defaultdict(list)
    for index, minute in enumerate(minutes):
        at = (utc_start + timedelta(minutes=index)).replace(tzinfo=UTC)
        hour = at.replace(minute=0)
        steps[hour] += minute.steps
        if 10 <= minute.heart_rate <= 250:
            rates[hour].append(minute.heart_rate)
    heart = {hour: (sum(r) / len(r), min(r), max(r)) for hour, r in rates.items()}
    return dict(steps), heart


async def _assert_statistics_match(
    hass: HomeAssistant, utc_start: datetime, minutes: list[RecordedMinute]
) -> None:
    expected_steps, expected_heart = _expected_hours(utc_start, minutes)
    steps = await hourly_statistics(hass, STEPS)
    assert {hour: row["state"] for hour, row in steps.items()} == expected_steps
    running = 0.0
    for hour in sorted(steps):
        running += expected_steps[hour]
        assert steps[hour]["sum"] == running
    heart = await hourly_statistics(hass, HEART_RATE)
    assert {
        hour: (row["mean"], row["min"], row["max"]) for hour, row in heart.items()
    } == pytest.approx(expected_heart)


async def test_a_day_away_lands_hour_by_hour(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, utc_start, minutes = _band_with_a_day()
    add_device(band)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)

    await _assert_statistics_match(hass, utc_start, minutes)
    assert len(band.memory.acknowledged) == len(minutes) // GADGETBRIDGE_45_BLOCK_MINUTES + 1
    asleep = minutes[-1].category in (4, 5)  # the newest minute: deep or light sleep
    assert hass.states.get(entity_id_of(hass, "binary_sensor", band.address, "asleep")).state == (
        STATE_ON if asleep else STATE_OFF
    )
    worn = minutes[-1].category not in (3, 6)
    assert hass.states.get(entity_id_of(hass, "binary_sensor", band.address, "worn")).state == (
        STATE_ON if worn else STATE_OFF
    )
    synced = hass.states.get(entity_id_of(hass, "sensor", band.address, "last_activity_sync"))
    assert dt_util.parse_datetime(synced.state) is not None


async def test_the_action_reports_new_minutes_and_never_counts_one_twice(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, utc_start, minutes = _band_with_a_day(3)
    add_device(band)
    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)

    # The band recorded another 30 minutes, the next ones.
    more_start = band.memory.acknowledged[-1][0] + timedelta(
        minutes=band.memory.acknowledged[-1][1]
    )
    more = generate_minutes(more_start, 30, seed=9)
    band.memory.record(more_start, more)
    response = await sync_activity(hass, band)

    first = utc_start + timedelta(minutes=len(minutes))
    assert response == {
        "minutes": 30,
        "first": first.replace(tzinfo=UTC).isoformat(),
        "last": (first + timedelta(minutes=29)).replace(tzinfo=UTC).isoformat(),
    }
    assert await sync_activity(hass, band) == {"minutes": 0, "first": None, "last": None}
    await _assert_statistics_match(hass, utc_start, minutes + more)


async def test_kept_on_the_band_each_minute_counts_once(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, utc_start, minutes = _band_with_a_day(5)
    add_device(band)
    await add_paired_band(hass, band, {CONF_KEEP_ACTIVITY_ON_BAND: True})
    await until(lambda: len(band.memory.kept) == len(minutes) // GADGETBRIDGE_45_BLOCK_MINUTES + 1)

    assert await sync_activity(hass, band) == {"minutes": 0, "first": None, "last": None}
    assert band.memory.minute_count == len(minutes)  # all still on the band
    assert not band.memory.acknowledged
    await _assert_statistics_match(hass, utc_start, minutes)


@pytest.mark.parametrize("fault", ["cut", "garbage", "overlong", "short"])
async def test_a_broken_transfer_loses_no_minute_and_doubles_none(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    monkeypatch.setattr(band_transfer, "ACTIVITY_TIMEOUT", 0.5)
    band, utc_start, minutes = _band_with_a_day(8)
    band.faults.activity = fault  # the first block of the first sync
    add_device(band)

    await add_paired_band(hass, band)
    await until(lambda: band.faults.activity is None)
    await settle(hass)
    if fault != "cut":  # (a drop reconnects, and the new link syncs at once)
        assert not band.memory.acknowledged  # the spoilt block, so nothing, was acknowledged
    await sync_activity(hass, band)  # a drop reconnects and syncs by itself; the rest, when asked

    assert band.memory.minute_count == 0
    await _assert_statistics_match(hass, utc_start, minutes)


async def test_stored_but_unacknowledged_blocks_are_not_counted_again(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, utc_start, minutes = _band_with_a_day(10)
    add_device(band)
    entry = await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await _assert_statistics_match(hass, utc_start, minutes)

    # More minutes; the link drops as the second block's acknowledgement goes out: Home
    # Assistant has stored the block, the band still has it and sends it again.
    more_start = utc_start + timedelta(minutes=len(minutes)) + dt_util.now().utcoffset()
    more = generate_minutes(more_start, 400, seed=11)
    band.memory.record(more_start, more)
    acknowledged = len(band.memory.acknowledged)

    def drop_at_the_next_acknowledgement() -> None:
        if len(band.memory.acknowledged) == acknowledged + 1:
            band.faults.drop_at = ("write", CONTROL_POINT)

    band.memory.on_acknowledged = drop_at_the_next_acknowledgement
    sync = hass.async_create_task(sync_activity(hass, band))
    await sync
    band.memory.on_acknowledged = None
    assert band.faults.drop_at is None  # it fired
    assert band.memory.minute_count == 0
    await _assert_statistics_match(hass, utc_start, minutes + more)

    # Home Assistant stops in the middle of a sync, and starts again.
    again_start = more_start + timedelta(minutes=len(more))
    again = generate_minutes(again_start, 600, seed=12)
    band.memory.record(again_start, again)
    acknowledged = len(band.memory.acknowledged)
    unloads: list[asyncio.Task[bool]] = []

    def stop_after_two_acknowledgements() -> None:
        if len(band.memory.acknowledged) == acknowledged + 2:
            unloads.append(hass.async_create_task(hass.config_entries.async_unload(entry.entry_id)))

    band.memory.on_acknowledged = stop_after_two_acknowledgements
    sync = hass.async_create_task(sync_activity(hass, band))
    with pytest.raises(HomeAssistantError):
        await sync
    band.memory.on_acknowledged = None
    assert len(unloads) == 1
    assert await unloads[0]
    assert band.memory.minute_count > 0
    assert await hass.config_entries.async_setup(entry.entry_id)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    await _assert_statistics_match(hass, utc_start, minutes + more + again)


async def test_time_zone_and_daylight_saving(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    await hass.config.async_update(time_zone="Europe/Berlin")
    # The band's clock was last set in summer time (+2) and knows nothing of the change since:
    # its minutes carry +2, though Home Assistant's zone says +1 now (December).
    band, utc_start, minutes = _band_with_a_day(6, offset=timedelta(hours=2))
    add_device(band)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)

    await _assert_statistics_match(hass, utc_start, minutes)
    # Then the clock is set to Home Assistant's time: +1 from now on.
    band_now = band.now()
    assert band_now is not None
    assert abs(band_now - datetime.now(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)) < (
        timedelta(seconds=5)
    )


async def test_a_drop_in_the_sync_before_a_clock_change_keeps_the_old_clock_for_the_retry(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The link drops halfway through the sync that must precede the clock change: the clock is
    not set on that connection, so the next one still reads the old offset and syncs first."""
    await hass.config.async_update(time_zone="Europe/Berlin")
    band, utc_start, minutes = _band_with_a_day(6, offset=timedelta(hours=2))
    band.faults.activity = "cut"  # the first block breaks off mid-way, the link with it
    add_device(band)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)

    await _assert_statistics_match(hass, utc_start, minutes)  # every minute at +2, where it was


async def test_a_garbled_sync_before_a_clock_change_is_logged_and_the_band_set_up(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What cannot be the band's memory ends that sync; the connection goes on and sets the clock
    (the minutes are then read with the new offset: the warning says so)."""
    await hass.config.async_update(time_zone="Europe/Berlin")
    band, _utc_start, minutes = _band_with_a_day(3, offset=timedelta(hours=2))
    band.faults.activity = "garbage"
    add_device(band)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)

    assert "activity not synced before the clock change" in caplog.text
    band_now = band.now()
    assert band_now is not None
    assert abs(band_now - datetime.now(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)) < (
        timedelta(seconds=5)
    )
    steps = await hourly_statistics(hass, STEPS)
    assert sum(row["state"] for row in steps.values()) == sum(m.steps for m in minutes)


async def test_half_hour_time_zone_minutes_land_in_utc_hours(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    await hass.config.async_update(time_zone="Asia/Kolkata")
    band, utc_start, minutes = _band_with_a_day(4, offset=timedelta(hours=5, minutes=30))
    add_device(band)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)

    await _assert_statistics_match(hass, utc_start, minutes)


async def test_without_the_recorder_the_memory_stays_on_the_band(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _utc_start, minutes = _band_with_a_day(2)
    add_device(band)
    await add_paired_band(hass, band)

    with pytest.raises(HomeAssistantError, match="recorder"):
        await sync_activity(hass, band)
    assert band.memory.minute_count == len(minutes)
    assert not band.memory.acknowledged


async def test_a_heart_rate_measurement_waits_for_one_block_at_most(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, utc_start, minutes = _band_with_a_day()  # 11 blocks
    add_device(band)
    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    more_start = utc_start + timedelta(minutes=len(minutes)) + dt_util.now().utcoffset()
    more = generate_minutes(more_start, 24 * 60, seed=13)
    band.memory.record(more_start, more)

    sync = hass.async_create_task(sync_activity(hass, band))
    acknowledged = len(band.memory.acknowledged)
    await until(lambda: len(band.memory.acknowledged) > acknowledged)
    # Counted from the request on: the poll above may see the sync several blocks in.
    acknowledged = len(band.memory.acknowledged)
    measured = await hass.services.async_call(
        DOMAIN,
        "measure_heart_rate",
        {"device_id": device_id(hass, band.address)},
        blocking=True,
        return_response=True,
    )
    during = len(band.memory.acknowledged) - acknowledged

    assert measured == {"heart_rate": 72}
    assert during <= 2  # the block in progress, and at most one more before the measurement
    await sync
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    await _assert_statistics_match(hass, utc_start, minutes + more)


async def test_without_its_storage_the_import_starts_after_the_recorder_s_newest_hour(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    hass_storage: dict[str, Any],
) -> None:
    """The entry's record of the import is gone (storage lost, say): the statistics say where."""
    band, utc_start, minutes = _band_with_a_day(5)
    add_device(band)
    entry = await add_paired_band(hass, band, {CONF_KEEP_ACTIVITY_ON_BAND: True})
    await until(lambda: len(band.memory.kept) == len(minutes) // GADGETBRIDGE_45_BLOCK_MINUTES + 1)
    await _assert_statistics_match(hass, utc_start, minutes)
    assert await hass.config_entries.async_unload(entry.entry_id)
    key = f"{DOMAIN}.activity.{band.address.replace(':', '').lower()}"
    assert hass_storage.pop(key, None) is not None

    assert await hass.config_entries.async_setup(entry.entry_id)
    # The band sends the same minutes again (kept on it): none is counted a second time.
    assert await sync_activity(hass, band) == {"minutes": 0, "first": None, "last": None}
    await _assert_statistics_match(hass, utc_start, minutes)


async def test_a_statistic_the_recorder_failed_keeps_the_block_on_the_band_and_the_mark_unmoved(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
    hass_storage: dict[str, Any],
) -> None:
    """The recorder imports each statistic as a task of its own: the heart rate's fails there
    (a database error, logged in its thread) while the steps are stored."""
    band, utc_start, minutes = _band_with_a_day(4)
    refused = {HEART_RATE}
    import_statistics = recorder_statistics.import_statistics

    def refuse(instance: Recorder, metadata: Any, statistics: Any, table: Any) -> bool:
        if metadata["statistic_id"] in refused:
            raise SQLAlchemyError("disk I/O error")
        return import_statistics(instance, metadata, statistics, table)

    monkeypatch.setattr(recorder_statistics, "import_statistics", refuse)
    add_device(band)
    await add_paired_band(hass, band)

    with pytest.raises(HomeAssistantError) as raised:
        await sync_activity(hass, band)  # after the sync of the connection, which failed too

    assert raised.value.translation_key == "activity_sync_failed"
    assert HEART_RATE in str(raised.value.translation_placeholders)
    assert band.memory.minute_count == len(minutes)  # nothing acknowledged
    assert not band.memory.acknowledged
    assert ACTIVITY_STORE not in hass_storage  # the mark, the tally, the sleep: as they were
    asleep = entity_id_of(hass, "binary_sensor", band.address, "asleep")
    assert hass.states.get(asleep).state == STATE_UNKNOWN

    # The recorder well again: the next sync brings every minute, none skipped by a moved mark.
    refused.clear()
    await sync_activity(hass, band)
    assert band.memory.minute_count == 0
    await _assert_statistics_match(hass, utc_start, minutes)
