"""The band's three alarm slots as Home Assistant keeps them: stored, and handed to the session.

A slot is Home Assistant's once it was changed here: from then on the band gets it at the next
chance (now if the link is up, else when it connects) and again whenever it may have forgotten it
(the session's rule). A slot never changed here is left as another app set it.

A one-time alarm rings on the next day its time comes, fixed when it is set; once that moment
has passed it is off here too, since the band will not ring it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..miband.alarm import Alarm, AlarmRepeat

_LOGGER = logging.getLogger(__package__)

STORAGE_VERSION = 1


def alarm_to_json(alarm: Alarm) -> dict[str, Any]:
    """An alarm as stored (and shown in diagnostics)."""
    return {
        "slot": alarm.slot,
        "enabled": alarm.enabled,
        "time": alarm.time.isoformat(timespec="minutes"),
        "repeat": alarm.repeat.value,
        "smart_wake": alarm.smart_wake,
        "day": None if alarm.day is None else alarm.day.isoformat(),
    }


def _alarm_from_json(data: dict[str, Any]) -> Alarm:
    return Alarm(
        slot=int(data["slot"]),
        enabled=bool(data["enabled"]),
        time=time.fromisoformat(data["time"]),
        repeat=AlarmRepeat(data["repeat"]),
        smart_wake=bool(data["smart_wake"]),
        day=None if data["day"] is None else date.fromisoformat(data["day"]),
    )


class BandAlarms:
    """The slots Home Assistant set, kept in the entry's storage."""

    def __init__(
        self,
        hass: HomeAssistant,
        address: str,
        now: Callable[[], datetime],
        on_change: Callable[[], None],
    ) -> None:
        """Slots of the band at `address`; `now()` is the band's local time (naive)."""
        self.hass = hass
        self._now = now
        self._on_change = on_change
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, f"{DOMAIN}.alarms.{address.replace(':', '').lower()}"
        )
        self._set: dict[int, Alarm] = {}
        self._cancel_expiry: dict[int, CALLBACK_TYPE] = {}

    @property
    def managed(self) -> tuple[Alarm, ...]:
        """The slots Home Assistant set, in slot order: what the band should hold."""
        return tuple(self._set[slot] for slot in sorted(self._set))

    def alarm(self, slot: int) -> Alarm:
        """A slot as set here, or an alarm that is off if it never was."""
        return self._set.get(slot) or Alarm(slot)

    async def async_load(self) -> None:
        """Read the slots set before a restart; a one-time alarm gone by is off."""
        data = await self._store.async_load()
        for item in (data or {}).get("alarms", []):
            try:
                alarm = _alarm_from_json(item)
            except (KeyError, TypeError, ValueError) as err:
                # An edited or damaged record: that slot is left to the band, the others load.
                _LOGGER.warning("Ignored a stored alarm that cannot be read (%s): %s", err, item)
                continue
            self._set[alarm.slot] = alarm
        expired = [slot for slot in list(self._set) if self._follow(slot)]
        if expired:
            await self._async_save()

    async def async_update(self, slot: int, **changes: Any) -> Alarm:
        """Change a slot (time, enabled, repeat, smart_wake) and store it; returns the new alarm.

        A one-time alarm that is on gets the day it rings: today if its time is still to come,
        else tomorrow.
        """
        alarm = replace(self.alarm(slot), **changes)
        once = alarm.repeat is AlarmRepeat.ONCE and alarm.enabled
        day = replace(alarm, day=None).next_ring(self._now()).date() if once else None
        self._set[slot] = alarm = replace(alarm, day=day)
        self._follow(slot)
        await self._async_save()
        return self._set[slot]

    @callback
    def async_stop(self) -> None:
        """Cancel the timers of one-time alarms."""
        for cancel in self._cancel_expiry.values():
            cancel()
        self._cancel_expiry.clear()

    def _follow(self, slot: int) -> bool:
        """Turn a one-time alarm off once its moment has passed; whether it already has."""
        if (cancel := self._cancel_expiry.pop(slot, None)) is not None:
            cancel()
        alarm = self._set[slot]
        if alarm.day is None or not alarm.enabled:
            return False
        rings = datetime.combine(alarm.day, alarm.time, tzinfo=dt_util.get_default_time_zone())
        if rings <= dt_util.now():
            self._set[slot] = replace(alarm, enabled=False, day=None)
            return True

        @callback
        def _rung(_now: datetime) -> None:
            self._cancel_expiry.pop(slot, None)
            self._set[slot] = replace(self._set[slot], enabled=False, day=None)
            self.hass.async_create_task(self._async_save(), eager_start=True)
            self._on_change()

        self._cancel_expiry[slot] = async_track_point_in_time(self.hass, _rung, rings)
        return False

    async def _async_save(self) -> None:
        await self._store.async_save({"alarms": [alarm_to_json(a) for a in self.managed]})
