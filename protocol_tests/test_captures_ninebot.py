"""Ninebot captures and peers' vectors through the wheel's pure decoders, asserting what they say.

Corpus files (tests/captures/, provenance in each): NinebotClientTest's log of a One E+ and the S2
frames fgorina checked (9BMetrics issue 6), the 9BMetrics protocol page's example exchange,
NinebotClientTest's unit test, eucWatch's command literals, the frames 9BotONE builds for an S2,
WheelLog's advertisement patterns and GATT tables, and WheelLog's Z10 adapter test. Every frame a
file holds is handed out by a `Ledger`, and each file's test ends by checking that none was left
unused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
import json
import re
from typing import Any

from ninebot.advertisement import (
    MODEL_ONE_E,
    MODEL_ONE_S2,
    NINEBOT_COMPANY_ID,
    UART_SERVICE_UUID,
    is_s2_manufacturer_data,
    model_from_advertisement,
)
from ninebot.client import NinebotClient
from ninebot.protocol import (
    ADDRESS_ONE,
    ADDRESS_ONE_S2,
    COMMAND_READ,
    LOCK,
    ONE_S2,
    Frame,
    LiveValues,
    StreamDecoder,
    Variant,
    encode_read,
    encode_write,
    firmware_version,
    model_from_serial,
    pin,
    remaining_range,
    serial_number,
)
from ninebot.transport import ONE_A1_S2, ONE_C_E_P
import pytest

from emulator.captures import corpus
from emulator.devices.wheel import NORDIC_UART_SERVICE, NinebotOne, NinebotOneS2

ISSUE6_ONE_E_PLUS = "ninebotclienttest_issue6_one_e_plus"
ISSUE6_S2 = "ninebot_issue6_one_s2_frames"
PROTOCOL_PAGE = "gorina_9bmetrics_protocol_page"
NCT_UNIT_TEST = "ninebotclienttest_unit_test"
EUCWATCH = "eucwatch_command_literals"
NINEBOTONE = "9botone_s2_writes"
WHEELLOG_DETECT = "wheellog_detect_wheel"
WHEELLOG_Z10 = "wheellog_z10_adapter_test"
NINEBOT_CAPTURES = (
    ISSUE6_ONE_E_PLUS,
    ISSUE6_S2,
    PROTOCOL_PAGE,
    NCT_UNIT_TEST,
    EUCWATCH,
    NINEBOTONE,
    WHEELLOG_DETECT,
    WHEELLOG_Z10,
)

_BYTE_FIELDS = ("hex", "literal")
# A 55 AA or 5A A5 frame spelled out anywhere but in a byte field would escape the ledger.
_STRAY_FRAME = re.compile(r"(?i)(?:55\s*aa|5a\s*a5)(?:\s*[0-9a-f]{2}){4}")


def _literal(text: str) -> bytes:
    """A source's array literal, `[85, 0xAA, 3, ...]`, as bytes."""
    return bytes(int(item, 0) for item in text.strip("[]").split(","))


