"""One device's BLE link: connect, back off, notice drops, reconnect, release.

Written once for both device kinds; a kind supplies its `DeviceSession` (the conversation on a
fresh connection: authenticate, subscribe, poll). The link:

- connects through `bleak_retry_connector.establish_connection` with the freshest `BLEDevice`
  Home Assistant knows, so a reconnect can move to whichever adapter or proxy hears the device best;
- backs off exponentially after failed connects (a timer, not a sleeping task);
- once Home Assistant declares the device gone, dials nothing until it advertises again, then
  reconnects at once (habluetooth dispatches that first advertisement after an absence);
- tells an unexpected drop from a release it asked for, and reconnects after the former;
- stops dialling a device that no longer accepts us (a reset band) and starts a reauth flow;
- logs unavailability once when it begins and once when it ends.

What a fresh connection is for (a kind's session, then holding it or releasing it after a
reading) is its owner's, the coordinator: the link calls it through `LinkOwner`.

`async_connect_once` is the one-off connection of the config flow: no retries of its own, no
reconnect, hung up when the flow's conversation ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING, Protocol

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bleak_retry_connector import (
    BLEAK_RETRY_EXCEPTIONS,
    BleakClientWithServiceCache,
    establish_connection,
)
from homeassistant.components import bluetooth
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .last_seen import HeardClient, LastSeen, connection_source

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__package__)

# Errors that mean "the device is not reachable right now": retry after a pause.
LINK_ERRORS: tuple[type[BaseException], ...] = BLEAK_RETRY_EXCEPTIONS

# s between looks for an adapter or proxy that can connect, while there is none: a local check
# that costs no radio time, so it does not back off. A proxy back from a reboot re-registers its
# scanner, but the device's advertisements through it are no news to Home Assistant (the same
# data from the same source), so no callback says the path is back.
PATH_RECHECK_INTERVAL = 5.0


class LinkOwner(Protocol):
    """What the link asks of, and tells, the one who uses it."""

    async def async_start_session(self, client: BleakClient) -> None:
        """Start the session on a fresh connection; raise one of LINK_ERRORS to abandon it."""

    def async_session_lost(self) -> None:
        """Stop using the connection (it went down, or it is being closed or abandoned)."""

    async def async_session_started(self) -> None:
        """A fresh connection's session has started."""

    def async_link_down(self) -> None:
        """A connection whose session had started ended, dropped or released."""

    def async_link_changed(self) -> None:
        """Connected, lost, released, refused: availability may differ."""


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


@asynccontextmanager
async def async_connect_once(
    hass: HomeAssistant, address: str, lost: Callable[[], None]
) -> AsyncIterator[BleakClient]:
    """A connection for one conversation, hung up afterwards (the config flow's).

    A drop calls `lost` at once, so a wait for an answer ends then rather than at its
    timeout.
    """
    ble_device = bluetooth.async_ble_device_from_address(hass, address, connectable=True)
    if ble_device is None:
        raise BleakError(f"{address} is not heard by any adapter or proxy that can connect")
    client = await establish_connection(
        BleakClientWithServiceCache,
        ble_device,
        address,
        disconnected_callback=lambda _client: lost(),
    )
    try:
        yield client
    finally:
        lost()
        await client.disconnect()


