"""The ATT conversation of a capture: operations with their handles, and the GATT table found.

Bluetooth Core 5.x, Vol 3 Part F (ATT) and Part G (GATT discovery). A read response carries no
handle; it is given the handle of the read request it answers, on the same connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from .hci import CID_ATT, HciItem, L2capPdu

PRIMARY_SERVICE = 0x2800
CHARACTERISTIC = 0x2803
SIG_BASE_UUID = "-0000-1000-8000-00805f9b34fb"


class Opcode(IntEnum):
    """The ATT opcodes the captures contain."""

    ERROR_RESPONSE = 0x01
    EXCHANGE_MTU_REQUEST = 0x02
    EXCHANGE_MTU_RESPONSE = 0x03
    FIND_INFORMATION_REQUEST = 0x04
    FIND_INFORMATION_RESPONSE = 0x05
    READ_BY_TYPE_REQUEST = 0x08
    READ_BY_TYPE_RESPONSE = 0x09
    READ_REQUEST = 0x0A
    READ_RESPONSE = 0x0B
    READ_BY_GROUP_TYPE_REQUEST = 0x10
    READ_BY_GROUP_TYPE_RESPONSE = 0x11
    WRITE_REQUEST = 0x12
    WRITE_RESPONSE = 0x13
    HANDLE_VALUE_NOTIFICATION = 0x1B
    HANDLE_VALUE_INDICATION = 0x1D
    HANDLE_VALUE_CONFIRMATION = 0x1E
    WRITE_COMMAND = 0x52


def uuid_from_bytes(data: bytes) -> str:
    """A UUID as bleak spells it, from its little-endian 16- or 128-bit form."""
    if len(data) == 2:
        return f"0000{int.from_bytes(data, 'little'):04x}{SIG_BASE_UUID}"
    value = int.from_bytes(data, "little").to_bytes(16).hex()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


@dataclass(frozen=True, slots=True)
class Operation:
    """One ATT PDU, with the attribute handle it concerns where there is one."""

    time: float
    connection: int
    from_peer: bool  # sent by the peripheral (response, notification) rather than the central
    opcode: int
    handle: int | None
    value: bytes  # the attribute value (or the PDU's parameters for discovery and errors)


_HANDLE_THEN_VALUE = {
    Opcode.READ_REQUEST,
    Opcode.WRITE_REQUEST,
    Opcode.WRITE_COMMAND,
    Opcode.HANDLE_VALUE_NOTIFICATION,
    Opcode.HANDLE_VALUE_INDICATION,
}


def operations(items: Iterable[HciItem]) -> list[Operation]:
    """The ATT operations of a capture, read responses given their request's handle."""
    result: list[Operation] = []
    last_read: dict[int, int] = {}  # connection -> handle of its outstanding read request
    for item in items:
        if not isinstance(item, L2capPdu) or item.channel != CID_ATT or not item.payload:
            continue
        opcode, body = item.payload[0], item.payload[1:]
        handle: int | None = None
        value = body
        if opcode in _HANDLE_THEN_VALUE:
            handle, value = int.from_bytes(body[0:2], "little"), body[2:]
            if opcode == Opcode.READ_REQUEST:
                last_read[item.handle] = handle
        elif opcode == Opcode.READ_RESPONSE:
            handle = last_read.pop(item.handle, None)
        result.append(Operation(item.time, item.handle, item.received, opcode, handle, value))
    return result


@dataclass(slots=True)
class DiscoveredCharacteristic:
    """A characteristic as its declaration gives it."""

    declaration_handle: int
    properties: int  # the declaration's property bits (0x02 read, 0x08 write, 0x10 notify, ...)
    value_handle: int
    uuid: str
    descriptors: dict[int, str] = field(default_factory=dict)  # handle -> UUID


@dataclass(slots=True)
class DiscoveredService:
    """A primary service and the characteristics found in its handle range."""

    handle: int
    end_handle: int
    uuid: str
    characteristics: list[DiscoveredCharacteristic] = field(default_factory=list)


def discovered_table(operations_: Iterable[Operation]) -> list[DiscoveredService]:
    """The GATT table a central discovered, from its discovery requests' responses."""
    services: dict[int, DiscoveredService] = {}
    characteristics: dict[int, DiscoveredCharacteristic] = {}
    # A Read By Type response answers the connection's last Read By Type request: declarations
    # only when that request asked for the characteristic declaration type.
    asked_declarations: dict[int, bool] = {}
    for operation in operations_:
        if operation.opcode == Opcode.READ_BY_TYPE_REQUEST:
            asked_declarations[operation.connection] = operation.value[4:] == _word(CHARACTERISTIC)
        if not operation.from_peer or not operation.value:
            continue
        if operation.opcode == Opcode.READ_BY_GROUP_TYPE_RESPONSE:
            for entry in _entries(operation.value):
                start, end = (
                    int.from_bytes(entry[0:2], "little"),
                    int.from_bytes(entry[2:4], "little"),
                )
                services[start] = DiscoveredService(start, end, uuid_from_bytes(entry[4:]))
        elif operation.opcode == Opcode.READ_BY_TYPE_RESPONSE and asked_declarations.get(
            operation.connection, False
        ):
            for entry in _entries(operation.value):
                declaration = int.from_bytes(entry[0:2], "little")
                characteristics[declaration] = DiscoveredCharacteristic(
                    declaration,
                    entry[2],
                    int.from_bytes(entry[3:5], "little"),
                    uuid_from_bytes(entry[5:]),
                )
        elif operation.opcode == Opcode.FIND_INFORMATION_RESPONSE:
            _add_descriptors(operation.value, characteristics)
    for declaration in sorted(characteristics):
        service = next(s for s in services.values() if s.handle < declaration <= s.end_handle)
        service.characteristics.append(characteristics[declaration])
    return [services[handle] for handle in sorted(services)]


def _word(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _entries(value: bytes) -> list[bytes]:
    """The fixed-length entries of a Read By Type / Read By Group Type response."""
    length = value[0]
    return [value[n : n + length] for n in range(1, len(value), length)]


def _add_descriptors(value: bytes, characteristics: dict[int, DiscoveredCharacteristic]) -> None:
    uuid_length = 2 if value[0] == 1 else 16
    for offset in range(1, len(value), 2 + uuid_length):
        handle = int.from_bytes(value[offset : offset + 2], "little")
        uuid = uuid_from_bytes(value[offset + 2 : offset + 2 + uuid_length])
        owner = max((d for d in characteristics if d < handle), default=None)
        if owner is not None and handle > characteristics[owner].value_handle:
            characteristics[owner].descriptors[handle] = uuid
