"""A 1S's `resting_heart_rate` sensor: one figure per finished sleep session (miband/resting.py)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorEntityDescription, SensorStateClass

from ..miband.sleep import SleepSession
from .sleep import ATTR_END, ATTR_START
from .sleep_entities import SessionSensor

ATTR_READINGS = "readings"
RESTING_ATTRIBUTES = (ATTR_START, ATTR_END, ATTR_READINGS)

RESTING_HEART_RATE = SensorEntityDescription(
    key="resting_heart_rate",
    translation_key="resting_heart_rate",
    native_unit_of_measurement="bpm",
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=0,
)


def resting_attributes(session: SleepSession) -> dict[str, Any]:
    """The session it is of (start and end, ISO, UTC) and how many readings it rests on."""
    return {
        ATTR_START: session.start.isoformat(),
        ATTR_END: session.end.isoformat(),
        ATTR_READINGS: session.heart_rate_readings,
    }


class RestingHeartRateSensor(SessionSensor):
    """The last finished session's resting heart rate; unknown if it had too few readings."""

    _restored_attributes = RESTING_ATTRIBUTES

    def _value(self, session: SleepSession) -> int | None:
        return session.resting_heart_rate

    def _attributes(self, session: SleepSession) -> dict[str, Any]:
        return resting_attributes(session)
