"""HCI packets (H4) of a capture, decoded into what the corpus is asked about.

Bluetooth Core 5.x, Vol 4 Part E (HCI) and Vol 3 (L2CAP, ATT). Only what the captures contain is
decoded: LE advertising reports, LE connection complete and connection update complete events,
disconnection complete, and ACL data on the ATT channel (CID 4) and the LE signalling channel
(CID 5), reassembled from their fragments. Everything else is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from .btsnoop import Record

H4_COMMAND = 0x01
H4_ACL = 0x02
H4_EVENT = 0x04

EVENT_DISCONNECTION_COMPLETE = 0x05
EVENT_LE_META = 0x3E
LE_CONNECTION_COMPLETE = 0x01
LE_ADVERTISING_REPORT = 0x02
LE_CONNECTION_UPDATE_COMPLETE = 0x03

CID_ATT = 0x0004
CID_LE_SIGNALLING = 0x0005
# ACL packet boundary flags (bits 12-13 of the handle word): a continuing fragment.
_CONTINUING_FRAGMENT = 0x1


class AdvertisingEventType(IntEnum):
    """An advertising report's event type (Vol 4, Part E, 7.7.65.2)."""

    ADV_IND = 0x00
    ADV_DIRECT_IND = 0x01
    ADV_SCAN_IND = 0x02
    ADV_NONCONN_IND = 0x03
    SCAN_RSP = 0x04


def _address(data: bytes) -> str:
    """An address as Home Assistant spells it: upper case, most significant octet first."""
    return ":".join(f"{octet:02X}" for octet in reversed(data))


@dataclass(frozen=True, slots=True)
class AdvertisingReport:
    """One advertising PDU a scanner heard."""

    time: float
    event_type: AdvertisingEventType
    address: str
    public_address: bool
    data: bytes  # AD structures
    rssi: int


@dataclass(frozen=True, slots=True)
class ConnectionParameters:
    """The link layer's parameters, in the units the specification gives them."""

    interval: int  # x 1.25 ms
    latency: int  # connection events the peripheral may skip
    supervision_timeout: int  # x 10 ms

    @property
    def interval_seconds(self) -> float:
        """The connection interval in seconds."""
        return self.interval * 1.25 / 1000

    @property
    def supervision_timeout_seconds(self) -> float:
        """The supervision timeout in seconds."""
        return self.supervision_timeout / 100


@dataclass(frozen=True, slots=True)
class ConnectionComplete:
    """An LE connection came up (or failed: `status` not 0)."""

    time: float
    status: int
    handle: int
    central: bool  # our side's role
    address: str
    parameters: ConnectionParameters


@dataclass(frozen=True, slots=True)
class ConnectionUpdateComplete:
    """New connection parameters took effect (at the update's instant)."""

    time: float
    status: int
    handle: int
    parameters: ConnectionParameters


@dataclass(frozen=True, slots=True)
class DisconnectionComplete:
    """A connection ended, for an HCI reason."""

    time: float
    status: int
    handle: int
    reason: int


@dataclass(frozen=True, slots=True)
class L2capPdu:
    """One reassembled L2CAP PDU on a connection: ATT or LE signalling."""

    time: float  # of its last fragment
    handle: int
    received: bool  # sent by the peer (for ATT: by the band or wheel when we are central)
    channel: int
    payload: bytes

    @property
    def opcode(self) -> int:
        """ATT opcode, or the signalling command code."""
        return self.payload[0]


type HciItem = (
    AdvertisingReport
    | ConnectionComplete
    | ConnectionUpdateComplete
    | DisconnectionComplete
    | L2capPdu
)


def _parameters(data: bytes) -> ConnectionParameters:
    return ConnectionParameters(
        int.from_bytes(data[0:2], "little"),
        int.from_bytes(data[2:4], "little"),
        int.from_bytes(data[4:6], "little"),
    )


def _le_meta(time: float, body: bytes) -> Iterator[HciItem]:
    subevent = body[0]
    if subevent == LE_CONNECTION_COMPLETE:
        # status, handle, role, peer address type, peer address, interval, latency, timeout, SCA
        yield ConnectionComplete(
            time,
            status=body[1],
            handle=int.from_bytes(body[2:4], "little") & 0x0FFF,
            central=body[4] == 0x00,
            address=_address(body[6:12]),
            parameters=_parameters(body[12:18]),
        )
    elif subevent == LE_CONNECTION_UPDATE_COMPLETE:
        yield ConnectionUpdateComplete(
            time,
            status=body[1],
            handle=int.from_bytes(body[2:4], "little") & 0x0FFF,
            parameters=_parameters(body[4:10]),
        )
    elif subevent == LE_ADVERTISING_REPORT:
        yield from _advertising_reports(time, body[1:])


def _advertising_reports(time: float, body: bytes) -> Iterator[AdvertisingReport]:
    """Each report of an LE Advertising Report event (the controller may batch several)."""
    count, offset = body[0], 1
    for _ in range(count):
        event_type, address_type = body[offset], body[offset + 1]
        address = _address(body[offset + 2 : offset + 8])
        length = body[offset + 8]
        data = body[offset + 9 : offset + 9 + length]
        rssi = int.from_bytes(body[offset + 9 + length : offset + 10 + length], signed=True)
        offset += 10 + length
        yield AdvertisingReport(
            time, AdvertisingEventType(event_type), address, address_type == 0, data, rssi
        )


def decode(records: Iterable[Record]) -> list[HciItem]:
    """The items of interest in a capture's records, in capture order."""
    items: list[HciItem] = []
    # Fragments of an L2CAP PDU still arriving, per (handle, direction).
    partial: dict[tuple[int, bool], bytearray] = {}
    for record in records:
        packet = record.packet
        if packet[0] == H4_EVENT:
            code, body = packet[1], packet[3 : 3 + packet[2]]
            if code == EVENT_LE_META:
                items.extend(_le_meta(record.time, body))
            elif code == EVENT_DISCONNECTION_COMPLETE:
                handle = int.from_bytes(body[1:3], "little") & 0x0FFF
                items.append(DisconnectionComplete(record.time, body[0], handle, body[3]))
        elif packet[0] == H4_ACL and (pdu := _acl(record, partial)) is not None:
            items.append(pdu)
    return items


def _acl(record: Record, partial: dict[tuple[int, bool], bytearray]) -> L2capPdu | None:
    """Feed one ACL packet; return the L2CAP PDU it completes, if it completes one."""
    word = int.from_bytes(record.packet[1:3], "little")
    handle, boundary = word & 0x0FFF, (word >> 12) & 0x3
    data = record.packet[5 : 5 + int.from_bytes(record.packet[3:5], "little")]
    key = (handle, record.received)
    if boundary == _CONTINUING_FRAGMENT:
        if key not in partial:
            return None  # the start was not captured
        partial[key] += data
    else:
        partial[key] = bytearray(data)
    buffer = partial[key]
    if len(buffer) < 4 or len(buffer) < 4 + int.from_bytes(buffer[0:2], "little"):
        return None
    length, channel = int.from_bytes(buffer[0:2], "little"), int.from_bytes(buffer[2:4], "little")
    del partial[key]
    if channel not in (CID_ATT, CID_LE_SIGNALLING):
        return None
    return L2capPdu(record.time, handle, record.received, channel, bytes(buffer[4 : 4 + length]))
