"""Mi Band 1S & Ninebot One: Bluetooth LE devices held on an authenticated, self-healing link."""

from __future__ import annotations

from homeassistant.components import bluetooth
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_ADDRESS, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import CONF_KIND, DOMAIN, DeviceKind
from .device_coordinator import DeviceCoordinator, async_create_coordinator
from .services import async_setup_services
from .wheel.coordinator import async_remove_stores

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NOTIFY,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

type MiBandNinebotConfigEntry = ConfigEntry[DeviceCoordinator]


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
    coordinator = await async_create_coordinator(hass, entry, ble_device)
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the platforms: a restored "connection off" switch must be known before dialling.
    coordinator.async_start()
    return True


async def async_remove_entry(hass: HomeAssistant, entry: MiBandNinebotConfigEntry) -> None:
    """A removed wheel's stored figures go with it."""
    if entry.data.get(CONF_KIND) == DeviceKind.WHEEL:
        await async_remove_stores(hass, entry.data[CONF_ADDRESS])


async def async_unload_entry(hass: HomeAssistant, entry: MiBandNinebotConfigEntry) -> bool:
    """Close the link and unload the platforms."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
        # Let discovery offer the device again if the user removes the entry.
        bluetooth.async_rediscover_address(hass, entry.data[CONF_ADDRESS])
    return unloaded
