"""Helpers the benchmarks share: entries set up as a user has them, resident memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, CONF_USER_ID, DOMAIN
from emulator.devices.band import MiBand
from emulator.link.peripheral import Peripheral

# The id a paired band knows Home Assistant by in the benchmarks: pairing (a tap) is not measured.
USER_ID = 0x5EED5EED


async def set_up_entry(
    hass: HomeAssistant, device: Peripheral, options: dict[str, Any] | None = None
) -> ConfigEntry:
    """Set up an entry for a device as if the user had added it (a band already paired)."""
    data: dict[str, Any] = {CONF_ADDRESS: device.address}
    if isinstance(device, MiBand):
        device.known_user_ids.add(USER_ID)
        data |= {CONF_KIND: "band", CONF_MODEL: "Mi Band 1S", CONF_USER_ID: USER_ID}
    else:
        data |= {CONF_KIND: "wheel", CONF_MODEL: "Ninebot One E"}
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=device.address,
        title=f"{data[CONF_MODEL]} {device.address[-5:]}",
        data=data,
        options=options or {},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    return entry


async def unload_all(hass: HomeAssistant) -> None:
    """Unload every entry of the integration, so links close before the proxy stops."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)


def rss_bytes() -> int:
    """The process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")
