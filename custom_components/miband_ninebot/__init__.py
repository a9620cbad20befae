"""Mi Band 1S & Ninebot One: Bluetooth LE devices held on an authenticated, self-healing link."""

from __future__ import annotations

from homeassistant.components import bluetooth
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_ADDRESS, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady

from .const import CONF_KIND, DOMAIN, DeviceKind
from .coordinator import DeviceSession, LinkCoordinator
from .miband.session import BandSession
from .ninebot.session import WheelSession

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR]

type MiBandNinebotConfigEntry = ConfigEntry[LinkCoordinator[None]]


def _session_for(kind: DeviceKind) -> DeviceSession:
    return BandSession() if kind is DeviceKind.BAND else WheelSession()


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
    kind = DeviceKind(entry.data[CONF_KIND])
    coordinator = LinkCoordinator[None](hass, entry, ble_device, _session_for(kind), None)
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
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
