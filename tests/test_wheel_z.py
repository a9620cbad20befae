"""A Ninebot One Z10 in Home Assistant: discovered, added and read through the real Bluetooth stack.

The emulated Z10 (`emulator.devices.wheel_z`) answers in the states that reproduce WheelLog's
captured Z10 frames byte for byte, so what Home Assistant shows here is what the integration makes
of those captured bytes, checked against the values WheelLog's own test asserts of them
(tests/captures/wheellog_z10_adapter_test.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from homeassistant.components import bluetooth
from homeassistant.components.lock import LockState
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miband_ninebot.const import CONF_MODEL, DOMAIN
from custom_components.miband_ninebot.ninebot import client as wheel_client
from custom_components.miband_ninebot.ninebot.const import ATTEMPTS_PER_REQUEST
from emulator.devices import catalog
from emulator.devices.wheel_state import RideProfile
from emulator.devices.wheel_z import (
    Z10_PACK_WH,
    NinebotOneZ10,
    captured_live_state,
    captured_pack_state,
    captured_version_state,
)
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT

from . import (
    add_entry_via_discovery,
    device_entry,
    entity_id_of,
    record_states,
    settle,
    state_of,
    until,
)
from .helpers.wheel import enable_lock, fired_events

AddDevice = Callable[[Peripheral], Peripheral]

# WheelLog's assertions on the captured live block ("decode z10 life data").
CAPTURED_LIVE = {
    "speed": "27.16",
    "voltage": "61.7",
    "current": "44.98",
    "temperature": "37.0",
    "total_distance": "2660.251",
    "power": "2775.27",
    "battery": "78",
}


def _z10(**kwargs: object) -> NinebotOneZ10:
    wheel = catalog.ninebot_one_z10()
    for name, value in kwargs.items():
        setattr(wheel, name, value)
    return wheel


async def test_a_z10_is_discovered_added_and_shows_wheellog_s_captured_values(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(_z10(state=captured_live_state()))

    entry = await add_entry_via_discovery(hass, wheel)

    assert entry.data[CONF_MODEL] == "Ninebot One Z"
    for key, value in CAPTURED_LIVE.items():
        assert state_of(hass, Platform.SENSOR, wheel.address, key) == value, key
    device = device_entry(hass, wheel.address)
    assert device.model == "Ninebot One Z"  # no source tells a Z6, Z8, Z10 apart
    assert device.serial_number == "N3OTC2020T0001"
    assert device.sw_version == "0.7.7"
    # Plaintext, as WheelLog and eucWatch talk to a Z10: no key was asked for.
    assert not wheel.encrypted
    # The live read stops at the current: one frame, two notifications.
    assert (0xB0, 14) in wheel.reads


async def test_a_z10_s_battery_packs_show_their_cells(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(_z10(state=captured_pack_state()))

    await add_entry_via_discovery(hass, wheel)

    address = wheel.address
    # WheelLog's assertions on the captured BMS blocks.
    assert state_of(hass, Platform.SENSOR, address, "pack_1_cycles") == "175"
    assert state_of(hass, Platform.SENSOR, address, "pack_2_cycles") == "176"
    assert state_of(hass, Platform.SENSOR, address, "pack_1_capacity") == "9600"
    assert state_of(hass, Platform.SENSOR, address, "pack_1_state_of_charge") == "100"
    assert state_of(hass, Platform.SENSOR, address, "pack_1_temperature") == "27"
    assert state_of(hass, Platform.SENSOR, address, "pack_1_cell_min") == "4.09"
    assert state_of(hass, Platform.SENSOR, address, "pack_1_cell_max") == "4.177"
    assert state_of(hass, Platform.SENSOR, address, "pack_1_cell_delta") == "0.087"
    assert state_of(hass, Platform.SENSOR, address, "pack_2_cell_delta") == "0.026"
    delta = hass.states.get(entity_id_of(hass, Platform.SENSOR, address, "pack_1_cell_delta"))
    assert delta is not None
    cells = delta.attributes["cells"]
    assert len(cells) == 14
    assert cells[:3] == [4.148, 4.102, 4.145]
    capacity = hass.states.get(entity_id_of(hass, Platform.SENSOR, address, "pack_1_capacity"))
    assert capacity is not None
    assert capacity.attributes["serial_number"] == "49YEQ18H1Q0423"
    assert capacity.attributes["manufactured"] == "2018-08-01"
    assert capacity.attributes["design_capacity"] == 9600
    assert capacity.attributes["health"] == 98


async def test_a_missing_pack_leaves_its_sensors_unknown_and_the_wheel_read(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rotation comes round every 15 s of Home Assistant's clock: every second here.
    monkeypatch.setattr(wheel_client, "SLOW_READ_INTERVAL", 1.0)
    wheel = _z10()
    wheel.faults.missing_packs = {2}
    add_device(wheel)

    entry = await add_entry_via_discovery(hass, wheel)

    assert state_of(hass, Platform.SENSOR, wheel.address, "pack_2_cell_min") == STATE_UNKNOWN
    assert state_of(hass, Platform.SENSOR, wheel.address, "pack_1_cell_min") != STATE_UNKNOWN
    assert state_of(hass, Platform.SENSOR, wheel.address, "battery") == "78"

    def reads_of(pack: int) -> int:
        return sum(1 for number, _first, _size in wheel.pack_reads if number == pack)

    # Its first block asked for until the attempts run out, its other blocks never; the other
    # pack in every rotation.
    assert reads_of(2) == ATTEMPTS_PER_REQUEST
    ones = reads_of(1)
    await until(lambda: reads_of(1) > ones + 6)  # two rotations
    assert reads_of(2) == ATTEMPTS_PER_REQUEST
    # A new connection to the same wheel does not wait for the missing pack again.
    cycles = entry.runtime_data.session.stats.live_cycles
    wheel.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: entry.runtime_data.session.stats.live_cycles > cycles + 20)
    assert reads_of(2) == ATTEMPTS_PER_REQUEST


async def test_a_pack_silent_for_a_moment_is_read_again_and_keeps_its_values(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wheel_client, "SLOW_READ_INTERVAL", 1.0)
    monkeypatch.setattr(wheel_client, "ANSWER_TIMEOUT", 0.2)
    wheel = add_device(_z10(state=captured_pack_state()))
    await add_entry_via_discovery(hass, wheel)

    def reads_of(pack: int) -> int:
        return sum(1 for number, _first, _size in wheel.pack_reads if number == pack)

    wheel.faults.missing_packs = {1}  # a bad moment on the pack's bus
    silent_from = reads_of(1)
    await until(lambda: reads_of(1) >= silent_from + ATTEMPTS_PER_REQUEST)
    wheel.faults.missing_packs = set()
    answered_from = reads_of(1)
    await until(lambda: reads_of(1) > answered_from + 3)  # still in the rotation
    assert state_of(hass, Platform.SENSOR, wheel.address, "pack_1_cycles") == "175"


async def test_a_z10_s_errors_raise_a_repair_that_names_them(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(_z10(state=captured_version_state()))

    entry = await add_entry_via_discovery(hass, wheel)

    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"wheel_error_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "wheel_error_known"
    # WheelLog's "Err:25 VGM - Voltage < 10V\nErr:24 General voltage > 65V or < 40V".
    assert issue.translation_placeholders == {
        "name": entry.title,
        "code": "25, 24",
        "errors": "25: VGM - Voltage < 10V; 24: General voltage > 65V or < 40V",
    }

    wheel.state.error_code = wheel.state.second_error = 0
    await until(
        lambda: ir.async_get(hass).async_get_issue(DOMAIN, f"wheel_error_{entry.entry_id}") is None
    )


async def test_a_z10_locks_at_a_standstill_and_reads_it_back(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(_z10())
    entry = await add_entry_via_discovery(hass, wheel)
    lock_id = await enable_lock(hass, wheel, entry)
    assert hass.states.get(lock_id).state == LockState.UNLOCKED  # register 0x70

    await hass.services.async_call("lock", "lock", {"entity_id": lock_id}, blocking=True)
    assert wheel.state.locked
    assert hass.states.get(lock_id).state == LockState.LOCKED
    await hass.services.async_call("lock", "unlock", {"entity_id": lock_id}, blocking=True)
    assert not wheel.state.locked

    # WheelLog's `setLockMode`: one word, 01 00 / 00 00, to the controller with CMD 0x03.
    assert [write[:9].hex() for write in wheel.writes] == [
        "5aa5023e1403700100",
        "5aa5023e1403700000",
    ]


async def test_a_z10_that_wants_the_key_is_read_once_it_gave_it(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(_z10(requires_key=True))

    await add_entry_via_discovery(hass, wheel)

    assert wheel.encrypted
    assert state_of(hass, Platform.SENSOR, wheel.address, "battery") == "78"
    assert device_entry(hass, wheel.address).serial_number == "N3OTC2020T0001"


async def test_a_z_look_alike_is_not_offered(hass: HomeAssistant, add_device: AddDevice) -> None:
    """A Nordic UART gadget named "N3..." without Ninebot's data: nothing matches it."""
    gadget = add_device(catalog.nordic_uart_named_n3())
    await settle(hass)
    assert bluetooth.async_last_service_info(hass, gadget.address, connectable=True)
    ours = [flow for flow in hass.config_entries.flow.async_progress() if flow["handler"] == DOMAIN]
    assert ours == []


