"""Reminders on the wrist: `inactive` from the band's step counts, `no_heart_rate` from readings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from miband.reminders import InactivitySettings, StepSamples, Verdict, heart_rate_missing, inactive

ZONE = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)
SETTINGS = InactivitySettings()  # under 100 steps in 60 min, 09:00 to 21:00


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE)


def counted(*counts: tuple[datetime, int]) -> StepSamples:
    samples = StepSamples(SETTINGS.window)
    for moment, count in counts:
        samples.add(moment, count)
    return samples


def test_an_idle_window_within_the_hours_is_inactive_until_the_hours_end() -> None:
    samples = counted((at(10), 1234))

    assert inactive(samples, at(10, 30), SETTINGS) == Verdict(on=False, changes_at=at(11))
    assert inactive(samples, at(11), SETTINGS) == Verdict(on=True, changes_at=at(21))


def test_steps_in_the_window_keep_it_off_until_they_are_a_window_old() -> None:
    samples = counted((at(10), 1000), (at(10, 20), 1050), (at(10, 40), 1200), (at(10, 50), 1210))

    # 210 steps since 10:00; the last 100 or more began with the count at 10:40.
    assert inactive(samples, at(11), SETTINGS) == Verdict(on=False, changes_at=at(11, 40))
    assert inactive(samples, at(11, 40), SETTINGS).on
    assert samples.walked_since(at(10, 40)) == 10
    samples.add(at(11, 45), 1400)  # a walk: off again, for an hour
    assert inactive(samples, at(11, 45), SETTINGS) == Verdict(on=False, changes_at=at(12, 45))


def test_before_a_count_is_a_window_old_or_known_at_all_it_is_off() -> None:
    assert inactive(StepSamples(HOUR), at(12), SETTINGS) == Verdict(on=False, changes_at=at(21))
    samples = counted((at(10), 5))
    assert samples.walked_since(at(9)) is None
    assert samples.walked_since(at(10)) == 0


def test_outside_the_hours_it_is_off_and_turns_on_when_they_start() -> None:
    samples = counted((at(19), 5000))

    assert inactive(samples, at(21), SETTINGS) == Verdict(on=False, changes_at=at(9, day=8))
    assert inactive(samples, at(7, day=8), SETTINGS) == Verdict(on=False, changes_at=at(9, day=8))
    assert inactive(samples, at(9, day=8), SETTINGS) == Verdict(on=True, changes_at=at(21, day=8))


def test_hours_across_midnight_and_all_day() -> None:
    night = InactivitySettings(start=time(22), end=time(6))
    assert night.within_hours(at(23))
    assert night.within_hours(at(5))
    assert not night.within_hours(at(12))
    assert night.next_edge(at(23)) == at(6, day=8)
    everywhen = InactivitySettings(start=time(0), end=time(0))
    samples = counted((at(2), 10))
    assert inactive(samples, at(2, 30), everywhen) == Verdict(on=False, changes_at=at(3))
    assert inactive(samples, at(3), everywhen) == Verdict(on=True, changes_at=None)


def test_asleep_or_not_worn_keeps_it_off() -> None:
    samples = counted((at(10), 1234))

    assert inactive(samples, at(12), SETTINGS, asleep=True) == Verdict(on=False)
    assert inactive(samples, at(12), SETTINGS, worn=False) == Verdict(on=False)
    assert inactive(samples, at(12), SETTINGS, asleep=False, worn=True).on
    assert inactive(samples, at(12), SETTINGS, asleep=None, worn=None).on  # not known: no veto


def test_the_band_starting_a_new_day_counts_from_zero() -> None:
    samples = counted((at(23, 30), 9000), (at(0, 10, day=8), 40))

    assert samples.walked_since(at(23, 30)) == 40  # not -8960
    samples.add(at(0, 20, day=8), 200)
    assert samples.walked_since(at(23, 30)) == 200


def test_a_repeated_count_is_no_new_sample() -> None:
    samples = counted((at(10), 100), (at(10, 30), 100))

    assert inactive(samples, at(11), SETTINGS).on  # the count has not moved since 10:00


def test_only_what_the_window_needs_is_kept() -> None:
    samples = counted(*((at(10) + timedelta(minutes=10 * i), 100 + i) for i in range(30)))

    # The last at 14:50: the one a window before (13:50), then those within the window.
    assert samples.walked_since(at(13, 49)) is None
    assert samples.walked_since(at(13, 50)) == 6


def test_no_heart_rate_after_the_delay_without_a_reading() -> None:
    after = timedelta(minutes=10)

    assert heart_rate_missing(None, at(12), after) == Verdict(on=False)
    assert heart_rate_missing(at(12), at(12, 5), after) == Verdict(on=False, changes_at=at(12, 10))
    assert heart_rate_missing(at(12), at(12, 10), after) == Verdict(on=True)


# -- across a daylight-saving change --------------------------------------------------------------
# 2026-10-25 in Amsterdam: 03:00 summer time becomes 02:00 winter time; 02:00 to 03:00 happens
# twice (fold 0 the summer one). 2026-03-29: 02:00 winter time becomes 03:00 summer time.


def local(hour: int, minute: int, *, month: int, day: int, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE, fold=fold)


def test_a_window_across_the_clocks_going_back_is_as_long_as_it_says() -> None:
    everywhen = InactivitySettings(start=time(0), end=time(0))
    counted_at = local(2, 30, month=10, day=25)  # summer time, 00:30 UTC
    samples = counted((counted_at, 500))

    # 02:15 the second time (01:15 UTC): 45 minutes on, not yet; due at 02:30 winter time.
    quiet = inactive(samples, local(2, 15, month=10, day=25, fold=1), everywhen)
    assert quiet == Verdict(on=False, changes_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    # 02:45 winter time is 75 minutes on: inactive, not an hour later by the wall clock.
    assert inactive(samples, local(2, 45, month=10, day=25, fold=1), everywhen).on


def test_a_window_across_the_clocks_going_forward_is_as_long_as_it_says() -> None:
    everywhen = InactivitySettings(start=time(0), end=time(0))
    samples = counted((local(1, 30, month=3, day=29), 500))  # winter time, 00:30 UTC

    # 03:00 summer time is only 30 minutes on (01:00 UTC): not inactive yet, due at 03:30.
    assert inactive(samples, local(3, 0, month=3, day=29), everywhen) == Verdict(
        on=False, changes_at=local(3, 30, month=3, day=29)
    )
    assert inactive(samples, local(3, 30, month=3, day=29), everywhen).on


def test_no_heart_rate_across_the_clocks_going_back() -> None:
    after = timedelta(minutes=10)
    last = local(2, 50, month=10, day=25)  # summer time, 00:50 UTC

    # 02:05 winter time is 15 minutes later: the reading is missing, though the wall says -45.
    assert heart_rate_missing(last, local(2, 5, month=10, day=25, fold=1), after).on
    assert heart_rate_missing(last, local(2, 55, month=10, day=25), after) == Verdict(
        on=False,
        changes_at=datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # 02:00 winter time
    )


def test_the_hours_end_across_the_clocks_going_back_in_real_time() -> None:
    samples = counted((local(18, 0, month=10, day=24), 500))

    # The hours end at 21:00 local, whatever the night's change: 19:00 UTC on the 25th.
    verdict = inactive(samples, local(20, 0, month=10, day=25), SETTINGS)
    assert verdict == Verdict(on=True, changes_at=datetime(2026, 10, 25, 20, 0, tzinfo=UTC))
