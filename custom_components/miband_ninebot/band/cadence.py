"""When a band's memory is synced while the link is held: every interval, more often at night.

The night cadence (an option, off unless chosen) syncs every `night_interval` between `start` and
`end`, local time, so that what the band records of a night's sleep reaches Home Assistant within
minutes; outside those hours the regular interval holds. A regular wait that would run into the
night is cut short at its start. Equal start and end make the night the whole day, as the
reminders' equal hours do (`miband.reminders.InactivitySettings`): a user who gives the same time
twice asked for no gap in the hours, not for the option to be off (it has its own switch).
The next sync is one timer (`async_call_later`) set after each sync from the time then: no
polling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from ..options import activity_sync_interval, night_sync


@dataclass(frozen=True, slots=True)
class SyncCadence:
    """The regular interval, and the night's hours and interval when the option is on."""

    interval: timedelta
    night_interval: timedelta | None = None  # None: no night cadence
    night_start: time = time(22)
    night_end: time = time(8)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SyncCadence:
        """The cadence an entry's options ask for."""
        interval = activity_sync_interval(options)
        if (night := night_sync(options)) is None:
            return cls(interval)
        return cls(interval, *night)

    def in_night(self, moment: time) -> bool:
        """Whether `moment` (local) is within the night hours, start included; equal: all day."""
        if self.night_start == self.night_end:
            return True
        if self.night_start < self.night_end:
            return self.night_start <= moment < self.night_end
        return moment >= self.night_start or moment < self.night_end  # across midnight

    def delay(self, now: datetime) -> timedelta:
        """How long after `now` (local, aware) the next sync is due."""
        if self.night_interval is None:
            return self.interval
        if self.in_night(now.time()):
            return self.night_interval
        start = now.replace(
            hour=self.night_start.hour, minute=self.night_start.minute, second=0, microsecond=0
        )
        if start <= now:
            start += timedelta(days=1)
        return min(self.interval, start - now)
