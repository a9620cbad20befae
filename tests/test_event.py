"""Event entities of a wheel (its rides, charges, outings) and of a band (its step goal, its
sleep).

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize("device", ["ninebot_one_e", "mi_band_1s"])
async def test_events(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.EVENT, device)
