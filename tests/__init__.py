"""Tests for the miband_ninebot integration, and helpers they share."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import DOMAIN


async def settle(hass: HomeAssistant) -> None:
    """Wait until discovery flows, setups and reconnects started in the background are done."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def add_entry_via_discovery(hass: HomeAssistant, address: str) -> ConfigEntry:
    """Accept the discovery flow for an address the way a user does, and return the entry."""
    await settle(hass)
    flow = next(
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["unique_id"] == address
    )
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["type"] == "create_entry", result
    await settle(hass)
    return result["result"]
