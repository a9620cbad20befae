"""The band's fixed names and times: its characteristics, and how long each answer may take.

docs/protocols/mi-band-1.md, sections 2 and 4.
"""

from __future__ import annotations

from datetime import timedelta


def _uuid(short: str) -> str:
    return f"0000{short}-0000-1000-8000-00805f9b34fb"


DEVICE_INFO_UUID = _uuid("ff01")
NOTIFICATION_UUID = _uuid("ff03")
USER_INFO_UUID = _uuid("ff04")
CONTROL_POINT_UUID = _uuid("ff05")
REALTIME_STEPS_UUID = _uuid("ff06")
LE_PARAMS_UUID = _uuid("ff09")
DATE_TIME_UUID = _uuid("ff0a")
BATTERY_UUID = _uuid("ff0c")
ACTIVITY_DATA_UUID = _uuid("ff07")
HEART_RATE_MEASUREMENT_UUID = _uuid("2a37")
HEART_RATE_CONTROL_POINT_UUID = _uuid("2a39")
ALERT_LEVEL_UUID = _uuid("2a06")

REQUIRED_CHARACTERISTICS = (
    DEVICE_INFO_UUID,
    NOTIFICATION_UUID,
    USER_INFO_UUID,
    CONTROL_POINT_UUID,
    LE_PARAMS_UUID,
    DATE_TIME_UUID,
    BATTERY_UUID,
)

AUTHENTICATION_TIMEOUT = 5.0  # s for the band's verdict on a known user id
TAP_TIMEOUT = 30.0  # s a first pairing waits for the wearer's tap (no source states the band's)
HEART_RATE_TIMEOUT = 20.0  # s; the band needs about 10 s for a manual measurement
# s of silence in the middle of an activity transfer before it is given up (MIUI allows a whole
# sync 30 s; a block of a few hundred minutes takes a few seconds at low latency).
ACTIVITY_TIMEOUT = 10.0
# How far the band's clock may be off before it counts as restarted (its alarms forgotten): more
# than any time-zone or daylight-saving change, less than a clock that started again from zero.
RESTARTED_CLOCK_DRIFT = timedelta(days=1)
# How far it may be off before its stamps count as another zone's: less than the smallest step
# between time zones (15 minutes), more than a clock that runs a little fast (the Mi Band 1 in Mi
# Fit's capture ran 36 s ahead of the date it had just been given, and stayed so).
CLOCK_CHANGE = timedelta(minutes=10)
