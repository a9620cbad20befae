"""The proxy's connection slots and the BLE links in them, from the connect request to the end.

What it does as the firmware does (esphome/components/bluetooth_proxy, facts in aioesphomeapi
and bleak-esphome as installed):
- connection slots counted from the connect request on, reported with the `allocated` addresses
  after every change; a connect with no free slot is answered "not connected";
- a connect request reaches a device only with its address type (public or random), which the
  link layer matches with the address (Core, Vol 6 Part B, 2.3.3.1): with the other it fails as a
  device out of range does;
- connections are V3 only: on a connect without cache the services are discovered over the link
  before the proxy reports the connection;
- a link that ends is reported as not connected with its HCI reason (0x08 supervision timeout,
  0x13 remote user, 0x16 local host), a refused connect with the ESP-IDF error;
- when the API client goes away, every BLE link it held is closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import logging
from typing import Any

from aioesphomeapi import api_pb2
from aioesphomeapi.ble_defs import BLEConnectionError
from bluetooth_data_tools import int_to_bluetooth_address, mac_to_int

from ...link.gatt import Characteristic
from ...link.peripheral import Connection, LinkLostError, Peripheral
from ...link.timing import CONNECTION_TIMEOUT, LOCAL_HOST_TERMINATED
from .frames import ApiConnection, Handlers
from .identity import ProxyIdentity
from .scanning import Scanner

_LOGGER = logging.getLogger(__name__)

# How long the controller tries to reach a device that does not answer, in model seconds.
_CONNECT_TIMEOUT = 20.0

# Runs a coroutine as one of the proxy's tasks (cancelled when it powers off).
type Spawn = Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]


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


def _answers(peripheral: Peripheral, address_type: int | None) -> bool:
    """Whether a connect request naming this address type reaches the peripheral.

    A client that names none (an older aioesphomeapi) reaches it: nothing is checked then.
    """
    return address_type is None or address_type == peripheral.address_type


def _connection_response(address: int, *, connected: bool, mtu: int = 0, error: int = 0) -> Any:
    return api_pb2.BluetoothDeviceConnectionResponse(
        address=address, connected=connected, mtu=mtu, error=error
    )


class ProxyLink:
    """One BLE connection the proxy holds (or is making) for an API client."""

    def __init__(self, slots: ConnectionSlots, address: int, owner: ApiConnection) -> None:
        """A link to `address` that `owner` asked for, in one of `slots`; not up yet."""
        self.slots = slots
        self.address = address
        self.owner = owner
        self.connection: Connection | None = None
        self.reported_connected = False
        self.registered_notify: set[int] = set()  # value handles the client asked notifications of
        self.task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """Whether the client was told the link is up, and it still is."""
        return self.reported_connected and self.connection is not None and self.connection.open

    # -- emulator.link.peripheral.Central ---------------------------------------------------------

    def link_closed(self, reason: int) -> None:
        """The peripheral's link ended: report it with its HCI reason and free the slot."""
        self.slots.link_gone(self, reason)

    def notification_received(self, char: Characteristic, data: bytes) -> None:
        """Forward a notification, if the client registered for this handle."""
        if self.connection is None:
            return
        handle = self.connection.peripheral.gatt.value_handle(char)
        if handle in self.registered_notify:
            with self.owner.proxy.working():  # building the message is the proxy's work too
                self.owner.send(
                    api_pb2.BluetoothGATTNotifyDataResponse(
                        address=self.address, handle=handle, data=data
                    )
                )


