"""The link lifecycle shared by both device kinds: connect, back off, notice drops, reconnect.

Each kind supplies a `DeviceSession` (the conversation on a fresh connection: authenticate,
subscribe, poll). The coordinator owns everything around it, written once:

- connecting through `bleak_retry_connector.establish_connection` with the freshest `BLEDevice`
  Home Assistant knows, so a reconnect can move to whichever adapter or proxy hears the device best;
- backing off exponentially after failed connects (a timer, not a sleeping task);
- once Home Assistant declares the device gone, dialling nothing until it advertises again, then
  reconnecting at once (habluetooth dispatches that first advertisement after an absence);
- telling an unexpected drop from one it asked for, and reconnecting after the former;
- availability from the link itself, logged once when lost and once when back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING, Protocol

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak_retry_connector import (
    BLEAK_RETRY_EXCEPTIONS,
    BleakClientWithServiceCache,
    establish_connection,
)
from homeassistant.components import bluetooth
from homeassistant.const import CONF_ADDRESS, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__package__)

# Errors that mean "the device is not reachable right now": retry after a pause.
LINK_ERRORS: tuple[type[BaseException], ...] = BLEAK_RETRY_EXCEPTIONS


class DeviceSession(Protocol):
    """The conversation one device kind holds over a connection."""

    async def async_start(self, client: BleakClient) -> None:
        """Bring a fresh connection into service; raise one of LINK_ERRORS to abandon it."""

    def async_link_lost(self) -> None:
        """Forget per-connection state after the link went down."""


@dataclass(slots=True)
class Backoff:
    """Exponential delays between reconnect attempts."""

    initial: float = 2.0
    maximum: float = 60.0
    _next: float = 0.0

    def next_delay(self) -> float:
        """Return the delay before the next attempt and double the one after it."""
        delay = self._next or self.initial
        self._next = min(delay * 2, self.maximum)
        return delay

    def reset(self) -> None:
        """Start from the initial delay again."""
        self._next = 0.0


class LinkCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Keeps one device's BLE link up and tells entities whether it is.

    Nothing runs between events: a connect attempt is a task that ends once the link is in
    service; a drop starts the next attempt; a failed attempt schedules a retry timer.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        ble_device: BLEDevice,
        session: DeviceSession,
        initial_data: DataT,
    ) -> None:
        """Prepare the link; `async_start` brings it up in the background."""
        super().__init__(hass, _LOGGER, config_entry=entry, name=entry.title, always_update=False)
        self.entry = entry  # the base class types its own copy as optional
        self.address: str = entry.data[CONF_ADDRESS]
        self.data = initial_data
        self.backoff = Backoff()
        self._session = session
        self._ble_device = ble_device
        self._client: BleakClient | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._device_gone = False
        self._was_available = True
        self._stopping = False

    @property
    def connected(self) -> bool:
        """Whether the link is up and the session has taken it into service."""
        return self._client is not None and self._client.is_connected

    @callback
    def async_start(self) -> None:
        """Keep the link up until the entry unloads or Home Assistant stops."""
        self.entry.async_on_unload(
            bluetooth.async_register_callback(
                self.hass,
                self._async_on_advertisement,
                bluetooth.BluetoothCallbackMatcher(address=self.address, connectable=True),
                bluetooth.BluetoothScanningMode.ACTIVE,
            )
        )
        self.entry.async_on_unload(
            bluetooth.async_track_unavailable(
                self.hass, self._async_on_device_gone, self.address, connectable=True
            )
        )
        self.entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_on_hass_stop)
        )
        self._async_connect_soon()

    async def async_shutdown(self) -> None:
        """Stop reconnecting and close the link (entry unload or Home Assistant stop)."""
        self._stopping = True
        self._async_cancel_retry()
        if self._connect_task is not None:
            self._connect_task.cancel()
            self._connect_task = None
        if (client := self._client) is not None:
            self._client = None
            await client.disconnect()
        await super().async_shutdown()

    @callback
    def _async_connect_soon(self, _now: object = None) -> None:
        """Start a connect attempt unless one is running or the coordinator is stopping."""
        self._cancel_retry = None
        if self._stopping or self.connected:
            return
        if self._connect_task is not None and not self._connect_task.done():
            return
        if not bluetooth.async_address_present(self.hass, self.address, connectable=True):
            # No adapter or proxy hears it: bleak-retry-connector would spend half a minute on
            # futile attempts. Its next advertisement brings it back.
            self._device_gone = True
            self._log_unavailable("not heard by any Bluetooth adapter or proxy that can connect")
            return
        self._connect_task = self.entry.async_create_background_task(
            self.hass, self._async_connect(), f"{self.name} connect"
        )

    async def _async_connect(self) -> None:
        try:
            client = await establish_connection(
                BleakClientWithServiceCache,
                self._ble_device,
                self.name,
                disconnected_callback=self._on_disconnected,
                ble_device_callback=self._current_ble_device,
            )
        except LINK_ERRORS as err:
            self._async_connect_failed(err)
            return
        self._client = client
        try:
            await self._session.async_start(client)
        except BaseException as err:
            # Whatever stopped the session, the half-initialised link is not kept.
            self._client = None
            await client.disconnect()
            if not isinstance(err, LINK_ERRORS):
                raise
            self._async_connect_failed(err)
            return
        self.backoff.reset()
        self._log_available()
        self.async_update_listeners()

    @callback
    def _async_connect_failed(self, err: BaseException) -> None:
        self._log_unavailable(f"cannot connect: {err}")
        # Once Home Assistant has declared the device gone, its next advertisement is the signal
        # to try again, not a timer.
        if not self._stopping and not self._device_gone:
            self._cancel_retry = async_call_later(
                self.hass, self.backoff.next_delay(), self._async_connect_soon
            )

    @callback
    def _async_cancel_retry(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is not self._client:
            return  # a connection we closed or abandoned ourselves
        self._client = None
        self._session.async_link_lost()
        self._log_unavailable("link lost")
        self._async_connect_soon()

    def _current_ble_device(self) -> BLEDevice:
        """The best path Home Assistant knows to the device now (it may have changed proxy)."""
        device = bluetooth.async_ble_device_from_address(self.hass, self.address, connectable=True)
        if device is not None:
            self._ble_device = device
        return self._ble_device

    @callback
    def _async_on_advertisement(
        self, service_info: bluetooth.BluetoothServiceInfoBleak, change: bluetooth.BluetoothChange
    ) -> None:
        # Called for changed advertisements, and for the first one after the device was gone.
        self._ble_device = service_info.device
        if self._device_gone:
            self._device_gone = False
            self._async_cancel_retry()
            self._async_connect_soon()

    @callback
    def _async_on_device_gone(self, service_info: bluetooth.BluetoothServiceInfoBleak) -> None:
        self._device_gone = True
        if self.connected:
            return  # many devices stop advertising while connected; the link is what counts
        self._async_cancel_retry()
        if self._connect_task is not None and not self._connect_task.done():
            self._connect_task.cancel()  # abandon a dial to a device no one hears

    async def _async_on_hass_stop(self, _event: Event) -> None:
        await self.async_shutdown()

    def _log_unavailable(self, reason: str) -> None:
        self.async_update_listeners()
        if self._was_available and not self._stopping:
            self._was_available = False
            _LOGGER.info("%s (%s) is unavailable: %s", self.name, self.address, reason)

    def _log_available(self) -> None:
        if not self._was_available:
            self._was_available = True
            _LOGGER.info("%s (%s) is available again", self.name, self.address)
