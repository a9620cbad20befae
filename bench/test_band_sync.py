"""Band: a day of the band's memory into the statistics, per second of link time, and its cost.

At real time on the link model, through the `sync_activity` action as a user calls it. A day is
1440 minutes of 4 bytes (the 1S's, with heart rate) in blocks of up to 142 minutes.

Each sync starts as a user finds the band, idling at 600 ms events (because the integration's
last FF09 write asked for them; the band never changes its parameters by itself): it asks for low
latency and waits for the band's word that it applied (the update's instant, about ten events
on) before the transfer. The link's limit is the data alone at low latency, (39 + 49) / 2 x
1.25 ms = 55 ms events: on the model from the captures, 17 notifications of 20 bytes per event,
as the Mi Band 1 sent them to Mi Fit; on the model before them, one. The wait for low latency,
headers, acknowledgements (each a round trip before the next block) and the wait for the
recorder to store a block before it is acknowledged come on top. Both models run side by side,
one band each, one sync after the other.

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
from custom_components.miband_ninebot.miband.latency import LOW_LATENCY
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_memory import generate_minutes
from emulator.link.timing import LinkTiming
from emulator.transports.virtual_proxy import VirtualProxy
from tests import device_id, until

from .harness import set_up_entry, unload_all
from .test_band_measurement import MODELS, model_description

RESULTS = Path(__file__).parent / "results" / "band_sync.json"
DAY = 24 * 60
BYTES_PER_MINUTE = 4
PAYLOAD = 20


def link_limit_minutes_per_s(timing: LinkTiming) -> float:
    """Minutes per second if every low-latency event carried full notifications of minutes."""
    interval = (LOW_LATENCY.min_interval + LOW_LATENCY.max_interval) / 2 * 1.25 / 1000
    return timing.peripheral_pdus_per_event * PAYLOAD / BYTES_PER_MINUTE / interval


async def _timed_sync(hass: HomeAssistant, band: MiBand) -> dict[str, Any]:
    # As a user finds the band: at the idle 600 ms events (the last sync's switch back applied).
    await until(lambda: band.connection is not None and band.connection.link.interval > 0.5)
    assert band.connection is not None
    link = band.connection.link
    requests = len(link.parameter_requests)
    # Half an interval before an event, as in the heart-rate benchmark: the same for both models.
    await link.wait_until(link.reply_event() + link.interval / 2)
    loop = hass.loop
    cpu, started = time.process_time(), loop.time()
    response = await hass.services.async_call(
        DOMAIN,
        "sync_activity",
        {"device_id": device_id(hass, band.address)},
        blocking=True,
        return_response=True,
    )
    ended = link.now()
    await get_instance(hass).async_block_till_done()
    assert response is not None
    _asked, fast_from = link.parameter_requests[requests]  # the sync's switch to low latency
    return {
        "minutes": response["minutes"],
        "link_s": loop.time() - started,
        "after_low_latency_s": ended - fast_from,
        "cpu_s": time.process_time() - cpu,
    }


async def test_band_sync_of_a_day(
    recorder_mock: Recorder, hass: HomeAssistant, proxy: VirtualProxy
) -> None:
    bands = {
        model: catalog.mi_band_1s(f"C8:0F:10:3C:7E:{number:02X}", timing=timing)
        for number, (model, timing) in enumerate(MODELS.items(), start=0x51)
    }
    for band in bands.values():
        proxy.add(band)
        entry = await set_up_entry(hass, band, {CONF_KEEP_ACTIVITY_ON_BAND: True})
        history = entry.runtime_data.history
        await until(lambda history=history: history.last_sync is not None)  # the first, empty one
        clock = band.now()
        assert clock is not None
        start = clock.replace(second=0, microsecond=0) - timedelta(minutes=DAY + 1)
        band.memory.record(start, generate_minutes(start, DAY, seed=11))

    # Side by side: each model's import, then each model's sync of the same day again.
    imported = {model: await _timed_sync(hass, band) for model, band in bands.items()}
    again = {model: await _timed_sync(hass, band) for model, band in bands.items()}

    results: dict[str, Any] = {"minutes": DAY, "models": {}}
    for model, timing in MODELS.items():
        first, second = imported[model], again[model]
        assert (first["minutes"], second["minutes"]) == (DAY, 0)
        limit = link_limit_minutes_per_s(timing)
        results["models"][model] = {
            "link": model_description(timing),
            "import": first,
            "again": second,
            "minutes_per_link_s": DAY / first["link_s"],
            "minutes_per_s_after_low_latency": DAY / first["after_low_latency_s"],
            "limit_minutes_per_s": limit,
            "share_of_limit_after_low_latency": DAY / first["after_low_latency_s"] / limit,
            "import_cpu_ms_per_hour": (first["cpu_s"] - second["cpu_s"]) * 1000 / 24,
        }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    await unload_all(hass)
