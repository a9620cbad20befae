"""Through an ESPHome proxy vs the virtual proxy: the same measurements, side by side in one run.

One Home Assistant carries both transports: the virtual proxy (a remote scanner on the Bluetooth
manager, no network) and an emulated ESPHome proxy that Home Assistant's esphome integration
reaches over loopback TCP (aioesphomeapi, bleak-esphome). Each measurement runs on devices of
its own behind one transport, then on twins behind the other, one transport at a time, at real
time on the same link model:

- the wheel's complete live cycles per second, through the coordinator as a user has it;
- heart rate on demand, warm and cold (median of 3 calls), minus the band's own 10 s;
- recovery after a forced drop (HCI 0x08) to the first fresh data (median of 5);
- CPU per wheel notification over the same window: the whole process (Home Assistant, the
  emulated devices and link model, the emulated proxy), and without the emulated proxy's own
  share (its framing, protobuf and socket writes, which an ESP32 does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
from pathlib import Path
import statistics
import time
from typing import Any

from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
import pytest

from custom_components.miband_ninebot.const import CONF_CONNECTION_POLICY
from emulator.devices import catalog
from emulator.link.peripheral import Peripheral
from emulator.transports.esphome import EmulatedESPHomeProxy
from emulator.transports.virtual_proxy import VirtualProxy
from tests.conftest import ESPHomeProxies

from .harness import set_up_entry, unload_all
from .test_band_measurement import RUNS as MEASUREMENT_RUNS, _measure
from .test_recovery import _recovery_times

RESULTS = Path(__file__).parent / "results" / "esphome.json"
WINDOW = 6.0  # s of real time for the wheel's rate and CPU
WHEEL_ROUNDS = 3  # the wheel's windows, alternating between the transports

Place = Callable[[Peripheral], Awaitable[None]]


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - the emulated devices run on their own clock
            await asyncio.sleep(0.05)


async def _wheel(
    hass: HomeAssistant, place: Place, address: str, proxy_cpu: Callable[[], float]
) -> dict[str, float]:
    """Live cycles per second, and CPU per notification, of a ridden wheel at default settings."""
    wheel = catalog.ninebot_one_e(address)
    wheel.start_ride()
    await place(wheel)
    entry = await set_up_entry(hass, wheel)
    coordinator = entry.runtime_data
    await _until(lambda: coordinator.connected)
    await asyncio.sleep(1.0)  # past the first cycle, which includes subscribing
    cycles, notifications = coordinator.session.stats.live_cycles, wheel.notifications_delivered
    cpu, proxy_share, started = time.process_time(), proxy_cpu(), hass.loop.time()
    await asyncio.sleep(WINDOW)
    elapsed = hass.loop.time() - started
    cpu, proxy_share = time.process_time() - cpu, proxy_cpu() - proxy_share
    delivered = wheel.notifications_delivered - notifications
    await hass.config_entries.async_unload(entry.entry_id)
    return {
        "cycles_per_s": (coordinator.session.stats.live_cycles - cycles) / elapsed,
        "cpu_us_per_notification": cpu / delivered * 1e6,
        "cpu_us_per_notification_without_proxy": (cpu - proxy_share) / delivered * 1e6,
    }


async def _measurements(hass: HomeAssistant, place: Place, prefix: str) -> dict[str, float]:
    """Heart rate on demand, warm and cold: the median of the calls, beyond the band's 10 s."""
    warm_band = catalog.mi_band_1s(f"{prefix}:01")
    cold_band = catalog.mi_band_1s(f"{prefix}:02")
    await place(warm_band)
    await place(cold_band)
    entries = {
        "warm": await set_up_entry(hass, warm_band),
        "cold": await set_up_entry(hass, cold_band, {CONF_CONNECTION_POLICY: "periodic"}),
    }
    results = {}
    for name, band in (("warm", warm_band), ("cold", cold_band)):
        coordinator = entries[name].runtime_data
        runs = []
        for _ in range(MEASUREMENT_RUNS):
            # Warm: connected and initialised; cold: the last visit is over and the link released.
            warm = name == "warm"
            await _until(
                lambda band=band, coordinator=coordinator, warm=warm: (
                    coordinator.data is not None and (band.connection is None) != warm
                )
            )
            runs.append((await _measure(hass, band))["beyond_the_band_s"])
        results[f"{name}_s"] = statistics.median(runs)
    for entry in entries.values():
        await hass.config_entries.async_unload(entry.entry_id)
    return results


