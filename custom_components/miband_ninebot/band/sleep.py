"""A band's sleep in Home Assistant: sessions from the synced minutes, for sleep_entities.py.

The sessions are `miband.sleep`'s, fed by `ActivityHistory.async_store_block` with each block's
new minutes (UTC), so exactly once: the tracker's state (the session under way, the newest minute
fed) and the last finished session are saved in the activity store, in the same write as the mark
of the minutes imported, and only once the recorder has them. A block sent again after a drop
holds no new minute, so it neither moves a session nor fires an event twice. Events fire after
that save; a crash between the two loses them rather than doubling them.

The events are as late as the sync: a minute reaches Home Assistant at the next sync after it
(every `activity_sync_interval` minutes while the link is held, at each periodic connection);
`woke_up` comes when the session is over: more than 2 h without sleep, or the band taken off.
A session that ended more than 6 hours before the sync that brings it (days away, the first
sync of a band holding days) fires no event: `miband.sleep.announced`, which holds back the
`fell_asleep` of a session still open at the end of an old block until the next blocks tell how
it ends (the held one is saved with the tracker). A session long over still becomes the last
session if it is the newest, and its minutes still reach the statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

from ..miband.activity import Minute
from ..miband.sleep import SleepChange, SleepEvent, SleepSession, SleepTracker, announced

ATTR_START = "start"
ATTR_END = "end"
ATTR_DEEP = "deep"
ATTR_LIGHT = "light"
ATTR_AWAKE = "awake"
ATTR_AWAKENINGS = "awakenings"
ATTR_ASLEEP = "asleep"
SESSION_ATTRIBUTES = (ATTR_START, ATTR_END, ATTR_DEEP, ATTR_LIGHT, ATTR_AWAKE, ATTR_AWAKENINGS)

type SleepListener = Callable[[SleepChange], None]


def session_attributes(session: SleepSession) -> dict[str, Any]:
    """A session's figures: start and end (ISO, UTC), minutes deep, light, awake; awakenings."""
    return {
        ATTR_START: session.start.isoformat(),
        ATTR_END: session.end.isoformat(),
        ATTR_DEEP: session.deep,
        ATTR_LIGHT: session.light,
        ATTR_AWAKE: session.awake,
        ATTR_AWAKENINGS: session.awakenings,
    }


@dataclass(slots=True)
class SleepStep:
    """What a block's minutes would make of the sleep: applied once the recorder has them."""

    tracker: SleepTracker
    last: SleepSession | None
    changes: list[SleepChange] = field(default_factory=list)  # to fire (module doc)
    held: SleepChange | None = None  # a fell_asleep whose session the next blocks tell
    asleep_announced: datetime | None = None  # the session under way whose fell_asleep fired

    def as_json(self) -> dict[str, Any]:
        """The sleep's state once applied, for the activity store (saved before it applies)."""
        return _state_json(self.tracker, self.last, self.held, self.asleep_announced)


class BandSleep:
    """The band's sleep sessions so far: the tracker, the last session, the listeners."""

    def __init__(self) -> None:
        """Nothing seen yet (`load_json` gives what the store kept)."""
        self._tracker = SleepTracker()
        self.last: SleepSession | None = None
        self._held: SleepChange | None = None
        self._asleep_announced: datetime | None = None
        self._listeners: list[SleepListener] = []
        # Told of every new last session, fired or not: one long over still shows (module doc).
        self._session_listeners: list[Callable[[SleepSession], None]] = []

    def step(self, minutes: Iterable[Minute]) -> SleepStep:
        """Feed a copy of the tracker: nothing changes here until `apply`."""
        tracker = SleepTracker.from_json(self._tracker.as_json())
        changes = tracker.feed(minutes)
        last = self.last
        for change in changes:
            if change.event is SleepEvent.WOKE_UP:
                last = change.session
        now = dt_util.utcnow()
        announcement = announced(
            changes, now, tracker.open_session, self._held, asleep_announced=self._asleep_announced
        )
        return SleepStep(
            tracker, last, announcement.changes, announcement.held, announcement.asleep_announced
        )

    def apply(self, step: SleepStep) -> None:
        """Take a step whose minutes the recorder has."""
        self._tracker, self.last, self._held = step.tracker, step.last, step.held
        self._asleep_announced = step.asleep_announced

    @callback
    def async_fire(self, step: SleepStep, before: SleepSession | None) -> None:
        """Tell the entities, once the step is saved.

        The events of what is not long over (module doc), and a last session other than
        `before`, the one before the step, even when its events do not fire.
        """
        for change in step.changes:
            for listener in list(self._listeners):
                listener(change)
        if step.last is not None and step.last != before:
            for session_listener in list(self._session_listeners):
                session_listener(step.last)

    @callback
    def async_listen_sessions(self, listener: Callable[[SleepSession], None]) -> CALLBACK_TYPE:
        """Call `listener` with each new last session, whether its events fired or not."""
        self._session_listeners.append(listener)
        return lambda: self._session_listeners.remove(listener)

    @callback
    def async_listen(self, listener: SleepListener) -> CALLBACK_TYPE:
        """Call `listener` with each event."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def as_json(self) -> dict[str, Any]:
        """For the activity store."""
        return _state_json(self._tracker, self.last, self._held, self._asleep_announced)

    def load_json(self, data: dict[str, Any] | None) -> None:
        """From the activity store (None: a store written before sleep was counted)."""
        if data is None:
            return
        self._tracker = SleepTracker.from_json(data["tracker"])
        self.last = None if data.get("last") is None else SleepSession.from_json(data["last"])
        held = data.get("held")  # none in a store written before events were held back
        self._held = None if held is None else SleepChange.from_json(held)
        announced_start = data.get("asleep_announced")  # none in a store written before
        self._asleep_announced = (
            None if announced_start is None else datetime.fromisoformat(announced_start)
        )


def _state_json(
    tracker: SleepTracker,
    last: SleepSession | None,
    held: SleepChange | None,
    asleep_announced: datetime | None,
) -> dict[str, Any]:
    return {
        "tracker": tracker.as_json(),
        "last": None if last is None else last.as_json(),
        "held": None if held is None else held.as_json(),
        "asleep_announced": None if asleep_announced is None else asleep_announced.isoformat(),
    }
