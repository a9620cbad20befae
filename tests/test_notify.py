"""A band's vibration alert (a wheel has none).

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize("device", ["mi_band_1s"])
async def test_notify_entities(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.NOTIFY, device)
