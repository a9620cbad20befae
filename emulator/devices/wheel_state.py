"""What an emulated Ninebot wheel's registers say, and what moves them with time.

Values are set in the units a rider's app shows (`WheelState`). An activity moves them, advanced
lazily whenever the wheel is asked, so no task runs in the background: a `RideProfile` the way a
ride does (speed, current and temperature vary, the battery drains, the odometer grows),
`Standing` a wheel switched on and balanced at rest, `ChargeProfile` a charger plugged in (current
into the pack, the level rising, the charger stopping at full). Without one the values stay as
set, the wheel's clock included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import math
from typing import ClassVar, Protocol


@dataclass(slots=True)
class WheelState:
    """What the wheel's registers say, in the units the rider's app shows."""

    battery: int = 80  # %
    speed: float = 0.0  # km/h
    average_speed: float = 0.0  # km/h
    total_distance: float = 202.89  # km
    trip_distance: float = 0.0  # km
    trip_time: float = 0  # s since power-on (the register holds whole seconds)
    temperature: float = 24.5  # deg C
    voltage: float = 58.2  # V
    current: float = 0.0  # A
    remaining_range: float = 24.0  # km
    total_ride_time: float = 360_000  # s the wheel has run in its life
    error_code: int = 0
    warning_code: int = 0
    locked: bool = False
    speed_limited: bool = False

    # Cells in series: WheelLog's getCellsForWheel counts 15 for the One (docs/protocols/
    # ninebot-one.md, section 3); a variant with another pack overrides it.
    cells_in_series: ClassVar[int] = 15

    def voltage_at(self, battery: float) -> float:
        """The pack's voltage at a charge level, empty to full: 3.3 to 4.15 V a cell.

        49.5-62.3 V for the One's 15 cells, which span the ride log's 52.49-61.59 V (section 3).
        """
        return round((49.5 + 12.8 * battery / 100) * self.cells_in_series / 15, 2)


@dataclass(slots=True)
class RideProfile:
    """A ride: cruising around `cruise_speed` with slow swells, drawing current, warming up.

    Deterministic in time, so a test or a benchmark sees the same ride every run. `energy_wh` is
    what the pack has given, for comparison with what a central integrates.
    """

    cruise_speed: float = 16.0  # km/h
    swell: float = 5.0  # km/h either side of the cruise speed
    period: float = 40.0  # s, one swell
    capacity_wh: float = 320.0  # One E+ pack
    elapsed: float = 0.0
    _energy_wh: float = 0.0
    _start_battery: int | None = None

    @property
    def energy_wh(self) -> float:
        """Wh the pack has given on this ride."""
        return self._energy_wh

    def advance(self, state: WheelState, seconds: float) -> None:
        """Move the ride on by `seconds`, in one-second steps."""
        _in_steps(seconds, lambda step: self._step(state, step))

    def _step(self, state: WheelState, dt: float) -> None:
        if self._start_battery is None:
            self._start_battery = state.battery
        self.elapsed += dt
        _tick(state, dt)
        phase = 2 * math.pi * self.elapsed / self.period
        speed = max(0.0, self.cruise_speed + self.swell * math.sin(phase))
        acceleration = self.swell * 2 * math.pi / self.period * math.cos(phase)  # km/h per s
        state.speed = round(speed, 3)
        state.current = round(1.5 + 0.35 * speed + 2.0 * acceleration, 2)
        state.trip_distance += speed * dt / 3600
        state.total_distance += speed * dt / 3600
        if state.trip_time:  # zero only at the power-on itself
            state.average_speed = round(state.trip_distance / state.trip_time * 3600, 3)
        self._energy_wh += max(0.0, state.voltage * state.current) * dt / 3600
        charge = max(0.0, 1 - self._energy_wh / self.capacity_wh)
        state.battery = max(0, min(100, round(self._start_battery * charge)))
        state.voltage = state.voltage_at(state.battery)
        state.remaining_range = round(state.battery * 0.3, 2)
        # The board warms towards a temperature set by the current it carries.
        target = 22.0 + 0.8 * abs(state.current)
        state.temperature = round(state.temperature + (target - state.temperature) * dt / 120, 1)


def _in_steps(seconds: float, step: Callable[[float], None]) -> None:
    """Run `step` over `seconds` in steps of at most one second."""
    remaining = min(seconds, 3600.0)  # an idle emulator asked after hours: one hour of it
    while remaining > 0:
        dt = min(1.0, remaining)
        remaining -= dt
        step(dt)


def _tick(state: WheelState, dt: float) -> None:
    """The wheel's clocks: power-on runtime and lifetime runtime run while it is on."""
    state.trip_time += dt
    state.total_ride_time += dt


@dataclass(slots=True)
class Standing:
    """Switched on, balanced at rest: the clock runs, a little current keeps the board awake."""

    current: float = 0.4  # A

    def advance(self, state: WheelState, seconds: float) -> None:
        """Stand for `seconds`."""
        state.speed, state.current = 0.0, self.current
        _in_steps(seconds, lambda step: _tick(state, step))


@dataclass(slots=True)
class ChargeProfile:
    """A charger plugged into a wheel that is on: current into the pack until it is full.

    The current is negative (into the pack), as jphein/ninebot-one reads a charge; a real wheel's
    sign is not confirmed by any source. At 100 % the charger stops and the current falls to the
    standing draw.
    """

    rate: float = 1.0  # % per minute
    current: float = -1.6  # A
    _level: float | None = None

    def advance(self, state: WheelState, seconds: float) -> None:
        """Charge for `seconds`."""
        _in_steps(seconds, lambda step: self._step(state, step))

    def _step(self, state: WheelState, dt: float) -> None:
        _tick(state, dt)
        if self._level is None:
            self._level = float(state.battery)
        self._level = min(100.0, self._level + self.rate * dt / 60)
        state.speed = 0.0
        state.battery = math.floor(self._level)
        state.current = self.current if state.battery < 100 else Standing().current
        state.voltage = state.voltage_at(state.battery)


class Activity(Protocol):
    """What moves a wheel's values with time."""

    def advance(self, state: WheelState, seconds: float) -> None:
        """Move the values on by `seconds`."""
