"""What a wheel's live readings add up to: this power-on's top speed and energy, and its rides.

Fed one `LiveValues` at a time. The clock is the wheel's own: its power-on runtime (0xBA, whole
seconds), which runs while the wheel is on, standing or riding (9BMetrics' ride log: 3405 s of
runtime in a 3487-s recording that began at power-on). It keeps counting while no central is
connected, so a gap in the readings is measured where it happened, and it starts from zero at
every power-on, which is how a new power-on is told from a reconnect.

A ride starts when the wheel moves after standing and ends when it has stood for `end_delay`
seconds, when it is switched off (a new power-on shows up), or when the coordinator says the link
has stayed away for that long (`end`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .protocol import LiveValues

MOVING_SPEED = 2.0  # km/h: above a wheel balanced and pushed by hand
DEFAULT_END_DELAY = 60  # s standing before a ride counts as over
# A longer gap in the readings is not integrated: nothing says how the power went meanwhile.
MAX_INTEGRATION_GAP = 30


class RideEnd(StrEnum):
    """Why a ride ended."""

    STOPPED = "stopped"  # stood for the end delay
    SWITCHED_OFF = "switched_off"  # a new power-on appeared
    DISCONNECTED = "disconnected"  # the link stayed away for the end delay


@dataclass(frozen=True, slots=True)
class RideSummary:
    """A finished ride."""

    reason: RideEnd
    duration: int  # s, from moving off to coming to a stand
    distance: float  # km
    energy: float  # Wh
    top_speed: float  # km/h
    average_speed: float  # km/h over the duration


@dataclass(slots=True)
class _Ride:
    started: int  # wheel clock
    distance: float  # the trip counter then, km
    energy: float  # the power-on energy then, Wh
    top_speed: float = 0.0
    last_moving: int = 0  # wheel clock of the latest reading in motion
    last_distance: float = 0.0  # km, the trip counter then
    last_energy: float = 0.0  # Wh, the power-on energy then


@dataclass(slots=True)
class RideTracker:
    """Top speed and energy since power-on, and the rides within it."""

    end_delay: int = DEFAULT_END_DELAY
    top_speed: float | None = None  # km/h, None before the first reading
    energy: float | None = None  # Wh drawn from the battery, net of regeneration
    _clock: int | None = None
    _power_sum: float = 0.0
    _power_samples: int = 0
    _ride: _Ride | None = None

    @property
    def clock(self) -> int | None:
        """The wheel's runtime at the latest reading of this power-on; None before one."""
        return self._clock

    @property
    def riding(self) -> bool:
        """Whether a ride is under way."""
        return self._ride is not None

    def resume(self, top_speed: float, energy: float) -> None:
        """Carry on a power-on's figures counted before (by an earlier run of the caller)."""
        self.top_speed, self.energy = top_speed, energy

    def update(self, live: LiveValues) -> tuple[bool, RideSummary | None]:
        """Take a reading; whether a ride started with it, and the ride it ended, if any."""
        ended = None
        if self._clock is not None and live.trip_time < self._clock:
            ended = self.end(RideEnd.SWITCHED_OFF)
            self.top_speed = self.energy = None
            self._clock, self._power_sum, self._power_samples = None, 0.0, 0
        self._integrate(live)
        self.top_speed = max(self.top_speed or 0.0, live.speed)
        now = live.trip_time
        ride = self._ride
        if live.speed >= MOVING_SPEED:
            started = ride is None
            if ride is None:
                ride = self._ride = _Ride(now, live.trip_distance, self.energy or 0.0)
            ride.top_speed = max(ride.top_speed, live.speed)
            ride.last_moving, ride.last_distance = now, live.trip_distance
            ride.last_energy = self.energy or 0.0
            return started, ended
        if ride is not None and now - ride.last_moving >= self.end_delay:
            ended = self.end(RideEnd.STOPPED)
        return False, ended

    def end(self, reason: RideEnd) -> RideSummary | None:
        """End the ride under way, if there is one, and sum it up."""
        ride, self._ride = self._ride, None
        if ride is None:
            return None
        duration = max(ride.last_moving - ride.started, 0)
        distance = max(ride.last_distance - ride.distance, 0.0)
        return RideSummary(
            reason=reason,
            duration=duration,
            distance=round(distance, 2),
            # Up to the last moment in motion: the stand that ended it is not the ride's.
            energy=round(max(ride.last_energy - ride.energy, 0.0), 1),
            top_speed=ride.top_speed,
            average_speed=round(distance / duration * 3600, 1) if duration else 0.0,
        )

    def _integrate(self, live: LiveValues) -> None:
        """Add the power since the clock's last tick: the mean of its samples times the tick.

        The clock has whole seconds and readings come several times a second, so each second's
        energy is its readings' mean power. Charging (current into a standing wheel) is not
        energy a ride used and is left out.
        """
        power = 0.0 if live.speed == 0 and live.power < 0 else live.power
        if self._clock is None:
            self._clock, self.energy = live.trip_time, self.energy or 0.0
        elif live.trip_time > self._clock:
            elapsed = live.trip_time - self._clock
            if self._power_samples and elapsed <= MAX_INTEGRATION_GAP:
                mean = self._power_sum / self._power_samples
                self.energy = (self.energy or 0.0) + mean * elapsed / 3600
            self._clock, self._power_sum, self._power_samples = live.trip_time, 0.0, 0
        self._power_sum += power
        self._power_samples += 1
