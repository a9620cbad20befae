"""A band's daily step goal (a wheel has no number entities).

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize("device", ["mi_band_1s"])
async def test_numbers(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.NUMBER, device)
