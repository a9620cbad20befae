"""Recovery: from a forced drop (HCI 0x08) to data flowing again, wheel and band, at real time.

Through Home Assistant's coordinator, as a user lives it: the entry is set up, the link drops,
and the clock runs until the coordinator has reconnected, re-initialised (the band
re-authenticates with its stored id) and published fresh data.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from emulator.devices import catalog
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT
from emulator.transports.virtual_proxy import VirtualProxy

from .harness import set_up_entry, unload_all

RESULTS = Path(__file__).parent / "results" / "recovery.json"
RUNS = 5


async def _recovery_times(coordinator: Any, device: Peripheral) -> list[float]:
    """Seconds from each drop to the first data published after the link is back."""
    loop = asyncio.get_running_loop()
    fresh = asyncio.Event()
    coordinator.async_add_listener(lambda: fresh.set() if coordinator.connected else None)
    async with asyncio.timeout(30):
        while not coordinator.connected or coordinator.data is None:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    times = []
    for _ in range(RUNS):
        await asyncio.sleep(1.0)
        fresh.clear()
        dropped = loop.time()
        device.drop_link(CONNECTION_TIMEOUT)
        await asyncio.sleep(0)  # the drop's callbacks run; data from before it does not count
        fresh.clear()
        async with asyncio.timeout(30):
            await fresh.wait()
        times.append(loop.time() - dropped)
    return times


async def test_recovery_after_a_drop(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    wheel = catalog.ninebot_one_e()  # real time
    band = catalog.mi_band_1s()
    proxy.add(wheel)
    proxy.add(band)
    wheel_coordinator = (await set_up_entry(hass, wheel)).runtime_data
    band_coordinator = (await set_up_entry(hass, band)).runtime_data

    results = {
        "wheel_s": await _recovery_times(wheel_coordinator, wheel),
        "band_s": await _recovery_times(band_coordinator, band),
        "connect_time_s": wheel.timing.connect_time,
        "interval_s": wheel.timing.connection_interval,
        "band_interval_s": band.timing.connection_interval,
    }

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    await unload_all(hass)
