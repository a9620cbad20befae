"""The Ninebot One protocol against docs/protocols/ninebot-one.md's vectors (6), and by property."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings, strategies as st
from ninebot import protocol
from ninebot.protocol import (
    ADDRESS_ONE,
    ADDRESS_ONE_S2,
    COMMAND_READ,
    COMMAND_WRITE,
    COMMAND_WRITE_NO_RESPONSE,
    ONE,
    ONE_S2,
    Frame,
    LiveValues,
    StreamDecoder,
    encode_read,
)
from ninebot.transport import ONE_A1_S2, ONE_C_E_P
import pytest

from emulator.devices import wheel
from emulator.devices.wheel import NinebotOneS2
from emulator.devices.wheel_state import WheelState


def _decode_all(*notifications: str) -> tuple[list[Frame], StreamDecoder]:
    decoder = StreamDecoder()
    frames = [frame for n in notifications for frame in decoder.feed(bytes.fromhex(n))]
    return frames, decoder


@pytest.mark.parametrize(
    ("index", "registers", "address", "wire"),
    [
        (0x17, 4, ADDRESS_ONE, "55aa0309011708d3ff"),
        (0x10, 7, ADDRESS_ONE, "55aa030901100ed4ff"),
        (0xB7, 2, ADDRESS_ONE, "55aa030901b70437ff"),
        (0x1A, 1, ADDRESS_ONE, "55aa0309011a02d6ff"),
        (0xB0, 16, ADDRESS_ONE, "55aa030901b02022ff"),
        (0x10, 11, ADDRESS_ONE, "55aa0309011016ccff"),
        (0x73, 2, ADDRESS_ONE, "55aa03090173047bff"),
        (0xD2, 1, ADDRESS_ONE, "55aa030901d2021eff"),
        (0x61, 2, ADDRESS_ONE, "55aa03090161048dff"),
        (0xBC, 2, ADDRESS_ONE, "55aa030901bc0432ff"),
        (0xB4, 2, ADDRESS_ONE, "55aa030901b4043aff"),
        (0x50, 1, ADDRESS_ONE, "55aa0309015002a0ff"),
        (0x26, 1, ADDRESS_ONE, "55aa0309012602caff"),
        (0x3E, 1, ADDRESS_ONE, "55aa0309013e02b2ff"),
        (0x47, 1, ADDRESS_ONE, "55aa0309014702a9ff"),
        (0xB9, 1, ADDRESS_ONE, "55aa030901b90237ff"),
        (0x3A, 1, ADDRESS_ONE, "55aa0309013a02b6ff"),
        (0x25, 1, ADDRESS_ONE, "55aa0309012502cbff"),
        (0x29, 2, ADDRESS_ONE, "55aa0309012904c5ff"),
        (0xB6, 1, ADDRESS_ONE, "55aa030901b6023aff"),
        (0x70, 1, ADDRESS_ONE, "55aa030901700280ff"),
        (0x10, 7, ADDRESS_ONE_S2, "55aa031101100eccff"),
        (0xB0, 16, ADDRESS_ONE_S2, "55aa031101b0201aff"),
    ],
)
def test_read_requests_match_the_captures(
    index: int, registers: int, address: int, wire: str
) -> None:
    request = encode_read(index, registers, address)
    assert request.hex() == wire
    # And a request is itself a valid frame.
    assert _decode_all(wire)[0] == [Frame(address, COMMAND_READ, index, bytes((2 * registers,)))]


@pytest.mark.parametrize(("index", "registers"), [(0x100, 1), (-1, 1), (0x10, 0), (0x10, 17)])
def test_impossible_reads_are_refused(index: int, registers: int) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        encode_read(index, registers)


@pytest.mark.parametrize(
    ("frame", "wire"),
    [
        (Frame(ADDRESS_ONE, COMMAND_WRITE_NO_RESPONSE, 0xD2, b"\x05\x00"), "55aa040903d2050018ff"),
        (
            Frame(ADDRESS_ONE, COMMAND_WRITE_NO_RESPONSE, 0x74, (15000).to_bytes(2, "little")),
            "55aa04090374983aa9fe",
        ),
        (
            Frame(ADDRESS_ONE, COMMAND_WRITE_NO_RESPONSE, 0x73, (20000).to_bytes(2, "little")),
            "55aa04090373204e0eff",
        ),
        (Frame(ADDRESS_ONE, COMMAND_WRITE_NO_RESPONSE, 0x70, b"\x01"), "55aa03090370017fff"),
        (Frame(ADDRESS_ONE, COMMAND_WRITE_NO_RESPONSE, 0x70, b"\x00"), "55aa030903700080ff"),
        (Frame(ADDRESS_ONE, COMMAND_WRITE, 0xD2, b"\x00\x00"), "55aa040902d200001eff"),
        (Frame(ADDRESS_ONE, COMMAND_WRITE, 0xD2, b"\x05"), "55aa030902d2051aff"),
        (Frame(ADDRESS_ONE_S2, COMMAND_WRITE, 0x70, b"\x01"), "55aa031102700178ff"),
        (Frame(ADDRESS_ONE_S2, COMMAND_WRITE, 0x70, b"\x00"), "55aa031102700079ff"),
    ],
)
def test_write_frames_match_the_captures(frame: Frame, wire: str) -> None:
    assert frame.encode().hex() == wire


@pytest.mark.parametrize(
    ("variant", "lock", "unlock"),
    [
        # eucWatch v2/euc/eucNinebotE/eucNinebotE.js L16-17: the One C/E/P writes with 0x03.
        (ONE_C_E_P.variant, "55aa03090370017fff", "55aa030903700080ff"),
        # eucWatch v2/euc/eucNinebotS/eucNinebotS.js L17-18, 9BotONE: the S2 writes with 0x02.
        (ONE_A1_S2.variant, "55aa031102700178ff", "55aa031102700079ff"),
    ],
)
def test_lock_writes_are_eucwatch_s_commands(
    variant: protocol.Variant, lock: str, unlock: str
) -> None:
    def write(value: int) -> str:
        return protocol.encode_write(0x70, value, variant.address, variant.write_command).hex()

    assert (write(1), write(0)) == (lock, unlock)


def test_impossible_writes_are_refused() -> None:
    assert protocol.encode_write(0x70, 1).hex() == "55aa03090370017fff"  # the One's by default
    with pytest.raises(ValueError, match="cannot write 256"):
        protocol.encode_write(0x70, 256)
    with pytest.raises(ValueError, match="not a write command"):
        protocol.encode_write(0x70, 1, ADDRESS_ONE, COMMAND_READ)


def test_the_variants_write_and_scale_speed_as_their_sources_say() -> None:
    assert (ONE.write_command, ONE.write_is_answered) == (COMMAND_WRITE_NO_RESPONSE, False)
    assert (ONE_S2.write_command, ONE_S2.write_is_answered) == (COMMAND_WRITE, True)
    registers = dict.fromkeys(range(0xB0, 0xBF), 0) | {0xB5: 2716, 0xBE: 2716}
    one, s2 = LiveValues.from_registers(registers), LiveValues.from_registers(registers, ONE_S2)
    assert one is not None
    assert s2 is not None
    # The One's 0xB5 in m/h; the S2's 0xBE in 0.01 km/h (WheelLog 275d7f1e, "up to 320.00 km/h").
    assert (one.speed, s2.speed) == (2.716, 27.16)


def test_s2_firmware_version_reads_as_wheellog_prints_it() -> None:
    # WheelLog's S2 branch: hi nibble of byte 1, then both nibbles of byte 0.
    assert protocol.firmware_version_s2(0x3135) == "3.3.5"
    assert protocol.firmware_version(0x3135) == "1.3.5"


def test_total_ride_time_is_a_u32_low_word_first() -> None:
    assert protocol.total_ride_time({0x32: 0x5F90, 0x33: 0x0005}) == 5 * 65536 + 0x5F90
    assert protocol.total_ride_time({0x32: 0x5F90}) is None


@pytest.mark.parametrize("wire", ["55aa040903c600001eff", "55aa040903c601001eff"])
def test_eucwatch_commands_with_wrong_checksums_are_rejected(wire: str) -> None:
    frames, decoder = _decode_all(wire)
    assert frames == []
    assert decoder.stats.bad_checksums == 1


@pytest.mark.parametrize(
    ("wire", "registers"),
    [
        ("55aa08090117303030303030b6fe", {0x17: 0x3030, 0x18: 0x3030, 0x19: 0x3030}),
        ("55aa0409011a353171ff", {0x1A: 0x3135}),
        ("55aa080901104e324f45413157fe", {0x10: 0x324E, 0x11: 0x454F, 0x12: 0x3141}),
        ("55aa0809011335333341343595fe", {0x13: 0x3335, 0x14: 0x4133, 0x15: 0x3534}),
        ("55aa04090116313278ff", {0x16: 0x3231}),
        ("55aa060901b78a18030093fe", {0xB7: 6282, 0xB8: 3}),
        ("55aa040901d203001cff", {0xD2: 3}),
        ("55aa0409015038ff6afe", {0x50: 0xFF38}),
        ("55aa0609016185ffc80141fd", {0x61: 0xFF85, 0x62: 0x01C8}),
        ("55aa04090126393062ff", {0x26: 12345}),
        ("55aa060901298a18030021ff", {0x29: 6282, 0x2A: 3}),
        ("55aa04090169442024ff", {0x69: 0x2044}),
        ("55aa0409012555aacdfe", {0x25: 0xAA55}),
    ],
)
def test_answers_decode_to_their_registers(wire: str, registers: dict[int, int]) -> None:
    frames, _ = _decode_all(wire)
    assert len(frames) == 1
    assert frames[0].address == ADDRESS_ONE
    assert frames[0].command == COMMAND_READ
    assert frames[0].registers() == registers


def test_flipped_bit_is_rejected() -> None:
    frames, decoder = _decode_all("55aa060901b78b18030093fe")
    assert frames == []
    assert decoder.stats.bad_checksums == 1


def test_answers_split_across_notifications_reassemble() -> None:
    """Vectors 15 and 16: frames straddle notifications, several per notification."""
    frames, decoder = _decode_all(
        "55aa08090117303030303030b6fe55aa0409011a",
        "353171ff",
        "55aa080901104e324f45413157fe55aa08090113",
        "35333341343595fe55aa04090116313278ff",
    )
    assert [f.index for f in frames] == [0x17, 0x1A, 0x10, 0x13, 0x16]
    registers = {k: v for f in frames for k, v in f.registers().items()}
    assert protocol.serial_number(registers) == "N2OEA1533A4512"
    assert protocol.pin(registers) == "000000"
    assert protocol.firmware_version(registers[0x1A]) == "1.3.5"
    assert decoder.stats.bad_checksums == decoder.stats.skipped_bytes == 0


def test_the_author_s_whole_example_exchange() -> None:
    """The 9BMetrics protocol page: the wheel's notifications, in order."""
    frames, _ = _decode_all(
        "55aa08090117303030303030b6fe55aa0409011a",
        "353171ff",
        "55aa060901b78a18030093fe55aa080901104e32",
        "4f45413157fe55aa0809011335333341343595fe",
        "55aa04090116313278ff",
    )
    registers = {k: v for f in frames for k, v in f.registers().items()}
    assert protocol.serial_number(registers) == "N2OEA1533A4512"
    assert registers[0xB8] << 16 | registers[0xB7] == 202_890  # metres on the odometer


