"""Band: a day of the band's memory into the statistics, per second of link time, and its cost.

At real time on the link model, through the `sync_activity` action as a user calls it. A day is
1440 minutes of 4 bytes (the 1S's, with heart rate) in blocks of up to 142 minutes.

Each sync starts as a user finds the band, idling at 600 ms events: it asks for low latency and
waits for the band's word that it applied (the update's instant, about ten events on) before
the transfer. The link's limit is the data alone at low latency: one 20-byte notification per
connection event, (39 + 49) / 2 x 1.25 ms = 55 ms, so 5 minutes per event. The wait for low
latency, headers, acknowledgements (each a round trip before the next block) and the wait for
the recorder to store a block before it is acknowledged come on top.

The recorder's cost: the same day synced twice, the band keeping it (the option). The first sync
imports it, the second finds every minute already in Home Assistant and writes nothing; the
difference in the process's CPU time and in time on the link is what the import costs.
"""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
import time
from typing import Any

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import CONF_KEEP_ACTIVITY_ON_BAND, DOMAIN
from custom_components.miband_ninebot.miband.protocol import LOW_LATENCY
from emulator import catalog
from emulator.band import MiBand
from emulator.band_memory import generate_minutes
from emulator.proxy import VirtualProxy
from tests import device_id, until

from .harness import set_up_entry, unload_all

RESULTS = Path(__file__).parent / "results" / "band_sync.json"
DAY = 24 * 60
BYTES_PER_MINUTE = 4
PAYLOAD = 20


def link_limit_minutes_per_s() -> float:
    """Minutes per second if every low-latency event carried a full notification of minutes."""
    interval = (LOW_LATENCY.min_interval + LOW_LATENCY.max_interval) / 2 * 1.25 / 1000
    return PAYLOAD / BYTES_PER_MINUTE / interval


async def _timed_sync(hass: HomeAssistant, band: MiBand) -> dict[str, Any]:
    # As a user finds the band: at the idle 600 ms events (the last sync's switch back applied).
    await until(lambda: band.connection is not None and band.connection.link.interval > 0.5)
    loop = hass.loop
    cpu, started = time.process_time(), loop.time()
    response = await hass.services.async_call(
        DOMAIN,
        "sync_activity",
        {"device_id": device_id(hass, band.address)},
        blocking=True,
        return_response=True,
    )
    await get_instance(hass).async_block_till_done()
    assert response is not None
    return {
        "minutes": response["minutes"],
        "link_s": loop.time() - started,
        "cpu_s": time.process_time() - cpu,
    }


async def test_band_sync_of_a_day(
    recorder_mock: Recorder, hass: HomeAssistant, proxy: VirtualProxy
) -> None:
    band = catalog.mi_band_1s()
    proxy.add(band)
    entry = await set_up_entry(hass, band, {CONF_KEEP_ACTIVITY_ON_BAND: True})
    coordinator = entry.runtime_data
    await until(lambda: coordinator.history.last_sync is not None)  # the first, empty sync
    clock = band.now()
    assert clock is not None
    start = clock.replace(second=0, microsecond=0) - timedelta(minutes=DAY + 1)
    band.memory.record(start, generate_minutes(start, DAY, seed=11))

    imported = await _timed_sync(hass, band)
    again = await _timed_sync(hass, band)
    assert (imported["minutes"], again["minutes"]) == (DAY, 0)

    limit = link_limit_minutes_per_s()
    results = {
        "minutes": DAY,
        "import": imported,
        "again": again,
        "minutes_per_link_s": DAY / imported["link_s"],
        "limit_minutes_per_s": limit,
        "share_of_limit": DAY / imported["link_s"] / limit,
        "import_cpu_ms_per_hour": (imported["cpu_s"] - again["cpu_s"]) * 1000 / 24,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    await unload_all(hass)
