"""A small GATT server model, and the bleak objects a client sees of it.

A peripheral declares services and characteristics; the table hands out attribute handles the way
a real server does (service declaration, characteristic declaration, value, then a CCCD for
anything that notifies or indicates), so a table laid out as a captured one, with its services
where the capture has them, gets the captured handles. A client should never rely on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.uuids import normalize_uuid_str

READ: CharacteristicPropertyName = "read"
WRITE: CharacteristicPropertyName = "write"
WRITE_WITHOUT_RESPONSE: CharacteristicPropertyName = "write-without-response"
NOTIFY: CharacteristicPropertyName = "notify"
INDICATE: CharacteristicPropertyName = "indicate"

CCCD_UUID = normalize_uuid_str("2902")
CCCD_ENABLE_NOTIFY = b"\x01\x00"


@dataclass(eq=False)
class Characteristic:
    """One characteristic: its UUID, properties and current value."""

    uuid: str
    properties: tuple[CharacteristicPropertyName, ...]
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
    """A primary service and its characteristics.

    `handle` places its declaration where a captured table has it (a real server's database can
    leave gaps); None continues after the previous service.
    """

    uuid: str
    characteristics: list[Characteristic] = field(default_factory=list)
    handle: int | None = None

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
        self._service_handle: dict[Service, int] = {}
        handle = 1
        for service in self.services:
            if service.handle is not None:
                if service.handle < handle:
                    raise ValueError(f"service {service.uuid} at {service.handle} overlaps")
                handle = service.handle
            self._service_handle[service] = handle
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

    def service_handle(self, service: Service) -> int:
        """Return the handle of a service's declaration."""
        return self._service_handle[service]

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
        """Build the service collection a bleak client exposes after service discovery.

        bleak's own GATT objects, as a backend builds them: each takes its handle and UUID in the
        constructor, a characteristic its properties and service, a descriptor its characteristic.
        The model objects ride along as the platform-specific `obj`.
        """
        collection = BleakGATTServiceCollection()
        for service in self.services:
            bleak_service = BleakGATTService(service, self._service_handle[service], service.uuid)
            collection.add_service(bleak_service)
            for char in service.characteristics:
                bleak_char = BleakGATTCharacteristic(
                    char,
                    self._value_handle[char],
                    char.uuid,
                    list(char.properties),
                    lambda: max_write_without_response,
                    bleak_service,
                )
                collection.add_characteristic(bleak_char)
                if (cccd_handle := self._cccd_handle.get(char)) is not None:
                    collection.add_descriptor(
                        BleakGATTDescriptor(None, cccd_handle, CCCD_UUID, bleak_char)
                    )
        return collection
