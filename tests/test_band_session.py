"""The band session against the emulated Mi Band 1S, through the virtual proxy.

These drive the session directly, over a connection made the way the coordinator makes it; the
tests in test_band.py go through Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta

from bleak.exc import BleakError
from homeassistant.core import HomeAssistant
import pytest

from custom_components.miband_ninebot.miband import protocol
from custom_components.miband_ninebot.miband.alarm import Alarm, AlarmRepeat
from custom_components.miband_ninebot.miband.client import MiBandClient
from custom_components.miband_ninebot.miband.exceptions import (
    AuthenticationRejectedError,
    TapRequiredError,
    TapTimeoutError,
)
from custom_components.miband_ninebot.miband.state import BandSettings, BandState
from custom_components.miband_ninebot.miband.vibration import VibrationPattern
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import ALERT_LEVEL
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT

from . import until
from .helpers.central import Received, connect

AddDevice = Callable[[Peripheral], Peripheral]

USER = protocol.UserInfo(0x2A2A2A2A, protocol.Gender.MALE, 40, 180, 78)
BAND_CLOCK = datetime(2026, 11, 21, 10, 0, 0)  # the band keeps local time, naive


def _session(band: MiBand, states: list[BandState] | None = None) -> MiBandClient:
    settings = BandSettings(USER, now=lambda: BAND_CLOCK)
    return MiBandClient(band.address, settings, None if states is None else states.append)


def _known_band(
    add_device: AddDevice, states: list[BandState] | None = None
) -> tuple[MiBand, MiBandClient]:
    """A 1S in range that knows USER already (paired before), and a session for it."""
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    band.known_user_ids.add(USER.user_id)
    return band, _session(band, states)


async def _start(hass: HomeAssistant, band: MiBand, session: MiBandClient) -> Received:
    received = Received()
    client = await connect(hass, band, received)
    await session.start(client)
    return received


async def test_init_follows_gadgetbridge_s_order_and_reads_the_band(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    states: list[BandState] = []
    band, session = _known_band(add_device, states)

    await _start(hass, band, session)

    state = states[-1]
    assert state.device_info.model == "Mi Band 1S"
    assert (state.battery.level if state.battery else None, state.steps) == (82, 1234)
    assert band.authenticated
    assert band.clock == BAND_CLOCK
    assert band.connection is not None
    # Ended on high latency; the 5 s supervision timeout stays.
    assert band.connection.link.supervision_timeout == 5.0
    assert band.control_commands == [
        protocol.WEAR_LEFT,
        protocol.encode_step_goal(8000),
        protocol.REALTIME_STEPS_ON,
    ]
    assert band.heart_rate_commands == [protocol.HR_SLEEP_OFF]

    band.walk(10)
    await asyncio.sleep(0.05)
    assert states[-1].steps == 1244


async def test_unknown_user_makes_the_band_wait_for_a_tap(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    session = _session(band)

    with pytest.raises(TapRequiredError):
        await _start(hass, band, session)
    assert band.waiting_for_tap


async def test_pairing_waits_for_the_tap_and_later_connections_need_none(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    session = _session(band)
    client = await connect(hass, band, Received())

    pairing = asyncio.create_task(session.pair(client, tap_timeout=5.0))
    await until(lambda: band.waiting_for_tap)
    assert band.tap()
    info = await pairing
    await client.disconnect()

    assert info.model == "Mi Band 1S"
    # LE ok, latency; tap asked, tapped. The two conversations interleave as the central's
    # pace has it (the parameters apply six connection events after their request).
    parameters = [status for status in session.statuses if status in (0x04, 0x08)]
    authentication = [status for status in session.statuses if status not in (0x04, 0x08)]
    assert parameters == [0x04, 0x08]
    assert authentication == [0x06, 0x13, 0x15]
    await _start(hass, band, _session(band))  # a new connection: accepted at once
    assert band.authenticated
    assert band.known_user_ids == {USER.user_id}


async def test_pairing_without_a_tap_times_out(hass: HomeAssistant, add_device: AddDevice) -> None:
    band = add_device(catalog.mi_band_1s())
    client = await connect(hass, band, Received())

    with pytest.raises(TapTimeoutError):
        await _session(band).pair(client, tap_timeout=0.2)
    assert band.known_user_ids == set()


async def test_refused_user_info_is_reported_as_such(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "custom_components.miband_ninebot.miband.client.AUTHENTICATION_TIMEOUT", 0.2
    )
    band = add_device(catalog.mi_band_1s())
    band.faults.reject_users = True

    with pytest.raises(AuthenticationRejectedError):
        await _start(hass, band, _session(band))


async def test_manual_measurement_survives_the_sensor_start_and_returns_the_value(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    states: list[BandState] = []
    band, session = _known_band(add_device, states)
    band.activity.heart_rate = 64
    await _start(hass, band, session)

    bpm = await session.measure_heart_rate()

    assert bpm == 64
    assert states[-1].heart_rate == 64
    assert band.disconnect_reasons == []  # the 0x08 of mi-band-1.md, 4.1, did not happen
    assert band.heart_rate_commands[-3:] == [
        protocol.HR_CONTINUOUS_OFF,
        protocol.HR_MANUAL_OFF,
        protocol.HR_MANUAL_ON,
    ]


async def test_a_drop_during_a_measurement_fails_it_at_once(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, session = _known_band(add_device)
    received = await _start(hass, band, session)
    received_drop = asyncio.get_running_loop().create_future()

    async def drop_after_the_start() -> None:
        while protocol.HR_MANUAL_ON not in band.heart_rate_commands:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        band.drop_link(CONNECTION_TIMEOUT)
        await received.disconnected.wait()
        session.connection_lost()  # what the coordinator's disconnect callback does
        received_drop.set_result(True)

    dropper = asyncio.create_task(drop_after_the_start())
    with pytest.raises(BleakError):
        await session.measure_heart_rate()
    await dropper
    assert received_drop.result()


async def test_vibration_uses_the_immediate_alert(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, session = _known_band(add_device)
    await _start(hass, band, session)

    before = len(band.requests)

    await session.vibrate(VibrationPattern.RING, 2)

    # Ring is two pulses: four of them, each started with 01 and stopped with 00.
    assert band.vibrations == [protocol.ALERT_MILD, protocol.ALERT_OFF] * 4
    # At once, without asking for low latency first (it would apply six seconds later), as
    # writes without response.
    requests = band.requests[before:]
    assert requests == [("write-command", ALERT_LEVEL)] * 8


WAKE_UP = time(10, 1)  # a minute after BAND_CLOCK


async def test_alarms_are_written_once_and_again_after_the_band_ran_flat(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, session = _known_band(add_device)
    daily = Alarm(0, enabled=True, time=WAKE_UP, repeat=AlarmRepeat.WEEKDAYS, smart_wake=True)
    session.settings.alarms = (daily, Alarm(2))
    await _start(hass, band, session)

    # Saturday 2026-11-21: a repeating alarm carries today's date, Monday to Friday is 0x1f.
    set_daily = bytes.fromhex("04 00 01 1a 0a 15 0a 01 00 1e 1f")
    set_off = Alarm(2).encode(BAND_CLOCK)
    assert [c for c in band.control_commands if c[0] == 0x04] == [set_daily, set_off]
    held = band.alarms.slots
    assert held[0] is not None
    assert held[0].weekdays == 0x1F
    assert held[2] is not None
    assert not held[2].enabled

    # Another connection: the band still holds them, nothing is written.
    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.connection is None)
    session.connection_lost()
    await _start(hass, band, session)
    assert len([c for c in band.control_commands if c[0] == 0x04]) == 2

    # The band runs flat and restarts with no clock: all of them again.
    band.run_flat()
    session.connection_lost()
    assert band.alarms.slots == [None] * 3
    await _start(hass, band, session)
    assert [c for c in band.control_commands if c[0] == 0x04][2:] == [set_daily, set_off]


async def test_the_band_rings_an_alarm_at_its_time_and_says_so(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, session = _known_band(add_device)
    await _start(hass, band, session)
    session.settings.alarms = (Alarm(1, enabled=True, time=WAKE_UP, repeat=AlarmRepeat.ONCE),)

    await session.write_alarms()
    assert band.alarms.rings == []
    band.set_clock(datetime.combine(BAND_CLOCK.date(), WAKE_UP) - timedelta(seconds=0.1))

    await until(lambda: bool(band.alarms.rings))
    ring = band.alarms.rings[0]
    assert (ring.slot, ring.at, ring.smart) == (1, datetime(2026, 11, 21, 10, 1), False)
    await until(lambda: 0x11 in session.statuses)  # the band's "alarm" motor event, heard
    # A one-time alarm rings once.
    band.set_clock(datetime(2026, 11, 22, 10, 0, 59, 900000))
    await asyncio.sleep(0.3)
    assert len(band.alarms.rings) == 1
