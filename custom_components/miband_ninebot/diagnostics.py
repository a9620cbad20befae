"""Diagnostics: the entry, the link and the latest reading, with the wheel's PIN redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from . import MiBandNinebotConfigEntry
from .sensor import ATTR_PIN
from .wheel_coordinator import WheelCoordinator

TO_REDACT = {ATTR_PIN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MiBandNinebotConfigEntry
) -> dict[str, Any]:
    """What a bug report needs: settings, link state, protocol counters, latest values."""
    coordinator = entry.runtime_data
    diagnostics: dict[str, Any] = {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        "link": {
            "settings": asdict(coordinator.settings),
            "enabled": coordinator.enabled,
            "connected": coordinator.connected,
            "available": coordinator.available,
        },
    }
    if isinstance(coordinator, WheelCoordinator):
        session = coordinator.session
        reading = coordinator.data
        diagnostics["wheel"] = {
            "polling": asdict(session.stats),
            "decoder": asdict(session.decoder_stats),
            "reading": None if reading is None else asdict(reading),
        }
    return async_redact_data(diagnostics, TO_REDACT)
