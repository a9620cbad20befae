"""Sensors of each device kind: a 1S's heart rate (a Mi Band 1 has none), a wheel's telemetry.

Entity registry entries, states and attributes, as Home Assistant's snapshot tests have them.
The S2 shows the same values as the One E+, read from its own registers (speed in 0.01 km/h).
"""

from __future__ import annotations

from homeassistant.const import Platform
import pytest

from .helpers.snapshots import SNAPSHOT_MARK, SnapshotEntities

pytestmark = SNAPSHOT_MARK


@pytest.mark.parametrize(
    "device", ["mi_band_1s", "mi_band_1", "ninebot_one_e", "ninebot_one_s2", "ninebot_one_z10"]
)
async def test_sensors(snapshot_entities: SnapshotEntities, device: str) -> None:
    await snapshot_entities(Platform.SENSOR, device)
