"""Constants shared across the integration: the domain, the entry's keys, the device kinds.

The options' defaults are in options.py.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

DOMAIN: Final = "miband_ninebot"

# Config entry data. The address is also the entry's unique_id.
CONF_KIND: Final = "kind"
CONF_MODEL: Final = "model"


class DeviceKind(StrEnum):
    """The two device families this integration speaks to."""

    BAND = "band"
    WHEEL = "wheel"


# Options (both kinds): how the link is used, and how often entities may write state.
CONF_CONNECTION_POLICY: Final = "connection_policy"
CONF_READ_INTERVAL: Final = "read_interval"
CONF_MIN_STATE_INTERVAL: Final = "min_state_interval"

# A band's entry: the user id the band knows Home Assistant by (data; generated once, never
# changed: the band asks for a tap for any other) and the wearer's profile (options).
CONF_USER_ID: Final = "user_id"
CONF_GENDER: Final = "gender"
CONF_AGE: Final = "age"
CONF_HEIGHT: Final = "height"
CONF_WEIGHT: Final = "weight"

# A band's options: its activity memory.
CONF_KEEP_ACTIVITY_ON_BAND: Final = "keep_activity_on_band"
CONF_ACTIVITY_SYNC_INTERVAL: Final = "activity_sync_interval"  # minutes, while the link is held

# A band's night sync cadence (band/cadence.py).
CONF_NIGHT_SYNC: Final = "night_sync"
CONF_NIGHT_SYNC_INTERVAL: Final = "night_sync_interval"  # minutes
CONF_NIGHT_SYNC_START: Final = "night_sync_start"  # local "HH:MM:SS"
CONF_NIGHT_SYNC_END: Final = "night_sync_end"

# A band's options: its reminders (`inactive`, `no_heart_rate`).
CONF_INACTIVE_STEPS: Final = "inactive_steps"  # fewer in the window: inactive
CONF_INACTIVE_WINDOW: Final = "inactive_window"  # minutes
CONF_INACTIVE_FROM: Final = "inactive_from"  # local time, "HH:MM:SS"
CONF_INACTIVE_TO: Final = "inactive_to"
CONF_NO_HEART_RATE_AFTER: Final = "no_heart_rate_after"  # minutes without a reading

# A wheel's options: the battery level its charge event announces, and how long it must stand
# before a ride counts as over.
CONF_CHARGE_LIMIT: Final = "charge_limit"  # %
CONF_RIDE_END_DELAY: Final = "ride_end_delay"  # s
