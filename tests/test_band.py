"""A Mi Band 1S in Home Assistant, end to end: discovery, pairing, entities, services, drops.

Everything goes through Home Assistant's Bluetooth manager, bleak-retry-connector and the virtual
proxy to the emulated band, which behaves as docs/protocols/mi-band-1.md describes (sections 3-5):
it authenticates a known user id at once, asks for a tap otherwise, forgets everything on a new
connection, and drops the link with HCI 0x08 when its heart-rate sensor starts on a 420 ms link or
before its clock is set (docs/protocols/mi-band-1.md, section 4.1).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed, mock_restore_cache
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miband_ninebot.const import CONF_CONNECTION_POLICY, CONF_USER_ID, DOMAIN
from custom_components.miband_ninebot.miband import client as band_client, protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import HEART_RATE_CONTROL_POINT, LE_PARAMS, USER_INFO
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT
from emulator.transports.virtual_proxy import VirtualProxy

from . import (
    add_entry_via_discovery,
    device_entry,
    device_id,
    entity_id_of,
    let_bluetooth_forget_unheard_devices,
    result_after_progress,
    settle,
    state_of,
    tap_when_it_vibrates,
    until,
)
from .helpers.band import INIT_STEP_IDS, INIT_STEPS, add_band, add_paired_band, measure_heart_rate

AddDevice = Callable[[Peripheral], Peripheral]


# -- what the band tells ------------------------------------------------------------------------


async def test_band_entities_show_what_the_band_reports(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    address = band.address

    assert state_of(hass, Platform.SENSOR, address, "battery") == "82"
    assert state_of(hass, Platform.SENSOR, address, "steps") == "1234"
    assert state_of(hass, Platform.SENSOR, address, "battery_state") == "normal"
    assert state_of(hass, Platform.SENSOR, address, "charge_cycles") == "14"
    assert state_of(hass, Platform.SENSOR, address, "heart_rate") == STATE_UNKNOWN  # none taken yet
    assert state_of(hass, Platform.BINARY_SENSOR, address, "connected") == STATE_ON
    assert state_of(hass, Platform.SWITCH, address, "continuous_heart_rate") == STATE_OFF
    heart_rate = hass.states.get(entity_id_of(hass, Platform.SENSOR, address, "heart_rate"))
    assert heart_rate is not None
    assert heart_rate.attributes["firmware_version"] == "4.16.4.22"
    assert heart_rate.attributes["heart_rate_firmware_version"] == "1.3.76.22"
    assert heart_rate.attributes["unit_of_measurement"] == "bpm"
    device = device_entry(hass, address)
    assert (device.manufacturer, device.model, device.sw_version) == (
        "Xiaomi",
        "Mi Band 1S",
        "4.16.4.22",
    )

    band.walk(25)  # realtime step notifications: the init turned them on
    band.set_battery(79, status=2)
    await until(lambda: state_of(hass, Platform.SENSOR, address, "steps") == "1259")
    await until(lambda: state_of(hass, Platform.SENSOR, address, "battery") == "79")
    assert state_of(hass, Platform.SENSOR, address, "battery_state") == "charging"


async def test_mi_band_1_has_no_heart_rate_entities_and_says_so(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device, catalog.mi_band_1())
    registry = er.async_get(hass)
    keys = {
        entry.unique_id.removeprefix(f"{band.address}_")
        for entry in registry.entities.values()
        if entry.platform == DOMAIN
    }

    assert "heart_rate" not in keys
    assert "measure_heart_rate" not in keys
    assert "continuous_heart_rate" not in keys
    assert {"steps", "battery", "vibrate", "connected"} <= keys
    with pytest.raises(HomeAssistantError) as raised:
        await measure_heart_rate(hass, device_id(hass, band.address))
    assert raised.value.translation_key == "no_heart_rate_sensor"
    # Firmware 1.0.4.9 predates the Immediate Alert service: vibration goes through FF05.
    await hass.services.async_call(
        DOMAIN, "vibrate", {"device_id": device_id(hass, band.address)}, blocking=True
    )
    assert band.vibrations == [protocol.VIBRATE_START, protocol.VIBRATE_STOP]


# -- heart rate on demand -----------------------------------------------------------------------


async def test_measure_heart_rate_service_returns_the_value_and_sets_the_sensor(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    band.activity.heart_rate = 67
    band_id = device_id(hass, band.address)

    response = await measure_heart_rate(hass, band_id)

    assert response == {"heart_rate": 67}
    # Set by the time the call returns: an automation can read it next.
    assert state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "67"
    # The UI's device selector sends a list: one band in a list is accepted too.
    band.activity.heart_rate = 71
    assert await measure_heart_rate(hass, [band_id]) == {"heart_rate": 71}
    # Stop the other modes, then manual on: the order docs/protocols/mi-band-1.md gives (3.9).
    assert band.heart_rate_commands[-3:] == [
        protocol.HR_CONTINUOUS_OFF,
        protocol.HR_MANUAL_OFF,
        protocol.HR_MANUAL_ON,
    ]


async def test_a_warm_measurement_leaves_the_band_at_high_latency(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """No switch to low latency: it would take effect at the update's instant, ten events (six
    seconds) on at the 600 ms the band idles at, after the commands it was meant to speed up."""
    band, _entry = await add_band(hass, add_device)
    # Initialised, resting: (460 + 500) / 2 x 1.25 ms (on a busy machine, a moment after setup).
    await until(lambda: band.connection is not None and band.connection.link.interval > 0.5)
    assert band.connection is not None
    link = band.connection.link
    assert link.interval == pytest.approx(0.6)
    before = len(band.requests)

    await measure_heart_rate(hass, device_id(hass, band.address))

    requests = band.requests[before:]
    assert ("write", LE_PARAMS) not in requests
    assert [r for r in requests if r[1] == HEART_RATE_CONTROL_POINT] == [
        ("write", HEART_RATE_CONTROL_POINT)
    ] * 3  # Gadgetbridge's stop continuous, stop manual, start manual
    assert link.interval == pytest.approx(0.6)


async def test_seed_scenario_is_avoided_by_the_init_order(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The seed: the sensor starting on a 420 ms link dropped it with 0x08. Not with this init.

    Continuous measurement is on, so the sensor starts inside the initialisation itself on every
    connection, before the final high-latency parameters; and manual measurements follow.
    """
    band, _entry = await add_band(hass, add_device)
    switch = entity_id_of(hass, Platform.SWITCH, band.address, "continuous_heart_rate")
    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
    )
    attempts = band.connect_attempts

    band.drop_link()  # the next initialisation starts the sensor itself
    await until(lambda: band.connect_attempts == attempts + 1 and band.authenticated)
    await until(lambda: band.heart_rate_commands[-1:] == [protocol.HR_CONTINUOUS_ON])
    for _ in range(2):
        await measure_heart_rate(hass, device_id(hass, band.address))

    assert band.connection is not None
    # The band asked for, and got, the 5 s supervision timeout.
    assert band.connection.link.supervision_timeout == pytest.approx(5.0)
    assert CONNECTION_TIMEOUT not in band.disconnect_reasons
    assert band.connect_attempts == attempts + 1