async def _recovery(hass: HomeAssistant, place: Place, prefix: str) -> dict[str, float]:
    wheel = catalog.ninebot_one_e(f"{prefix}:03")
    band = catalog.mi_band_1s(f"{prefix}:04")
    await place(wheel)
    await place(band)
    wheel_entry, band_entry = await set_up_entry(hass, wheel), await set_up_entry(hass, band)
    results = {
        "wheel_s": statistics.median(await _recovery_times(wheel_entry.runtime_data, wheel)),
        "band_s": statistics.median(await _recovery_times(band_entry.runtime_data, band)),
    }
    await unload_all(hass)
    return results


async def _transport(hass: HomeAssistant, place: Place, prefix: str) -> dict[str, Any]:
    steps: list[tuple[str, Callable[[], Awaitable[dict[str, float]]]]] = [
        ("heart_rate", lambda: _measurements(hass, place, prefix)),
        ("recovery", lambda: _recovery(hass, place, prefix)),
    ]
    return {name: await step() for name, step in steps}


def _medians(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The median of each figure over the rounds, and the range of the CPU figures."""
    figures: dict[str, float] = {
        key: statistics.median(round_[key] for round_ in rounds) for key in rounds[0]
    }
    for key in ("cpu_us_per_notification", "cpu_us_per_notification_without_proxy"):
        figures[f"{key}_min"] = min(round_[key] for round_ in rounds)
        figures[f"{key}_max"] = max(round_[key] for round_ in rounds)
    return figures


def _placing(hass: HomeAssistant, add: Callable[[Peripheral], None]) -> Place:
    """Put a device in a proxy's range and wait until Home Assistant has heard it."""

    async def place(device: Peripheral) -> None:
        add(device)
        await _until(
            lambda: bluetooth.async_address_present(hass, device.address, connectable=True)
        )

    return place


@pytest.mark.usefixtures("socket_enabled")
async def test_through_an_esphome_proxy_vs_the_virtual_proxy(
    hass: HomeAssistant, proxy: VirtualProxy, esphome_proxies: ESPHomeProxies
) -> None:
    esphome: EmulatedESPHomeProxy = await esphome_proxies.add(time_scale=1.0)
    # Devices of each transport have addresses of their own: neither proxy hears the other's.
    transports: dict[str, tuple[Place, str, Callable[[], float]]] = {
        "virtual": (_placing(hass, proxy.add), "C8:0F:10:00:0A", lambda: 0.0),
        "esphome": (_placing(hass, esphome.add), "C8:0F:10:00:0E", lambda: esphome.cpu_seconds),
    }
    wheel_rounds: dict[str, list[dict[str, float]]] = {name: [] for name in transports}
    for number in range(WHEEL_ROUNDS):  # alternating, so that drift in the machine hits both
        for name, (place, prefix, proxy_cpu) in transports.items():
            address = f"{prefix}:{0x10 + number:02X}"
            wheel_rounds[name].append(await _wheel(hass, place, address, proxy_cpu))
    results: dict[str, Any] = {
        name: {"wheel": _medians(wheel_rounds[name])} | await _transport(hass, place, prefix)
        for name, (place, prefix, _cpu) in transports.items()
    }
    results |= {"window_s": WINDOW, "wheel_rounds": WHEEL_ROUNDS, "runs": MEASUREMENT_RUNS}

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
