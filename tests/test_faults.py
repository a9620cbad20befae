"""Faults around the link, through Home Assistant: each ends with the entities right again.

Refused connects of each class bleak-retry-connector tells apart, a proxy out of connection
slots, the proxy vanishing and returning, the entry reloading during a measurement. The plugin's
checks add: no lingering task or timer after any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import logging

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.const import DOMAIN
from emulator import catalog
from emulator.band import MiBand
from emulator.peripheral import ConnectFault, Peripheral
from emulator.proxy import VirtualProxy

from . import add_entry_via_discovery, device_id, settle, until

AddDevice = Callable[[Peripheral], Peripheral]


def _state(hass: HomeAssistant, platform: Platform, address: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{address}_{key}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("fault", list(ConnectFault), ids=[fault.value for fault in ConnectFault])
async def test_refused_connects_of_every_class_end_with_the_wheel_back(
    hass: HomeAssistant,
    add_device: AddDevice,
    fault: ConnectFault,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wheel = add_device(catalog.ninebot_one_e())
    await add_entry_via_discovery(hass, wheel)
    caplog.set_level(logging.INFO)
    wheel.refuse_connects(10, fault)  # more than one round of bleak-retry-connector's (4 or 9)

    wheel.drop_link()
    await settle(hass)

    assert _state(hass, Platform.BINARY_SENSOR, wheel.address, "connected") == STATE_OFF
    assert _state(hass, Platform.SENSOR, wheel.address, "speed") == STATE_UNAVAILABLE
    # Each backoff step moves the clock; no link is open meanwhile, so only our timer fires.
    for _ in range(10):
        if wheel.connection is not None:
            break
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
        await settle(hass)

    assert wheel.connection is not None
    await until(lambda: _state(hass, Platform.SENSOR, wheel.address, "speed") != STATE_UNAVAILABLE)
    assert caplog.text.count("is unavailable") == 1  # once, not per failed attempt
    assert caplog.text.count("is available again") == 1
    assert "Traceback" not in caplog.text


@pytest.mark.usefixtures("no_backoff")
async def test_proxy_out_of_connection_slots_then_a_free_one(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    wheel = add_device(catalog.ninebot_one_e())
    await add_entry_via_discovery(hass, wheel)
    proxy.connection_slots = 0  # another integration took them all

    wheel.drop_link()
    await settle(hass)
    assert wheel.connection is None
    assert _state(hass, Platform.BINARY_SENSOR, wheel.address, "connected") == STATE_OFF

    proxy.connection_slots = 3
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)

    assert wheel.connection is not None
    assert _state(hass, Platform.BINARY_SENSOR, wheel.address, "connected") == STATE_ON


async def test_proxy_vanishing_and_returning(
    hass: HomeAssistant,
    add_device: AddDevice,
    proxy: VirtualProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An ESPHome proxy rebooting: its links drop, and everything comes back through it."""
    wheel = add_device(catalog.ninebot_one_e())
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_entry_via_discovery(hass, wheel)
    await add_entry_via_discovery(hass, band)
    caplog.set_level(logging.DEBUG, logger="bleak_retry_connector")
    caplog.clear()

    proxy.stop()
    await settle(hass)
    assert wheel.connection is None
    assert band.connection is None
    for device in (wheel, band):
        assert _state(hass, Platform.BINARY_SENSOR, device.address, "connected") == STATE_OFF
    # Home Assistant still lists both devices, but nothing could reach them: no futile dialling
    # (which bleak-retry-connector would spend half a minute on).
    assert [r.message for r in caplog.records if r.name == "bleak_retry_connector"] == []

    proxy.start()  # registers again and advertises what is in range
    await settle(hass)
    # Until Home Assistant forgot the devices, the first advertisement is no news: the backoff
    # timer brings the links back (no link is open, so moving the clock fires only that).
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)

    for device in (wheel, band):
        assert _state(hass, Platform.BINARY_SENSOR, device.address, "connected") == STATE_ON
    assert band.authenticated  # with the stored user id, no tap


async def test_entry_reload_during_a_measurement_fails_it_cleanly(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    entry = await add_entry_via_discovery(hass, band)
    measurement = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "measure_heart_rate",
            {"device_id": device_id(hass, band.address)},
            blocking=True,
            return_response=True,
        )
    )
    await until(lambda: band.heart_rate_commands[-1:] == [b"\x15\x02\x01"])

    assert await hass.config_entries.async_reload(entry.entry_id)
    with pytest.raises(HomeAssistantError) as raised:
        await measurement
    await settle(hass)

    assert raised.value.translation_key == "cannot_connect"
    assert _state(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON
    assert band.authenticated
