"""Config flow: Bluetooth discovery with a confirmation, or a pick from discovered devices.

A band then asks for the wearer's profile (every field has a default) and pairs: Home Assistant
introduces itself with a user id generated once for this band, the band vibrates, the wearer taps
it. The id is stored in the entry, so every later connection is accepted without a tap. When the
band stops accepting it (a factory reset), a reauth flow pairs the same id again.

The options flow is options_flow.py's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import logging
import secrets
from typing import TYPE_CHECKING, Any

from bluetooth_data_tools import human_readable_name
from homeassistant.components import bluetooth
from homeassistant.components.bluetooth import (
    BluetoothServiceInfoBleak,
    async_discovered_service_info,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_ADDRESS, MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow

from .band.coordinator import band_user
from .const import CONF_KIND, CONF_MODEL, CONF_USER_ID, DOMAIN, DeviceKind
from .discovery import SupportedDevice, identify
from .link import LINK_ERRORS, async_connect_once
from .miband import const as band_const
from .miband.client import MiBandClient
from .miband.exceptions import (
    AuthenticationRejectedError,
    MissingCharacteristicError,
    TapTimeoutError,
)
from .miband.state import BandSettings
from .ninebot.client import NinebotClient
from .ninebot.exceptions import (
    MissingCharacteristicError as WheelMissingCharacteristicError,
    WheelNotAnsweringError,
)
from .ninebot.transport import transport_for_model
from .options import DEFAULT_PROFILE
from .options_flow import PROFILE_SCHEMA, MiBandNinebotOptionsFlow, stored_profile

if TYPE_CHECKING:
    # Typed as what the pinned release runs: Home Assistant now installs probatio under the name
    # voluptuous and types its helpers with probatio's schemas. 2025.8 runs voluptuous itself.
    import probatio as vol

    from . import MiBandNinebotConfigEntry
else:
    import voluptuous as vol

_LOGGER = logging.getLogger(__package__)

# How long a user-started flow asks the scanners to scan actively (Home Assistant's minimum).
ACTIVE_SCAN_SECONDS = 5.0
# Before 2026.11, `_set_confirm_only()` puts `confirm_only: true` in the flow's context, which the
# flow listings (websocket `config_entries/flow/progress`) hand to whoever reads them. 2026.11 made
# it a no-op that reports its use ("never read"), and its own integrations dropped the call with
# nothing in its place: a confirm step's form without fields is the confirmation. Older releases
# keep the flag they have always had from us.
CONFIRM_ONLY_FLAG = (MAJOR_VERSION, MINOR_VERSION) < (2026, 11)


def _new_user_id() -> int:
    """A user id for one band: random, so no other app or Home Assistant shares it."""
    return secrets.randbelow(0xFFFFFFFF) + 1


def _title(device: SupportedDevice, address: str) -> str:
    return human_readable_name(None, device.model, address)


class MiBandNinebotConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Mi Band 1/1A/1S or a Ninebot One found by Home Assistant's Bluetooth manager."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: MiBandNinebotConfigEntry,
    ) -> MiBandNinebotOptionsFlow:
        """How the link is used."""
        return MiBandNinebotOptionsFlow()

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._discovered: tuple[str, SupportedDevice] | None = None
        self._choices: dict[str, SupportedDevice] = {}
        self._user_id = _new_user_id()
        self._profile: dict[str, Any] = dict(DEFAULT_PROFILE)
        self._pairing: asyncio.Task[None] | None = None
        self._pairing_error = "cannot_connect"

    async def async_step_bluetooth(
        self, discovery_info: BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """Handle a device found by a Bluetooth matcher."""
        await self.async_set_unique_id(discovery_info.address)
        self._abort_if_unique_id_configured()
        device = identify(discovery_info)
        # The matchers are narrow, but a name can still belong to something else (a later band).
        if device is None or not discovery_info.connectable:
            return self.async_abort(reason="not_supported")
        self._discovered = (discovery_info.address, device)
        self.context["title_placeholders"] = {"name": _title(device, discovery_info.address)}
        return await self.async_step_bluetooth_confirm()

    async def async_step_bluetooth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask the user to confirm a discovered device."""
        address, device = self._require_discovered()
        errors: dict[str, str] = {}
        if user_input is not None:
            if error := await self._async_check(address, device):
                errors["base"] = error
            else:
                return await self._async_configure(address, device)
        if CONFIRM_ONLY_FLAG:
            self._set_confirm_only()
        return self.async_show_form(
            step_id="bluetooth_confirm",
            description_placeholders={"name": _title(device, address)},
            errors=errors,
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user pick one of the supported devices that are not configured yet."""
        errors: dict[str, str] = {}
        if user_input is not None:
            address = user_input[CONF_ADDRESS]
            await self.async_set_unique_id(address, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            if error := await self._async_check(address, self._choices[address]):
                errors["base"] = error
            else:
                return await self._async_configure(address, self._choices[address])

        elif request_active_scan := getattr(bluetooth, "async_request_active_scan", None):
            # Proxies and adapters in Home Assistant's "auto" mode scan passively and hear no
            # scan responses, where a Mi Band 1 keeps its name and a wheel may keep its own: ask
            # them for a short active window first, as Home Assistant's own Bluetooth
            # integrations do (2026.x; 5 s catches several advertising events of a band, which
            # advertises every 1.5 s).
            await request_active_scan(self.hass, ACTIVE_SCAN_SECONDS)
        configured = self._async_current_ids(include_ignore=False)
        for info in async_discovered_service_info(self.hass, connectable=True):
            if info.address in configured or info.address in self._choices:
                continue
            if device := identify(info):
                self._choices[info.address] = device
        if not self._choices:
            return self.async_abort(reason="no_devices_found")

        options = {address: _title(device, address) for address, device in self._choices.items()}
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                # A default, so that submitting the form as shown always proceeds.
                {vol.Required(CONF_ADDRESS, default=next(iter(options))): vol.In(options)}
            ),
            errors=errors,
        )

    async def _async_check(self, address: str, device: SupportedDevice) -> str | None:
        """Test a wheel before it is added: connect and read its identity (reads only).

        The error to show, or None. A band is tested by its pairing, which comes next.
        """
        if device.kind is not DeviceKind.WHEEL:
            return None
        session = NinebotClient(lambda _reading: None, transport_for_model(device.model))
        try:
            async with async_connect_once(self.hass, address, session.connection_lost) as client:
                await session.identify(client)
        except WheelMissingCharacteristicError as err:
            raise AbortFlow("not_supported") from err
        except WheelNotAnsweringError:
            return "wheel_no_answer"
        except LINK_ERRORS as err:
            _LOGGER.debug("Checking %s failed: %s", address, err)
            return "wheel_cannot_connect"
        return None

    async def _async_configure(self, address: str, device: SupportedDevice) -> ConfigFlowResult:
        self._discovered = (address, device)
        if device.kind is DeviceKind.BAND:
            return await self.async_step_profile()
        return self._create_entry()

    async def async_step_profile(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the wearer's profile (the band uses it for its step and calorie counts)."""
        if user_input is not None:
            self._profile = stored_profile(user_input)
            return await self.async_step_pair()
        return self.async_show_form(step_id="profile", data_schema=PROFILE_SCHEMA)

    async def async_step_pair(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Introduce Home Assistant to the band and wait for the wearer's tap."""
        address, _device = self._require_discovered()
        if self._pairing is None:
            self._pairing = self.hass.async_create_task(
                self._async_pair(address), eager_start=False
            )
        if not self._pairing.done():
            return self.async_show_progress(
                step_id="pair",
                progress_action="wait_for_tap",
                progress_task=self._pairing,
                description_placeholders={"timeout": str(int(band_const.TAP_TIMEOUT))},
            )
        pairing, self._pairing = self._pairing, None
        try:
            await pairing
        except MissingCharacteristicError:
            return self.async_show_progress_done(next_step_id="not_a_band")
        except TapTimeoutError:
            self._pairing_error = "tap_timeout"
        except AuthenticationRejectedError:
            self._pairing_error = "rejected"
        except LINK_ERRORS as err:
            _LOGGER.debug("Pairing with %s failed: %s", self.unique_id, err)
            self._pairing_error = "cannot_connect"
        else:
            return self.async_show_progress_done(next_step_id="paired")
        return self.async_show_progress_done(next_step_id="pair_failed")

    async def async_step_pair_failed(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Say what went wrong; submitting tries the pairing again."""
        if user_input is not None:
            return await self.async_step_pair()
        return self.async_show_form(step_id="pair_failed", errors={"base": self._pairing_error})

    async def async_step_not_a_band(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The device answered, but not with a 1-series band's services."""
        return self.async_abort(reason="not_supported")

    async def async_step_paired(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The band accepted Home Assistant: store the user id it knows us by."""
        if self.source == SOURCE_REAUTH:
            # Our own reason, not the default: since 2026.10 Home Assistant shows the default
            # (reauth_successful) in its own words, and our "The band accepts Home Assistant
            # again" only for a reason passed in. The same key, so 2025.8 shows the same text.
            return self.async_update_reload_and_abort(
                self._get_reauth_entry(), reason="reauth_successful"
            )
        return self._create_entry()

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The band no longer accepts the stored user id (it was reset, or paired elsewhere)."""
        entry = self._get_reauth_entry()
        self._discovered = (
            entry.data[CONF_ADDRESS],
            SupportedDevice(DeviceKind(entry.data[CONF_KIND]), entry.data[CONF_MODEL]),
        )
        self._user_id = entry.data[CONF_USER_ID]
        self._profile = dict(entry.options)  # band_user takes the profile's keys, defaults aside
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask the wearer to be ready to tap the band."""
        if user_input is not None:
            return await self.async_step_pair()
        return self.async_show_form(
            step_id="reauth_confirm",
            description_placeholders={"name": self._get_reauth_entry().title},
        )

    async def _async_pair(self, address: str) -> None:
        """Connect, authenticate accepting a tap, disconnect (the entry's link takes over).

        The band's device info, read before anything is written to it, names the model for good:
        the advertisement only suggests one (a passive scan hears no name).
        """
        session = MiBandClient(address, BandSettings(band_user(self._user_id, self._profile)))
        async with async_connect_once(self.hass, address, session.connection_lost) as client:
            info = await session.pair(client, band_const.TAP_TIMEOUT)
        if info.model is not None and self._discovered is not None:
            self._discovered = (address, SupportedDevice(DeviceKind.BAND, info.model))

    def _require_discovered(self) -> tuple[str, SupportedDevice]:
        """The device this flow is about.

        A step started without one (only a caller naming a later step as the source can) aborts.
        """
        if self._discovered is None:
            raise AbortFlow("not_supported")
        return self._discovered

    def _create_entry(self) -> ConfigFlowResult:
        address, device = self._require_discovered()
        data: dict[str, Any] = {
            CONF_ADDRESS: address,
            CONF_KIND: device.kind,
            CONF_MODEL: device.model,
        }
        options: dict[str, Any] = {}
        if device.kind is DeviceKind.BAND:
            data[CONF_USER_ID] = self._user_id
            options = dict(self._profile)
        return self.async_create_entry(title=_title(device, address), data=data, options=options)
