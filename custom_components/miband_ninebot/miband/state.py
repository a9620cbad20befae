"""What a band has told during a connection, and what the integration tells it on each one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .alarm import Alarm
from .daily import DEFAULT_STEP_GOAL
from .protocol import HR_SLEEP_OFF, HR_SLEEP_ON, BatteryInfo, DeviceInfo, UserInfo


@dataclass(frozen=True, slots=True)
class BandState:
    """Everything the band has told during this connection."""

    device_info: DeviceInfo
    battery: BatteryInfo | None = None
    steps: int | None = None
    heart_rate: int | None = None


@dataclass(slots=True)
class BandSettings:
    """What the integration tells the band on every connection."""

    user: UserInfo
    wear_left: bool = True
    step_goal: int = DEFAULT_STEP_GOAL
    continuous_heart_rate: bool = False  # the band forgets it on every drop: set on each connect
    sleep_heart_rate: bool = False  # 1S: measure during sleep (`15 00 01`), set on each connect
    now: Callable[[], datetime] = field(default=datetime.now)  # the band keeps local time
    keep_activity_on_band: bool = False  # acknowledge blocks so that the band keeps them
    alarms: tuple[Alarm, ...] = ()  # what the band's slots should hold

    @property
    def sleep_heart_rate_command(self) -> bytes:
        """2A39's sleep-measurement command for the choice: `15 00 01` on, `15 00 00` off."""
        return HR_SLEEP_ON if self.sleep_heart_rate else HR_SLEEP_OFF
