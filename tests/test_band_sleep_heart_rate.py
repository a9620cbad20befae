"""A 1S's heart rate during sleep: the `sleep_heart_rate` switch, `resting_heart_rate` per night.

The real Bluetooth stack, recorder and storage, with the emulated 1S; the night is test_band_sleep's
(its runs of minutes) with readings written out here, and the figures are counted by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from homeassistant.components.recorder import Recorder
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import mock_restore_cache

from custom_components.miband_ninebot.miband import protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_memory import NO_HEART_RATE, RecordedMinute
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT

from . import entity_id_of, settle, state_of, until
from .helpers.band import add_band, add_paired_band, hourly_statistics
from .test_band_sleep import ASLEEP_AFTER, DEEP, LIGHT, NIGHT, SESSION_LENGTH, STILL, _band_with

AddDevice = Callable[[Peripheral], Peripheral]
HEART_RATE = "miband_ninebot:c80f103c7e51_heart_rate"

# test_band_sleep's night, run by run: the readings of each minute (None: 0xFF, no reading). The
# band measures every other minute asleep (the capture gadgetbridge_205's pattern).
READINGS: list[list[int | None]] = [
    [None] * 30,  # up
    [64, None] * 10,  # light 20: ten readings of 64
    [48, None] * 5 + [56, None] * 25,  # deep 60: five of 48, twenty-five of 56
    [95] * 5,  # up 5: awake, so not resting; in the hourly statistic all the same
    [60, None] * 20,  # light 40: twenty of 60
    [54, None] * 14 + [20, None],  # deep 30: fourteen of 54 and a misread (20: not plausible)
    [None] * 15,  # light 15: none
    [None] * 125,  # up
]
# Resting readings: 10 + 30 + 20 + 14 = 74 (the 95s awake and the 20 left out). A tenth of 74 is
# the 8th (ceil 7.4) from the lowest: 48 x5, then 54 x14: the 8th is 54.
RESTING, RESTING_READINGS = 54, 74


def _night() -> list[RecordedMinute]:
    minutes = []
    for (category, count), readings in zip(NIGHT, READINGS, strict=True):
        assert len(readings) == count
        for bpm in readings:
            steps = 90 if category not in (STILL, DEEP, LIGHT) else 0
            minutes.append(
                RecordedMinute(category, 0, steps, NO_HEART_RATE if bpm is None else bpm)
            )
    return minutes


async def test_sleep_heart_rate_is_written_at_each_connection_and_kept(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    switch = entity_id_of(hass, Platform.SWITCH, band.address, "sleep_heart_rate")
    assert state_of(hass, Platform.SWITCH, band.address, "sleep_heart_rate") == STATE_OFF
    assert protocol.HR_SLEEP_OFF in band.heart_rate_commands  # off unless asked: as before
    assert protocol.HR_SLEEP_ON not in band.heart_rate_commands

    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert band.heart_rate_commands[-1] == protocol.HR_SLEEP_ON == b"\x15\x00\x01"
    assert state_of(hass, Platform.SWITCH, band.address, "sleep_heart_rate") == STATE_ON

    # The band forgets with the link; the integration writes the choice again on reconnecting.
    band.heart_rate_commands.clear()
    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.authenticated)
    await until(lambda: protocol.HR_SLEEP_ON in band.heart_rate_commands)
    assert protocol.HR_SLEEP_OFF not in band.heart_rate_commands
    assert state_of(hass, Platform.SWITCH, band.address, "sleep_heart_rate") == STATE_ON

    await hass.services.async_call(
        Platform.SWITCH, "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert band.heart_rate_commands[-1] == protocol.HR_SLEEP_OFF == b"\x15\x00\x00"
    assert state_of(hass, Platform.SWITCH, band.address, "sleep_heart_rate") == STATE_OFF


async def test_sleep_heart_rate_choice_survives_a_restart(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    mock_restore_cache(hass, [State("switch.mi_band_1s_7e51_sleep_heart_rate", STATE_ON)])
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_paired_band(hass, band)

    assert state_of(hass, Platform.SWITCH, band.address, "sleep_heart_rate") == STATE_ON
    # Written in the first initialisation, in place of the old forced off.
    assert protocol.HR_SLEEP_ON in band.heart_rate_commands
    assert protocol.HR_SLEEP_OFF not in band.heart_rate_commands


async def test_a_night_with_readings_gives_its_resting_heart_rate_and_hourly_statistic(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, start = _band_with(_night())
    add_device(band)
    entry = await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)

    resting = entity_id_of(hass, Platform.SENSOR, band.address, "resting_heart_rate")
    state = hass.states.get(resting)
    assert state is not None
    assert state.state == str(RESTING)
    assert state.attributes["unit_of_measurement"] == "bpm"
    assert state.attributes["state_class"] == "measurement"
    asleep_at = start + timedelta(minutes=ASLEEP_AFTER)
    assert state.attributes["start"] == asleep_at.isoformat()
    assert state.attributes["end"] == (asleep_at + timedelta(minutes=SESSION_LENGTH)).isoformat()
    assert state.attributes["readings"] == RESTING_READINGS

    # Every reading of the night, awake and misread ones too, in the hourly heart-rate statistic.
    per_hour: dict[object, list[int]] = defaultdict(list)
    for index, bpm in enumerate(bpm for readings in READINGS for bpm in readings):
        if bpm is not None:
            per_hour[(start + timedelta(minutes=index)).replace(minute=0)].append(bpm)
    rows = await hourly_statistics(hass, HEART_RATE)
    assert {
        hour: (row["min"], row["max"], round(row["mean"], 6))
        for hour, row in rows.items()
        if row["max"] is not None
    } == {
        hour: (min(bpms), max(bpms), round(sum(bpms) / len(bpms), 6))
        for hour, bpms in per_hour.items()
    }

    # Kept across a restart.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert hass.states.get(resting).state == str(RESTING)


async def test_a_night_without_readings_has_no_resting_heart_rate(
    recorder_mock: Recorder, hass: HomeAssistant, add_device: AddDevice
) -> None:
    minutes = [RecordedMinute(c, 0, 0) for c, count in NIGHT for _ in range(count)]
    band, _start = _band_with(minutes)
    add_device(band)
    await add_paired_band(hass, band)
    await until(lambda: band.memory.minute_count == 0)
    await settle(hass)
    state = hass.states.get(entity_id_of(hass, Platform.SENSOR, band.address, "resting_heart_rate"))
    assert state.state == STATE_UNKNOWN
    assert state.attributes["readings"] == 0
