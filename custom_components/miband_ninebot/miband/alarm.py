"""The band's three alarm slots: what one holds, and its FF05 command.

FF05 `04 slot enabled YY MM DD hh mm ss smart weekdays` (docs/protocols/mi-band-1.md, section 3.6;
Gadgetbridge's `queueAlarm`, Mi Fit's `setTimer`): the date as in section 3.3, the smart wake-up
window in minutes (the sources only ever send 30 or 0) and the weekdays the alarm repeats on, Monday
in bit 0. With no weekday the alarm rings once, at the date and time given; a repeating one gets
today's date (Gadgetbridge), which only says from when it repeats. We send whole minutes (seconds
0). In Mi Fit's capture (tests/captures/mibanda_mi_fit_2014.toml) it sent its alarm that is on with
seconds 0 and a day in the past (the day before, for one repeating on weekdays), and the two that
are off with 22 seconds: the band takes what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from .protocol import encode_date

ALARM_SLOTS = 3
SET_ALARM = 0x04
SMART_WAKE_WINDOW = 30  # minutes; what Gadgetbridge sends for a smart alarm


class AlarmRepeat(StrEnum):
    """On which weekdays an alarm rings."""

    ONCE = "once"
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKENDS = "weekends"

    @property
    def weekdays(self) -> frozenset[int]:
        """The days it rings on, Monday 0 (`date.weekday()`); none: once."""
        return _WEEKDAYS[self]

    @property
    def mask(self) -> int:
        """The band's weekday byte: Monday bit 0 ... Sunday bit 6."""
        return sum(1 << day for day in self.weekdays)


_WEEKDAYS = {
    AlarmRepeat.ONCE: frozenset[int](),
    AlarmRepeat.DAILY: frozenset(range(7)),
    AlarmRepeat.WEEKDAYS: frozenset(range(5)),
    AlarmRepeat.WEEKENDS: frozenset({5, 6}),
}


@dataclass(frozen=True, slots=True)
class Alarm:
    """One slot's alarm. A one-time alarm carries the `day` it rings on."""

    slot: int
    enabled: bool = False
    time: time = time(7, 0)
    repeat: AlarmRepeat = AlarmRepeat.DAILY
    smart_wake: bool = False
    day: date | None = None  # the one-time alarm's day; None for a repeating one

    def __post_init__(self) -> None:
        """Reject a slot the band does not have."""
        if not 0 <= self.slot < ALARM_SLOTS:
            raise ValueError(f"alarm slot {self.slot} is not one of the band's {ALARM_SLOTS}")

    def next_ring(self, now: datetime) -> datetime:
        """When the alarm rings next after `now` (the band's local time), enabled or not."""
        if self.repeat is AlarmRepeat.ONCE and self.day is not None:
            return datetime.combine(self.day, self.time)
        moment = datetime.combine(now.date(), self.time)
        for _ in range(8):
            if moment > now and (
                self.repeat is AlarmRepeat.ONCE or moment.weekday() in self.repeat.weekdays
            ):
                return moment
            moment += timedelta(days=1)
        raise AssertionError("every repeat has a day in any week")

    def encode(self, now: datetime) -> bytes:
        """The FF05 command that sets this slot on the band, whose clock reads `now`."""
        moment = (
            self.next_ring(now)
            if self.repeat is AlarmRepeat.ONCE
            else datetime.combine(now.date(), self.time)
        )
        return (
            bytes((SET_ALARM, self.slot, int(self.enabled)))
            + encode_date(moment.replace(second=0, microsecond=0))
            + bytes((SMART_WAKE_WINDOW if self.smart_wake else 0, self.repeat.mask))
        )
