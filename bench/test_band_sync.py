"""Band: a day of the band's memory into the statistics, against what the link and protocol allow.

At real time on the link model from the captures, through the `sync_activity` action as a user
calls it, with the default options (each block deleted on the band once stored). A day is 1440
minutes of 4 bytes (the 1S's, with heart rate).

Two bands side by side, one sync after the other, each holding the same day:
- as captured: a run of minutes goes out as one block, and the band sends what follows a block
  without waiting for its acknowledgement (Mi Fit's capture of a Mi Band 1: 1564 minutes in one
  block, the closing header right after the data; docs/protocols/mi-band-1.md, section 3.7);
- as emulated until now: blocks of 142 minutes (what Gadgetbridge #45 shows), each waiting for
  its acknowledgement before the next header. Not captured either way for two data blocks.

Each sync starts as a user finds the band, idling at 600 ms events (because the integration's
last FF09 write asked for them): it asks for low latency and waits for the band's word that it
applied (the update's instant, about ten events on) before the transfer. Two limits for the time
after that: the data alone, (39 + 49) / 2 x 1.25 ms = 55 ms events each carrying 17 notifications
of 20 bytes, as the Mi Band 1 sent them to Mi Fit; and the protocol's, what a central that
stores in no time at all would need on this link model. It counts connection events: the request
for the transfer's (its response and the first notifications share the next); the notifications,
17 an event; one event for each acknowledgement the band waits for (its response and the next
header share the next); and after the last minute, three round trips of two events (that block's
acknowledgement, the closing header's, as Mi Fit sent them, and the switch back to high latency
that ends every sync).

The recorder's cost: the same day is put back on the band and synced again. Every minute is
already in Home Assistant and nothing is written, so the difference in the process's CPU time and
in time on the link is what the import costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import math
from pathlib import Path
import time
from typing import Any

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import DOMAIN
from custom_components.miband_ninebot.miband.latency import LOW_LATENCY
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import BAND_TIMING
from emulator.devices.band_memory import (
    GADGETBRIDGE_45_BLOCK_MINUTES,
    MAX_COUNT,
    RecordedMinute,
    generate_minutes,
)
from emulator.link.timing import LinkTiming
from emulator.transports.virtual_proxy import VirtualProxy
from tests import device_id, until

from .harness import set_up_entry, unload_all
from .test_band_measurement import model_description

RESULTS = Path(__file__).parent / "results" / "band_sync.json"
DAY = 24 * 60
BYTES_PER_MINUTE = 4
PAYLOAD = 20
ROUND_TRIPS_AFTER_THE_DATA = 3  # the last block's acknowledgement, the end's, high latency
EVENTS_PER_ROUND_TRIP = 2  # a Write Request in one event, its response in the next


@dataclass(frozen=True, slots=True)
class BandBehaviour:
    """How a band sends its memory (module doc)."""

    block_minutes: int
    waits_between_blocks: bool


BEHAVIOURS = {
    "as_captured": BandBehaviour(MAX_COUNT, waits_between_blocks=False),
    "as_emulated_before": BandBehaviour(GADGETBRIDGE_45_BLOCK_MINUTES, waits_between_blocks=True),
}


def _event_s() -> float:
    return (LOW_LATENCY.min_interval + LOW_LATENCY.max_interval) / 2 * 1.25 / 1000


def data_limit_minutes_per_s(timing: LinkTiming) -> float:
    """Minutes per second if every low-latency event carried full notifications of minutes."""
    return timing.peripheral_pdus_per_event * PAYLOAD / BYTES_PER_MINUTE / _event_s()


def protocol_limit_s(timing: LinkTiming, behaviour: BandBehaviour, minutes: int) -> float:
    """The least link time the transfer of `minutes` in one run takes (module doc)."""
    per_event = timing.peripheral_pdus_per_event
    blocks = [
        min(behaviour.block_minutes, minutes - start)
        for start in range(0, minutes, behaviour.block_minutes)
    ]
    # Each block: a response ahead of it (to the request or to the acknowledgement before), its
    # header, its data; the closing header after the last.
    sent = [2 + math.ceil(count * BYTES_PER_MINUTE / PAYLOAD) for count in blocks]
    sent[-1] += 1
    if behaviour.waits_between_blocks:
        data_events = sum(math.ceil(count / per_event) for count in sent) + len(blocks) - 1
    else:
        data_events = math.ceil(sum(sent) / per_event)
    events = 1 + data_events + ROUND_TRIPS_AFTER_THE_DATA * EVENTS_PER_ROUND_TRIP
    return events * _event_s()


async def _timed_sync(hass: HomeAssistant, band: MiBand) -> dict[str, Any]:
    # As a user finds the band: at the idle 600 ms events (the last sync's switch back applied).
    await until(lambda: band.connection is not None and band.connection.link.interval > 0.5)
    assert band.connection is not None
    link = band.connection.link
    requests = len(link.parameter_requests)
    # Half an interval before an event, as in the heart-rate benchmark: the same for both bands.
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
    bands: dict[str, tuple[MiBand, datetime, list[RecordedMinute]]] = {}
    for number, (name, behaviour) in enumerate(BEHAVIOURS.items(), start=0x51):
        band = catalog.mi_band_1s(f"C8:0F:10:3C:7E:{number:02X}", timing=BAND_TIMING)
        band.memory.block_minutes = behaviour.block_minutes
        band.waits_between_blocks = behaviour.waits_between_blocks
        proxy.add(band)
        entry = await set_up_entry(hass, band)
        history = entry.runtime_data.history
        await until(lambda history=history: history.last_sync is not None)  # the first, empty one
        clock = band.now()
        assert clock is not None
        start = clock.replace(second=0, microsecond=0) - timedelta(minutes=DAY + 1)
        minutes = generate_minutes(start, DAY, seed=11)
        band.memory.record(start, minutes)
        bands[name] = band, start, minutes

    # Side by side: each band's import, then each band's sync of the same day put back on it.
    imported = {name: await _timed_sync(hass, band) for name, (band, _, _) in bands.items()}
    for band, start, minutes in bands.values():
        assert band.memory.minute_count == 0  # deleted once stored
        band.memory.record(start, minutes)
    again = {name: await _timed_sync(hass, band) for name, (band, _, _) in bands.items()}

    data_limit = data_limit_minutes_per_s(BAND_TIMING)
    results: dict[str, Any] = {
        "minutes": DAY,
        "link": model_description(BAND_TIMING),
        "data_limit_minutes_per_s": data_limit,
        "bands": {},
    }
    for name, behaviour in BEHAVIOURS.items():
        first, second = imported[name], again[name]
        assert (first["minutes"], second["minutes"]) == (DAY, 0)
        protocol_limit = protocol_limit_s(BAND_TIMING, behaviour, DAY)
        after = first["after_low_latency_s"]
        results["bands"][name] = {
            "block_minutes": min(behaviour.block_minutes, DAY),
            "waits_between_blocks": behaviour.waits_between_blocks,
            "import": first,
            "again": second,
            "minutes_per_s_after_low_latency": DAY / after,
            "share_of_data_limit": DAY / after / data_limit,
            "protocol_limit_s": protocol_limit,
            "share_of_protocol_limit": protocol_limit / after,
            "import_cpu_ms_per_hour": (first["cpu_s"] - second["cpu_s"]) * 1000 / 24,
        }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    await unload_all(hass)
