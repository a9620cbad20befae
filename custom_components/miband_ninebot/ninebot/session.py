"""The conversation with a Ninebot One over one BLE connection.

This first slice checks that a fresh connection offers the serial-style characteristic FFE1
(requests are written to it, answers come back as its notifications); polling builds on it.
"""

from __future__ import annotations

from bleak import BleakClient
from bleak.exc import BleakError

UART_CHARACTERISTIC_UUID = "0000ffe1-0000-1000-8000-00805f9b34fb"


class MissingCharacteristicError(BleakError):
    """The connected device lacks the wheel's serial characteristic."""


class WheelSession:
    """One connection's worth of conversation with a wheel."""

    async def async_start(self, client: BleakClient) -> None:
        """Take a fresh connection into service."""
        if client.services.get_characteristic(UART_CHARACTERISTIC_UUID) is None:
            raise MissingCharacteristicError("no FFE1 characteristic: not a Ninebot One")

    def async_link_lost(self) -> None:
        """Forget per-connection state."""
