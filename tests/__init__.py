"""Tests for the miband_ninebot integration, and the helpers on Home Assistant's side they share.

pytest imports this file before conftest.py and before any test module, so it is where the bleak
classes get bound: Home Assistant swaps `bleak.BleakClient` and bleak-retry-connector's client
classes for habluetooth's wrappers when Bluetooth starts, and a module imported earlier (at
collection) would keep the BlueZ classes (`KeyError: 'path'` on connect).

Helpers of one device kind, the emulator's centrals, captures and ESPHome proxies are in
`tests/helpers/`.
"""

from __future__ import annotations

from habluetooth.usage import install_multiple_bleak_catcher

install_multiple_bleak_catcher()

# Imported only after the bleak catcher is installed (see above).
import asyncio  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
import logging  # noqa: E402
from typing import Any  # noqa: E402
from unittest.mock import patch  # noqa: E402

from bluetooth_data_tools import monotonic_time_coarse  # noqa: E402
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult  # noqa: E402
from homeassistant.const import ATTR_ENTITY_ID, EVENT_STATE_CHANGED, Platform  # noqa: E402
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback  # noqa: E402
from homeassistant.data_entry_flow import FlowResultType  # noqa: E402
from homeassistant.helpers import device_registry as dr, entity_registry as er  # noqa: E402
from homeassistant.util import dt as dt_util  # noqa: E402
import pytest  # noqa: E402
from pytest_homeassistant_custom_component.common import async_fire_time_changed  # noqa: E402

from custom_components.miband_ninebot.const import DOMAIN  # noqa: E402
from emulator.devices.band import MiBand  # noqa: E402
from emulator.link.peripheral import Peripheral  # noqa: E402
from emulator.link.timing import LinkTiming  # noqa: E402

# Model time runs 100x faster than wall time in tests: a 30 ms connection interval takes 0.3 ms.
TEST_TIMING = LinkTiming(time_scale=0.01)


async def settle(hass: HomeAssistant) -> None:
    """Wait until discovery flows, setups and reconnects started in the background are done."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def add_entry_via_discovery(hass: HomeAssistant, device: Peripheral) -> ConfigEntry:
    """Accept the discovery flow for a device the way a user does, and return the entry.

    For a band: submit the profile form empty (its defaults) and tap the band when it vibrates.
    """
    await settle(hass)
    # Through an ESPHome proxy the advertisement is still on its way over TCP.
    await until(lambda: _discovery_flow_id(hass, device.address) is not None)
    flow_id = discovery_flow_id(hass, device.address)
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    if isinstance(device, MiBand):
        assert result["step_id"] == "profile", result
        result = await hass.config_entries.flow.async_configure(flow_id, {})
        assert result["type"] is FlowResultType.SHOW_PROGRESS, result
        await tap_when_it_vibrates(device)
        result = await result_after_progress(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await settle(hass)
    return result["result"]


def device_entry(hass: HomeAssistant, address: str) -> dr.DeviceEntry:
    """The device registry entry of a device of this integration, found through its entries.

    Not `async_get_device`: deprecated (identifiers are no longer unique across config entries).
    """
    registry = dr.async_get(hass)
    device = next(
        (
            device
            for entry in hass.config_entries.async_entries(DOMAIN)
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            if (DOMAIN, address) in device.identifiers
        ),
        None,
    )
    assert device is not None, address
    return device


def device_id(hass: HomeAssistant, address: str) -> str:
    """The device registry id of a device of this integration."""
    return device_entry(hass, address).id


def entity_id_of(hass: HomeAssistant, platform: str, address: str, key: str) -> str:
    """The entity id of one of a device's entities, by its key (the unique id's suffix)."""
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{address}_{key}")
    assert entity_id is not None, key
    return entity_id


def state_of(hass: HomeAssistant, platform: str, address: str, key: str) -> str:
    """The state of one of a device's entities, by its key."""
    state = hass.states.get(entity_id_of(hass, platform, address, key))
    assert state is not None, key
    return state.state


async def release_link(hass: HomeAssistant, address: str) -> None:
    """Switch a device's connection off, as a user does to leave it to a phone app."""
    await hass.services.async_call(
        Platform.SWITCH,
        "turn_off",
        {ATTR_ENTITY_ID: entity_id_of(hass, Platform.SWITCH, address, "connection")},
        blocking=True,
    )
    await settle(hass)