def test_a_value_that_reads_55_aa_does_not_derail_the_stream() -> None:
    """Range 0xAA55 is sent as 55 AA: after garbage, a false header must not eat real frames."""
    frames, decoder = _decode_all("ff00", "55aa0409012555aa", "cdfe55", "aa0409011a353171ff")
    assert [f.registers() for f in frames] == [{0x25: 0xAA55}, {0x1A: 0x3135}]
    assert decoder.stats.skipped_bytes == 2


def test_a_frame_cut_short_does_not_swallow_the_next_one() -> None:
    """A lost notification leaves a plausible header whose length reaches into a real frame."""
    frames, decoder = _decode_all("55aa0409", "55aa0409011a353171ff")
    assert [f.index for f in frames] == [0x1A]
    assert decoder.stats.bad_checksums == 1


def test_a_frame_cut_short_does_not_hold_back_a_complete_one() -> None:
    """Its claimed length reaches past the end of what arrived: the real frame is not delayed."""
    frames, decoder = _decode_all("55aa08", "55aa0409011a353171ff")
    assert [f.index for f in frames] == [0x1A]
    assert decoder.stats.cut_frames == 1


def test_false_header_with_impossible_length_is_skipped() -> None:
    frames, decoder = _decode_all("55aaff", "55aa01", "55aa0409011a353171ff")
    assert [f.index for f in frames] == [0x1A]
    assert decoder.stats.bad_lengths == 2


