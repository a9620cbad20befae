"""Switches: a band's alarms and smart wake-ups, a 1S's continuous heart rate; a wheel's link.

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize("device", ["mi_band_1s", "mi_band_1", "ninebot_one_e"])
async def test_switches(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.SWITCH, device)
