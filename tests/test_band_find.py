"""Finding a band and the wrist it is worn on, through Home Assistant to the emulated band.

`find_band` rings the band round after round (band/find.py): on a 1S each pulse is Immediate Alert
`01` then `00` on 2A06; turned off, the round in progress is cut short and the stop command is
written (2A06 `00`; FF05 `13` on a Mi Band 1 without 2A06, Gadgetbridge's two strategies). After
two minutes the search ends by itself. `wear_location` is FF05 `0f 00` / `0f 01`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed, mock_restore_cache

from custom_components.miband_ninebot.band import find
from custom_components.miband_ninebot.miband import protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT
from emulator.transports.virtual_proxy import VirtualProxy

from . import entity_id_of, settle, state_of, until
from .helpers.band import add_band, add_paired_band, band_out_of_reach

AddDevice = Callable[[Peripheral], Peripheral]

RING_ROUND = len(find.FIND_PATTERN.pulses) * 2  # writes a round: each pulse `01` then `00`


@pytest.fixture(autouse=True)
def short_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds a tenth of a second apart, not two seconds: the rounds, not the pause, are tested."""
    monkeypatch.setattr(find, "FIND_PAUSE", 0.1)


async def switch_find(hass: HomeAssistant, address: str, service: str) -> None:
    await hass.services.async_call(
        Platform.SWITCH,
        service,
        {ATTR_ENTITY_ID: entity_id_of(hass, Platform.SWITCH, address, "find_band")},
        blocking=True,
    )


async def select_wrist(hass: HomeAssistant, address: str, wrist: str) -> None:
    await hass.services.async_call(
        Platform.SELECT,
        "select_option",
        {
            ATTR_ENTITY_ID: entity_id_of(hass, Platform.SELECT, address, "wear_location"),
            "option": wrist,
        },
        blocking=True,
    )


# -- find_band ----------------------------------------------------------------------------------


async def test_find_rings_repeatedly_until_turned_off(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    band.vibrations.clear()
    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_OFF

    await switch_find(hass, band.address, SERVICE_TURN_ON)

    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_ON
    assert band.vibrations[:RING_ROUND] == [protocol.ALERT_MILD, protocol.ALERT_OFF] * (
        RING_ROUND // 2
    )
    await until(lambda: len(band.vibrations) >= 3 * RING_ROUND)  # round after round

    band.vibrations.clear()
    await switch_find(hass, band.address, SERVICE_TURN_OFF)

    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_OFF
    assert band.vibrations[-1] == protocol.ALERT_OFF  # the stop command, the round cut short
    await settle(hass)
    written = len(band.vibrations)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    await settle(hass)
    assert len(band.vibrations) == written  # no round after


async def test_find_stops_a_mi_band_1_with_its_stop_command(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device, catalog.mi_band_1())  # no 2A06
    band.vibrations.clear()

    await switch_find(hass, band.address, SERVICE_TURN_ON)
    assert band.vibrations[:2] == [protocol.VIBRATE_START, protocol.VIBRATE_STOP]
    await switch_find(hass, band.address, SERVICE_TURN_OFF)

    assert band.control_commands[-1] == b"\x13"  # Gadgetbridge's COMMAND_STOP_MOTOR_VIBRATE


async def test_find_turns_itself_off_after_two_minutes(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    await switch_find(hass, band.address, SERVICE_TURN_ON)
    await until(lambda: len(band.vibrations) >= 2 * RING_ROUND)

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=1, seconds=50))
    await hass.async_block_till_done()
    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_ON
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2, seconds=1))
    await settle(hass)

    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_OFF
    assert band.vibrations[-1] == protocol.ALERT_OFF
    written = len(band.vibrations)
    await asyncio.sleep(5 * find.FIND_PAUSE)  # several pauses: a round would have come
    assert len(band.vibrations) == written


async def test_find_turned_on_twice_at_once_and_off_is_one_search_that_stops(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """A double tap, or two automations: the first ring may take a while; one search, stopped."""
    band, _entry = await add_band(hass, add_device)
    await asyncio.gather(
        switch_find(hass, band.address, SERVICE_TURN_ON),
        switch_find(hass, band.address, SERVICE_TURN_ON),
    )
    await until(lambda: len(band.vibrations) >= 2 * RING_ROUND)

    await switch_find(hass, band.address, SERVICE_TURN_OFF)
    await settle(hass)
    written = len(band.vibrations)
    await asyncio.sleep(5 * find.FIND_PAUSE)
    assert len(band.vibrations) == written  # nothing rings on
    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_OFF


async def test_find_a_band_out_of_reach_says_so(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    band = await band_out_of_reach(hass, add_device, proxy)

    with pytest.raises(HomeAssistantError) as raised:
        await switch_find(hass, band.address, SERVICE_TURN_ON)

    assert raised.value.translation_key == "find_band_failed"
    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_OFF


async def test_find_is_off_after_a_restart(hass: HomeAssistant, add_device: AddDevice) -> None:
    mock_restore_cache(hass, [State("switch.mi_band_1s_7e51_find_band", STATE_ON)])
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_paired_band(hass, band)
    band.vibrations.clear()
    await settle(hass)

    assert state_of(hass, Platform.SWITCH, band.address, "find_band") == STATE_OFF
    assert band.vibrations == []


# -- wear_location ------------------------------------------------------------------------------


async def test_the_wrist_is_written_at_once_and_at_each_connection(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    assert protocol.WEAR_LEFT in band.control_commands  # Mi Fit's `0f 00`, the default
    assert state_of(hass, Platform.SELECT, band.address, "wear_location") == "left"

    await select_wrist(hass, band.address, "right")

    assert band.control_commands[-1] == bytes.fromhex("0f01")
    assert state_of(hass, Platform.SELECT, band.address, "wear_location") == "right"
    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.authenticated)
    await until(lambda: band.control_commands.count(bytes.fromhex("0f01")) == 2)


async def test_the_wrist_survives_a_restart(hass: HomeAssistant, add_device: AddDevice) -> None:
    mock_restore_cache(hass, [State("select.mi_band_1s_7e51_wear_location", "right")])
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_paired_band(hass, band)

    assert state_of(hass, Platform.SELECT, band.address, "wear_location") == "right"
    assert protocol.WEAR_RIGHT in band.control_commands
    assert protocol.WEAR_LEFT not in band.control_commands


async def test_a_wrist_chosen_for_a_band_out_of_reach_is_kept_and_says_so(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    band = await band_out_of_reach(hass, add_device, proxy)

    with pytest.raises(HomeAssistantError) as raised:
        await select_wrist(hass, band.address, "right")

    assert raised.value.translation_key == "wear_location_not_written"
    assert state_of(hass, Platform.SELECT, band.address, "wear_location") == "right"
    band.return_to_range()
    add_device(band)
    await settle(hass)
    await until(lambda: protocol.WEAR_RIGHT in band.control_commands)
