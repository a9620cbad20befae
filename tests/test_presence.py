"""Presence for both kinds: `in_range` and `signal_strength` from Home Assistant's Bluetooth.

From the advertisements any adapter or proxy hears (connectable or not), with no connection made
for them; a held link counts as heard, since devices stop advertising while connected. Gone is
what Home Assistant's Bluetooth declares gone (`let_bluetooth_forget_unheard_devices` moves its
clock on).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from homeassistant.components import bluetooth
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.link_entities import RSSI_REFRESH
from emulator.devices import catalog
from emulator.link.peripheral import Peripheral
from emulator.transports.virtual_proxy import VirtualProxy

from . import entity_id_of, let_bluetooth_forget_unheard_devices, release_link, settle, state_of
from .helpers.band import add_band
from .helpers.wheel import add_wheel

AddDevice = Callable[[Peripheral], Peripheral]


async def test_a_released_wheel_is_in_range_while_heard_and_leaves_without_a_connection(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    wheel, _entry = await add_wheel(hass, add_device)
    address = wheel.address
    assert state_of(hass, Platform.BINARY_SENSOR, address, "in_range") == STATE_ON
    # Diagnostic and disabled by default; enabled here, it shows the advertisement's RSSI.
    signal_id = entity_id_of(hass, Platform.SENSOR, address, "signal_strength")
    registry = er.async_get(hass)
    assert registry.async_get(signal_id).disabled_by is er.RegistryEntryDisabler.INTEGRATION
    registry.async_update_entity(signal_id, disabled_by=None)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))  # HA reloads it
    await settle(hass)

    await release_link(hass, address)
    attempts = wheel.connect_attempts
    proxy.advertise(wheel, rssi=-71)
    async_fire_time_changed(hass, dt_util.utcnow() + RSSI_REFRESH)  # a new RSSI is read, not told
    await settle(hass)
    assert state_of(hass, Platform.BINARY_SENSOR, address, "in_range") == STATE_ON
    assert state_of(hass, Platform.SENSOR, address, "signal_strength") == "-71"

    proxy.remove(address)  # gone: no more advertisements
    await let_bluetooth_forget_unheard_devices(hass, seconds=1000)
    assert state_of(hass, Platform.BINARY_SENSOR, address, "in_range") == STATE_OFF
    assert state_of(hass, Platform.SENSOR, address, "signal_strength") == "-71"  # the last heard

    wheel.return_to_range()
    proxy.add(wheel)  # back, advertising again
    await settle(hass)
    assert state_of(hass, Platform.BINARY_SENSOR, address, "in_range") == STATE_ON
    assert wheel.connect_attempts == attempts  # presence dialled nothing


async def test_a_held_link_counts_as_heard(hass: HomeAssistant, add_device: AddDevice) -> None:
    band, _entry = await add_band(hass, add_device, catalog.mi_band_1s())
    # Connected, the band advertises no more: Home Assistant's Bluetooth declares it gone.
    await let_bluetooth_forget_unheard_devices(hass, seconds=1000)
    assert not bluetooth.async_address_present(hass, band.address, connectable=False)
    await settle(hass)
    assert band.connection is not None
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "in_range") == STATE_ON
