"""A Ninebot One's coordinator: link lifecycle, polling session, and what the readings add up to.

Rides and charges (`ninebot.ride`, `ninebot.charge`) and outings (`outing`: what changed while
the wheel was not heard) become event entities' events; an error code raises a repair issue
(`repairs`) until the wheel reports none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bleak.backends.device import BLEDevice
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import CONF_MODEL
from ..coordinator import LinkCoordinator
from ..entity import async_update_device
from ..link import LINK_ERRORS
from ..ninebot.charge import ChargeEvent, ChargeTracker
from ..ninebot.client import NinebotClient
from ..ninebot.exceptions import WheelMovingError, WriteNotConfirmedError
from ..ninebot.protocol import model_from_serial
from ..ninebot.reading import WheelIdentity, WheelReading
from ..ninebot.ride import RideEnd, RideSummary, RideTracker
from ..ninebot.transport import transport_for_model
from ..options import LinkSettings, charge_limit, ride_end_delay
from .outing import (
    EVENT_RETURNED,
    OutingWatch,
    outing_event_data,
    storage_key as outing_storage_key,
)
from .power_on import PowerOnMemory, PowerOnTotals, storage_key as power_on_storage_key
from .repairs import WheelErrorIssue

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


class WheelEvent(StrEnum):
    """The wheel's event entities, by key."""

    RIDE = "ride"
    CHARGE = "charge"
    OUTING = "outing"


type EventListener = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class WheelData:
    """The latest reading and what the readings since power-on add up to."""

    reading: WheelReading
    charging: bool
    time_to_full: int | None  # min, while charging and once the rate is measured
    top_speed: float  # km/h, this power-on
    energy: float  # Wh, this power-on
    powered_on: datetime  # when this power-on began, by the wheel's runtime


def ride_attributes(summary: RideSummary) -> dict[str, Any]:
    """The event data of a finished ride."""
    return {
        "reason": summary.reason.value,
        "duration": summary.duration,
        "distance": summary.distance,
        "energy": summary.energy,
        "top_speed": summary.top_speed,
        "average_speed": summary.average_speed,
    }


async def async_remove_stores(hass: HomeAssistant, address: str) -> None:
    """Forget what was kept of the wheel at `address`: a new entry for it starts afresh.

    Figures months old would otherwise make its first reading an outing of all it rode since.
    """
    for key in (power_on_storage_key(address), outing_storage_key(address)):
        await Store[dict[str, Any]](hass, 1, key).async_remove()


