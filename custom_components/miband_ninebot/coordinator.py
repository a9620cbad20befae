"""The link lifecycle shared by both device kinds: connect, back off, notice drops, reconnect.

Each kind supplies a `DeviceSession` (the conversation on a fresh connection: authenticate,
subscribe, poll). The coordinator owns everything around it, written once:

- connecting through `bleak_retry_connector.establish_connection` with the freshest `BLEDevice`
  Home Assistant knows, so a reconnect can move to whichever adapter or proxy hears the device best;
- backing off exponentially after failed connects (a timer, not a sleeping task);
- once Home Assistant declares the device gone, dialling nothing until it advertises again, then
  reconnecting at once (habluetooth dispatches that first advertisement after an absence);
- telling an unexpected drop from one it asked for, and reconnecting after the former;
- the connection policy: hold the link (default), or visit periodically (connect, let the
  session take its reading, release) so that another central, such as the rider's phone app, can
  use a single-central device in between; and a switch that releases the link altogether;
- availability from the link itself, logged once when lost and once when back;
- publishing data to entities at most once per `min_state_interval`, the latest data winning;
- operations a user waits for (a measurement): the link is brought up at once and held for them,
  whatever the policy;
- a device that stops accepting us (a reset band): no more dialling, a reauth flow instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
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
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .const import DOMAIN
from .options import DEFAULT_MIN_STATE_INTERVAL, DEFAULT_READ_INTERVAL

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


class ConnectionPolicy(StrEnum):
    """Whether the link is held, or opened for a reading now and then."""

    HOLD = "hold"
    PERIODIC = "periodic"


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """The user's options for a device's link."""

    policy: ConnectionPolicy = ConnectionPolicy.HOLD
    read_interval: float = DEFAULT_READ_INTERVAL
    min_state_interval: float = DEFAULT_MIN_STATE_INTERVAL


class DeviceSession(Protocol):
    """The conversation one device kind holds over a connection."""

    async def async_start(self, client: BleakClient) -> None:
        """Bring a fresh connection into service and take a first reading.

        Raise one of LINK_ERRORS to abandon the connection.
        """

    def async_link_lost(self) -> None:
        """Stop using the link (it went down, or the coordinator is closing it)."""


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
    service; a drop starts the next attempt; a failed attempt schedules a retry timer, and so
    does a periodic visit for the next one.
    """

    # Session errors that mean "the device no longer accepts us": dialling again cannot help, the
    # user has to (reauth flow). A subclass names its device's.
    auth_errors: tuple[type[BaseException], ...] = ()

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        ble_device: BLEDevice,
        session: DeviceSession,
        initial_data: DataT,
        *,
        settings: LinkSettings | None = None,
    ) -> None:
        """Prepare the link; `async_start` brings it up in the background."""
        super().__init__(hass, _LOGGER, config_entry=entry, name=entry.title, always_update=False)
        self.entry = entry  # the base class types its own copy as optional
        self.address: str = entry.data[CONF_ADDRESS]
        self.data = initial_data
        self.settings = settings or LinkSettings()
        self.backoff = Backoff()
        self.session = session
        self._ble_device = ble_device
        self._client: BleakClient | None = None
        self._in_service = False  # the session has taken `_client` into service
        self._connect_task: asyncio.Task[None] | None = None
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._device_gone = False
        # Presence: heard by any adapter or proxy (connectable or not) and not yet declared gone
        # by Home Assistant's Bluetooth.
        self._heard = bluetooth.async_address_present(hass, self.address, connectable=False)
        self._was_available = True
        self._stopping = False
        self._enabled = True
        self._needs_reauth = False
        self._users = 0  # operations holding the link (`async_link_in_use`)
        # Periodic visits: whether the last one brought a reading (entities stay available).
        self._last_visit_ok = False
        self._pending_data: DataT = initial_data
        self._publish_timer: asyncio.TimerHandle | None = None
        self._last_publish = -float("inf")

    @property
    def connected(self) -> bool:
        """Whether the link is up and the session has taken it into service."""
        return self._in_service and self._client is not None and self._client.is_connected

    @property
    def in_range(self) -> bool:
        """Whether the device is here: connected, or heard lately by any adapter or proxy.

        A held link counts as heard: many devices stop advertising while connected.
        """
        return self.connected or self._heard

    @property
    def enabled(self) -> bool:
        """Whether the integration uses the link at all (off: released for another central)."""
        return self._enabled

    @property
    def available(self) -> bool:
        """Whether the device's data is current: the link is held, or the last visit worked."""
        if self.settings.policy is ConnectionPolicy.PERIODIC:
            return self._enabled and (self.connected or self._last_visit_ok)
        return self.connected

    async def async_set_enabled(self, enabled: bool) -> None:
        """Use the link, or release it and leave the device to other centrals."""
        if enabled == self._enabled:
            return
        self._enabled = enabled
        if enabled:
            self.backoff.reset()
            self._async_connect_soon()
            self.async_update_listeners()
            return
        self._last_visit_ok = False
        await self._async_close_link()
        _LOGGER.info("%s (%s): link released", self.name, self.address)
        self.async_update_listeners()

    @callback
    def async_publish(self, data: DataT) -> None:
        """Hand new data to the entities, at most once per `min_state_interval`.

        Data arriving faster is held back and the latest is published when the interval ends, so
        a fast poller costs Home Assistant one state write per entity and interval at most.
        """
        self._pending_data = data
        if self._publish_timer is not None:
            return
        loop = self.hass.loop
        wait = self._last_publish + self.settings.min_state_interval - loop.time()
        if wait <= 0:
            self._async_flush_data()
        else:
            self._publish_timer = loop.call_later(wait, self._async_flush_data)

    @callback
    def async_publish_now(self, data: DataT) -> None:
        """Hand data to the entities at once: a user is waiting for it (a measurement)."""
        if self._publish_timer is not None:
            self._publish_timer.cancel()
            self._publish_timer = None
        self._pending_data = data
        self._async_flush_data()

    @asynccontextmanager
    async def async_link_in_use(self) -> AsyncIterator[None]:
        """Bring the link up now if it is down, and hold it until the block ends.

        For an operation a user waits for. Raises a translated `HomeAssistantError` when the
        device cannot be reached; with the periodic policy, the link is released afterwards.
        """
        release = self.async_hold_link()
        try:
            await self._async_wait_connected()
            yield
        finally:
            await release()

    @callback
    def async_hold_link(self) -> Callable[[], Awaitable[None]]:
        """Keep the link from ending its visit from now on; await the returned function to let go.

        For work the coordinator starts itself on a fresh link (the band's activity sync): it is
        counted before the visit could end, unlike a task that only enters `async_link_in_use`.
        """
        self._users += 1
        released = False

        async def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._users -= 1
            if not self._users and self.connected:
                await self._async_end_visit()

        return release

    @callback
    def _async_in_service(self) -> None:
        """A fresh link has been taken into service: a kind may start its own work on it."""

    async def _async_wait_connected(self) -> None:
        if not self.connected and self._enabled and not self._needs_reauth:
            # Someone is waiting: dial now rather than when the backoff timer says.
            self._async_cancel_retry()
            self._async_connect_soon()
            if (task := self._connect_task) is not None and not task.done():
                try:
                    # Shielded: a caller that gives up must not abort the attempt for others.
                    await asyncio.shield(task)
                except asyncio.CancelledError:
                    if (current := asyncio.current_task()) and current.cancelling():
                        raise  # the caller itself is being cancelled
                    # Else the attempt was abandoned (the device went away): reported below.
        if self.connected:
            return
        reason = (
            "reauth_required"
            if self._needs_reauth
            else "link_released"
            if not self._enabled
            else "cannot_connect"
        )
        raise self.translated_error(reason)

    def translated_error(self, key: str, **placeholders: str) -> HomeAssistantError:
        """The error a user sees for `key`, naming this device (translations, "exceptions")."""
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"name": self.name, **placeholders},
        )

    @callback
    def async_update_device_info(
        self, *, model: str | None, sw_version: str | None, serial_number: str | None = None
    ) -> None:
        """Put what the device says about itself into the device registry."""
        registry = dr.async_get(self.hass)
        # The entry's own device: identifiers are no longer unique across config entries.
        device = next(
            (
                device
                for device in dr.async_entries_for_config_entry(registry, self.entry.entry_id)
                if (DOMAIN, self.address) in device.identifiers
            ),
            None,
        )
        if device is None:
            return
        registry.async_update_device(
            device.id,
            model=model or device.model,
            sw_version=sw_version,
            serial_number=serial_number or device.serial_number,
        )

    @callback
    def _async_flush_data(self) -> None:
        self._publish_timer = None
        self._last_publish = self.hass.loop.time()
        self.async_set_updated_data(self._pending_data)

    @callback
    def async_start(self) -> None:
        """Keep the link up until the entry unloads or Home Assistant stops."""
        # Presence listens passively on every adapter and proxy; it connects to nothing.
        self.entry.async_on_unload(
            bluetooth.async_register_callback(
                self.hass,
                self._async_on_heard,
                bluetooth.BluetoothCallbackMatcher(address=self.address, connectable=False),
                bluetooth.BluetoothScanningMode.PASSIVE,
            )
        )
        self.entry.async_on_unload(
            bluetooth.async_track_unavailable(
                self.hass, self._async_on_unheard, self.address, connectable=False
            )
        )
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
        # Not `async_listen_once`: unloading the entry after the event fired would remove a
        # listener that is gone already, which Home Assistant logs as an error.
        self.entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_on_hass_stop)
        )
        self._async_connect_soon()

    async def async_shutdown(self) -> None:
        """Stop reconnecting and close the link (entry unload or Home Assistant stop)."""
        self._stopping = True
        if self._publish_timer is not None:
            self._publish_timer.cancel()
            self._publish_timer = None
        await self._async_close_link()
        await super().async_shutdown()

    async def _async_close_link(self) -> None:
        """Close the link on our side: no reconnect follows (the disconnect callback ignores it)."""
        self._async_cancel_retry()
        if self._connect_task is not None:
            self._connect_task.cancel()
            self._connect_task = None
        await self._async_release_client()

    async def _async_release_client(self) -> None:
        if (client := self._client) is not None:
            self._client = None
            self.session.async_link_lost()
            self._async_link_down()
            await client.disconnect()

    @callback
    def _async_link_down(self) -> None:
        """The link went down, dropped or closed by us: a kind may react (end a ride)."""

    @callback
    def _async_connect_soon(self, _now: object = None) -> None:
        """Start a connect attempt unless one is running or the coordinator is stopping."""
        self._cancel_retry = None
        if self._stopping or not self._enabled or self._needs_reauth or self.connected:
            return
        if self._connect_task is not None and not self._connect_task.done():
            return
        if not bluetooth.async_scanner_count(self.hass, connectable=True):
            # No adapter or proxy that can connect is up (a proxy rebooting, say), though Home
            # Assistant still lists the device: a dial would spend half a minute in
            # bleak-retry-connector's retries. Look again after the backoff.
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
                BleakClientWithServiceCache,
                self._ble_device,
                self.name,
                disconnected_callback=self._on_disconnected,
                ble_device_callback=self._current_ble_device,
            )
        except LINK_ERRORS as err:
            self._async_connect_failed(err)
            return
        self._client, self._in_service = client, False
        try:
            await self.session.async_start(client)
        except BaseException as err:
            # Whatever stopped the session, the half-initialised link is not kept.
            self._client = None
            self.session.async_link_lost()
            if client.is_connected and isinstance(err, LINK_ERRORS):
                # The device answered wrongly or not at all on a link that is still up. The
                # one cause a retry cannot outlive is a stale services cache (an ESPHome proxy
                # keeps each device's services across connections; a firmware update moves
                # the handles): the next connection discovers them again.
                await client.clear_cache()
            await client.disconnect()
            if isinstance(err, self.auth_errors):
                self._async_auth_failed(err)
                return
            if not isinstance(err, LINK_ERRORS):
                raise
            self._async_connect_failed(err)
            return
        self._in_service = True
        self.backoff.reset()
        self._log_available()
        self._async_in_service()
        if not self._users:
            await self._async_end_visit()
        if self._publish_timer is not None:
            # The connection's first reading shows with the availability it brings, not a
            # throttle interval later.
            self.async_publish_now(self._pending_data)
        else:
            self.async_update_listeners()

    async def _async_end_visit(self) -> None:
        """With the periodic policy: the reading is taken, free the device until the next visit."""
        if self.settings.policy is not ConnectionPolicy.PERIODIC:
            return
        self._last_visit_ok = True
        await self._async_release_client()
        self._async_schedule_attempt(self.settings.read_interval)
        self.async_update_listeners()

    @callback
    def _async_auth_failed(self, err: BaseException) -> None:
        """The device refuses us: stop dialling and ask the user through a reauth flow."""
        self._needs_reauth = True
        self._last_visit_ok = False
        self._log_unavailable(f"it no longer accepts Home Assistant ({err})")
        self.entry.async_start_reauth(self.hass)

    @callback
    def _async_connect_failed(self, err: BaseException) -> None:
        self._last_visit_ok = False
        self._log_unavailable(f"cannot connect: {err}")
        # Once Home Assistant has declared the device gone, its next advertisement is the signal
        # to try again, not a timer.
        if not self._device_gone:
            self._async_schedule_attempt(self.backoff.next_delay())

    @callback
    def _async_schedule_attempt(self, delay: float) -> None:
        if not self._stopping and self._enabled:
            self._async_cancel_retry()
            self._cancel_retry = async_call_later(self.hass, delay, self._async_connect_soon)

    @callback
    def _async_cancel_retry(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is not self._client:
            return  # a connection we closed or abandoned ourselves
        self._client = None
        self._last_visit_ok = False
        self.session.async_link_lost()
        self._async_link_down()
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
    def _async_on_heard(
        self, _service_info: bluetooth.BluetoothServiceInfoBleak, _change: bluetooth.BluetoothChange
    ) -> None:
        # Home Assistant calls this for new advertisement data, not for a new RSSI alone.
        if not self._heard:
            self._heard = True
            self.async_update_listeners()

    @callback
    def _async_on_unheard(self, _service_info: bluetooth.BluetoothServiceInfoBleak) -> None:
        self._heard = False
        self.async_update_listeners()

    @callback
    def _async_on_device_gone(self, service_info: bluetooth.BluetoothServiceInfoBleak) -> None:
        self._device_gone = True
        if self._client is not None and self._client.is_connected:
            # Many devices stop advertising while connected (or coming into service on a fresh
            # link): the link is what counts.
            return
        self._last_visit_ok = False
        self._log_unavailable("no longer heard")
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
