"""Vibration patterns: timed pulses of the band's motor (Gadgetbridge's `VibrationProfile`).

A pattern is pairs of milliseconds, motor on then off. Firmware from 1.0.10.14 starts the motor
with Immediate Alert `01` and stops it with `00`; older firmware with FF05 `08 01` and `13`
(docs/protocols/mi-band-1.md, section 3.10). A pulse lasts at most 500 ms, as Gadgetbridge keeps it.
"""

from __future__ import annotations

from enum import StrEnum

MAX_PULSE_MS = 500
MIN_PAUSE_MS = 25  # between two pulses, so that the band sees the stop before the next start


class VibrationPattern(StrEnum):
    """Gadgetbridge's profiles."""

    STACCATO = "staccato"
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"
    WATERDROP = "waterdrop"
    RING = "ring"
    ALARM_CLOCK = "alarm_clock"

    @property
    def pulses(self) -> tuple[tuple[int, int], ...]:
        """(on, off) in ms, the motor time capped and the pause floored as they are sent."""
        timings = _TIMINGS[self]
        return tuple(
            (min(timings[n], MAX_PULSE_MS), max(timings[n + 1], MIN_PAUSE_MS))
            for n in range(0, len(timings), 2)
        )


_TIMINGS: dict[VibrationPattern, tuple[int, ...]] = {
    VibrationPattern.STACCATO: (100, 0),
    VibrationPattern.SHORT: (200, 200),
    VibrationPattern.MEDIUM: (300, 600),
    VibrationPattern.LONG: (500, 1000),
    VibrationPattern.WATERDROP: (100, 1500),
    VibrationPattern.RING: (300, 200, 600, 2000),
    VibrationPattern.ALARM_CLOCK: (30, 35, 30, 35, 30, 35, 30, 800),
}

DEFAULT_PATTERN = VibrationPattern.SHORT
NOTIFICATION_REPEAT = 3  # Gadgetbridge's default repeat for a notification
