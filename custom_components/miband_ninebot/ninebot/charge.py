"""Whether a wheel is charging, how fast, and when it will be full, from its live readings.

No register says "charging" (docs/protocols/ninebot-one.md, section 3). Two signs do, both at a
standstill:

- the current: into the battery, it reads negative; jphein/ninebot-one takes below -0.3 A at
  standstill as charging. No source confirms the sign on a real charge, so
- the trend: the battery level rising `TREND_RISE` points while the wheel stands, whatever the
  current says.

Either starts a charge. A charge the current showed ends once the current no longer shows it (the
charger stops at full, or is unplugged); one only the trend showed ends when the level has not
risen for `TREND_TIMEOUT`. Moving ends any charge. The clock is the wheel's power-on runtime, as
for rides (`ride.py`).

The time to full is the remaining points over the rate measured in this charge, between the first
and the latest rise of the level, so whole steps are measured: nothing until the level has risen
`MIN_RISE_FOR_RATE` points over at least `MIN_SPAN_FOR_RATE`. Lithium cells slow down near full,
so the estimate is optimistic above about 90 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import math

from .protocol import LiveValues

CHARGE_CURRENT = -0.3  # A: at or below this at a standstill, current flows into the battery
CONFIRM = 5  # s the current must show (or stop showing) a charge before it counts
# Points the level must rise at a standstill to show a charge by itself: one point can be the
# pack recovering from a ride's load.
TREND_RISE = 2
TREND_TIMEOUT = 600  # s without a rise that end a charge only the trend showed
MIN_RISE_FOR_RATE = 2  # points
MIN_SPAN_FOR_RATE = 60  # s
DEFAULT_LIMIT = 80  # %


class ChargeEvent(StrEnum):
    """What a charge did."""

    STARTED = "started"
    ENDED = "ended"
    LIMIT_REACHED = "limit_reached"


@dataclass(slots=True)
class _Charge:
    by_current: bool
    lowest: int  # %: the level the rises are counted from
    first_rise: tuple[int, int] | None = None  # (clock, level) of the first rise
    last_rise: tuple[int, int] | None = None
    limit_reached: bool = False

    def note_level(self, now: int, level: int) -> None:
        """Remember when the level rose (the rate is measured between rises)."""
        top = self.last_rise[1] if self.last_rise else self.lowest
        if level > top:
            self.last_rise = (now, level)
            if self.first_rise is None:
                self.first_rise = self.last_rise


@dataclass(slots=True)
class ChargeTracker:
    """Tells charges from live readings."""

    limit: int = DEFAULT_LIMIT
    _clock: int | None = None
    _standing_low: int | None = None  # lowest level since the wheel came to a stand
    _shows_since: int | None = None  # clock since which the current shows a charge
    _stopped_showing: int | None = None  # clock since which it no longer does
    _charge: _Charge | None = None

    @property
    def charging(self) -> bool:
        """Whether a charge is under way."""
        return self._charge is not None

    def time_to_full(self, level: int) -> int | None:
        """Minutes to 100 % at this charge's measured rate; None without a rate."""
        charge = self._charge
        if charge is None or charge.first_rise is None or charge.last_rise is None:
            return None
        (start, from_level), (end, to_level) = charge.first_rise, charge.last_rise
        if to_level - from_level < MIN_RISE_FOR_RATE or end - start < MIN_SPAN_FOR_RATE:
            return None
        per_second = (to_level - from_level) / (end - start)
        return math.ceil(max(100 - level, 0) / per_second / 60)

    def update(self, live: LiveValues) -> list[ChargeEvent]:
        """Take a reading; what it made of the charge."""
        now, level = live.trip_time, live.battery
        if self._clock is not None and now < self._clock:
            self._restart_clock()  # a new power-on: the old times mean nothing now
        self._clock = now
        if live.speed != 0:
            self._standing_low = self._shows_since = self._stopped_showing = None
            return self._end()
        if self._standing_low is None or level < self._standing_low:
            self._standing_low = level
        shows = live.current <= CHARGE_CURRENT
        self._observe_current(now, shows=shows)
        charge = self._charge
        events: list[ChargeEvent] = []
        if charge is None:
            by_current = self._shows_since is not None and now - self._shows_since >= CONFIRM
            if not by_current and level < self._standing_low + TREND_RISE:
                return []
            charge = self._charge = _Charge(by_current, self._standing_low)
            events.append(ChargeEvent.STARTED)
        elif charge.by_current or shows:
            charge.by_current = True
            if self._stopped_showing is not None and now - self._stopped_showing >= CONFIRM:
                return self._end(level)
        elif charge.last_rise is not None and now - charge.last_rise[0] >= TREND_TIMEOUT:
            return self._end(level)
        charge.note_level(now, level)
        if not charge.limit_reached and level >= self.limit > charge.lowest:
            charge.limit_reached = True
            events.append(ChargeEvent.LIMIT_REACHED)
        return events

    def _observe_current(self, now: int, *, shows: bool) -> None:
        """Note since when the current has shown a charge, or has stopped showing one."""
        if shows:
            self._stopped_showing = None
            if self._shows_since is None:
                self._shows_since = now
        else:
            self._shows_since = None
            if self._stopped_showing is None:
                self._stopped_showing = now

    def _end(self, level: int | None = None) -> list[ChargeEvent]:
        """End the charge under way; a rise counts from `level` on (a standing wheel's)."""
        self._standing_low = level
        if self._charge is None:
            return []
        self._charge = None
        return [ChargeEvent.ENDED]

    def _restart_clock(self) -> None:
        self._shows_since = self._stopped_showing = None
        if (charge := self._charge) is not None:
            # Rates and rises measured on the old clock cannot be compared with the new one.
            charge.first_rise = charge.last_rise = None
