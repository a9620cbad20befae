"""The Mi Band 1 / 1A / 1S protocol: bytes to values and back.

docs/protocols/mi-band-1.md, section 3.

Everything here is pure: no I/O, no Home Assistant. Integers are little-endian. The band
authenticates a central by a 20-byte user-info record whose last byte is a CRC-8/MAXIM of the
first 19 bytes XORed with the last octet of the band's MAC address; a band that has not seen the
record's user id before asks its wearer to tap it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from .advertisement import MODEL_MI_BAND_1, MODEL_MI_BAND_1A, MODEL_MI_BAND_1S
from .exceptions import MalformedValueError


def crc8_maxim(data: bytes) -> int:
    """CRC-8/MAXIM (Dallas 1-Wire): reflected polynomial 0x8C, init 0; "123456789" -> 0xA1."""
    crc = 0
    for byte in data:
        for bit in range(8):
            mix = (crc ^ (byte >> bit)) & 1
            crc >>= 1
            if mix:
                crc ^= 0x8C
    return crc


def mac_last_octet(address: str) -> int:
    """The last octet of "AA:BB:CC:DD:EE:FF", which salts the band's checksums."""
    return int(address.replace("-", ":").split(":")[-1], 16)


# -- user info (FF04), section 3.1 -------------------------------------------------------------


class Gender(IntEnum):
    """As the band stores it."""

    FEMALE = 0
    MALE = 1
    OTHER = 2


class UserInfoType(IntEnum):
    """What the band does with its data on authentication. Only NORMAL keeps it."""

    NORMAL = 0
    CLEAR_DATA = 1
    RETAIN_DATA = 2


USER_INFO_LENGTH = 20


@dataclass(frozen=True, slots=True)
class UserInfo:
    """The authentication record. The band binds to `user_id`: keep it stable per band."""

    user_id: int
    gender: Gender
    age: int  # years
    height: int  # cm
    weight: int  # kg
    alias: str = ""
    type: UserInfoType = UserInfoType.NORMAL

    def encode(self, address: str, device_info: DeviceInfo | None) -> bytes:
        """The 20 bytes for FF04, for the band at `address`.

        The 1A and 1S expect their device info's feature and appearance bytes copied in and the
        alias moved two bytes later; the original Mi Band 1 has neither.
        """
        for name, value, top in (
            ("age", self.age, 0xFF),
            ("height", self.height, 0xFF),
            ("weight", self.weight, 0xFF),
            ("user_id", self.user_id, 0xFFFFFFFF),
        ):
            if not 0 <= value <= top:
                raise ValueError(f"{name} {value} does not fit the user info record")
        record = bytearray(USER_INFO_LENGTH)
        record[0:4] = self.user_id.to_bytes(4, "little")
        record[4:9] = bytes((self.gender, self.age, self.height, self.weight, self.type))
        if device_info is None or device_info.model == MODEL_MI_BAND_1:
            alias_start = 9
        else:
            record[9:11] = bytes((device_info.feature, device_info.appearance))
            alias_start = 11
        alias = self.alias.encode("ascii", errors="replace")[: 19 - alias_start]
        record[alias_start : alias_start + len(alias)] = alias
        record[19] = crc8_maxim(bytes(record[:19])) ^ mac_last_octet(address)
        return bytes(record)


def user_id_from_alias(alias: str) -> int:
    """Gadgetbridge's user id for an alias: the number itself if it is one, else Java's hashCode.

    Kept so that a band paired with Gadgetbridge's default alias can be recognised; the
    integration generates its own random id.
    """
    if alias.isdigit() and int(alias) <= 0x7FFFFFFF:
        return int(alias)
    value = 0
    for char in alias:
        value = (31 * value + ord(char)) & 0xFFFFFFFF
    return value


# -- device info (FF01), section 3.2 -----------------------------------------------------------


