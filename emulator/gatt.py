"""A small GATT server model, and the bleak objects a client sees of it.

A peripheral declares services and characteristics; the table hands out attribute handles the way
a real server does (service declaration, characteristic declaration, value, then a CCCD for
anything that notifies), so handles are realistic but never something a client should rely on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.uuids import normalize_uuid_str

READ = "read"
WRITE = "write"
WRITE_WITHOUT_RESPONSE = "write-without-response"
NOTIFY = "notify"
INDICATE = "indicate"

CCCD_UUID = normalize_uuid_str("2902")
CCCD_ENABLE_NOTIFY = b"\x01\x00"


@dataclass(eq=False)
class Characteristic:
    """One characteristic: its UUID, properties and current value."""

    uuid: str
    properties: tuple[str, ...]
    value: bytes = b""

    def __post_init__(self) -> None:
        """Store the UUID in bleak's normal form so lookups by any spelling agree."""
        self.uuid = normalize_uuid_str(self.uuid)

    @property
    def notifies(self) -> bool:
        """Whether a client can subscribe to this characteristic."""
        return NOTIFY in self.properties or INDICATE in self.properties


@dataclass(eq=False)
class Service:
    """A primary service and its characteristics."""

    uuid: str
    characteristics: list[Characteristic] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Store the UUID in bleak's normal form."""
        self.uuid = normalize_uuid_str(self.uuid)


class GattTable:
    """The attribute table of one peripheral."""

    def __init__(self, services: Iterable[Service]) -> None:
        """Assign handles in declaration order, as a GATT server lays out its database."""
        self.services = list(services)
        self._by_uuid: dict[str, Characteristic] = {}
        self._value_handle: dict[Characteristic, int] = {}
        self._cccd_handle: dict[Characteristic, int] = {}
        handle = 1
        for service in self.services:
            handle += 1  # service declaration
            for char in service.characteristics:
                handle += 1  # characteristic declaration
                self._by_uuid.setdefault(char.uuid, char)
                self._value_handle[char] = handle
                handle += 1
                if char.notifies:
                    self._cccd_handle[char] = handle
                    handle += 1

    def characteristic(self, uuid: str) -> Characteristic:
        """Return the characteristic with this UUID (first one if a UUID repeats)."""
        return self._by_uuid[normalize_uuid_str(uuid)]

    def value_handle(self, char: Characteristic) -> int:
        """Return the handle of a characteristic's value attribute."""
        return self._value_handle[char]

    def cccd_handle(self, char: Characteristic) -> int | None:
        """Return the handle of a characteristic's CCCD, if it notifies."""
        return self._cccd_handle.get(char)

    def by_cccd_handle(self, handle: int) -> Characteristic:
        """Return the characteristic whose CCCD has this handle."""
        for char, cccd_handle in self._cccd_handle.items():
            if cccd_handle == handle:
                return char
        raise KeyError(handle)

    def by_value_handle(self, handle: int) -> Characteristic:
        """Return the characteristic whose value attribute has this handle."""
        for char, value_handle in self._value_handle.items():
            if value_handle == handle:
                return char
        raise KeyError(handle)

    def to_bleak(self, max_write_without_response: int) -> BleakGATTServiceCollection:
        """Build the service collection a bleak client exposes after service discovery."""
        collection = BleakGATTServiceCollection()
        for service in self.services:
            first = (
                self._value_handle[service.characteristics[0]] - 2 if service.characteristics else 0
            )
            bleak_service = _Service(service.uuid, first)
            collection.add_service(bleak_service)
            for char in service.characteristics:
                bleak_char = _Characteristic(
                    bleak_service, char, self._value_handle[char], max_write_without_response
                )
                collection.add_characteristic(bleak_char)
                if (cccd_handle := self._cccd_handle.get(char)) is not None:
                    collection.add_descriptor(_Descriptor(bleak_char, cccd_handle))
        return collection


class _Service(BleakGATTService):
    def __init__(self, uuid: str, handle: int) -> None:
        super().__init__(None)
        self._uuid, self._handle = uuid, handle
        self._characteristics: list[BleakGATTCharacteristic] = []

    @property
    def handle(self) -> int:
        return self._handle

    @property
    def uuid(self) -> str:
        return self._uuid

    @property
    def characteristics(self) -> list[BleakGATTCharacteristic]:
        return self._characteristics

    def add_characteristic(self, characteristic: BleakGATTCharacteristic) -> None:
        self._characteristics.append(characteristic)


class _Characteristic(BleakGATTCharacteristic):
    def __init__(
        self, service: _Service, model: Characteristic, handle: int, max_write: int
    ) -> None:
        super().__init__(model, lambda: max_write)
        self._service, self._model, self._handle = service, model, handle
        self._descriptors: list[BleakGATTDescriptor] = []

    @property
    def service_uuid(self) -> str:
        return self._service.uuid

    @property
    def service_handle(self) -> int:
        return self._service.handle

    @property
    def handle(self) -> int:
        return self._handle

    @property
    def uuid(self) -> str:
        return self._model.uuid

    @property
    def properties(self) -> list[str]:
        return list(self._model.properties)

    @property
    def descriptors(self) -> list[BleakGATTDescriptor]:
        return self._descriptors

    def get_descriptor(self, specifier: int | str | Any) -> BleakGATTDescriptor | None:
        return next((d for d in self._descriptors if specifier in (d.handle, d.uuid)), None)

    def add_descriptor(self, descriptor: BleakGATTDescriptor) -> None:
        self._descriptors.append(descriptor)


class _Descriptor(BleakGATTDescriptor):
    def __init__(self, characteristic: _Characteristic, handle: int) -> None:
        super().__init__(None)
        self._characteristic, self._handle = characteristic, handle

    @property
    def characteristic_uuid(self) -> str:
        return self._characteristic.uuid

    @property
    def characteristic_handle(self) -> int:
        return self._characteristic.handle

    @property
    def uuid(self) -> str:
        return CCCD_UUID

    @property
    def handle(self) -> int:
        return self._handle