async def test_a_z10_behind_an_esphome_proxy_is_discovered_and_read(
    hass: HomeAssistant, add_esphome_device: AddDevice
) -> None:
    wheel = add_esphome_device(_z10(state=captured_live_state()))

    await add_entry_via_discovery(hass, wheel)

    assert state_of(hass, Platform.SENSOR, wheel.address, "speed") == "27.16"
    assert state_of(hass, Platform.SENSOR, wheel.address, "pack_1_cycles") == "175"


async def test_a_z10_ridden_out_of_range_tells_its_outing(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(_z10())
    await add_entry_via_discovery(hass, wheel)
    outings = record_states(hass, entity_id_of(hass, Platform.EVENT, wheel.address, "outing"))
    odometer, runtime, battery = (
        wheel.state.total_distance,
        wheel.state.total_ride_time,
        wheel.state.battery,
    )

    wheel.leave_range()
    await settle(hass)
    RideProfile(cruise_speed=20.0, capacity_wh=Z10_PACK_WH).advance(wheel.state, 1800)
    wheel.state.speed, wheel.state.current = 0.0, 0.4
    wheel.return_to_range()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await settle(hass)

    distance = round(wheel.state.total_distance - odometer, 3)
    assert distance > 5
    [(event, data)] = fired_events(outings)
    assert event == "returned"
    assert data["distance"] == distance
    assert data["riding_time"] == wheel.state.total_ride_time - runtime == 1800
    assert data["battery_used"] == battery - wheel.state.battery > 0
    assert state_of(hass, Platform.SENSOR, wheel.address, "last_outing") == str(distance)
