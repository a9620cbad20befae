"""Emulated ESPHome Bluetooth proxies, added to Home Assistant through the esphome config flow."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.components import bluetooth
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from emulator.link.peripheral import Peripheral
from emulator.transports.esphome import EmulatedESPHomeProxy, ProxyIdentity

from .. import TEST_TIMING, settle, until


async def add_esphome_proxy(hass: HomeAssistant, proxy: EmulatedESPHomeProxy) -> ConfigEntry:
    """Add an ESPHome proxy the way a user does: the esphome flow, its host and port.

    Returns once the proxy's scanner is on Home Assistant's Bluetooth manager.
    """
    result = await hass.config_entries.flow.async_init("esphome", context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: proxy.port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await add_esphome_proxy_settled(hass, proxy)
    return result["result"]


async def add_esphome_proxy_settled(hass: HomeAssistant, proxy: EmulatedESPHomeProxy) -> None:
    """Wait until the proxy's scanner is on Home Assistant's Bluetooth manager."""
    await settle(hass)
    source = proxy.identity.bluetooth_mac_address
    await until(lambda: bluetooth.async_scanner_by_source(hass, source) is not None)


class ESPHomeProxies:
    """Emulated ESPHome proxies, each added to Home Assistant through the esphome config flow."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.proxies: list[EmulatedESPHomeProxy] = []

    async def add(
        self,
        *,
        connection_slots: int = 3,
        time_scale: float = TEST_TIMING.time_scale,
        configured_scan_active: bool = True,
        scan_mode_option: str | None = None,
    ) -> EmulatedESPHomeProxy:
        """Boot one more proxy and add it as a user does (host and port in the esphome flow).

        `configured_scan_active` is the proxy's YAML (ESPHome's default: active);
        `scan_mode_option` the esphome entry's scanning mode, where Home Assistant has one
        (2026.x: "auto" unless set).
        """
        proxy = EmulatedESPHomeProxy(
            ProxyIdentity.numbered(len(self.proxies) + 1),
            connection_slots=connection_slots,
            time_scale=time_scale,
            configured_scan_active=configured_scan_active,
        )
        await proxy.start()
        self.proxies.append(proxy)
        entry = await add_esphome_proxy(self.hass, proxy)
        if scan_mode_option is not None:
            self.hass.config_entries.async_update_entry(
                entry, options={**entry.options, "bluetooth_scanning_mode": scan_mode_option}
            )
            assert await self.hass.config_entries.async_reload(entry.entry_id)
            await add_esphome_proxy_settled(self.hass, proxy)
        return proxy

    @staticmethod
    def place(peripheral: Peripheral, proxy: EmulatedESPHomeProxy, rssi: int = -60) -> None:
        """Put a device in a proxy's range, heard at this RSSI, on the fast test time scale."""
        peripheral.timing = replace(peripheral.timing, time_scale=TEST_TIMING.time_scale)
        proxy.rssi[peripheral.address] = rssi
        proxy.add(peripheral)
