"""A band's nights in Home Assistant: `last_sleep`, the `sleep` event, deep and light statistics.

The real Bluetooth stack, recorder and storage, with the emulated 1S holding a night written out
here minute by minute; what each test expects is counted by hand from those runs of minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.util import dt as dt_util
import pytest

from custom_components.miband_ninebot.miband import activity_transfer as band_transfer
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import CONTROL_POINT
from emulator.devices.band_memory import GADGETBRIDGE_45_BLOCK_MINUTES, RecordedMinute
from emulator.link.peripheral import Peripheral

from . import entity_id_of, settle, until
from .helpers.band import add_paired_band, hourly_statistics, sync_activity

AddDevice = Callable[[Peripheral], Peripheral]
SLEEP_DEEP = "miband_ninebot:c80f103c7e51_sleep_deep"
SLEEP_LIGHT = "miband_ninebot:c80f103c7e51_sleep_light"
STILL, WALKING, NOT_WORN, DEEP, LIGHT = 0, 1, 3, 4, 5

# Up for 30 minutes; light 20, deep 60, up 5 (one awakening), light 40, deep 30, light 15; then
# up for 125 minutes: the session ends at the 121st. 325 minutes, three blocks of Gadgetbridge #45's
# 142.
NIGHT = (
    (STILL, 30),
    (LIGHT, 20),
    (DEEP, 60),
    (WALKING, 5),
    (LIGHT, 40),
    (DEEP, 30),
    (LIGHT, 15),
    (STILL, 125),
)
ASLEEP_AFTER = 30  # minutes from the first
SESSION_LENGTH = 20 + 60 + 5 + 40 + 30 + 15
EXPECTED = {"deep": 90, "light": 75, "awake": 5, "awakenings": 1}


def _minutes(*runs: tuple[int, int]) -> list[RecordedMinute]:
    return [
        RecordedMinute(category, 0, 0 if category != WALKING else 90, 60)
        for category, count in runs
        for _ in range(count)
    ]


def _band_with(minutes: list[RecordedMinute]) -> tuple[MiBand, datetime]:
    """A 1S on Home Assistant's time whose memory ends with these minutes; their UTC start."""
    band = catalog.mi_band_1s()
    band.memory.block_minutes = GADGETBRIDGE_45_BLOCK_MINUTES  # a night in several blocks
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    offset = dt_util.now().utcoffset()
    assert offset is not None
    band.set_clock(utc_now + offset)
    start = (utc_now + offset - timedelta(minutes=len(minutes) + 1)).replace(
        second=0, microsecond=0
    )
    band.memory.record(start, minutes)
    return band, (start - offset).replace(tzinfo=UTC)


