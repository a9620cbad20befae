"""What both device kinds' coordinators share: a link, presence, a policy, and publishing.

The link (`link.DeviceLink`) connects and reconnects; presence (`presence.Presence`) says whether
anything hears the device; the policy (`policy.LinkPolicy`) says whether a connection is held or
released after its reading. The coordinator owns the three, brings the link up at once for work a
user waits for, and publishes data to entities at most once per `min_state_interval`, the latest
data winning, through Home Assistant's `Debouncer`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import logging
from typing import TYPE_CHECKING, Protocol

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from homeassistant.const import CONF_ADDRESS, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .const import DOMAIN
from .link import DeviceLink
from .options import LinkSettings
from .policy import LinkPolicy
from .presence import Presence

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__package__)


class DeviceSession(Protocol):
    """The conversation one device kind holds over a connection (its protocol's client)."""

    async def start(self, client: BleakClient) -> None:
        """Start on a fresh connection: authenticate, subscribe, take a first reading."""

    def connection_lost(self) -> None:
        """Stop using the connection (it went down, or it is being closed)."""


class LinkCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """One device's data, link and presence, as its entities see them."""

    # Session errors that mean "the device no longer accepts us" (a reauth flow follows). A
    # subclass names its device's.
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
        self.session = session
        self.link = DeviceLink(
            hass, entry, self.address, ble_device, self, auth_errors=self.auth_errors
        )
        self.presence = Presence(hass, self.address, self.async_update_listeners)
        self.policy = LinkPolicy(self.link, self.settings, self.async_update_listeners)
        self._latest: DataT = initial_data  # handed in, published once the interval allows
        self._publisher = Debouncer[None](
            hass,
            _LOGGER,
            cooldown=self.settings.min_state_interval,
            immediate=True,
            function=self._async_publish_latest,
        )

    @property
    def connected(self) -> bool:
        """Whether the link is up and the session has started on it."""
        return self.link.connected

    @property
    def in_range(self) -> bool:
        """Whether the device is here: connected (many stop advertising then), or heard."""
        return self.link.connected or self.presence.heard

    @property
    def enabled(self) -> bool:
        """Whether the integration uses the link at all (off: released for another central)."""
        return self.link.enabled

    @property
    def available(self) -> bool:
        """Whether the device's data is current: the link is up, or released after a reading."""
        return self.policy.data_current

    async def async_set_enabled(self, enabled: bool) -> None:
        """Use the link, or release it and leave the device to other centrals."""
        if enabled != self.link.enabled:
            await self.link.async_set_enabled(enabled)
            self.async_update_listeners()

    @callback
    def async_publish(self, data: DataT) -> None:
        """Hand new data to the entities, at most once per `min_state_interval`, latest winning."""
        self._latest = data
        if self.settings.min_state_interval:
            self._publisher.async_schedule_call()
        else:
            # Nothing to debounce: the Debouncer would still make a task and a timer per call.
            self.async_set_updated_data(data)

    @callback
    def async_publish_now(self, data: DataT | None = None) -> None:
        """Hand data to the entities at once: a user is waiting for it (a measurement)."""
        if data is not None:
            self._latest = data
        self._publisher.async_cancel()
        self._publisher.async_schedule_call()  # now, and the interval starts again

    @callback
    def _async_publish_latest(self) -> None:
        self.async_set_updated_data(self._latest)

    @asynccontextmanager
    async def async_link_in_use(self) -> AsyncIterator[None]:
        """Bring the link up now if it is down, and hold it until the block ends.

        For an operation a user waits for. Raises a translated `HomeAssistantError` when the
        device cannot be reached; with the periodic policy, the link is released afterwards.
        """
        release = self.policy.hold()
        try:
            await self.link.async_wait_connected()
            if not self.link.connected:
                raise self.translated_error(
                    "reauth_required"
                    if self.link.needs_reauth
                    else "cannot_connect"
                    if self.link.enabled
                    else "link_released"
                )
            yield
        finally:
            await release()

    async def async_start_session(self, client: BleakClient) -> None:
        """The link's: the kind's session starts on a fresh connection."""
        await self.session.start(client)

    @callback
    def async_session_lost(self) -> None:
        """The link's: the connection went or is going."""
        self.session.connection_lost()

    @callback
    def async_link_changed(self) -> None:
        """The link's: availability may differ."""
        self.async_update_listeners()

    async def async_session_started(self) -> None:
        """The link's: the session has started on a fresh connection, its first reading taken."""
        await self.policy.async_reading_taken()
        self.async_publish_now()  # the connection's first reading shows with its availability

    @callback
    def async_link_down(self) -> None:
        """The connection ended, dropped or released: a kind may react (end a ride)."""

    def translated_error(self, key: str, **placeholders: str) -> HomeAssistantError:
        """The error a user sees for `key`, naming this device (translations, "exceptions")."""
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"name": self.name, **placeholders},
        )

    @callback
    def async_start(self) -> None:
        """Keep the link up until the entry unloads or Home Assistant stops."""
        for stop_listening in self.presence.async_start():
            self.entry.async_on_unload(stop_listening)
        # Not `async_listen_once`: unloading the entry after the event fired would remove a
        # listener that is gone already, which Home Assistant logs as an error.
        self.entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_on_hass_stop)
        )
        self.link.async_start()

    async def async_shutdown(self) -> None:
        """Stop reconnecting and close the link (entry unload or Home Assistant stop)."""
        self._publisher.async_shutdown()
        await self.link.async_shutdown()
        await super().async_shutdown()

    async def _async_on_hass_stop(self, _event: Event) -> None:
        await self.async_shutdown()
