"""The band's activity memory: blocks of minutes on FF07, and their acknowledgement on FF05.

docs/protocols/mi-band-1.md, sections 3.7 and 4; the facts below were checked against Gadgetbridge's
FetchActivityOperation, two decompiled Mi Fit builds and the Mi Band code in MIUI's Bluetooth app.

- FF05 `06` starts the transfer. The band then sends, for each block, an 11-byte header (data
  type, start date, total count, this block's count) followed by the block's minutes. A header
  whose block count is 0 ends it, and the band sends it right after the last data, without
  waiting for the acknowledgement (Mi Fit's capture of a Mi Band 1: the end header a second
  before Mi Fit's first acknowledgement). Whether a band with several blocks waits between them
  is not captured.
- Data type 1 counts minutes, type 0 bytes. A minute is category, intensity, steps, and on the
  1S a fourth byte, the heart rate (0xFF: no reading). The 1S still says type 1.
- On profile 2.0.7.0 and later, every data notification starts with a packet counter byte.
- The acknowledgement is `0a`, the header's date bytes and the header's block count, both copied
  unchanged: what Mi Fit and MIUI send (Gadgetbridge sends the count times bytes per minute; the
  band tolerates that, but the Xiaomi implementations agree). The band then deletes the block.
  The bitwise NOT of the count acknowledges the block but keeps it on the band.

The transfer is parsed as a byte stream driven by the counts, as Mi Fit does, not by notification
lengths as Gadgetbridge does: a block's last data packet may be 11 bytes long, like a header.
Nothing here imports Home Assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from .exceptions import MalformedValueError
from .protocol import DATE_LENGTH, decode_date

FETCH_ACTIVITY = b"\x06"
STOP_ACTIVITY_SYNC = b"\x11"
ACKNOWLEDGE = 0x0A
HEADER_LENGTH = 11
PACKET_COUNTER_PROFILE = (2, 0, 7, 0)  # profile version from which data packets are counted


class DataType(IntEnum):
    """The unit of a header's counts."""

    BYTES = 0
    MINUTES = 1


class Category(IntEnum):
    """What the band made of a minute (Mi Fit's names; Gadgetbridge's reading of them).

    Gadgetbridge swapped which of 4 and 5 is deep sleep three times (now 4 is); both are sleep,
    which is all `asleep` needs. Values outside these are not guessed at.
    """

    STILL = 0
    WALKING = 1
    RUNNING = 2
    NOT_WORN = 3
    DEEP_SLEEP = 4
    LIGHT_SLEEP = 5
    CHARGING = 6  # not worn: Gadgetbridge maps it so
    ON_BED = 7


SLEEP = frozenset({Category.DEEP_SLEEP, Category.LIGHT_SLEEP})
OFF_WRIST = frozenset({Category.NOT_WORN, Category.CHARGING})

# Categories Mi Fit skips as minutes without data (its DaySportData).
_NO_DATA = frozenset({126, 127})

# Gadgetbridge's bounds for a heart rate it charts; 0 and 0xFF mean "no reading".
HEART_RATE_RANGE = range(10, 251)


@dataclass(frozen=True, slots=True)
class Minute:
    """One minute of the band's memory, at the band's own (local, naive) time."""

    time: datetime
    category: int
    intensity: int  # 0-255
    steps: int
    heart_rate: int | None  # None: no reading, or a band without the sensor

    @property
    def mode(self) -> int | None:
        """What the band made of the minute: the category's low nibble.

        Mi Fit reads it so (`SportData`, decompiled profile library 2.0.0.20140514: the mode is
        the low nibble, the high nibble "runs", counted only when the minute has steps), and the
        real Mi Band 1's block in Mi Fit's capture bears it out: its categories 0x11, 0x21 and
        0x31 carry 2694 of the block's 6836 steps, at walking cadences. Gadgetbridge reads the
        whole byte and shows such minutes as unknown. 126 and 127 are Mi Fit's markers of a
        minute without data: no mode.
        """
        if self.category in _NO_DATA:
            return None
        return self.category & 0x0F

    @property
    def asleep(self) -> bool | None:
        """Whether the band counted this minute as sleep; None for a mode it did not name."""
        mode = self.mode
        if mode not in Category:
            return None
        if mode == Category.ON_BED:
            return None  # in bed, not said to be asleep
        return mode in SLEEP

    @property
    def worn(self) -> bool | None:
        """Whether the band was on a wrist; None for a mode it did not name."""
        mode = self.mode
        if mode not in Category:
            return None
        return mode not in OFF_WRIST


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """The 11 bytes that open a block."""

    raw: bytes
    data_type: DataType
    start: datetime
    total_count: int
    block_count: int

    def data_length(self, bytes_per_minute: int) -> int:
        """The number of data bytes that follow this header."""
        if self.data_type is DataType.MINUTES:
            return self.block_count * bytes_per_minute
        return self.block_count

    @property
    def ends_transfer(self) -> bool:
        """A block of no data closes the transfer (it is acknowledged all the same)."""
        return self.block_count == 0

    def acknowledgement(self, *, keep_on_band: bool = False) -> bytes:
        """`0a`, the header's date and its block count as the band sent them.

        With `keep_on_band`, the count's bitwise NOT: the band sends the next block and keeps
        this one (whether every firmware honours it is not known: Gadgetbridge #1010).
        """
        count = self.block_count ^ 0xFFFF if keep_on_band else self.block_count
        return bytes((ACKNOWLEDGE,)) + self.raw[1:7] + count.to_bytes(2, "little")


