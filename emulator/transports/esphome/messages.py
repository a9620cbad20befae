"""The proxy's messages about a device's GATT services.

The firmware describes a device's services with 16-bit UUIDs in `short_uuid` where they are
SIG-based, 128-bit ones split into two words otherwise. (Advertisements go out as the AD
structures the radio heard: `Advertisement.heard`.)
"""

from __future__ import annotations

from typing import Any

from aioesphomeapi import api_pb2
from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES

from ...link.gatt import GattTable, Service

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
