"""Band: from `measure_heart_rate` to the value, warm and cold, minus the band's own 10 s.

Through Home Assistant's service, as a user or an automation calls it, at real time on the link
model. Warm: the band is connected and initialised (hold policy). Cold: the band is released
between visits (periodic policy), so the call connects, authenticates with the stored id and
initialises before it measures.

A third band shows what asking for low latency first would do warm (stop 19's way, measured here
side by side): the switch takes effect at the update's instant, about ten events at 600 ms after
the write, so the commands still cross at 600 ms, behind one more round trip.

Each of the three runs on two link models side by side, one call after the other in each round:
the model from the captures (`BAND_TIMING`: the link starts at Linux's captured 50-70 ms, taken
as 60 ms, and 420 ms; the band sends up to 17 PDUs per event) and the model before them (30 ms
and 420 ms from the start, one PDU per event both ways). The band idles at 600 ms in both only
because the integration's FF09 write asks it to.

Round trips count the ATT requests the band received from the start of the call (cold: from the
connect) up to the start command `15 02 01`. The minimum is what docs/protocols/mi-band-1.md makes
necessary before that command: cold, the auth verdict needs FF03 subscribed and the user info
(FF04) written; the sensor's 1.3 s start survives only with FF09's 5 s supervision timeout, and
only once the clock (FF0A) is set (section 4.1); the value needs 2A37 subscribed. Warm, nothing:
all of that holds for the whole connection.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import statistics
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import CONF_CONNECTION_POLICY, DOMAIN
from custom_components.miband_ninebot.miband.client import MiBandClient
from custom_components.miband_ninebot.miband.const import LE_PARAMS_UUID
from custom_components.miband_ninebot.miband.latency import HIGH_LATENCY, LOW_LATENCY, LeParams
from emulator.devices import catalog
from emulator.devices.band import MANUAL_MEASUREMENT_TIME, MiBand
from emulator.devices.band_air import BAND_TIMING, HEART_RATE_CONTROL_POINT
from emulator.link.timing import LinkTiming
from emulator.transports.virtual_proxy import VirtualProxy
from tests import device_id

from .harness import set_up_entry, unload_all

RESULTS = Path(__file__).parent / "results" / "band_measurement.json"
RUNS = 3
IDLE_INTERVAL_FLOOR = 0.5  # s; high latency is 575-625 ms events, low latency 49-61 ms
START_MANUAL = b"\x15\x02\x01"
MINIMUM_ROUND_TRIPS = {"warm": 0, "cold": 5, "warm_switching_first": 0}
# The link models compared: from the captures, and as the model was before them.
MODELS: dict[str, LinkTiming] = {"captured": BAND_TIMING, "before": LinkTiming()}
CALLS = ("warm", "cold", "warm_switching_first")
ADVERTISING_PERIOD = 1.5  # s


def _round_trips_before_start(band: MiBand, requests_before: int, commands_before: int) -> int:
    """ATT round trips the band answered in this call before the manual start command."""
    requests = band.requests[requests_before:]
    commands = iter(band.heart_rate_commands[commands_before:])
    if ("connect", "") in requests:  # cold: count from the connect
        requests = requests[requests.index(("connect", "")) + 1 :]
    for position, (operation, uuid) in enumerate(requests):
        if (operation, uuid) == ("write", HEART_RATE_CONTROL_POINT) and next(
            commands
        ) == START_MANUAL:
            return sum(operation != "write-command" for operation, _ in requests[:position])
    raise AssertionError(f"no start command among {requests}")


async def _measure(hass: HomeAssistant, band: MiBand) -> dict[str, Any]:
    loop = hass.loop
    requests_before, commands_before = len(band.requests), len(band.heart_rate_commands)
    called = loop.time()
    response = await hass.services.async_call(
        DOMAIN,
        "measure_heart_rate",
        {"device_id": device_id(hass, band.address)},
        blocking=True,
        return_response=True,
    )
    assert response == {"heart_rate": band.activity.heart_rate}
    return {
        "beyond_the_band_s": loop.time() - called - MANUAL_MEASUREMENT_TIME,
        "round_trips": _round_trips_before_start(band, requests_before, commands_before),
    }


def _at_rest(coordinator: Any, band: MiBand, *, held: bool) -> bool:
    """Ready for the next call as a user finds the band: warm, connected and back at the idle
    600 ms events (the last call's switch back has applied); cold, the visit over."""
    if coordinator.data is None:
        return False
    if not held:
        return band.connection is None
    return band.connection is not None and band.connection.link.interval > IDLE_INTERVAL_FLOOR


async def _half_an_event_before_the_next(band: MiBand) -> None:
    """On a held link, wait until half an interval before an event: on average, where a call at
    a random moment lands. The same phase for both models, so they compare event for event."""
    if band.connection is not None:
        link = band.connection.link
        await link.wait_until(link.reply_event() + link.interval / 2)


def _switch_to_low_latency_first(session: MiBandClient) -> None:
    """Have this session ask for low latency before a measurement, and for high after it."""
    measure = session.measure_heart_rate

    async def write(params: LeParams) -> None:
        client = session.require_client()
        await client.write_gatt_char(LE_PARAMS_UUID, params.encode(), response=True)

    async def measure_at_low_latency() -> int:
        await write(LOW_LATENCY)
        try:
            return await measure()
        finally:
            await write(HIGH_LATENCY)

    session.measure_heart_rate = measure_at_low_latency  # type: ignore[method-assign]


async def _advertise_while_free(proxy: VirtualProxy, bands: list[MiBand]) -> None:
    """A band not connected advertises, every 1.5 s as a Mi Band 1 did (its FF09 read's 2400 x
    0.625 ms); without it Home Assistant forgets a band visited less often than every few minutes.
    """
    while True:
        for band in bands:
            if band.connection is None:
                proxy.advertise(band)
        await asyncio.sleep(ADVERTISING_PERIOD)


def model_description(timing: LinkTiming) -> dict[str, float]:
    """What a link model starts with, for the report."""
    return {
        "interval_s": timing.connection_interval,
        "supervision_timeout_s": timing.supervision_timeout,
        "peripheral_pdus_per_event": timing.peripheral_pdus_per_event,
    }


async def test_band_measurement_warm_and_cold(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    # Six bands held or visited at once: more than an ESP32's three slots, which are not measured.
    proxy.connection_slots = len(MODELS) * len(CALLS)
    bands: dict[tuple[str, str], MiBand] = {}
    entries = {}
    for number, (model, name) in enumerate(
        ((model, name) for model in MODELS for name in CALLS), start=1
    ):
        band = catalog.mi_band_1s(f"C8:0F:10:00:00:{number:02X}", timing=MODELS[model])
        proxy.add(band)
        options = {CONF_CONNECTION_POLICY: "periodic"} if name == "cold" else None
        bands[model, name] = band
        entries[model, name] = await set_up_entry(hass, band, options)
        if name == "warm_switching_first":
            _switch_to_low_latency_first(entries[model, name].runtime_data.session)

    runs: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in bands}
    advertising = asyncio.create_task(_advertise_while_free(proxy, list(bands.values())))
    try:
        for _ in range(RUNS):
            for name in CALLS:
                for model in MODELS:  # side by side: each call on both models in each round
                    band, coordinator = bands[model, name], entries[model, name].runtime_data
                    # Warm: connected and initialised; cold: the last visit over, link released.
                    async with asyncio.timeout(30):
                        while not _at_rest(coordinator, band, held=name != "cold"):  # noqa: ASYNC110
                            await asyncio.sleep(0.05)
                        await _half_an_event_before_the_next(band)
                    runs[model, name].append(await _measure(hass, band))
    finally:
        advertising.cancel()

    results: dict[str, Any] = {
        "band_measuring_s": MANUAL_MEASUREMENT_TIME,
        "runs": RUNS,
        "models": {
            model: {
                "link": model_description(timing),
                **{
                    name: {
                        "beyond_the_band_s": statistics.median(
                            run["beyond_the_band_s"] for run in runs[model, name]
                        ),
                        "round_trips": runs[model, name][-1]["round_trips"],
                        "minimum_round_trips": MINIMUM_ROUND_TRIPS[name],
                    }
                    for name in CALLS
                },
            }
            for model, timing in MODELS.items()
        },
    }

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    await unload_all(hass)
