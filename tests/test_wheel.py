"""A Ninebot One through Home Assistant's Bluetooth manager, a virtual proxy, an emulated wheel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import itertools
import logging

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miband_ninebot.const import (
    CONF_CHARGE_LIMIT,
    CONF_CONNECTION_POLICY,
    CONF_MIN_STATE_INTERVAL,
    CONF_READ_INTERVAL,
    CONF_RIDE_END_DELAY,
)
from custom_components.miband_ninebot.ninebot import client as wheel_client
from emulator.devices.wheel_state import RideProfile
from emulator.link.peripheral import ConnectFault, Peripheral

from . import (
    add_entry_via_discovery,
    device_entry,
    entity_id_of,
    record_states,
    settle,
    state_of,
    until,
)
from .helpers.wheel import EXPECTED, PIN, add_wheel, make_wheel

AddDevice = Callable[[Peripheral], Peripheral]


async def test_discovered_wheel_shows_exactly_the_emulated_values(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(make_wheel())
    await add_entry_via_discovery(hass, wheel)

    shown = {
        key: (
            hass.states.get(entity_id_of(hass, "sensor", wheel.address, key)).state,
            hass.states.get(entity_id_of(hass, "sensor", wheel.address, key)).attributes.get(
                ATTR_UNIT_OF_MEASUREMENT
            ),
        )
        for key in EXPECTED
    }
    assert shown == EXPECTED
    speed = hass.states.get(entity_id_of(hass, "sensor", wheel.address, "speed"))
    assert speed.attributes["pin"] == PIN
    assert speed.attributes["firmware_version"] == "1.4.2"  # 0x3142, as the wheel app shows it
    assert speed.attributes["serial_number"] == "N2OPB2210C0042"
    device = device_entry(hass, wheel.address)
    # The serial's model letters ("OP") win over the advertised name's ("NOE").
    assert (device.model, device.sw_version, device.serial_number) == (
        "Ninebot One P",
        "1.4.2",
        "N2OPB2210C0042",
    )
    assert state_of(hass, "binary_sensor", wheel.address, "connected") == STATE_ON
    assert state_of(hass, "switch", wheel.address, "connection") == STATE_ON
    assert wheel.writes == []  # reading never writes to the wheel


async def test_values_follow_the_wheel_and_unchanged_values_are_not_written_again(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, entry = await add_wheel(hass, add_device)
    speed_id = entity_id_of(hass, "sensor", wheel.address, "speed")
    voltage_states = record_states(hass, entity_id_of(hass, "sensor", wheel.address, "voltage"))
    session = entry.runtime_data.session
    cycles_before = session.stats.live_cycles

    wheel.state.speed = 20.5
    await until(lambda: hass.states.get(speed_id).state == "20.5")
    await until(lambda: session.stats.live_cycles > cycles_before + 20)

    assert voltage_states == []  # polled 20+ times, never changed, never written


async def test_state_writes_are_throttled_to_one_per_second(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, entry = await add_wheel(hass, add_device)
    speeds = record_states(hass, entity_id_of(hass, "sensor", wheel.address, "speed"))
    session = entry.runtime_data.session
    cycles_before = session.stats.live_cycles

    wheel.start_ride(RideProfile())  # at the test time scale, speed changes at every poll
    await until(lambda: len(speeds) >= 4)

    written = [state.last_updated.timestamp() for state in speeds]
    gaps = [later - earlier for earlier, later in itertools.pairwise(written)]
    assert all(gap >= 0.99 for gap in gaps), gaps
    assert session.stats.live_cycles - cycles_before > 3 * len(speeds)  # polled far more often


async def test_link_drop_makes_values_unavailable_until_the_wheel_is_back(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel(hass, add_device)
    speed_states = record_states(hass, entity_id_of(hass, "sensor", wheel.address, "speed"))
    battery_states = record_states(hass, entity_id_of(hass, "sensor", wheel.address, "battery"))

    wheel.drop_link()
    await settle(hass)

    assert [state.state for state in speed_states] == [STATE_UNAVAILABLE, "12.345"]
    assert battery_states == []  # the last known level stays on show
    assert wheel.connect_attempts == 2
    assert wheel.reads.count((0x10, 11)) == 2  # identity read again on the new connection


async def test_wheel_out_of_range_and_back(hass: HomeAssistant, add_device: AddDevice) -> None:
    wheel, _entry = await add_wheel(hass, add_device)
    speed_id = entity_id_of(hass, "sensor", wheel.address, "speed")

    wheel.leave_range()
    await settle(hass)
    assert hass.states.get(speed_id).state == STATE_UNAVAILABLE
    assert state_of(hass, "sensor", wheel.address, "battery") == "67"

    wheel.state.battery = 66
    wheel.return_to_range()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await settle(hass)

    assert hass.states.get(speed_id).state == "12.345"
    assert state_of(hass, "sensor", wheel.address, "battery") == "66"


async def test_garbage_corruption_and_losses_never_publish_a_wrong_value(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wheel_client, "ANSWER_TIMEOUT", 0.2)
    wheel, entry = await add_wheel(hass, add_device)
    voltage_id = entity_id_of(hass, "sensor", wheel.address, "voltage")
    voltages = record_states(hass, voltage_id)
    stats = entry.runtime_data.session.decoder_stats

    faults = wheel.faults
    faults.garbage = bytes.fromhex("55aa0409012555")  # a false header, cut short
    await until(lambda: not faults.garbage)
    faults.corrupt_frames = 2
    await until(lambda: not faults.corrupt_frames)
    faults.cut_answers = 1
    await until(lambda: not faults.cut_answers)
    faults.lost_answers = 1
    await until(lambda: not faults.lost_answers)
    wheel.state.voltage = 60.02
    await until(lambda: hass.states.get(voltage_id).state == "60.02")

    assert [state.state for state in voltages] == ["60.02"]
    # One false header, two corrupted frames and one frame cut short were all rejected.
    assert stats.bad_checksums + stats.cut_frames + stats.bad_lengths >= 4
    assert stats.skipped_bytes > 0
    assert entry.runtime_data.session.stats.timeouts >= 1
    assert wheel.connect_attempts == 1  # all of it handled without dropping the link


async def test_mute_wheel_is_disconnected_and_retried(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wheel_client, "ANSWER_TIMEOUT", 0.05)
    wheel, _entry = await add_wheel(hass, add_device)
    speed_id = entity_id_of(hass, "sensor", wheel.address, "speed")

    wheel.faults.mute = True  # the radio link stays up, the controller says nothing
    await until(lambda: wheel.connect_attempts >= 2)
    await settle(hass)
    assert hass.states.get(speed_id).state == STATE_UNAVAILABLE
    assert wheel.connection is None  # identity unanswered: the connection was abandoned

    wheel.faults.mute = False
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await settle(hass)
    assert hass.states.get(speed_id).state == "12.345"


async def test_connection_switch_releases_the_wheel_for_the_phone_app(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel(hass, add_device)
    switch_id = entity_id_of(hass, "switch", wheel.address, "connection")

    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: switch_id}, True)
    await settle(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=10))
    await settle(hass)

    assert wheel.connection is None
    assert wheel.connect_attempts == 1  # nothing dials while released
    assert hass.states.get(switch_id).state == STATE_OFF
    assert state_of(hass, "sensor", wheel.address, "speed") == STATE_UNAVAILABLE
    assert state_of(hass, "binary_sensor", wheel.address, "connected") == STATE_OFF
    assert state_of(hass, "sensor", wheel.address, "battery") == "67"

    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: switch_id}, True)
    await settle(hass)
    assert wheel.connection is not None
    assert state_of(hass, "sensor", wheel.address, "speed") == "12.345"


async def test_released_link_stays_released_after_a_restart(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = make_wheel()
    mock_restore_cache(hass, [State("switch.ninebot_one_e_0001_connection", STATE_OFF)])

    await add_wheel(hass, add_device, wheel)

    assert wheel.connect_attempts == 0
    assert state_of(hass, "switch", wheel.address, "connection") == STATE_OFF


async def test_battery_level_is_restored_before_the_wheel_answers(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = make_wheel()
    wheel.refuse_connects(100, ConnectFault.ERROR)
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.ninebot_one_e_0001_battery", "54"),
                {"native_value": 54, "native_unit_of_measurement": "%"},
            )
        ],
    )

    await add_wheel(hass, add_device, wheel)

    assert state_of(hass, "sensor", wheel.address, "battery") == "54"
    assert state_of(hass, "sensor", wheel.address, "speed") == STATE_UNAVAILABLE


async def test_periodic_policy_reads_then_releases_the_link(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, _entry = await add_wheel(
        hass, add_device, None, **{CONF_CONNECTION_POLICY: "periodic", CONF_READ_INTERVAL: 120}
    )

    assert wheel.connection is None  # read, then let go
    # and the values stay available
    assert state_of(hass, "sensor", wheel.address, "speed") == "12.345"

    wheel.state.speed = 3.0
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=121))
    await settle(hass)

    assert wheel.connect_attempts == 2
    assert wheel.connection is None
    await until(lambda: state_of(hass, "sensor", wheel.address, "speed") == "3.0")


async def test_options_flow_changes_the_policy_and_reloads(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel, entry = await add_wheel(hass, add_device)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] == "form"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_CONNECTION_POLICY: "periodic", CONF_READ_INTERVAL: 600, CONF_MIN_STATE_INTERVAL: 2},
    )
    await settle(hass)

    assert result["type"] == "create_entry"
    assert entry.options[CONF_CONNECTION_POLICY] == "periodic"
    assert entry.runtime_data.settings.read_interval == 600
    assert wheel.connection is None  # reloaded: visited once, then released
    assert state_of(hass, "sensor", wheel.address, "speed") == "12.345"


async def test_options_form_submitted_empty_keeps_the_defaults(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    _wheel_device, entry = await add_wheel(hass, add_device)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    await settle(hass)

    assert result["type"] == "create_entry"
    assert entry.options == {
        CONF_CONNECTION_POLICY: "hold",
        CONF_READ_INTERVAL: 300.0,
        CONF_MIN_STATE_INTERVAL: 1.0,
        CONF_CHARGE_LIMIT: 80,
        CONF_RIDE_END_DELAY: 60,
    }


async def test_options_set_the_charge_limit_and_the_ride_end(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    _wheel_device, entry = await add_wheel(hass, add_device)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CHARGE_LIMIT: 90.0, CONF_RIDE_END_DELAY: 120.0}
    )
    await settle(hass)

    assert result["type"] == "create_entry"
    assert entry.options[CONF_CHARGE_LIMIT] == 90  # stored as whole numbers
    assert entry.options[CONF_RIDE_END_DELAY] == 120
    coordinator = entry.runtime_data  # the entry reloaded with them
    assert coordinator.charges.limit == 90
    assert coordinator.rides.end_delay == 120


async def test_pin_is_not_recorded_logged_or_in_diagnostics(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    add_device: AddDevice,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for logger in ("custom_components.miband_ninebot", "emulator", "bleak_retry_connector"):
        caplog.set_level(logging.DEBUG, logger)
    assert await async_setup_component(hass, "diagnostics", {})
    start = dt_util.utcnow()
    wheel, entry = await add_wheel(hass, add_device)
    speed_id = entity_id_of(hass, "sensor", wheel.address, "speed")
    assert hass.states.get(speed_id).attributes["pin"] == PIN  # the owner sees it

    await async_wait_recording_done(hass)
    history = await recorder_mock.async_add_executor_job(
        get_significant_states, hass, start, None, [speed_id]
    )
    recorded = history[speed_id]
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert recorded
    assert all("pin" not in state.attributes for state in recorded)
    assert any(state.attributes.get("serial_number") for state in recorded)
    assert diagnostics["wheel"]["reading"]["identity"]["pin"] == "**REDACTED**"
    assert set(diagnostics["wheel"]["since_power_on"]) == {
        "charging",
        "time_to_full",
        "top_speed",
        "energy",
        "powered_on",
        "riding",
    }
    assert diagnostics["wheel"]["reading"]["live"]["voltage"] == 57.31
    assert diagnostics["wheel"]["polling"]["live_cycles"] >= 0
    assert PIN not in str(diagnostics)
    # Nothing of ours, nor the Bluetooth stack, logs the PIN. Home Assistant's own recorder logs
    # whole state changes when its debug logging is on (the test harness turns it on;
    # docs/ninebot-one.md, "Privacy: the PIN", says so).
    leaks = [
        record.name
        for record in caplog.records
        if PIN in record.getMessage()
        and not record.name.startswith("homeassistant.components.recorder")
    ]
    assert any(record.name.startswith("custom_components.") for record in caplog.records)
    assert leaks == []
