"""The emulated band's alarm clock: three slots set by FF05 `04`, rung by the band's own clock.

What docs/protocols/mi-band-1.md (section 3.6) gives, held as the band would: `04 slot enabled YY MM
DD hh mm ss smart weekdays`. With no weekday bit (Monday is bit 0) the alarm rings once, at that
date and time; with some, on those weekdays at that time. The band rings whether or not a central is
connected. A smart alarm may ring up to its window early in light sleep; the emulator does not model
sleep phases and rings it at its time. The decoding is written here independently of the
integration's, on purpose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

SLOTS = 3


@dataclass(frozen=True, slots=True)
class SetAlarm:
    """One slot as the band holds it."""

    enabled: bool
    moment: datetime  # the date and time written
    smart_window: int  # minutes
    weekdays: int  # Monday bit 0; 0: once

    @classmethod
    def decode(cls, command: bytes) -> tuple[int, SetAlarm] | None:
        """The slot and alarm an FF05 `04` command sets, or None if it cannot be one."""
        if len(command) != 11 or command[0] != 0x04 or command[1] >= SLOTS:
            return None
        year, month, day, hour, minute, second = command[3:9]
        try:
            moment = datetime(2000 + year, month + 1, day, hour, minute, second)
        except ValueError:
            return None
        return command[1], cls(bool(command[2]), moment, command[9], command[10] & 0x7F)

    def next_ring(self, after: datetime) -> datetime | None:
        """When it rings next after `after` on the band's clock; None if it never will."""
        if not self.enabled:
            return None
        if not self.weekdays:
            return self.moment if self.moment > after else None
        ring = datetime.combine(after.date(), self.moment.time())
        for _ in range(8):
            if ring > after and self.weekdays & (1 << ring.weekday()):
                return ring
            ring += timedelta(days=1)
        return None


@dataclass(frozen=True, slots=True)
class Ring:
    """An alarm that went off: which slot, at what time on the band's clock."""

    slot: int
    at: datetime
    smart: bool


class AlarmClock:
    """The three slots and the timer that rings the next alarm due on the band's clock."""

    def __init__(self, clock: Callable[[], datetime | None], ring: Callable[[Ring], None]) -> None:
        """Ring through `ring` when `clock()` (the band's time, None if unset) reaches an alarm."""
        self._clock = clock
        self._ring = ring
        self.slots: list[SetAlarm | None] = [None] * SLOTS
        self.rings: list[Ring] = []  # every alarm that went off, for tests
        self._timer: asyncio.TimerHandle | None = None
        self._last_check: datetime | None = None

    def set(self, command: bytes) -> bool:
        """Take an FF05 `04` command; whether it set a slot."""
        decoded = SetAlarm.decode(command)
        if decoded is None:
            return False
        slot, alarm = decoded
        self.slots[slot] = alarm
        self.reschedule()
        return True

    def forget(self) -> None:
        """Lose every slot, as a band that ran flat does."""
        self.slots = [None] * SLOTS
        self.reschedule()

    def stop(self) -> None:
        """Ring nothing more (the band is switched off); the slots stay."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def reschedule(self, clock_changed: bool = False) -> None:
        """Aim the timer at the next ring; call after the clock or a slot changed."""
        self.stop()
        now = self._clock()
        if now is None:
            return
        if clock_changed or self._last_check is None:
            self._last_check = now
        since = self._last_check
        due = [ring for alarm in self.slots if alarm and (ring := alarm.next_ring(since))]
        if not due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # set outside an event loop: aimed on the next change inside one
        delay = max(0.0, (min(due) - now).total_seconds())
        self._timer = loop.call_later(delay, self._check)

    def _check(self) -> None:
        self._timer = None
        now, since = self._clock(), self._last_check
        if now is None or since is None:
            return
        for slot, alarm in enumerate(self.slots):
            ring = alarm.next_ring(since) if alarm else None
            if alarm and ring is not None and ring <= now:
                went_off = Ring(slot, ring, smart=alarm.smart_window > 0)
                self.rings.append(went_off)
                self._ring(went_off)
        self._last_check = now
        self.reschedule()
