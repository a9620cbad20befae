"""Faults around the link, through Home Assistant: each ends with the entities right again.

Refused connects of each class bleak-retry-connector tells apart, a proxy out of connection
slots, the proxy vanishing and returning, the entry reloading during a measurement, a drop at
every step of the wheel's first reading, Home Assistant stopping during a connect or a
measurement, the band leaving range during its initialisation. The plugin's checks add: no
lingering task or timer after any of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
import logging
from typing import Any

from bleak.exc import BleakError
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.const import CONF_USER_ID, DOMAIN
from custom_components.miband_ninebot.ninebot import client as wheel_client
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import USER_INFO
from emulator.devices.wheel import NinebotOne
from emulator.link.peripheral import ConnectFault, Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT, LinkTiming
from emulator.transports.virtual_proxy import VirtualBleakClient, VirtualProxy

from . import (
    add_entry_via_discovery,
    assert_one_outage_logged,
    complaints,
    device_entry,
    device_id,
    entity_id_of,
    let_bluetooth_forget_unheard_devices,
    record_states,
    settle,
    state_of,
    until,
)
from .helpers.band import INIT_STEP_IDS, INIT_STEPS, add_band

AddDevice = Callable[[Peripheral], Peripheral]


async def _measurement_under_way(hass: HomeAssistant, band: MiBand) -> asyncio.Task[Any]:
    """Call the measurement service in the background; return once the sensor was started."""
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
    return measurement


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

    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "connected") == STATE_OFF
    assert state_of(hass, Platform.SENSOR, wheel.address, "speed") == STATE_UNAVAILABLE
    # Each backoff step moves the clock; no link is open meanwhile, so only our timer fires.
    for _ in range(10):
        if wheel.connection is not None:
            break
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
        await settle(hass)

    assert wheel.connection is not None
    await until(
        lambda: state_of(hass, Platform.SENSOR, wheel.address, "speed") != STATE_UNAVAILABLE
    )
    assert_one_outage_logged(caplog)


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
    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "connected") == STATE_OFF

    proxy.connection_slots = 3
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)

    assert wheel.connection is not None
    assert state_of(hass, Platform.BINARY_SENSOR, wheel.address, "connected") == STATE_ON


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
        assert state_of(hass, Platform.BINARY_SENSOR, device.address, "connected") == STATE_OFF
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
        assert state_of(hass, Platform.BINARY_SENSOR, device.address, "connected") == STATE_ON
    assert band.authenticated  # with the stored user id, no tap


async def test_entry_reload_during_a_measurement_fails_it_cleanly(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, entry = await add_band(hass, add_device)
    measurement = await _measurement_under_way(hass, band)

    assert await hass.config_entries.async_reload(entry.entry_id)
    with pytest.raises(HomeAssistantError) as raised:
        await measurement
    await settle(hass)

    assert raised.value.translation_key == "cannot_connect"
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON
    assert band.authenticated


# Where a drop can cut the wheel's first reading on a connection: (first register of the read,
# notifications of its answer that had arrived; 0 = the drop met the request). The identity
# (0x10 x 11: serial, PIN, version) answers in three notifications; the error and warning codes
# (0xB0 x 2), the remaining range (0x25) and the lifetime runtime (0x32 x 2) in one each; the
# live block (0xB2 x 12) in three, the last of which completes the reading.
FIRST_READING_STEPS = [
    (0x10, 0),
    (0x10, 1),
    (0x10, 2),
    (0x10, 3),
    (0xB0, 0),
    (0xB0, 1),
    (0x25, 0),
    (0x25, 1),
    (0x32, 0),
    (0x32, 1),
    (0xB2, 0),
    (0xB2, 1),
    (0xB2, 2),
]


@pytest.mark.parametrize(
    "step",
    FIRST_READING_STEPS,
    ids=[f"{register:#04x}-after-{count}" for register, count in FIRST_READING_STEPS],
)
async def test_drop_at_any_step_of_the_wheel_s_first_reading_ends_with_it_whole(
    hass: HomeAssistant,
    add_device: AddDevice,
    step: tuple[int, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reading cut short is never half-published: the next connection reads it all again.

    The wheel changed while away (new firmware, a new speed), so only an identity read that
    completed on the final connection shows the right version in the attributes and registry.
    """
    wheel = add_device(catalog.ninebot_one_e())
    assert isinstance(wheel, NinebotOne)
    entry = await add_entry_via_discovery(hass, wheel)
    speed_id = entity_id_of(hass, Platform.SENSOR, wheel.address, "speed")
    speeds = record_states(hass, speed_id)
    attempts = wheel.connect_attempts
    caplog.set_level(logging.INFO)

    wheel.drop_link()
    wheel.identity = replace(wheel.identity, firmware=0x3136)  # updated by the rider's app
    wheel.state.speed = 14.25
    wheel.faults.drop_at = step  # strikes on the reconnect the drop starts at once
    await settle(hass)

    assert wheel.faults.drop_at is None
    assert wheel.connection is None
    assert state_of(hass, Platform.SENSOR, wheel.address, "speed") == STATE_UNAVAILABLE
    # No link is open, so moving the clock only fires the coordinator's backoff timer.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await settle(hass)

    assert wheel.connect_attempts == attempts + 2
    assert entry.runtime_data.session.stats.timeouts == 0  # the drop was noticed, not waited out
    assert [state.state for state in speeds] == [STATE_UNAVAILABLE, "14.25"]
    speed = hass.states.get(speed_id)
    assert speed is not None
    assert speed.attributes["firmware_version"] == "1.3.6"
    assert speed.attributes["serial_number"] == wheel.identity.serial_number
    device = device_entry(hass, wheel.address)
    assert (device.sw_version, device.serial_number) == ("1.3.6", wheel.identity.serial_number)
    assert_one_outage_logged(caplog)