def test_partial_frame_is_forgotten_on_reset() -> None:
    decoder = StreamDecoder()
    assert decoder.feed(bytes.fromhex("55aa0409011a35")) == []
    decoder.reset()
    assert decoder.feed(bytes.fromhex("3171ff55aa0409011a353171ff")) == [
        Frame(ADDRESS_ONE, COMMAND_READ, 0x1A, b"\x35\x31")
    ]


def test_live_values_in_home_assistant_units() -> None:
    registers = {
        0xB0: 0,
        0xB1: 3,  # a warning
        0xB2: 0x0803,  # activated, locked, speed limit on
        0xB3: 0,
        0xB4: 87,  # %
        0xB5: 12345,  # 12.345 km/h
        0xB6: 9000,  # 9.0 km/h
        0xB7: 6282,
        0xB8: 3,  # 202.890 km
        0xB9: 1144,  # 11.44 km
        0xBA: 3405,  # s
        0xBB: 0xFFEC,  # -2.0 degC
        0xBC: 5749,  # 57.49 V
        0xBD: 0xFF38,  # -2.00 A (regenerating)
        0xBE: 0xFF85,  # the One's pitch, the S2's speed field
    }
    live = LiveValues.from_registers(registers)
    assert live == LiveValues(
        battery=87,
        speed=12.345,
        average_speed=9.0,
        total_distance=202.89,
        trip_distance=11.44,
        trip_time=3405,
        temperature=-2.0,
        voltage=57.49,
        current=-2.0,
        power=-114.98,
        error_code=0,
        warning_code=3,
        locked=True,
        speed_limited=True,
    )
    registers[0xB2] = 0x0800
    live = LiveValues.from_registers(registers, ONE_S2)
    assert live is not None
    assert (live.speed, live.locked, live.speed_limited) == (1.23, False, False)
    for needed in (0xB0, 0xBD, 0xBE):
        incomplete = {index: word for index, word in registers.items() if index != needed}
        assert LiveValues.from_registers(incomplete, ONE_S2) is None
    assert protocol.remaining_range(2350) == 23.5


