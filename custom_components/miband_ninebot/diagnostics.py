"""Diagnostics: the entry, the link and the latest data.

Redacted: the wheel's PIN, the band's user id (whoever knows it is accepted without a tap) and
the wearer's profile.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from . import MiBandNinebotConfigEntry
from .band.alarms import alarm_to_json
from .band.coordinator import BandCoordinator
from .const import CONF_AGE, CONF_GENDER, CONF_HEIGHT, CONF_USER_ID, CONF_WEIGHT
from .device_coordinator import by_kind
from .wheel.coordinator import WheelCoordinator
from .wheel.sensor import ATTR_PIN

TO_REDACT = {ATTR_PIN, CONF_USER_ID, CONF_GENDER, CONF_AGE, CONF_HEIGHT, CONF_WEIGHT}


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
    kind, details = by_kind(coordinator, band=_band, wheel=_wheel)
    diagnostics[kind] = details
    return async_redact_data(diagnostics, TO_REDACT)


def _wheel(coordinator: WheelCoordinator) -> tuple[str, dict[str, Any]]:
    """The wheel's polling and decoder counters, its latest reading and this power-on's sums."""
    session = coordinator.session
    data = coordinator.data
    return "wheel", {
        "polling": asdict(session.stats),
        "decoder": asdict(session.decoder_stats),
        "reading": None if data is None else asdict(data.reading),
        "since_power_on": None
        if data is None
        else {
            "charging": data.charging,
            "time_to_full": data.time_to_full,
            "top_speed": data.top_speed,
            "energy": data.energy,
            "powered_on": data.powered_on.isoformat(),
            "riding": coordinator.rides.riding,
        },
    }


def _band(coordinator: BandCoordinator) -> tuple[str, dict[str, Any]]:
    """The band's statuses on this connection, its alarms and its latest state."""
    band = coordinator.session
    return "band", {
        # FF03 codes of the current connection: how authentication and LE params went.
        "statuses": [f"{status:02x}" for status in band.statuses],
        "continuous_heart_rate": coordinator.continuous_heart_rate,
        "alarms": [alarm_to_json(alarm) for alarm in coordinator.alarms.managed],
        "state": None if band.state is None else asdict(band.state),
    }