def parse_header(data: bytes) -> BlockHeader:
    """Decode a block header; a type, date or count that cannot be is `MalformedValueError`."""
    if len(data) != HEADER_LENGTH:
        raise MalformedValueError(f"activity header of {len(data)} bytes")
    try:
        data_type = DataType(data[0])
    except ValueError:
        raise MalformedValueError(f"activity data type {data[0]:#04x}") from None
    start = decode_date(data[1 : 1 + DATE_LENGTH])
    total = int.from_bytes(data[7:9], "little")
    block = int.from_bytes(data[9:11], "little")
    if block > total:
        raise MalformedValueError(f"activity block of {block} in a total of {total}")
    return BlockHeader(bytes(data), data_type, start, total, block)


def has_packet_counter(profile_version: str) -> bool:
    """Whether data notifications start with a counter byte (profile 2.0.7.0 on)."""
    return tuple(int(part) for part in profile_version.split(".")) >= PACKET_COUNTER_PROFILE


def bytes_per_minute(has_heart_rate: bool) -> int:
    """3 bytes a minute, 4 on a band that records heart rate."""
    return 4 if has_heart_rate else 3


def parse_minutes(start: datetime, data: bytes, bytes_per_minute: int) -> list[Minute]:
    """The minutes of a block's data, one every 60 s from the header's start."""
    if len(data) % bytes_per_minute:
        raise MalformedValueError(f"{len(data)} activity bytes for {bytes_per_minute} a minute")
    minutes = []
    for index in range(len(data) // bytes_per_minute):
        record = data[index * bytes_per_minute : (index + 1) * bytes_per_minute]
        heart_rate = record[3] if bytes_per_minute == 4 else None
        minutes.append(
            Minute(
                time=start + timedelta(minutes=index),
                category=record[0],
                intensity=record[1],
                steps=record[2],
                heart_rate=heart_rate if heart_rate in HEART_RATE_RANGE else None,
            )
        )
    return minutes


@dataclass(frozen=True, slots=True)
class Block:
    """A block's header and its minutes: all of them, or a piece (`BlockAssembler.take_piece`)."""

    header: BlockHeader
    minutes: list[Minute]


class BlockAssembler:
    """Turns FF07 notifications, cut anywhere, into complete blocks.

    A header starts a notification of its own: in Mi Fit's capture the block's last data
    notification is short (12 bytes) and the next header follows in another, though the band
    sends it without waiting for the acknowledgement. So bytes beyond a block's count, like a
    header that does not parse, are `MalformedValueError`, and the transfer cannot be trusted
    any further.

    A block's whole minutes can be taken as they arrive (`take_piece`): a day in one block, as Mi
    Fit's capture has it, is then stored while the rest of it is still on its way.
    """

    def __init__(self, *, has_heart_rate: bool, packet_counter: bool) -> None:
        """Expect 4 bytes a minute on a band with the sensor; strip counters when present."""
        self.bytes_per_minute = bytes_per_minute(has_heart_rate)
        self._packet_counter = packet_counter
        self._header: BlockHeader | None = None
        self._pending = bytearray()  # header bytes, or the current block's data
        self._taken = 0  # the current block's minutes handed out by `take_piece`
        self._next_counter: int | None = None  # the packet counter the block's next data has

    def feed(self, notification: bytes) -> Block | None:
        """Take one notification's bytes; return the block it completed, if it did.

        The block holds its minutes not yet handed out by `take_piece` (all of them if none were).
        """
        if self._header is None:
            self._pending += notification  # headers carry no packet counter
            if len(self._pending) < HEADER_LENGTH:
                return None
            if len(self._pending) > HEADER_LENGTH and self._packet_counter:
                raise MalformedValueError("activity data in the notification of its header")
            self._header = parse_header(bytes(self._pending[:HEADER_LENGTH]))
            del self._pending[:HEADER_LENGTH]
            self._next_counter = None
        elif self._packet_counter:
            self._check_counter(notification[0])
            self._pending += notification[1:]
        else:
            self._pending += notification
        header = self._header
        length = header.data_length(self.bytes_per_minute)
        if len(self._pending) > length:
            raise MalformedValueError(f"{len(self._pending)} activity bytes in a block of {length}")
        if len(self._pending) < length:
            return None
        return Block(header, self._minutes_from(len(self._pending), complete=True))

    def _check_counter(self, counter: int) -> None:
        """Raise if the counter skips: a notification went missing.

        The bytes after a missing one are shifted, and no minute from there on may be handed
        out: `take_piece` would store it for good. That the counter counts up by one per data
        notification (wrapping at 256) is unverified: no capture of a profile 2.0.7.0 band
        (docs/verification.md).
        """
        if self._next_counter is not None and counter != self._next_counter:
            raise MalformedValueError(
                f"activity packet {counter} after {(self._next_counter - 1) & 0xFF}"
            )
        self._next_counter = (counter + 1) & 0xFF

    def take_piece(self) -> Block | None:
        """The current block's whole minutes received and not yet handed out, if there are any."""
        header = self._header
        if header is None:
            return None
        received = len(self._pending) - len(self._pending) % self.bytes_per_minute
        if received <= self._taken * self.bytes_per_minute:
            return None
        return Block(header, self._minutes_from(received, complete=False))

    def _minutes_from(self, end: int, *, complete: bool) -> list[Minute]:
        """The minutes in the current block's data from the first not taken up to byte `end`."""
        header, first = self._header, self._taken * self.bytes_per_minute
        assert header is not None  # noqa: S101 - only called within a block
        minutes = parse_minutes(
            header.start + timedelta(minutes=self._taken),
            bytes(self._pending[first:end]),
            self.bytes_per_minute,
        )
        if complete:
            self._header, self._pending, self._taken = None, bytearray(), 0
        else:
            self._taken += len(minutes)
        return minutes
