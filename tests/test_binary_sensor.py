"""Binary sensors: connected and in range on both kinds; a band's asleep and worn, a wheel's flags.

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
Both bands have the same set, as both wheels do.
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize("device", ["mi_band_1s", "ninebot_one_e", "ninebot_one_z10"])
async def test_binary_sensors(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.BINARY_SENSOR, device)
