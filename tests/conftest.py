"""Fixtures: a running Home Assistant with Bluetooth, the virtual proxy and emulated devices.

Pitfalls solved here once:
- bleak class binding: solved in `tests/__init__.py`, which pytest imports before this file.
- custom_components shadowing: the `hass` fixture puts the plugin's own `testing_config` (with a
  `custom_components` package) on sys.path; importing ours first keeps ours the one HA loads.
- scanner lifetime: a scanner binds the Bluetooth manager when built, so the proxy is started only
  after `bluetooth` is set up, and stopped (timers cancelled) at teardown.
- lingering timers and tasks: the plugin fails any test that leaves them; entries are unloaded and
  the proxy stopped before Home Assistant stops.
- snapshots: each Home Assistant release reads and writes its own (`tests/helpers/snapshots.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
import gc
import logging
from unittest.mock import PropertyMock, patch

import bleak_retry_connector
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, real_monotonic
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

import custom_components  # noqa: F401
from custom_components.miband_ninebot.const import DOMAIN
from emulator.link.peripheral import Peripheral
from emulator.transports.esphome import EmulatedESPHomeProxy
from emulator.transports.virtual_proxy import ScanMode, VirtualProxy

from . import TEST_TIMING
from .helpers.esphome import ESPHomeProxies  # bench/test_esphome.py imports it from here
from .helpers.snapshots import (
    SNAPSHOT_TIME,
    ReleaseSnapshotExtension,
    SnapshotEntities,
    add_device_read_once,
)

# The plugin turns on SQL statement logging for its recorder tests; the recorder's thread still
# writes while a test tears down, past pytest's log capture, straight onto the console.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/miband_ninebot in every test.

    `recorder_db_url` comes first because the plugin must prepare the recorder's database before
    `hass` exists, for the tests that use `recorder_mock`.
    """


@pytest.fixture
async def proxy(hass: HomeAssistant, request: pytest.FixtureRequest) -> AsyncIterator[VirtualProxy]:
    """Home Assistant's real Bluetooth manager with a virtual proxy registered on it.

    It scans actively unless a test asks for another `ScanMode` (indirect parametrization).
    """
    assert await async_setup_component(hass, "bluetooth", {})
    virtual_proxy = VirtualProxy(scan_mode=getattr(request, "param", ScanMode.ACTIVE))
    virtual_proxy.start()
    yield virtual_proxy
    # Unload our entries while the proxy still exists, so links close the normal way.
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state.recoverable:
            await hass.config_entries.async_unload(entry.entry_id)
    virtual_proxy.stop()
    await hass.async_block_till_done()