async def test_seed_scenario_forced_ends_in_a_translated_error_and_the_band_recovers(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """A band that refuses the longer supervision timeout drops at every sensor start (0x08)."""
    band = catalog.mi_band_1s()
    band.faults.refuse_parameter_update = True
    band, _entry = await add_band(hass, add_device, band)

    with pytest.raises(HomeAssistantError) as raised:
        await measure_heart_rate(hass, device_id(hass, band.address))

    assert raised.value.translation_key == "link_lost"
    assert band.disconnect_reasons.count(CONNECTION_TIMEOUT) == 2  # first try and the retry
    await settle(hass)
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON
    assert band.authenticated


async def test_drop_during_a_measurement_reconnects_reauthenticates_and_retries(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, entry = await add_band(hass, add_device)
    attempts = band.connect_attempts
    band.activity.heart_rate = 64

    measurement = hass.async_create_task(measure_heart_rate(hass, device_id(hass, band.address)))
    await until(lambda: protocol.HR_MANUAL_ON in band.heart_rate_commands)
    band.drop_link(CONNECTION_TIMEOUT)
    response = await measurement

    assert response == {"heart_rate": 64}
    assert band.connect_attempts == attempts + 1
    assert band.heart_rate_commands.count(protocol.HR_MANUAL_ON) == 2
    # Authenticated again with the stored id, without a tap; notifications flow again.
    assert band.known_user_ids == {entry.data[CONF_USER_ID]}
    assert band.authenticated
    band.walk(5)
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "steps") == "1239")


