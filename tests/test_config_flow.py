"""Discovery and the config flow, through HA's Bluetooth manager and the virtual proxy."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components import bluetooth
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_USER
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.miband_ninebot.const import (
    CONF_KIND,
    CONF_MODEL,
    CONF_USER_ID,
    DEFAULT_PROFILE,
    DOMAIN,
)
from emulator import catalog
from emulator.band import MiBand
from emulator.peripheral import Peripheral
from emulator.proxy import VirtualProxy

from . import add_entry_via_discovery, result_after_progress, settle, tap_when_it_vibrates

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
    [catalog.mi_band_2, catalog.kingsong_wheel],
    ids=["mi_band_2_with_fee1", "kingsong_wheel_with_ffe0"],
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
