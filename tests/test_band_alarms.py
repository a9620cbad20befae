"""The band's alarms and vibrations through Home Assistant: entities a dashboard changes, the
emulated band holding and ringing them, and the wrist as a notifier.

The band keeps local time, and Home Assistant sets it to its own: an alarm's time is Home
Assistant's local time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
import voluptuous as vol

from custom_components.miband_ninebot.const import DOMAIN
from custom_components.miband_ninebot.miband import protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import CONTROL_POINT
from emulator.devices.band_alarms import SetAlarm
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT

from . import device_id, entity_id_of, settle, state_of, until
from .helpers.band import add_band, add_paired_band

AddDevice = Callable[[Peripheral], Peripheral]


def _alarm_commands(band: MiBand) -> list[bytes]:
    return [command for command in band.control_commands if command[:1] == b"\x04"]


async def _set_time(hass: HomeAssistant, band: MiBand, slot: int, value: time) -> None:
    await hass.services.async_call(
        Platform.TIME,
        "set_value",
        {
            ATTR_ENTITY_ID: entity_id_of(hass, Platform.TIME, band.address, f"alarm_{slot}_time"),
            "time": value.isoformat(),
        },
        blocking=True,
    )


async def _switch(hass: HomeAssistant, band: MiBand, key: str, on: bool) -> None:
    await hass.services.async_call(
        Platform.SWITCH,
        "turn_on" if on else "turn_off",
        {ATTR_ENTITY_ID: entity_id_of(hass, Platform.SWITCH, band.address, key)},
        blocking=True,
    )


async def _select_repeat(hass: HomeAssistant, band: MiBand, slot: int, option: str) -> None:
    await hass.services.async_call(
        Platform.SELECT,
        "select_option",
        {
            ATTR_ENTITY_ID: entity_id_of(
                hass, Platform.SELECT, band.address, f"alarm_{slot}_repeat"
            ),
            "option": option,
        },
        blocking=True,
    )


def _soon() -> datetime:
    """Two whole minutes from now, in Home Assistant's local time (the band's clock), naive."""
    now = dt_util.now().replace(tzinfo=None, second=0, microsecond=0)
    return now + timedelta(minutes=2)


async def test_an_alarm_set_from_a_dashboard_rings_the_band(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    address = band.address
    assert state_of(hass, Platform.SWITCH, address, "alarm_1") == STATE_OFF
    assert state_of(hass, Platform.TIME, address, "alarm_1_time") == "07:00:00"
    assert state_of(hass, Platform.SELECT, address, "alarm_1_repeat") == "daily"
    assert state_of(hass, Platform.SWITCH, address, "alarm_1_smart_wake") == STATE_OFF
    assert _alarm_commands(band) == []  # no slot was set here: the band keeps its own

    wake = _soon()
    await _set_time(hass, band, 1, wake.time())
    await _select_repeat(hass, band, 1, "once")
    await _switch(hass, band, "alarm_1", True)

    assert state_of(hass, Platform.TIME, address, "alarm_1_time") == wake.time().isoformat()
    assert state_of(hass, Platform.SWITCH, address, "alarm_1") == STATE_ON
    # Every change reached the band at once, the last one as it stands now.
    assert len(_alarm_commands(band)) == 3
    assert band.alarms.slots[0] == SetAlarm(True, wake, 0, 0)

    band.set_clock(wake - timedelta(seconds=0.1))  # the band's clock comes up to the alarm
    await until(lambda: bool(band.alarms.rings))
    assert (band.alarms.rings[0].slot, band.alarms.rings[0].at) == (0, wake)

    # A one-time alarm gone by is off in Home Assistant too.
    async_fire_time_changed(hass, wake.replace(tzinfo=dt_util.get_default_time_zone()))
    await settle(hass)
    assert state_of(hass, Platform.SWITCH, address, "alarm_1") == STATE_OFF


async def test_repeat_and_smart_wake_reach_the_band(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    await _set_time(hass, band, 3, time(6, 45))
    await _select_repeat(hass, band, 3, "weekdays")
    await _switch(hass, band, "alarm_3_smart_wake", True)
    await _switch(hass, band, "alarm_3", True)

    held = band.alarms.slots[2]
    assert held is not None
    assert (held.enabled, held.moment.time(), held.smart_window, held.weekdays) == (
        True,
        time(6, 45),
        30,
        0x1F,
    )
    assert band.alarms.slots[:2] == [None, None]  # slots never set here are left alone


async def test_alarms_survive_a_restart_and_return_to_a_band_that_forgot_them(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = catalog.mi_band_1s()
    add_device(band)
    entry = await add_paired_band(hass, band)
    await _set_time(hass, band, 2, time(5, 30))
    await _select_repeat(hass, band, 2, "weekends")
    await _switch(hass, band, "alarm_2", True)
    written = len(_alarm_commands(band))

    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert state_of(hass, Platform.TIME, band.address, "alarm_2_time") == "05:30:00"
    assert state_of(hass, Platform.SELECT, band.address, "alarm_2_repeat") == "weekends"
    assert state_of(hass, Platform.SWITCH, band.address, "alarm_2") == STATE_ON
    await until(lambda: band.authenticated)
    # A new run of Home Assistant does not know what the band holds: it writes the slot once.
    await until(lambda: len(_alarm_commands(band)) == written + 1)

    band.drop_link(CONNECTION_TIMEOUT)  # a plain drop: the band still has it
    await until(lambda: band.connection is None)
    await until(lambda: band.authenticated)
    await settle(hass)
    assert len(_alarm_commands(band)) == written + 1

    band.run_flat()  # restarts without a clock or alarms
    await until(lambda: band.authenticated)
    await until(lambda: band.alarms.slots[1] is not None)
    held = band.alarms.slots[1]
    assert held is not None
    assert (held.enabled, held.moment.time(), held.weekdays) == (True, time(5, 30), 0x60)


async def test_an_alarm_changed_while_the_band_is_away_reaches_it_on_return(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    band.leave_range()
    await until(lambda: state_of(hass, Platform.SWITCH, band.address, "alarm_1") == STATE_OFF)
    await _switch(hass, band, "alarm_1", True)  # no error: kept, and the entity says so
    assert state_of(hass, Platform.SWITCH, band.address, "alarm_1") == STATE_ON
    assert band.alarms.slots[0] is None

    band.return_to_range()
    await until(lambda: band.alarms.slots[0] is not None)
    held = band.alarms.slots[0]
    assert held is not None
    assert held.enabled


async def test_a_notification_and_the_vibrate_action_play_patterns(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    await hass.services.async_call(
        Platform.NOTIFY,
        "send_message",
        {
            ATTR_ENTITY_ID: entity_id_of(hass, Platform.NOTIFY, band.address, "vibration_alert"),
            "message": "The washing machine is done",
        },
        blocking=True,
    )
    # Gadgetbridge's notification: "short" (one pulse) three times.
    assert band.vibrations == [protocol.ALERT_MILD, protocol.ALERT_OFF] * 3

    await hass.services.async_call(
        DOMAIN,
        "vibrate",
        {"device_id": device_id(hass, band.address), "pattern": "alarm_clock", "count": 2},
        blocking=True,
    )
    # Alarm clock is four pulses.
    assert band.vibrations[6:] == [protocol.ALERT_MILD, protocol.ALERT_OFF] * 8
    assert band.requests.count(("write-command", CONTROL_POINT)) == 0


@pytest.mark.parametrize("data", [{"pattern": "samba"}, {"count": 11}])
async def test_the_vibrate_action_refuses_what_the_band_cannot_play(
    hass: HomeAssistant, add_device: AddDevice, data: dict[str, Any]
) -> None:
    band, _entry = await add_band(hass, add_device)
    with pytest.raises(vol.Invalid):  # the schema's (probatio's, under that name, from 2026.x)
        await hass.services.async_call(
            DOMAIN, "vibrate", {"device_id": device_id(hass, band.address), **data}, blocking=True
        )
    assert band.vibrations == []


async def test_a_damaged_stored_alarm_is_skipped_and_the_others_load(
    hass: HomeAssistant,
    add_device: AddDevice,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    band = catalog.mi_band_1s()
    good = {
        "slot": 1,
        "enabled": True,
        "time": "06:15",
        "repeat": "daily",
        "smart_wake": False,
        "day": None,
    }
    hass_storage[f"{DOMAIN}.alarms.{band.address.replace(':', '').lower()}"] = {
        "version": 1,
        "key": "alarms",
        "data": {"alarms": [{**good, "slot": 7}, {**good, "slot": 0, "time": "25:00"}, good]},
    }
    add_device(band)
    await add_paired_band(hass, band)

    assert state_of(hass, Platform.SWITCH, band.address, "alarm_2") == STATE_ON
    assert state_of(hass, Platform.TIME, band.address, "alarm_2_time") == "06:15:00"
    assert state_of(hass, Platform.SWITCH, band.address, "alarm_1") == STATE_OFF
    assert caplog.text.count("Ignored a stored alarm") == 2
    await until(lambda: band.alarms.slots[1] is not None)
    assert band.alarms.slots[0] is None  # the damaged slot is left to the band
