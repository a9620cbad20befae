"""An emulated ESPHome Bluetooth proxy: the native API, in plaintext, on a loopback TCP port.

Home Assistant's esphome integration connects to it with aioesphomeapi as to an ESP32 running
`bluetooth_proxy: active: true`; bleak-esphome registers it as a remote scanner and hands out its
`ESPHomeClient` for connects. The proxy answers with aioesphomeapi's own protobuf messages and
carries every GATT request through the same link timing model and the same emulated peripherals
as the virtual proxy (`emulator.transports.virtual_proxy`): one device model, two transports.

What it does as the firmware does (esphome/components/bluetooth_proxy, facts in
aioesphomeapi and bleak-esphome as installed):
- feature flags of a current active proxy; a single advertisement subscriber (the newest wins),
  answered with the scanner's state;
- it scans in its configured mode (`esp32_ble_tracker`'s `active`, true by default) until Home
  Assistant sets another: a change restarts the scan and pushes the states stopping, idle,
  starting and running, each with the new mode; an unchanged mode gets no answer. Home
  Assistant 2026.x sets a proxy to passive at connect ("auto") and opens active windows;
- raw advertisements, batched: scanning actively, one per advertising event holding the
  advertisement and the scan response together (Bluedroid reports a scannable device only once
  its scan response came); passively, the advertisement alone;
- connection slots counted from the connect request on, reported with the `allocated` addresses
  after every change; a connect with no free slot is answered "not connected";
- connections are V3 only: on a connect without cache the services are discovered over the link
  before the proxy reports the connection; the client writes CCCDs itself; notifications reach the
  client only for handles it registered;
- a link that ends is reported as not connected with its HCI reason (0x08 supervision timeout,
  0x13 remote user, 0x16 local host), a refused connect with the ESP-IDF error;
- when the API client goes away, every BLE link it held is closed.

Faults a test provokes: drop the TCP connections, reboot (gone, then back), run out of slots
(`occupy_slots`), lose a device out of range (`remove`), answer connects with an error.

Only aioesphomeapi's messages and the emulator are used, not Home Assistant, so benchmarks can
use it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
import contextlib
from dataclasses import dataclass
import logging
import time
from typing import Any

from aioesphomeapi import BluetoothProxyFeature, api_pb2
from aioesphomeapi.ble_defs import BLEConnectionError
from bluetooth_data_tools import int_to_bluetooth_address, mac_to_int

from ...link.gatt import Characteristic
from ...link.peripheral import ATT_INVALID_HANDLE, AttError, Connection, LinkLostError, Peripheral
from ...link.timing import CONNECTION_TIMEOUT, LOCAL_HOST_TERMINATED
from .frames import ApiConnection
from .messages import services_message

_LOGGER = logging.getLogger(__name__)

# The proxy's build, as Home Assistant shows it under the device. Newer than the esphome
# integration's STABLE_BLE_VERSION (2026.5.1 in 2026.10), which would otherwise raise a repair.
ESPHOME_VERSION = "2026.10.2"
# The native API version ESPHome 2026.10 speaks.
API_VERSION = (1, 14)

# A current `bluetooth_proxy` with `active: true`: every feature of these that the installed
# aioesphomeapi knows (the oldest supported Home Assistant's predates connection parameters).
FEATURE_FLAGS = sum(
    getattr(BluetoothProxyFeature, name, 0)
    for name in (
        "PASSIVE_SCAN",
        "ACTIVE_CONNECTIONS",
        "REMOTE_CACHING",
        "PAIRING",
        "CACHE_CLEARING",
        "RAW_ADVERTISEMENTS",
        "FEATURE_STATE_AND_MODE",
        "CONNECTION_PARAMS_SETTING",
    )
)
# ESPHome's default `connection_slots` with active connections.
DEFAULT_CONNECTION_SLOTS = 3

# SubscribeBluetoothLEAdvertisementsRequest.flags: raw advertisements wanted.
_RAW_ADVERTISEMENTS_FLAG = 1
# How long the controller tries to reach a device that does not answer, in model seconds.
_CONNECT_TIMEOUT = 20.0
# BluetoothGATTErrorResponse.error for a request to an address without a connection.
_GATT_NOT_CONNECTED = -1


def _connect_error(fault: BaseException) -> int:
    """The ESP-IDF error a connect the peripheral refused is reported with."""
    text = str(fault)
    if (
        isinstance(fault, TimeoutError)  # nothing answered before the controller gave up
        or BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.name in text  # ConnectFault.TRANSIENT
        or "already connected" in text  # a single-central device busy with another proxy
    ):
        return BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value
    return BLEConnectionError.ESP_GATT_ERROR.value


@dataclass(slots=True)
class ProxyIdentity:
    """What the proxy tells Home Assistant about itself (DeviceInfoResponse)."""

    name: str = "bluetooth-proxy"
    friendly_name: str = "Bluetooth proxy"
    mac_address: str = "AC:67:B2:00:00:01"
    bluetooth_mac_address: str = "AC:67:B2:00:00:03"

    @classmethod
    def numbered(cls, number: int) -> ProxyIdentity:
        """The n-th proxy of a house (1, 2, ...), each with its own name and addresses."""
        suffix = "" if number == 1 else f"-{number}"
        label = "" if number == 1 else f" {number}"
        return cls(
            name=f"bluetooth-proxy{suffix}",
            friendly_name=f"Bluetooth proxy{label}",
            mac_address=f"AC:67:B2:00:{number:02X}:01",
            bluetooth_mac_address=f"AC:67:B2:00:{number:02X}:03",
        )


class _BleLink:
    """One BLE connection the proxy holds (or is making) for an API client."""

    def __init__(self, proxy: EmulatedESPHomeProxy, address: int, owner: ApiConnection) -> None:
        self.proxy = proxy
        self.address = address
        self.owner = owner
        self.connection: Connection | None = None
        self.reported_connected = False
        self.registered_notify: set[int] = set()  # value handles the client asked notifications of
        self.task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self.reported_connected and self.connection is not None and self.connection.open

    # -- emulator.link.peripheral.Central ---------------------------------------------------------

    def link_closed(self, reason: int) -> None:
        """The peripheral's link ended: report it with its HCI reason and free the slot."""
        self.proxy._link_ended(self, reason)  # noqa: SLF001 - the link belongs to its proxy

    def notification_received(self, char: Characteristic, data: bytes) -> None:
        """Forward a notification, if the client registered for this handle."""
        if self.connection is None:
            return
        handle = self.connection.peripheral.gatt.value_handle(char)
        if handle in self.registered_notify:
            with self.proxy.working():  # building the message is the proxy's work too
                self.owner.send(
                    api_pb2.BluetoothGATTNotifyDataResponse(
                        address=self.address, handle=handle, data=data
                    )
                )