async def test_two_drops_during_a_measurement_raise_a_translated_error(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)

    measurement = hass.async_create_task(measure_heart_rate(hass, device_id(hass, band.address)))
    for attempt in (1, 2):
        await until(lambda: band.heart_rate_commands.count(protocol.HR_MANUAL_ON) == attempt)  # noqa: B023
        band.drop_link(CONNECTION_TIMEOUT)
    with pytest.raises(HomeAssistantError) as raised:
        await measurement

    assert raised.value.translation_key == "link_lost"
    await settle(hass)
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON


async def test_no_value_from_the_band_is_a_translated_error(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(band_client, "HEART_RATE_TIMEOUT", 0.5)
    band, _entry = await add_band(hass, add_device)
    band.activity.heart_rate = 0  # the band reports "no reading" (not worn)

    with pytest.raises(HomeAssistantError) as raised:
        await measure_heart_rate(hass, device_id(hass, band.address))

    assert raised.value.translation_key == "no_heart_rate"
    assert band.connection is not None  # the link is fine; only the value is missing


async def test_measure_button_sets_the_sensor(hass: HomeAssistant, add_device: AddDevice) -> None:
    band, _entry = await add_band(hass, add_device)
    band.activity.heart_rate = 77

    await hass.services.async_call(
        Platform.BUTTON,
        "press",
        {ATTR_ENTITY_ID: entity_id_of(hass, Platform.BUTTON, band.address, "measure_heart_rate")},
        blocking=True,
    )

    assert state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "77"


async def test_continuous_heart_rate_follows_the_band_and_survives_a_drop(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, _entry = await add_band(hass, add_device)
    switch = entity_id_of(hass, Platform.SWITCH, band.address, "continuous_heart_rate")
    band.activity.heart_rate = 80

    await hass.services.async_call(
        Platform.SWITCH, "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
    )
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "80")
    band.activity.heart_rate = 85
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "85")

    # The band forgets the mode with the link; the integration sets it again after reconnecting.
    sent_before_drop = band.heart_rate_commands.count(protocol.HR_CONTINUOUS_ON)
    band.drop_link(CONNECTION_TIMEOUT)
    await until(lambda: band.authenticated)
    await until(
        lambda: band.heart_rate_commands.count(protocol.HR_CONTINUOUS_ON) == sent_before_drop + 1
    )
    band.activity.heart_rate = 90
    await until(lambda: state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "90")

    await hass.services.async_call(
        Platform.SWITCH, "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert band.heart_rate_commands[-1] == protocol.HR_CONTINUOUS_OFF
    assert state_of(hass, Platform.SWITCH, band.address, "continuous_heart_rate") == STATE_OFF


async def test_vibrate_service_and_button(hass: HomeAssistant, add_device: AddDevice) -> None:
    band, _entry = await add_band(hass, add_device)

    await hass.services.async_call(
        DOMAIN, "vibrate", {"device_id": device_id(hass, band.address), "count": 3}, blocking=True
    )
    # 1S firmware 4.16 has Immediate Alert: one "mild alert" and one "off" per pulse.
    assert band.vibrations == [protocol.ALERT_MILD, protocol.ALERT_OFF] * 3

    await hass.services.async_call(
        Platform.BUTTON,
        "press",
        {ATTR_ENTITY_ID: entity_id_of(hass, Platform.BUTTON, band.address, "vibrate")},
        blocking=True,
    )
    assert len(band.vibrations) == 8


# -- service calls on the wrong target ----------------------------------------------------------


async def test_service_on_a_wheel_an_unknown_device_or_an_unloaded_band_is_refused(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, entry = await add_band(hass, add_device)
    wheel = add_device(catalog.ninebot_one_e())
    await add_entry_via_discovery(hass, wheel)

    with pytest.raises(ServiceValidationError) as raised:
        await measure_heart_rate(hass, device_id(hass, wheel.address))
    assert raised.value.translation_key == "not_a_band"

    with pytest.raises(ServiceValidationError) as raised:
        await measure_heart_rate(hass, "0123456789abcdef")
    assert raised.value.translation_key == "unknown_device"

    band_device = device_id(hass, band.address)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(DOMAIN, "vibrate", {"device_id": band_device}, blocking=True)
    assert raised.value.translation_key == "not_loaded"
    assert band.vibrations == []


# -- drops during the initialisation, reauthentication -------------------------------------------


@pytest.mark.parametrize("step", INIT_STEPS, ids=INIT_STEP_IDS)
async def test_drop_at_any_init_step_recovers_without_a_tap(
    hass: HomeAssistant,
    add_device: AddDevice,
    step: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    band, entry = await add_band(hass, add_device)
    attempts = band.connect_attempts
    band.faults.drop_at = step

    band.drop_link(CONNECTION_TIMEOUT)
    await settle(hass)

    assert band.faults.drop_at is None  # the fault fired on the reconnect
    assert band.connection is None
    assert state_of(hass, Platform.SENSOR, band.address, "steps") == STATE_UNAVAILABLE
    # No link is open, so moving the clock only fires the coordinator's backoff timer.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await settle(hass)

    assert band.connect_attempts == attempts + 2
    assert band.authenticated
    assert band.known_user_ids == {entry.data[CONF_USER_ID]}  # no new pairing, no tap
    assert state_of(hass, Platform.SENSOR, band.address, "steps") == "1234"
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON
    assert caplog.text.count("is unavailable") == 1
    assert "Traceback" not in caplog.text


async def test_band_reset_asks_for_reauth_and_pairing_again_restores_it(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, entry = await add_band(hass, add_device)
    user_id = entry.data[CONF_USER_ID]
    band.factory_reset()

    band.drop_link()
    await settle(hass)

    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_OFF
    attempts = band.connect_attempts
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    # Nothing dials a band that refuses us: each attempt would make it vibrate for nobody.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await settle(hass)
    assert band.connect_attempts == attempts

    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    await tap_when_it_vibrates(band)
    result = await result_after_progress(hass, result["flow_id"])

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    # Shown in our words, not Home Assistant's shared ones (2026.10 and later translate the
    # default reason in its own domain unless the flow passes the reason itself).
    assert result.get("translation_domain", DOMAIN) == DOMAIN
    translations = await async_get_translations(hass, "en", "config", {DOMAIN})
    key = f"component.{DOMAIN}.config.abort.reauth_successful"
    assert translations[key] == "The band accepts Home Assistant again."
    await settle(hass)
    assert entry.data[CONF_USER_ID] == user_id  # the same id, paired again
    assert band.known_user_ids == {user_id}
    assert band.authenticated
    assert state_of(hass, Platform.BINARY_SENSOR, band.address, "connected") == STATE_ON


async def test_band_rejecting_the_user_info_asks_for_reauth(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(band_client, "AUTHENTICATION_TIMEOUT", 0.3)
    band, _entry = await add_band(hass, add_device)
    band.faults.reject_users = True

    band.drop_link()
    await settle(hass)

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    with pytest.raises(HomeAssistantError) as raised:
        await measure_heart_rate(hass, device_id(hass, band.address))
    assert raised.value.translation_key == "reauth_required"


# -- policy, diagnostics, options ---------------------------------------------------------------


async def test_periodic_policy_connects_for_a_measurement_and_lets_go(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_paired_band(hass, band, {CONF_CONNECTION_POLICY: "periodic"})
    assert band.connection is None  # visited, read, released
    assert state_of(hass, Platform.SENSOR, band.address, "battery") == "82"
    band.activity.heart_rate = 58
    before = len(band.requests)

    response = await measure_heart_rate(hass, device_id(hass, band.address))

    assert response == {"heart_rate": 58}
    await settle(hass)
    assert band.connection is None  # released again after the measurement
    # One parameter change on the visit: low latency at the start, kept for the measurement
    # that waits and for the sync after it; no high latency asked for a link about to close.
    visit = band.requests[before:]
    assert visit.count(("write", LE_PARAMS)) == 1
    assert visit.index(("write", LE_PARAMS)) < visit.index(("write", HEART_RATE_CONTROL_POINT))
    assert state_of(hass, Platform.SENSOR, band.address, "heart_rate") == "58"


async def test_diagnostics_redact_the_user_id_and_the_profile(
    hass: HomeAssistant, add_device: AddDevice, hass_client: ClientSessionGenerator
) -> None:
    _, entry = await add_band(hass, add_device)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"]["data"][CONF_USER_ID] == "**REDACTED**"
    assert set(diagnostics["entry"]["options"].values()) == {"**REDACTED**"}
    assert str(entry.data[CONF_USER_ID]) not in str(diagnostics)
    # LE params ok, latency, auth ok: the auth verdict may come before or after the parameter
    # update's (which applies six connection events after its request), by how long the central
    # takes between its writes.
    assert sorted(diagnostics["band"]["statuses"][:3]) == ["04", "05", "08"]
    assert diagnostics["band"]["state"]["device_info"]["firmware_version"] == "4.16.4.22"
    assert diagnostics["band"]["alarms"] == []  # none set from Home Assistant
    assert diagnostics["link"]["connected"] is True


async def test_options_change_the_profile_without_a_new_pairing(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band, entry = await add_band(hass, add_device)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    shown = set(result["data_schema"].schema)
    assert {"gender", "age", "height", "weight", "connection_policy"} <= shown

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"gender": "male", "age": 41.0, "height": 182.0, "weight": 77.0}
    )
    await settle(hass)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["age"] == 41
    assert entry.options["connection_policy"] == "hold"
    # Reloaded with the new profile: the band took the new user info without asking for a tap.
    assert band.authenticated
    user_info = band.gatt.characteristic(USER_INFO).value
    assert user_info[4:8] == bytes((1, 41, 182, 77))


async def test_continuous_heart_rate_choice_survives_a_restart(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    mock_restore_cache(hass, [State("switch.mi_band_1s_7e51_continuous_heart_rate", STATE_ON)])
    band = add_device(catalog.mi_band_1s())
    assert isinstance(band, MiBand)
    await add_paired_band(hass, band)

    assert state_of(hass, Platform.SWITCH, band.address, "continuous_heart_rate") == STATE_ON
    # Set at the end of the first initialisation, without anyone touching the switch.
    assert protocol.HR_CONTINUOUS_ON in band.heart_rate_commands


async def test_measuring_a_band_out_of_range_says_so(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    band, _entry = await add_band(hass, add_device)
    proxy.remove(band.address)  # out of range: the link drops, no advertisements
    await settle(hass)
    await let_bluetooth_forget_unheard_devices(hass)

    with pytest.raises(HomeAssistantError) as raised:
        await measure_heart_rate(hass, device_id(hass, band.address))

    assert raised.value.translation_key == "cannot_connect"
    assert band.connection is None
