"""A wheel's lock, disabled by default (a band has none).

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize("device", ["ninebot_one_e", "ninebot_one_z10"])
async def test_locks(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.LOCK, device)
