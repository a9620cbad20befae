"""Bare BLE centrals for the emulator's tests: a bleak client through Home Assistant's Bluetooth.

`connect` goes the integration's way (Home Assistant's Bluetooth manager, bleak-retry-connector,
the virtual proxy) without the integration; `BandClient` speaks the band's protocol step by step.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bleak import BleakClient
import bleak_retry_connector
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.miband import latency, protocol
from emulator.devices.band import MiBand
from emulator.devices.band_air import (
    DATE_TIME,
    DEVICE_INFO,
    HEART_RATE_CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    LE_PARAMS,
    NOTIFICATION,
    USER_INFO,
)
from emulator.link.peripheral import Peripheral

USER = protocol.UserInfo(1626652276, protocol.Gender.FEMALE, 25, 175, 65, alias="test")


class Received:
    """Collects notifications and disconnects a client sees."""

    def __init__(self) -> None:
        self.notifications: asyncio.Queue[bytes] = asyncio.Queue()
        self.disconnected = asyncio.Event()

    def on_notify(self, _char: object, data: bytearray) -> None:
        self.notifications.put_nowait(bytes(data))

    def on_disconnect(self, _client: BleakClient) -> None:
        self.disconnected.set()


async def connect(hass: HomeAssistant, device: Peripheral, received: Received) -> BleakClient:
    """Connect to a device in range as the integration does, reporting to `received`."""
    ble_device = bluetooth.async_ble_device_from_address(hass, device.address, connectable=True)
    assert ble_device is not None
    return await bleak_retry_connector.establish_connection(
        bleak_retry_connector.BleakClientWithServiceCache,
        ble_device,
        device.advertisement.local_name or device.address,
        disconnected_callback=received.on_disconnect,
    )


class BandClient:
    """A bare central speaking the band's protocol, step by step."""

    def __init__(self, client: BleakClient, band: MiBand) -> None:
        self.client, self.band = client, band
        self.status: asyncio.Queue[int] = asyncio.Queue()
        self.heart_rates: asyncio.Queue[int | None] = asyncio.Queue()

    async def subscribe(self) -> None:
        await self.client.start_notify(NOTIFICATION, lambda _c, d: self.status.put_nowait(d[0]))
        await self.client.start_notify(
            HEART_RATE_MEASUREMENT,
            lambda _c, d: self.heart_rates.put_nowait(protocol.parse_heart_rate(bytes(d))),
        )

    async def authenticate(self, user: protocol.UserInfo = USER) -> None:
        info = protocol.parse_device_info(bytes(await self.client.read_gatt_char(DEVICE_INFO)))
        await self.client.write_gatt_char(
            USER_INFO, user.encode(self.band.address, info), response=True
        )

    async def next_status(self) -> int:
        async with asyncio.timeout(5):
            return await self.status.get()

    async def low_latency(self) -> None:
        await self.client.write_gatt_char(LE_PARAMS, latency.LOW_LATENCY.encode(), response=True)

    async def high_latency(self) -> None:
        await self.client.write_gatt_char(LE_PARAMS, latency.HIGH_LATENCY.encode(), response=True)

    async def set_clock(self) -> None:
        moment = datetime(2026, 11, 21, 10, 0, 0)  # the band's local time, naive
        await self.client.write_gatt_char(
            DATE_TIME, protocol.encode_date_time_write(moment), response=True
        )

    async def start_manual_measurement(self) -> None:
        await self.client.write_gatt_char(
            HEART_RATE_CONTROL_POINT, protocol.HR_MANUAL_ON, response=True
        )
