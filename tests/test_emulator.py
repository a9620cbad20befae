"""The emulator as a BLE client sees it: through HA's Bluetooth manager and bleak-retry-connector.

Nothing here touches the integration; these tests pin down the behaviour the integration's own
tests rely on (GATT semantics, link timing, faults as bleak-retry-connector classifies them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bleak import BleakClient
from bleak.exc import BleakError
import bleak_retry_connector
from homeassistant.core import HomeAssistant
import pytest

from emulator.devices import catalog
from emulator.devices.wheel import UART_CHARACTERISTIC, NinebotOne, frame
from emulator.link.gatt import NOTIFY, READ, WRITE, Characteristic, Service
from emulator.link.peripheral import Advertisement, ConnectFault, Peripheral
from emulator.link.timing import (
    CONNECTION_TIMEOUT,
    LOCAL_HOST_TERMINATED,
    PDU_EXCHANGE_TIME,
    REMOTE_USER_TERMINATED,
    Direction,
    Link,
    LinkTiming,
)
from emulator.transports.virtual_proxy import VirtualBleakClient, VirtualProxy

from .helpers.central import Received, connect

AddDevice = Callable[[Peripheral], Peripheral]

SERVICE = "0000ab00-0000-1000-8000-00805f9b34fb"
COMMAND = "0000ab01-0000-1000-8000-00805f9b34fb"
EVENTS = "0000ab02-0000-1000-8000-00805f9b34fb"


class EchoDevice(Peripheral):
    """Answers every command write with the same bytes as a notification on EVENTS."""

    def __init__(self) -> None:
        super().__init__(
            "AA:BB:CC:DD:EE:01",
            Advertisement.of("Echo", [SERVICE]),
            [
                Service(
                    SERVICE,
                    [Characteristic(COMMAND, (READ, WRITE)), Characteristic(EVENTS, (NOTIFY,))],
                )
            ],
        )
        self.stall_on_write = 0.0

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        await super().on_write(char, data, with_response)
        if self.stall_on_write:
            self.stall(self.stall_on_write)
        self.notify(EVENTS, data)


async def test_connect_goes_through_the_virtual_proxy(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    device = add_device(EchoDevice())
    client = await connect(hass, device, Received())

    assert isinstance(client._backend, VirtualBleakClient)  # type: ignore[attr-defined]
    assert client.is_connected
    assert client.mtu_size == 23
    assert device.connection is not None
    await client.disconnect()
    assert device.disconnect_reasons == [LOCAL_HOST_TERMINATED]


async def test_gatt_read_write_and_notify(hass: HomeAssistant, add_device: AddDevice) -> None:
    device = add_device(EchoDevice())
    received = Received()
    client = await connect(hass, device, received)

    await client.write_gatt_char(COMMAND, b"before", response=True)
    assert received.notifications.empty()  # nothing arrives before the CCCD is written

    await client.start_notify(EVENTS, received.on_notify)
    await client.write_gatt_char(COMMAND, b"\x55\xaa\x03", response=True)
    assert await asyncio.wait_for(received.notifications.get(), 1) == b"\x55\xaa\x03"
    assert await client.read_gatt_char(COMMAND) == bytearray(b"\x55\xaa\x03")

    await client.stop_notify(EVENTS)
    await client.write_gatt_char(COMMAND, b"after", response=True)
    await asyncio.sleep(0.01)
    assert received.notifications.empty()
    await client.disconnect()
    # The device's log of ATT requests, which the benchmarks count round trips from.
    assert device.requests == [
        ("connect", ""),
        ("write", COMMAND),
        ("subscribe", EVENTS),
        ("write", COMMAND),
        ("read", COMMAND),
        ("unsubscribe", EVENTS),
        ("write", COMMAND),
    ]


async def test_gatt_refuses_what_the_table_does_not_permit(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    device = add_device(EchoDevice())
    client = await connect(hass, device, Received())

    with pytest.raises(BleakError, match="write-without-response not permitted"):
        await client.write_gatt_char(COMMAND, b"x", response=False)
    with pytest.raises(BleakError, match="read not permitted"):
        await client.read_gatt_char(EVENTS)
    with pytest.raises(BleakError, match="not found"):
        await client.read_gatt_char("0000ffff-0000-1000-8000-00805f9b34fb")
    await client.start_notify(EVENTS, lambda *_: None)
    with pytest.raises(ValueError, match="does not fit the ATT MTU"):
        device.notify(EVENTS, bytes(21))
    await client.disconnect()


async def test_subscriptions_are_forgotten_on_a_new_connection(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    device = add_device(EchoDevice())
    received = Received()
    client = await connect(hass, device, received)
    await client.start_notify(EVENTS, received.on_notify)

    device.drop_link(REMOTE_USER_TERMINATED)
    await asyncio.wait_for(received.disconnected.wait(), 1)
    assert not client.is_connected
    with pytest.raises(BleakError):
        await client.write_gatt_char(COMMAND, b"x", response=True)

    client = await connect(hass, device, received)
    assert not device.notify(EVENTS, b"lost")  # no subscriber on the new link
    await client.disconnect()


async def test_stall_past_the_supervision_timeout_drops_the_link(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The Mi Band 1S's sensor start (~1.3 s) against Linux's 420 ms supervision timeout."""
    device = EchoDevice()
    device.stall_on_write = 1.3
    add_device(device)
    received = Received()
    client = await connect(hass, device, received)

    with pytest.raises(BleakError):
        await client.write_gatt_char(COMMAND, b"\x15\x02\x01", response=True)

    await asyncio.wait_for(received.disconnected.wait(), 1)
    assert device.disconnect_reasons == [CONNECTION_TIMEOUT]


