"""The band's day in Home Assistant: today's steps, what they come to, the goal reached once.

The band counts the day's steps and starts again at its midnight, which is Home Assistant's give
or take its clock's drift (the integration sets its clock at each connection; the band keeps its
own from there). It notifies a count only when it changes, so a count kept from before midnight
is not today's: at local midnight the day here starts at 0 steps. A band whose clock lags is
still counting yesterday for a while after Home Assistant's midnight: its counts then would make
a false `reached` and a 0 -> yesterday's total -> 0 jump in the TOTAL_INCREASING distance and
calories. So a count is today's only once it differs from the last one seen, the band's own
clock (its offset from UTC, read at each connection, to the minute) says it is today too, and,
in the first `MIDNIGHT_GRACE` of the day, it is below the count held at midnight (the band has
started again: a lag under a minute does not show in the offset). A band ahead has started its
new day already: a drop in its count seen within `MIDNIGHT_GRACE` before Home Assistant's
midnight is its reset, and its count then is kept.
Distance and calories follow from the count and the wearer's profile (`miband.daily`).

The goal event fires when the day's count comes to the goal (the band's own FF03 code for it is
not relied on: see `miband.daily`). The day it last fired is stored, so a reconnect or a restart
the same day does not fire it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..miband.client import MiBandClient
from ..miband.daily import DailyGoal, GoalReached, calories_kcal, distance_km
from ..options import Profile

STORAGE_VERSION = 1
# Longer than the band's clock is ever off (it is set at every connection; Mi Fit's capture read
# it back 36 s ahead), shorter than a walk could take today's count past yesterday's total.
MIDNIGHT_GRACE = timedelta(minutes=5)

type GoalListener = Callable[[GoalReached], None]


class BandDay:
    """Today's steps as the band counts them, and the goal's day, kept in the entry's storage."""

    def __init__(
        self,
        hass: HomeAssistant,
        address: str,
        profile: Profile,
        band: MiBandClient,
        on_change: Callable[[], None],
    ) -> None:
        """The day of the band at `address`, worn by `profile`; its goal and clock from `band`."""
        self.hass = hass
        self.profile = profile
        self._band = band
        self._on_change = on_change
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, f"{DOMAIN}.goal.{address.replace(':', '').lower()}"
        )
        self._goal = DailyGoal()
        self._listeners: list[GoalListener] = []
        self._last_count: int | None = None  # the band's last count, today's or not
        self._reset_at: datetime | None = None  # when its count last dropped (its midnight)
        self._held_at_midnight: int | None = None  # yesterday's count, until the band's reset
        self.steps: int | None = None  # today's, None until a count is known

    async def async_load(self) -> None:
        """Read the day the goal was last reached."""
        data = await self._store.async_load()
        if data and (day := data.get("last_reached")) is not None:
            self._goal.last_reached = date.fromisoformat(day)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start a new day at every local midnight; returns what stops it."""
        return async_track_time_change(self.hass, self._async_midnight, hour=0, minute=0, second=0)

    @callback
    def async_listen(self, listener: GoalListener) -> CALLBACK_TYPE:
        """Call `listener` when the day's steps come to the goal; returns what stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @property
    def distance(self) -> float | None:
        """Today's walk, km."""
        return None if self.steps is None else distance_km(self.steps, self.profile.height)

    @property
    def calories(self) -> float | None:
        """Today's walk's energy, kcal (an estimate)."""
        return None if self.steps is None else calories_kcal(self.steps, self.profile.weight)

    @callback
    def async_count(self, steps: int | None) -> None:
        """The band's count (from any update of its state): today's once it changed."""
        if steps is None or steps == self._last_count:
            return
        now = dt_util.now()
        if self._last_count is not None and steps < self._last_count:
            self._reset_at, self._held_at_midnight = now, None  # the band's new day
        self._last_count = steps
        if self._band_day() < now.date():
            return  # its clock lags: yesterday's total, today's stays as it is until its reset
        held, since_midnight = self._held_at_midnight, now - dt_util.start_of_local_day()
        if held is not None and steps >= held and since_midnight < MIDNIGHT_GRACE:
            return  # not started again yet: it lags by less than its offset tells
        self.steps = steps
        self.async_check_goal()

    def _band_day(self) -> date:
        """The day of the band's own clock now (Home Assistant's before its clock is read)."""
        if (offset := self._band.clock_offset) is None:
            return dt_util.now().date()
        return (dt_util.utcnow() + offset).date()

    @callback
    def async_check_goal(self) -> None:
        """Fire the goal event if today's steps come to the goal (a new count, a new goal)."""
        if self.steps is None:
            return
        today = dt_util.now().date()
        reached = self._goal.check(today, self.steps, self._band.settings.step_goal)
        if reached is None:
            return
        self._store.async_delay_save(lambda: {"last_reached": today.isoformat()}, 0)
        for listener in list(self._listeners):
            listener(reached)

    @callback
    def _async_midnight(self, now: datetime) -> None:
        # A band ahead has started again just before: its count is the new day's. Any other
        # count is yesterday's.
        ahead = self._reset_at is not None and now - self._reset_at < MIDNIGHT_GRACE
        self.steps = self._last_count if ahead else 0
        self._held_at_midnight = None if ahead else self._last_count
        self._on_change()
