"""Fixtures: a running Home Assistant with Bluetooth, the virtual proxy and emulated devices.

Pitfalls solved here once (see shared/ha/virtual_proxy.md):
- bleak class binding: solved in `tests/__init__.py`, which pytest imports before this file.
- custom_components shadowing: the `hass` fixture puts the plugin's own `testing_config` (with a
  `custom_components` package) on sys.path; importing ours first keeps ours the one HA loads.
- scanner lifetime: a scanner binds the Bluetooth manager when built, so the proxy is started only
  after `bluetooth` is set up, and stopped (timers cancelled) at teardown.
- lingering timers and tasks: the plugin fails any test that leaves them; entries are unloaded and
  the proxy stopped before Home Assistant stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
import logging

import bleak_retry_connector
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

import custom_components  # noqa: F401
from custom_components.miband_ninebot.const import DOMAIN
from emulator.link import LinkTiming
from emulator.peripheral import Peripheral
from emulator.proxy import VirtualProxy

# The plugin turns on SQL statement logging for its recorder tests; the recorder's thread still
# writes while a test tears down, past pytest's log capture, straight onto the console.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

# Model time runs 100x faster than wall time in tests: a 30 ms connection interval takes 0.3 ms.
TEST_TIMING = LinkTiming(time_scale=0.01)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/miband_ninebot in every test.

    `recorder_db_url` comes first because the plugin must prepare the recorder's database before
    `hass` exists, for the tests that use `recorder_mock`.
    """


@pytest.fixture
async def proxy(hass: HomeAssistant) -> AsyncIterator[VirtualProxy]:
    """Home Assistant's real Bluetooth manager with a virtual proxy registered on it."""
    assert await async_setup_component(hass, "bluetooth", {})
    virtual_proxy = VirtualProxy()
    virtual_proxy.start()
    yield virtual_proxy
    # Unload our entries while the proxy still exists, so links close the normal way.
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state.recoverable:
            await hass.config_entries.async_unload(entry.entry_id)
    virtual_proxy.stop()
    await hass.async_block_till_done()


@pytest.fixture
def add_device(hass: HomeAssistant, proxy: VirtualProxy) -> Callable[[Peripheral], Peripheral]:
    """Put an emulated device in the proxy's range, on the fast test time scale."""

    def _add(peripheral: Peripheral) -> Peripheral:
        peripheral.timing = replace(peripheral.timing, time_scale=TEST_TIMING.time_scale)
        proxy.add(peripheral)
        return peripheral

    return _add


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
