"""Config flow: Bluetooth discovery with a confirmation, or a pick from discovered devices."""

from __future__ import annotations

from typing import Any

from bluetooth_data_tools import human_readable_name
from homeassistant.components.bluetooth import (
    BluetoothServiceInfoBleak,
    async_discovered_service_info,
)
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_ADDRESS
import voluptuous as vol

from .const import CONF_KIND, CONF_MODEL, DOMAIN
from .models import SupportedDevice, identify


def _title(device: SupportedDevice, address: str) -> str:
    return human_readable_name(None, device.model, address)


class MiBandNinebotConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Mi Band 1/1A/1S or a Ninebot One found by Home Assistant's Bluetooth manager."""

    VERSION = 1

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
