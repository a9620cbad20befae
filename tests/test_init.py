"""Setting up an entry and keeping its link: connect, drops, range, unload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_ADDRESS, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, DOMAIN
from emulator.devices import catalog
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT, LOCAL_HOST_TERMINATED
from emulator.transports.virtual_proxy import VirtualProxy

from . import add_entry_via_discovery, device_entry, let_bluetooth_forget_unheard_devices, settle

AddDevice = Callable[[Peripheral], Peripheral]


def _connected_entity(hass: HomeAssistant, address: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{address}_connected"
    )
    assert entity_id is not None
    return entity_id


async def test_setup_waits_for_a_device_home_assistant_has_not_heard(
    hass: HomeAssistant, proxy: VirtualProxy
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="C8:0F:10:00:00:99",
        data={CONF_ADDRESS: "C8:0F:10:00:00:99", CONF_KIND: "band", CONF_MODEL: "Mi Band 1S"},
    )
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason == (
        "No Bluetooth adapter or proxy that can connect has heard C8:0F:10:00:00:99 yet"
    )


@pytest.mark.parametrize(
    ("make_device", "manufacturer", "model"),
    [
        (catalog.mi_band_1s, "Xiaomi", "Mi Band 1S"),
        (catalog.ninebot_one_e, "Ninebot", "Ninebot One E"),
    ],
)
async def test_added_device_connects_and_is_registered(
    hass: HomeAssistant,
    add_device: AddDevice,
    make_device: Callable[[], Peripheral],
    manufacturer: str,
    model: str,
) -> None:
    device = add_device(make_device())
    entry = await add_entry_via_discovery(hass, device)

    assert entry.state is ConfigEntryState.LOADED
    assert device.connection is not None
    assert hass.states.get(_connected_entity(hass, device.address)).state == STATE_ON
    registered = device_entry(hass, device.address)
    assert (dr.CONNECTION_BLUETOOTH, device.address) in registered.connections
    assert (registered.manufacturer, registered.model) == (manufacturer, model)


async def test_link_drop_reconnects_by_itself(
    hass: HomeAssistant, add_device: AddDevice, caplog: pytest.LogCaptureFixture
) -> None:
    band = add_device(catalog.mi_band_1s())
    await add_entry_via_discovery(hass, band)
    entity_id = _connected_entity(hass, band.address)
    attempts = band.connect_attempts  # pairing + the entry's link
    caplog.set_level(logging.INFO)

    band.drop_link(CONNECTION_TIMEOUT)
    await hass.async_block_till_done()
    seen_while_down = hass.states.get(entity_id).state
    await settle(hass)

    assert seen_while_down == STATE_OFF
    assert hass.states.get(entity_id).state == STATE_ON
    assert band.connect_attempts == attempts + 1
    assert band.connection is not None
    assert band.authenticated  # the stored user id, no tap
    assert caplog.text.count("is unavailable: link lost") == 1
    assert caplog.text.count("is available again") == 1


async def test_device_out_of_range_is_retried_on_backoff(
    hass: HomeAssistant, add_device: AddDevice, caplog: pytest.LogCaptureFixture
) -> None:
    wheel = add_device(catalog.ninebot_one_e())
    await add_entry_via_discovery(hass, wheel)
    entity_id = _connected_entity(hass, wheel.address)
    caplog.set_level(logging.INFO)

    wheel.leave_range()
    await settle(hass)  # the immediate reconnect times out; a retry timer is pending
    attempts_while_away = wheel.connect_attempts
    assert hass.states.get(entity_id).state == STATE_OFF

    wheel.return_to_range()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await settle(hass)

    assert hass.states.get(entity_id).state == STATE_ON
    assert wheel.connect_attempts == attempts_while_away + 1
    assert caplog.text.count("is unavailable") == 1  # logged once, not per failed attempt
    assert caplog.text.count("is available again") == 1


async def test_device_declared_gone_is_not_dialled_until_it_advertises(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    band = add_device(catalog.mi_band_1s())
    await add_entry_via_discovery(hass, band)
    entity_id = _connected_entity(hass, band.address)

    proxy.remove(band.address)  # out of range: no link, no advertisements
    await settle(hass)
    await let_bluetooth_forget_unheard_devices(hass)
    attempts_when_gone = band.connect_attempts

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=30))
    await settle(hass)
    assert band.connect_attempts == attempts_when_gone  # no timer dials a gone device
    assert hass.states.get(entity_id).state == STATE_OFF

    band.return_to_range()
    add_device(band)  # its first advertisement brings it back, at once
    await settle(hass)

    assert hass.states.get(entity_id).state == STATE_ON
    assert band.connect_attempts == attempts_when_gone + 1


async def test_connected_device_that_stops_advertising_stays_up_and_returns_after_a_drop(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    """Many devices stop advertising while connected: the link, not the adverts, counts."""
    band = add_device(catalog.mi_band_1s())
    await add_entry_via_discovery(hass, band)
    entity_id = _connected_entity(hass, band.address)
    attempts = band.connect_attempts

    await let_bluetooth_forget_unheard_devices(hass)  # connected, so silent on air
    assert hass.states.get(entity_id).state == STATE_ON

    band.drop_link()
    await settle(hass)
    # Nobody hears the band, so nothing dials it...
    assert hass.states.get(entity_id).state == STATE_OFF
    assert band.connect_attempts == attempts

    proxy.advertise(band)  # ...until it advertises again after the drop, as a real band does.
    await settle(hass)
    assert hass.states.get(entity_id).state == STATE_ON
    assert band.connect_attempts == attempts + 1


async def test_unload_closes_the_link_and_reload_opens_it(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    entry = await add_entry_via_discovery(hass, band)
    attempts = band.connect_attempts

    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)

    assert entry.state is ConfigEntryState.NOT_LOADED
    assert band.connection is None
    # Pairing's connection and the entry's both closed by Home Assistant.
    assert band.disconnect_reasons == [LOCAL_HOST_TERMINATED, LOCAL_HOST_TERMINATED]
    assert band.connect_attempts == attempts  # the solicited disconnect was not "repaired"

    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert band.connection is not None
    assert hass.states.get(_connected_entity(hass, band.address)).state == STATE_ON


async def test_device_without_the_expected_gatt_table_is_not_used(
    hass: HomeAssistant, add_device: AddDevice, caplog: pytest.LogCaptureFixture
) -> None:
    """An entry's wheel that comes back without its FFE1 characteristic is never reported up.

    The config flow refuses such a device (test_config_flow); this is the entry's own check, for a
    device that answers differently later.
    """
    impostor = catalog.ninebot_one_e()
    impostor.gatt = catalog.mi_band_1s().gatt  # right name and service UUID, wrong table
    add_device(impostor)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=impostor.address,
        data={CONF_ADDRESS: impostor.address, CONF_KIND: "wheel", CONF_MODEL: "Ninebot One E"},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)

    assert hass.states.get(_connected_entity(hass, impostor.address)).state == STATE_OFF
    assert impostor.connection is None  # we hung up
    assert "0000ffe1-0000-1000-8000-00805f9b34fb: not a Ninebot One" in caplog.text