@pytest.fixture
def add_device(
    hass: HomeAssistant, proxy: VirtualProxy
) -> Iterator[Callable[[Peripheral], Peripheral]]:
    """Put an emulated device in the proxy's range, on the fast test time scale."""
    added: list[Peripheral] = []

    def _add(peripheral: Peripheral) -> Peripheral:
        peripheral.timing = replace(peripheral.timing, time_scale=TEST_TIMING.time_scale)
        proxy.add(peripheral)
        added.append(peripheral)
        return peripheral

    yield _add
    for peripheral in added:
        peripheral.stop_timers()  # a band's alarm clock would outlive the test


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let bleak-retry-connector retry without its real-time pauses."""
    for name in (
        "BLEAK_TRANSIENT_BACKOFF_TIME",
        "BLEAK_TRANSIENT_MEDIUM_BACKOFF_TIME",
        "BLEAK_TRANSIENT_LONG_BACKOFF_TIME",
        "BLEAK_OUT_OF_SLOTS_BACKOFF_TIME",
        "BLEAK_BACKOFF_TIME",
        "BLEAK_DBUS_BACKOFF_TIME",  # also its pause after a connect timeout (a device out of range)
    ):
        monkeypatch.setattr(bleak_retry_connector, name, 0.0)


@pytest.fixture
async def esphome_proxies(
    hass: HomeAssistant, socket_enabled: None, mock_async_zeroconf: None
) -> AsyncIterator[ESPHomeProxies]:
    """Home Assistant's esphome integration, ready for emulated proxies on 127.0.0.1.

    `socket_enabled`: the API runs over loopback TCP, which the test plugin otherwise blocks.
    `mock_async_zeroconf`: esphome browses mDNS for its devices; there is no multicast here, and
    these proxies are added by host and port, as a user does without discovery.
    """
    # esphome depends on assist_pipeline, whose conversation agent needs the core integration's
    # exposed entities; and on ffmpeg, which checks its binary at setup: there is none on these
    # machines, and no proxy here streams media, so `true` stands in for it.
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "ffmpeg", {"ffmpeg": {"ffmpeg_bin": "true"}})
    assert await async_setup_component(hass, "bluetooth", {})
    proxies = ESPHomeProxies(hass)
    yield proxies
    # Our entries first, while the proxies still carry their links; then esphome's, which stops
    # its reconnect logic; then the proxies themselves.
    for domain in (DOMAIN, "esphome"):
        for entry in hass.config_entries.async_entries(domain):
            if entry.state.recoverable:
                await hass.config_entries.async_unload(entry.entry_id)
    for proxy in proxies.proxies:
        await proxy.stop()
    await hass.async_block_till_done()
    # bleak-esphome 3.1 (Home Assistant 2025.8) warns from a client's destructor when a failed
    # connect of its own left it subscribed; collected here, the warning shows in the teardown of
    # the test that caused it, not at random in a later test (4.0 cleans up and never warns).
    gc.collect()
    await hass.async_block_till_done()


@pytest.fixture
async def esphome_proxy(esphome_proxies: ESPHomeProxies) -> EmulatedESPHomeProxy:
    """One emulated ESPHome Bluetooth proxy, added to Home Assistant and scanning."""
    return await esphome_proxies.add()


@pytest.fixture
def add_esphome_device(
    esphome_proxy: EmulatedESPHomeProxy,
) -> Callable[[Peripheral], Peripheral]:
    """Put an emulated device in the ESPHome proxy's range, on the fast test time scale."""

    def _add(peripheral: Peripheral) -> Peripheral:
        ESPHomeProxies.place(peripheral, esphome_proxy)
        return peripheral

    return _add


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot assertion, reading and writing this release's snapshots."""
    return snapshot.use_extension(ReleaseSnapshotExtension)


@pytest.fixture
def frozen_time(hass: HomeAssistant) -> Iterator[FrozenDateTimeFactory]:
    """The wall clock stands still at SNAPSHOT_TIME; the event loop's clock runs on.

    Home Assistant's runner binds `loop.time` to `time.monotonic`, which freezegun stops as well
    (its `real_asyncio` reaches only the loop's class, not a time bound on the loop itself): the
    loop keeps the real clock here, which sleeps, timeouts and the emulated links run on.
    """
    loop_time = hass.loop.time
    hass.loop.time = real_monotonic  # type: ignore[method-assign]
    try:
        with freeze_time(SNAPSHOT_TIME) as frozen:
            yield frozen
    finally:
        hass.loop.time = loop_time  # type: ignore[method-assign]


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Every entity enabled, those disabled by default too (as Home Assistant's own tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def snapshot_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    add_device: Callable[[Peripheral], Peripheral],
) -> SnapshotEntities:
    """Snapshot one platform's entities of a device (a key of DEVICES): entries and states.

    Only that platform is set up, as in Home Assistant's own snapshot tests; the entry is unloaded
    before the platforms are all back.
    """

    async def _snapshot(platform: Platform, device: str) -> None:
        with patch("custom_components.miband_ninebot.PLATFORMS", [platform]):
            entry = await add_device_read_once(hass, add_device, device)
            try:
                await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
            finally:
                assert await hass.config_entries.async_unload(entry.entry_id)

    return _snapshot