class EmulatedESPHomeProxy:
    """An ESP32 running ESPHome's Bluetooth proxy, with emulated peripherals in its range."""

    def __init__(
        self,
        identity: ProxyIdentity | None = None,
        *,
        connection_slots: int = DEFAULT_CONNECTION_SLOTS,
        advertising_interval: float = 1.0,
        time_scale: float = 1.0,
        configured_scan_active: bool = True,
    ) -> None:
        """Describe the proxy; `start` opens its API port.

        `advertising_interval` is in wall-clock seconds; `time_scale` converts the proxy's own
        waits (its connect timeout) the way the link model converts the links'.
        """
        self.identity = identity or ProxyIdentity()
        self.connection_slots = connection_slots
        self.advertising_interval = advertising_interval
        self.time_scale = time_scale
        self.port = 0
        self.boots = 0
        self.rssi: dict[str, int] = {}  # per-address RSSI as this proxy hears it, if not the ad's
        self.connect_requests: list[str] = []  # addresses, in order, of every connect request
        # (address, error) of every "not connected" the proxy reported for a link it had taken a
        # slot for: the HCI reason of a link that ended, the ESP-IDF error of one that never came.
        self.disconnects: list[tuple[str, int]] = []
        self._peripherals: dict[str, Peripheral] = {}
        self._server: asyncio.Server | None = None
        self._api_connections: set[ApiConnection] = set()
        self._links: dict[int, _BleLink] = {}
        self._occupied: list[int] = []  # slots held by devices that are not emulated here
        self._connect_errors: list[int] = []
        self._advertisement_subscriber: ApiConnection | None = None
        self._slot_subscribers: set[ApiConnection] = set()
        # The YAML's scan mode, which every boot starts with; Home Assistant may set another.
        self.configured_scan_active = configured_scan_active
        self.scan_active = configured_scan_active
        self.scan_mode_changes: list[bool] = []  # every change Home Assistant asked for (active?)
        self._advertising: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._handlers = self._message_handlers()
        # CPU seconds the proxy's own side of the API took (framing, protobuf, its socket
        # writes): the ESP32's work, which benchmarks take out of Home Assistant's figures.
        self.cpu_seconds = 0.0
        self._working = False

    # -- lifetime ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the proxy is on the network."""
        return self._server is not None

    async def start(self) -> None:
        """Boot: listen on 127.0.0.1 (the port of the previous boot, or a free one)."""
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: ApiConnection(self), "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self.boots += 1
        self.scan_active = self.configured_scan_active  # the mode lives in RAM
        self._schedule_advertising()

    async def stop(self) -> None:
        """Power off: the port closes, API clients and BLE links are gone."""
        server, self._server = self._server, None
        if self._advertising is not None:
            self._advertising.cancel()
            self._advertising = None
        # Power is gone: nothing more reaches the API clients, and the radio goes silent, so
        # each peripheral sees its link time out.
        for api in list(self._api_connections):
            api.abort()
        for link in list(self._links.values()):
            self._close_link(link, CONNECTION_TIMEOUT)
        self._occupied.clear()
        if server is not None:
            server.close()
            await server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        # Let the transports' connection_lost run before anyone looks.
        await asyncio.sleep(0)

    async def reboot(self, downtime: float = 0.0) -> None:
        """Restart the ESP32: everything drops, then the proxy is back with a new boot."""
        await self.stop()
        await asyncio.sleep(downtime)
        await self.start()

    def drop_api_connections(self) -> None:
        """Lose the TCP connections (Wi-Fi gone for a moment); the proxy itself keeps running."""
        for api in list(self._api_connections):
            api.abort()

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """Count the CPU time of the block as the proxy's own (once, when blocks nest)."""
        if self._working:
            yield
            return
        self._working, started = True, time.process_time()
        try:
            yield
        finally:
            self.cpu_seconds += time.process_time() - started
            self._working = False

    # -- the radio's range ------------------------------------------------------------------------

    def add(self, peripheral: Peripheral) -> None:
        """Put a peripheral in the proxy's range."""
        self._peripherals[peripheral.address] = peripheral
        self.advertise_now()

    def remove(self, address: str) -> Peripheral | None:
        """The peripheral leaves this proxy's range: a link held through it times out (0x08)."""
        peripheral = self._peripherals.pop(address.upper(), None)
        if (link := self._links.get(mac_to_int(address))) is not None:
            self._close_link(link, CONNECTION_TIMEOUT)
        return peripheral

    def peripheral(self, address: str) -> Peripheral | None:
        """Return the peripheral with this address, if the proxy hears it."""
        return self._peripherals.get(address.upper())

    def advertise_now(self) -> None:
        """Forward one advertisement of every peripheral in range to the subscriber."""
        subscriber = self._advertisement_subscriber
        if subscriber is None:
            return
        response = api_pb2.BluetoothLERawAdvertisementsResponse()
        for peripheral in self._peripherals.values():
            if not peripheral.in_range:
                continue
            advertisement = peripheral.advertisement
            rssi = self.rssi.get(peripheral.address, advertisement.rssi)
            response.advertisements.add(
                address=mac_to_int(peripheral.address),
                rssi=rssi,
                address_type=0 if peripheral.public_address else 1,
                data=advertisement.heard(active=self.scan_active),
            )
        if response.advertisements:
            subscriber.send(response)

    # -- faults -----------------------------------------------------------------------------------

    def occupy_slots(self, addresses: list[str]) -> None:
        """Other devices (not emulated here) take connection slots, as other integrations do."""
        self._occupied.extend(mac_to_int(address) for address in addresses)
        self._send_connections_free()

    def release_slot(self, address: str) -> None:
        """One of those other devices lets its slot go."""
        self._occupied.remove(mac_to_int(address))
        self._send_connections_free()

    def answer_connects_with_error(
        self, count: int, error: int = BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value
    ) -> None:
        """Answer the next `count` connect requests with an ESP-IDF error, the link never up."""
        self._connect_errors.extend([error] * count)

    @property
    def scanning_for(self) -> bool:
        """Whether an API client (Home Assistant) has the advertisement subscription."""
        return self._advertisement_subscriber is not None

    @property
    def free_slots(self) -> int:
        """Connection slots neither reserved nor held."""
        return self.connection_slots - len(self._links) - len(self._occupied)

    @property
    def allocated(self) -> list[str]:
        """Addresses holding a slot, as the proxy reports them."""
        return [int_to_bluetooth_address(address) for address in self._allocated()]

    # -- the API ----------------------------------------------------------------------------------

    # -- emulator.transports.esphome.frames.ApiServer ---------------------------------------------

    @property
    def name(self) -> str:
        """The proxy's node name, for logs."""
        return self.identity.name

    def api_connected(self, api: ApiConnection) -> None:
        """A client (Home Assistant) connected."""
        self._api_connections.add(api)

    def handle(self, api: ApiConnection, message: Any) -> None:
        """Answer one message from the client, as the firmware's API server does."""
        name = type(message).__name__
        handler = self._handlers.get(name)
        if handler is None:
            # Authentication (no password), states, logs, Home Assistant's services, states and
            # time: nothing to answer for a proxy without entities.
            _LOGGER.debug("%s: %s not answered", self.identity.name, name)
            return
        try:
            handler(api, message)
        except Exception:
            # A fault of the emulator, not of the client: logged loudly, the stream goes on.
            _LOGGER.exception("%s: cannot answer %s", self.identity.name, name)

    def _message_handlers(self) -> dict[str, Callable[[ApiConnection, Any], None]]:
        return {
            "HelloRequest": self._hello,
            "DeviceInfoRequest": lambda api, _: api.send(self._device_info()),
            "ListEntitiesRequest": lambda api, _: api.send(api_pb2.ListEntitiesDoneResponse()),
            "PingRequest": lambda api, _: api.send(api_pb2.PingResponse()),
            "DisconnectRequest": self._disconnect_request,
            "SubscribeBluetoothLEAdvertisementsRequest": self._subscribe_advertisements,
            "UnsubscribeBluetoothLEAdvertisementsRequest": self._unsubscribe_advertisements,
            "BluetoothScannerSetModeRequest": self._set_scanner_mode,
            "SubscribeBluetoothConnectionsFreeRequest": self._subscribe_connections_free,
            "BluetoothDeviceRequest": self._device_request,
            "BluetoothGATTGetServicesRequest": lambda api, message: self._spawn(
                self._get_services(api, message.address)
            ),
            "BluetoothGATTReadRequest": lambda api, message: self._spawn(
                self._read(api, message, descriptor=False)
            ),
            "BluetoothGATTReadDescriptorRequest": lambda api, message: self._spawn(
                self._read(api, message, descriptor=True)
            ),
            "BluetoothGATTWriteRequest": lambda api, message: self._spawn(
                self._write(api, message, descriptor=False)
            ),
            "BluetoothGATTWriteDescriptorRequest": lambda api, message: self._spawn(
                self._write(api, message, descriptor=True)
            ),
            "BluetoothGATTNotifyRequest": self._notify_request,
            "BluetoothSetConnectionParamsRequest": lambda api, message: self._spawn(
                self._set_connection_params(api, message)
            ),
        }

    def _hello(self, api: ApiConnection, _message: Any) -> None:
        api.send(
            api_pb2.HelloResponse(
                api_version_major=API_VERSION[0],
                api_version_minor=API_VERSION[1],
                server_info=f"{self.identity.name} (esphome v{ESPHOME_VERSION})",
                name=self.identity.name,
            )
        )

    @staticmethod
    def _disconnect_request(api: ApiConnection, _message: Any) -> None:
        api.send(api_pb2.DisconnectResponse())
        api.close()

    def _device_info(self) -> Any:
        identity = self.identity
        return api_pb2.DeviceInfoResponse(
            uses_password=False,
            name=identity.name,
            friendly_name=identity.friendly_name,
            mac_address=identity.mac_address,
            bluetooth_mac_address=identity.bluetooth_mac_address,
            esphome_version=ESPHOME_VERSION,
            compilation_time="Oct 20 2026, 12:00:00",
            model="esp32dev",
            manufacturer="Espressif",
            project_name="esphome.bluetooth-proxy",
            project_version="26.10.0",
            bluetooth_proxy_feature_flags=int(FEATURE_FLAGS),
            # Without encryption support Home Assistant does not try to provision a key.
            api_encryption_supported=False,
        )

    def _subscribe_advertisements(self, api: ApiConnection, message: Any) -> None:
        if not message.flags & _RAW_ADVERTISEMENTS_FLAG:
            _LOGGER.debug("%s: only raw advertisements are emulated", self.identity.name)
            return
        # One subscriber: the newest wins (esphome/esphome#17423).
        self._advertisement_subscriber = api
        api.send(self._scanner_state())
        self.advertise_now()

    def _unsubscribe_advertisements(self, api: ApiConnection, _message: Any) -> None:
        if self._advertisement_subscriber is api:
            self._advertisement_subscriber = None

    def _set_scanner_mode(self, _api: ApiConnection, message: Any) -> None:
        active = message.mode == api_pb2.BluetoothScannerMode.BLUETOOTH_SCANNER_MODE_ACTIVE
        if active == self.scan_active:
            return  # the firmware answers only a change
        self.scan_active = active
        self.scan_mode_changes.append(active)
        if (subscriber := self._advertisement_subscriber) is None:
            return
        # The scan restarts; each step is reported with the new mode (Home Assistant takes the
        # mode as current only once the state is running).
        states = api_pb2.BluetoothScannerState
        for state in (
            states.BLUETOOTH_SCANNER_STATE_STOPPING,
            states.BLUETOOTH_SCANNER_STATE_IDLE,
            states.BLUETOOTH_SCANNER_STATE_STARTING,
            states.BLUETOOTH_SCANNER_STATE_RUNNING,
        ):
            subscriber.send(self._scanner_state(state))

    def _subscribe_connections_free(self, api: ApiConnection, _message: Any) -> None:
        self._slot_subscribers.add(api)
        api.send(self._connections_free())

    def _scanner_state(
        self, state: int = api_pb2.BluetoothScannerState.BLUETOOTH_SCANNER_STATE_RUNNING
    ) -> Any:
        modes = api_pb2.BluetoothScannerMode
        active, passive = modes.BLUETOOTH_SCANNER_MODE_ACTIVE, modes.BLUETOOTH_SCANNER_MODE_PASSIVE
        message = api_pb2.BluetoothScannerStateResponse(
            state=state, mode=active if self.scan_active else passive
        )
        if "configured_mode" in message.DESCRIPTOR.fields_by_name:  # API 1.12 on
            message.configured_mode = active if self.configured_scan_active else passive
        return message

    def _allocated(self) -> list[int]:
        return [*self._links, *self._occupied]

    def _connections_free(self) -> Any:
        response = api_pb2.BluetoothConnectionsFreeResponse(
            free=max(0, self.free_slots), limit=self.connection_slots
        )
        response.allocated.extend(self._allocated())
        return response

    def _send_connections_free(self) -> None:
        response = self._connections_free()
        for api in self._slot_subscribers:
            api.send(response)

    def _device_request(self, api: ApiConnection, message: Any) -> None:
        kind = api_pb2.BluetoothDeviceRequestType
        address = message.address
        request = message.request_type
        if request in {
            kind.BLUETOOTH_DEVICE_REQUEST_TYPE_CONNECT_V3_WITH_CACHE,
            kind.BLUETOOTH_DEVICE_REQUEST_TYPE_CONNECT_V3_WITHOUT_CACHE,
        }:
            with_cache = request == kind.BLUETOOTH_DEVICE_REQUEST_TYPE_CONNECT_V3_WITH_CACHE
            self._connect(api, address, with_cache=with_cache)
        elif request == kind.BLUETOOTH_DEVICE_REQUEST_TYPE_DISCONNECT:
            self._disconnect(api, address)
        elif request == kind.BLUETOOTH_DEVICE_REQUEST_TYPE_PAIR:
            # The emulated devices need no bond: pairing succeeds at once.
            api.send(api_pb2.BluetoothDevicePairingResponse(address=address, paired=True))
        elif request == kind.BLUETOOTH_DEVICE_REQUEST_TYPE_UNPAIR:
            api.send(api_pb2.BluetoothDeviceUnpairingResponse(address=address, success=True))
        elif request == kind.BLUETOOTH_DEVICE_REQUEST_TYPE_CLEAR_CACHE:
            # The proxy keeps no GATT cache of its own between connects: nothing to clear.
            api.send(api_pb2.BluetoothDeviceClearCacheResponse(address=address, success=True))
        else:
            # CONNECT (v1) is gone from current firmware.
            api.send(self._connection_response(address, connected=False))

    @staticmethod
    def _connection_response(address: int, *, connected: bool, mtu: int = 0, error: int = 0) -> Any:
        return api_pb2.BluetoothDeviceConnectionResponse(
            address=address, connected=connected, mtu=mtu, error=error
        )

    def _connect(self, api: ApiConnection, address: int, *, with_cache: bool) -> None:
        self.connect_requests.append(int_to_bluetooth_address(address))
        if (link := self._links.get(address)) is not None:
            if link.connected and link.connection is not None:
                mtu = link.connection.timing.att_mtu
                api.send(self._connection_response(address, connected=True, mtu=mtu))
            return  # a connect already under way answers when it is done
        if self.free_slots <= 0:
            _LOGGER.debug("%s: no free connection slot", self.identity.name)
            api.send(self._connection_response(address, connected=False))
            return
        link = _BleLink(self, address, api)
        self._links[address] = link  # the slot counts from the request on, as in the firmware
        self._send_connections_free()
        link.task = self._spawn(self._establish(link, with_cache=with_cache))

    async def _establish(self, link: _BleLink, *, with_cache: bool) -> None:
        address = int_to_bluetooth_address(link.address)
        peripheral = self._peripherals.get(address)
        error = self._connect_errors.pop(0) if self._connect_errors else 0
        try:
            if error:
                await asyncio.sleep(0)
            elif peripheral is None:
                # Nobody answers: the controller gives up after its connect timeout.
                await asyncio.sleep(_CONNECT_TIMEOUT * self.time_scale)
                error = BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value
            else:
                link.connection = await peripheral.accept_connection(link)
                if not with_cache:
                    await _discover_services(link.connection)
        except (TimeoutError, LinkLostError) as fault:
            error = _connect_error(fault)
        except Exception as fault:  # noqa: BLE001 - any refusal of the peripheral is an error code
            error = _connect_error(fault)
        if self._links.get(link.address) is not link:
            return  # disconnected meanwhile, already reported
        if error or link.connection is None or not link.connection.open:
            _LOGGER.debug("%s: connect to %s failed (%s)", self.identity.name, address, error)
            if link.connection is not None:
                link.connection.close(LOCAL_HOST_TERMINATED)
            self._report_link_gone(
                link, error or BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value
            )
            return
        link.reported_connected = True
        link.owner.send(
            self._connection_response(
                link.address, connected=True, mtu=link.connection.timing.att_mtu
            )
        )

    def _disconnect(self, api: ApiConnection, address: int) -> None:
        link = self._links.get(address)
        if link is None:
            api.send(self._connection_response(address, connected=False))
            return
        self._close_link(link, LOCAL_HOST_TERMINATED)

    def _close_link(self, link: _BleLink, reason: int) -> None:
        """End a link from the proxy's side; the report follows from `_link_ended`."""
        if link.connection is not None and link.connection.open:
            link.connection.close(reason)  # calls back into _link_ended
            return
        if link.task is not None and not link.task.done():
            link.task.cancel()
        self._link_ended(link, reason)

    def _link_ended(self, link: _BleLink, reason: int) -> None:
        self._report_link_gone(link, reason)

    def _report_link_gone(self, link: _BleLink, error: int) -> None:
        """Free the slot of a link that ended or never came up, and say so.

        The connection state goes out before the new slot count, as the firmware sends them:
        bleak-esphome takes a tracked address missing from `allocated` for a stale connection.
        """
        if self._links.get(link.address) is not link:
            return
        del self._links[link.address]
        link.registered_notify.clear()
        self.disconnects.append((int_to_bluetooth_address(link.address), error))
        link.owner.send(self._connection_response(link.address, connected=False, error=error))
        self._send_connections_free()

    def api_connection_lost(self, api: ApiConnection) -> None:
        """A client went away: the links it held go with it, as in the firmware."""
        self._api_connections.discard(api)
        self._slot_subscribers.discard(api)
        if self._advertisement_subscriber is api:
            self._advertisement_subscriber = None
        for link in [link for link in self._links.values() if link.owner is api]:
            self._close_link(link, LOCAL_HOST_TERMINATED)

    # -- GATT -------------------------------------------------------------------------------------

    def _connection_for(self, api: ApiConnection, address: int, handle: int) -> Connection | None:
        """The open link a GATT request is for; answered "not connected" when there is none."""
        link = self._links.get(address)
        if link is None or not link.connected or link.owner is not api or link.connection is None:
            api.send(
                api_pb2.BluetoothGATTErrorResponse(
                    address=address, handle=handle, error=_GATT_NOT_CONNECTED
                )
            )
            return None
        return link.connection

    @staticmethod
    @contextlib.contextmanager
    def _refusals_answered(api: ApiConnection, address: int, handle: int) -> Iterator[None]:
        """Report the peripheral's ATT errors as GATT errors.

        A request the link's end cuts short gets no answer of its own: the disconnect report that
        follows ends it on the client's side, as with the firmware.
        """
        try:
            yield
        except AttError as refusal:
            api.send(
                api_pb2.BluetoothGATTErrorResponse(
                    address=address, handle=handle, error=refusal.code
                )
            )
        except LinkLostError:
            pass

    async def _get_services(self, api: ApiConnection, address: int) -> None:
        if (connection := self._connection_for(api, address, 0)) is None:
            return
        gatt = connection.peripheral.gatt
        for service in gatt.services:
            api.send(services_message(address, gatt, service))
        api.send(api_pb2.BluetoothGATTGetServicesDoneResponse(address=address))

    async def _read(self, api: ApiConnection, message: Any, *, descriptor: bool) -> None:
        address, handle = message.address, message.handle
        if (connection := self._connection_for(api, address, handle)) is None:
            return
        gatt = connection.peripheral.gatt
        with self._refusals_answered(api, address, handle):
            if descriptor:
                data = await connection.read_cccd(_lookup(gatt.by_cccd_handle, handle))
            else:
                data = await connection.read(_lookup(gatt.by_value_handle, handle))
            api.send(api_pb2.BluetoothGATTReadResponse(address=address, handle=handle, data=data))

    async def _write(self, api: ApiConnection, message: Any, *, descriptor: bool) -> None:
        address, handle = message.address, message.handle
        if (connection := self._connection_for(api, address, handle)) is None:
            return
        gatt = connection.peripheral.gatt
        with self._refusals_answered(api, address, handle):
            if descriptor:
                char = _lookup(gatt.by_cccd_handle, handle)
                await connection.write_cccd(char, bytes(message.data) != b"\x00\x00")
                response = True
            else:
                char = _lookup(gatt.by_value_handle, handle)
                response = message.response
                await connection.write(char, bytes(message.data), response=response)
            if response:
                api.send(api_pb2.BluetoothGATTWriteResponse(address=address, handle=handle))

    def _notify_request(self, api: ApiConnection, message: Any) -> None:
        address, handle = message.address, message.handle
        if (connection := self._connection_for(api, address, handle)) is None:
            return
        link = self._links[address]
        if not message.enable:
            link.registered_notify.discard(handle)  # the CCCD stays as the client left it
            return
        with self._refusals_answered(api, address, handle):
            if not _lookup(connection.peripheral.gatt.by_value_handle, handle).notifies:
                raise AttError(ATT_INVALID_HANDLE, f"handle {handle} does not notify")
            link.registered_notify.add(handle)
            api.send(api_pb2.BluetoothGATTNotifyResponse(address=address, handle=handle))

    async def _set_connection_params(self, api: ApiConnection, message: Any) -> None:
        address = message.address
        link = self._links.get(address)
        if link is None or not link.connected or link.connection is None:
            api.send(
                api_pb2.BluetoothSetConnectionParamsResponse(
                    address=address, error=_GATT_NOT_CONNECTED
                )
            )
            return
        # Units of the HCI command: 1.25 ms for the interval, 10 ms for the timeout.
        link.connection.link.update_parameters(
            interval=message.max_interval * 0.00125, supervision_timeout=message.timeout * 0.01
        )
        api.send(api_pb2.BluetoothSetConnectionParamsResponse(address=address, error=0))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _schedule_advertising(self) -> None:
        loop = asyncio.get_running_loop()

        def advertise() -> None:
            self.advertise_now()
            self._advertising = loop.call_later(self.advertising_interval, advertise)

        self._advertising = loop.call_later(self.advertising_interval, advertise)


def _lookup(find: Callable[[int], Characteristic], handle: int) -> Characteristic:
    try:
        return find(handle)
    except KeyError:
        raise AttError(ATT_INVALID_HANDLE, f"no attribute at handle {handle}") from None


async def _discover_services(connection: Connection) -> None:
    """Service discovery on a fresh link: primary services, characteristics, descriptors.

    Each ATT discovery request is a round trip; a response carries as many attributes as its PDU
    holds, so the model counts one round trip per service for its characteristics, one for the
    services themselves plus the one that ends the search, and one per CCCD lookup.
    """
    gatt = connection.peripheral.gatt
    round_trips = 2 + len(gatt.services)
    round_trips += sum(
        gatt.cccd_handle(char) is not None
        for service in gatt.services
        for char in service.characteristics
    )
    for _ in range(round_trips):
        await connection.send(1)
        await connection.respond(1)