def format_version(word: int) -> str:
    """A version word as the band's apps show it: its four bytes, high to low."""
    return ".".join(str(word >> shift & 0xFF) for shift in (24, 16, 8, 0))


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What FF01 says about the band."""

    feature: int
    appearance: int
    hardware_version: int
    profile_version: str
    firmware_version: str
    heart_rate_firmware_version: str | None  # 1S only

    @property
    def model(self) -> str | None:
        """The model by Gadgetbridge's rules, None for a band it does not know."""
        feature, appearance, hardware = self.feature, self.appearance, self.hardware_version
        if (feature, appearance) == (4, 0) or hardware == 4:
            return MODEL_MI_BAND_1S
        if (feature, appearance) == (5, 0) or (feature, hardware) == (0, 208):
            return MODEL_MI_BAND_1A
        if hardware == 2 or (feature, appearance, hardware) == (0, 0, 8):
            return MODEL_MI_BAND_1
        return None

    @property
    def supports_heart_rate(self) -> bool:
        """Only the 1S has the optical sensor, and it reports its firmware when it works."""
        return (
            self.model == MODEL_MI_BAND_1S
            # 0.0.0.0: a sensor that does not work (Gadgetbridge #234).
            and self.heart_rate_firmware_version not in (None, "0.0.0.0")  # noqa: S104 - a version
        )


def parse_device_info(data: bytes) -> DeviceInfo:
    """Decode FF01: 16 bytes (1, 1A) or 20 (1S), with a checksum over the device id."""
    if len(data) not in (16, 20):
        raise MalformedValueError(f"device info of {len(data)} bytes (expected 16 or 20)")
    if crc8_maxim(data[:7]) ^ data[3] != data[7]:
        raise MalformedValueError("device info checksum mismatch")

    def word(offset: int) -> int:
        return int.from_bytes(data[offset : offset + 4], "little")

    return DeviceInfo(
        feature=data[4],
        appearance=data[5],
        hardware_version=data[6],
        profile_version=format_version(word(8)),
        firmware_version=format_version(word(12)),
        heart_rate_firmware_version=format_version(word(16)) if len(data) == 20 else None,
    )


# -- date and time (FF0A), section 3.3 ---------------------------------------------------------

DATE_LENGTH = 6


def encode_date(moment: datetime) -> bytes:
    """Six bytes: year - 2000, month counted from 0, day, hour, minute, second (local time)."""
    return bytes(
        (
            moment.year - 2000,
            moment.month - 1,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
        )
    )


def decode_date(data: bytes) -> datetime:
    """The inverse of `encode_date`; naive, in the band's local time."""
    if len(data) < DATE_LENGTH:
        raise MalformedValueError(f"date of {len(data)} bytes")
    try:
        # Naive on purpose: the band keeps local time and knows no zone.
        return datetime(2000 + data[0], data[1] + 1, data[2], data[3], data[4], data[5])
    except ValueError as err:
        raise MalformedValueError(f"impossible date {data[:6].hex()}") from err


def encode_date_time_write(moment: datetime) -> bytes:
    """The 12 bytes written to FF0A: the date, then six filler bytes as Mi Fit sends them."""
    return encode_date(moment) + b"\xff" * 6


DATE_TIME_READ_LENGTH = 2 * DATE_LENGTH


def band_clock(data: bytes) -> datetime:
    """The band's own clock from an FF0A read: its second half.

    A read returns twelve bytes, two dates. In Mi Fit's capture of a Mi Band 1
    (tests/captures/mibanda_mi_fit_2014.toml) the first repeats the date just written and the
    second runs 36 s ahead of it, in both connections, and the activity headers' stamps follow
    the second; mibanda reads bytes 6-11 as the band's time. Six bytes (a band that answers with
    one date, which no capture shows) are taken as the clock.
    """
    if len(data) >= DATE_TIME_READ_LENGTH:
        return decode_date(data[DATE_LENGTH:DATE_TIME_READ_LENGTH])
    return decode_date(data)


# -- battery (FF0C) and steps (FF06), section 3.4 ----------------------------------------------


class BatteryState(StrEnum):
    """The band's battery status byte, as Home Assistant enum states."""

    NORMAL = "normal"
    LOW = "low"
    CHARGING = "charging"
    CHARGED = "charged"  # on the charger and full
    NOT_CHARGING = "not_charging"  # charger unplugged


_BATTERY_STATES: dict[int, BatteryState] = dict(enumerate(BatteryState))


@dataclass(frozen=True, slots=True)
class BatteryInfo:
    """FF0C, read or notified."""

    level: int  # %
    last_charged: datetime | None
    charge_cycles: int
    state: BatteryState | None  # None for a status byte no source documents


