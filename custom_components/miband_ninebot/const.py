"""Constants shared across the integration."""

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
