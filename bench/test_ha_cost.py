"""Home Assistant's cost: CPU per wheel notification end to end vs a bare state write, and the
CPU share and memory of 10 wheels + 10 bands at default settings.

Per notification: the wheel's answers are fed straight into the link's delivery path (the
proxy client's `notification_received`, what a Bleak backend calls), so the measured CPU is
Home Assistant's and ours: decode, session, poller, coordinator, entities, state machine, and
the poller's next request through bleak-retry-connector's client (the emulated wheel only
records it). Every cycle's answer carries other values, so nothing is skipped as unchanged.
The reference is `hass.states.async_set` with a new value each time, the least any
integration pays to show a value.

10 + 10: emulated wheels being ridden and bands being worn (a step a second), spread over
proxies of three connection slots each as ESPHome's are, at real time. The emulated devices
and the link model run in the same process: their CPU is included, so the share is an upper
bound for Home Assistant's.

The two are separate tests, so that bench/test_ha_cost_before_after.py can run the
per-notification one alone, on a baseline revision's tree and on this one.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import time
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import CONF_MIN_STATE_INTERVAL
from custom_components.miband_ninebot.ninebot.transport import LIVE
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.wheel import (
    ADDRESS_ONE,
    UART_CHARACTERISTIC,
    NinebotOne,
    answer_frames,
    register_file,
)
from emulator.devices.wheel_state import WheelState
from emulator.link.peripheral import Peripheral
from emulator.transports.virtual_proxy import VirtualProxy

from .harness import rss_bytes, set_up_entry, unload_all

RESULTS = Path(__file__).parent / "results"
# Where the per-notification figures go instead of results/ha_cost.json: the comparison's rounds.
RESULTS_ENV = "BENCH_HA_COST_RESULTS"
CYCLES = 150  # live answers fed per setting (about 10 s at the link's pace)
BARE_WRITES = 4000
FLEET_WINDOW = 30.0  # s of real time
FLEET_SIZE = 10  # wheels, and as many bands
SLOTS_PER_PROXY = 3
LIVE_REQUEST = (LIVE.first, LIVE.count)


class _FedWheel(NinebotOne):
    """A wheel whose answers the benchmark delivers itself: it only notes each read request."""

    def __init__(self) -> None:
        super().__init__()  # real time: the poller's requests pace the cycles as on air
        self.requested = asyncio.Event()
        self.request: tuple[int, int] | None = None

    def _answer_read(self, address: int, index: int, count: int) -> None:
        self.request = (index, count)
        self.requested.set()


def _answer(wheel: NinebotOne, state: WheelState, index: int, count: int) -> list[bytes]:
    """The notifications a wheel in this state sends for a read."""
    registers = register_file(wheel.identity, state)
    frames = answer_frames(registers, ADDRESS_ONE, index, count)
    return wheel.timing.chop(b"".join(frames))


async def _cpu_per_notification(
    hass: HomeAssistant, proxy: VirtualProxy, **options: Any
) -> dict[str, Any]:
    wheel = _FedWheel()
    proxy.add(wheel)
    entry = await set_up_entry(hass, wheel, options)
    coordinator = entry.runtime_data
    char = wheel.gatt.characteristic(UART_CHARACTERISTIC)
    writes = 0

    def count_write(_event: Any) -> None:
        nonlocal writes
        writes += 1

    async def answer_next(state: WheelState, live: list[bytes] | None = None) -> int:
        async with asyncio.timeout(10):
            await wheel.requested.wait()
        wheel.requested.clear()
        assert wheel.request is not None
        assert wheel.connection is not None
        if live is None or wheel.request != LIVE_REQUEST:  # identity, range: not the hot path
            live = _answer(wheel, state, *wheel.request)
        notifications = live
        for notification in notifications:
            wheel.connection.central.notification_received(char, notification)
        return len(notifications)

    # Until the identity and range are in and the live block is being polled.
    while coordinator.data is None:
        await answer_next(wheel.state)
    states = [WheelState(speed=10 + n % 20, current=1 + n % 7) for n in range(CYCLES)]
    answers = [_answer(wheel, state, *LIVE_REQUEST) for state in states]
    stop = hass.bus.async_listen("state_changed", count_write)
    notifications = 0
    started = time.process_time()
    for state, live in zip(states, answers, strict=True):
        notifications += await answer_next(state, live)
    cpu = time.process_time() - started
    stop()
    await hass.config_entries.async_unload(entry.entry_id)
    proxy.remove(wheel.address)
    return {
        "cpu_per_notification_s": cpu / notifications,
        "notifications": notifications,
        "state_writes": writes,
    }


async def _cpu_per_bare_write(hass: HomeAssistant) -> float:
    attributes = {"unit_of_measurement": "km/h", "device_class": "speed"}
    started = time.process_time()
    for n in range(BARE_WRITES):
        hass.states.async_set("sensor.bare_speed", str(n), attributes)
    return (time.process_time() - started) / BARE_WRITES


async def _fleet(hass: HomeAssistant, proxy: VirtualProxy) -> dict[str, float]:
    devices: list[Peripheral] = []
    for n in range(FLEET_SIZE):
        wheel = catalog.ninebot_one_e(f"E0:E5:CF:00:01:{n:02X}", f"NOE1{n:02d}")
        wheel.start_ride()
        devices += [wheel, catalog.mi_band_1s(f"C8:0F:10:00:01:{n:02X}")]
    proxies = [proxy] + [
        VirtualProxy(f"AA:BB:CC:00:01:{n:02X}", f"Virtual proxy {n}")
        for n in range(len(devices) // SLOTS_PER_PROXY)
    ]
    for extra in proxies[1:]:
        extra.start()
    for position, device in enumerate(devices):
        proxies[position // SLOTS_PER_PROXY].add(device)
    await asyncio.sleep(1)
    rss_before = rss_bytes()
    entries = [await set_up_entry(hass, device) for device in devices]
    async with asyncio.timeout(60):
        while not all(entry.runtime_data.connected for entry in entries):  # noqa: ASYNC110
            await asyncio.sleep(0.5)
    await asyncio.sleep(3)

    loop = asyncio.get_running_loop()
    cpu_started, wall_started = time.process_time(), loop.time()
    for _ in range(int(FLEET_WINDOW)):
        for device in devices:
            if isinstance(device, MiBand):
                device.walk(1)
        await asyncio.sleep(1)
    cpu_share = (time.process_time() - cpu_started) / (loop.time() - wall_started)
    rss_after = rss_bytes()
    connected = sum(entry.runtime_data.connected for entry in entries)

    await unload_all(hass)
    for extra in proxies[1:]:
        extra.stop()
    return {
        "cpu_share_of_one_core": cpu_share,
        "memory_bytes": rss_after - rss_before,
        "devices": len(devices),
        "connected_at_end": connected,
        "proxies": len(proxies),
    }


def _write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


async def test_cost_per_notification(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    results: dict[str, Any] = {"bare_write_cpu_s": await _cpu_per_bare_write(hass)}
    results["default"] = await _cpu_per_notification(hass, proxy)
    results["every_cycle_written"] = await _cpu_per_notification(
        hass, proxy, **{CONF_MIN_STATE_INTERVAL: 0}
    )
    _write(Path(os.environ.get(RESULTS_ENV) or RESULTS / "ha_cost.json"), results)


async def test_cost_of_a_fleet(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    _write(RESULTS / "ha_cost_fleet.json", await _fleet(hass, proxy))
