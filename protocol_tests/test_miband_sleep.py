"""Sleep sessions from the band's minutes: nights counted by hand, and the same fed in pieces.

The rules are miband/sleep.py's (Gadgetbridge's SleepAnalysis): more than 2 h without sleep ends
a session, a minute off the wrist ends it at once, 5 minutes of sleep or fewer are no session.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import itertools

from hypothesis import given, strategies as st
from miband.activity import Minute
from miband.sleep import (
    ANNOUNCE_WITHIN,
    SleepChange,
    SleepEvent,
    SleepSession,
    SleepTracker,
    announced,
    sleep_sessions,
)

STILL, WALKING, NOT_WORN, DEEP, LIGHT, CHARGING, ON_BED = 0, 1, 3, 4, 5, 6, 7
EVENING = datetime(2026, 3, 1, 22, 0)


def _minutes(start: datetime, *runs: tuple[int, int]) -> list[Minute]:
    """Minutes from `start`: each run is (category, how many minutes)."""
    minutes = []
    for category, count in runs:
        for _ in range(count):
            at = start + timedelta(minutes=len(minutes))
            minutes.append(Minute(at, category, 0, 0, None))
    return minutes


def _at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 3, day, hour, minute)


# 22:00 still for 60 min; 23:00 light 30, deep 90, awake 10 (a walk to the kitchen), light 60,
# on bed 5, deep 45, light 100; 04:40 still 60 min, walking 70 min (more than 2 h since the last
# sleep minute once the 121st is in).
NIGHT = (
    (STILL, 60),
    (LIGHT, 30),
    (DEEP, 90),
    (WALKING, 10),
    (LIGHT, 60),
    (ON_BED, 5),
    (DEEP, 45),
    (LIGHT, 100),
    (STILL, 60),
    (WALKING, 70),
)
NIGHT_SESSION = SleepSession(
    start=_at(23),
    end=_at(4, 40, day=2),  # 23:00 + 30 + 90 + 10 + 60 + 5 + 45 + 100 minutes = 04:40
    deep=90 + 45,
    light=30 + 60 + 100,
    awake=10 + 5,
    awakenings=2,
)


def test_a_night_counted_by_hand() -> None:
    changes = SleepTracker().feed(_minutes(EVENING, *NIGHT))

    assert [change.event for change in changes] == [SleepEvent.FELL_ASLEEP, SleepEvent.WOKE_UP]
    fell_asleep, woke_up = changes
    assert fell_asleep.session.start == _at(23)
    assert fell_asleep.session.light == 6  # announced once it counts: more than 5 minutes
    assert woke_up.session == NIGHT_SESSION
    assert woke_up.session.asleep == 325


def test_the_session_stays_open_until_two_hours_awake() -> None:
    tracker = SleepTracker()
    # The same night, but only 120 minutes awake after it: not yet over.
    changes = tracker.feed(_minutes(EVENING, *NIGHT[:-2], (STILL, 120)))
    assert [change.event for change in changes] == [SleepEvent.FELL_ASLEEP]
    assert tracker.open_session == NIGHT_SESSION
    # The 121st minute ends it.
    changes = tracker.feed(_minutes(_at(6, 40, day=2), (STILL, 1)))
    assert changes == [SleepChange(SleepEvent.WOKE_UP, NIGHT_SESSION)]


def test_a_broken_night_is_two_sessions() -> None:
    # 23:00 light 120; up for 121 minutes (2 h and a minute); 03:01 deep 60, light 60; up.
    sessions = sleep_sessions(
        _minutes(_at(23), (LIGHT, 120), (STILL, 121), (DEEP, 60), (LIGHT, 60), (STILL, 121))
    )
    assert sessions == [
        SleepSession(_at(23), _at(1, 0, day=2), 0, 120, 0, 0),
        SleepSession(_at(3, 1, day=2), _at(5, 1, day=2), 60, 60, 0, 0),
    ]


def test_two_hours_awake_exactly_is_one_awakening() -> None:
    sessions = sleep_sessions(
        _minutes(_at(23), (LIGHT, 120), (STILL, 120), (DEEP, 60), (STILL, 121))
    )
    assert sessions == [SleepSession(_at(23), _at(4, 0, day=2), 60, 120, 120, 1)]


def test_an_afternoon_nap() -> None:
    sessions = sleep_sessions(
        _minutes(_at(13), (WALKING, 30), (STILL, 15), (LIGHT, 20), (DEEP, 15), (LIGHT, 5))
        + _minutes(_at(14, 25), (WALKING, 30), (STILL, 91))
    )
    assert sessions == [SleepSession(_at(13, 45), _at(14, 25), 15, 25, 0, 0)]


def test_the_band_taken_off_at_night_ends_the_session() -> None:
    # Asleep at 23:00, the band comes off at 02:00 and goes on charge; back on at 02:30, asleep.
    changes = SleepTracker().feed(
        _minutes(
            _at(23),
            (DEEP, 100),
            (LIGHT, 80),
            (NOT_WORN, 10),
            (CHARGING, 20),
            (LIGHT, 30),
            (STILL, 121),
        )
    )
    assert [(change.event, change.session) for change in changes] == [
        (SleepEvent.FELL_ASLEEP, SleepSession(_at(23), _at(23, 6), 6, 0, 0, 0)),
        (SleepEvent.WOKE_UP, SleepSession(_at(23), _at(2, 0, day=2), 100, 80, 0, 0)),
        (SleepEvent.FELL_ASLEEP, SleepSession(_at(2, 30, day=2), _at(2, 36, day=2), 0, 6, 0, 0)),
        (SleepEvent.WOKE_UP, SleepSession(_at(2, 30, day=2), _at(3, 0, day=2), 0, 30, 0, 0)),
    ]


def test_five_minutes_of_sleep_are_no_session() -> None:
    tracker = SleepTracker()
    assert tracker.feed(_minutes(_at(15), (LIGHT, 3), (STILL, 10), (DEEP, 2), (STILL, 121))) == []
    assert tracker.open_session is None
    assert sleep_sessions(_minutes(_at(15), (LIGHT, 6), (STILL, 121))) == [
        SleepSession(_at(15), _at(15, 6), 0, 6, 0, 0)
    ]


def test_a_gap_in_the_memory_counts_as_awake() -> None:
    minutes = _minutes(_at(23), (LIGHT, 60))
    after_short_gap = _minutes(_at(0, 30, day=2), (DEEP, 30), (STILL, 121))
    assert sleep_sessions(minutes + after_short_gap) == [
        SleepSession(_at(23), _at(1, 0, day=2), 30, 60, 30, 1)
    ]
    after_long_gap = _minutes(_at(2, 1, day=2), (DEEP, 30), (STILL, 121))
    assert sleep_sessions(minutes + after_long_gap) == [
        SleepSession(_at(23), _at(0, 0, day=2), 0, 60, 0, 0),
        SleepSession(_at(2, 1, day=2), _at(2, 31, day=2), 30, 0, 0, 0),
    ]


def test_minutes_sent_again_add_nothing() -> None:
    tracker = SleepTracker()
    minutes = _minutes(EVENING, *NIGHT)
    first = tracker.feed(minutes[:400])
    assert tracker.feed(minutes[:400]) == []
    assert first + tracker.feed(minutes[300:]) == SleepTracker().feed(minutes)


@given(st.lists(st.integers(min_value=1, max_value=len(_minutes(EVENING, *NIGHT))), max_size=8))
def test_fed_in_pieces_through_storage_is_fed_whole(cuts: list[int]) -> None:
    minutes = _minutes(EVENING, *NIGHT, (LIGHT, 3), (DEEP, 40), (NOT_WORN, 2), (LIGHT, 30))
    whole = SleepTracker().feed(minutes)
    assert len(whole) == 5  # the night; 3 + 40 minutes ended by the band taken off; 30 under way
    pieces: list[SleepChange] = []
    state = SleepTracker().as_json()
    bounds = [0, *sorted(cuts), len(minutes)]
    for start, end in itertools.pairwise(bounds):
        tracker = SleepTracker.from_json(state)  # as stored between two blocks
        pieces += tracker.feed(minutes[start:end])
        state = tracker.as_json()
    assert pieces == whole
    fed_whole = SleepTracker()
    fed_whole.feed(minutes)
    assert SleepTracker.from_json(state).open_session == fed_whole.open_session is not None


def test_sessions_survive_storage() -> None:
    assert SleepSession.from_json(NIGHT_SESSION.as_json()) == NIGHT_SESSION


# -- which events are worth firing ---------------------------------------------------------------


def test_nights_long_over_are_not_announced_the_one_under_way_is() -> None:
    nights = [
        *_minutes(_at(22, day=1), *NIGHT),  # ends 04:40 on the 2nd
        *_minutes(_at(22, day=2), *NIGHT),  # ends 04:40 on the 3rd
        *_minutes(_at(22, day=3), (STILL, 60), (LIGHT, 30)),  # asleep since 23:00 on the 3rd
    ]
    tracker = SleepTracker()
    changes = tracker.feed(nights)
    assert len(changes) == 5

    fired = announced(changes, _at(23, 31, day=3), tracker.open_session).changes
    assert [(change.event, change.session.start) for change in fired] == [
        (SleepEvent.FELL_ASLEEP, _at(23, day=3))
    ]


def test_a_night_under_way_is_judged_by_its_newest_sleep_not_by_when_it_began() -> None:
    """Synced at 07:00 for the first time, asleep since 23:00: `fell_asleep` is 8 hours old, but
    the wearer is asleep now."""
    tracker = SleepTracker()
    changes = tracker.feed(_minutes(EVENING, (STILL, 60), (LIGHT, 480)))  # until 07:00

    fired = announced(changes, _at(7, day=2), tracker.open_session)
    assert [change.event for change in fired.changes] == [SleepEvent.FELL_ASLEEP]
    assert fired.held is None


def test_a_fell_asleep_in_an_old_block_is_held_until_the_session_tells() -> None:
    """The night's start comes in a block hours old, its end in the next ones: both events fire
    if it ended within reach, neither if it ended long before."""
    night = _minutes(EVENING, *NIGHT)  # asleep 23:00 to 04:40
    first, rest = night[:200], night[200:]  # the first block ends at 01:20, asleep

    for now, expected in (
        (_at(9, day=2), [SleepEvent.FELL_ASLEEP, SleepEvent.WOKE_UP]),  # ended 4 h 20 min ago
        (_at(12, day=2), []),  # 7 h 20 min ago: history
    ):
        tracker = SleepTracker()
        held = announced(tracker.feed(first), now, tracker.open_session)
        assert held.changes == []
        assert held.held is not None
        assert held.held.event is SleepEvent.FELL_ASLEEP
        # Through storage, as the held one is kept with the tracker between blocks.
        carried = SleepChange.from_json(held.held.as_json())
        rest_changes = tracker.feed(rest)
        fired = announced(rest_changes, now, tracker.open_session, carried)
        assert [change.event for change in fired.changes] == expected
        assert fired.held is None


def test_a_session_that_ended_within_six_hours_fires_both_events() -> None:
    changes = SleepTracker().feed(_minutes(EVENING, *NIGHT))

    six_hours_after = NIGHT_SESSION.end + ANNOUNCE_WITHIN
    assert announced(changes, six_hours_after).changes == changes
    assert announced(changes, six_hours_after + timedelta(minutes=1)).changes == []


def test_a_woke_up_owed_to_a_fell_asleep_that_fired_comes_however_late() -> None:
    """Asleep announced at 23:31; the band next synced at 18:00, 13 hours after the night ended:
    the woke_up still fires, since an automation that acted on the one waits for the other."""
    tracker = SleepTracker()
    evening = _minutes(EVENING, *NIGHT)
    first = tracker.feed(evening[:91])  # until 23:30: asleep for half an hour
    at_night = announced(first, _at(23, 31), tracker.open_session)
    assert [change.event for change in at_night.changes] == [SleepEvent.FELL_ASLEEP]
    assert at_night.asleep_announced == _at(23)

    rest = tracker.feed(evening[91:])
    late = announced(
        rest, _at(18, day=2), tracker.open_session, asleep_announced=at_night.asleep_announced
    )
    assert [(change.event, change.session) for change in late.changes] == [
        (SleepEvent.WOKE_UP, NIGHT_SESSION)
    ]
    assert late.asleep_announced is None  # nothing owed any more

    # Without the fell_asleep having fired, the same late night fires nothing.
    assert announced(SleepTracker().feed(evening), _at(18, day=2)).changes == []
