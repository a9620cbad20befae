"""Reminders on the wrist: too few steps lately (`inactive`), no heart rate lately.

Pure logic, no clock of its own: the caller gives the moment, and each verdict says when it
would change if nothing new arrives, so that the caller can schedule one re-evaluation for that
moment instead of polling.

Steps come as the band counts them: the day's count, notified when it changes and starting again
at the band's midnight. `StepSamples` turns those counts into a running total (a count below the
last one is a new day, counted from 0) and keeps only what the window needs.

Moments are aware datetimes, and every sum and comparison is made in UTC: Python adds to and
compares two datetimes of the same zone by their wall clocks, so a window across a daylight-saving
change would be an hour off in local time. Only the hours (`InactivitySettings`) are local: they
are read from the moment given in the wearer's zone.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

DEFAULT_INACTIVE_STEPS = 100  # fewer steps than this in the window: inactive
DEFAULT_INACTIVE_WINDOW = timedelta(minutes=60)
DEFAULT_INACTIVE_FROM = time(9)  # local time
DEFAULT_INACTIVE_TO = time(21)
DEFAULT_NO_HEART_RATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Verdict:
    """On or off now, and when (UTC) that changes if nothing new arrives (None: not by itself)."""

    on: bool
    changes_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InactivitySettings:
    """Fewer than `steps` steps in the last `window`, between `start` and `end` (local time).

    `start` after `end` spans midnight (22:00 to 06:00); equal, the whole day.
    """

    steps: int = DEFAULT_INACTIVE_STEPS
    window: timedelta = DEFAULT_INACTIVE_WINDOW
    start: time = DEFAULT_INACTIVE_FROM
    end: time = DEFAULT_INACTIVE_TO

    def within_hours(self, moment: datetime) -> bool:
        """Whether `moment` (local) is within the hours."""
        now = moment.time().replace(tzinfo=None)
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def next_edge(self, moment: datetime) -> datetime | None:
        """The first start or end of the hours after `moment` (local), in UTC; None all day."""
        if self.start == self.end:
            return None
        edges = (
            datetime.combine(moment.date() + timedelta(days=day), edge, moment.tzinfo).astimezone(
                UTC
            )
            for day in (0, 1)
            for edge in sorted((self.start, self.end))
        )
        return next(edge for edge in edges if edge > moment)


class StepSamples:
    """(moment in UTC, steps walked so far) at each count the band notified, as far as needed."""

    def __init__(self, keep: timedelta) -> None:
        """Keep what a window of `keep` needs: its samples and the last one before it."""
        self._keep = keep
        self._samples: deque[tuple[datetime, int]] = deque()
        self._count: int | None = None
        self._total = 0

    def add(self, moment: datetime, count: int) -> None:
        """The band's count at `moment` (aware); below the last one, the band started a new day."""
        if count == self._count:
            return
        moment = moment.astimezone(UTC)
        if self._count is not None:
            self._total += count - self._count if count > self._count else count
        self._count = count
        self._samples.append((moment, self._total))
        cutoff = moment - self._keep
        while len(self._samples) > 1 and self._samples[1][0] <= cutoff:
            self._samples.popleft()

    def walked_since(self, moment: datetime) -> int | None:
        """Steps since `moment` (aware); None if no count is known from then."""
        before = [total for at, total in self._samples if at <= moment]
        return self._total - before[-1] if before else None

    def quiet_from(self, steps: int, window: timedelta) -> datetime | None:
        """From when (UTC) the last `window` holds fewer than `steps` steps, if no more come.

        The first sample less than `steps` below the total: once it is a window old, what came
        since is under `steps`. None before any count.
        """
        for at, total in self._samples:
            if self._total - total < steps:
                return at + window
        return None


def inactive(
    samples: StepSamples,
    now: datetime,
    settings: InactivitySettings,
    *,
    asleep: bool | None = None,
    worn: bool | None = None,
) -> Verdict:
    """Whether the wearer has been sitting still, `now` aware in the zone of the hours.

    Off while asleep or while the band is not worn (as far as is known: None does not stop it),
    outside the hours, and before a count is known a window long.
    """
    edge = settings.next_edge(now)
    if asleep or worn is False:
        return Verdict(on=False)  # a new verdict on sleep or wear brings its own evaluation
    if not settings.within_hours(now):
        return Verdict(on=False, changes_at=edge)
    quiet = samples.quiet_from(settings.steps, settings.window)
    if quiet is None:
        return Verdict(on=False, changes_at=edge)
    if quiet <= now:  # UTC and local: compared as instants
        return Verdict(on=True, changes_at=edge)
    return Verdict(on=False, changes_at=quiet if edge is None else min(quiet, edge))


def heart_rate_missing(last: datetime | None, now: datetime, after: timedelta) -> Verdict:
    """Whether no reading came for `after` since `last`.

    `last` is the last reading, or the start of continuous measurement; None: not measuring.
    """
    if last is None:
        return Verdict(on=False)
    due = last.astimezone(UTC) + after
    return Verdict(on=True) if now >= due else Verdict(on=False, changes_at=due)
