"""The native API's plaintext framing, on the proxy's side of a TCP connection.

A frame is `0x00`, the payload's length and the message type as varuints, then the protobuf
payload; message types are aioesphomeapi's (`MESSAGE_TYPE_TO_PROTO`). An encrypted client's
frames start with `0x01`: the firmware drops such a connection when it has no key, and so does
this side. Each message received goes to the server the connection belongs to (`ApiServer`),
which answers it with the handler registered for its name (`Handlers`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging
from typing import Any, Protocol

from aioesphomeapi.core import MESSAGE_TYPE_TO_PROTO

_LOGGER = logging.getLogger(__name__)

_TYPE_OF_MESSAGE: dict[str, int] = {
    proto.__name__: msg_type for msg_type, proto in MESSAGE_TYPE_TO_PROTO.items()
}


class ApiServer(Protocol):
    """What a connection tells the server it belongs to."""

    @property
    def name(self) -> str:
        """The server's name, for logs."""

    def api_connected(self, api: ApiConnection) -> None:
        """A client connected."""

    def api_connection_lost(self, api: ApiConnection) -> None:
        """A client's connection ended, for whatever reason."""

    def handle(self, api: ApiConnection, message: Any) -> None:
        """Answer one message from the client."""

    def working(self) -> contextlib.AbstractContextManager[None]:
        """Count the block's CPU time as the server's own."""


# What answers each message a client sends, by the message class's name.
type Handlers = dict[str, Callable[[ApiConnection, Any], None]]


class ApiConnection(asyncio.Protocol):
    """One API client (Home Assistant) on the proxy's TCP port."""

    def __init__(self, proxy: ApiServer) -> None:
        """Belong to a server; asyncio calls `connection_made` next."""
        self.proxy = proxy
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """A client connected."""
        if not isinstance(transport, asyncio.Transport):
            raise TypeError("the API runs over TCP")
        self.transport = transport
        self.proxy.api_connected(self)

    def connection_lost(self, exc: Exception | None) -> None:
        """The client went away, or the connection was dropped."""
        self.transport = None
        self.proxy.api_connection_lost(self)

    def data_received(self, data: bytes) -> None:
        """Answer every complete frame received so far."""
        with self.proxy.working():
            self._data_received(data)

    def _data_received(self, data: bytes) -> None:
        self._buffer += data
        while (frame := self._next_frame()) is not None:
            msg_type, payload = frame
            proto = MESSAGE_TYPE_TO_PROTO.get(msg_type)
            if proto is None:
                _LOGGER.debug("%s: unknown message type %s", self.proxy.name, msg_type)
                continue
            message = proto()
            message.ParseFromString(payload)
            self.proxy.handle(self, message)

    def send(self, message: Any) -> None:
        """Send one message as a plaintext frame, if the client is still there."""
        if self.transport is None or self.transport.is_closing():
            return
        with self.proxy.working():
            payload = message.SerializeToString()
            msg_type = _TYPE_OF_MESSAGE[type(message).__name__]
            self.transport.write(b"\x00" + _varuint(len(payload)) + _varuint(msg_type) + payload)

    def close(self) -> None:
        """Close the TCP connection the polite way (after a DisconnectResponse)."""
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Lose the TCP connection at once, as a Wi-Fi drop or a reset does."""
        if self.transport is not None:
            self.transport.abort()

    def _next_frame(self) -> tuple[int, bytes] | None:
        buffer = self._buffer
        if not buffer:
            return None
        if buffer[0] != 0x00:
            # Not plaintext (a Noise client): the firmware drops such a connection.
            self.abort()
            self._buffer.clear()
            return None
        position = 1
        values: list[int] = []
        for _ in range(2):
            value, position = _read_varuint(buffer, position)
            if value is None:
                return None
            values.append(value)
        length, msg_type = values
        if len(buffer) < position + length:
            return None
        payload = bytes(buffer[position : position + length])
        del buffer[: position + length]
        return msg_type, payload


def _varuint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varuint(buffer: bytearray, position: int) -> tuple[int | None, int]:
    result = shift = 0
    while position < len(buffer):
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
    return None, position
