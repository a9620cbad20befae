"""Config flow: Bluetooth discovery with a confirmation, or a pick from discovered devices.

Options: how the link is used (held, or opened periodically for a reading) and how often an
entity may write its state.
"""

from __future__ import annotations

from typing import Any

from bluetooth_data_tools import human_readable_name
from homeassistant.components.bluetooth import (
    BluetoothServiceInfoBleak,
    async_discovered_service_info,
)
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_ADDRESS, UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from .const import (
    CONF_CONNECTION_POLICY,
    CONF_KIND,
    CONF_MIN_STATE_INTERVAL,
    CONF_MODEL,
    CONF_READ_INTERVAL,
    DOMAIN,
)
from .coordinator import DEFAULT_MIN_STATE_INTERVAL, DEFAULT_READ_INTERVAL, ConnectionPolicy
from .models import SupportedDevice, identify


def _title(device: SupportedDevice, address: str) -> str:
    return human_readable_name(None, device.model, address)


class MiBandNinebotConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Mi Band 1/1A/1S or a Ninebot One found by Home Assistant's Bluetooth manager."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """How the link is used."""
        return MiBandNinebotOptionsFlow()

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._discovered: tuple[str, SupportedDevice] | None = None
        self._choices: dict[str, SupportedDevice] = {}

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
        if self._discovered is None:  # only reachable from async_step_bluetooth
            return self.async_abort(reason="not_supported")
        address, device = self._discovered
        if user_input is not None:
            return self._create_entry(address, device)
        self._set_confirm_only()
        return self.async_show_form(
            step_id="bluetooth_confirm", description_placeholders={"name": _title(device, address)}
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user pick one of the supported devices that are not configured yet."""
        if user_input is not None:
            address = user_input[CONF_ADDRESS]
            await self.async_set_unique_id(address, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            return self._create_entry(address, self._choices[address])

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
        )

    def _create_entry(self, address: str, device: SupportedDevice) -> ConfigFlowResult:
        return self.async_create_entry(
            title=_title(device, address),
            data={CONF_ADDRESS: address, CONF_KIND: device.kind, CONF_MODEL: device.model},
        )


OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_CONNECTION_POLICY, default=ConnectionPolicy.HOLD.value): SelectSelector(
            SelectSelectorConfig(
                options=[policy.value for policy in ConnectionPolicy],
                translation_key=CONF_CONNECTION_POLICY,
                mode=SelectSelectorMode.LIST,
            )
        ),
        vol.Required(CONF_READ_INTERVAL, default=DEFAULT_READ_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=30,
                max=3600,
                step=10,
                unit_of_measurement=UnitOfTime.SECONDS,
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Required(CONF_MIN_STATE_INTERVAL, default=DEFAULT_MIN_STATE_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=60,
                step=0.5,
                unit_of_measurement=UnitOfTime.SECONDS,
                mode=NumberSelectorMode.BOX,
            )
        ),
    }
)


class MiBandNinebotOptionsFlow(OptionsFlow):
    """Change how the link is used; the entry reloads with the new settings."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options with the current values filled in."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, self.config_entry.options
            ),
        )