async def test_reconnecting_wheel_shows_nothing_before_the_new_link_s_first_reading(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data held back by the state-write throttle belongs to the link it was read on.

    The wheel polls far faster than one state write a second, so a drop always leaves a reading
    waiting for its turn. The reconnect's identity read loses two answers and outlasts that
    turn: the waiting reading must not bring the entities back while the new link has read
    nothing yet (nor the connected sensor say "on").
    """
    monkeypatch.setattr(wheel_client, "ANSWER_TIMEOUT", 0.6)
    wheel = add_device(catalog.ninebot_one_e())
    assert isinstance(wheel, NinebotOne)
    entry = await add_entry_via_discovery(hass, wheel)
    speeds = record_states(hass, entity_id_of(hass, Platform.SENSOR, wheel.address, "speed"))
    connected = record_states(
        hass, entity_id_of(hass, Platform.BINARY_SENSOR, wheel.address, "connected")
    )

    # A live cycle after the first reading: its data waits for the throttle's next turn.
    await until(lambda: entry.runtime_data.session.stats.live_cycles > 0)

    wheel.drop_link()
    wheel.state.speed = 14.25
    wheel.faults.lost_answers = 2
    await settle(hass)

    assert wheel.faults.lost_answers == 0
    assert [state.state for state in speeds] == [STATE_UNAVAILABLE, "14.25"]
    assert [state.state for state in connected] == [STATE_OFF, STATE_ON]


# How a connect can be under way when Home Assistant stops: the radio connect itself (a slow
# one), bleak-retry-connector pausing between refused attempts, the session reading the identity
# of a wheel that does not answer.
CONNECTS_IN_FLIGHT = ["radio_connect", "retrying_refusals", "session_start"]


def _keep_the_next_connect_in_flight(wheel: NinebotOne, how: str) -> Callable[[], bool]:
    """Make the wheel's next connect stay under way in one of those ways; say when it is."""
    attempts = wheel.connect_attempts
    if how == "radio_connect":
        wheel.timing = replace(wheel.timing, connect_time=1000.0)  # 10 s at the test scale
        return lambda: wheel.connect_attempts > attempts
    if how == "retrying_refusals":
        wheel.refuse_connects(100, ConnectFault.TRANSIENT)
        return lambda: wheel.connect_attempts > attempts + 1
    wheel.faults.mute = True
    return lambda: wheel.connection is not None and wheel.reads[-1:] == [(0x10, 11)]


async def _wheel_reconnecting(
    hass: HomeAssistant, add_device: AddDevice, in_flight: str
) -> tuple[NinebotOne, ConfigEntry]:
    """A wheel set up, then dropped, with its reconnect kept under way the given way."""
    wheel = add_device(catalog.ninebot_one_e())
    assert isinstance(wheel, NinebotOne)
    entry = await add_entry_via_discovery(hass, wheel)
    connect_under_way = _keep_the_next_connect_in_flight(wheel, in_flight)
    wheel.drop_link()
    await until(connect_under_way)
    return wheel, entry


def _let_the_connect_through(wheel: NinebotOne, how: str) -> None:
    """Undo `_keep_the_next_connect_in_flight` for the connects that follow."""
    if how == "radio_connect":
        wheel.timing = replace(wheel.timing, connect_time=LinkTiming().connect_time)
    elif how == "retrying_refusals":
        wheel.stop_refusing()
    else:
        wheel.faults.mute = False


@pytest.mark.parametrize("in_flight", CONNECTS_IN_FLIGHT)
async def test_home_assistant_stopping_during_a_connect_leaves_the_wheel_alone(
    hass: HomeAssistant,
    add_device: AddDevice,
    in_flight: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant's own stop: background tasks cancelled, then EVENT_HOMEASSISTANT_STOP.

    Nothing may raise or complain, the wheel must be let go, and nothing may dial it afterwards.
    """
    wheel, entry = await _wheel_reconnecting(hass, add_device, in_flight)

    await hass.async_stop()

    assert wheel.connection is None
    attempts = wheel.connect_attempts
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=10))
    await hass.async_block_till_done()
    assert wheel.connect_attempts == attempts
    assert wheel.connection is None
    # The test harness unloads entries after the stop, to show that they can: quietly too.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert complaints(caplog) == []


async def test_home_assistant_stopping_after_the_proxy_went_lets_the_band_go_quietly(
    hass: HomeAssistant,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The path is gone when the link is let go (a proxy that shut down first): no error logged.

    As scripts/develop stops: its ESPHome proxy closes with Home Assistant, before the link's
    disconnect reaches it, which then fails with the proxy's connection reset.
    """
    band, entry = await add_band(hass, add_device)
    assert band.connection is not None  # the link is up: the stop has one to let go
    await _stop_after_the_proxy_went(hass, entry, monkeypatch, caplog)


async def test_home_assistant_stopping_during_a_session_start_after_the_proxy_went_is_quiet(
    hass: HomeAssistant,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The session's start is cancelled by the stop, and letting the half-open link go fails.

    As the browser test saw on 2026.11.0: a wheel that had just reconnected was still being
    initialised when scripts/develop's ESPHome proxy shut down, and the disconnect of the
    abandoned session raised the proxy's connection reset out of the connect task.
    """
    _wheel, entry = await _wheel_reconnecting(hass, add_device, "session_start")
    await _stop_after_the_proxy_went(hass, entry, monkeypatch, caplog)


async def _stop_after_the_proxy_went(
    hass: HomeAssistant,
    entry: ConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stop Home Assistant with every disconnect failing as a proxy already gone makes it fail."""

    async def path_gone(self: VirtualBleakClient) -> None:
        raise BleakError("[Errno 104] Connection reset by peer")

    monkeypatch.setattr(VirtualBleakClient, "disconnect", path_gone)
    await hass.async_stop()

    assert not entry.runtime_data.link.connected
    assert complaints(caplog) == []


async def test_home_assistant_stopping_during_a_measurement_fails_it_cleanly(
    hass: HomeAssistant, add_device: AddDevice, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller of a measurement cut short by a stop gets a translated error, not a crash."""
    band, entry = await add_band(hass, add_device)
    measurement = await _measurement_under_way(hass, band)
    attempts = band.connect_attempts

    await hass.async_stop()
    with pytest.raises(HomeAssistantError) as raised:
        await measurement

    assert raised.value.translation_key == "cannot_connect"
    assert band.connection is None
    assert band.connect_attempts == attempts  # no new connection for the retry
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert complaints(caplog) == []


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("step", INIT_STEPS, ids=INIT_STEP_IDS)
async def test_band_leaving_range_during_its_initialisation_comes_back_without_a_tap(
    hass: HomeAssistant,
    add_device: AddDevice,
    step: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The wearer walks off mid-initialisation, and back a while later, having walked on."""
    band, entry = await add_band(hass, add_device)
    steps = record_states(hass, entity_id_of(hass, Platform.SENSOR, band.address, "steps"))
    caplog.set_level(logging.INFO)
    band.faults.leave_range_at = step

    band.drop_link(CONNECTION_TIMEOUT)  # the reconnect meets the fault
    await settle(hass)
    assert band.faults.leave_range_at is None
    assert not band.in_range
    # Retries while it is away fail (no link is open: moving the clock fires only our timer).
    attempts = band.connect_attempts
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await settle(hass)
    assert band.connect_attempts > attempts
    assert band.connection is None
    assert state_of(hass, Platform.SENSOR, band.address, "steps") == STATE_UNAVAILABLE
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_OFF

    band.walk(10)
    band.return_to_range()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)

    assert band.authenticated
    assert band.known_user_ids == {entry.data[CONF_USER_ID]}  # the stored id, no tap
    assert [state.state for state in steps] == [STATE_UNAVAILABLE, "1244"]
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON
    assert_one_outage_logged(caplog)


@pytest.mark.usefixtures("no_backoff")
async def test_band_forgotten_after_leaving_mid_authentication_returns_on_its_advertisement(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    """Away long enough for Home Assistant to forget it: the band's next advertisement dials."""
    band, _entry = await add_band(hass, add_device)
    band.faults.leave_range_at = ("write", USER_INFO)

    band.drop_link(CONNECTION_TIMEOUT)
    await settle(hass)
    await let_bluetooth_forget_unheard_devices(hass)
    attempts = band.connect_attempts
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await settle(hass)
    assert band.connect_attempts == attempts  # nothing dials a band no one hears
    assert state_of(hass, Platform.SENSOR, band.address, "steps") == STATE_UNAVAILABLE

    band.return_to_range()
    proxy.advertise(band)
    await settle(hass)

    assert band.authenticated
    assert band.connect_attempts == attempts + 1
    assert state_of(hass, Platform.SENSOR, band.address, "steps") == "1234"
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("in_flight", CONNECTS_IN_FLIGHT)
async def test_entry_reload_during_a_connect_gives_way_to_the_new_entry(
    hass: HomeAssistant,
    add_device: AddDevice,
    in_flight: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Saving the options reloads the entry: a connect under way must end, not race the new one.

    The wheel takes one central at a time, so a connect of the old entry that lived on would
    hold the wheel or be refused; the plugin would also see its task or timer linger.
    """
    wheel, entry = await _wheel_reconnecting(hass, add_device, in_flight)
    _let_the_connect_through(wheel, in_flight)
    wheel.state.speed = 21.5

    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)

    await until(lambda: state_of(hass, Platform.SENSOR, wheel.address, "speed") == "21.5")
    assert entry.runtime_data.connected
    assert wheel.connection is not None
    assert complaints(caplog) == []