def test_speed_in_reverse_is_a_positive_speed() -> None:
    registers = dict.fromkeys(range(0xB0, 0xBF), 0) | {0xB5: (-1500) & 0xFFFF}
    live = LiveValues.from_registers(registers)
    assert live is not None
    assert live.speed == 1.5


# The decoder's properties (any chunking, garbage, any bytes): test_ninebot_framing.py.


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in pairwise(points)]


# -- against the emulated wheel, whose framing is written independently -----------------------


def test_emulator_framing_matches_the_captures() -> None:
    assert wheel.frame(0x17, b"000000") == bytes.fromhex("55aa08090117303030303030b6fe")
    assert wheel.frame(0xB7, bytes.fromhex("8a180300")) == bytes.fromhex("55aa060901b78a18030093fe")


@pytest.mark.parametrize(
    ("serial", "model"),
    [
        ("N2OEA1533A4512", "Ninebot One E"),
        ("N2OCA1000A0001", "Ninebot One C"),
        ("N2OPB2210C0042", "Ninebot One P"),
        ("N2ZZA1000A0001", None),
        ("", None),
    ],
)
def test_model_from_serial(serial: str, model: str | None) -> None:
    assert protocol.model_from_serial(serial) == model


_wheel_states = st.builds(
    WheelState,
    battery=st.integers(0, 100),
    speed=st.floats(0, 32.767).map(lambda v: round(v, 3)),
    average_speed=st.floats(0, 30).map(lambda v: round(v, 3)),
    total_distance=st.floats(0, 4_000_000).map(lambda v: round(v, 3)),
    trip_distance=st.floats(0, 655).map(lambda v: round(v, 2)),
    trip_time=st.integers(0, 65_535),
    temperature=st.floats(-30, 90).map(lambda v: round(v, 1)),
    voltage=st.floats(40, 655).map(lambda v: round(v, 2)),
    current=st.floats(-300, 300).map(lambda v: round(v, 2)),
    remaining_range=st.floats(0, 655).map(lambda v: round(v, 2)),
)


@settings(max_examples=200, deadline=None)
@given(
    state=_wheel_states,
    first=st.integers(0x10, 0xF0),
    count=st.integers(1, 16),
    cuts=st.lists(st.integers(0, 10_000), max_size=20),
)
def test_any_answer_of_the_emulated_wheel_decodes_to_its_register_file(
    state: WheelState, first: int, count: int, cuts: list[int]
) -> None:
    """Answers the tests' captures never showed: other values, other ranges, other cuts."""
    identity = wheel.WheelIdentity()
    registers = wheel.register_file(identity, state)
    stream = b"".join(
        wheel.frame(index, b"".join(registers[i].to_bytes(2, "little") for i in words))
        for index in range(first, first + count, 3)
        if (words := range(index, min(index + 3, first + count)))
    )

    decoder = StreamDecoder()
    decoded: dict[int, int] = {}
    for chunk in _chunked(stream, cuts):
        for frame in decoder.feed(chunk):
            decoded.update(frame.registers())

    assert decoded == {index: registers[index] for index in range(first, first + count)}
    live = LiveValues.from_registers(wheel.register_file(identity, state))
    assert live is not None
    assert (live.battery, live.speed, live.voltage, live.current) == (
        state.battery,
        state.speed,
        state.voltage,
        state.current,
    )
    assert live.total_distance == pytest.approx(state.total_distance, abs=0.0005)
    assert live.temperature == state.temperature


@settings(max_examples=100, deadline=None)
@given(speed=st.integers(0, 32_000).map(lambda raw: raw / 100))
def test_the_emulated_s2_s_speed_decodes_at_its_hundredths(speed: float) -> None:
    """Up to WheelLog's "320.00 km/h", read back to the hundredth through the S2's variant."""
    s2 = NinebotOneS2(state=WheelState(speed=speed))
    registers = s2.registers()
    assert registers[0xBE] == round(speed * 100)
    assert registers[0xB5] == 0  # unverified: nothing is known of an S2's 0xB5
    live = LiveValues.from_registers(registers, ONE_S2)
    assert live is not None
    assert live.speed == speed