class WheelCoordinator(LinkCoordinator[WheelData | None]):
    """Holds a wheel's link and publishes its readings; data is None until the first one."""

    session: NinebotClient

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        ble_device: BLEDevice,
        settings: LinkSettings | None = None,
    ) -> None:
        """Prepare the link and the polling session that feeds it."""
        self.transport = transport = transport_for_model(entry.data[CONF_MODEL])
        super().__init__(
            hass,
            entry,
            ble_device,
            NinebotClient(self._async_on_reading, self.transport),
            None,
            settings=settings,
        )
        self._registered_identity: WheelIdentity | None = None
        self.rides = RideTracker(ride_end_delay(entry.options))
        self.charges = ChargeTracker(charge_limit(entry.options))
        self._powered_on: datetime | None = None
        self.error_issue = WheelErrorIssue(
            hass, entry.entry_id, entry.title, transport.error_meanings
        )
        self._event_listeners: dict[WheelEvent, list[EventListener]] = {
            kind: [] for kind in WheelEvent
        }
        self._cancel_ride_end: CALLBACK_TYPE | None = None
        self.power_on = PowerOnMemory(hass, self.address)
        self.outings = OutingWatch(hass, self.address)

    async def async_load(self) -> None:
        """Read the figures of the power-on Home Assistant last saw, and those it last heard."""
        await self.power_on.async_load()
        await self.outings.async_load()

    @callback
    def async_listen_event(self, kind: WheelEvent, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener(event_type, attributes)` for each of the wheel's `kind` events."""
        self._event_listeners[kind].append(listener)
        return lambda: self._event_listeners[kind].remove(listener)

    async def async_set_lock(self, locked: bool) -> None:
        """Lock or unlock the wheel: refused unless it stands, done once read back."""
        async with self.async_link_in_use():
            try:
                await self.session.set_lock(locked)
            except WheelMovingError as err:
                raise self.translated_error("wheel_moving") from err
            except WriteNotConfirmedError as err:
                raise self.translated_error("lock_not_confirmed") from err
            except LINK_ERRORS as err:
                raise self.translated_error("link_lost", error=str(err)) from err
        self.async_publish_now()  # the reading that shows the new lock state

    @callback
    def _async_on_reading(self, reading: WheelReading) -> None:
        if (identity := reading.identity) != self._registered_identity:
            self._registered_identity = identity
            async_update_device(
                self,
                model=model_from_serial(identity.serial_number),
                sw_version=identity.firmware_version,
                serial_number=identity.serial_number,
            )
        self._async_cancel_ride_end()
        outing = self.outings.async_heard(reading, ride_goes_on=self.rides.riding)
        if outing is not None:
            self._fire(WheelEvent.OUTING, EVENT_RETURNED, outing_event_data(outing))
        live = reading.live
        first_reading = self._powered_on is None
        if self._powered_on is None or live.trip_time < (self.rides.clock or 0):
            self._powered_on = dt_util.utcnow() - timedelta(seconds=live.trip_time)
            if first_reading and (before := self.power_on.take(self._powered_on)):
                # Home Assistant restarted while the wheel stayed on: carry on its figures.
                self._powered_on = before.powered_on
                self.rides.resume(before.top_speed, before.energy)
        started, ended = self.rides.update(live)
        if ended is not None:
            self._fire(WheelEvent.RIDE, "ended", ride_attributes(ended))
        if started:
            self._fire(WheelEvent.RIDE, "started", {})
        for event in self.charges.update(live):
            attributes = {"battery": live.battery}
            if event is ChargeEvent.LIMIT_REACHED:
                attributes["limit"] = self.charges.limit
            self._fire(WheelEvent.CHARGE, event.value, attributes)
        self.error_issue.async_update(reading.error_codes)
        top_speed, energy = self.rides.top_speed or 0.0, self.rides.energy or 0.0
        self.power_on.remember(PowerOnTotals(self._powered_on, top_speed, energy))
        self.async_publish(
            WheelData(
                reading=reading,
                charging=self.charges.charging,
                time_to_full=self.charges.time_to_full(live.battery),
                top_speed=top_speed,
                energy=round(energy, 2),
                powered_on=self._powered_on,
            )
        )

    @callback
    def _fire(self, kind: WheelEvent, event_type: str, attributes: dict[str, Any]) -> None:
        for listener in list(self._event_listeners[kind]):
            listener(event_type, attributes)

    @callback
    def async_session_lost(self) -> None:
        """The next reading will be a new connection's: the one an outing is measured by."""
        super().async_session_lost()
        self.outings.async_connection_lost()

    @callback
    def async_link_down(self) -> None:
        """A ride under way ends if the link stays away for the ride's end delay."""
        if self.rides.riding and self._cancel_ride_end is None:
            self._cancel_ride_end = async_call_later(
                self.hass, self.rides.end_delay, self._async_end_ride_unheard
            )

    @callback
    def _async_end_ride_unheard(self, _now: datetime) -> None:
        self._cancel_ride_end = None
        if (summary := self.rides.end(RideEnd.DISCONNECTED)) is not None:
            self._fire(WheelEvent.RIDE, "ended", ride_attributes(summary))

    @callback
    def _async_cancel_ride_end(self) -> None:
        if self._cancel_ride_end is not None:
            self._cancel_ride_end()
            self._cancel_ride_end = None

    async def async_shutdown(self) -> None:
        """Stop the ride's end timer with the link; an unloaded wheel raises no repair."""
        await super().async_shutdown()
        self._async_cancel_ride_end()
        await self.power_on.async_save()
        await self.outings.async_save()
        self.error_issue.async_delete()
