"""What a wheel's power-on has added up to, kept across Home Assistant restarts.

Top speed and energy count from a power-on (`ninebot.ride`). Home Assistant restarting while the
wheel stays on (an update during a ride, a reboot while it charges) would start them from zero.
So they are stored with the moment of the power-on they belong to, and taken back when the first
reading after the restart is of the same power-on: the wheel's runtime, counted back from now,
lands on the stored moment. A wheel switched off and on since lands elsewhere (by its whole
previous runtime and the time it was off) and starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
# How far the power-on moment counted back from the runtime may move and still be the same one:
# the runtime has whole seconds, and the clocks of Home Assistant's host and the wheel drift.
SAME_POWER_ON = timedelta(seconds=60)
SAVE_DELAY = 30.0  # s: written once the values stop changing, and at Home Assistant's stop


@dataclass(frozen=True, slots=True)
class PowerOnTotals:
    """A power-on's figures."""

    powered_on: datetime
    top_speed: float  # km/h
    energy: float  # Wh


def storage_key(address: str) -> str:
    """Where the figures of the wheel at `address`'s power-on are kept."""
    return f"{DOMAIN}.power_on.{address.replace(':', '').lower()}"


class PowerOnMemory:
    """The latest power-on's figures in `.storage/miband_ninebot.power_on.<address>`."""

    def __init__(self, hass: HomeAssistant, address: str) -> None:
        """Memory for the wheel at `address`."""
        self._store = Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(address))
        self._stored: PowerOnTotals | None = None
        self._latest: PowerOnTotals | None = None
        self._scheduled: PowerOnTotals | None = None  # the figures when the write was put off

    async def async_load(self) -> None:
        """Read what was stored before the restart."""
        data = await self._store.async_load()
        if not data:
            return
        try:
            moment = dt_util.parse_datetime(data["powered_on"])
            top_speed, energy = float(data["top_speed"]), float(data["energy"])
        except (KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Ignored stored power-on figures that cannot be read: %s", err)
            return
        if moment is None:
            _LOGGER.warning("Ignored stored power-on figures without a moment: %s", data)
            return
        self._stored = PowerOnTotals(moment, top_speed, energy)

    def take(self, powered_on: datetime) -> PowerOnTotals | None:
        """The stored figures if they belong to this power-on; asked once, at the first reading."""
        stored, self._stored = self._stored, None
        if stored is None or abs(stored.powered_on - powered_on) > SAME_POWER_ON:
            return None
        return stored

    def remember(self, totals: PowerOnTotals) -> None:
        """Keep these figures; written a while after they stop changing, and on unload.

        Kept exactly (a value rounded here and again for display could come back a step lower).
        The write is put off again only when they moved by a tenth of a Wh or more since it was
        last put off: the energy changes at every reading of a ridden wheel.
        """
        self._latest = totals
        last = self._scheduled
        if (
            last is None
            or last.powered_on != totals.powered_on
            or last.top_speed != totals.top_speed
            or abs(last.energy - totals.energy) >= 0.1
        ):
            self._scheduled = totals
            self._store.async_delay_save(self._data, SAVE_DELAY)  # writes `_latest` then

    async def async_save(self) -> None:
        """Write now (the entry is unloading)."""
        if self._latest is not None:
            await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        if (totals := self._latest) is None:
            return {}
        return {
            "powered_on": totals.powered_on.isoformat(),
            "top_speed": totals.top_speed,
            "energy": totals.energy,
        }
