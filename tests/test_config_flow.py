"""Discovery and the config flow, through HA's Bluetooth manager and the virtual proxy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components import bluetooth
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, CONF_USER_ID, DOMAIN
from custom_components.miband_ninebot.miband import client as band_client, const as band_const
from custom_components.miband_ninebot.ninebot import client as wheel_client
from custom_components.miband_ninebot.ninebot.transport import IDENTITY as WHEEL_IDENTITY
from custom_components.miband_ninebot.options import DEFAULT_PROFILE
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import USER_INFO
from emulator.link.peripheral import ConnectFault, Peripheral
from emulator.transports.virtual_proxy import VirtualProxy

from . import (
    add_entry_via_discovery,
    discovery_flow_id,
    let_bluetooth_forget_unheard_devices,
    result_after_progress,
    settle,
    tap_when_it_vibrates,
    until,
)

AddDevice = Callable[[Peripheral], Peripheral]


def _flows(hass: HomeAssistant) -> dict[str, str]:
    """Discovery flows in progress for our domain: unique_id -> step."""
    return {
        flow["context"]["unique_id"]: flow["step_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    }


@pytest.mark.parametrize(
    ("make_device", "kind", "model", "title"),
    [
        (catalog.mi_band_1s, "band", "Mi Band 1S", "Mi Band 1S (7E51)"),
        (catalog.mi_band_1, "band", "Mi Band 1", "Mi Band 1 (73DA)"),
        (catalog.ninebot_one_e, "wheel", "Ninebot One E", "Ninebot One E (0001)"),
    ],
)
async def test_advertising_device_is_discovered_and_added(
    hass: HomeAssistant,
    add_device: AddDevice,
    make_device: Callable[[], Peripheral],
    kind: str,
    model: str,
    title: str,
) -> None:
    device = add_device(make_device())
    await settle(hass)

    assert _flows(hass) == {device.address: "bluetooth_confirm"}
    flow = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    assert flow["context"]["title_placeholders"] == {"name": title}
    # What releases before 2026.11 have always listed a discovery that needs only a confirmation
    # by (the suite runs on two of them); 2026.11 dropped the flag, and we stop setting it there.
    assert flow["context"].get("confirm_only") is True

    entry = await add_entry_via_discovery(hass, device)

    assert entry.unique_id == device.address
    assert entry.title == title
    expected = {CONF_ADDRESS: device.address, CONF_KIND: kind, CONF_MODEL: model}
    if isinstance(device, MiBand):
        # Paired: the band knows the generated user id, and the empty profile took the defaults.
        assert device.known_user_ids == {entry.data[CONF_USER_ID]}
        expected[CONF_USER_ID] = entry.data[CONF_USER_ID]
        assert entry.options == DEFAULT_PROFILE
    assert entry.data == expected


@pytest.mark.parametrize(
    "make_lookalike",
    [
        catalog.mi_band_2,
        catalog.kingsong_wheel,
        catalog.ninebot_mini,
        catalog.nordic_uart_named_n1,
    ],
    ids=[
        "mi_band_2_with_fee1",
        "kingsong_wheel_with_ffe0",
        "ninebot_mini_with_ninebot_data",
        "nordic_uart_named_n1",
    ],
)
async def test_lookalikes_are_not_offered(
    hass: HomeAssistant, add_device: AddDevice, make_lookalike: Callable[[], Peripheral]
) -> None:
    lookalike = add_device(make_lookalike())
    band = add_device(catalog.mi_band_1s())  # control: discovery works in this very setup
    await settle(hass)

    # Home Assistant heard the look-alike, and did not start a flow for it.
    assert bluetooth.async_last_service_info(hass, lookalike.address, connectable=True)
    assert _flows(hass) == {band.address: "bluetooth_confirm"}


async def test_lookalike_offered_by_hand_is_not_supported(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """A Mi Band 2 that reaches the flow anyway (say, renamed) is refused, not half set up."""
    lookalike = add_device(catalog.mi_band_2())
    await settle(hass)
    service_info = bluetooth.async_last_service_info(hass, lookalike.address, connectable=True)
    assert service_info is not None

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"


async def test_configured_device_is_not_offered_again(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    wheel = add_device(catalog.ninebot_one_e())
    await add_entry_via_discovery(hass, wheel)

    proxy.advertise(wheel, rssi=-50)
    await settle(hass)
    assert _flows(hass) == {}

    service_info = bluetooth.async_last_service_info(hass, wheel.address, connectable=True)
    assert service_info is not None
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_step_lists_supported_devices_not_configured_yet(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    wheel = add_device(catalog.ninebot_one_e())
    add_device(catalog.mi_band_2())
    add_device(catalog.kingsong_wheel())
    add_device(catalog.ninebot_mini())
    await add_entry_via_discovery(hass, band)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    address_field = result["data_schema"].schema[CONF_ADDRESS]  # type: ignore[union-attr]
    assert address_field.container == {wheel.address: "Ninebot One E (0001)"}

    # An empty submit takes the default, the only device offered.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == wheel.address
    assert result["data"][CONF_KIND] == "wheel"
    await settle(hass)


async def test_user_step_without_devices_aborts(hass: HomeAssistant, add_device: AddDevice) -> None:
    add_device(catalog.kingsong_wheel())
    await settle(hass)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_devices_found"


async def test_user_pick_of_a_device_being_discovered_replaces_the_discovery(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = add_device(catalog.mi_band_1s())
    await settle(hass)
    assert _flows(hass) == {band.address: "bluetooth_confirm"}

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADDRESS: band.address}
    )
    assert result["step_id"] == "profile"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await tap_when_it_vibrates(band)
    result = await result_after_progress(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    # The discovery flow for the same device went away with it.
    assert _flows(hass) == {}


# -- a band's profile and pairing ---------------------------------------------------------------


async def _start_pairing(
    hass: HomeAssistant, add_device: AddDevice, band: Peripheral, profile: dict[str, Any]
) -> str:
    """Discovery -> confirm -> profile: returns the flow id, with pairing in progress."""
    add_device(band)
    await settle(hass)
    flow_id = discovery_flow_id(hass, band.address)
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["step_id"] == "profile"
    # Every field has a default: the form as shown always proceeds.
    for field in result["data_schema"].schema:
        assert field.default() == DEFAULT_PROFILE[field.schema]
    result = await hass.config_entries.flow.async_configure(flow_id, profile)
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["progress_action"] == "wait_for_tap"
    return flow_id


async def test_band_profile_is_stored_and_sent_to_the_band(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = catalog.mi_band_1s()
    profile = {"gender": "male", "age": 52.0, "height": 188.0, "weight": 91.0}
    flow_id = await _start_pairing(hass, add_device, band, profile)

    await tap_when_it_vibrates(band)
    result = await result_after_progress(hass, flow_id)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {"gender": "male", "age": 52, "height": 188, "weight": 91}
    # Bytes 4-7 of the user info: gender, age, height, weight (docs/protocols/mi-band-1.md, 3.1).
    assert band.gatt.characteristic(USER_INFO).value[4:8] == bytes((1, 52, 188, 91))


async def test_pairing_without_a_tap_times_out_and_can_be_retried(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(band_const, "TAP_TIMEOUT", 0.5)
    band = catalog.mi_band_1s()
    flow_id = await _start_pairing(hass, add_device, band, {})

    result = await result_after_progress(hass, flow_id)  # nobody taps

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pair_failed"
    assert result["errors"] == {"base": "tap_timeout"}
    assert band.connection is None  # the flow hung up
    assert band.known_user_ids == set()

    result = await hass.config_entries.flow.async_configure(flow_id, {})  # try again
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    await tap_when_it_vibrates(band)
    result = await result_after_progress(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert band.known_user_ids == {result["data"][CONF_USER_ID]}


async def test_pairing_refused_by_the_band_says_so(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(band_client, "AUTHENTICATION_TIMEOUT", 0.3)
    band = catalog.mi_band_1s()
    band.faults.reject_users = True
    flow_id = await _start_pairing(hass, add_device, band, {})

    result = await result_after_progress(hass, flow_id)

    assert result["step_id"] == "pair_failed"
    assert result["errors"] == {"base": "rejected"}


async def test_pairing_with_a_band_that_cannot_be_reached_says_so(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    band = catalog.mi_band_1s()
    band.refuse_connects(100, ConnectFault.ERROR)
    flow_id = await _start_pairing(hass, add_device, band, {})

    result = await result_after_progress(hass, flow_id)

    assert result["step_id"] == "pair_failed"
    assert result["errors"] == {"base": "cannot_connect"}


async def test_pairing_with_something_that_is_not_a_band_aborts(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    impostor = catalog.mi_band_1s()
    impostor.gatt = catalog.ninebot_one_e().gatt  # a band's name and service, a wheel's table
    flow_id = await _start_pairing(hass, add_device, impostor, {})

    result = await result_after_progress(hass, flow_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"
    assert impostor.connection is None
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_abandoned_pairing_hangs_up(hass: HomeAssistant, add_device: AddDevice) -> None:
    band = catalog.mi_band_1s()
    flow_id = await _start_pairing(hass, add_device, band, {})
    await until(lambda: band.waiting_for_tap)

    hass.config_entries.flow.async_abort(flow_id)  # the user closes the dialog
    await settle(hass)

    assert band.connection is None
    assert not band.waiting_for_tap


async def _confirm_discovered_wheel(
    hass: HomeAssistant, add_device: AddDevice, wheel: Peripheral
) -> tuple[str, ConfigFlowResult]:
    """Discover the wheel and submit its confirmation: the flow id and the result."""
    add_device(wheel)
    await settle(hass)
    flow_id = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]["flow_id"]
    return flow_id, await hass.config_entries.flow.async_configure(flow_id, {})


async def test_wheel_is_read_before_it_is_added(hass: HomeAssistant, add_device: AddDevice) -> None:
    wheel = catalog.ninebot_one_e()

    _, result = await _confirm_discovered_wheel(hass, add_device, wheel)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The check read the identity and nothing else, and hung up for the entry's own link.
    # Connect, subscribe, and the identity's read requests (the Ninebot protocol carries them as
    # write commands); the entry's own link follows with its own connect.
    await settle(hass)
    operations = [operation for operation, _uuid in wheel.requests]
    assert operations.count("connect") == 2
    check = operations[: operations.index("connect", 1)]
    assert set(check) == {"connect", "subscribe", "write-command"}


async def test_wheel_that_cannot_be_reached_is_not_added_and_can_be_retried(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = catalog.ninebot_one_e()
    wheel.refuse_connects(100, ConnectFault.ERROR)  # the phone app holds it, say

    flow_id, result = await _confirm_discovered_wheel(hass, add_device, wheel)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "bluetooth_confirm"
    assert result["errors"] == {"base": "wheel_cannot_connect"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    wheel.stop_refusing()  # the app was closed
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)


async def test_wheel_that_does_not_answer_is_not_added(
    hass: HomeAssistant, add_device: AddDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wheel_client, "ANSWER_TIMEOUT", 0.05)
    wheel = catalog.ninebot_one_e()
    wheel.faults.mute = True  # the radio link comes up, the controller says nothing

    _, result = await _confirm_discovered_wheel(hass, add_device, wheel)

    assert result["errors"] == {"base": "wheel_no_answer"}
    assert wheel.connection is None  # hung up
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_wheel_picked_by_hand_that_cannot_be_reached_shows_the_error_on_the_pick(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(catalog.ninebot_one_e())
    wheel.refuse_connects(100, ConnectFault.ERROR)
    await settle(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})

    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "wheel_cannot_connect"}


async def test_something_named_like_a_wheel_without_its_serial_link_aborts(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    impostor = catalog.ninebot_one_e()
    impostor.gatt = catalog.mi_band_1s().gatt  # a wheel's name and service, a band's table

    _, result = await _confirm_discovered_wheel(hass, add_device, impostor)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"
    assert impostor.connection is None


@pytest.mark.parametrize("step", ["bluetooth_confirm", "pair"])
async def test_a_later_step_started_without_a_device_aborts(
    hass: HomeAssistant, proxy: VirtualProxy, step: str
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": step})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"


async def test_wheel_gone_before_the_confirmation_is_not_added(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    wheel = add_device(catalog.ninebot_one_e())
    await settle(hass)
    flow_id = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]["flow_id"]
    proxy.remove(wheel.address)  # switched off while the dialog is open
    await let_bluetooth_forget_unheard_devices(hass)

    result = await hass.config_entries.flow.async_configure(flow_id, {})

    assert result["errors"] == {"base": "wheel_cannot_connect"}
    assert wheel.connection is None


async def test_wheel_lost_during_the_check_is_not_added(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = catalog.ninebot_one_e()
    wheel.faults.drop_at = (WHEEL_IDENTITY.first, 0)  # the link drops as the identity is asked for

    _, result = await _confirm_discovered_wheel(hass, add_device, wheel)

    assert result["errors"] == {"base": "wheel_cannot_connect"}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_pairing_with_a_band_no_longer_heard_says_so(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    band = add_device(catalog.mi_band_1s())
    await settle(hass)
    flow_id = discovery_flow_id(hass, band.address)
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    proxy.remove(band.address)  # gone before the profile is submitted
    await let_bluetooth_forget_unheard_devices(hass)

    result = await hass.config_entries.flow.async_configure(flow_id, {})
    result = await result_after_progress(hass, flow_id)

    assert result["step_id"] == "pair_failed"
    assert result["errors"] == {"base": "cannot_connect"}
