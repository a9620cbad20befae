"""Discovery of real bands as their captures advertise, through both transports, both scan modes.

A Mi Band 1 advertises FEE0, FEE1 and FEE7 and keeps its name for its scan response (Mi Fit's
capture); a 1S advertises manufacturer data alone (its hcidump). A proxy in Home Assistant's
default "auto" mode scans passively and hears only the advertisement; an active one hears both.
Either way each band is offered, and Huami's other devices are not.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components import bluetooth
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.miband_ninebot.const import CONF_MODEL, DOMAIN
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import USER_INFO
from emulator.link.peripheral import Peripheral
from emulator.transports.virtual_proxy import AUTO_MODE, ScanMode, VirtualProxy

from . import add_entry_via_discovery, settle, until
from .helpers.esphome import ESPHomeProxies

AddDevice = Callable[[Peripheral], Peripheral]
HAS_AUTO_MODE = AUTO_MODE is not None  # Home Assistant 2026.x

BANDS = [
    (catalog.mi_band_1, "Mi Band 1", "Mi Band 1 (73DA)", "Mi Band 1 (73DA)"),
    (catalog.mi_band_1s, "Mi Band 1S", "Mi Band 1S (7E51)", "Mi Band 1S (7E51)"),
    # No name heard passively: the 1A shares the Mi Band 1's OUI, and pairing names it.
    (catalog.mi_band_1a, "Mi Band 1A", "Mi Band 1 (C8B7)", "Mi Band 1A (C8B7)"),
]
LOOK_ALIKES = [catalog.mi_band_2, catalog.mi_band_6, catalog.mi_scale]


def _flows(hass: HomeAssistant) -> dict[str, str]:
    return {
        flow["context"]["unique_id"]: flow["context"]["title_placeholders"]["name"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    }


def _heard_name(hass: HomeAssistant, address: str) -> str | None:
    info = bluetooth.async_last_service_info(hass, address, connectable=True)
    assert info is not None, f"{address} not heard"
    return info.advertisement.local_name


async def _offered_and_added(
    hass: HomeAssistant, band: MiBand, model: str, discovered_title: str, *, active: bool
) -> None:
    await settle(hass)
    await until(lambda: band.address in _flows(hass))
    # The scan mode is what the test says: a passive scan hears no name.
    assert (_heard_name(hass, band.address) is not None) is active
    assert _flows(hass)[band.address] == discovered_title
    entry = await add_entry_via_discovery(hass, band)
    # Pairing read the band's device info: the model is the band's word, not the advertisement's.
    assert entry.data[CONF_MODEL] == model
    assert entry.title == f"{model} ({band.address[-5:].replace(':', '')})"


@pytest.mark.parametrize(
    "proxy", [ScanMode.PASSIVE, ScanMode.ACTIVE], indirect=True, ids=["passive", "active"]
)
@pytest.mark.parametrize(("make_band", "model", "passive_title", "active_title"), BANDS)
async def test_a_real_band_is_offered_through_a_virtual_proxy(
    hass: HomeAssistant,
    add_device: AddDevice,
    proxy: VirtualProxy,
    make_band: Callable[[], MiBand],
    model: str,
    passive_title: str,
    active_title: str,
) -> None:
    band = add_device(make_band())
    active = proxy.scan_mode is ScanMode.ACTIVE
    title = active_title if active else passive_title
    await _offered_and_added(hass, band, model, title, active=active)


@pytest.mark.parametrize("active", [False, True], ids=["passive", "active"])
@pytest.mark.parametrize(("make_band", "model", "passive_title", "active_title"), BANDS)
async def test_a_real_band_is_offered_through_an_esphome_proxy(
    hass: HomeAssistant,
    esphome_proxies: ESPHomeProxies,
    no_backoff: None,
    active: bool,
    make_band: Callable[[], MiBand],
    model: str,
    passive_title: str,
    active_title: str,
) -> None:
    # Passive: a proxy whose YAML says so (Home Assistant 2026.x then keeps it passive too).
    # Active: ESPHome's default YAML, and on 2026.x the entry's scanning mode set to active (its
    # default, "auto", scans passively).
    proxy = await esphome_proxies.add(
        configured_scan_active=active,
        scan_mode_option="active" if active and HAS_AUTO_MODE else None,
    )
    band = make_band()
    ESPHomeProxies.place(band, proxy)
    await until(lambda: bluetooth.async_last_service_info(hass, band.address) is not None)
    assert proxy.scan_active is active
    await _offered_and_added(
        hass, band, model, active_title if active else passive_title, active=active
    )


@pytest.mark.parametrize(
    "proxy", [ScanMode.PASSIVE, ScanMode.ACTIVE], indirect=True, ids=["passive", "active"]
)
@pytest.mark.parametrize("make_lookalike", LOOK_ALIKES, ids=lambda f: f.__name__)
async def test_huami_s_other_devices_are_not_offered(
    hass: HomeAssistant,
    add_device: AddDevice,
    proxy: VirtualProxy,
    make_lookalike: Callable[[], Peripheral],
) -> None:
    lookalike = add_device(make_lookalike())
    band = add_device(catalog.mi_band_1())  # control: discovery works in this very setup
    await settle(hass)
    await until(lambda: band.address in _flows(hass))
    assert bluetooth.async_last_service_info(hass, lookalike.address, connectable=True)
    assert set(_flows(hass)) == {band.address}

    # Picked by hand, it is not listed either.
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert lookalike.address not in str(result["data_schema"].schema)


@pytest.mark.parametrize("active", [False, True], ids=["passive", "active"])
@pytest.mark.parametrize("make_lookalike", LOOK_ALIKES, ids=lambda f: f.__name__)
async def test_huami_s_other_devices_are_not_offered_through_esphome(
    hass: HomeAssistant,
    esphome_proxies: ESPHomeProxies,
    active: bool,
    make_lookalike: Callable[[], Peripheral],
) -> None:
    proxy = await esphome_proxies.add(
        configured_scan_active=active,
        scan_mode_option="active" if active and HAS_AUTO_MODE else None,
    )
    lookalike, band = make_lookalike(), catalog.mi_band_1()
    ESPHomeProxies.place(lookalike, proxy)
    ESPHomeProxies.place(band, proxy)
    await until(lambda: band.address in _flows(hass))
    await settle(hass)
    assert bluetooth.async_last_service_info(hass, lookalike.address, connectable=True)
    assert set(_flows(hass)) == {band.address}


async def test_an_amazfit_on_the_band_s_address_range_is_refused_before_any_write(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """A Moonbeam advertises as a Mi Band 1 does: offered, then refused on its device info."""
    moonbeam = add_device(catalog.amazfit_moonbeam())
    await settle(hass)
    await until(lambda: moonbeam.address in _flows(hass))
    flow_id = next(
        flow["flow_id"] for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["step_id"] == "profile"
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    await until(lambda: hass.config_entries.flow.async_get(flow_id)["step_id"] != "pair")
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"
    # It read the device info and wrote nothing: no user info, no vibration for a tap.
    assert ("read", "0000ff01-0000-1000-8000-00805f9b34fb") in moonbeam.requests
    assert ("write", USER_INFO) not in moonbeam.requests
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize(
    "proxy", [ScanMode.AUTO if HAS_AUTO_MODE else ScanMode.PASSIVE], indirect=True
)
async def test_adding_a_band_by_hand_asks_for_an_active_scan(
    hass: HomeAssistant, add_device: AddDevice, proxy: VirtualProxy
) -> None:
    """In "auto", a user-started flow has the scanners listen for scan responses a moment.

    Home Assistant 2025.8 has no such request: there the band is listed by what a passive scan
    heard, its address.
    """
    band = add_device(catalog.mi_band_1a())
    await settle(hass)
    assert _heard_name(hass, band.address) is None

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})

    assert result["type"] is FlowResultType.FORM
    options = result["data_schema"].schema["address"].container
    if HAS_AUTO_MODE:
        assert options == {band.address: "Mi Band 1A (C8B7)"}  # its name, from the window
        assert _heard_name(hass, band.address) == "MI1A"
        assert not proxy.scanning_actively  # back to passive after the window
    else:
        assert ha_version.startswith("2025.")
        assert options == {band.address: "Mi Band 1 (C8B7)"}