def _byte_entries(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every table in a document that holds bytes (a `hex` or `literal` field)."""
    if isinstance(node, Mapping):
        if any(key in node for key in _BYTE_FIELDS):
            yield node
        for value in node.values():
            yield from _byte_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _byte_entries(item)


def _strings_outside_byte_fields(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key not in _BYTE_FIELDS:
                yield from _strings_outside_byte_fields(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings_outside_byte_fields(item)
    elif isinstance(node, str):
        yield node


class Ledger:
    """Hands out a corpus file's bytes, and tells which of its byte fields were never asked for."""

    def __init__(self, name: str) -> None:
        self.capture = corpus.load(name)
        self.content = self.capture.content
        self._used: set[int] = set()

    def wire(self, entry: Mapping[str, Any]) -> bytes:
        """An entry's bytes: `hex` as the source spelled it (spaces allowed), or its `literal`."""
        self._used.add(id(entry))
        if "literal" in entry:
            return _literal(entry["literal"])
        return bytes.fromhex(entry["hex"])

    def notifications(self, entry: Mapping[str, Any]) -> list[bytes]:
        """An entry whose `hex` is a list: the notifications in the order they arrived."""
        self._used.add(id(entry))
        return [bytes.fromhex(part) for part in entry["hex"]]

    def unused(self) -> list[str]:
        """The byte fields no check asked for, and frames spelled out outside byte fields."""
        unasked = [
            repr(entry) for entry in _byte_entries(self.content) if id(entry) not in self._used
        ]
        stray = [
            text for text in _strings_outside_byte_fields(self.content) if _STRAY_FRAME.search(text)
        ]
        return unasked + stray


def _decode(*notifications: bytes) -> tuple[list[Frame], StreamDecoder]:
    decoder = StreamDecoder()
    return [frame for part in notifications for frame in decoder.feed(part)], decoder


def _one_frame(wire: bytes) -> Frame:
    frames, decoder = _decode(wire)
    assert len(frames) == 1, wire.hex()
    assert decoder.stats.skipped_bytes == 0
    return frames[0]


def _printed_registers(printed: str) -> dict[int, int]:
    """NinebotClientTest's `[25: 12336, 23: 12336]`: register: value, both decimal."""
    return {int(index): int(value) for index, value in re.findall(r"(\d+): (\d+)", printed)}


# -- provenance ---------------------------------------------------------------------------------


def test_every_ninebot_capture_has_its_checks() -> None:
    ninebot = {name for name in corpus.names() if "Ninebot" in corpus.load(name).source.device}
    assert ninebot == set(NINEBOT_CAPTURES) == set(_CHECKS)


@pytest.mark.parametrize("name", NINEBOT_CAPTURES)
def test_every_ninebot_capture_says_where_it_comes_from(name: str) -> None:
    source = corpus.load(name).source
    assert source.title
    assert source.device
    assert source.captured_by
    assert source.url.startswith("https://"), source.url
    if source.repository is not None:
        assert source.path
        assert re.fullmatch(r"[0-9a-f]{40}", source.commit or "")
        assert source.url.startswith(f"https://github.com/{source.repository}/")
        assert source.commit in source.url  # the address names the version the bytes come from


# -- 9BMetrics issue 6: a One E+ and an S2 -------------------------------------------------------


def _check_one_e_plus_registers(ledger: Ledger) -> None:
    decoder = StreamDecoder()
    registers: dict[int, int] = {}
    answers: dict[str, list[Frame]] = {}
    for entry in ledger.content["frames"]:
        frames = decoder.feed(ledger.wire(entry))
        assert len(frames) == 1
        frame = frames[0]
        assert (frame.address, frame.command) == (ADDRESS_ONE, COMMAND_READ)
        assert frame.registers() == _printed_registers(entry["printed"])
        registers.update(frame.registers())
        answers.setdefault(entry["after"], []).append(frame)

    # Each answer starts at the request's "command" and carries its "param" bytes, in frames of
    # at most three registers each (the split the session's live block is sized for).
    for logged, frames in answers.items():
        match = re.search(r"Sending command (\d+) param (\d+)", logged)
        assert match is not None
        first, size = int(match[1]), int(match[2])
        assert [frame.index for frame in frames] == list(range(first, first + size // 2, 3))
        assert sum(len(frame.data) for frame in frames) == size
    assert decoder.stats.bad_checksums == decoder.stats.skipped_bytes == 0


def test_the_one_e_plus_log_decodes_to_the_registers_the_client_printed() -> None:
    """NinebotClientTest, 2016-02-04: e.g. its `[183: 19211]` is our 0xB7 = 19211."""
    _check_one_e_plus_registers(Ledger(ISSUE6_ONE_E_PLUS))


def _check_one_e_plus_values(ledger: Ledger) -> None:
    frames, _ = _decode(*(ledger.wire(entry) for entry in ledger.content["frames"]))
    registers = {index: word for frame in frames for index, word in frame.registers().items()}

    serial = serial_number(registers)
    assert serial == "N2OEA1533A4512"
    assert model_from_serial(serial) == MODEL_ONE_E
    assert pin(registers) == "000000"
    assert firmware_version(registers[0x1A]) == "1.3.5"  # [26: 12597]
    assert remaining_range(registers[0x25]) == 13.88  # [37: 1388]
    assert LiveValues.from_registers(registers) == LiveValues(
        battery=51,  # [180: 51]
        speed=0.0,  # [181: 0]
        average_speed=12.1,  # [182: 12100]
        total_distance=84.747,  # [183: 19211], [184: 1]
        trip_distance=0.0,  # [185: 0]
        trip_time=66,  # [186: 66]
        temperature=30.1,  # [187: 301]
        voltage=54.94,  # [188: 5494]
        current=0.08,  # [189: 8]
        power=4.4,
        error_code=0,  # [176: 0]
        warning_code=0,  # [177: 0]
        locked=False,  # [178: 8]: only bit 3, whose meaning is unknown
        speed_limited=False,
    )


def test_the_one_e_plus_log_reads_as_the_integration_shows_it() -> None:
    _check_one_e_plus_values(Ledger(ISSUE6_ONE_E_PLUS))


def _check_s2_verdicts(ledger: Ledger) -> None:
    for entry in ledger.content["frames"]:
        frames, decoder = _decode(ledger.wire(entry))
        if entry["verdict"] == "ok":
            assert len(frames) == 1
            # Nothing swapped: an S2's frames keep ADDR 0x11 and CMD 0x01.
            assert (frames[0].address, frames[0].command) == (ADDRESS_ONE_S2, COMMAND_READ)
            assert decoder.stats.bad_checksums == 0
        else:
            assert entry["verdict"] == "incorrect"
            assert frames == []
            assert decoder.stats.bad_checksums == 1


def test_fgorina_s_verdicts_on_s2_frames_are_our_checksum_s() -> None:
    """ "incorrect means checksum doesn't match": those our decoder rejects, the rest it takes."""
    _check_s2_verdicts(Ledger(ISSUE6_S2))


def _check_s2_battery(ledger: Ledger) -> None:
    exchange = ledger.content["battery"]
    request = _one_frame(ledger.wire(exchange["request"]))
    position = re.search(r"from position (\d+)", exchange["request"]["says"])
    assert position is not None
    assert request.index == int(position[1])
    # Our S2 request for one register there is byte for byte the one the S2 answered.
    s2 = ONE_A1_S2.variant
    assert encode_read(request.index, 1, s2.address) == ledger.wire(exchange["request"])

    wire = ledger.wire(exchange["answer"])
    answer = _one_frame(wire)
    assert (answer.address, answer.command) == (s2.address, COMMAND_READ)
    battery = re.search(r"\(Battery, \.1 (\d+)\)", exchange["answer"]["says"])
    assert battery is not None
    assert answer.registers() == {0x22: int(battery[1])}
    # An S2 session takes it as it came (ADDR 0x11, CMD 0x01); a One C/E/P session does not.
    for transport, taken in ((ONE_A1_S2, {0x22: int(battery[1])}), (ONE_C_E_P, {})):
        session = NinebotClient(lambda _reading: None, transport)
        session._on_notification(None, bytearray(wire))  # the characteristic is not looked at
        assert session.registers == taken
        assert session.stats.foreign_frames == (0 if taken else 1)


def test_an_s2_s_battery_answer_reads_97_where_the_session_looks_for_it() -> None:
    """fgorina: "Answer is 55 AA 04 11 01 22 61 00 66 FF which means (Battery, .1 97)"."""
    _check_s2_battery(Ledger(ISSUE6_S2))


# -- the 9BMetrics protocol page --------------------------------------------------------------


def _check_protocol_page(ledger: Ledger) -> None:
    decoder = StreamDecoder()
    requests: list[Frame] = []
    answers: list[Frame] = []
    for entry in ledger.content["exchange"]:
        wire = ledger.wire(entry)
        if entry["direction"] == "<":
            request = _one_frame(wire)
            # Our read request for the same registers is the page's, byte for byte.
            assert encode_read(request.index, request.data[0] // 2) == wire
            requests.append(request)
        else:
            assert entry["direction"] == ">"
            answers += decoder.feed(wire)
    assert decoder.stats.bad_checksums == decoder.stats.skipped_bytes == 0
    assert all((a.address, a.command) == (ADDRESS_ONE, COMMAND_READ) for a in answers)
    registers = {index: word for frame in answers for index, word in frame.registers().items()}
    for request in requests:  # every register asked for arrived
        assert set(range(request.index, request.index + request.data[0] // 2)) <= set(registers)

    says = ledger.content["example"]["says"]
    asked = re.search(
        r"asking for (\d+) bytes \((\d+) variables\) beginning at variable (0x\w+)", says
    )
    code = re.search(r"Pin Code \((\d+)\)", says)
    assert asked is not None
    assert code is not None
    assert (requests[0].index, requests[0].data[0]) == (int(asked[3], 16), int(asked[1]))
    assert pin(registers) == code[1]
    assert firmware_version(registers[0x1A]) == "1.3.5"  # "the other variable is the version"
    assert serial_number(registers) == "N2OEA1533A4512"
    assert registers[0xB8] << 16 | registers[0xB7] == 202_890  # m on the odometer


def test_the_protocol_page_s_exchange_reassembles_into_its_pin_version_and_serial() -> None:
    _check_protocol_page(Ledger(PROTOCOL_PAGE))


# -- NinebotClientTest's unit test ------------------------------------------------------------

_SEND_DATA = re.compile(r"sendData\((\w+), len: (\w+), p1: (\w+), p2: (\w+), bArr: \[([^\]]*)\]\)")
_MESSAGE = re.compile(r"BLENinebotMessage\(com: (\w+), dat: \[(\w+)\]\)")


def _check_nct_unit_test(ledger: Ledger) -> None:
    built: dict[str, bytes] = {}
    for entry in ledger.content["vectors"]:
        if "literal" not in entry:
            continue
        call = _SEND_DATA.search(entry["call"])
        assert call is not None
        address, length, command, index = (int(call[n], 0) for n in range(1, 5))
        data = bytes(int(item, 0) for item in call[5].split(","))
        assert len(data) == length
        wire = ledger.wire(entry)
        assert Frame(address, command, index, data).encode() == wire
        assert _one_frame(wire) == Frame(address, command, index, data)
        built[entry["name"]] = wire

    (message,) = (entry for entry in ledger.content["vectors"] if "equals" in entry)
    call = _MESSAGE.search(message["call"])
    assert call is not None
    # A BLENinebotMessage for register 0x17 and 8 bytes: our read of 4 registers there.
    assert encode_read(int(call[1], 0), int(call[2], 0) // 2) == built[message["equals"]]


def test_ninebotclienttest_s_builder_vectors_are_our_frames() -> None:
    _check_nct_unit_test(Ledger(NCT_UNIT_TEST))


# -- eucWatch and 9BotONE: what they write ------------------------------------------------------


def _variant_at(address: int) -> Variant:
    """The variant whose frames carry `address`."""
    (variant,) = (t.variant for t in (ONE_C_E_P, ONE_A1_S2) if t.variant.address == address)
    return variant


def _z_frame(wire: bytes) -> tuple[int, int, int, int, bytes]:
    """A 5A A5 frame's (source, destination, command, index, data), its checksum checked.

    A test-only reading of the Z's framing (WheelLog's NinebotZAdapter): 5A A5, LEN = the data's
    length, then source, destination, command, index, data, and ~sum(LEN..data) & 0xFFFF,
    little-endian. The integration does not speak it.
    """
    assert wire[:2] == b"\x5a\xa5", wire.hex()
    assert len(wire) == wire[2] + 9, wire.hex()
    assert wire[-2:] == (~sum(wire[2:-2]) & 0xFFFF).to_bytes(2, "little"), wire.hex()
    return wire[3], wire[4], wire[5], wire[6], wire[7:-2]


def _check_eucwatch(ledger: Ledger) -> None:
    wrong = []
    for entry in ledger.content["vectors"]:
        wire = ledger.wire(entry)
        if entry["file"].startswith("eucNinebotZ/"):
            _z_frame(wire)
            continue
        if entry.get("wrong_checksum"):
            frames, decoder = _decode(wire)
            assert (frames, decoder.stats.bad_checksums) == ([], 1)
            wrong.append(wire)
            continue
        frame = _one_frame(wire)
        if frame.command == COMMAND_READ:
            assert encode_read(frame.index, frame.data[0] // 2, frame.address) == wire
        elif frame.index == LOCK:
            variant = _variant_at(frame.address)
            value = 0 if "unlock" in entry["comment"] else 1
            assert encode_write(LOCK, value, variant.address, variant.write_command) == wire
        else:
            assert frame.encode() == wire  # ring light, ride mode: nothing of ours writes them
    # "metric khp" and "metric mph", the same two frames in the C/E/P and the S2 module.
    assert len(wrong) == 4
    assert len(set(wrong)) == 2


def test_eucwatch_s_literals_are_what_our_encoders_write() -> None:
    """Its reads are our reads, its locks our lock writes for each variant; two bad ones fail."""
    _check_eucwatch(Ledger(EUCWATCH))


def test_eucwatch_locks_each_variant_with_its_own_command() -> None:
    """The One C/E/P's lock is CMD 0x03 at 0x09, the S2's CMD 0x02 at 0x11: `Variant` says so."""
    ledger = Ledger(EUCWATCH)
    locks = {
        entry["file"]: _one_frame(ledger.wire(entry))
        for entry in ledger.content["vectors"]
        if entry["comment"] == "21- lock"
    }
    one, s2 = locks["eucNinebotE/eucNinebotE.js"], locks["eucNinebotS/eucNinebotS.js"]
    assert (one.address, one.command) == (
        ONE_C_E_P.variant.address,
        ONE_C_E_P.variant.write_command,
    )
    assert (s2.address, s2.command) == (ONE_A1_S2.variant.address, ONE_A1_S2.variant.write_command)


_SEND_PACKET = re.compile(r"send_packet\((\w+), (\w+), \[(\w+)\]\)")


def _check_9botone(ledger: Ledger) -> None:
    s2 = ONE_A1_S2.variant
    for entry in ledger.content["vectors"]:
        call = _SEND_PACKET.search(entry["call"])
        assert call is not None
        command, offset, value = (int(call[n], 0) for n in range(1, 4))
        wire = ledger.wire(entry)
        assert _one_frame(wire) == Frame(s2.address, command, offset, bytes((value,)))
        if command == COMMAND_READ:
            # It asks for one byte; our reads ask whole registers (2 bytes each), so no
            # `encode_read` makes this frame.
            continue
        assert command == s2.write_command
        assert encode_write(offset, value, s2.address, s2.write_command) == wire


def test_9botone_s_s2_frames_are_ours() -> None:
    """Its lock and unlock are our S2's writes; its one-byte read is a frame our decoder takes."""
    _check_9botone(Ledger(NINEBOTONE))


# -- WheelLog: advertisements, GATT tables, the Z10 --------------------------------------------


def _check_wheellog_patterns(ledger: Ledger) -> None:
    for entry in ledger.content["vectors"]:
        raw = ledger.wire(entry)  # as findManufacturerData keeps it: company id first
        company, payload = int.from_bytes(raw[:2], "little"), raw[2:]
        expected = MODEL_ONE_S2 if entry["proto"] == "S2" else None
        for services in ([], [NORDIC_UART_SERVICE]):
            assert model_from_advertisement(None, services, {company: payload}) == expected
        if entry["compared"] == "prefix":
            continue  # the Mini's "5600": another company, and a prefix
        assert entry["compared"] == "equal"
        assert company == NINEBOT_COMPANY_ID
        # Each ends with the one's complement of the sum of the bytes before it.
        assert payload[-1] == ~sum(payload[:-1]) & 0xFF


def test_wheellog_s_advertisement_patterns_are_told_apart_as_wheellog_does() -> None:
    """Its two S2 patterns are S2s here; its four Mini patterns and its Mini prefix are not."""
    _check_wheellog_patterns(Ledger(WHEELLOG_DETECT))


@pytest.mark.parametrize(
    ("payload", "s2"),
    [
        ("1300000000ec", True),  # WheelLog's patterns
        ("1302000000ea", True),
        ("1301000000eb", True),  # not WheelLog's, but built by the same rule (an inference)
        ("1300000000ed", False),  # the check byte wrong
        ("1300000000ec00", False),  # seven bytes
        ("13ec", False),  # two bytes, the check right
        ("1400000000eb", False),  # a Mini's
    ],
)
def test_an_s2_is_0x13_then_six_bytes_ending_in_the_check_byte(payload: str, s2: bool) -> None:
    data = bytes.fromhex(payload)
    assert is_s2_manufacturer_data(data) is s2
    # Ninebot's company id with anything but an S2's data is refused, FFE0 and a One's name or not.
    model = model_from_advertisement("NOE002", [UART_SERVICE_UUID], {NINEBOT_COMPANY_ID: data})
    assert model == (MODEL_ONE_S2 if s2 else None)


def test_our_transports_and_emulations_use_wheellog_s_gatt_tables() -> None:
    services = Ledger(WHEELLOG_DETECT).content["services"]
    (one,) = (entry["gatt"] for entry in services if entry["adapter"] == "ninebot")
    z_tables = [entry["gatt"] for entry in services if entry["adapter"] == "ninebot_z"]
    assert one[UART_SERVICE_UUID] == [ONE_C_E_P.write_uuid] == [ONE_C_E_P.notify_uuid]
    for z in z_tables:  # the S2 matches the first; both have the Nordic UART pair
        assert set(z[NORDIC_UART_SERVICE]) == {ONE_A1_S2.write_uuid, ONE_A1_S2.notify_uuid}
    for emulated, table in ((NinebotOne.services(), one), (NinebotOneS2.services(), z_tables[0])):
        for service in emulated:
            assert sorted(c.uuid for c in service.characteristics) == sorted(table[service.uuid])


def _asserted(asserts: list[str]) -> dict[str, Any]:
    """WheelLog's `assertThat(x).isEqualTo(v)` lines as {x: v}."""
    found = (re.fullmatch(r"assertThat\((.+)\)\.isEqualTo\((.+)\)", line) for line in asserts)
    return {match[1]: json.loads(match[2]) for match in found if match is not None}


def _check_z10_checksums(ledger: Ledger) -> None:
    for entry in ledger.content["vectors"]:
        if "hex" in entry:
            _z_frame(b"".join(ledger.notifications(entry)))
        for expected in entry.get("frames", []):  # a setter's frames
            _z_frame(ledger.wire(expected))


def test_wheellog_s_z10_frames_keep_the_checksum_rule() -> None:
    """5A A5 framing, which we do not implement: only the checksum, ~sum(LEN..DATA), LE."""
    _check_z10_checksums(Ledger(WHEELLOG_Z10))


def test_wheellog_s_z10_live_block_is_our_0xb0_block_with_the_speed_in_hundredths() -> None:
    """The Z's 0xB0-0xBF: 0xB5 = 0xBE = 2716 for WheelLog's asserted 27.16 km/h."""
    (life,) = (
        v for v in Ledger(WHEELLOG_Z10).content["vectors"] if v["test"] == "decode z10 life data"
    )
    notifications = [bytes.fromhex(part) for part in life["hex"]]
    _source, _destination, _command, index, data = _z_frame(b"".join(notifications))
    registers = {index + n: int.from_bytes(data[2 * n : 2 * n + 2], "little") for n in range(16)}
    asserted = _asserted(life["asserts"])

    assert registers[0xB5] / 100 == asserted["data.speedDouble"]
    assert registers[0xBE] == registers[0xB5]  # "the same as speed" (NinebotZAdapter.java L1130)
    assert registers[0xBC] / 100 == asserted["data.voltageDouble"]
    assert registers[0xBD] / 100 == asserted["data.currentDouble"]
    assert registers[0xBB] / 10 == asserted["data.temperature"]
    assert registers[0xB8] << 16 | registers[0xB7] == asserted["data.totalDistance"]
    assert registers[0xB4] == asserted["data.batteryLevel"]
    # Our S2 variant reads this block's layout the same way (0xBE in 0.01 km/h); a Z, not an S2.
    live = LiveValues.from_registers(registers, ONE_S2)
    assert live is not None
    assert (live.speed, live.voltage, live.current, live.power, live.battery) == (
        asserted["data.speedDouble"],
        asserted["data.voltageDouble"],
        asserted["data.currentDouble"],
        asserted["data.powerDouble"],
        asserted["data.batteryLevel"],
    )


# -- no frame goes unchecked ------------------------------------------------------------------

_CHECKS: dict[str, tuple[Callable[[Ledger], None], ...]] = {
    ISSUE6_ONE_E_PLUS: (_check_one_e_plus_registers, _check_one_e_plus_values),
    ISSUE6_S2: (_check_s2_verdicts, _check_s2_battery),
    PROTOCOL_PAGE: (_check_protocol_page,),
    NCT_UNIT_TEST: (_check_nct_unit_test,),
    EUCWATCH: (_check_eucwatch,),
    NINEBOTONE: (_check_9botone,),
    WHEELLOG_DETECT: (_check_wheellog_patterns,),
    WHEELLOG_Z10: (_check_z10_checksums,),
}


@pytest.mark.parametrize("name", NINEBOT_CAPTURES)
def test_every_frame_of_a_ninebot_capture_is_checked(name: str) -> None:
    """A file's checks, run on one ledger, ask for every frame it holds; none is stray."""
    ledger = Ledger(name)
    for check in _CHECKS[name]:
        check(ledger)
    assert ledger.unused() == []
