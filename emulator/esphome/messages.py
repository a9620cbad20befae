"""The proxy's messages about the radio: advertisements as AD structures, GATT services.

The firmware forwards raw advertisements (the AD structures as received) and describes a
device's services with 16-bit UUIDs in `short_uuid` where they are SIG-based, 128-bit ones split
into two words otherwise.
"""

from __future__ import annotations

from typing import Any

from aioesphomeapi import api_pb2
from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES

from ..gatt import GattTable, Service
from ..peripheral import Advertisement

# An advertisement or a scan response carries at most 31 bytes of AD structures.
_LEGACY_ADVERTISING_DATA = 31
_SIG_BASE_UUID_SUFFIX = "-0000-1000-8000-00805f9b34fb"
_CCCD_UUID = "00002902" + _SIG_BASE_UUID_SUFFIX
_PROPERTY_MASKS = {name: mask for mask, name in CHARACTERISTIC_PROPERTIES.items()}


def _split_uuid(uuid: str) -> tuple[int, int]:
    value = int(uuid.replace("-", ""), 16)
    return value >> 64, value & 0xFFFF_FFFF_FFFF_FFFF


def _set_uuid(message: Any, uuid: str) -> None:
    """Fill a GATT message's UUID: the short form for SIG UUIDs, as the firmware sends it."""
    if uuid.endswith(_SIG_BASE_UUID_SUFFIX):
        message.short_uuid = int(uuid[:8], 16)
    else:
        message.uuid.extend(_split_uuid(uuid))


def _ad_structure(ad_type: int, payload: bytes) -> bytes:
    return bytes((len(payload) + 1, ad_type)) + payload


def advertising_data(advertisement: Advertisement) -> list[bytes]:
    """The AD structures of an advertisement, cut into advertising data and scan response."""
    structures = [_ad_structure(0x01, b"\x06")]  # flags: LE general discoverable, no BR/EDR
    uuids = advertisement.service_uuids
    short_uuids = [uuid for uuid in uuids if uuid.endswith(_SIG_BASE_UUID_SUFFIX)]
    long_uuids = [uuid for uuid in uuids if uuid not in short_uuids]
    if short_uuids:
        payload = b"".join(int(uuid[4:8], 16).to_bytes(2, "little") for uuid in short_uuids)
        structures.append(_ad_structure(0x03, payload))  # complete list of 16-bit UUIDs
    for uuid in long_uuids:
        value = int(uuid.replace("-", ""), 16)
        structures.append(_ad_structure(0x07, value.to_bytes(16, "little")))
    for company, data in advertisement.manufacturer_data.items():
        structures.append(_ad_structure(0xFF, company.to_bytes(2, "little") + data))
    for uuid, data in advertisement.service_data.items():
        structures.append(_ad_structure(0x16, int(uuid[4:8], 16).to_bytes(2, "little") + data))
    if advertisement.local_name:
        structures.append(_ad_structure(0x09, advertisement.local_name.encode()))
    packets: list[bytes] = [b""]
    for structure in structures:
        if len(packets[-1]) + len(structure) > _LEGACY_ADVERTISING_DATA:
            packets.append(b"")
        packets[-1] += structure
    return packets


def services_message(address: int, gatt: GattTable, service: Service) -> Any:
    """One service of a device, as a GetServicesResponse (the firmware sends one per service)."""
    message = api_pb2.BluetoothGATTGetServicesResponse(address=address)
    pb_service = message.services.add(handle=gatt.service_handle(service))
    _set_uuid(pb_service, service.uuid)
    for char in service.characteristics:
        properties = 0
        for name in char.properties:
            properties |= _PROPERTY_MASKS[name]
        pb_char = pb_service.characteristics.add(
            handle=gatt.value_handle(char), properties=properties
        )
        _set_uuid(pb_char, char.uuid)
        if (cccd_handle := gatt.cccd_handle(char)) is not None:
            pb_descriptor = pb_char.descriptors.add(handle=cccd_handle)
            _set_uuid(pb_descriptor, _CCCD_UUID)
    return message