class ConnectionSlots:
    """The proxy's connection slots: the links it holds for its clients, and the others' slots."""

    def __init__(
        self,
        identity: ProxyIdentity,
        scanner: Scanner,
        *,
        limit: int,
        time_scale: float,
        spawn: Spawn,
    ) -> None:
        """Slots for `limit` links to the devices `scanner` hears; `time_scale` as the links'."""
        self._identity = identity
        self._scanner = scanner
        self.limit = limit
        self.time_scale = time_scale
        self._spawn = spawn
        self.connect_requests: list[str] = []  # addresses, in order, of every connect request
        # (address, error) of every "not connected" the proxy reported for a link it had taken a
        # slot for: the HCI reason of a link that ended, the ESP-IDF error of one that never came.
        self.disconnects: list[tuple[str, int]] = []
        self._links: dict[int, ProxyLink] = {}
        self._occupied: list[int] = []  # slots held by devices that are not emulated here
        self._connect_errors: list[int] = []
        self._subscribers: set[ApiConnection] = set()

    @property
    def free(self) -> int:
        """Connection slots neither reserved nor held."""
        return self.limit - len(self._links) - len(self._occupied)

    @property
    def allocated(self) -> list[str]:
        """Addresses holding a slot, as the proxy reports them."""
        return [int_to_bluetooth_address(address) for address in self._allocated()]

    def link(self, address: int) -> ProxyLink | None:
        """The link to this address, connected or still coming up."""
        return self._links.get(address)

    # -- faults -----------------------------------------------------------------------------------

    def occupy(self, addresses: list[str]) -> None:
        """Other devices (not emulated here) take connection slots, as other integrations do."""
        self._occupied.extend(mac_to_int(address) for address in addresses)
        self._send_connections_free()

    def release(self, address: str) -> None:
        """One of those other devices lets its slot go."""
        self._occupied.remove(mac_to_int(address))
        self._send_connections_free()

    def answer_connects_with_error(self, count: int, error: int) -> None:
        """Answer the next `count` connect requests with an ESP-IDF error, the link never up."""
        self._connect_errors.extend([error] * count)

    def out_of_range(self, address: str) -> None:
        """A device left the proxy's range: a link held to it times out (0x08)."""
        if (link := self._links.get(mac_to_int(address))) is not None:
            self._close(link, CONNECTION_TIMEOUT)

    def power_off(self) -> None:
        """The radio goes silent: each peripheral sees its link time out; every slot is free."""
        for link in list(self._links.values()):
            self._close(link, CONNECTION_TIMEOUT)
        self._occupied.clear()

    def client_gone(self, api: ApiConnection) -> None:
        """A client went away: the links it held go with it, as in the firmware."""
        self._subscribers.discard(api)
        for link in [link for link in self._links.values() if link.owner is api]:
            self._close(link, LOCAL_HOST_TERMINATED)

    def link_gone(self, link: ProxyLink, error: int) -> None:
        """Free the slot of a link that ended or never came up, and say so.

        The connection state goes out before the new slot count, as the firmware sends them:
        bleak-esphome takes a tracked address missing from `allocated` for a stale connection.
        """
        if self._links.get(link.address) is not link:
            return
        del self._links[link.address]
        link.registered_notify.clear()
        self.disconnects.append((int_to_bluetooth_address(link.address), error))
        link.owner.send(_connection_response(link.address, connected=False, error=error))
        self._send_connections_free()

    # -- the API ----------------------------------------------------------------------------------

    def handlers(self) -> Handlers:
        """The messages about slots and links that the proxy answers."""
        return {
            "SubscribeBluetoothConnectionsFreeRequest": self._subscribe,
            "BluetoothDeviceRequest": self._device_request,
        }

    def _subscribe(self, api: ApiConnection, _message: Any) -> None:
        self._subscribers.add(api)
        api.send(self._connections_free())

    def _allocated(self) -> list[int]:
        return [*self._links, *self._occupied]

    def _connections_free(self) -> Any:
        response = api_pb2.BluetoothConnectionsFreeResponse(
            free=max(0, self.free), limit=self.limit
        )
        response.allocated.extend(self._allocated())
        return response

    def _send_connections_free(self) -> None:
        response = self._connections_free()
        for api in self._subscribers:
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
            address_type = message.address_type if message.has_address_type else None
            self._connect(api, address, with_cache=with_cache, address_type=address_type)
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
            api.send(_connection_response(address, connected=False))

    def _connect(
        self, api: ApiConnection, address: int, *, with_cache: bool, address_type: int | None
    ) -> None:
        self.connect_requests.append(int_to_bluetooth_address(address))
        if (link := self._links.get(address)) is not None:
            if link.connected and link.connection is not None:
                mtu = link.connection.timing.att_mtu
                api.send(_connection_response(address, connected=True, mtu=mtu))
            return  # a connect already under way answers when it is done
        if self.free <= 0:
            _LOGGER.debug("%s: no free connection slot", self._identity.name)
            api.send(_connection_response(address, connected=False))
            return
        link = ProxyLink(self, address, api)
        self._links[address] = link  # the slot counts from the request on, as in the firmware
        self._send_connections_free()
        link.task = self._spawn(
            self._establish(link, with_cache=with_cache, address_type=address_type)
        )

    async def _establish(
        self, link: ProxyLink, *, with_cache: bool, address_type: int | None
    ) -> None:
        address = int_to_bluetooth_address(link.address)
        peripheral = self._scanner.peripheral(address)
        error = self._connect_errors.pop(0) if self._connect_errors else 0
        try:
            if error:
                await asyncio.sleep(0)
            elif peripheral is None or not _answers(peripheral, address_type):
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
            _LOGGER.debug("%s: connect to %s failed (%s)", self._identity.name, address, error)
            if link.connection is not None:
                link.connection.close(LOCAL_HOST_TERMINATED)
            self.link_gone(link, error or BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value)
            return
        link.reported_connected = True
        link.owner.send(
            _connection_response(link.address, connected=True, mtu=link.connection.timing.att_mtu)
        )

    def _disconnect(self, api: ApiConnection, address: int) -> None:
        link = self._links.get(address)
        if link is None:
            api.send(_connection_response(address, connected=False))
            return
        self._close(link, LOCAL_HOST_TERMINATED)

    def _close(self, link: ProxyLink, reason: int) -> None:
        """End a link from the proxy's side; the report follows from `link_gone`."""
        if link.connection is not None and link.connection.open:
            link.connection.close(reason)  # calls back into link_gone, through link_closed
            return
        if link.task is not None and not link.task.done():
            link.task.cancel()
        self.link_gone(link, reason)


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
