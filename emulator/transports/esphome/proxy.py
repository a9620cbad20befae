"""An emulated ESPHome Bluetooth proxy: the native API, in plaintext, on a loopback TCP port.

Home Assistant's esphome integration connects to it with aioesphomeapi as to an ESP32 running
`bluetooth_proxy: active: true`; bleak-esphome registers it as a remote scanner and hands out its
`ESPHomeClient` for connects. The proxy answers with aioesphomeapi's own protobuf messages and
carries every GATT request through the same link timing model and the same emulated peripherals
as the virtual proxy (`emulator.transports.virtual_proxy`): one device model, two transports.

The proxy is the API server: it boots and powers off, takes clients and hands each message to
the part that answers it: the handshake and device info (`identity`), the scanner (`scanning`),
the connection slots and their links (`connections`), the requests on an open link
(`gatt_requests`). When an API client goes away, every BLE link it held is closed, as in the
firmware.

Faults a test provokes: drop the TCP connections, reboot (gone, then back), run out of slots
(`occupy_slots`), lose a device out of range (`remove`), answer connects with an error.

Only aioesphomeapi's messages and the emulator are used, not Home Assistant, so benchmarks can
use it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
import contextlib
import logging
import time
from typing import Any

from aioesphomeapi import api_pb2
from aioesphomeapi.ble_defs import BLEConnectionError

from ...link.peripheral import Peripheral
from .connections import ConnectionSlots
from .frames import ApiConnection, Handlers
from .gatt_requests import GattRequests
from .identity import DEFAULT_CONNECTION_SLOTS, ProxyIdentity
from .scanning import Scanner

_LOGGER = logging.getLogger(__name__)


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
        self.port = 0
        self.boots = 0
        self._server: asyncio.Server | None = None
        self._api_connections: set[ApiConnection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._scanner = Scanner(
            self.identity,
            advertising_interval=advertising_interval,
            configured_active=configured_scan_active,
        )
        self._slots = ConnectionSlots(
            self.identity,
            self._scanner,
            limit=connection_slots,
            time_scale=time_scale,
            spawn=self._spawn,
        )
        self._handlers: Handlers = {
            **self._own_handlers(),
            **self._scanner.handlers(),
            **self._slots.handlers(),
            **GattRequests(self._slots, self._spawn).handlers(),
        }
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
        self._scanner.boot()

    async def stop(self) -> None:
        """Power off: the port closes, API clients and BLE links are gone."""
        server, self._server = self._server, None
        self._scanner.power_off()
        # Power is gone: nothing more reaches the API clients, and the radio goes silent, so
        # each peripheral sees its link time out.
        for api in list(self._api_connections):
            api.abort()
        self._slots.power_off()
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

    # -- the radio: its range and how it scans ----------------------------------------------------

    def add(self, peripheral: Peripheral) -> None:
        """Put a peripheral in the proxy's range."""
        self._scanner.add(peripheral)

    def remove(self, address: str) -> Peripheral | None:
        """The peripheral leaves this proxy's range: a link held through it times out (0x08)."""
        peripheral = self._scanner.remove(address)
        self._slots.out_of_range(address)
        return peripheral

    def peripheral(self, address: str) -> Peripheral | None:
        """Return the peripheral with this address, if the proxy hears it."""
        return self._scanner.peripheral(address)

    def advertise_now(self) -> None:
        """Forward one advertisement of every peripheral in range to the subscriber."""
        self._scanner.advertise_now()

    @property
    def advertising_interval(self) -> float:
        """Wall-clock seconds between the advertisements forwarded of each peripheral."""
        return self._scanner.advertising_interval

    @property
    def rssi(self) -> dict[str, int]:
        """Per-address RSSI as this proxy hears it, where not the advertisement's own."""
        return self._scanner.rssi

    @property
    def configured_scan_active(self) -> bool:
        """The YAML's scan mode, which every boot starts with; Home Assistant may set another."""
        return self._scanner.configured_active

    @property
    def scan_active(self) -> bool:
        """Whether the proxy scans actively now."""
        return self._scanner.active

    @property
    def scan_mode_changes(self) -> list[bool]:
        """Every change of scan mode Home Assistant asked for (active?), in order."""
        return self._scanner.mode_changes

    @property
    def scanning_for(self) -> bool:
        """Whether an API client (Home Assistant) has the advertisement subscription."""
        return self._scanner.subscribed

    # -- connection slots -------------------------------------------------------------------------

    @property
    def connection_slots(self) -> int:
        """How many links the proxy can hold at once."""
        return self._slots.limit

    @property
    def time_scale(self) -> float:
        """Wall-clock seconds per model second of the proxy's own waits."""
        return self._slots.time_scale

    @property
    def free_slots(self) -> int:
        """Connection slots neither reserved nor held."""
        return self._slots.free

    @property
    def allocated(self) -> list[str]:
        """Addresses holding a slot, as the proxy reports them."""
        return self._slots.allocated

    @property
    def connect_requests(self) -> list[str]:
        """The addresses of every connect request, in order."""
        return self._slots.connect_requests

    @property
    def disconnects(self) -> list[tuple[str, int]]:
        """(address, error) of every "not connected" reported for a link that had a slot.

        The HCI reason of a link that ended, the ESP-IDF error of one that never came.
        """
        return self._slots.disconnects

    def occupy_slots(self, addresses: list[str]) -> None:
        """Other devices (not emulated here) take connection slots, as other integrations do."""
        self._slots.occupy(addresses)

    def release_slot(self, address: str) -> None:
        """One of those other devices lets its slot go."""
        self._slots.release(address)

    def answer_connects_with_error(
        self, count: int, error: int = BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value
    ) -> None:
        """Answer the next `count` connect requests with an ESP-IDF error, the link never up."""
        self._slots.answer_connects_with_error(count, error)

    # -- emulator.transports.esphome.frames.ApiServer ---------------------------------------------

    @property
    def name(self) -> str:
        """The proxy's node name, for logs."""
        return self.identity.name

    def api_connected(self, api: ApiConnection) -> None:
        """A client (Home Assistant) connected."""
        self._api_connections.add(api)

    def api_connection_lost(self, api: ApiConnection) -> None:
        """A client went away: the links it held go with it, as in the firmware."""
        self._api_connections.discard(api)
        self._scanner.client_gone(api)
        self._slots.client_gone(api)

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

    def _own_handlers(self) -> Handlers:
        """The handshake, the device info and the connection's own messages."""
        return {
            "HelloRequest": lambda api, _: api.send(self.identity.hello()),
            "DeviceInfoRequest": lambda api, _: api.send(self.identity.device_info()),
            "ListEntitiesRequest": lambda api, _: api.send(api_pb2.ListEntitiesDoneResponse()),
            "PingRequest": lambda api, _: api.send(api_pb2.PingResponse()),
            "DisconnectRequest": self._disconnect_request,
        }

    @staticmethod
    def _disconnect_request(api: ApiConnection, _message: Any) -> None:
        api.send(api_pb2.DisconnectResponse())
        api.close()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
