"""Every option's default, and the readers that take an entry's options with them.

The keys are in const.py. An entry made before an option existed does not have it, so every
option is read here, with its default: the coordinators, the options flow's forms and the link
settings (`link_settings`) all take the same value.

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum
from typing import Any, Final

from .const import (
    CONF_ACTIVITY_SYNC_INTERVAL,
    CONF_AGE,
    CONF_CHARGE_LIMIT,
    CONF_CONNECTION_POLICY,
    CONF_GENDER,
    CONF_HEIGHT,
    CONF_INACTIVE_FROM,
    CONF_INACTIVE_STEPS,
    CONF_INACTIVE_TO,
    CONF_INACTIVE_WINDOW,
    CONF_KEEP_ACTIVITY_ON_BAND,
    CONF_MIN_STATE_INTERVAL,
    CONF_NIGHT_SYNC,
    CONF_NIGHT_SYNC_END,
    CONF_NIGHT_SYNC_INTERVAL,
    CONF_NIGHT_SYNC_START,
    CONF_NO_HEART_RATE_AFTER,
    CONF_READ_INTERVAL,
    CONF_RIDE_END_DELAY,
    CONF_WEIGHT,
)
from .miband import reminders
from .ninebot.charge import DEFAULT_LIMIT
from .ninebot.ride import DEFAULT_END_DELAY


class ConnectionPolicy(StrEnum):
    """Whether the link is held, or opened for a reading now and then."""

    HOLD = "hold"
    PERIODIC = "periodic"


# Both kinds: the link is held, or connected every read interval for a reading; an entity writes
# its state at most once per minimum interval.
DEFAULT_CONNECTION_POLICY: Final = ConnectionPolicy.HOLD
DEFAULT_READ_INTERVAL: Final = 300.0  # s between connections when the link is not held
DEFAULT_MIN_STATE_INTERVAL: Final = 1.0  # s between state writes of an entity

# A band: the wearer's profile, and its activity memory.
DEFAULT_PROFILE: Final = {CONF_GENDER: "female", CONF_AGE: 30, CONF_HEIGHT: 170, CONF_WEIGHT: 70}
DEFAULT_ACTIVITY_SYNC_INTERVAL: Final = 15  # min, while the link is held
DEFAULT_KEEP_ACTIVITY_ON_BAND: Final = False

# A band's reminders: `inactive` (fewer steps than this in the window, within the hours, local
# time) and `no_heart_rate` (minutes without a reading while measuring continuously). The
# library's defaults, as the options hold them.
DEFAULT_INACTIVE_STEPS: Final = reminders.DEFAULT_INACTIVE_STEPS
DEFAULT_INACTIVE_WINDOW: Final = int(reminders.DEFAULT_INACTIVE_WINDOW.total_seconds() // 60)
DEFAULT_INACTIVE_FROM: Final = reminders.DEFAULT_INACTIVE_FROM.isoformat()  # "09:00:00"
DEFAULT_INACTIVE_TO: Final = reminders.DEFAULT_INACTIVE_TO.isoformat()
DEFAULT_NO_HEART_RATE_AFTER: Final = int(
    reminders.DEFAULT_NO_HEART_RATE_AFTER.total_seconds() // 60
)

# A wheel: the battery level its charge event announces, and how long it must stand before a
# ride counts as over. The trackers (ninebot/) hold the same values as their own defaults, so
# they stay usable without Home Assistant: the options take theirs.
DEFAULT_CHARGE_LIMIT: Final = DEFAULT_LIMIT  # %
DEFAULT_RIDE_END_DELAY: Final = DEFAULT_END_DELAY  # s


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """The user's options for a device's link."""

    policy: ConnectionPolicy = DEFAULT_CONNECTION_POLICY
    read_interval: float = DEFAULT_READ_INTERVAL
    min_state_interval: float = DEFAULT_MIN_STATE_INTERVAL


def link_settings(options: Mapping[str, Any]) -> LinkSettings:
    """The link settings an entry's options ask for, defaults where they are silent."""
    return LinkSettings(
        policy=ConnectionPolicy(options.get(CONF_CONNECTION_POLICY, DEFAULT_CONNECTION_POLICY)),
        read_interval=float(options.get(CONF_READ_INTERVAL, DEFAULT_READ_INTERVAL)),
        min_state_interval=float(options.get(CONF_MIN_STATE_INTERVAL, DEFAULT_MIN_STATE_INTERVAL)),
    )


