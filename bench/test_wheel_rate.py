"""Wheel live data: complete live cycles per second, ours vs the link's limit vs two peers.

All on the same emulated link at real time (30 ms connection interval, one PDU per event and
direction, 20-byte notifications), one after the other on the same ridden wheel:

- ours: `NinebotClient`, one request for the live block (0xB2 x 12: flags, battery ... current)
  in flight, the next sent as soon as the answer is complete, the slow registers (codes, range,
  lifetime runtime) in rotation at the default pace (one short read every 5 s), and again with
  the rotation 10 times faster (two a second) to show its cost;
- two other live blocks, the same way without rotation: the block before the flags joined it
  (0xB4 x 10), and one that takes the error and warning codes along too (0xB0 x 15);
- eucWatch's strategy: one register per request, 50 ms between requests;
- WheelLog's strategy: a 32-byte read at 0xB0 (16 registers) sent after every answer packet.

A cycle is complete when every live value (0xB4-0xBD, battery ... current) has arrived again
since the last one. The limit comes from the link model: the request needs one
connection event, its answer one event per notification, and the answer cannot share the
request's event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
import math
from pathlib import Path
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
import bleak_retry_connector
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.ninebot.client import NinebotClient
from custom_components.miband_ninebot.ninebot.protocol import StreamDecoder, encode_read
from custom_components.miband_ninebot.ninebot.transport import LIVE, ONE_C_E_P
from emulator.devices import catalog
from emulator.devices.wheel import frame
from emulator.transports.virtual_proxy import VirtualProxy

WINDOW = 6.0  # s of real time per strategy
RESULTS = Path(__file__).parent / "results" / "wheel_rate.json"


async def _connect(hass: HomeAssistant, address: str) -> BleakClient:
    ble_device = bluetooth.async_ble_device_from_address(hass, address, connectable=True)
    assert ble_device is not None
    return await bleak_retry_connector.establish_connection(
        bleak_retry_connector.BleakClientWithServiceCache, ble_device, address
    )


class _CycleCounter:
    """Counts complete live cycles in a stream of notifications."""

    def __init__(self, live: range = range(0xB4, 0xBE)) -> None:
        self.live = live
        self.decoder = StreamDecoder()
        self.missing = set(live)
        self.cycles = 0
        self.arrived: dict[int, asyncio.Event] = {}
        self.packets = 0
        self.requests = 0
        self.answers = 0  # frames that start an answer (their index is a requested one)
        self.requested_indexes: set[int] = set()

    def on_notification(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        self.packets += 1
        for decoded in self.decoder.feed(data):
            if decoded.index in self.requested_indexes:
                self.answers += 1
            for register in decoded.registers():
                self.missing.discard(register)
                if (event := self.arrived.get(register)) is not None:
                    event.set()
        if not self.missing:
            self.cycles += 1
            self.missing = set(self.live)


async def _rate(
    run: Callable[[], Awaitable[None]],
    cycles: Callable[[], int],
    backlog: Callable[[], int],
    slow_reads: Callable[[], int] = lambda: 0,
) -> dict[str, float]:
    """Cycles per second over the window, requests still unanswered at its end, slow reads in it."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(run())
    await asyncio.sleep(1.0)  # warm up: the first cycle includes subscribing
    start_cycles, start_slow, start = cycles(), slow_reads(), loop.time()
    await asyncio.sleep(WINDOW)
    rate = {
        "cycles_per_s": (cycles() - start_cycles) / (loop.time() - start),
        "unanswered_requests": backlog(),
        "slow_reads": slow_reads() - start_slow,
    }
    task.cancel()
    (outcome,) = await asyncio.gather(task, return_exceptions=True)
    if not isinstance(outcome, asyncio.CancelledError):
        raise AssertionError(f"strategy stopped early: {outcome!r}")
    return rate