class DeviceLink:
    """Keeps one device connected while it is wanted, and says when it is not.

    Nothing runs between events: a connect attempt is a task that ends once the session has
    started on the connection; a drop starts the next attempt; a failed attempt
    schedules a retry timer.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        address: str,
        ble_device: BLEDevice,
        owner: LinkOwner,
        *,
        auth_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        """Prepare the link; `async_start` dials."""
        self.hass, self.entry, self.address = hass, entry, address
        self.name = entry.title
        self.backoff = Backoff()
        self.enabled = True  # off: released for another central, nothing dialled
        self.needs_reauth = False
        # The last connection was released by its owner after its work, not lost or refused.
        self.released_cleanly = False
        self.session_started = False  # the session has started on `_client`
        self.closed = False
        # Session errors that mean "the device no longer accepts us": dialling cannot help.
        self._auth_errors = auth_errors
        self._owner = owner
        self._ble_device = ble_device
        self._client: BleakClient | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._device_gone = False
        self._was_available = True
        self.last_seen = LastSeen(hass, address)

    @property
    def connected(self) -> bool:
        """Whether the link is up and the session has started on it."""
        return self.session_started and self._client is not None and self._client.is_connected

    @callback
    def async_start(self) -> None:
        """Follow the device's connectable advertisements and dial it."""
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
        self.async_connect_soon()

    async def async_wait_connected(self) -> None:
        """Dial now if the link is down and may be used, and wait for the attempt to end."""
        if self.connected or not self.enabled or self.needs_reauth:
            return
        # Someone is waiting: dial now rather than when the backoff timer says.
        self._async_cancel_retry()
        self.async_connect_soon()
        if (task := self._connect_task) is None or task.done():
            return
        try:
            # Shielded: a caller that gives up must not abort the attempt for others.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if (current := asyncio.current_task()) and current.cancelling():
                raise  # the caller itself is being cancelled
            # Else the attempt was abandoned (the device went away): the caller sees no link.

    async def async_set_enabled(self, enabled: bool) -> None:
        """Use the link, or release it and leave the device to other centrals."""
        self.enabled = enabled
        if enabled:
            self.backoff.reset()
            self.async_connect_soon()
            return
        self.released_cleanly = False
        await self.async_close()
        _LOGGER.info("%s (%s): link released", self.name, self.address)

    async def async_release(self, reconnect_in: float) -> None:
        """End the connection after its work; dial again `reconnect_in` seconds later."""
        self.released_cleanly = True
        await self._async_release_client()
        self._async_schedule_attempt(reconnect_in)

    async def async_close(self) -> None:
        """Close the link on our side: no reconnect follows until `async_connect_soon`."""
        self._async_cancel_retry()
        if self._connect_task is not None:
            self._connect_task.cancel()
            self._connect_task = None
        await self._async_release_client()

    async def async_shutdown(self) -> None:
        """Close the link for good (entry unload or Home Assistant stop)."""
        self.closed = True
        await self.async_close()

    async def _async_release_client(self) -> None:
        if (client := self._client) is not None:
            self._client = None
            self._owner.async_session_lost()
            self._owner.async_link_down()
            await self._async_let_go(client)

    async def _async_let_go(self, client: BleakClient) -> None:
        """Disconnect, whether or not the path to the device is still there."""
        try:
            await client.disconnect()
        except LINK_ERRORS as err:
            # The path went first: a proxy that lost its Wi-Fi, or one that shut down before
            # us as Home Assistant stops (the development proxy does). The link went with it;
            # there is nothing left to release, and nothing to report beyond debug.
            _LOGGER.debug("%s (%s): disconnect failed: %s", self.name, self.address, err)

    @callback
    def async_connect_soon(self, _now: object = None) -> None:
        """Start a connect attempt unless one is running or the link may not be used."""
        self._cancel_retry = None
        if self.closed or not self.enabled or self.needs_reauth or self.connected:
            return
        if self._connect_task is not None and not self._connect_task.done():
            return
        if not bluetooth.async_scanner_count(self.hass, connectable=True):
            # No adapter or proxy that can connect is up (a proxy rebooting, say), though Home
            # Assistant still lists the device: a dial would spend half a minute in
            # bleak-retry-connector's retries. Look again shortly.
            self._log_unavailable("no Bluetooth adapter or proxy that can connect is up")
            self._async_schedule_attempt(PATH_RECHECK_INTERVAL)
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
                HeardClient,  # stamps the link's data for `last_seen`
                self._ble_device,
                self.name,
                disconnected_callback=self._on_disconnected,
                ble_device_callback=self._current_ble_device,
            )
        except LINK_ERRORS as err:
            self._async_connect_failed(err)
            return
        self._client, self.session_started = client, False
        client.on_data = self.last_seen.link_heard
        self.last_seen.link_source = connection_source(self.hass, client, self.address)
        try:
            await self._owner.async_start_session(client)
        except BaseException as err:
            await self._async_abandon(client, err)
            if not isinstance(err, (*self._auth_errors, *LINK_ERRORS)):
                raise
            return
        self.session_started = True
        self.backoff.reset()
        if not self._was_available:
            self._was_available = True
            _LOGGER.info("%s (%s) is available again", self.name, self.address)
        await self._owner.async_session_started()

    async def _async_abandon(self, client: BleakClientWithServiceCache, err: BaseException) -> None:
        """A session that did not start: whatever stopped it, the half-initialised link goes."""
        self._client = None
        self._owner.async_session_lost()
        if client.is_connected and isinstance(err, LINK_ERRORS):
            # The device answered wrongly or not at all on a link that is still up. The one
            # cause a retry cannot outlive is a stale services cache (an ESPHome proxy keeps
            # each device's services across connections; a firmware update moves the
            # handles): the next connection discovers them again.
            await client.clear_cache()
        await self._async_let_go(client)
        if isinstance(err, self._auth_errors):
            self._async_auth_failed(err)
        elif isinstance(err, LINK_ERRORS):
            self._async_connect_failed(err)

    @callback
    def _async_auth_failed(self, err: BaseException) -> None:
        """The device refuses us: stop dialling and ask the user through a reauth flow."""
        self.needs_reauth = True
        self.released_cleanly = False
        self._log_unavailable(f"it no longer accepts Home Assistant ({err})")
        self.entry.async_start_reauth(self.hass)

    @callback
    def _async_connect_failed(self, err: BaseException) -> None:
        self.released_cleanly = False
        self._log_unavailable(f"cannot connect: {err}")
        # Once Home Assistant has declared the device gone, its next advertisement is the signal
        # to try again, not a timer.
        if not self._device_gone:
            self._async_schedule_attempt(self.backoff.next_delay())

    @callback
    def _async_schedule_attempt(self, delay: float) -> None:
        if not self.closed and self.enabled:
            self._async_cancel_retry()
            self._cancel_retry = async_call_later(self.hass, delay, self.async_connect_soon)

    @callback
    def _async_cancel_retry(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is not self._client:
            return  # a connection we closed or abandoned ourselves
        self._client = None
        self.released_cleanly = False
        self._owner.async_session_lost()
        self._owner.async_link_down()
        self._log_unavailable("link lost")
        self.async_connect_soon()

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
            self.async_connect_soon()

    @callback
    def _async_on_device_gone(self, service_info: bluetooth.BluetoothServiceInfoBleak) -> None:
        self._device_gone = True
        if self._client is not None and self._client.is_connected:
            # Many devices stop advertising while connected (or while the session starts on a fresh
            # link): the link is what counts.
            return
        self.released_cleanly = False
        self._log_unavailable("no longer heard")
        self._async_cancel_retry()
        if self._connect_task is not None and not self._connect_task.done():
            self._connect_task.cancel()  # abandon a dial to a device no one hears

    def _log_unavailable(self, reason: str) -> None:
        self._owner.async_link_changed()
        if self._was_available and not self.closed:
            self._was_available = False
            _LOGGER.info("%s (%s) is unavailable: %s", self.name, self.address, reason)