def discovery_flow_id(hass: HomeAssistant, address: str) -> str:
    """The id of the discovery flow in progress for an address."""
    flow_id = _discovery_flow_id(hass, address)
    if flow_id is None:
        raise LookupError(f"no discovery flow for {address}")
    return flow_id


def _discovery_flow_id(hass: HomeAssistant, address: str) -> str | None:
    return next(
        (
            flow["flow_id"]
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            if flow["context"]["unique_id"] == address
        ),
        None,
    )


def record_states(hass: HomeAssistant, entity_id: str) -> list[State]:
    """Collect every state an entity is given from now on, to check none was ever wrong."""
    seen: list[State] = []

    @callback
    def _is_this_entity(event_data: EventStateChangedData) -> bool:
        return event_data["entity_id"] == entity_id

    @callback
    def _on_change(event: Event[EventStateChangedData]) -> None:
        if (new_state := event.data["new_state"]) is not None:
            seen.append(new_state)

    # A plain bus listener runs as the state is written. async_track_state_change_event would
    # defer the callback to the next loop iteration, so a test that saw the new state could
    # still find the list without it (seen on a busy machine).
    hass.bus.async_listen(EVENT_STATE_CHANGED, _on_change, event_filter=_is_this_entity)
    return seen


async def until(condition: Callable[[], Any]) -> None:
    """Let the event loop run until `condition` holds (emulated devices run on their own clock)."""
    async with asyncio.timeout(10):  # a bound for a broken test, not a timing claim
        while not condition():  # noqa: ASYNC110 - conditions on HA states, no event to await
            await asyncio.sleep(0.01)


async def tap_when_it_vibrates(band: MiBand) -> None:
    """Do what the wearer does when pairing: wait for the vibration, tap."""
    await until(lambda: band.waiting_for_tap)
    assert band.tap()


async def result_after_progress(hass: HomeAssistant, flow_id: str) -> ConfigFlowResult:
    """Where a flow goes once its progress step (pairing) has finished, as the frontend sees it."""
    await settle(hass)
    # The frontend asks for the next step when the progress is done; so does this.
    return await hass.config_entries.flow.async_configure(flow_id)


async def let_bluetooth_forget_unheard_devices(hass: HomeAssistant, seconds: float = 400) -> None:
    """Move Home Assistant's Bluetooth clock on until devices not heard lately count as gone.

    Two steps, as in Home Assistant's own tests: the remote scanner's 30 s expiry pass drops
    devices it has not heard for 195 s, then the manager's 300 s check calls the
    `async_track_unavailable` callbacks of devices no scanner has any more. Advertisements of any
    kind (connectable or not) are kept longer, without a learned interval up to 15 minutes: pass
    `seconds` beyond that to forget those too.
    """
    later = monotonic_time_coarse() + seconds
    with (
        patch("habluetooth.base_scanner.monotonic_time_coarse", return_value=later),
        patch("habluetooth.manager.monotonic_time_coarse", return_value=later),
    ):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
        await hass.async_block_till_done()
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=301))
        await hass.async_block_till_done()


def complaints(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What went wrong, as logged: warnings and errors of ours, Home Assistant's and the Bluetooth
    stack's, and errors of asyncio (a task's exception nobody retrieved, a task destroyed pending).

    Not asyncio's warnings: the test plugin runs the loop in debug mode, which warns "Executing
    <Task ...> took 0.101 seconds" whenever a busy machine is slow, whatever the code does.
    """
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= (logging.ERROR if record.name == "asyncio" else logging.WARNING)
    ]


def assert_one_outage_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Lost and back are each logged once, not per failed attempt; nothing raised."""
    assert caplog.text.count("is unavailable") == 1
    assert caplog.text.count("is available again") == 1
    assert "Traceback" not in caplog.text


def form_defaults(result: ConfigFlowResult, keys: Iterable[str]) -> dict[str, Any]:
    """The defaults a flow's form shows for `keys`."""
    wanted = set(keys)
    return {
        field.schema: field.default()
        for field in result["data_schema"].schema
        if field.schema in wanted
    }


def run_wall_timer(handle: asyncio.TimerHandle, at: datetime) -> None:
    """Run a timer set for a moment of the frozen wall clock as if that moment had come.

    Home Assistant's time trackers read the time through their own helpers, so those say `at`
    too: what the timer sets next is counted from its own moment. The handle is then spent.
    """
    with (
        patch("homeassistant.helpers.event.time_tracker_utcnow", return_value=at),
        patch("homeassistant.helpers.event.time_tracker_timestamp", return_value=at.timestamp()),
    ):
        handle._run()
    handle.cancel()