async def test_wheel_live_cycles_per_second(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    wheel = catalog.ninebot_one_e()  # real time: the model's timing, not the tests' 100x
    wheel.start_ride()
    proxy.add(wheel)
    interval = wheel.timing.connection_interval
    payload = wheel.timing.payload_per_pdu
    results: dict[str, Any] = {}

    slow_registers = {request.first for request in ONE_C_E_P.slow}

    # Ours, at the default rotation and with the rotation fifteen times faster.
    for key, slow_read_interval in (("ours", None), ("ours_fast_rotation", 1.5)):
        client = await _connect(hass, wheel.address)
        session = NinebotClient(lambda _reading: None, slow_read_interval=slow_read_interval)

        async def ours(session: NinebotClient = session, client: BleakClient = client) -> None:
            await session.start(client)
            await asyncio.Event().wait()

        results[key] = await _rate(
            ours,
            lambda s=session: s.stats.live_cycles,
            lambda: 0,
            lambda: sum(1 for first, _count in wheel.reads if first in slow_registers),
        )
        session.connection_lost()
        await client.disconnect()

    # Other live blocks: before the flags joined it, and with the codes along.
    for key, block in (("block_b4", range(0xB4, 0xBE)), ("block_b0", range(0xB0, 0xBF))):
        client = await _connect(hass, wheel.address)
        counter = _CycleCounter()
        await client.start_notify(ONE_C_E_P.notify_uuid, counter.on_notification)

        async def other_block(
            client: BleakClient = client, block: range = block, counter: _CycleCounter = counter
        ) -> None:
            while True:
                arrived = counter.arrived[block[-1]] = asyncio.Event()
                await client.write_gatt_char(
                    ONE_C_E_P.write_uuid, encode_read(block[0], len(block)), response=False
                )
                async with asyncio.timeout(1.0):
                    await arrived.wait()

        results[key] = await _rate(other_block, lambda c=counter: c.cycles, lambda: 0)
        await client.disconnect()

    # eucWatch: a register at a time, 50 ms apart.
    client = await _connect(hass, wheel.address)
    counter = _CycleCounter()
    await client.start_notify(ONE_C_E_P.notify_uuid, counter.on_notification)

    async def euc_watch() -> None:
        while True:
            for register in LIVE.registers:
                arrived = counter.arrived[register] = asyncio.Event()
                counter.requested_indexes.add(register)
                counter.requests += 1
                await client.write_gatt_char(
                    ONE_C_E_P.write_uuid, encode_read(register, 1), response=False
                )
                try:
                    async with asyncio.timeout(1.0):
                        await arrived.wait()
                except TimeoutError:
                    pass
                await asyncio.sleep(0.05)

    results["eucwatch"] = await _rate(
        euc_watch, lambda: counter.cycles, lambda: counter.requests - counter.answers
    )
    await client.disconnect()

    # WheelLog: 0xB0 x 32 bytes after every answer packet.
    client = await _connect(hass, wheel.address)
    counter = _CycleCounter()
    packet = asyncio.Event()

    def on_packet(char: BleakGATTCharacteristic, data: bytearray) -> None:
        counter.on_notification(char, data)
        packet.set()

    await client.start_notify(ONE_C_E_P.notify_uuid, on_packet)

    counter.requested_indexes.add(0xB0)

    async def wheel_log() -> None:
        while True:
            packet.clear()
            counter.requests += 1
            await client.write_gatt_char(
                ONE_C_E_P.write_uuid, encode_read(0xB0, 16), response=False
            )
            try:
                async with asyncio.timeout(1.0):
                    await packet.wait()
            except TimeoutError:
                pass

    results["wheellog"] = await _rate(
        wheel_log, lambda: counter.cycles, lambda: counter.requests - counter.answers
    )
    await client.disconnect()

    # The link's limit for our request: 1 event out, one per answer notification back.
    answer = b"".join(
        frame(first, bytes(2 * len(chunk)))
        for first, chunk in (
            (LIVE.first + offset, range(min(3, LIVE.count - offset)))
            for offset in range(0, LIVE.count, 3)
        )
    )
    events = 1 + math.ceil(len(answer) / payload)
    results["limit"] = {"cycles_per_s": 1 / (events * interval), "events_per_cycle": events}
    results["interval_s"] = interval
    results["window_s"] = WINDOW

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