async def test_stall_within_the_supervision_timeout_only_delays(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    device = EchoDevice()
    device.stall_on_write = 1.3
    device.timing = LinkTiming(supervision_timeout=5.0, time_scale=0.01)
    add_device(device)
    received = Received()
    client = await connect(hass, device, received)
    await client.start_notify(EVENTS, received.on_notify)

    await client.write_gatt_char(COMMAND, b"\x15\x02\x01", response=True)

    assert await asyncio.wait_for(received.notifications.get(), 1) == b"\x15\x02\x01"
    assert client.is_connected
    await client.disconnect()


@pytest.mark.usefixtures("no_backoff")
async def test_refused_connects_are_retried(hass: HomeAssistant, add_device: AddDevice) -> None:
    device = add_device(EchoDevice())
    device.refuse_connects(2, ConnectFault.TRANSIENT)

    client = await connect(hass, device, Received())

    assert client.is_connected
    assert device.connect_attempts == 3
    await client.disconnect()


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize(
    ("fault", "error", "attempts"),
    [
        (ConnectFault.TRANSIENT, bleak_retry_connector.BleakAbortedError, 9),
        (ConnectFault.TIMEOUT, bleak_retry_connector.BleakNotFoundError, 4),
        (ConnectFault.ERROR, bleak_retry_connector.BleakConnectionError, 4),
    ],
)
async def test_refused_connects_fail_as_bleak_retry_connector_classifies_them(
    hass: HomeAssistant,
    add_device: AddDevice,
    fault: ConnectFault,
    error: type[BleakError],
    attempts: int,
) -> None:
    device = add_device(EchoDevice())
    device.refuse_connects(20, fault)

    with pytest.raises(error):
        await connect(hass, device, Received())

    assert device.connect_attempts == attempts


@pytest.mark.usefixtures("no_backoff")
async def test_proxy_out_of_connection_slots(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    proxy.connection_slots = 1
    first = add_device(EchoDevice())
    second = add_device(catalog.ninebot_one_e())
    client = await connect(hass, first, Received())

    with pytest.raises(bleak_retry_connector.BleakOutOfConnectionSlotsError):
        await connect(hass, second, Received())
    assert second.connect_attempts == 0  # habluetooth never reached the device

    await client.disconnect()
    client = await connect(hass, second, Received())
    assert client.is_connected
    await client.disconnect()


async def test_vanishing_proxy_drops_its_links(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    device = add_device(EchoDevice())
    received = Received()
    await connect(hass, device, received)

    proxy.stop()
    await asyncio.wait_for(received.disconnected.wait(), 1)
    assert device.connection is None

    proxy.start()  # back, and advertising what is in range
    client = await connect(hass, device, Received())
    assert client.is_connected
    await client.disconnect()


async def test_link_events_one_pdu_per_interval_and_direction() -> None:
    # Model time crawls (1 model second = 1000 wall seconds), so "now" stays at 0 in this test.
    link = Link(LinkTiming(connection_interval=0.030, time_scale=1000), lambda: None)
    # The peripheral's PDU crosses after the central's, one exchange into the event.
    after = PDU_EXCHANGE_TIME
    try:
        # Three notifications queued at once leave at three consecutive events.
        assert link.reserve(Direction.TO_CENTRAL, 3, earliest=0.0) == pytest.approx(0.060 + after)
        # The next one waits behind them; the other direction is free.
        assert link.reserve(Direction.TO_CENTRAL, 1, earliest=0.0) == pytest.approx(0.090 + after)
        assert link.reserve(Direction.TO_PERIPHERAL, 1, earliest=0.0) == pytest.approx(0.0)
        # A PDU ready between events waits for the next event.
        assert link.reserve(Direction.TO_PERIPHERAL, 1, earliest=0.031) == pytest.approx(0.060)
        # A parameter update applies from the next event (0.030; the one at 0 has passed):
        # events then fall at 0.030 + k * 0.050.
        link.update_parameters(interval=0.050)
        assert link.reserve(Direction.TO_PERIPHERAL, 2, earliest=0.100) == pytest.approx(0.180)
        assert link.reserve(Direction.TO_PERIPHERAL, 1, earliest=0.181) == pytest.approx(0.230)
    finally:
        link.close()


def test_values_are_cut_into_pdus_by_the_att_mtu() -> None:
    timing = LinkTiming()
    assert timing.payload_per_pdu == 20
    assert [timing.pdus_for(size) for size in (0, 1, 20, 21, 40, 41)] == [1, 1, 1, 2, 2, 3]
    with pytest.raises(ValueError, match="must be positive"):
        LinkTiming(time_scale=0)


async def _ask_the_wheel_for_its_identity(
    hass: HomeAssistant, device: NinebotOne
) -> tuple[BleakClient, Received]:
    """Connect, subscribe and send a read of 11 registers from 0x10 (serial, PIN, version)."""
    received = Received()
    client = await connect(hass, device, received)
    await client.start_notify(UART_CHARACTERISTIC, received.on_notify)
    await client.write_gatt_char(UART_CHARACTERISTIC, frame(0x10, bytes((22,))), response=False)
    return client, received


@pytest.mark.parametrize("notifications_before_the_drop", [0, 1, 2])
async def test_wheel_drops_the_link_once_at_a_chosen_point_of_an_answer(
    hass: HomeAssistant, add_device: AddDevice, notifications_before_the_drop: int
) -> None:
    """The wheel's `drop_at` cuts the identity answer (three notifications) where it is told."""
    device = add_device(catalog.ninebot_one_e())
    assert isinstance(device, NinebotOne)
    device.faults.drop_at = (0x10, notifications_before_the_drop)

    _client, received = await _ask_the_wheel_for_its_identity(hass, device)
    await asyncio.wait_for(received.disconnected.wait(), 1)

    assert received.notifications.qsize() == notifications_before_the_drop
    assert device.disconnect_reasons == [CONNECTION_TIMEOUT]
    assert device.faults.drop_at is None  # once: the next connection gets whole answers
    client, received = await _ask_the_wheel_for_its_identity(hass, device)
    answer = [await asyncio.wait_for(received.notifications.get(), 1) for _ in range(3)]
    assert len(b"".join(answer)) == 3 * 14 + 12  # frames of 3, 3, 3 and 2 registers
    await client.disconnect()
