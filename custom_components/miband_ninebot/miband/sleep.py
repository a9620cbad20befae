"""Sleep sessions from the band's minutes, fed block by block as the sync delivers them.

The facts come from Gadgetbridge (github.com/Freeyourgadget/Gadgetbridge, commit a0948ee1cbc2,
`app/src/main/java/nodomain/freeyourgadget/gadgetbridge/activities/charts/SleepAnalysis.java`);
its code is not copied, only what it establishes:

- a session is a run of sleep minutes; more than 2 h without sleep ends it
  (`MAX_WAKE_PHASE_LENGTH = 2 * 60 * 60`, line 29, applied at lines 73-74; the rule of the first
  version, commit 371ac276a, lines 40-42);
- a session of 5 minutes of sleep or less is dropped (`MIN_SESSION_LENGTH = 5 * 60`, line 28,
  compared with `>` at lines 52, 75 and 89);
- a minute the band was not worn ends a session at once (commit 47b9e9485, "exclude not worn sleep
  times also from sleep sessions", lines 50-60). Since that commit Gadgetbridge ends a session at
  *any* minute that is not sleep, which makes its 2-hour rule unreachable for a Mi Band (whose
  awake minutes are categories 0-2); here only a minute off the wrist does, and minutes awake
  inside a session are counted as the issue asks (awake time, awakenings), as the 2019 rule did.

Which category is deep sleep: 4 deep, 5 light, as Gadgetbridge's `MiBandSampleProvider` says
since commit df59ce7b9 ("Switch light sleep and deep sleep #250", 2016-07-19: "REM is considered
deep sleep and NREM light sleep" by Mi Fit, whose names are 4 REM and 5 NREM, its lines 32-34).
Before it, Gadgetbridge said the opposite; no capture of ours tells them apart, so this is
**unverified** (docs/verification.md): both are sleep, so sessions, their start, end, awake time
and awakenings do not depend on it; only the split between deep and light would swap.

Definitions used here:
- a session starts at its first sleep minute and ends at the end of its last one;
- awake: the minutes inside a session (between its first and last sleep minute) that were not
  sleep, any minute the band did not record among them;
- an awakening: one run of such minutes, counted once sleep resumes after it;
- the resting heart rate (1S): `resting.resting_heart_rate` of the sleep minutes' readings, which
  the session under way carries as {bpm: minutes}.

Nothing here imports Home Assistant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .activity import Category, Minute
from .resting import plausible, resting_heart_rate

MINUTE = timedelta(minutes=1)
MAX_AWAKE = timedelta(hours=2)  # more than this without sleep ends a session
MIN_SLEEP_MINUTES = 5  # a session with this many minutes of sleep or fewer is dropped
# A session that ended longer than this before the sync that brings it is history: no events.
# `woke_up` comes 2 h after the last sleep minute at the earliest (MAX_AWAKE); 6 h leave a
# morning of the band out of reach on top, and later no "when I get up" would want it.
ANNOUNCE_WITHIN = timedelta(hours=6)


class SleepEvent(StrEnum):
    """What a session brings: its start once it counts, its end once it is over."""

    FELL_ASLEEP = "fell_asleep"
    WOKE_UP = "woke_up"


@dataclass(frozen=True, slots=True)
class SleepSession:
    """A night (or a nap): from its first minute of sleep to the end of its last."""

    start: datetime
    end: datetime
    deep: int  # minutes
    light: int
    awake: int
    awakenings: int
    resting_heart_rate: int | None = None  # bpm (resting.py); None: too few readings
    heart_rate_readings: int = 0  # the sleep minutes with a valid reading

    @property
    def asleep(self) -> int:
        """Minutes asleep: deep and light."""
        return self.deep + self.light

    def as_json(self) -> dict[str, Any]:
        """For storage."""
        return {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SleepSession:
        """From storage."""
        return cls(
            **{
                **data,
                "start": datetime.fromisoformat(data["start"]),
                "end": datetime.fromisoformat(data["end"]),
            }
        )


@dataclass(frozen=True, slots=True)
class SleepChange:
    """An event and the session it is about (so far, for `fell_asleep`)."""

    event: SleepEvent
    session: SleepSession

    def as_json(self) -> dict[str, Any]:
        """For storage."""
        return {"event": self.event.value, "session": self.session.as_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SleepChange:
        """From storage."""
        return cls(SleepEvent(data["event"]), SleepSession.from_json(data["session"]))


def sleep_stage(minute: Minute) -> Category | None:
    """DEEP_SLEEP or LIGHT_SLEEP for a minute of sleep, else None."""
    mode = minute.mode
    if mode == Category.DEEP_SLEEP:
        return Category.DEEP_SLEEP
    if mode == Category.LIGHT_SLEEP:
        return Category.LIGHT_SLEEP
    return None


@dataclass(slots=True)
class _Open:
    """The session under way: carried from one block to the next, and stored."""

    start: datetime
    last_sleep: datetime  # the start of its newest sleep minute
    deep: int = 0
    light: int = 0
    awake: int = 0
    awakenings: int = 0
    announced: bool = False  # fell_asleep fired
    heart_rates: dict[int, int] = field(default_factory=dict)  # bpm: sleep minutes with it

    def session(self) -> SleepSession:
        return SleepSession(
            self.start,
            self.last_sleep + MINUTE,
            self.deep,
            self.light,
            self.awake,
            self.awakenings,
            resting_heart_rate(self.heart_rates),
            sum(self.heart_rates.values()),
        )


class SleepTracker:
    """Minutes in, in order, any number at a time; sessions out as they start and end.

    A minute at or before the newest one fed is ignored, so a block sent again adds nothing.
    The minutes' times must run on a clock that never goes back: UTC, as the integration gives
    them (band/statistics.py converts the band's stamps with its clock's offset first). Local
    times would go wrong at a daylight-saving change: the repeated hour would be taken as minutes
    sent again and dropped, and a session across it would lose (or, going forward, gain) an hour.
    """

    def __init__(self) -> None:
        """No session under way, no minute seen."""
        self._open: _Open | None = None
        self._newest: datetime | None = None

    @property
    def open_session(self) -> SleepSession | None:
        """The session under way, so far."""
        return None if self._open is None else self._open.session()

    def feed(self, minutes: Iterable[Minute]) -> list[SleepChange]:
        """Take the next minutes; return the events they bring, in order."""
        changes: list[SleepChange] = []
        for minute in minutes:
            if self._newest is not None and minute.time <= self._newest:
                continue
            self._newest = minute.time
            self._take(minute, changes)
        return changes

    def _take(self, minute: Minute, changes: list[SleepChange]) -> None:
        current = self._open
        if current is not None and minute.time - current.last_sleep > MAX_AWAKE + MINUTE:
            self._close(changes)  # a gap in the memory longer than the limit
            current = None
        if minute.worn is False:
            self._close(changes)
            return
        stage = sleep_stage(minute)
        if stage is None:
            if current is not None and minute.time - current.last_sleep > MAX_AWAKE:
                self._close(changes)
            return
        if current is None:
            current = self._open = _Open(minute.time, minute.time)
        elif (missed := (minute.time - current.last_sleep) // MINUTE - 1) > 0:
            current.awake += missed
            current.awakenings += 1
        current.last_sleep = minute.time
        if stage is Category.DEEP_SLEEP:
            current.deep += 1
        else:
            current.light += 1
        if plausible(bpm := minute.heart_rate):
            current.heart_rates[bpm] = current.heart_rates.get(bpm, 0) + 1
        if not current.announced and current.deep + current.light > MIN_SLEEP_MINUTES:
            current.announced = True
            changes.append(SleepChange(SleepEvent.FELL_ASLEEP, current.session()))

    def _close(self, changes: list[SleepChange]) -> None:
        if (current := self._open) is not None and current.announced:
            changes.append(SleepChange(SleepEvent.WOKE_UP, current.session()))
        self._open = None

    def as_json(self) -> dict[str, Any]:
        """The session under way and the newest minute seen, for storage."""
        current = self._open
        return {
            "newest": None if self._newest is None else self._newest.isoformat(),
            "open": None
            if current is None
            else {
                **asdict(current),
                "start": current.start.isoformat(),
                "last_sleep": current.last_sleep.isoformat(),
                "heart_rates": sorted(current.heart_rates.items()),  # JSON keys are strings
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SleepTracker:
        """From storage."""
        tracker = cls()
        if (newest := data.get("newest")) is not None:
            tracker._newest = datetime.fromisoformat(newest)
        if (current := data.get("open")) is not None:
            tracker._open = _Open(
                **{
                    **current,
                    "start": datetime.fromisoformat(current["start"]),
                    "last_sleep": datetime.fromisoformat(current["last_sleep"]),
                    "heart_rates": {
                        int(bpm): int(count) for bpm, count in current.get("heart_rates", ())
                    },
                }
            )
        return tracker


@dataclass(frozen=True, slots=True)
class Announcement:
    """The changes worth an event now, and a `fell_asleep` held back until its session tells."""

    changes: list[SleepChange]
    held: SleepChange | None = None
    # The start of the session under way whose fell_asleep has fired: its woke_up is owed.
    asleep_announced: datetime | None = None


def announced(
    changes: Iterable[SleepChange],
    now: datetime,
    under_way: SleepSession | None = None,
    held: SleepChange | None = None,
    *,
    within: timedelta = ANNOUNCE_WITHIN,
    asleep_announced: datetime | None = None,
) -> Announcement:
    """The changes worth an event at `now`: those of sessions that ended `within` before it.

    After days away (or at the first sync of a band holding days) every past night would
    otherwise fire `fell_asleep` and `woke_up` at once, hours or days late. A session ends at its
    `woke_up`; `under_way` is the session still open after `changes` (the tracker's), which ends
    for now at its newest minute of sleep, so a wearer asleep now gets `fell_asleep` however long
    the night has run. The memory comes block by block: a session open at the end of an old
    block may go on into the next ones, so its `fell_asleep` is `held` back rather than dropped,
    and goes with the changes the next time (`held`), fired once its session ends within reach
    or is under way now, dropped once it ended long before. The sessions themselves are kept all
    the same (the caller's last session, the statistics).

    A `woke_up` whose `fell_asleep` fired (`asleep_announced`: that session's start, the
    caller keeps it between calls) always fires, however late: an automation that acted on the
    one waits for the other. The returned `asleep_announced` is the session under way whose
    `fell_asleep` has fired, by this call or before.
    """
    changes = [*([] if held is None else [held]), *changes]
    ends = {c.session.start: c.session.end for c in changes if c.event is SleepEvent.WOKE_UP}
    if under_way is not None:
        ends[under_way.start] = under_way.end
    fired, still_held = [], None
    for change in changes:
        owed = change.event is SleepEvent.WOKE_UP and change.session.start == asleep_announced
        if owed or now - ends.get(change.session.start, change.session.end) <= within:
            fired.append(change)
        elif under_way is not None and change.session.start == under_way.start:
            still_held = change  # its fell_asleep: the next blocks tell how the session ends
    announced_now = {c.session.start for c in fired if c.event is SleepEvent.FELL_ASLEEP}
    still_owed = None
    if under_way is not None and under_way.start in {*announced_now, asleep_announced}:
        still_owed = under_way.start
    return Announcement(fired, still_held, still_owed)


def sleep_sessions(minutes: Iterable[Minute]) -> list[SleepSession]:
    """The sessions of these minutes that ended within them."""
    return [
        change.session
        for change in SleepTracker().feed(minutes)
        if change.event is SleepEvent.WOKE_UP
    ]
