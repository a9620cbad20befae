"""The Mi Band 1-series protocol against every vector of docs/protocols/mi-band-1.md (section 6)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time

from hypothesis import given, strategies as st
from miband import latency, protocol
from miband.alarm import Alarm, AlarmRepeat
from miband.latency import LeParams
from miband.protocol import (
    BatteryState,
    DeviceInfo,
    Gender,
    MalformedValueError,
    UserInfo,
    crc8_maxim,
    parse_battery_info,
    parse_device_info,
    parse_heart_rate,
    parse_steps,
)
from miband.vibration import VibrationPattern
import pytest

DEVICE_INFO_1S = bytes.fromhex("c83c7e51040004070006000216041004164c0301")
DEVICE_INFO_1 = bytes.fromhex("881073da000002620006000209040001")  # MB lab/descs


def test_crc8_maxim_check_value() -> None:
    assert crc8_maxim(b"123456789") == 0xA1  # vector 1


@pytest.mark.parametrize(
    ("record", "crc"),
    [
        ("74bef4600019af410004007465737400000000", 0x12),  # vector 2
        ("f6e4635c011ec14a0004003135353030353035", 0xB6),  # vector 3
    ],
)
def test_crc_of_the_brief_s_records(record: str, crc: int) -> None:
    assert crc8_maxim(bytes.fromhex(record)) == crc


def test_user_info_of_the_brief_with_a_1s() -> None:
    device = parse_device_info(DEVICE_INFO_1S)
    user = UserInfo(1626652276, Gender.FEMALE, 25, 175, 65, alias="test")
    assert user.encode("C8:0F:10:3C:7E:51", device).hex() == (
        "74bef46000" + "19af41000400746573740000000043"
    )  # vector 4


def test_user_info_of_the_brief_with_gadgetbridge_s_default_alias() -> None:
    device = parse_device_info(DEVICE_INFO_1S)
    user_id = protocol.user_id_from_alias("1550050550")
    user = UserInfo(user_id, Gender.MALE, 30, 193, 74, alias="1550050550")
    assert user.encode("C8:0F:10:32:CA:B6", device).hex() == (
        "f6e4635c011ec14a000400313535303035303500"
    )  # vector 5: the alias is cut to the 8 bytes the 1S has room for


def test_user_info_of_a_mi_band_1_has_no_feature_bytes() -> None:
    device = parse_device_info(DEVICE_INFO_1)
    encoded = UserInfo(7, Gender.MALE, 40, 180, 80, alias="abcdefghijkl").encode(
        "88:0F:10:10:73:DA", device
    )
    assert encoded[9:19] == b"abcdefghij"  # the alias starts at 9 and has 10 bytes
    assert encoded[19] == crc8_maxim(encoded[:19]) ^ 0xDA


@pytest.mark.parametrize(
    "field", [{"age": 256}, {"height": -1}, {"weight": 300}, {"user_id": 1 << 32}]
)
def test_user_info_refuses_values_that_do_not_fit(field: dict[str, int]) -> None:
    values = {"user_id": 1, "gender": Gender.FEMALE, "age": 30, "height": 170, "weight": 60}
    with pytest.raises(ValueError, match="does not fit"):
        UserInfo(**(values | field)).encode("C8:0F:10:3C:7E:51", None)  # type: ignore[arg-type]


def test_user_id_from_alias_follows_java_hash_code() -> None:
    assert protocol.user_id_from_alias("1550050550") == 1550050550
    assert protocol.user_id_from_alias("test") == 3556498  # "test".hashCode()


def test_device_info_of_a_1s() -> None:
    info = parse_device_info(DEVICE_INFO_1S)  # vector 8
    assert info == DeviceInfo(
        feature=4,
        appearance=0,
        hardware_version=4,
        profile_version="2.0.6.0",
        firmware_version="4.16.4.22",
        heart_rate_firmware_version="1.3.76.22",
    )
    assert info.model == "Mi Band 1S"
    assert info.supports_heart_rate


def test_device_info_of_a_mi_band_1() -> None:
    info = parse_device_info(DEVICE_INFO_1)
    assert (info.model, info.firmware_version, info.heart_rate_firmware_version) == (
        "Mi Band 1",
        "1.0.4.9",
        None,
    )
    assert not info.supports_heart_rate


def test_device_info_read_by_type_is_cut_to_19_bytes_and_refused() -> None:
    with pytest.raises(MalformedValueError, match="19 bytes"):
        parse_device_info(bytes.fromhex("c832cab60400046c0006000207031004124c03"))  # vector 9


def test_device_info_with_a_wrong_checksum_is_refused() -> None:
    corrupted = bytearray(DEVICE_INFO_1S)
    corrupted[7] ^= 0x01
    with pytest.raises(MalformedValueError, match="checksum"):
        parse_device_info(bytes(corrupted))


def test_a_1s_whose_sensor_firmware_is_zero_has_no_heart_rate() -> None:
    data = bytearray(DEVICE_INFO_1S)
    data[16:20] = bytes(4)
    assert not parse_device_info(bytes(data)).supports_heart_rate


def test_date_time_write_of_the_brief() -> None:
    moment = datetime(2016, 8, 31, 17, 1, 56)  # the band's local time, naive
    assert protocol.encode_date_time_write(moment).hex() == "10071f110138ffffffffffff"  # v. 15
    assert protocol.decode_date(bytes.fromhex("10071f110138")) == moment


def test_impossible_date_is_refused() -> None:
    with pytest.raises(MalformedValueError):
        protocol.decode_date(bytes.fromhex("100c1f110138"))  # month 13


def test_battery_info() -> None:
    info = parse_battery_info(bytes.fromhex("560e091204371805 0004".replace(" ", "")))
    assert info.level == 86
    assert info.last_charged == datetime(2014, 10, 18, 4, 55, 24)
    assert (info.charge_cycles, info.state) == (5, BatteryState.NOT_CHARGING)


@pytest.mark.parametrize("data", ["", "56", "ff0e09120437180500", "650e0912043718050004"])
def test_malformed_battery_info_is_refused(data: str) -> None:
    with pytest.raises(MalformedValueError):
        parse_battery_info(bytes.fromhex(data))


def test_steps_in_two_or_four_bytes() -> None:
    assert parse_steps(bytes.fromhex("0012")) == 4608  # vector 12
    assert parse_steps(bytes.fromhex("00120100")) == 70144
    with pytest.raises(MalformedValueError):
        parse_steps(b"\x01")


def test_le_params() -> None:
    assert latency.LOW_LATENCY.encode().hex() == "270031000000f40100000000"  # vector 14
    assert latency.HIGH_LATENCY.encode().hex() == "cc01f4010000f40100000000"
    linux = LeParams.decode(bytes.fromhex("cc01f40100002a0038006009"))
    assert linux.supervision_timeout_seconds == 0.42  # the Linux default behind the 0x08 drops


@pytest.mark.parametrize(
    ("data", "bpm"), [("0647", 71), ("0646", 70), ("0600", None), ("07b400", 180)]
)
def test_heart_rate_measurement(data: str, bpm: int | None) -> None:
    assert parse_heart_rate(bytes.fromhex(data)) == bpm  # vector 18, plus the uint16 form


@pytest.mark.parametrize("data", ["", "06", "07b4"])
def test_heart_rate_measurement_cut_short_is_refused(data: str) -> None:
    with pytest.raises(MalformedValueError):
        parse_heart_rate(bytes.fromhex(data))


def test_commands() -> None:
    assert protocol.HR_MANUAL_ON.hex() == "150201"  # vector 19
    assert protocol.HR_MANUAL_OFF.hex() == "150200"
    assert protocol.HR_CONTINUOUS_ON.hex() == "150101"
    assert protocol.HR_CONTINUOUS_OFF.hex() == "150100"
    assert (protocol.HR_SLEEP_ON.hex(), protocol.HR_SLEEP_OFF.hex()) == ("150001", "150000")
    assert protocol.encode_step_goal(8000).hex() == "0500401f"  # vector 20
    assert (protocol.WEAR_LEFT.hex(), protocol.WEAR_RIGHT.hex()) == ("0f00", "0f01")  # v. 21


def test_notification_codes() -> None:
    codes = protocol.Notification
    assert {codes(0x05), codes(0x0A), codes(0x15)} == protocol.AUTHENTICATED  # vector 22
    assert {codes(0x06), codes(0x13)} == protocol.NEEDS_TAP
    assert codes(0x08) is codes.LATENCY_SET


@given(st.binary(max_size=24))
def test_parsers_raise_only_malformed_value_errors(data: bytes) -> None:
    for parse in (
        parse_device_info,
        parse_battery_info,
        parse_steps,
        parse_heart_rate,
        LeParams.decode,
        protocol.decode_date,
    ):
        with contextlib.suppress(MalformedValueError):
            parse(data)


def test_alarm_commands() -> None:
    """Layout `04 slot enabled date(6) smart weekdays`, Monday bit 0 (mi-band-1.md, 3.6)."""
    evening = datetime(2026, 12, 2, 22, 0)  # a Wednesday
    weekdays = Alarm(0, True, time(7, 30), AlarmRepeat.WEEKDAYS, smart_wake=True)
    assert weekdays.encode(evening).hex(" ") == "04 00 01 1a 0b 02 07 1e 00 1e 1f"
    # Once, its time gone by today: tomorrow's date, no weekday, no window.
    once = Alarm(1, True, time(7, 30), AlarmRepeat.ONCE)
    assert once.encode(evening).hex(" ") == "04 01 01 1a 0b 03 07 1e 00 00 00"
    # A one-time alarm set for a day keeps that day.
    fixed = Alarm(2, True, time(6, 5), AlarmRepeat.ONCE, day=date(2026, 12, 25))
    assert fixed.encode(evening).hex(" ") == "04 02 01 1a 0b 19 06 05 00 00 00"
    assert Alarm(2, False, time(6, 5, 42), AlarmRepeat.WEEKENDS).encode(evening)[2:] == bytes(
        (0, 26, 11, 2, 6, 5, 0, 0, 0x60)
    )
    assert AlarmRepeat.DAILY.mask == 0x7F
    with pytest.raises(ValueError, match="slot 3"):
        Alarm(3)


@pytest.mark.parametrize(
    ("repeat", "expected"),
    [
        (AlarmRepeat.ONCE, datetime(2026, 12, 5, 7, 30)),
        (AlarmRepeat.DAILY, datetime(2026, 12, 5, 7, 30)),
        (AlarmRepeat.WEEKDAYS, datetime(2026, 12, 7, 7, 30)),  # after Friday 22:00, Monday
        (AlarmRepeat.WEEKENDS, datetime(2026, 12, 5, 7, 30)),
    ],
)
def test_alarm_next_ring(repeat: AlarmRepeat, expected: datetime) -> None:
    friday_night = datetime(2026, 12, 4, 22, 0)
    assert Alarm(0, True, time(7, 30), repeat).next_ring(friday_night) == expected


def test_vibration_patterns() -> None:
    """Gadgetbridge's on/off milliseconds, pulses capped at 500 ms, pauses of at least 25 ms."""
    assert VibrationPattern.SHORT.pulses == ((200, 200),)
    assert VibrationPattern.STACCATO.pulses == ((100, 25),)
    assert VibrationPattern.RING.pulses == ((300, 200), (500, 2000))
    assert len(VibrationPattern.ALARM_CLOCK.pulses) == 4
    assert all(on <= 500 for pattern in VibrationPattern for on, _off in pattern.pulses)
