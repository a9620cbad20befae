"""A night's resting heart rate: the 10th percentile (nearest rank) of the sleep minutes' readings.

The figures are counted by hand from the readings written out here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json

from hypothesis import given, strategies as st
from miband.activity import Minute
from miband.resting import MIN_READINGS, plausible, resting_heart_rate
from miband.sleep import SleepEvent, SleepTracker, sleep_sessions

STILL, DEEP, LIGHT = 0, 4, 5
EVENING = datetime(2026, 3, 1, 23, 0)


def _night(readings: list[int | None]) -> list[Minute]:
    """Still 10 minutes, asleep one minute a reading, then still for more than 2 h."""
    categories = [STILL] * 10 + [DEEP if i % 3 else LIGHT for i in range(len(readings))]
    categories += [STILL] * 125
    rates = [None] * 10 + readings + [60] * 125  # awake minutes' readings do not count
    return [
        Minute(EVENING + timedelta(minutes=i), category, 0, 0, bpm)
        for i, (category, bpm) in enumerate(zip(categories, rates, strict=True))
    ]


def test_the_tenth_percentile_by_hand() -> None:
    # 20 readings: 2 ranks are a tenth; sorted 48, 50, 51, ... so the 2nd is 50.
    counts = {48: 1, 50: 1, 51: 3, 55: 10, 62: 5}
    assert resting_heart_rate(counts) == 50
    # 21 readings: ceil(2.1) = 3rd: 51.
    assert resting_heart_rate({**counts, 70: 1}) == 51
    # 10 readings, the minimum: the 1st.
    assert resting_heart_rate({58: 4, 60: 6}) == 58


def test_too_few_readings_give_no_figure() -> None:
    assert resting_heart_rate({}) is None
    assert resting_heart_rate({55: MIN_READINGS - 1}) is None


def test_implausible_readings_are_left_out() -> None:
    assert [plausible(bpm) for bpm in (None, 10, 29, 30, 150, 151, 250)] == [
        False,
        False,
        False,
        True,
        True,
        False,
        False,
    ]


def test_a_night_carries_its_readings_into_the_session() -> None:
    # 30 sleep minutes: 8 without a reading, 2 misreads (12, 200), 20 valid.
    valid = [58, 57, 56, 55, 54, 53, 52, 51, 50, 49] * 2
    readings: list[int | None] = [*valid[:10], None, 12, *[None] * 7, 200, *valid[10:]]
    (session,) = sleep_sessions(_night(readings))
    assert session.heart_rate_readings == 20
    # Sorted: 49, 49, 50, ...: a tenth of 20 is the 2nd, 49.
    assert session.resting_heart_rate == 49


def test_a_nap_without_enough_readings_has_none() -> None:
    (session,) = sleep_sessions(_night([55] * 9))
    assert (session.resting_heart_rate, session.heart_rate_readings) == (None, 9)


@given(
    readings=st.lists(st.one_of(st.none(), st.integers(10, 250)), min_size=6, max_size=60),
    cut=st.integers(0, 200),
)
def test_fed_in_pieces_through_storage_the_figure_is_the_same(
    readings: list[int | None], cut: int
) -> None:
    minutes = _night(readings)
    whole = sleep_sessions(minutes)
    first = SleepTracker()
    changes = first.feed(minutes[:cut])
    stored = json.loads(json.dumps(first.as_json()))
    changes += SleepTracker.from_json(stored).feed(minutes[cut:])
    pieces = [change.session for change in changes if change.event is SleepEvent.WOKE_UP]
    assert pieces == whole
    valid = sorted(bpm for bpm in readings if plausible(bpm))
    expected = valid[-(-len(valid) // 10) - 1] if len(valid) >= MIN_READINGS else None
    assert [session.resting_heart_rate for session in whole] == [expected]
