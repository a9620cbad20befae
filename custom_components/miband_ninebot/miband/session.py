"""The conversation with a Mi Band 1 / 1A / 1S over one BLE connection.

This first slice checks that a fresh connection offers the MiLi characteristics the band's
protocol needs; authentication, heart rate and the rest build on it.
"""

from __future__ import annotations

from bleak import BleakClient
from bleak.exc import BleakError

NOTIFICATION_UUID = "0000ff03-0000-1000-8000-00805f9b34fb"
USER_INFO_UUID = "0000ff04-0000-1000-8000-00805f9b34fb"
CONTROL_POINT_UUID = "0000ff05-0000-1000-8000-00805f9b34fb"
DEVICE_INFO_UUID = "0000ff01-0000-1000-8000-00805f9b34fb"

REQUIRED_CHARACTERISTICS = (DEVICE_INFO_UUID, NOTIFICATION_UUID, USER_INFO_UUID, CONTROL_POINT_UUID)


class MissingCharacteristicError(BleakError):
    """The connected device lacks a characteristic the band's protocol needs."""


class BandSession:
    """One connection's worth of conversation with a band."""

    async def async_start(self, client: BleakClient) -> None:
        """Take a fresh connection into service."""
        missing = [
            u for u in REQUIRED_CHARACTERISTICS if client.services.get_characteristic(u) is None
        ]
        if missing:
            raise MissingCharacteristicError(
                f"not a Mi Band 1-series GATT table, missing {missing}"
            )

    def async_link_lost(self) -> None:
        """Forget per-connection state (the band forgets subscriptions on every drop)."""
