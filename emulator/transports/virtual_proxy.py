"""A virtual Bluetooth proxy: a remote scanner whose connector hands out an emulated BleakClient.

Home Assistant's Bluetooth manager accepts remote scanners, the way ESPHome Bluetooth proxies plug
in. This one advertises emulated peripherals and, when an integration connects through
`bleak_retry_connector.establish_connection`, habluetooth picks this proxy's connector and builds
a `VirtualBleakClient` that talks to the peripheral through the link timing model. Nothing between
the integration and the emulated device is patched.

It scans the way a proxy or adapter is set to (`ScanMode`): actively, hearing each device's
scan response with its advertisement; passively, hearing the advertisement alone; or, where
habluetooth has it (Home Assistant 2026.x), in Home Assistant's "auto": passively, with the active
windows the Bluetooth manager asks for (`bluetooth.async_request_active_scan`, the rediscovery
sweep).

Only habluetooth and bleak are used, not Home Assistant, so the proxy also serves benchmarks.
Construct and start it after the Bluetooth manager exists: a scanner binds the manager when built.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum
import logging
from typing import Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTServiceCollection
from bleak.exc import BleakError
from bluetooth_data_tools import monotonic_time_coarse
from habluetooth import (
    BaseHaRemoteScanner,
    BluetoothScanningMode,
    HaBluetoothConnector,
    get_manager,
)

from ..link.gatt import Characteristic
from ..link.peripheral import Connection, LinkLostError, Peripheral
from ..link.timing import LOCAL_HOST_TERMINATED

_LOGGER = logging.getLogger(__name__)

DEFAULT_SOURCE = "AA:BB:CC:00:00:01"
# ESPHome's default number of active connections per proxy.
DEFAULT_CONNECTION_SLOTS = 3
# habluetooth 7 (Home Assistant 2026.x) drives "auto" scanners; 4.x (2025.8) knows no such mode.
AUTO_MODE = getattr(BluetoothScanningMode, "AUTO", None)


class ScanMode(StrEnum):
    """How the proxy scans."""

    ACTIVE = "active"  # asks every device for its scan response
    PASSIVE = "passive"  # hears advertisements only
    AUTO = "auto"  # passive, with active windows on Home Assistant's request (2026.x)


class _VirtualScanner(BaseHaRemoteScanner):
    """The proxy's scanner on Home Assistant's manager; it opens active windows when asked."""

    proxy: VirtualProxy

    async def async_request_active_window(self, duration: float) -> bool:
        """Scan actively for `duration` seconds (habluetooth 7's hook), then passively again."""
        if self.proxy.scanning_actively:
            return True  # already active (a window in progress, or an active proxy)
        self.proxy.scanning_actively = True
        self.set_current_mode(BluetoothScanningMode.ACTIVE)
        try:
            self.proxy.advertise_all()  # the next advertising event of each, with its response
            await asyncio.sleep(duration)
        finally:
            self.proxy.scanning_actively = False
            self.set_current_mode(BluetoothScanningMode.PASSIVE)
        return True


class VirtualProxy:
    """A Bluetooth proxy that is only software, with emulated peripherals in its range."""

    def __init__(
        self,
        source: str = DEFAULT_SOURCE,
        name: str = "Virtual Bluetooth proxy",
        *,
        connection_slots: int = DEFAULT_CONNECTION_SLOTS,
        scan_mode: ScanMode = ScanMode.ACTIVE,
    ) -> None:
        """Describe the proxy; `start` puts it on Home Assistant's Bluetooth manager."""
        if scan_mode is ScanMode.AUTO and AUTO_MODE is None:
            raise ValueError("this habluetooth has no auto scanning mode (Home Assistant 2026.x)")
        self.source = source
        self.name = name
        self.connection_slots = connection_slots
        self.scan_mode = scan_mode
        self.scanning_actively = scan_mode is ScanMode.ACTIVE
        self._peripherals: dict[str, Peripheral] = {}
        self._clients: set[VirtualBleakClient] = set()
        self._scanner: BaseHaRemoteScanner | None = None
        self._stop_callbacks: list[Callable[[], None]] = []
        # habluetooth builds the backend from a class; bind this proxy into one of its own.
        self.client_class: type[VirtualBleakClient] = type(
            "VirtualBleakClient", (VirtualBleakClient,), {"proxy": self}
        )

    @property
    def running(self) -> bool:
        """Whether the proxy is registered with the Bluetooth manager."""
        return self._scanner is not None

    def start(self) -> None:
        """Register with the Bluetooth manager and advertise every peripheral in range."""
        if self._scanner is not None:
            return
        connector = HaBluetoothConnector(
            client=self.client_class, source=self.source, can_connect=self.has_free_slot
        )
        requested, current = {
            ScanMode.ACTIVE: (BluetoothScanningMode.ACTIVE, BluetoothScanningMode.ACTIVE),
            ScanMode.PASSIVE: (BluetoothScanningMode.PASSIVE, BluetoothScanningMode.PASSIVE),
            ScanMode.AUTO: (AUTO_MODE, BluetoothScanningMode.PASSIVE),
        }[self.scan_mode]
        # Modes are set before registering: habluetooth gives an auto scanner its scheduler
        # worker only if it is auto when it joins.
        scanner = _VirtualScanner(self.source, self.name, connector, True, requested, current)
        scanner.proxy = self
        self._scanner = scanner
        self._stop_callbacks = [
            get_manager().async_register_scanner(self._scanner),
            self._scanner.async_setup(),
        ]
        self.advertise_all()

    def stop(self) -> None:
        """Vanish from the Bluetooth manager; open links through the proxy drop."""
        for client in list(self._clients):
            client.proxy_gone()
        for stop in reversed(self._stop_callbacks):
            stop()
        self._stop_callbacks.clear()
        self._scanner = None

    def add(self, peripheral: Peripheral) -> None:
        """Put a peripheral in the proxy's range and advertise it."""
        self._peripherals[peripheral.address] = peripheral
        self.advertise(peripheral)

    def remove(self, address: str) -> Peripheral | None:
        """Take a peripheral out of the proxy's range."""
        peripheral = self._peripherals.pop(address.upper(), None)
        if peripheral is not None:
            peripheral.leave_range()
        return peripheral

    def peripheral(self, address: str) -> Peripheral | None:
        """Return the peripheral with this address, if the proxy has it."""
        return self._peripherals.get(address.upper())

    def advertise(self, peripheral: Peripheral, rssi: int | None = None) -> None:
        """Report one advertising event of a peripheral to the Bluetooth manager.

        Scanning actively, the proxy hears the scan response too, as one report (an ESP32
        reports them together, and BlueZ merges them); passively, the advertisement alone.
        """
        if self._scanner is None or not peripheral.in_range:
            return
        adv = peripheral.advertisement
        heard = adv.fields(active=self.scanning_actively)
        self._scanner._async_on_advertisement(  # noqa: SLF001 - the remote scanner's feed
            peripheral.address,
            adv.rssi if rssi is None else rssi,
            heard.local_name,
            heard.service_uuids,  # typed cpdef: a list, not any sequence
            heard.service_data,
            heard.manufacturer_data,
            None,
            {},
            monotonic_time_coarse(),
        )

    def advertise_all(self) -> None:
        """Advertise every peripheral in range once (keeps them from going stale)."""
        for peripheral in self._peripherals.values():
            self.advertise(peripheral)

    def has_free_slot(self) -> bool:
        """Whether the proxy can take another connection (habluetooth asks before connecting)."""
        return sum(client.is_connected for client in self._clients) < self.connection_slots

    def _register(self, client: VirtualBleakClient) -> None:
        self._clients.add(client)

    def _forget(self, client: VirtualBleakClient) -> None:
        self._clients.discard(client)


class VirtualBleakClient(BaseBleakClient):
    """The bleak backend habluetooth builds for each connect through the virtual proxy.

    A new instance is made for every connect attempt, so all state that outlives an attempt lives
    on the peripheral. The disconnected callback fires for solicited and unsolicited disconnects
    alike, as BlueZ does, and always from the event loop, as a D-Bus signal would.
    """

    proxy: ClassVar[VirtualProxy]

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        """Bind to the proxy's peripheral for this address (looked up again on connect)."""
        super().__init__(address_or_ble_device, **kwargs)
        self._connection: Connection | None = None
        self._callbacks: dict[int, NotifyCallback] = {}

    # -- bleak backend interface ------------------------------------------------------------------

    @property
    def mtu_size(self) -> int:
        """The ATT MTU of the link."""
        peripheral = self.proxy.peripheral(self.address)
        return peripheral.timing.att_mtu if peripheral else 23

    @property
    def is_connected(self) -> bool:
        """Whether the link is up."""
        return self._connection is not None and self._connection.open

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect through the link model; faults come from the peripheral.

        `pair` is ignored: the emulated devices need no bond, as on an ESPHome proxy without it.
        """
        peripheral = self.proxy.peripheral(self.address)
        if peripheral is None or not self.proxy.running:
            await asyncio.sleep(0)
            raise TimeoutError(f"{self.address}: no answer through {self.proxy.name}")
        self.proxy._register(self)  # noqa: SLF001 - the client belongs to its proxy
        try:
            self._connection = await peripheral.accept_connection(self)
        except BaseException:
            self.proxy._forget(self)  # noqa: SLF001
            raise
        self.services = peripheral.gatt.to_bleak(peripheral.timing.payload_per_pdu)

    async def disconnect(self) -> None:
        """Close the link from the central's side."""
        if self._connection is not None:
            self._connection.close(LOCAL_HOST_TERMINATED)

    async def clear_cache(self) -> bool:
        """Forget cached services: there are none, each connect reads the peripheral's table."""
        return True

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Accept a pairing request (the emulated devices need no bond)."""

    async def unpair(self) -> None:
        """Accept an unpairing request."""

    async def get_services(self, **kwargs: Any) -> BleakGATTServiceCollection:
        """Return the services found at connect time."""
        if self.services is None:
            raise BleakError("Not connected")
        return self.services

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a characteristic's value through the link (never from a cache)."""
        connection, char = self._resolve(characteristic)
        return bytearray(await connection.read(char))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a CCCD: whether notifications are on."""
        connection = self._require_connection()
        char = self._char_for_cccd(connection, descriptor.handle)
        return bytearray(await connection.read_cccd(char))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        """Write a characteristic with or without response, through the link."""
        connection, char = self._resolve(characteristic)
        await connection.write(char, bytes(data), response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        """Write a CCCD directly."""
        connection = self._require_connection()
        char = self._char_for_cccd(connection, descriptor.handle)
        await connection.write_cccd(char, bytes(data) != b"\x00\x00")

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Subscribe: write the CCCD through the link, then deliver notifications to `callback`."""
        connection, char = self._resolve(characteristic)
        if not char.notifies:
            raise BleakError(f"{char.uuid}: notify not permitted")
        self._callbacks[characteristic.handle] = callback
        await connection.write_cccd(char, True)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Unsubscribe: write the CCCD back to zero."""
        connection, char = self._resolve(characteristic)
        await connection.write_cccd(char, False)
        self._callbacks.pop(connection.peripheral.gatt.value_handle(char), None)

    # -- the peripheral's side of the connection (emulator.link.peripheral.Central) ---------------

    def link_closed(self, reason: int) -> None:
        """The link ended: state flips now, the callback follows from the loop."""
        self.services = None
        self._callbacks.clear()
        self.proxy._forget(self)  # noqa: SLF001
        _LOGGER.debug("%s: disconnected, reason 0x%02x", self.address, reason)
        if self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    def notification_received(self, char: Characteristic, data: bytes) -> None:
        """Hand a notification to the subscriber, as bleak does."""
        if self._connection is None:
            return
        handle = self._connection.peripheral.gatt.value_handle(char)
        if (callback := self._callbacks.get(handle)) is not None:
            callback(bytearray(data))

    def proxy_gone(self) -> None:
        """The proxy went away under an open link."""
        if self._connection is not None:
            self._connection.close(LOCAL_HOST_TERMINATED)

    # -- helpers ----------------------------------------------------------------------------------

    def _require_connection(self) -> Connection:
        if self._connection is None or not self._connection.open:
            raise LinkLostError("Not connected")
        return self._connection

    def _resolve(
        self, characteristic: BleakGATTCharacteristic
    ) -> tuple[Connection, Characteristic]:
        """The open connection and the model behind a characteristic.

        bleak's client resolves a UUID or handle to its characteristic before it calls the
        backend; the handle (not the object, which may come from an earlier connection's
        services) names the attribute on this one.
        """
        connection = self._require_connection()
        try:
            return connection, connection.peripheral.gatt.by_value_handle(characteristic.handle)
        except KeyError:
            raise BleakError(f"Characteristic {characteristic} was not found") from None

    @staticmethod
    def _char_for_cccd(connection: Connection, handle: int) -> Characteristic:
        try:
            return connection.peripheral.gatt.by_cccd_handle(handle)
        except KeyError:
            raise BleakError(f"Descriptor {handle} was not found") from None
