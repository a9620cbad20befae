"""`last_seen` for both kinds: the newer of the latest advertisement and the latest link data.

Through the virtual proxy (two of them, for who heard it best) and through an emulated ESPHome
proxy. The wall clock is frozen (`frozen_time`) and moved by hand, so that each time shown is the
moment of the advertisement or the data that moved it; the event loop runs on the real clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import bluetooth
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.const import DOMAIN
from custom_components.miband_ninebot.link_entities import (
    LAST_SEEN_LOOK_INTERVAL,
    LAST_SEEN_WRITE_INTERVAL,
)
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.link.peripheral import Peripheral
from emulator.transports.esphome import EmulatedESPHomeProxy
from emulator.transports.virtual_proxy import DEFAULT_SOURCE, VirtualProxy

from . import (
    add_entry_via_discovery,
    entity_id_of,
    let_bluetooth_forget_unheard_devices,
    record_states,
    release_link,
    settle,
    state_of,
    until,
)
from .helpers.band import add_band
from .helpers.wheel import add_wheel, make_wheel

AddDevice = Callable[[Peripheral], Peripheral]

pytestmark = pytest.mark.usefixtures("frozen_time")

SECOND_SOURCE = "AA:BB:CC:00:00:02"


def _last_seen(hass: HomeAssistant, address: str) -> State:
    state = hass.states.get(entity_id_of(hass, Platform.SENSOR, address, "last_seen"))
    assert state is not None
    return state


def _shown(hass: HomeAssistant, address: str) -> datetime:
    return dt_util.parse_datetime(_last_seen(hass, address).state, raise_on_error=True)


def _at(shown: datetime, moment: datetime) -> bool:
    """Shown as `moment`: a state keeps whole seconds, and an advertisement's time comes from
    Home Assistant's monotonic clock (running on), converted to the wall clock (frozen)."""
    return moment - timedelta(seconds=1) <= shown <= moment


def _scanner_name(hass: HomeAssistant, source: str) -> str:
    scanner = bluetooth.async_scanner_by_source(hass, source)
    assert scanner is not None
    return scanner.name


async def _a_minute_later(hass: HomeAssistant, frozen: FrozenDateTimeFactory) -> datetime:
    """Move the wall clock past the write interval; returns the new time."""
    frozen.tick(LAST_SEEN_WRITE_INTERVAL + timedelta(seconds=1))
    return dt_util.utcnow()


async def _look_again(hass: HomeAssistant) -> None:
    """Let the sensor's timer fire (the wall clock has moved already)."""
    async_fire_time_changed(hass, dt_util.utcnow() + LAST_SEEN_LOOK_INTERVAL)
    await settle(hass)


