"""A One Z's live data: complete live cycles per second, ours vs WheelLog's vs the link's limit.

On the same emulated link at real time as the One's benchmark (`test_wheel_rate`), one after the
other on the same ridden emulated Z10:

- ours: `NinebotClient` on the Z's transport: one read of 0xB0-0xBD (codes ... current, one
  37-byte frame, two notifications) in flight, the next sent when it is complete; the version
  block, lock, range, lifetime and the packs' blocks in rotation at the default pace;
- WheelLog's Z strategy: 0xB0 x 32 bytes (the copies of the speeds too: 41 bytes, three
  notifications) after every answer packet, as its keep-alive timer does.

A cycle is complete when every live value (0xB4-0xBD) has arrived again since the last one. The
limit: the request needs one connection event, its answer one per notification.
"""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.ninebot.client import NinebotClient
from custom_components.miband_ninebot.ninebot.protocol_z import ZStreamDecoder, encode_read
from custom_components.miband_ninebot.ninebot.transport import ONE_Z
from emulator.devices import catalog
from emulator.transports.virtual_proxy import VirtualProxy

from .test_wheel_rate import WINDOW, _connect, _rate

RESULTS = Path(__file__).parent / "results" / "wheel_z_rate.json"
LIVE = range(0xB4, 0xBE)  # battery ... current


class _ZCycleCounter:
    """Counts complete live cycles in a stream of 5A A5 notifications."""

    def __init__(self) -> None:
        self.decoder = ZStreamDecoder()
        self.missing = set(LIVE)
        self.cycles = 0
        self.requests = 0
        self.answers = 0
        self.packet = asyncio.Event()

    def on_notification(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        self.packet.set()
        for frame in self.decoder.feed(data):
            self.answers += 1
            self.missing.difference_update(frame.registers())
        if not self.missing:
            self.cycles += 1
            self.missing = set(LIVE)


async def test_z_live_cycles_per_second(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    wheel = catalog.ninebot_one_z10()  # real time: the model's timing, not the tests' 100x
    wheel.start_ride()
    proxy.add(wheel)
    interval = wheel.timing.connection_interval
    payload = wheel.timing.payload_per_pdu
    results: dict[str, Any] = {}

    client = await _connect(hass, wheel.address)
    session = NinebotClient(lambda _reading: None, ONE_Z)

    async def ours(session: NinebotClient = session, client: BleakClient = client) -> None:
        await session.start(client)
        await asyncio.Event().wait()

    results["ours"] = await _rate(ours, lambda: session.stats.live_cycles, lambda: 0)
    session.connection_lost()
    await client.disconnect()

    client = await _connect(hass, wheel.address)
    counter = _ZCycleCounter()
    await client.start_notify(ONE_Z.notify_uuid, counter.on_notification)
    wheellog_read = encode_read(0xB0, 16).encode()

    async def wheel_log() -> None:
        while True:
            counter.packet.clear()
            counter.requests += 1
            await client.write_gatt_char(ONE_Z.write_uuid, wheellog_read, response=False)
            try:
                async with asyncio.timeout(1.0):
                    await counter.packet.wait()
            except TimeoutError:
                pass

    results["wheellog"] = await _rate(
        wheel_log, lambda: counter.cycles, lambda: counter.requests - counter.answers
    )
    await client.disconnect()

    def limit(registers: int) -> dict[str, float]:
        events = 1 + math.ceil((2 * registers + 9) / payload)
        return {"cycles_per_s": 1 / (events * interval), "events_per_cycle": events}

    results["limit"] = limit(ONE_Z.live.count)
    results["limit_wheellog_block"] = limit(16)
    results["live_registers"] = ONE_Z.live.count
    results["interval_s"] = interval
    results["window_s"] = WINDOW

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
