"""Mi Band 1S & Ninebot One: Bluetooth LE devices held on an authenticated, self-healing link."""

from __future__ import annotations

from typing import Any

from homeassistant.components import bluetooth
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_ADDRESS, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .band_coordinator import BandCoordinator
from .const import (
    CONF_CONNECTION_POLICY,
    CONF_KIND,
    CONF_MIN_STATE_INTERVAL,
    CONF_READ_INTERVAL,
    DOMAIN,
    DeviceKind,
)
from .coordinator import (
    DEFAULT_MIN_STATE_INTERVAL,
    DEFAULT_READ_INTERVAL,
    ConnectionPolicy,
    LinkCoordinator,
    LinkSettings,
)
from .services import async_setup_services
from .wheel_coordinator import WheelCoordinator

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NOTIFY,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

type MiBandNinebotConfigEntry = ConfigEntry[LinkCoordinator[Any]]


def link_settings(options: dict[str, Any]) -> LinkSettings:
    """The link settings an entry's options ask for, defaults where they are silent."""
    return LinkSettings(
        policy=ConnectionPolicy(options.get(CONF_CONNECTION_POLICY, ConnectionPolicy.HOLD)),
        read_interval=float(options.get(CONF_READ_INTERVAL, DEFAULT_READ_INTERVAL)),
        min_state_interval=float(options.get(CONF_MIN_STATE_INTERVAL, DEFAULT_MIN_STATE_INTERVAL)),
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services once: they find the band they act on by its device id."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MiBandNinebotConfigEntry) -> bool:
    """Set up a band or a wheel from a config entry."""
    address: str = entry.data[CONF_ADDRESS]
    ble_device = bluetooth.async_ble_device_from_address(hass, address, connectable=True)
    if ble_device is None:
        # Nothing connectable has heard the device since Home Assistant started; HA retries.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"address": address},
        )
    settings = link_settings(dict(entry.options))
    coordinator: LinkCoordinator[Any]
    if DeviceKind(entry.data[CONF_KIND]) is DeviceKind.WHEEL:
        coordinator = WheelCoordinator(hass, entry, ble_device, settings)
        await coordinator.async_load()
    else:
        coordinator = BandCoordinator(hass, entry, ble_device, settings)
        await coordinator.async_load()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the platforms: a restored "connection off" switch must be known before dialling.
    coordinator.async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MiBandNinebotConfigEntry) -> bool:
    """Close the link and unload the platforms."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
        # Let discovery offer the device again if the user removes the entry.
        bluetooth.async_rediscover_address(hass, entry.data[CONF_ADDRESS])
    return unloaded