def _listen(hass: HomeAssistant) -> list[tuple[str, dict[str, Any]]]:
    """Every event an event entity fires from now on (the band's only one is `sleep`).

    An entity set up again restores its last event, with its time: that is not a new one.
    """
    fired: list[tuple[str, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()

    @callback
    def _on_change(event: Event[EventStateChangedData]) -> None:
        state = event.data["new_state"]
        if state is None or state.domain != "event" or not state.attributes.get("event_type"):
            return
        attributes = dict(state.attributes)
        event_type = attributes.pop("event_type")
        if (state.state, event_type) not in seen:
            seen.add((state.state, event_type))
            fired.append((event_type, attributes))

    hass.bus.async_listen(EVENT_STATE_CHANGED, _on_change)
    return fired


def _session(start: datetime) -> dict[str, Any]:
    asleep_at = start + timedelta(minutes=ASLEEP_AFTER)
    return {
        "start": asleep_at.isoformat(),
        "end": (asleep_at + timedelta(minutes=SESSION_LENGTH)).isoformat(),
        **EXPECTED,
    }


def _assert_fired_once_each(fired: list[tuple[str, dict[str, Any]]], start: datetime) -> None:
    session = _session(start)
    assert [event_type for event_type, _data in fired] == ["fell_asleep", "woke_up"]
    assert fired[0][1]["start"] == session["start"]
    assert {key: fired[1][1][key] for key in session} == session
    assert fired[1][1]["asleep"] == 165


def _assert_last_sleep(hass: HomeAssistant, band: MiBand, start: datetime) -> None:
    state = hass.states.get(entity_id_of(hass, "sensor", band.address, "last_sleep"))
    assert state.state == "165"  # 90 deep and 75 light minutes
    assert state.attributes["unit_of_measurement"] == "min"
    assert {key: state.attributes[key] for key in _session(start)} == _session(start)


async def _assert_statistics(
    hass: HomeAssistant,
    start: datetime,
    runs: tuple[tuple[int, int], ...] = NIGHT,
    totals: dict[str, int] = EXPECTED,
) -> None:
    """Deep and light minutes per UTC hour, as the runs from `start` (UTC) put them."""
    expected: dict[str, dict[datetime, int]] = {"deep": defaultdict(int), "light": defaultdict(int)}
    index = 0
    for category, count in runs:
        for _ in range(count):
            hour = (start + timedelta(minutes=index)).replace(minute=0)
            if category in (DEEP, LIGHT):
                expected["deep" if category == DEEP else "light"][hour] += 1
            index += 1
    for key, statistic in (("deep", SLEEP_DEEP), ("light", SLEEP_LIGHT)):
        rows = await hourly_statistics(hass, statistic)
        assert {hour: row["state"] for hour, row in rows.items() if row["state"]} == expected[key]
        assert max(row["sum"] for row in rows.values()) == totals[key]
        assert rows[max(rows)]["sum"] == totals[key]


def _event_id(hass: HomeAssistant, band: MiBand) -> str:
    return entity_id_of(hass, "event", band.address, "sleep")


async def test_a_night_shows_as_last_sleep_and_fires_each_event_once(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, start = _band_with(_minutes(*NIGHT))
    add_device(band)
    fired = _listen(hass)

    entry = await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    _assert_fired_once_each(fired, start)
    _assert_last_sleep(hass, band, start)
    await _assert_statistics(hass, start)

    # Nothing new: a sync fires nothing, and a restart keeps the night.
    fired.clear()
    await sync_activity(hass, band)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await sync_activity(hass, band)
    assert fired == []
    _assert_last_sleep(hass, band, start)


async def test_the_night_synced_as_it_goes_fires_each_event_once(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    """Asleep by the first sync, awake by the second: the events come with the sync that tells."""
    minutes = _minutes(*NIGHT)
    band, start = _band_with(minutes[:60])  # 30 minutes up, 20 light, 10 deep
    add_device(band)
    fired = _listen(hass)
    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    assert [event_type for event_type, _data in fired] == ["fell_asleep"]
    assert fired[0][1]["start"] == _session(start)["start"]
    assert hass.states.get(_event_id(hass, band)).attributes["event_type"] == "fell_asleep"
    assert hass.states.get(entity_id_of(hass, "sensor", band.address, "last_sleep")).state == (
        "unknown"
    )

    later = band.memory.acknowledged[-1][0] + timedelta(minutes=band.memory.acknowledged[-1][1])
    band.memory.record(later, minutes[60:])
    await sync_activity(hass, band)
    assert [event_type for event_type, _data in fired] == ["fell_asleep", "woke_up"]
    _assert_last_sleep(hass, band, start)
    await _assert_statistics(hass, start)


@pytest.mark.parametrize("fault", ["cut", "acknowledgement"])
async def test_a_night_synced_in_pieces_by_a_drop_fires_nothing_twice(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    """The link drops in the middle of a block, or after a stored block's acknowledgement went
    out unheard (the band sends that block again): the same night, each event once."""
    monkeypatch.setattr(band_transfer, "ACTIVITY_TIMEOUT", 0.5)
    band, start = _band_with(_minutes(*NIGHT))
    add_device(band)
    armed: list[bool] = []
    if fault == "cut":
        band.faults.activity = "cut"  # the first block of the first sync
        armed.append(True)
    else:

        def drop_at_the_second_acknowledgement() -> None:
            if len(band.memory.acknowledged) == 1 and not armed:
                armed.append(True)
                band.faults.drop_at = ("write", CONTROL_POINT)

        band.memory.on_acknowledged = drop_at_the_second_acknowledgement
    fired = _listen(hass)

    await add_paired_band(hass, band)
    await until(
        lambda: bool(armed) and band.faults.activity is None and band.faults.drop_at is None
    )
    await settle(hass)
    band.memory.on_acknowledged = None
    if band.memory.minute_count:  # a drop reconnects and syncs by itself; the rest, when asked
        await sync_activity(hass, band)
    assert band.memory.minute_count == 0
    _assert_fired_once_each(fired, start)
    _assert_last_sleep(hass, band, start)
    await _assert_statistics(hass, start)


async def test_a_band_holding_three_nights_fires_only_the_newest_s_events(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    """Its first sync brings three nights; the two that ended a day and more ago fire nothing
    (a session over for more than 6 hours is history), the newest, over for two hours, fires."""
    minutes = _minutes(*NIGHT)
    band, start = _band_with(minutes)
    last_night = band.memory.runs.pop()
    for days_ago in (2, 1):
        band.memory.record(last_night.start - timedelta(days=days_ago), minutes)
    band.memory.record(last_night.start, last_night.minutes)
    add_device(band)
    fired = _listen(hass)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)

    _assert_fired_once_each(fired, start)  # the newest night's, and nothing else
    _assert_last_sleep(hass, band, start)
    for statistic, key in ((SLEEP_DEEP, "deep"), (SLEEP_LIGHT, "light")):
        rows = await hourly_statistics(hass, statistic)
        assert max(row["sum"] for row in rows.values()) == 3 * EXPECTED[key]  # every night counts


async def test_a_night_long_over_shows_as_last_sleep_without_events(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    """Synced first in the afternoon, eight hours after waking: no event, but it is last_sleep
    (as on a development instance onboarded after lunch)."""
    band, start = _band_with(_minutes(*NIGHT, (STILL, 8 * 60)))
    add_device(band)
    fired = _listen(hass)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)

    assert fired == []
    _assert_last_sleep(hass, band, start)


# -- other nights -------------------------------------------------------------------------------


def _sleep(
    start: datetime, after: int, deep: int, light: int, awake: int = 0, awakenings: int = 0
) -> dict[str, Any]:
    """A session's figures: from `after` minutes past `start` (UTC), as long as its minutes."""
    begins = start + timedelta(minutes=after)
    return {
        "start": begins.isoformat(),
        "end": (begins + timedelta(minutes=deep + light + awake)).isoformat(),
        "deep": deep,
        "light": light,
        "awake": awake,
        "awakenings": awakenings,
    }


async def _sync_night(
    hass: HomeAssistant, add_device: AddDevice, runs: tuple[tuple[int, int], ...]
) -> tuple[MiBand, datetime, list[tuple[str, dict[str, Any]]]]:
    """A 1S holding these runs up to now, added and synced: the band, their UTC start, events."""
    band, start = _band_with(_minutes(*runs))
    add_device(band)
    fired = _listen(hass)
    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    return band, start, fired


def _assert_sessions(
    hass: HomeAssistant,
    band: MiBand,
    fired: list[tuple[str, dict[str, Any]]],
    sessions: list[dict[str, Any]],
) -> None:
    """Each session fired asleep then awake, in order; the last is `last_sleep`."""
    assert [event_type for event_type, _data in fired] == ["fell_asleep", "woke_up"] * len(sessions)
    for index, session in enumerate(sessions):
        assert fired[2 * index][1]["start"] == session["start"]
        woke_up = fired[2 * index + 1][1]
        assert {key: woke_up[key] for key in session} == session
    state = hass.states.get(entity_id_of(hass, "sensor", band.address, "last_sleep"))
    assert state.state == str(sessions[-1]["deep"] + sessions[-1]["light"])
    assert {key: state.attributes[key] for key in sessions[-1]} == sessions[-1]


@pytest.mark.parametrize(
    ("between", "second_at"),
    [
        ((STILL, 130), 260),  # up for more than 2 hours: the first session is over
        ((NOT_WORN, 20), 150),  # off the wrist: over at once, not 20 minutes awake
    ],
    ids=["up_for_hours", "band_taken_off"],
)
async def test_a_night_broken_in_two_is_two_sessions(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    between: tuple[int, int],
    second_at: int,
) -> None:
    """Up for more than 2 hours in the night, or the band taken off for a while: two sessions,
    each with its events, the second the last sleep."""
    runs = ((STILL, 10), (LIGHT, 60), (DEEP, 60), between, (LIGHT, 30), (DEEP, 40), (STILL, 125))
    band, start, fired = await _sync_night(hass, add_device, runs)

    first, second = _sleep(start, 10, deep=60, light=60), _sleep(start, second_at, 40, 30)
    _assert_sessions(hass, band, fired, [first, second])
    await _assert_statistics(hass, start, runs, {"deep": 100, "light": 90})


async def test_an_afternoon_nap_is_a_session_a_doze_is_not(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    """A nap after lunch counts as a night does; five minutes nodding off over a book do not."""
    frozen_time.move_to(dt_util.now().replace(hour=18, minute=0, second=0, microsecond=0))
    runs = (
        (WALKING, 30),
        (LIGHT, 5),  # a doze: five minutes of sleep are no session
        (WALKING, 125),
        (STILL, 20),
        (LIGHT, 15),
        (DEEP, 10),
        (STILL, 3),  # one awakening
        (LIGHT, 12),
        (STILL, 125),
    )
    band, start, fired = await _sync_night(hass, add_device, runs)

    assert 14 <= dt_util.as_local(start + timedelta(minutes=180)).hour < 16  # after lunch
    _assert_sessions(
        hass, band, fired, [_sleep(start, 180, deep=10, light=27, awake=3, awakenings=1)]
    )
    await _assert_statistics(hass, start, runs, {"deep": 10, "light": 32})


# The night of 2026-10-24/25 in Berlin: at 03:00 summer time (01:00 UTC) the clocks go back to
# 02:00. Asleep from 23:30 summer time (21:30 UTC) to 06:30 winter time (05:30 UTC): 8 hours.
DST_NIGHT = (
    (STILL, 30),  # from 23:00 summer time, 21:00 UTC
    (LIGHT, 60),
    (DEEP, 120),
    (LIGHT, 120),  # 01:30 to 03:30 by the band's clock, across the change
    (DEEP, 60),
    (LIGHT, 120),
    (STILL, 125),
)


async def test_a_night_across_the_clocks_going_back_is_the_minutes_slept(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    add_device: AddDevice,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    """The band's clock, set the evening before, keeps summer time all night; Home Assistant
    syncs it the next morning. The session is 8 hours, the hours of the statistics are UTC's:
    none lost, none doubled, though the local hour from 02:00 to 03:00 happened twice."""
    await hass.config.async_update(time_zone="Europe/Berlin")
    frozen_time.move_to(datetime(2026, 10, 25, 8, 30, tzinfo=UTC))  # 09:30 winter time
    band = catalog.mi_band_1s()
    band.set_clock(datetime(2026, 10, 25, 10, 30))  # summer time still: +2
    band.memory.record(datetime(2026, 10, 24, 23, 0), _minutes(*DST_NIGHT))
    start = datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    add_device(band)
    fired = _listen(hass)

    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)

    night = _sleep(start, 30, deep=180, light=300)
    assert night["start"] == "2026-10-24T21:30:00+00:00"
    assert night["end"] == "2026-10-25T05:30:00+00:00"
    _assert_sessions(hass, band, fired, [night])
    await _assert_statistics(hass, start, DST_NIGHT, {"deep": 180, "light": 300})
    rows = await hourly_statistics(hass, SLEEP_LIGHT)
    asleep = await hourly_statistics(hass, SLEEP_DEEP)
    # 21:00 UTC to 05:00 UTC: nine hours with sleep, 30 + 7 x 60 + 30 minutes.
    by_hour = {hour: rows[hour]["state"] + asleep[hour]["state"] for hour in rows}
    assert [by_hour[hour] for hour in sorted(by_hour) if by_hour[hour]] == [30] + [60] * 7 + [30]
