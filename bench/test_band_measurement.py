"""Band: from `measure_heart_rate` to the value, warm and cold, minus the band's own 10 s.

Through Home Assistant's service, as a user or an automation calls it, at real time on the link
model. Warm: the band is connected and initialised (hold policy). Cold: the band is released
between visits (periodic policy), so the call connects, authenticates with the stored id and
initialises before it measures.

A third band shows what asking for low latency first would do warm (stop 19's way, measured here
side by side): the switch takes effect at the update's instant, about ten events at 600 ms after
the write, so the commands still cross at 600 ms, behind one more round trip.

Round trips count the ATT requests the band received from the start of the call (cold: from the
connect) up to the start command `15 02 01`. The minimum is what the protocol notes make
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
from custom_components.miband_ninebot.miband.protocol import HIGH_LATENCY, LOW_LATENCY, LeParams
from custom_components.miband_ninebot.miband.session import LE_PARAMS_UUID, BandSession
from emulator import catalog
from emulator.band import HEART_RATE_CONTROL_POINT, MANUAL_MEASUREMENT_TIME, MiBand
from emulator.proxy import VirtualProxy
from tests import device_id

from .harness import set_up_entry, unload_all

RESULTS = Path(__file__).parent / "results" / "band_measurement.json"
RUNS = 3
IDLE_INTERVAL_FLOOR = 0.5  # s; high latency is 575-625 ms events, low latency 49-61 ms
START_MANUAL = b"\x15\x02\x01"
MINIMUM_ROUND_TRIPS = {"warm": 0, "cold": 5, "warm_switching_first": 0}


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


def _switch_to_low_latency_first(session: BandSession) -> None:
    """Have this session ask for low latency before a measurement, and for high after it."""
    measure = session.async_measure_heart_rate

    async def write(params: LeParams) -> None:
        client = session._require_client()  # noqa: SLF001 - the bench's other strategy
        await client.write_gatt_char(LE_PARAMS_UUID, params.encode(), response=True)

    async def measure_at_low_latency() -> int:
        await write(LOW_LATENCY)
        try:
            return await measure()
        finally:
            await write(HIGH_LATENCY)

    session.async_measure_heart_rate = measure_at_low_latency  # type: ignore[method-assign]


async def test_band_measurement_warm_and_cold(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    warm_band = catalog.mi_band_1s("C8:0F:10:00:00:01")
    cold_band = catalog.mi_band_1s("C8:0F:10:00:00:02")
    switching_band = catalog.mi_band_1s("C8:0F:10:00:00:03")
    for band in (warm_band, cold_band, switching_band):
        proxy.add(band)
    entries = {
        "warm": await set_up_entry(hass, warm_band),
        "cold": await set_up_entry(hass, cold_band, {CONF_CONNECTION_POLICY: "periodic"}),
        "warm_switching_first": await set_up_entry(hass, switching_band),
    }
    _switch_to_low_latency_first(entries["warm_switching_first"].runtime_data.session)

    results: dict[str, Any] = {"band_measuring_s": MANUAL_MEASUREMENT_TIME, "runs": RUNS}
    for name, band in (
        ("warm", warm_band),
        ("cold", cold_band),
        ("warm_switching_first", switching_band),
    ):
        coordinator = entries[name].runtime_data
        runs = []
        for _ in range(RUNS):
            # Warm: connected and initialised; cold: the last visit is over and the link released.
            async with asyncio.timeout(30):
                while not _at_rest(coordinator, band, held=name != "cold"):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            runs.append(await _measure(hass, band))
        results[name] = {
            "beyond_the_band_s": statistics.median(run["beyond_the_band_s"] for run in runs),
            "round_trips": runs[-1]["round_trips"],
            "minimum_round_trips": MINIMUM_ROUND_TRIPS[name],
        }

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    await unload_all(hass)
