"""A band in Home Assistant: adding one, its actions, its initialisation's steps, its statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, CONF_USER_ID, DOMAIN
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import (
    BATTERY,
    CONTROL_POINT,
    DATE_TIME,
    DEVICE_INFO,
    HEART_RATE_CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    LE_PARAMS,
    NOTIFICATION,
    REALTIME_STEPS,
    USER_INFO,
)
from emulator.devices.band_memory import RecordedMinute
from emulator.link.peripheral import Peripheral
from emulator.transports.virtual_proxy import VirtualProxy

from .. import add_entry_via_discovery, device_id, let_bluetooth_forget_unheard_devices, settle

# The integration's initialisation of a band, step by step (operation, characteristic): where a
# drop can come.
INIT_STEPS = [
    ("subscribe", NOTIFICATION),
    ("write", LE_PARAMS),
    ("read", DATE_TIME),
    ("read", DEVICE_INFO),
    ("write", USER_INFO),
    ("write", CONTROL_POINT),
    ("write", HEART_RATE_CONTROL_POINT),
    ("write", DATE_TIME),
    ("subscribe", REALTIME_STEPS),
    ("subscribe", BATTERY),
    ("subscribe", HEART_RATE_MEASUREMENT),
    ("read", BATTERY),
    ("read", REALTIME_STEPS),
]
INIT_STEP_IDS = [f"{operation}-{uuid[4:8]}" for operation, uuid in INIT_STEPS]


def record_ending_now(band: MiBand, memory: list[RecordedMinute]) -> None:
    """Set the band's clock to Home Assistant's local time; its memory ends with `memory`."""
    offset = dt_util.now().utcoffset()
    assert offset is not None
    local_now = datetime.now(UTC).replace(tzinfo=None) + offset
    band.set_clock(local_now)
    band.memory.record(local_now - timedelta(minutes=len(memory) + 1), memory)


async def add_band(
    hass: HomeAssistant, add_device: Callable[[Peripheral], Peripheral], band: MiBand | None = None
) -> tuple[MiBand, ConfigEntry]:
    """A band in range, added from discovery with the default profile and one tap."""
    band = band or catalog.mi_band_1s()
    add_device(band)
    entry = await add_entry_via_discovery(hass, band)
    assert band.authenticated
    return band, entry


async def band_out_of_reach(
    hass: HomeAssistant, add_device: Callable[[Peripheral], Peripheral], proxy: VirtualProxy
) -> MiBand:
    """A band added, then gone from the proxy's range and forgotten by Bluetooth."""
    band, _entry = await add_band(hass, add_device)
    proxy.remove(band.address)
    await settle(hass)
    await let_bluetooth_forget_unheard_devices(hass)
    return band


async def add_paired_band(
    hass: HomeAssistant, band: MiBand, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """An entry for a band paired before (Home Assistant restarting, say)."""
    band.known_user_ids.add(0x1234ABCD)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=band.address,
        title="Mi Band 1S (7E51)",
        data={
            CONF_ADDRESS: band.address,
            CONF_KIND: "band",
            CONF_MODEL: "Mi Band 1S",
            CONF_USER_ID: 0x1234ABCD,
        },
        options=options or {},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    return entry


async def measure_heart_rate(hass: HomeAssistant, target: Any) -> Any:
    """The `measure_heart_rate` action on `target` (device ids), its response."""
    return await hass.services.async_call(
        DOMAIN,
        "measure_heart_rate",
        {"device_id": target},
        blocking=True,
        return_response=True,
    )


async def sync_activity(hass: HomeAssistant, band: Peripheral) -> Any:
    """The `sync_activity` action on a band, its response."""
    return await hass.services.async_call(
        DOMAIN,
        "sync_activity",
        {"device_id": device_id(hass, band.address)},
        blocking=True,
        return_response=True,
    )


async def hourly_statistics(
    hass: HomeAssistant, statistic_id: str, since: datetime = datetime(2020, 1, 1, tzinfo=UTC)
) -> dict[datetime, dict[str, Any]]:
    """The statistic's hourly rows from `since` on, by the hour's start."""
    await async_wait_recording_done(hass)
    rows = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        since,
        None,
        {statistic_id},
        "hour",
        None,
        {"state", "sum", "mean", "min", "max"},
    )
    return {datetime.fromtimestamp(row["start"], UTC): row for row in rows.get(statistic_id, [])}
