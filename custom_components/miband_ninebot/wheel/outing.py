"""A wheel's outings: the last reading heard, kept across restarts, against the first after a gap.

A wheel ridden away is out of radio range; what Home Assistant can know of that ride is what its
lifetime counters say changed meanwhile (`ninebot.outing`). So every reading moves the figures
"last heard" on, and the first reading of each connection, the wheel back after the link was
lost, after it was out of range, after Home Assistant restarted, or, with the periodic policy,
after the link was released until the next visit, is measured against them. A ride seen live moved
them on as it went, so it is not counted again.

The figures last heard are in `.storage/miband_ninebot.outing.<address>`. They are written a
while after the odometer or the battery moves (at most once per `SAVE_DELAY`, not put off again
while the values keep changing: a ride within range is written as it goes, so a crash loses at
most that much of it), and on unload and at Home Assistant's stop. The lifetime runtime and the
moment alone do not call for a write (the runtime ticks every second the wheel is on): after a
crash the next outing's riding time can include a stand Home Assistant saw.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..ninebot.outing import Outing, Sighting, measure
from ..ninebot.reading import WheelReading

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 30.0  # s

EVENT_RETURNED = "returned"
ATTR_DISTANCE = "distance"
ATTR_RIDING_TIME = "riding_time"
ATTR_BATTERY_USED = "battery_used"
ATTR_AVERAGE_SPEED = "average_speed"
ATTR_LEFT = "left"
ATTR_RETURNED = "returned"

type OutingListener = Callable[[Outing], None]


def storage_key(address: str) -> str:
    """Where the figures last heard of the wheel at `address` are kept."""
    return f"{DOMAIN}.outing.{address.replace(':', '').lower()}"


def outing_event_data(outing: Outing) -> dict[str, Any]:
    """The `outing` event's data: what the outing added up to."""
    return {
        ATTR_DISTANCE: outing.distance,
        ATTR_RIDING_TIME: outing.riding_time,
        ATTR_BATTERY_USED: outing.battery_used,
        ATTR_AVERAGE_SPEED: outing.average_speed,
    }


def outing_attributes(outing: Outing) -> dict[str, Any]:
    """The `last_outing` sensor's attributes: the event's figures, and when it left and returned.

    The moments as ISO strings, as the state machine stores them: the same restored or live.
    """
    data = outing_event_data(outing)
    del data[ATTR_DISTANCE]  # the state
    return {
        **data,
        ATTR_LEFT: outing.left.isoformat(),
        ATTR_RETURNED: outing.returned.isoformat(),
    }


class OutingWatch:
    """The figures last heard, and the outing each new connection's first reading shows."""

    def __init__(self, hass: HomeAssistant, address: str) -> None:
        """The watch over the wheel at `address`."""
        self._store = Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(address))
        self.last_heard: Sighting | None = None
        self._away = True  # the next reading is a connection's first
        self._write_pending = False
        self._written: tuple[float, int] | None = None  # odometer and battery in the last write
        self._listeners: list[OutingListener] = []

    async def async_load(self) -> None:
        """Take the figures last heard before Home Assistant stopped."""
        data = await self._store.async_load()
        if not data:
            return
        try:
            moment = dt_util.parse_datetime(data["moment"])
            ride_time = data["total_ride_time"]
            figures = (
                float(data["total_distance"]),
                None if ride_time is None else int(ride_time),
                int(data["battery"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Ignored stored outing figures that cannot be read: %s", err)
            return
        if moment is None:
            _LOGGER.warning("Ignored stored outing figures without a moment: %s", data)
            return
        sighting = Sighting(moment, *figures)
        self.last_heard = sighting
        self._written = (sighting.total_distance, sighting.battery)

    @callback
    def async_listen(self, listener: OutingListener) -> CALLBACK_TYPE:
        """Call `listener(outing)` for each outing."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_connection_lost(self) -> None:
        """The link went (dropped, released, closed): the next reading starts a connection."""
        self._away = True

    @callback
    def async_heard(self, reading: WheelReading, *, ride_goes_on: bool = False) -> Outing | None:
        """Take a complete reading; a connection's first tells the outing before it, if any.

        `ride_goes_on`: a ride seen live was still under way when the link went and is again
        now (the gap was shorter than the ride's end delay): the ride counts those metres, so
        they are no outing.
        """
        live = reading.live
        now = Sighting(dt_util.utcnow(), live.total_distance, reading.total_ride_time, live.battery)
        before, self.last_heard = self.last_heard, now
        outing = None
        if self._away:
            self._away = False
            if not ride_goes_on and before is not None and (outing := measure(before, now)):
                for listener in list(self._listeners):
                    listener(outing)
        if not self._write_pending and (now.total_distance, now.battery) != self._written:
            self._write_pending = True
            self._store.async_delay_save(self._data, SAVE_DELAY)
        return outing

    async def async_save(self) -> None:
        """Write now (the entry is unloading, or Home Assistant stopping)."""
        if self.last_heard is not None:
            await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        """What is written: the figures last heard at the moment of writing."""
        self._write_pending = False
        if (last := self.last_heard) is None:
            return {}
        self._written = (last.total_distance, last.battery)
        return {
            "moment": last.moment.isoformat(),
            "total_distance": last.total_distance,
            "total_ride_time": last.total_ride_time,
            "battery": last.battery,
        }
