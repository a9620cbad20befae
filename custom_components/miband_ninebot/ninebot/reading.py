"""What a session reports: who the wheel is, and one complete set of its values."""

from __future__ import annotations

from dataclasses import dataclass, field

from .battery_pack import BatteryPack
from .protocol import LiveValues


@dataclass(frozen=True, slots=True)
class WheelIdentity:
    """What the wheel says about itself, read once per connection."""

    serial_number: str
    firmware_version: str
    pin: str | None = field(default=None, repr=False)  # sensitive: kept out of reprs and logs
    ble_version: str | None = None  # a Z's Bluetooth board (0x68); the format is a guess


@dataclass(frozen=True, slots=True)
class WheelReading:
    """One complete set of values, as published after every live cycle."""

    identity: WheelIdentity
    live: LiveValues
    remaining_range: float | None  # km; None from a wheel that does not answer for it
    total_ride_time: int | None  # s the wheel has run in its life; likewise
    packs: tuple[BatteryPack, ...] = ()  # a Z's battery packs, those that answer
    version_errors: tuple[int, ...] = ()  # a Z's error codes in its version block

    @property
    def error_codes(self) -> tuple[int, ...]:
        """Every error code the wheel reports now: its live one first, then a Z's others."""
        codes = (self.live.error_code, *self.version_errors)
        return tuple(dict.fromkeys(code for code in codes if code))


@dataclass(slots=True)
class PollStats:
    """How polling went, for diagnostics and benchmarks."""

    requests: int = 0
    timeouts: int = 0
    live_cycles: int = 0
    foreign_frames: int = 0  # well-formed frames that are not read answers for us
