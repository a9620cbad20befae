"""hcidump's text (BlueZ `hcidump`, as people paste it into questions), read back into HCI items.

hcidump prints decoded packets, not bytes. What it prints in full is rebuilt here: ATT PDUs (the
handles and values of discovery, reads, writes and notifications), LE Create Connection's
parameters, connection and disconnection events, and advertising reports. An advertising report's
AD structures are kept as hcidump names them: the flags byte is printed, an "Unknown type 0xff
with 6 bytes data" only has its type and length.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from .hci import ConnectionParameters, DisconnectionComplete, L2capPdu

ATT_CHANNEL = 0x0004


@dataclass(frozen=True, slots=True)
class AdStructureSeen:
    """One AD structure of a report, as far as hcidump printed it."""

    ad_type: int
    length: int  # bytes of data after the type
    data: bytes | None  # None where hcidump did not print it


@dataclass(frozen=True, slots=True)
class AdvertisingReportSeen:
    """An LE Advertising Report as hcidump prints it."""

    event_type: str  # "ADV_IND", "SCAN_RSP", ...
    address: str
    public_address: bool
    structures: tuple[AdStructureSeen, ...]
    rssi: int


@dataclass(frozen=True, slots=True)
class CreateConnection:
    """The central's LE Create Connection: the parameters it asks the link to start with."""

    address: str
    min_interval: int  # x 1.25 ms
    max_interval: int
    parameters: ConnectionParameters  # max interval, latency, supervision timeout


type DumpItem = AdvertisingReportSeen | CreateConnection | DisconnectionComplete | L2capPdu

_PACKET_START = re.compile(r"^([<>]) (HCI Command|HCI Event|ACL data)")
_ACL = re.compile(r"ACL data: handle (\d+) flags 0x[0-9a-f]+ dlen (\d+)")
_HEX_BYTES = re.compile(r"0x([0-9a-f]{2})\b")


def _hex_values(text: str) -> bytes:
    return bytes(int(value, 16) for value in _HEX_BYTES.findall(text))


