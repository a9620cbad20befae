"""Recorder cost: state writes per entity and hour at default settings, wheel ridden, band worn.

Every state write is a row in the recorder's states table, so this counts `state_changed` events
per entity over a window of real time on the real-time link model and scales to an hour. The
wheel is ridden all along (its values change at every poll: the throttle decides); the band's
wearer walks a step every second.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import json
from pathlib import Path

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback

from emulator.devices import catalog
from emulator.transports.virtual_proxy import VirtualProxy

from .harness import set_up_entry, unload_all

RESULTS = Path(__file__).parent / "results" / "state_writes.json"
WINDOW = 30.0  # s of real time


async def test_state_writes_per_entity_hour(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    wheel = catalog.ninebot_one_e()
    wheel.start_ride()
    band = catalog.mi_band_1s()
    proxy.add(wheel)
    proxy.add(band)
    await set_up_entry(hass, wheel)
    await set_up_entry(hass, band)
    await asyncio.sleep(3)  # both links up, first values written

    writes: Counter[str] = Counter()

    @callback
    def count(event: Event) -> None:
        writes[event.data["entity_id"]] += 1

    stop_counting = hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    for _ in range(int(WINDOW)):
        band.walk(1)
        await asyncio.sleep(1)
    stop_counting()

    per_hour = {entity: round(n * 3600 / WINDOW) for entity, n in sorted(writes.items())}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"window_s": WINDOW, "per_hour": per_hour}, indent=2))
    print(json.dumps(per_hour, indent=2))
    await unload_all(hass)
