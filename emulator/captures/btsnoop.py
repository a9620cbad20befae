r"""btsnoop files (RFC 1761's snoop format as Android and BlueZ write it), and their text form.

A file is a 16-byte header (`btsnoop\0`, version 1, a datalink type) and records of: original
length, included length, flags, cumulative drops (big-endian u32 each), a timestamp (big-endian
s64, microseconds since 0000-01-01), then the packet. Datalink 1002 is HCI UART (H4): each packet
starts with its H4 type (01 command, 02 ACL data, 04 event). Flag bit 0 is the direction (0 sent by
the host, 1 received), bit 1 is set for commands and events.

The corpus keeps a btsnoop as text, one record per line (`seconds flags hex`, seconds since the
first record to the microsecond), so that a reader sees the bytes and git diffs them; the
conversion is lossless for everything but dropped-packet counts, which no capture here has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import struct

MAGIC = b"btsnoop\x00"
DATALINK_H4 = 1002
_FILE_HEADER = struct.Struct(">8sII")
_RECORD_HEADER = struct.Struct(">IIIIq")
# btsnoop timestamps count microseconds from midnight, January 1st of year 0 (proleptic
# Gregorian), which Python cannot represent: this is 1970-01-01 on that scale.
_UNIX_EPOCH_US = 0x00DCDDB30F2F8000

FLAG_RECEIVED = 0x01
FLAG_COMMAND_OR_EVENT = 0x02


class BtsnoopError(ValueError):
    """The bytes are not a btsnoop file this reader understands."""


@dataclass(frozen=True, slots=True)
class Record:
    """One captured packet."""

    time: float  # seconds since the capture's first record
    flags: int
    packet: bytes  # H4: the packet type first

    @property
    def received(self) -> bool:
        """Whether the controller sent it to the host (an event or incoming data)."""
        return bool(self.flags & FLAG_RECEIVED)


@dataclass(frozen=True, slots=True)
class Capture:
    """The records of one btsnoop file, and when its first record was taken."""

    started: datetime  # UTC, as the capturing phone's clock had it
    records: tuple[Record, ...]


def read(data: bytes) -> Capture:
    """Parse a btsnoop file of datalink H4."""
    if len(data) < _FILE_HEADER.size:
        raise BtsnoopError("shorter than a btsnoop header")
    magic, version, datalink = _FILE_HEADER.unpack_from(data)
    if magic != MAGIC or version != 1:
        raise BtsnoopError("not a btsnoop version 1 file")
    if datalink != DATALINK_H4:
        raise BtsnoopError(f"datalink {datalink}, only {DATALINK_H4} (H4) is read")
    offset = _FILE_HEADER.size
    stamped: list[tuple[int, int, bytes]] = []
    while offset < len(data):
        if offset + _RECORD_HEADER.size > len(data):
            raise BtsnoopError(f"record header cut short at byte {offset}")
        _original, included, flags, _drops, stamp = _RECORD_HEADER.unpack_from(data, offset)
        offset += _RECORD_HEADER.size
        packet = data[offset : offset + included]
        if len(packet) != included:
            raise BtsnoopError(f"record cut short at byte {offset}")
        offset += included
        stamped.append((stamp, flags, packet))
    if not stamped:
        raise BtsnoopError("no records")
    first = stamped[0][0]
    started = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=first - _UNIX_EPOCH_US)
    records = tuple(
        Record((stamp - first) / 1_000_000, flags, packet) for stamp, flags, packet in stamped
    )
    return Capture(started, records)


def to_lines(capture: Capture) -> list[str]:
    """The records as the corpus keeps them: `seconds flags hex`, one per line."""
    return [f"{r.time:.6f} {r.flags} {r.packet.hex()}" for r in capture.records]


def from_lines(lines: list[str]) -> tuple[Record, ...]:
    """Records back from their text form."""
    records = []
    for number, line in enumerate(lines, 1):
        try:
            time, flags, packet = line.split()
            records.append(Record(float(time), int(flags), bytes.fromhex(packet)))
        except ValueError as err:
            raise BtsnoopError(f"line {number}: {line!r} is not `seconds flags hex`") from err
    return tuple(records)
