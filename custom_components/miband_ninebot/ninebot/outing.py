"""What a wheel's outing added up to: its lifetime counters when it left and when it came back.

A wheel ridden out of radio range is not heard while it is away. What can be known of such a ride
is what its lifetime counters say changed between the last reading heard before it went and the
first after it came back: the odometer (0xB7-0xB8, metres), the lifetime runtime (0x32-0x33, s)
and the battery (%). Readings heard in between move the "last heard" figures on, so an outing
covers only what happened while nothing heard the wheel, and a ride seen live is not counted again.

Pure arithmetic on two `Sighting`s; the caller says which readings they are and keeps the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# km the odometer must have moved for an absence to count as an outing. The register counts
# metres, so any movement shows; the threshold is what a wheel moves without being ridden: pushed
# to the charger, wheeled out of a shed or a car boot, rocked while carried (a few metres, a few
# tens at most). 100 m is beyond that, and shorter than any ride worth telling.
MIN_DISTANCE = 0.1


@dataclass(frozen=True, slots=True)
class Sighting:
    """The wheel's lifetime counters at one reading: what an outing is measured between."""

    moment: datetime  # when the reading was taken
    total_distance: float  # km, the odometer
    total_ride_time: int | None  # s the wheel has been on in its life; None if it does not say
    battery: int  # %


@dataclass(frozen=True, slots=True)
class Outing:
    """What happened to the wheel while it was not heard."""

    left: datetime  # the last reading heard before it went
    returned: datetime  # the first reading after it came back
    distance: float  # km the odometer moved
    # s the wheel was on meanwhile, by its lifetime runtime (standing switched on counts: the
    # wheel keeps no riding-only counter); None without the runtime at either end.
    riding_time: int | None
    battery_used: int | None  # % points; None if the level rose: it was charged while away
    average_speed: float | None  # km/h over the riding time; None without one


def measure(before: Sighting, after: Sighting) -> Outing | None:
    """The outing between the last reading before an absence and the first after, if any.

    None when the odometer moved less than `MIN_DISTANCE` (or went back: another controller,
    or a wheel reset; nothing is told then).
    """
    # To the odometer's metres: 1234.667 - 1234.567 is 0.0999... in floating point.
    distance = round(after.total_distance - before.total_distance, 3)
    if distance < MIN_DISTANCE:
        return None
    riding_time = None
    if before.total_ride_time is not None and after.total_ride_time is not None:
        # None too for a runtime that did not move, or went back (another controller).
        riding_time = max(after.total_ride_time - before.total_ride_time, 0) or None
    # A level higher than when it left means a charger was plugged in while the wheel was away
    # (at a friend's, at work): the difference then says nothing of what the ride used.
    used = before.battery - after.battery
    return Outing(
        left=before.moment,
        returned=after.moment,
        distance=distance,
        riding_time=riding_time,
        battery_used=used if used >= 0 else None,
        average_speed=round(distance / riding_time * 3600, 1) if riding_time else None,
    )
