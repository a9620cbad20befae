"""The band's day in Home Assistant: today's steps, what they come to, the goal reached once.

The band counts the day's steps and starts again at its midnight, which is Home Assistant's (the
integration sets its clock). It notifies a count only when it changes, so a count kept from
before midnight is not today's: at local midnight the day here starts at 0 steps, and a count
is taken as today's only once it differs from the last one seen (the band's reset, then its
steps). Distance and calories follow from the count and the wearer's profile (`miband.daily`).

The goal event fires when the day's count comes to the goal (the band's own FF03 code for it is
not relied on: see `miband.daily`). The day it last fired is stored, so a reconnect or a restart
the same day does not fire it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..miband.daily import DailyGoal, GoalReached, calories_kcal, distance_km
from ..miband.state import BandSettings
from ..options import Profile

STORAGE_VERSION = 1

type GoalListener = Callable[[GoalReached], None]


class BandDay:
    """Today's steps as the band counts them, and the goal's day, kept in the entry's storage."""

    def __init__(
        self,
        hass: HomeAssistant,
        address: str,
        profile: Profile,
        settings: BandSettings,
        on_change: Callable[[], None],
    ) -> None:
        """The day of the band at `address`, worn by `profile`, its goal in `settings`."""
        self.hass = hass
        self.profile = profile
        self._settings = settings
        self._on_change = on_change
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, f"{DOMAIN}.goal.{address.replace(':', '').lower()}"
        )
        self._goal = DailyGoal()
        self._listeners: list[GoalListener] = []
        self._last_count: int | None = None  # the band's last count, today's or not
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
        self._last_count = steps
        self.steps = steps
        self.async_check_goal()

    @callback
    def async_check_goal(self) -> None:
        """Fire the goal event if today's steps come to the goal (a new count, a new goal)."""
        if self.steps is None:
            return
        today = dt_util.now().date()
        reached = self._goal.check(today, self.steps, self._settings.step_goal)
        if reached is None:
            return
        self._store.async_delay_save(lambda: {"last_reached": today.isoformat()}, 0)
        for listener in list(self._listeners):
            listener(reached)

    @callback
    def _async_midnight(self, _now: datetime) -> None:
        self.steps = 0
        self._on_change()
