"""The snapshot tests' devices and set-up, and where their snapshots live.

One device of each kind, added as a user adds it (discovery, the default profile, a tap on a
band), read once; the wall clock frozen, so that timestamps in states and diagnostics are the same
on every run. Each Home Assistant release keeps its own snapshots: 2025.8 and 2026.10 serialise
entities differently (2026.10's registry entries have `object_id_base` and a list of aliases, its
state attributes are keyed by enum members); their diagnostics are the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION, Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.location import PyTestLocation

from custom_components.miband_ninebot.miband import latency, protocol
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.wheel import NinebotOneS2
from emulator.devices.wheel_z import NinebotOneZ10, captured_pack_state
from emulator.link.peripheral import Peripheral

from .. import add_entry_via_discovery, until
from .wheel import STATE, make_wheel

HA_RELEASE = f"{MAJOR_VERSION}.{MINOR_VERSION}"

# The wall clock stands still at this moment (UTC) from the devices' set-up on (`frozen_time`).
SNAPSHOT_TIME = "2026-11-21 10:00:00"
# A snapshot test's module mark: the clock frozen, and every entity enabled (those disabled by
# default too: the wheel's lock, the signal strength).
SNAPSHOT_MARK = pytest.mark.usefixtures("frozen_time", "entity_registry_enabled_by_default")

# The device kinds, by test id: a 1S (heart rate), a Mi Band 1 (none), a One E+ and an S2 at the
# same values (the S2 reads its speed in 0.01 km/h, from its own register), and a Z10.
DEVICES: dict[str, Callable[[], Peripheral]] = {
    "mi_band_1s": catalog.mi_band_1s,
    "mi_band_1": catalog.mi_band_1,
    "ninebot_one_e": make_wheel,
    "ninebot_one_s2": lambda: NinebotOneS2(state=replace(STATE)),
    # A Z10 whose packs read as WheelLog captured them (tests/captures/wheellog_z10_adapter_test).
    "ninebot_one_z10": lambda: NinebotOneZ10(state=captured_pack_state()),
}
# The `snapshot_entities` fixture: snapshot a platform's entities of one of DEVICES.
type SnapshotEntities = Callable[[Platform, str], Awaitable[None]]


async def add_device_read_once(
    hass: HomeAssistant, add_device: Callable[[Peripheral], Peripheral], device: str
) -> ConfigEntry:
    """Add one of DEVICES from discovery, and return its entry once its link has settled."""
    peripheral = add_device(DEVICES[device]())
    entry = await add_entry_via_discovery(hass, peripheral)
    await until(lambda: _settled(peripheral, entry))
    await hass.async_block_till_done()
    return entry


def _settled(device: Peripheral, entry: ConfigEntry) -> bool:
    """The first data is shown; a band has also said its initialisation's last request applied.

    That request, high latency, is answered (FF03 04 then 08) some ten connection events after
    the data: the diagnostics list the words of the connection.
    """
    coordinator = entry.runtime_data
    if coordinator.data is None:
        return False
    if not isinstance(device, MiBand):
        return True
    rest = latency.HIGH_LATENCY
    asked = (rest.min_interval, rest.max_interval, rest.latency, rest.supervision_timeout)
    return device.preferred_parameters == asked and coordinator.session.statuses[-1:] == [
        protocol.Notification.LATENCY_SET
    ]


class ReleaseSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshots, in a folder of the release: `release_snapshots/<major.minor>/`.

    Only that folder is read: a snapshot missing there fails the test (unless updating), and the
    other releases' snapshots are neither used nor reported unused. Not below `snapshots/`: the
    plugin's own extension (whose assertion the `snapshot` fixture derives from) searches that
    folder with its subfolders, and would count another release's snapshots as unused (and
    delete them on `--snapshot-update`).
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "release_snapshots" / HA_RELEASE)
