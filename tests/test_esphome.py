"""The band and the wheel behind an ESPHome Bluetooth proxy, as most users reach them.

Home Assistant's own esphome integration is added through its config flow against an emulated
proxy on 127.0.0.1; from there everything is the real path: esphome -> aioesphomeapi (TCP, the
native API) -> bleak-esphome's scanner and client (slots, GATT cache, client-written CCCDs) ->
habluetooth -> bleak-retry-connector -> this integration. The proxy carries the same emulated
devices, through the same link model, as the virtual proxy of the other tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import logging
from typing import Any

from aioesphomeapi.ble_defs import BLEConnectionError
from homeassistant.const import (
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.miband_ninebot.const import DOMAIN
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import NOTIFICATION, USER_INFO, VENDOR_SERVICE
from emulator.devices.wheel import NinebotOne, NinebotOneS2
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT, LOCAL_HOST_TERMINATED
from emulator.transports.esphome import EmulatedESPHomeProxy

from . import (
    add_entry_via_discovery,
    assert_one_outage_logged,
    complaints,
    device_entry,
    device_id,
    entity_id_of,
    record_states,
    settle,
    state_of,
    until,
)
from .helpers.band import add_band, measure_heart_rate
from .helpers.esphome import ESPHomeProxies
from .helpers.wheel import EXPECTED, make_wheel

AddDevice = Callable[[Peripheral], Peripheral]

ESP_GATT_CONN_FAIL_ESTABLISH = BLEConnectionError.ESP_GATT_CONN_FAIL_ESTABLISH.value


def _shown(hass: HomeAssistant, address: str) -> dict[str, tuple[str, Any]]:
    states = {key: hass.states.get(entity_id_of(hass, "sensor", address, key)) for key in EXPECTED}
    return {
        key: (state.state, state.attributes.get(ATTR_UNIT_OF_MEASUREMENT))
        for key, state in states.items()
        if state is not None
    }


@pytest.fixture
async def wheel(
    hass: HomeAssistant, add_esphome_device: AddDevice, caplog: pytest.LogCaptureFixture
) -> NinebotOne:
    """A wheel behind the proxy, added from discovery; the outage logs of the test are kept."""
    wheel = add_esphome_device(make_wheel())
    assert isinstance(wheel, NinebotOne)
    await add_entry_via_discovery(hass, wheel)
    caplog.set_level(logging.INFO)
    return wheel


def _connected(hass: HomeAssistant, device: Peripheral) -> bool:
    return state_of(hass, Platform.BINARY_SENSOR, device.address, "connected") == STATE_ON


async def _through_the_backoff(hass: HomeAssistant, device: Peripheral) -> None:
    """Move the clock one backoff step at a time until the device is connected again.

    No link is open meanwhile, so only the coordinator's retry timer fires.
    """
    await settle(hass)
    for _ in range(5):
        if _connected(hass, device):
            break
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
        await settle(hass)
    await until(lambda: _connected(hass, device))


# -- what a user sees first ----------------------------------------------------------------------


async def test_proxy_added_by_host_and_port_shows_as_an_esphome_device_with_its_slots(
    hass: HomeAssistant,
    esphome_proxy: EmulatedESPHomeProxy,
    hass_ws_client: WebSocketGenerator,
) -> None:
    [entry] = hass.config_entries.async_entries("esphome")
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert (dr.CONNECTION_NETWORK_MAC, "ac:67:b2:00:01:01") in device.connections
    # A ready-made proxy's project (esphome.bluetooth-proxy) names its maker and model.
    assert (device.name, device.manufacturer, device.model, device.sw_version) == (
        "Bluetooth proxy",
        "esphome",
        "bluetooth-proxy",
        "26.10.0 (ESPHome 2026.10.2)",
    )
    # What the Bluetooth panel shows of the proxy's connection slots, asked the panel's way.
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "bluetooth/subscribe_connection_allocations"})
    assert (await client.receive_json())["success"]
    allocations = (await client.receive_json())["event"]
    assert allocations == [{"source": "AC:67:B2:00:01:03", "slots": 3, "free": 3, "allocated": []}]


async def test_band_behind_the_proxy_is_discovered_and_paired_with_a_tap(
    hass: HomeAssistant, add_esphome_device: AddDevice, esphome_proxy: EmulatedESPHomeProxy
) -> None:
    band, entry = await add_band(hass, add_esphome_device)

    assert entry.title == "Mi Band 1S (7E51)"
    assert state_of(hass, Platform.SENSOR, band.address, "steps") == "1234"
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON
    assert device_entry(hass, band.address).model == "Mi Band 1S"
    # The pairing link was given back, then the coordinator's took the slot.
    assert esphome_proxy.allocated == [band.address]
    assert esphome_proxy.disconnects == [(band.address, LOCAL_HOST_TERMINATED)]


async def test_wheel_behind_the_proxy_is_discovered_and_shows_exactly_its_values(
    hass: HomeAssistant, add_esphome_device: AddDevice
) -> None:
    wheel = add_esphome_device(make_wheel())
    await add_entry_via_discovery(hass, wheel)

    assert _shown(hass, wheel.address) == EXPECTED
    assert wheel.writes == []


async def test_wheel_live_data_follows_the_ride_through_the_proxy(
    hass: HomeAssistant, add_esphome_device: AddDevice
) -> None:
    wheel = add_esphome_device(make_wheel())
    entry = await add_entry_via_discovery(hass, wheel)
    cycles = entry.runtime_data.session.stats.live_cycles

    wheel.state.speed = 21.5
    wheel.state.battery = 66
    await until(lambda: state_of(hass, Platform.SENSOR, wheel.address, "speed") == "21.5")

    assert state_of(hass, Platform.SENSOR, wheel.address, "battery") == "66"
    assert entry.runtime_data.session.stats.live_cycles > cycles


async def test_s2_behind_the_proxy_is_discovered_by_its_manufacturer_data_and_read(
    hass: HomeAssistant, add_esphome_device: AddDevice
) -> None:
    """The S2's company data crosses the proxy's raw advertisements; its Nordic UART the API."""
    wheel = add_esphome_device(catalog.ninebot_one_s2())
    assert isinstance(wheel, NinebotOneS2)
    wheel.state.speed = 17.25
    entry = await add_entry_via_discovery(hass, wheel)

    assert entry.data["model"] == "Ninebot One S2"
    assert state_of(hass, Platform.SENSOR, wheel.address, "speed") == "17.25"


async def test_wheel_lock_through_the_proxy_at_standstill(
    hass: HomeAssistant, add_esphome_device: AddDevice
) -> None:
    """The one write the integration makes, and its read-back, over the native API."""
    wheel = add_esphome_device(make_wheel())
    entry = await add_entry_via_discovery(hass, wheel)
    wheel.state.speed = 0.0
    await until(lambda: state_of(hass, Platform.SENSOR, wheel.address, "speed") == "0.0")

    await entry.runtime_data.async_set_lock(True)

    assert wheel.state.locked
    assert [write.hex() for write in wheel.writes] == ["55aa03090370017fff"]
    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "locked") == "on"


# -- the band's heart rate ------------------------------------------------------------------------


async def test_heart_rate_on_demand_through_the_proxy(
    hass: HomeAssistant, add_esphome_device: AddDevice, esphome_proxy: EmulatedESPHomeProxy
) -> None:
    band, _entry = await add_band(hass, add_esphome_device)
    band.activity.heart_rate = 71

    assert await measure_heart_rate(hass, device_id(hass, band.address)) == {"heart_rate": 71}

    assert state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "71"
    # The band asked for its 5 s supervision timeout, the proxy granted it: no 0x08 at the
    # sensor's start.
    assert band.connection is not None
    assert band.connection.link.supervision_timeout == pytest.approx(5.0)
    assert all(reason != CONNECTION_TIMEOUT for _, reason in esphome_proxy.disconnects)


async def test_sensor_start_on_a_short_supervision_timeout_is_reported_as_0x08_and_recovers(
    hass: HomeAssistant,
    add_esphome_device: AddDevice,
    esphome_proxy: EmulatedESPHomeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The seed's failure through a proxy: the band refuses the longer timeout and drops (0x08)."""
    band = catalog.mi_band_1s()
    band.faults.refuse_parameter_update = True
    band, _entry = await add_band(hass, add_esphome_device, band)
    caplog.set_level(logging.INFO)

    with pytest.raises(HomeAssistantError) as raised:
        await measure_heart_rate(hass, device_id(hass, band.address))

    assert raised.value.translation_key == "link_lost"
    # The first try and the retry, each reported by the proxy with the HCI reason.
    assert esphome_proxy.disconnects.count((band.address, CONNECTION_TIMEOUT)) == 2
    await until(lambda: _connected(hass, band))
    assert band.authenticated
    # Two drops, each an outage of its own, each logged once.
    assert caplog.text.count("is unavailable") == caplog.text.count("is available again") == 2
    assert complaints(caplog) == []


