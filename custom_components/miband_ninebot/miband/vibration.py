"""Vibration patterns: timed pulses of the band's motor (Gadgetbridge's `VibrationProfile`).

A pattern is pairs of milliseconds, motor on then off. Firmware from 1.0.10.14 starts the motor
with Immediate Alert `01` and stops it with `00`; older firmware with FF05 `08 01` and `13`
(docs/protocols/mi-band-1.md, section 3.10). A pulse lasts at most 500 ms, as Gadgetbridge keeps it.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from bleak import BleakClient

from .const import ALERT_LEVEL_UUID, CONTROL_POINT_UUID
from .protocol import ALERT_MILD, ALERT_OFF, VIBRATE_START, VIBRATE_STOP

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


async def play(client: BleakClient, pattern: VibrationPattern, repeat: int) -> None:
    """Play `pattern` `repeat` times: Immediate Alert where the firmware has it, else FF05."""
    alert = client.services.get_characteristic(ALERT_LEVEL_UUID)
    pulses = pattern.pulses * repeat
    for index, (on_ms, off_ms) in enumerate(pulses):
        if alert is not None:
            await client.write_gatt_char(alert, ALERT_MILD, response=False)
            await asyncio.sleep(on_ms / 1000)
            await client.write_gatt_char(alert, ALERT_OFF, response=False)
        else:
            await client.write_gatt_char(CONTROL_POINT_UUID, VIBRATE_START, response=True)
            await asyncio.sleep(on_ms / 1000)
            await client.write_gatt_char(CONTROL_POINT_UUID, VIBRATE_STOP, response=True)
        if index < len(pulses) - 1:
            await asyncio.sleep(off_ms / 1000)


async def stop(client: BleakClient) -> None:
    """Stop the motor, a pattern cut short: Immediate Alert `00`, or FF05 `13` on older firmware.

    Gadgetbridge's `stopCurrentNotification` does the same per firmware: `V2NotificationStrategy`
    writes `NO_ALERT` to 2A06, `V1NotificationStrategy` FF05 `13` (`COMMAND_STOP_MOTOR_VIBRATE`).
    """
    if (alert := client.services.get_characteristic(ALERT_LEVEL_UUID)) is not None:
        await client.write_gatt_char(alert, ALERT_OFF, response=False)
    else:
        await client.write_gatt_char(CONTROL_POINT_UUID, VIBRATE_STOP, response=True)