def parse_battery_info(data: bytes) -> BatteryInfo:
    """Decode the 10-byte battery record."""
    if len(data) != 10:
        raise MalformedValueError(f"battery info of {len(data)} bytes (expected 10)")
    if data[0] > 100:
        raise MalformedValueError(f"battery level {data[0]} %")
    try:
        last_charged: datetime | None = decode_date(data[1:7])
    except MalformedValueError:
        last_charged = None  # a band never charged since its clock was set
    return BatteryInfo(
        level=data[0],
        last_charged=last_charged,
        charge_cycles=int.from_bytes(data[7:9], "little"),
        state=_BATTERY_STATES.get(data[9]),
    )


def parse_steps(data: bytes) -> int:
    """Realtime steps: 2 bytes by Gadgetbridge and Mi Fit, 4 by other clients; accept both."""
    if len(data) not in (2, 4):
        raise MalformedValueError(f"step count of {len(data)} bytes")
    return int.from_bytes(data, "little")


# -- FF03 notifications, section 3.8 -----------------------------------------------------------


class Notification(IntEnum):
    """Single-byte status codes the band notifies on FF03 (the ones the integration acts on)."""

    NORMAL = 0x00
    CONNECTION_PARAMETERS_FAILED = 0x03
    CONNECTION_PARAMETERS_OK = 0x04
    AUTHENTICATION_SUCCESS = 0x05
    AUTHENTICATION_FAILED = 0x06
    LATENCY_SET = 0x08
    RESET_AUTHENTICATION_FAILED = 0x09
    RESET_AUTHENTICATION_SUCCESS = 0x0A
    WAITING_FOR_TAP = 0x13
    TAPPED = 0x15
    MALFUNCTION = 0xFF


AUTHENTICATED = frozenset(
    {
        Notification.AUTHENTICATION_SUCCESS,
        Notification.RESET_AUTHENTICATION_SUCCESS,
        Notification.TAPPED,
    }
)
NEEDS_TAP = frozenset({Notification.AUTHENTICATION_FAILED, Notification.WAITING_FOR_TAP})


# -- commands: control point FF05 and heart-rate control point 2A39, sections 3.6 and 3.9 -------

REALTIME_STEPS_ON = b"\x03\x01"
REALTIME_STEPS_OFF = b"\x03\x00"
VIBRATE_START = b"\x08\x01"  # firmware older than 1.0.10.14, which lacks 2A06
VIBRATE_STOP = b"\x13"
WEAR_LEFT = b"\x0f\x00"  # Mi Fit's capture; Gadgetbridge: 0 left, 1 right
WEAR_RIGHT = b"\x0f\x01"


def encode_wear_location(left: bool) -> bytes:
    """FF05: the wrist the band is worn on (Gadgetbridge `COMMAND_SET_WEAR_LOCATION`, 0x0f)."""
    return WEAR_LEFT if left else WEAR_RIGHT


def encode_step_goal(steps: int) -> bytes:
    """The daily step goal command."""
    if not 0 <= steps <= 0xFFFF:
        raise ValueError(f"step goal {steps}")
    return b"\x05\x00" + steps.to_bytes(2, "little")


HR_SLEEP_OFF = b"\x15\x00\x00"
HR_SLEEP_ON = b"\x15\x00\x01"
HR_CONTINUOUS_OFF = b"\x15\x01\x00"
HR_CONTINUOUS_ON = b"\x15\x01\x01"
HR_MANUAL_OFF = b"\x15\x02\x00"
HR_MANUAL_ON = b"\x15\x02\x01"

# Immediate Alert (2A06) levels.
ALERT_OFF = b"\x00"
ALERT_MILD = b"\x01"

# Firmware from this version on has the Immediate Alert service for vibration.
IMMEDIATE_ALERT_FIRMWARE = 16779790  # 1.0.10.14


def parse_heart_rate(data: bytes) -> int | None:
    """A Heart Rate Measurement (2A37): the bpm, or None when the band had no reading (0)."""
    if len(data) < 2:
        raise MalformedValueError(f"heart rate measurement of {len(data)} bytes")
    if data[0] & 0x01:  # 16-bit value
        if len(data) < 3:
            raise MalformedValueError("16-bit heart rate measurement cut short")
        value = int.from_bytes(data[1:3], "little")
    else:
        value = data[1]
    return value or None