# -- drops and recovery ---------------------------------------------------------------------------


async def test_band_drop_reconnects_reauthenticates_and_subscribes_again_before_the_user_info(
    hass: HomeAssistant, add_esphome_device: AddDevice, caplog: pytest.LogCaptureFixture
) -> None:
    """aioesphomeapi forgets notify callbacks at every disconnect: each link subscribes anew."""
    band, entry = await add_band(hass, add_esphome_device)
    caplog.set_level(logging.INFO)
    band.requests.clear()

    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.authenticated and band.connection is not None)
    await settle(hass)

    steps = band.requests
    assert steps[0] == ("connect", "")
    assert steps.index(("subscribe", NOTIFICATION)) < steps.index(("write", USER_INFO))
    assert band.known_user_ids == {entry.data["user_id"]}  # re-authenticated, no tap
    band.walk(1111)  # realtime step notifications flow again
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "2345")
    band.activity.heart_rate = 64
    assert await measure_heart_rate(hass, device_id(hass, band.address)) == {"heart_rate": 64}
    assert_one_outage_logged(caplog)
    assert complaints(caplog) == []


@pytest.mark.usefixtures("no_backoff")
async def test_wheel_out_of_the_proxy_s_range_and_back(
    hass: HomeAssistant,
    wheel: NinebotOne,
    esphome_proxy: EmulatedESPHomeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    esphome_proxy.remove(wheel.address)
    # The proxy's report is on its way over TCP: wait for what it brings about.
    await until(lambda: not _connected(hass, wheel))
    await settle(hass)
    assert (wheel.address, CONNECTION_TIMEOUT) in esphome_proxy.disconnects

    esphome_proxy.add(wheel)
    await settle(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await until(lambda: _connected(hass, wheel))
    await settle(hass)
    assert _shown(hass, wheel.address) == EXPECTED
    assert_one_outage_logged(caplog)
    assert complaints(caplog) == []


# -- the proxy's own faults -----------------------------------------------------------------------


@pytest.mark.usefixtures("no_backoff")
async def test_all_slots_taken_by_other_devices_then_one_freed(
    hass: HomeAssistant,
    wheel: NinebotOne,
    esphome_proxy: EmulatedESPHomeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    others = ["11:22:33:44:55:01", "11:22:33:44:55:02", "11:22:33:44:55:03"]

    wheel.drop_link()
    esphome_proxy.occupy_slots(others)  # other integrations' devices take all three meanwhile
    await until(lambda: not _connected(hass, wheel))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)
    assert wheel.connection is None
    assert sorted(esphome_proxy.allocated) == others

    esphome_proxy.release_slot(others[0])
    # Nothing tells the coordinator that a slot is free: its backoff timer brings the wheel.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await until(lambda: _connected(hass, wheel))

    assert sorted(esphome_proxy.allocated) == sorted([wheel.address, *others[1:]])
    assert _shown(hass, wheel.address) == EXPECTED
    assert_one_outage_logged(caplog)
    assert complaints(caplog) == []


async def test_proxy_tcp_connection_lost_and_back(
    hass: HomeAssistant,
    add_esphome_device: AddDevice,
    esphome_proxy: EmulatedESPHomeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Wi-Fi gone for a moment: the proxy keeps running but closes the links it held for us."""
    wheel = add_esphome_device(make_wheel())
    band = add_esphome_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    for entry in (
        await add_entry_via_discovery(hass, wheel),
        await add_entry_via_discovery(hass, band),
    ):
        # The coordinators' retry timers out of the way: the proxy's return brings them back.
        entry.runtime_data.link.backoff.initial = 3600
    caplog.set_level(logging.INFO)

    esphome_proxy.drop_api_connections()
    await until(lambda: not _connected(hass, wheel) and not _connected(hass, band))
    await _proxy_back_on_the_network(esphome_proxy)
    await until(lambda: _connected(hass, wheel) and _connected(hass, band))

    assert band.authenticated  # with the stored user id, no tap
    assert _shown(hass, wheel.address) == EXPECTED
    band.activity.heart_rate = 66
    assert await measure_heart_rate(hass, device_id(hass, band.address)) == {"heart_rate": 66}
    assert caplog.text.count("is unavailable") == 2  # once per device
    assert caplog.text.count("is available again") == 2
    assert _no_complaints_but_esphome_s(caplog)


async def test_proxy_rebooting(
    hass: HomeAssistant,
    wheel: NinebotOne,
    esphome_proxy: EmulatedESPHomeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The ESP32 restarts: gone from the network, its links time out, then it is back."""
    [entry] = hass.config_entries.async_entries(DOMAIN)
    # The coordinator's retry timer out of the way: what brings the wheel back is the proxy.
    entry.runtime_data.link.backoff.initial = 3600

    await esphome_proxy.reboot(downtime=0.2)
    await until(lambda: not _connected(hass, wheel))
    await _proxy_back_on_the_network(esphome_proxy)
    # Home Assistant forgot the wheel with the proxy's scanner; its first advertisement through
    # the proxy brings it back, without waiting out the coordinator's backoff.
    await until(lambda: _connected(hass, wheel))

    assert esphome_proxy.boots == 2
    assert (wheel.address, CONNECTION_TIMEOUT) in esphome_proxy.disconnects
    assert _shown(hass, wheel.address) == EXPECTED
    assert_one_outage_logged(caplog)
    assert _no_complaints_but_esphome_s(caplog)


async def _proxy_back_on_the_network(proxy: EmulatedESPHomeProxy) -> None:
    """Wait for Home Assistant to be subscribed to the proxy again.

    esphome's reconnect logic dials again after its own pause (2 s, real time; a real proxy's
    mDNS announcement would cut it short, and there is no mDNS here).
    """
    async with asyncio.timeout(10):  # a bound for a broken test, not a timing claim
        while not proxy.scanning_for:  # noqa: ASYNC110 - no event to await across TCP
            await asyncio.sleep(0.05)


def _no_complaints_but_esphome_s(caplog: pytest.LogCaptureFixture) -> bool:
    """Nothing went wrong but the proxy's outage itself, which esphome logs as a warning."""
    outage = ("homeassistant.components.esphome", "aioesphomeapi.reconnect_logic")
    return [line for line in complaints(caplog) if not line.startswith(outage)] == []


# -- two proxies ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_backoff")
async def test_wheel_moving_to_a_second_proxy_whose_first_connect_fails(
    hass: HomeAssistant, esphome_proxies: ESPHomeProxies, caplog: pytest.LogCaptureFixture
) -> None:
    """From the garage's proxy to the hall's, whose first connect fails (bleak-esphome#438)."""
    garage = await esphome_proxies.add()
    hall = await esphome_proxies.add()
    wheel = make_wheel()
    esphome_proxies.place(wheel, garage, rssi=-55)
    esphome_proxies.place(wheel, hall, rssi=-90)
    await add_entry_via_discovery(hass, wheel)
    assert garage.allocated == [wheel.address]
    caplog.set_level(logging.INFO)

    hall.answer_connects_with_error(1)
    garage.remove(wheel.address)  # wheeled out of the garage's range...
    hall.rssi[wheel.address] = -50  # ...into the hall
    hall.advertise_now()
    await until(lambda: not _connected(hass, wheel))
    await _through_the_backoff(hass, wheel)

    assert hall.allocated == [wheel.address]
    assert garage.allocated == []
    # Through the hall: the connect that failed, then the one that holds.
    assert hall.connect_requests == [wheel.address, wheel.address]
    assert hall.disconnects == [(wheel.address, ESP_GATT_CONN_FAIL_ESTABLISH)]
    assert _shown(hass, wheel.address) == EXPECTED
    assert_one_outage_logged(caplog)
    assert complaints(caplog) == []


# -- the GATT cache -------------------------------------------------------------------------------


async def test_band_with_new_firmware_is_read_through_its_new_attribute_table(
    hass: HomeAssistant,
    add_esphome_device: AddDevice,
    esphome_proxy: EmulatedESPHomeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """bleak-esphome keeps each device's services across connections; a firmware update moves
    every handle (home-assistant/core#83192, #90318), and nothing may be read at an old one."""
    band, _entry = await add_band(hass, add_esphome_device)
    caplog.set_level(logging.INFO)
    band.activity.heart_rate = 0  # a reading from a wrong handle would show as some number

    written = {
        key: record_states(hass, entity_id_of(hass, Platform.SENSOR, band.address, key))
        for key in ("steps", "battery", "heart_rate")
    }

    band.update_firmware("4.16.5.0")  # restarts: the link drops, the table has moved
    await until(lambda: not _connected(hass, band))
    await _through_the_backoff(hass, band)

    assert band.authenticated
    assert band.gatt.services[0].uuid == VENDOR_SERVICE  # it is the new table that answered
    band.activity.heart_rate = 58
    assert await measure_heart_rate(hass, device_id(hass, band.address)) == {"heart_rate": 58}
    await hass.async_block_till_done()
    # Nothing read at an old handle ever reached a state: each value is the band's or none.
    assert {key: {state.state for state in states} for key, states in written.items()} == {
        "steps": {STATE_UNAVAILABLE, "1234"},
        "battery": set(),  # the last level stays on show while the band is away
        "heart_rate": {STATE_UNAVAILABLE, STATE_UNKNOWN, "58"},
    }
    assert_one_outage_logged(caplog)
    assert complaints(caplog) == []
