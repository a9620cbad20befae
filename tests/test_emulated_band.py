"""The emulated Mi Band 1S as a plain BLE client sees it, with the 0x08 drop (mi-band-1.md 4.1).

These pin down the band's behaviour the integration's band tests rely on, with raw GATT
operations through Home Assistant's Bluetooth manager and the virtual proxy; the bytes written
come from the vectors of docs/protocols/mi-band-1.md (section 6), decoded with the integration's
protocol module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bleak.exc import BleakError
from homeassistant.core import HomeAssistant
import pytest

from custom_components.miband_ninebot.miband import protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import USER_INFO
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT

from .helpers.central import USER, BandClient, Received, connect

AddDevice = Callable[[Peripheral], Peripheral]


async def _band_client(hass: HomeAssistant, band: MiBand, received: Received) -> BandClient:
    central = BandClient(await connect(hass, band, received), band)
    await central.subscribe()
    return central


async def test_first_pairing_asks_for_a_tap_and_later_connections_do_not(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    central = await _band_client(hass, band, Received())

    await central.authenticate()
    assert [await central.next_status(), await central.next_status()] == [0x06, 0x13]
    assert band.waiting_for_tap
    assert band.tap()
    assert await central.next_status() == 0x15
    await central.client.disconnect()

    again = await _band_client(hass, band, Received())
    assert not band.authenticated  # a new connection starts unauthenticated
    await again.authenticate()
    assert await again.next_status() == 0x05
    assert band.authenticated
    await again.client.disconnect()


async def test_user_info_with_a_wrong_checksum_is_refused_without_a_tap(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    central = await _band_client(hass, band, Received())

    await central.authenticate(USER)
    assert await central.next_status() == 0x06
    band.tap()
    record = bytearray(USER.encode("C8:0F:10:00:00:00", None))  # salted with the wrong MAC
    await central.client.write_gatt_char(USER_INFO, record, response=True)

    assert await central.next_status() == 0x13  # the first, valid record's tap request
    assert await central.next_status() == 0x15
    assert await central.next_status() == 0x06  # the bad record: refused
    assert central.status.empty()
    await central.client.disconnect()


async def test_the_seed_failure_heart_rate_on_a_420_ms_link_drops_with_0x08(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """Seed 000: authenticated and clock set, but the link still has Linux's 420 ms timeout."""
    band = add_device(catalog.mi_band_1s())
    band.known_user_ids.add(USER.user_id)
    received = Received()
    central = await _band_client(hass, band, received)
    await central.authenticate()
    assert await central.next_status() == 0x05
    await central.set_clock()

    with pytest.raises(BleakError):
        await central.start_manual_measurement()

    async with asyncio.timeout(5):
        await received.disconnected.wait()
    assert band.disconnect_reasons == [CONNECTION_TIMEOUT]


async def test_new_parameters_apply_at_the_update_s_instant(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """FF09 makes the band ask; the change takes effect at the instant of the central's
    LL_CONNECTION_UPDATE_IND, six events after it, itself after the band's L2CAP request and the
    central's response: until then the link runs at the old interval."""
    band = add_device(catalog.mi_band_1s())
    central = await _band_client(hass, band, Received())
    assert band.connection is not None
    link = band.connection.link
    await central.high_latency()  # the band's idle: 600 ms events, against which time is clear
    assert [await central.next_status(), await central.next_status()] == [0x04, 0x08]
    old = link.interval
    assert old == pytest.approx(0.6)

    await central.low_latency()
    assert await central.next_status() == 0x04
    assert await central.next_status() == 0x08

    assert link.interval == pytest.approx((39 + 49) / 2 * 1.25 / 1000)
    assert link.supervision_timeout == 5.0
    # On the link's own clock, so a busy machine cannot blur it: the band's request, the
    # central's two PDUs, then six events, all at the old interval.
    asked, instant = link.parameter_requests[-1]
    assert instant - asked == pytest.approx(8 * old)


async def test_heart_rate_before_the_clock_is_set_drops_with_0x08_even_on_a_5_s_link(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    band.known_user_ids.add(USER.user_id)
    received = Received()
    central = await _band_client(hass, band, received)
    await central.low_latency()
    await central.authenticate()

    with pytest.raises(BleakError):
        await central.start_manual_measurement()

    async with asyncio.timeout(5):
        await received.disconnected.wait()
    assert band.disconnect_reasons == [CONNECTION_TIMEOUT]


async def test_heart_rate_after_a_full_init_takes_about_ten_seconds(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    band.known_user_ids.add(USER.user_id)
    band.activity.heart_rate = 71
    central = await _band_client(hass, band, Received())
    await central.low_latency()
    assert [await central.next_status(), await central.next_status()] == [0x04, 0x08]
    await central.authenticate()
    assert await central.next_status() == 0x05
    await central.set_clock()
    assert band.connection is not None
    link = band.connection.link
    assert link.supervision_timeout == 5.0

    started = link.now()
    await central.start_manual_measurement()
    answered = link.now()
    async with asyncio.timeout(5):
        bpm = await central.heart_rates.get()
    measured = link.now()

    assert bpm == 71
    # The model's own minimums (no upper bounds: wall-clock overhead stretches model time).
    assert answered - started >= 1.3  # the write response waits for the sensor's start
    assert measured - started >= 10.0
    assert band.connection is not None  # the link survived the sensor's start
    await central.client.disconnect()


def test_device_info_and_battery_decode_with_the_integration_s_protocol() -> None:
    band = catalog.mi_band_1s()
    info = protocol.parse_device_info(band._device_info())
    battery = protocol.parse_battery_info(band._battery_record())
    assert (info.model, info.firmware_version, info.heart_rate_firmware_version) == (
        "Mi Band 1S",
        "4.16.4.22",
        "1.3.76.22",
    )
    assert (battery.level, battery.charge_cycles, battery.state) == (
        82,
        14,
        protocol.BatteryState.NORMAL,
    )
    first = protocol.parse_device_info(catalog.mi_band_1()._device_info())
    assert (first.model, first.supports_heart_rate) == ("Mi Band 1", False)


async def test_band_leaving_range_at_a_chosen_step_times_out_and_is_unreachable_until_back(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    band.known_user_ids.add(USER.user_id)
    band.faults.leave_range_at = ("write", USER_INFO)
    received = Received()
    central = await _band_client(hass, band, received)

    with pytest.raises(BleakError):
        await central.authenticate()  # the user info leaves; its write response never comes

    await asyncio.wait_for(received.disconnected.wait(), 1)
    assert band.disconnect_reasons == [CONNECTION_TIMEOUT]
    assert not band.authenticated
    assert band.faults.leave_range_at is None
    assert not band.in_range  # connects time out until it returns
    band.return_to_range()
    again = await _band_client(hass, band, Received())
    await again.authenticate()
    assert await again.next_status() == 0x05
    await again.client.disconnect()