@dataclass(frozen=True, slots=True)
class Profile:
    """The wearer's profile, as the band takes it (its step and calorie counts use it)."""

    gender: str  # a `miband.protocol.Gender` name, lower case
    age: int  # years
    height: int  # cm
    weight: int  # kg

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Profile:
        """The profile in `options`, defaults for what they do not say."""
        merged = {**DEFAULT_PROFILE, **options}
        return cls(
            gender=str(merged[CONF_GENDER]),
            age=int(merged[CONF_AGE]),
            height=int(merged[CONF_HEIGHT]),
            weight=int(merged[CONF_WEIGHT]),
        )


def activity_sync_interval(options: Mapping[str, Any]) -> timedelta:
    """How often a band's memory is synced while the link is held."""
    return timedelta(
        minutes=float(options.get(CONF_ACTIVITY_SYNC_INTERVAL, DEFAULT_ACTIVITY_SYNC_INTERVAL))
    )


def keep_activity_on_band(options: Mapping[str, Any]) -> bool:
    """Whether a band keeps the minutes Home Assistant has synced (for another app)."""
    return bool(options.get(CONF_KEEP_ACTIVITY_ON_BAND, DEFAULT_KEEP_ACTIVITY_ON_BAND))


def charge_limit(options: Mapping[str, Any]) -> int:
    """The battery level, %, a wheel's charge event announces."""
    return int(options.get(CONF_CHARGE_LIMIT, DEFAULT_CHARGE_LIMIT))


def ride_end_delay(options: Mapping[str, Any]) -> int:
    """Seconds a wheel must stand before a ride counts as over."""
    return int(options.get(CONF_RIDE_END_DELAY, DEFAULT_RIDE_END_DELAY))


# -- a band's night sync cadence ------------------------------------------------------------------
# Off unless chosen: it costs the band link time (docs/mi-band.md, "Night sync cadence"), and only
# sleep automations gain by it.
DEFAULT_NIGHT_SYNC: Final = False
DEFAULT_NIGHT_SYNC_INTERVAL: Final = 5  # min
DEFAULT_NIGHT_SYNC_START: Final = "22:00:00"
DEFAULT_NIGHT_SYNC_END: Final = "08:00:00"


def night_sync(options: Mapping[str, Any]) -> tuple[timedelta, time, time] | None:
    """The night's sync interval, start and end (local), or None when the option is off."""
    if not options.get(CONF_NIGHT_SYNC, DEFAULT_NIGHT_SYNC):
        return None
    return (
        timedelta(
            minutes=float(options.get(CONF_NIGHT_SYNC_INTERVAL, DEFAULT_NIGHT_SYNC_INTERVAL))
        ),
        time.fromisoformat(str(options.get(CONF_NIGHT_SYNC_START, DEFAULT_NIGHT_SYNC_START))),
        time.fromisoformat(str(options.get(CONF_NIGHT_SYNC_END, DEFAULT_NIGHT_SYNC_END))),
    )


def inactivity_settings(options: Mapping[str, Any]) -> reminders.InactivitySettings:
    """When a band's `inactive` turns on: too few steps in the window, within the hours."""
    return reminders.InactivitySettings(
        steps=int(options.get(CONF_INACTIVE_STEPS, DEFAULT_INACTIVE_STEPS)),
        window=timedelta(minutes=int(options.get(CONF_INACTIVE_WINDOW, DEFAULT_INACTIVE_WINDOW))),
        start=time.fromisoformat(str(options.get(CONF_INACTIVE_FROM, DEFAULT_INACTIVE_FROM))),
        end=time.fromisoformat(str(options.get(CONF_INACTIVE_TO, DEFAULT_INACTIVE_TO))),
    )


def no_heart_rate_after(options: Mapping[str, Any]) -> timedelta:
    """How long a band measuring continuously may go without a reading before it is a problem."""
    return timedelta(
        minutes=int(options.get(CONF_NO_HEART_RATE_AFTER, DEFAULT_NO_HEART_RATE_AFTER))
    )