def _word(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _uuid_bytes(text: str) -> bytes:
    """A type-uuid as hcidump prints it: 0x2803, or a full 128-bit UUID."""
    if text.startswith("0x"):
        return _word(int(text, 16))
    return bytes.fromhex(text.replace("-", ""))[::-1]


class HcidumpError(ValueError):
    """Text that does not read as hcidump prints it."""


def _search(pattern: str, text: str) -> re.Match[str]:
    found = re.search(pattern, text)
    if found is None:
        raise HcidumpError(f"no {pattern!r} in {text!r}")
    return found


def _handle_value(opcode: int, body: str) -> bytes:
    """Write request, write command, notification: the handle, then the value."""
    handle = int(_search(r"handle (0x[0-9a-f]{4})", body)[1], 16)
    return bytes((opcode,)) + _word(handle) + _hex_values(body.split("value", 1)[1])


def _read_request(opcode: int, body: str) -> bytes:
    return bytes((opcode,)) + _word(int(_search(r"handle (0x[0-9a-f]{4})", body)[1], 16))


def _by_type_request(opcode: int, body: str) -> bytes:
    """Read By Type / Read By Group Type request: a handle range and an attribute type."""
    found = _search(r"start (0x[0-9a-f]+), end (0x[0-9a-f]+) type-uuid (\S+)", body)
    start, end = int(found[1], 16), int(found[2], 16)
    return bytes((opcode,)) + _word(start) + _word(end) + _uuid_bytes(found[3])


def _by_type_response(opcode: int, body: str) -> bytes:
    """Read By Type response: the entries' length, then handle and value per entry."""
    length = int(_search(r"length: (\d+)", body)[1])
    entries = re.findall(r"handle (0x[0-9a-f]{4}), value ((?:0x[0-9a-f]{2} ?)+)", body)
    return bytes((opcode, length)) + b"".join(
        _word(int(handle, 16)) + _hex_values(value) for handle, value in entries
    )


def _by_group_response(opcode: int, body: str) -> bytes:
    """Read By Group Type response: start, end and value per entry."""
    entries = re.findall(
        r"attr handle (0x[0-9a-f]{4}), end group handle (0x[0-9a-f]{4}) "
        r"value ((?:0x[0-9a-f]{2} ?)+)",
        body,
    )
    data = b"".join(
        _word(int(start, 16)) + _word(int(end, 16)) + _hex_values(value)
        for start, end, value in entries
    )
    return bytes((opcode, 4 + len(_hex_values(entries[0][2])))) + data


def _error_response(opcode: int, body: str) -> bytes:
    """Error response: the request's opcode, the handle, the error code."""
    found = _search(r"\((\d+)\) .*\((0x[0-9a-f]{2})\) on handle (0x[0-9a-f]{4})", body)
    code, request, handle = int(found[1]), int(found[2], 16), int(found[3], 16)
    return bytes((opcode, request)) + _word(handle) + bytes((code,))


def _bare(opcode: int, _body: str) -> bytes:
    return bytes((opcode,))


_ATT_REBUILDERS = {
    0x01: _error_response,
    0x08: _by_type_request,
    0x09: _by_type_response,
    0x0A: _read_request,
    0x10: _by_type_request,
    0x11: _by_group_response,
    0x12: _handle_value,
    0x13: _bare,
    0x1B: _handle_value,
    0x52: _handle_value,
}


def _att(lines: list[str]) -> bytes | None:
    """Rebuild the ATT PDU of one ACL packet's decoded lines (None for an opcode not read)."""
    opcode = int(_search(r"\((0x[0-9a-f]{2})\)", lines[0])[1], 16)
    rebuild = _ATT_REBUILDERS.get(opcode)
    body = " ".join(line.strip() for line in lines[1:])
    return None if rebuild is None else rebuild(opcode, body)


def _address(text: str) -> str:
    return _search(r"([0-9A-F]{2}(?::[0-9A-F]{2}){5})", text)[1]


def _advertising_report(body: list[str]) -> AdvertisingReportSeen:
    text = "\n".join(body)
    event_type = _search(r"\n\s*(\w+) - ", text)[1]
    structures = []
    for raw_line in body:
        line = raw_line.strip()
        if line.startswith("Flags: "):
            structures.append(AdStructureSeen(0x01, 1, bytes((int(line.split()[1], 16),))))
        elif found := re.match(r"Unknown type (0x[0-9a-f]+) with (\d+) bytes data", line):
            structures.append(AdStructureSeen(int(found[1], 16), int(found[2]), None))
        elif found := re.match(r"Complete local name: '(.*)'", line):
            name = found[1].encode()
            structures.append(AdStructureSeen(0x09, len(name), name))
    rssi = int(_search(r"RSSI: (-?\d+)", text)[1])
    return AdvertisingReportSeen(
        event_type, _address(text), "(Public)" in text, tuple(structures), rssi
    )


def _packets(text: str) -> list[tuple[str, list[str]]]:
    """Each packet's direction and lines (the header line, then its indented lines)."""
    packets: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if _PACKET_START.match(line):
            packets.append((line[0], [line[2:]]))
        elif packets and line.startswith(" "):
            packets[-1][1].append(line)
    return packets


def read(text: str) -> list[DumpItem]:
    """The items of an hcidump text, in order; `time` is the packet's ordinal number."""
    items: list[DumpItem] = []
    for number, (direction, lines) in enumerate(_packets(text)):
        head, rest = lines[0], lines[1:]
        joined = " ".join(line.strip() for line in rest)
        if head.startswith("ACL data") and rest and rest[0].strip().startswith("ATT:"):
            handle = int(_search(_ACL.pattern, head)[1])
            if (pdu := _att(rest)) is not None:
                items.append(L2capPdu(number, handle, direction == ">", ATT_CHANNEL, pdu))
        elif "LE Create Connection (0x08|0x000d) plen" in head:
            found = re.search(
                r"min_interval (\d+) max_interval (\d+)\s+latency (\d+) supervision_to (\d+)",
                joined,
            )
            if found:
                low, high, latency, timeout = (int(value) for value in found.groups())
                parameters = ConnectionParameters(high, latency, timeout)
                items.append(CreateConnection(_address(joined), low, high, parameters))
        elif "Disconn Complete" in head:
            found = re.search(r"status (0x[0-9a-f]+) handle (\d+) reason (0x[0-9a-f]+)", joined)
            if found:
                status, handle, reason = int(found[1], 16), int(found[2]), int(found[3], 16)
                items.append(DisconnectionComplete(number, status, handle, reason))
        elif "LE Meta Event" in head and rest and "LE Advertising Report" in rest[0]:
            items.append(_advertising_report(rest))
    return items
