"""The client's requests on an open link: services, reads, writes, notifications, parameters.

What it does as the firmware does (esphome/components/bluetooth_proxy, facts in aioesphomeapi
and bleak-esphome as installed):
- the services go out one message each, then a message that says they are done;
- the client writes CCCDs itself; notifications reach the client only for handles it registered;
- a request for an address without an open link of this client is answered "not connected", a
  peripheral's refusal with its ATT error; a request the link's end cuts short gets no answer.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
import contextlib
from typing import Any

from aioesphomeapi import api_pb2

from ...link.gatt import Characteristic
from ...link.peripheral import ATT_INVALID_HANDLE, AttError, Connection, LinkLostError
from .connections import ConnectionSlots, ProxyLink, Spawn
from .frames import ApiConnection, Handlers
from .messages import services_message

# BluetoothGATTErrorResponse.error for a request to an address without a connection.
_GATT_NOT_CONNECTED = -1


class GattRequests:
    """Answers the client's GATT requests over the links in the proxy's slots."""

    def __init__(self, slots: ConnectionSlots, spawn: Spawn) -> None:
        """Serve requests on `slots`' links; `spawn` runs those that wait on the link."""
        self._slots = slots
        self._spawn = spawn

    def handlers(self) -> Handlers:
        """The messages the proxy answers over an open link."""
        return {
            "BluetoothGATTGetServicesRequest": self._in_task(
                lambda api, message: self._get_services(api, message.address)
            ),
            "BluetoothGATTReadRequest": self._in_task(
                lambda api, message: self._read(api, message, descriptor=False)
            ),
            "BluetoothGATTReadDescriptorRequest": self._in_task(
                lambda api, message: self._read(api, message, descriptor=True)
            ),
            "BluetoothGATTWriteRequest": self._in_task(
                lambda api, message: self._write(api, message, descriptor=False)
            ),
            "BluetoothGATTWriteDescriptorRequest": self._in_task(
                lambda api, message: self._write(api, message, descriptor=True)
            ),
            "BluetoothGATTNotifyRequest": self._notify_request,
            "BluetoothSetConnectionParamsRequest": self._in_task(self._set_connection_params),
        }

    def _in_task(
        self, answer: Callable[[ApiConnection, Any], Coroutine[Any, Any, None]]
    ) -> Callable[[ApiConnection, Any], None]:
        """A handler that answers in a task of its own: the request waits on the link."""

        def handler(api: ApiConnection, message: Any) -> None:
            self._spawn(answer(api, message))

        return handler

    def _open_link(
        self, api: ApiConnection, address: int, handle: int
    ) -> tuple[ProxyLink, Connection] | None:
        """The open link a GATT request is for; answered "not connected" when there is none."""
        link = self._slots.link(address)
        if link is None or not link.connected or link.owner is not api or link.connection is None:
            api.send(
                api_pb2.BluetoothGATTErrorResponse(
                    address=address, handle=handle, error=_GATT_NOT_CONNECTED
                )
            )
            return None
        return link, link.connection

    def _connection_for(self, api: ApiConnection, address: int, handle: int) -> Connection | None:
        """The open connection a GATT request is for; answered as `_open_link` answers."""
        opened = self._open_link(api, address, handle)
        return None if opened is None else opened[1]

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
        if (opened := self._open_link(api, address, handle)) is None:
            return
        link, connection = opened
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
        link = self._slots.link(address)
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


def _lookup(find: Callable[[int], Characteristic], handle: int) -> Characteristic:
    try:
        return find(handle)
    except KeyError:
        raise AttError(ATT_INVALID_HANDLE, f"no attribute at handle {handle}") from None