@pytest.fixture
async def released_wheel(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> Peripheral:
    """A wheel added, then its link switched off: it advertises, nothing connects."""
    wheel, _entry = await add_wheel(hass, add_device)
    await release_link(hass, wheel.address)
    return wheel


async def test_entity_is_a_diagnostic_timestamp_for_both_kinds(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _band_entry = await add_band(hass, add_device)
    wheel, _wheel_entry = await add_wheel(hass, add_device)
    registry = er.async_get(hass)
    for address in (band.address, wheel.address):
        entity_id = entity_id_of(hass, Platform.SENSOR, address, "last_seen")
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.unique_id == f"{address}_last_seen"
        assert (entry.translation_key, entry.original_device_class, entry.entity_category) == (
            "last_seen",
            "timestamp",
            "diagnostic",
        )
        assert entry.disabled_by is None
        state = _last_seen(hass, address)
        assert _at(_shown(hass, address), dt_util.utcnow())  # heard just now
        name = _scanner_name(hass, DEFAULT_SOURCE)
        assert state.attributes["heard_by"] == name
        assert state.attributes["source"] == DEFAULT_SOURCE
        assert isinstance(state.attributes["rssi"], int)
        assert state.attributes["connected_via"] == name


async def test_a_connected_band_is_seen_by_its_link_without_advertising(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    band, _entry = await add_band(hass, add_device)
    assert isinstance(band, MiBand)
    before = _shown(hass, band.address)

    later = await _a_minute_later(hass, frozen_time)
    band.walk(10)  # a realtime steps notification; no advertisement: the band is connected
    await settle(hass)
    await _look_again(hass)

    assert _shown(hass, band.address) == later > before
    assert _last_seen(hass, band.address).attributes["connected_via"] == _scanner_name(
        hass, DEFAULT_SOURCE
    )


async def test_a_released_device_is_seen_by_its_advertisements(
    hass: HomeAssistant,
    released_wheel: Peripheral,
    proxy: VirtualProxy,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    wheel = released_wheel
    assert _last_seen(hass, wheel.address).attributes["connected_via"] is None

    later = await _a_minute_later(hass, frozen_time)
    proxy.advertise(wheel, rssi=-71)
    await _look_again(hass)

    state = _last_seen(hass, wheel.address)
    assert _at(_shown(hass, wheel.address), later)
    assert state.attributes["rssi"] == -71


async def test_a_polled_wheel_is_written_once_a_minute(
    hass: HomeAssistant, add_device: AddDevice, frozen_time: FrozenDateTimeFactory
) -> None:
    wheel, entry = await add_wheel(hass, add_device)
    states = record_states(hass, entity_id_of(hass, Platform.SENSOR, wheel.address, "last_seen"))

    async def polled_for(seconds: float) -> None:
        frozen_time.tick(timedelta(seconds=seconds))
        cycles = entry.runtime_data.session.stats.live_cycles
        await until(lambda: entry.runtime_data.session.stats.live_cycles > cycles + 2)
        await _look_again(hass)

    await polled_for(30)
    await polled_for(20)
    assert states == []  # polled, heard: the time moved, but less than a minute ago
    assert entry.runtime_data.link.last_seen.when == dt_util.utcnow()

    await polled_for(15)
    assert [state.state for state in states] == [dt_util.utcnow().isoformat()]
    await polled_for(30)
    assert len(states) == 1


async def test_a_device_back_after_it_was_gone_is_written_at_once(
    hass: HomeAssistant,
    released_wheel: Peripheral,
    proxy: VirtualProxy,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    wheel, address = released_wheel, released_wheel.address
    proxy.remove(address)
    await let_bluetooth_forget_unheard_devices(hass, seconds=1000)
    assert state_of(hass, Platform.BINARY_SENSOR, address, "in_range") == STATE_OFF
    gone = _last_seen(hass, address)
    assert gone.attributes["heard_by"] == _scanner_name(hass, DEFAULT_SOURCE)  # the last place

    frozen_time.tick(timedelta(seconds=10))  # less than the write interval
    wheel.return_to_range()
    proxy.add(wheel)
    await settle(hass)

    assert state_of(hass, Platform.BINARY_SENSOR, address, "in_range") == STATE_ON
    assert _at(_shown(hass, address), dt_util.utcnow())


async def _band(hass: HomeAssistant, add_device: AddDevice) -> Peripheral:
    return (await add_band(hass, add_device))[0]


async def _wheel(hass: HomeAssistant, add_device: AddDevice) -> Peripheral:
    return (await add_wheel(hass, add_device))[0]


@pytest.mark.parametrize("add", [_band, _wheel], ids=["band", "wheel"])
async def test_the_proxy_that_hears_it_best_is_named_at_once(
    hass: HomeAssistant,
    add_device: AddDevice,
    proxy: VirtualProxy,
    add: Callable[[HomeAssistant, AddDevice], Awaitable[Peripheral]],
) -> None:
    device = await add(hass, add_device)
    second = VirtualProxy(SECOND_SOURCE, "Second proxy")
    second.start()
    try:
        states = record_states(
            hass, entity_id_of(hass, Platform.SENSOR, device.address, "last_seen")
        )
        proxy.advertise(device, rssi=-90)
        second.add(device)
        second.advertise(device, rssi=-40)
        await settle(hass)
        if not hasattr(bluetooth, "async_register_advertisement_callback"):
            await _look_again(hass)  # 2025.8 calls back for changed advertisements only
        await until(lambda: states)  # no minute waited: the place changed

        attributes: dict[str, Any] = dict(_last_seen(hass, device.address).attributes)
        assert (attributes["heard_by"], attributes["source"]) == (
            _scanner_name(hass, SECOND_SOURCE),
            SECOND_SOURCE,
        )
        # Written once: the RSSI the second proxy heard next (-40) alone waits for the minute.
        assert attributes["rssi"] in (-60, -40)
        assert len(states) == 1
        # The link still goes through the first: it was the best path when it was made.
        assert attributes["connected_via"] == _scanner_name(hass, DEFAULT_SOURCE)
    finally:
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)
        second.stop()
        await settle(hass)


async def _through_esphome(
    hass: HomeAssistant,
    esphome_proxy: EmulatedESPHomeProxy,
    device: Peripheral,
    frozen_time: FrozenDateTimeFactory,
    link_data: Callable[[], None],
) -> None:
    """The device behind the proxy: named by it, moved by its link data."""
    source = esphome_proxy.identity.bluetooth_mac_address
    state = _last_seen(hass, device.address)
    name = _scanner_name(hass, source)
    assert (state.attributes["heard_by"], state.attributes["source"]) == (name, source)
    assert state.attributes["connected_via"] == name
    before = _shown(hass, device.address)
    [entry] = hass.config_entries.async_entries(DOMAIN)

    later = await _a_minute_later(hass, frozen_time)
    link_data()
    # Over the proxy's TCP connection: stamped once it has come through.
    await until(lambda: entry.runtime_data.link.last_seen.link_data == later)
    await _look_again(hass)
    assert _shown(hass, device.address) == later > before


async def test_band_through_an_esphome_proxy(
    hass: HomeAssistant,
    add_esphome_device: AddDevice,
    esphome_proxy: EmulatedESPHomeProxy,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    band, _entry = await add_band(hass, add_esphome_device, catalog.mi_band_1s())
    await _through_esphome(hass, esphome_proxy, band, frozen_time, lambda: band.walk(5))


async def test_wheel_through_an_esphome_proxy(
    hass: HomeAssistant,
    add_esphome_device: AddDevice,
    esphome_proxy: EmulatedESPHomeProxy,
    frozen_time: FrozenDateTimeFactory,
) -> None:
    wheel = add_esphome_device(make_wheel())
    await add_entry_via_discovery(hass, wheel)
    await _through_esphome(hass, esphome_proxy, wheel, frozen_time, lambda: None)  # it is polled
