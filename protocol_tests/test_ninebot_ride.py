"""Rides and charges told from a wheel's live values, on the wheel's own clock (pure, no HA)."""

from __future__ import annotations

from ninebot.charge import CONFIRM, TREND_TIMEOUT, ChargeEvent, ChargeTracker
from ninebot.protocol import LiveValues
from ninebot.ride import MAX_INTEGRATION_GAP, RideEnd, RideTracker


def _live(
    clock: int,
    *,
    speed: float = 0.0,
    battery: int = 60,
    current: float = 0.4,
    voltage: float = 57.0,
    trip: float = 0.0,
) -> LiveValues:
    return LiveValues(
        battery=battery,
        speed=speed,
        average_speed=0.0,
        total_distance=100.0,
        trip_distance=trip,
        trip_time=clock,
        temperature=25.0,
        voltage=voltage,
        current=current,
        power=round(voltage * current, 2),
        error_code=0,
        warning_code=0,
        locked=False,
        speed_limited=False,
    )


def test_a_charge_shown_by_the_current_starts_after_the_confirmation_and_ends_with_it() -> None:
    tracker = ChargeTracker()
    assert tracker.update(_live(100, current=-1.5)) == []
    assert tracker.update(_live(100 + CONFIRM - 1, current=-1.5)) == []
    assert tracker.update(_live(100 + CONFIRM, current=-1.5)) == [ChargeEvent.STARTED]
    assert tracker.charging
    assert tracker.update(_live(200, current=0.3, battery=61)) == []  # a moment without: not yet
    assert tracker.update(_live(200 + CONFIRM, current=0.3, battery=61)) == [ChargeEvent.ENDED]
    assert not tracker.charging


def test_braking_is_not_charging() -> None:
    tracker = ChargeTracker()
    for clock in range(30):
        assert tracker.update(_live(clock, speed=12.0, current=-8.0)) == []
    assert not tracker.charging


def test_a_level_rising_at_standstill_shows_a_charge_whatever_the_current_s_sign() -> None:
    """In case a real wheel reports the charge current with the other sign."""
    tracker = ChargeTracker()
    assert tracker.update(_live(0, battery=60, current=1.2)) == []
    assert tracker.update(_live(60, battery=61, current=1.2)) == []  # one point: a pack recovering
    assert tracker.update(_live(120, battery=62, current=1.2)) == [ChargeEvent.STARTED]
    assert tracker.update(_live(120 + TREND_TIMEOUT - 1, battery=62, current=1.2)) == []
    assert tracker.update(_live(120 + TREND_TIMEOUT, battery=62, current=1.2)) == [
        ChargeEvent.ENDED
    ]
    # Full, it stays put: no new charge from the level it ended at.
    assert tracker.update(_live(2000, battery=62, current=1.2)) == []


def test_time_to_full_needs_a_measured_rate() -> None:
    tracker = ChargeTracker()
    for clock in range(CONFIRM + 1):
        tracker.update(_live(clock, battery=70, current=-1.5))
    assert tracker.charging
    tracker.update(_live(30, battery=71, current=-1.5))
    assert tracker.time_to_full(71) is None  # one rise: no rate
    tracker.update(_live(90, battery=72, current=-1.5))
    assert tracker.time_to_full(72) is None  # two points in 60 s, but one step only
    tracker.update(_live(150, battery=73, current=-1.5))
    # 2 points in 120 s: 1 point a minute, 27 to go.
    assert tracker.time_to_full(73) == 27


def test_the_limit_fires_once_and_only_when_crossed() -> None:
    tracker = ChargeTracker(limit=80)
    for clock in range(CONFIRM + 1):
        tracker.update(_live(clock, battery=78, current=-1.5))
    assert tracker.update(_live(60, battery=79, current=-1.5)) == []
    assert tracker.update(_live(120, battery=80, current=-1.5)) == [ChargeEvent.LIMIT_REACHED]
    assert tracker.update(_live(180, battery=81, current=-1.5)) == []
    # A charge that starts above the limit never announces it.
    above = ChargeTracker(limit=80)
    for clock in range(CONFIRM + 1):
        above.update(_live(clock, battery=85, current=-1.5))
    assert above.update(_live(60, battery=86, current=-1.5)) == []


def test_moving_ends_a_charge() -> None:
    tracker = ChargeTracker()
    for clock in range(CONFIRM + 1):
        tracker.update(_live(clock, current=-1.5))
    assert tracker.update(_live(10, speed=5.0, current=2.0)) == [ChargeEvent.ENDED]


def test_a_ride_starts_moving_and_ends_after_standing_for_the_delay() -> None:
    tracker = RideTracker(end_delay=60)
    assert tracker.update(_live(10)) == (False, None)
    assert tracker.update(_live(11, speed=12.0, current=5.0, trip=0.0)) == (True, None)
    assert tracker.update(_live(311, speed=20.0, current=5.0, trip=1.2)) == (False, None)
    assert tracker.update(_live(320, current=0.4, trip=1.25)) == (False, None)
    started, ended = tracker.update(_live(371, current=0.4, trip=1.25))
    assert not started
    assert ended is not None
    assert ended.reason is RideEnd.STOPPED
    assert ended.duration == 300
    assert ended.distance == 1.2
    assert ended.top_speed == 20.0
    assert ended.average_speed == 14.4


def test_energy_is_each_second_s_mean_power_and_a_long_gap_is_not_guessed() -> None:
    tracker = RideTracker()
    tracker.update(_live(0, speed=10.0, current=10.0, voltage=50.0))  # 500 W
    tracker.update(_live(0, speed=10.0, current=20.0, voltage=50.0))  # 1000 W, same second
    tracker.update(_live(1, speed=10.0, current=10.0, voltage=50.0))
    assert tracker.energy == 750 / 3600  # one second at the mean of its readings
    tracker.update(_live(2 + MAX_INTEGRATION_GAP, speed=10.0, current=10.0, voltage=50.0))
    assert tracker.energy == 750 / 3600  # the gap's power is unknown: not counted
    # Charging at a standstill is not energy a ride used.
    gap_end = 2 + MAX_INTEGRATION_GAP
    tracker.update(_live(gap_end + 1, current=-1.5))  # the second after the gap: 500 W
    tracker.update(_live(gap_end + 2, current=-1.5))
    assert tracker.energy == (750 + 500) / 3600


def test_a_new_power_on_ends_the_ride_and_starts_the_counts_again() -> None:
    tracker = RideTracker()
    tracker.update(_live(500, speed=15.0, current=5.0))
    tracker.update(_live(501, speed=15.0, current=5.0))
    started, ended = tracker.update(_live(3, speed=8.0, current=3.0))
    assert started
    assert ended is not None
    assert ended.reason is RideEnd.SWITCHED_OFF
    assert tracker.top_speed == 8.0
    assert tracker.energy == 0.0


def test_a_ride_s_energy_ends_with_its_last_moment_in_motion() -> None:
    tracker = RideTracker(end_delay=60)
    ended = None
    for clock in range(200):
        moving = 10 <= clock < 70
        live = _live(clock, speed=15.0 if moving else 0.0, current=5.0 if moving else 0.4)
        _started, ended = tracker.update(live)
        if ended is not None:
            break
    assert ended is not None
    assert ended.duration == 59
    # 59 s at 285 W between the first and the last reading in motion; the stand is not counted.
    assert ended.energy == round(59 * 285 / 3600, 1)
    assert tracker.energy is not None
    assert tracker.energy > ended.energy + 0.3  # the power-on's count goes on with the stand
