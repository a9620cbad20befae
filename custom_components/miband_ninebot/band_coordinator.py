"""A Mi Band 1S's coordinator: the shared link lifecycle plus the band's session and operations.

Operations a user waits for (a heart-rate measurement, a vibration) bring the link up if it is
down and hold it while they run. A measurement that loses the link is retried once on a fresh
connection, which re-authenticates with the stored user id (no tap) and re-subscribes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import logging
from typing import TYPE_CHECKING, Any

from bleak.backends.device import BLEDevice
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .const import (
    CONF_AGE,
    CONF_GENDER,
    CONF_HEIGHT,
    CONF_MODEL,
    CONF_USER_ID,
    CONF_WEIGHT,
    DEFAULT_PROFILE,
    DOMAIN,
)
from .coordinator import LINK_ERRORS, LinkCoordinator, LinkSettings
from .miband.advertisement import MODEL_MI_BAND_1S
from .miband.protocol import DeviceInfo, Gender, UserInfo
from .miband.session import (
    AuthenticationRejectedError,
    BandSession,
    BandSettings,
    BandState,
    NoHeartRateError,
    TapRequiredError,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__package__)


def band_user(user_id: int, profile: Mapping[str, Any]) -> UserInfo:
    """The user info Home Assistant authenticates with: the stored id and the wearer's profile."""
    merged = {**DEFAULT_PROFILE, **profile}
    return UserInfo(
        user_id=user_id,
        gender=Gender[str(merged[CONF_GENDER]).upper()],
        age=int(merged[CONF_AGE]),
        height=int(merged[CONF_HEIGHT]),
        weight=int(merged[CONF_WEIGHT]),
    )


class BandCoordinator(LinkCoordinator[BandState | None]):
    """Holds a band's authenticated link; data is None until the first connection."""

    session: BandSession
    auth_errors = (TapRequiredError, AuthenticationRejectedError)

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        ble_device: BLEDevice,
        settings: LinkSettings | None = None,
    ) -> None:
        """Prepare the link and the session that authenticates with the entry's user id."""
        user = band_user(entry.data[CONF_USER_ID], entry.options)
        session = BandSession(entry.data[CONF_ADDRESS], BandSettings(user), self._async_on_state)
        super().__init__(hass, entry, ble_device, session, None, settings=settings)
        self._operation = asyncio.Lock()  # one conversation on the control points at a time
        self._registered_info: DeviceInfo | None = None

    @property
    def has_heart_rate_sensor(self) -> bool:
        """Whether the band is a 1S, the only model with the optical sensor."""
        return bool(self.entry.data[CONF_MODEL] == MODEL_MI_BAND_1S)

    @property
    def continuous_heart_rate(self) -> bool:
        """Whether the band measures continuously while connected (re-applied on every connect)."""
        return self.session.settings.continuous_heart_rate

    async def async_set_continuous_heart_rate(self, enabled: bool) -> None:
        """Turn continuous measurement on or off; a band out of reach gets it when it connects."""
        async with self._operation:
            try:
                await self.session.async_set_continuous_heart_rate(enabled)
            except LINK_ERRORS as err:
                # Kept in the settings: the next connection applies it.
                _LOGGER.debug("%s: continuous heart rate applies on reconnect: %s", self.name, err)
        self.async_update_listeners()

    async def async_shutdown(self) -> None:
        """Close the link, then let an operation in progress end before returning.

        Without its link it fails at once; waiting for that gives its caller the translated
        error, where Home Assistant, stopping, would cancel it a moment later (CancelledError).
        """
        await super().async_shutdown()
        async with self._operation:
            pass

    async def async_measure_heart_rate(self) -> int:
        """Measure the heart rate now and publish it; one retry on a fresh link after a drop."""
        bpm = await self._async_operation(self._async_measure)
        if self.session.state is not None:
            self.async_publish_now(self.session.state)
        return bpm

    async def async_vibrate(self, count: int = 1) -> None:
        """Make the band vibrate `count` times."""
        await self._async_operation(lambda: self.session.async_vibrate(count))

    async def _async_measure(self) -> int:
        state = self.session.state
        if state is not None and not state.device_info.supports_heart_rate:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_heart_rate_sensor",
                translation_placeholders={"name": self.name},
            )
        try:
            return await self.session.async_measure_heart_rate()
        except NoHeartRateError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_heart_rate",
                translation_placeholders={"name": self.name},
            ) from err

    async def _async_operation[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run an operation on a held link; after a drop, once more on a fresh connection."""
        async with self._operation:
            try:
                async with self.async_link_in_use():
                    return await operation()
            except LINK_ERRORS as err:
                _LOGGER.debug("%s: link lost during an operation, retrying: %s", self.name, err)
            try:
                async with self.async_link_in_use():
                    return await operation()
            except LINK_ERRORS as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="link_lost",
                    translation_placeholders={"name": self.name, "error": str(err)},
                ) from err

    @callback
    def _async_on_state(self, state: BandState) -> None:
        if (info := state.device_info) != self._registered_info:
            self._registered_info = info
            self.async_update_device_info(model=info.model, sw_version=info.firmware_version)
        self.async_publish(state)
