"""An emulated BLE peripheral: what it advertises, its GATT table, its connections and faults.

Device emulators (band, wheel) subclass `Peripheral` and override the `on_*` hooks; the virtual
proxy's client drives a `Connection` through the link timing model. Everything a test wants to
provoke is a method here: refuse the next connects, drop the link, leave radio range, stall.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
import logging
from typing import Protocol

from bleak.exc import BleakError
from bluetooth_data_tools import parse_advertisement_data_bytes

from .gatt import (
    CCCD_ENABLE_NOTIFY,
    READ,
    WRITE,
    WRITE_WITHOUT_RESPONSE,
    Characteristic,
    GattTable,
    Service,
)
from .timing import CONNECTION_TIMEOUT, REMOTE_USER_TERMINATED, Direction, Link, LinkTiming

_LOGGER = logging.getLogger(__name__)


# AD types (Bluetooth Core Supplement, Part A, 1): what the emulated devices put on air.
AD_FLAGS = 0x01
AD_COMPLETE_16_BIT_UUIDS = 0x03
AD_COMPLETE_128_BIT_UUIDS = 0x07
AD_COMPLETE_LOCAL_NAME = 0x09
AD_SERVICE_DATA_16_BIT = 0x16
AD_MANUFACTURER_DATA = 0xFF
FLAGS_LE_GENERAL_DISCOVERABLE = b"\x06"  # LE general discoverable, BR/EDR not supported
# A legacy advertising PDU carries at most 31 bytes of AD structures, and so does a scan response.
LEGACY_ADVERTISING_DATA = 31
_SIG_BASE_UUID_SUFFIX = "-0000-1000-8000-00805f9b34fb"


def ad_structure(ad_type: int, payload: bytes) -> bytes:
    """One AD structure: its length (type included), its type, its payload."""
    return bytes((len(payload) + 1, ad_type)) + payload


@dataclass(frozen=True, slots=True)
class HeardAdvertisement:
    """What a scanner makes of the AD structures it heard (Home Assistant's own parser)."""

    local_name: str | None
    service_uuids: list[str]
    service_data: dict[str, bytes]
    manufacturer_data: dict[int, bytes]


@dataclass(slots=True)
class Advertisement:
    """What a peripheral puts on air: its advertising data, and its answer to a scan request.

    Both are AD structures as the radio carries them. A passive scanner hears only `data`; an
    active one asks for the scan response and hears both (an ESP32 proxy reports them as one).
    Devices whose captures show what goes where are built from the captured bytes; the others
    with `of`, which puts in the advertisement what fits, in order, and the rest in the scan
    response (where a device really puts each field is unverified for them).
    """

    data: bytes
    scan_response: bytes = b""
    rssi: int = -60

    @classmethod
    def of(
        cls,
        local_name: str | None,
        service_uuids: list[str] | None = None,
        *,
        manufacturer_data: dict[int, bytes] | None = None,
        service_data: dict[str, bytes] | None = None,
        rssi: int = -60,
    ) -> Advertisement:
        """Lay out the fields: flags, services, manufacturer and service data, then the name."""
        structures = [ad_structure(AD_FLAGS, FLAGS_LE_GENERAL_DISCOVERABLE)]
        uuids = service_uuids or []
        short = [uuid for uuid in uuids if uuid.endswith(_SIG_BASE_UUID_SUFFIX)]
        if short:
            payload = b"".join(int(uuid[4:8], 16).to_bytes(2, "little") for uuid in short)
            structures.append(ad_structure(AD_COMPLETE_16_BIT_UUIDS, payload))
        for uuid in (uuid for uuid in uuids if uuid not in short):
            value = int(uuid.replace("-", ""), 16).to_bytes(16, "little")
            structures.append(ad_structure(AD_COMPLETE_128_BIT_UUIDS, value))
        for company, payload in (manufacturer_data or {}).items():
            structures.append(
                ad_structure(AD_MANUFACTURER_DATA, company.to_bytes(2, "little") + payload)
            )
        for uuid, payload in (service_data or {}).items():
            prefix = int(uuid[4:8], 16).to_bytes(2, "little")
            structures.append(ad_structure(AD_SERVICE_DATA_16_BIT, prefix + payload))
        if local_name:
            structures.append(ad_structure(AD_COMPLETE_LOCAL_NAME, local_name.encode()))
        data, response = b"", b""
        for structure in structures:  # first fit: what the advertisement cannot take, answers
            if len(data) + len(structure) <= LEGACY_ADVERTISING_DATA:
                data += structure
            else:
                response += structure
        if len(response) > LEGACY_ADVERTISING_DATA:
            raise ValueError("the fields do not fit an advertisement and a scan response")
        return cls(data, response, rssi)

    def heard(self, *, active: bool) -> bytes:
        """The AD structures a scanner hears: the scan response too when it asks for it."""
        return self.data + self.scan_response if active else self.data

    def fields(self, *, active: bool = True) -> HeardAdvertisement:
        """The advertisement as Home Assistant parses it (bluetooth-data-tools)."""
        name, uuids, service_data, manufacturer_data, _tx_power = parse_advertisement_data_bytes(
            self.heard(active=active)
        )
        return HeardAdvertisement(name, list(uuids), dict(service_data), dict(manufacturer_data))

    @property
    def local_name(self) -> str | None:
        """The name an active scanner hears, if the device sends one."""
        return self.fields(active=True).local_name


class ConnectFault(Enum):
    """How a refused connect looks to bleak-retry-connector, which backs off by error kind."""

    # An ESPHome proxy's "connection failed to establish": transient, retried up to 9 times.
    TRANSIENT = "transient"
    # No answer in time: counted against max_attempts, ends as BleakNotFoundError.
    TIMEOUT = "timeout"
    # Any other Bluetooth error: counted against max_attempts, ends as BleakConnectionError.
    ERROR = "error"

    def exception(self, address: str) -> BaseException:
        """Build the exception a real backend raises for this fault."""
        if self is ConnectFault.TRANSIENT:
            return BleakError(f"{address}: ESP_GATT_CONN_FAIL_ESTABLISH")
        if self is ConnectFault.TIMEOUT:
            return TimeoutError(f"{address}: connect timed out")
        return BleakError(f"{address}: emulated connect error")


class Central(Protocol):
    """The central's end of a connection: what the peripheral's side tells it."""

    def link_closed(self, reason: int) -> None:
        """The connection ended for this HCI reason."""

    def notification_received(self, char: Characteristic, data: bytes) -> None:
        """A notification arrived."""


class LinkLostError(BleakError):
    """An operation was cut short because the link went down."""


# ATT error codes (Bluetooth Core, Vol 3 Part F, 3.4.1.1) a GATT server answers with.
ATT_INVALID_HANDLE = 0x01
ATT_READ_NOT_PERMITTED = 0x02
ATT_WRITE_NOT_PERMITTED = 0x03
ATT_INVALID_ATTRIBUTE_LENGTH = 0x0D


class AttError(BleakError):
    """The peripheral's GATT server refused a request with an ATT error code."""

    def __init__(self, code: int, message: str) -> None:
        """Keep the code: each transport reports it its own way."""
        super().__init__(message)
        self.code = code


class Connection:
    """One open link between a central and the peripheral."""

    def __init__(self, peripheral: Peripheral, central: Central, timing: LinkTiming) -> None:
        """Open a connection between a peripheral and a central."""
        self.peripheral = peripheral
        self.central = central
        self.timing = timing
        self.link = Link(timing, lambda: self.close(CONNECTION_TIMEOUT))
        self.subscribed: set[Characteristic] = set()
        self.open = True
        self._closed = asyncio.Event()

    def close(self, reason: int) -> None:
        """End the connection for the given HCI reason; both sides learn of it."""
        if not self.open:
            return
        self.open = False
        self.link.close()
        self.subscribed.clear()
        self._closed.set()
        self.peripheral._connection_closed(self, reason)  # noqa: SLF001 - its own peripheral
        self.central.link_closed(reason)

    async def send(self, pdus: int) -> None:
        """Carry PDUs to the peripheral; return when they have arrived."""
        await self.until(self.link.reserve(Direction.TO_PERIPHERAL, pdus))

    async def respond(self, pdus: int) -> None:
        """Carry a response back; it leaves one connection event after the request was handled."""
        await self.until(self.link.reserve(Direction.TO_CENTRAL, pdus, self.link.reply_event()))

    async def until(self, moment: float) -> None:
        """Wait until a model time; raise `LinkLostError` as soon as the link goes down."""
        if not self.open:
            raise LinkLostError("Not connected")
        closed = asyncio.ensure_future(self._closed.wait())
        arrived = asyncio.ensure_future(self.link.wait_until(moment))
        try:
            await asyncio.wait([closed, arrived], return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            arrived.cancel()
        if not self.open:
            raise LinkLostError("Disconnected while waiting for the peripheral")

    # -- the central's requests: ATT round trips through the link ---------------------------------
    # Both transports (the virtual proxy's bleak client, the emulated ESPHome proxy) carry their
    # requests through these, so a device behaves the same whichever way it is reached.

    async def read(self, char: Characteristic) -> bytes:
        """Read a characteristic's value: a request, the peripheral's handler, the response."""
        if READ not in char.properties:
            raise AttError(ATT_READ_NOT_PERMITTED, f"{char.uuid}: read not permitted")
        self.peripheral.requests.append(("read", char.uuid))
        await self.send(1)
        value = await self.peripheral.on_read(char)
        await self.respond(self.timing.pdus_for(len(value)))
        return value

    async def write(self, char: Characteristic, payload: bytes, *, response: bool) -> None:
        """Write a characteristic with or without response."""
        allowed = WRITE if response else WRITE_WITHOUT_RESPONSE
        if allowed not in char.properties:
            raise AttError(ATT_WRITE_NOT_PERMITTED, f"{char.uuid}: {allowed} not permitted")
        if not response and len(payload) > self.timing.payload_per_pdu:
            message = f"{char.uuid}: {len(payload)} bytes exceed the ATT MTU"
            raise AttError(ATT_INVALID_ATTRIBUTE_LENGTH, message)
        self.peripheral.requests.append(("write" if response else "write-command", char.uuid))
        await self.send(self.timing.pdus_for(len(payload)))
        # The peripheral handles the request before it can answer: a slow handler delays the
        # response, and one that stalls past the supervision timeout takes the link down.
        try:
            await self.peripheral.on_write(char, payload, response)
        except BaseException:
            self.peripheral.forget_after_response()  # no response: nothing follows it either
            raise
        if not response:
            self.peripheral.run_after_response()
            return
        link = self.link
        with link.one_moment():  # what the handler left for after the response follows it at once
            answered = link.reserve(Direction.TO_CENTRAL, 1, link.reply_event())
            self.peripheral.run_after_response()
        await self.until(answered)

    async def read_cccd(self, char: Characteristic) -> bytes:
        """Read a characteristic's CCCD: whether notifications are on."""
        await self.send(1)
        await self.respond(1)
        return CCCD_ENABLE_NOTIFY if char in self.subscribed else b"\x00\x00"

    async def write_cccd(self, char: Characteristic, enabled: bool) -> None:
        """Write a CCCD: a write request like any other, one round trip."""
        self.peripheral.requests.append(("subscribe" if enabled else "unsubscribe", char.uuid))
        await self.send(1)
        if enabled:
            self.subscribed.add(char)
        else:
            self.subscribed.discard(char)
        self.peripheral.on_subscription(char, enabled)
        await self.respond(1)


class Peripheral:
    """A device on air. Subclasses give it behaviour through the `on_*` hooks."""

    # Whether its address is public (an IEEE OUI, as the bands' are) or random static.
    public_address = True

    @property
    def address_type(self) -> int:
        """Its address type as HCI and the ESPHome API number it: 0 public, 1 random."""
        return 0 if self.public_address else 1

    def __init__(
        self,
        address: str,
        advertisement: Advertisement,
        services: list[Service],
        *,
        timing: LinkTiming | None = None,
    ) -> None:
        """Create a device that is in range and accepts connections."""
        self.address = address.upper()
        self.advertisement = advertisement
        self.gatt = GattTable(services)
        self.timing = timing or LinkTiming()
        self.in_range = True
        self.connection: Connection | None = None
        self.connect_attempts = 0
        self.disconnect_reasons: list[int] = []
        # Every ATT request a central made, in order: ("connect" | "read" | "write" |
        # "write-command" | "subscribe" | "unsubscribe", characteristic UUID or ""). Round trips
        # are all but "write-command"; benchmarks count them.
        self.requests: list[tuple[str, str]] = []
        self.notifications_delivered = 0  # to the central's side, for per-notification costs
        self._refusals: deque[ConnectFault] = deque()
        self._after_response: list[Callable[[], None]] = []

    # -- fault hooks ------------------------------------------------------------------------------

    def refuse_connects(self, count: int, fault: ConnectFault = ConnectFault.TRANSIENT) -> None:
        """Make the next `count` connect attempts fail with the given fault."""
        self._refusals.extend([fault] * count)

    def stop_refusing(self) -> None:
        """Accept connects again, whatever refusals were still to come."""
        self._refusals.clear()

    def drop_link(self, reason: int = REMOTE_USER_TERMINATED) -> None:
        """End the current connection from the peripheral's side."""
        if self.connection is not None:
            self.connection.close(reason)

    def leave_range(self) -> None:
        """Go out of radio range: the link times out and connects stop reaching the device."""
        self.in_range = False
        self.drop_link(CONNECTION_TIMEOUT)

    def return_to_range(self) -> None:
        """Come back into radio range."""
        self.in_range = True

    def restart_with(self, services: list[Service]) -> None:
        """Restart with another attribute table, as after a firmware update.

        The link drops, and the handles a central cached no longer name the same attributes.
        """
        self.drop_link(REMOTE_USER_TERMINATED)
        self.gatt = GattTable(services)

    def stop_timers(self) -> None:
        """Stop what the device runs by itself, on no central's behalf (a test's end)."""

    def stall(self, duration: float) -> bool:
        """Miss connection events for `duration` model seconds (see `Link.stall`)."""
        return self.connection is not None and self.connection.link.stall(duration)

    # -- device behaviour, for subclasses ---------------------------------------------------------

    async def on_connect(self, connection: Connection) -> None:
        """Run when a central has connected (after service discovery)."""

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        """Handle a write; the default stores the value."""
        char.value = data

    def after_response(self, callback: Callable[[], None]) -> None:
        """From a write's handler: run `callback` right after the write's response is booked.

        What a device sends because of a write then leaves behind the response, in the same
        connection event if there is room: in Mi Fit's capture the band answered FF05 `06` first
        and sent the activity header and data in the same event.
        """
        self._after_response.append(callback)

    def forget_after_response(self) -> None:
        """Drop what a write's handler left for after a response that will not come."""
        self._after_response = []

    def run_after_response(self) -> None:
        """Run what the write's handler left for after its response."""
        callbacks, self._after_response = self._after_response, []
        for callback in callbacks:
            callback()

    async def on_read(self, char: Characteristic) -> bytes:
        """Answer a read; the default returns the stored value."""
        return char.value

    def on_subscription(self, char: Characteristic, enabled: bool) -> None:
        """Run when a central writes a characteristic's CCCD."""

    def on_disconnect(self, reason: int) -> None:
        """Run when a connection ends, for any reason."""

    # -- what the device does on air --------------------------------------------------------------

    def notify(
        self,
        uuid: str,
        data: bytes,
        *,
        in_reply: bool = False,
        then: Callable[[], None] | None = None,
    ) -> bool:
        """Send a notification if a central is subscribed; return whether it was sent.

        `in_reply` marks an answer to something the central just sent: it cannot leave in the
        connection event that carried the request, only in a later one. `then` runs right after
        the notification has reached the central (a fault that strikes mid-answer, say).
        """
        connection = self.connection
        if connection is None or not connection.open:
            return False
        char = self.gatt.characteristic(uuid)
        if char not in connection.subscribed:
            return False
        if len(data) > connection.timing.payload_per_pdu:
            raise ValueError(f"notification of {len(data)} bytes does not fit the ATT MTU")
        char.value = bytes(data)
        link = connection.link
        arrives = link.reserve(Direction.TO_CENTRAL, 1, link.reply_event() if in_reply else None)
        link.call_at(arrives, lambda: self._deliver(connection, char, bytes(data), then))
        return True

    # -- called by the central's side (the virtual proxy's client) --------------------------------

    async def accept_connection(self, central: Central) -> Connection:
        """Take a connect request through the link model and the fault hooks."""
        self.connect_attempts += 1
        await asyncio.sleep(self.timing.connect_time * self.timing.time_scale)
        if not self.in_range:
            raise ConnectFault.TIMEOUT.exception(self.address)
        if self._refusals:
            raise self._refusals.popleft().exception(self.address)
        if self.connection is not None:
            # A single-central device: a new central displaces nobody, it is refused.
            raise BleakError(f"{self.address}: already connected to another central")
        self.connection = Connection(self, central, self.timing)
        self.requests.append(("connect", ""))
        await self.on_connect(self.connection)
        return self.connection

    def _connection_closed(self, connection: Connection, reason: int) -> None:
        if self.connection is connection:
            self.connection = None
        self.disconnect_reasons.append(reason)
        _LOGGER.debug("%s: link closed, reason 0x%02x", self.address, reason)
        self.on_disconnect(reason)

    def _deliver(
        self,
        connection: Connection,
        char: Characteristic,
        data: bytes,
        then: Callable[[], None] | None,
    ) -> None:
        if connection.open and char in connection.subscribed:
            self.notifications_delivered += 1
            connection.central.notification_received(char, data)
            if then is not None:
                then()
