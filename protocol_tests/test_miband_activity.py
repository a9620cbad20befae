"""The band's activity blocks: headers, minutes, acknowledgements, and notifications cut anywhere.

Vectors from docs/protocols/mi-band-1.md (sections 3.7 and 6); the emulated band is held to the
same layout.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, strategies as st
from miband.activity import (
    BlockAssembler,
    Category,
    DataType,
    Minute,
    has_packet_counter,
    parse_header,
)
from miband.protocol import MalformedValueError
import pytest

from emulator.devices.band_memory import (
    GADGETBRIDGE_45_BLOCK_MINUTES,
    ActivityMemory,
    RecordedMinute,
    generate_minutes,
)

NOTES_HEADER = bytes.fromhex(
    "010e0b0716271fa5000000"
)  # docs/protocols/mi-band-1.md's example (mibanda's lab/descs)


def test_the_notes_example_header() -> None:
    header = parse_header(NOTES_HEADER)

    assert header.data_type is DataType.MINUTES
    assert header.start == datetime(2014, 12, 7, 22, 39, 31)
    assert (header.total_count, header.block_count) == (165, 0)
    assert header.ends_transfer


def test_acknowledgement_echoes_date_and_count() -> None:
    # The notes' vector 16: the ack of a 0-length block dated 2016-08-31 17:01:48.
    header = parse_header(bytes.fromhex("0110071f110130") + bytes(4))
    assert header.acknowledgement() == bytes.fromhex("0a10071f1101300000")

    block = parse_header(bytes.fromhex("0110071f110130") + (200).to_bytes(2, "little") * 2)
    assert block.acknowledgement()[7:] == (200).to_bytes(2, "little")  # minutes, not bytes
    assert block.acknowledgement(keep_on_band=True)[7:] == (200 ^ 0xFFFF).to_bytes(2, "little")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (bytes.fromhex("07") + NOTES_HEADER[1:], "data type"),
        (bytes.fromhex("010e0b2016271f") + bytes(4), "impossible date"),  # day 32
        (NOTES_HEADER[:7] + (5).to_bytes(2, "little") + (9).to_bytes(2, "little"), "block of 9"),
        (NOTES_HEADER[:10], "10 bytes"),
    ],
)
def test_headers_that_cannot_be(header: bytes, reason: str) -> None:
    with pytest.raises(MalformedValueError, match=reason):
        parse_header(header)


def _header(count: int, start: datetime = datetime(2026, 12, 1, 9, 0)) -> bytes:
    date = bytes((start.year - 2000, start.month - 1, start.day, start.hour, start.minute, 0))
    return b"\x01" + date + count.to_bytes(2, "little") * 2


def _minutes(count: int) -> bytes:
    return b"".join(bytes((1, 100, n % 120, 70 + n % 30)) for n in range(count))


@given(cuts=st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=40))
def test_a_block_cut_anywhere_is_the_same_block(cuts: list[int]) -> None:
    stream = _header(40) + _minutes(40)
    assembler = BlockAssembler(has_heart_rate=True, packet_counter=False)
    blocks, position = [], 0
    for size in [*cuts, len(stream)]:
        if position >= len(stream):
            break
        block = assembler.feed(stream[position : position + size])
        position += size
        if block is not None:
            blocks.append(block)

    assert len(blocks) == 1
    minutes = blocks[0].minutes
    assert len(minutes) == 40
    assert minutes[3] == Minute(datetime(2026, 12, 1, 9, 3), 1, 100, 3, 73)
    assert sum(minute.steps for minute in minutes) == sum(n % 120 for n in range(40))


@given(
    cuts=st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=40),
    takes=st.lists(st.booleans(), min_size=1, max_size=40),
)
def test_pieces_taken_as_they_come_add_up_to_the_block(cuts: list[int], takes: list[bool]) -> None:
    """Whatever is taken while the block arrives, and its end, give each minute once, in order."""
    stream = _header(40) + _minutes(40)
    whole = BlockAssembler(has_heart_rate=True, packet_counter=False).feed(stream)
    assert whole is not None
    assembler = BlockAssembler(has_heart_rate=True, packet_counter=False)
    handed: list[Minute] = []
    position, ended = 0, False
    for index, size in enumerate([*cuts, len(stream)]):
        if position >= len(stream):
            break
        block = assembler.feed(stream[position : position + size])
        position += size
        if block is not None:
            handed += block.minutes
            ended = True
        elif takes[index % len(takes)] and (piece := assembler.take_piece()) is not None:
            assert piece.minutes
            assert piece.header == whole.header
            handed += piece.minutes

    assert ended
    assert handed == whole.minutes
    assert assembler.take_piece() is None  # nothing of an ended block is handed out again


def test_a_last_data_packet_of_eleven_bytes_is_data() -> None:
    # 17 minutes of 3 bytes = 20 + 20 + 11: Gadgetbridge would take the last for a header.
    data = b"".join(bytes((0, 5, n)) for n in range(17))
    assembler = BlockAssembler(has_heart_rate=False, packet_counter=False)
    assert assembler.feed(_header(17)) is None
    assert assembler.feed(data[:20]) is None
    assert assembler.feed(data[20:40]) is None
    block = assembler.feed(data[40:])

    assert block is not None
    assert [minute.steps for minute in block.minutes] == list(range(17))
    assert all(minute.heart_rate is None for minute in block.minutes)


def test_packet_counters_are_stripped_from_data_only() -> None:
    assert has_packet_counter("2.0.7.0")
    assert not has_packet_counter("2.0.6.0")
    data = _minutes(6)
    assembler = BlockAssembler(has_heart_rate=True, packet_counter=True)
    assert assembler.feed(_header(6)) is None
    assert assembler.feed(b"\x00" + data[:16]) is None
    block = assembler.feed(b"\x01" + data[16:])

    assert block is not None
    assert [minute.heart_rate for minute in block.minutes] == [70, 71, 72, 73, 74, 75]


def test_a_counter_that_skips_stops_the_block_before_its_shifted_minutes_are_handed_out() -> None:
    data = _minutes(12)
    assembler = BlockAssembler(has_heart_rate=True, packet_counter=True)
    assembler.feed(_header(12))
    assert assembler.feed(b"\xfe" + data[:16]) is None
    assert assembler.feed(b"\xff" + data[16:32]) is None  # the counter wraps: 0xff, then 0
    piece = assembler.take_piece()
    assert piece is not None
    assert len(piece.minutes) == 8

    with pytest.raises(MalformedValueError, match="packet 1 after 255"):
        assembler.feed(b"\x01" + data[32:])  # packet 0 went missing
    assert assembler.take_piece() is None  # nothing after the gap


def test_no_reading_is_not_a_heart_rate() -> None:
    data = bytes((5, 0, 0, 0xFF, 5, 0, 0, 0x44, 5, 0, 0, 0, 5, 0, 0, 9))  # Gadgetbridge #205
    assembler = BlockAssembler(has_heart_rate=True, packet_counter=False)
    assembler.feed(_header(4))
    block = assembler.feed(data)

    assert block is not None
    assert [minute.heart_rate for minute in block.minutes] == [None, 68, None, None]


def test_data_beyond_the_block_is_refused() -> None:
    assembler = BlockAssembler(has_heart_rate=True, packet_counter=False)
    assembler.feed(_header(2))
    with pytest.raises(MalformedValueError, match="12 activity bytes in a block of 8"):
        assembler.feed(_minutes(3))


@pytest.mark.parametrize(
    ("category", "asleep", "worn"),
    [
        (Category.STILL, False, True),
        (Category.WALKING, False, True),
        (Category.DEEP_SLEEP, True, True),
        (Category.LIGHT_SLEEP, True, True),
        (Category.NOT_WORN, False, False),
        (Category.CHARGING, False, False),
        (Category.ON_BED, None, True),
        (42, None, None),  # not named by any source: not guessed
    ],
)
def test_what_a_category_says(category: int, asleep: bool | None, worn: bool | None) -> None:
    minute = Minute(datetime(2026, 12, 1), category, 0, 0, None)
    assert (minute.asleep, minute.worn) == (asleep, worn)


def test_the_emulated_band_deletes_a_block_only_on_its_own_count() -> None:
    memory = ActivityMemory()
    memory.block_minutes = GADGETBRIDGE_45_BLOCK_MINUTES
    start = datetime(2026, 12, 1, 8, 0)
    memory.record(start, generate_minutes(start, 300, seed=3))
    first, second, third = memory.blocks()
    assert parse_header(b"\x01" + first.date + bytes(4)).start == start
    assert (first.count, second.count, third.count) == (142, 142, 16)

    bytes_ack = b"\x0a" + first.date + (first.count * 4).to_bytes(2, "little")  # GB's count
    memory.acknowledge(first, bytes_ack)
    assert memory.minute_count == 300
    keep_ack = b"\x0a" + first.date + (first.count ^ 0xFFFF).to_bytes(2, "little")
    memory.acknowledge(first, keep_ack)
    assert memory.minute_count == 300
    memory.acknowledge(first, b"\x0a" + first.date + first.count.to_bytes(2, "little"))
    assert memory.minute_count == 158
    assert memory.runs[0].start == datetime(2026, 12, 1, 10, 22)


def test_the_generated_day_sleeps_at_night_and_charges_off_the_wrist() -> None:
    start = datetime(2026, 12, 1, 0, 0)
    day = generate_minutes(start, 24 * 60, seed=7)

    assert day == generate_minutes(start, 24 * 60, seed=7)
    assert {m.category for m in day[: 7 * 60]} <= {4, 5}  # asleep until 07:00
    assert all(m.steps == 0 for m in day[: 7 * 60])
    assert {m.category for m in day[19 * 60 : 19 * 60 + 45]} == {6}  # charging
    assert sum(m.steps for m in day[7 * 60 : 23 * 60]) > 5000
    assert all(m.heart_rate == 0xFF for m in day if m.category == 6)  # no reading off the wrist
    assert isinstance(day[0], RecordedMinute)
