"""Outings measured between two readings' lifetime counters, and the One's cells (pure, no HA)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ninebot.outing import MIN_DISTANCE, Outing, Sighting, measure
from ninebot.transport import ONE_A1_S2, ONE_C_E_P, average_cell_voltage
import pytest

LEFT = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
BACK = LEFT + timedelta(hours=2)


def _seen(
    moment: datetime, km: float, runtime: int | None = 360_000, battery: int = 80
) -> Sighting:
    return Sighting(moment, total_distance=km, total_ride_time=runtime, battery=battery)


def test_an_outing_is_what_the_counters_moved_by() -> None:
    outing = measure(_seen(LEFT, 1234.567, 360_000, 92), _seen(BACK, 1246.567, 362_400, 61))
    assert outing == Outing(
        left=LEFT,
        returned=BACK,
        distance=12.0,
        riding_time=2400,  # 40 min on
        battery_used=31,
        average_speed=18.0,  # 12 km in 40 min
    )


def test_less_than_the_threshold_is_no_outing() -> None:
    """A wheel pushed to the charger, or rocked while carried, has not been out."""
    assert measure(_seen(LEFT, 500.0), _seen(BACK, 500.099)) is None
    assert measure(_seen(LEFT, 500.0), _seen(BACK, 500.0)) is None


def test_the_threshold_is_counted_in_the_odometer_s_metres() -> None:
    # 1234.667 - 1234.567 is 0.0999... in floating point: still the 100 m the register counted.
    outing = measure(_seen(LEFT, 1234.567), _seen(BACK, 1234.667, 360_030))
    assert outing is not None
    assert outing.distance == MIN_DISTANCE == 0.1
    assert outing.average_speed == 12.0


def test_an_odometer_that_went_back_is_no_outing() -> None:
    """Another controller, or one reset: nothing can be said of what happened."""
    assert measure(_seen(LEFT, 800.0), _seen(BACK, 12.0)) is None


def test_a_charge_while_away_leaves_the_battery_used_unknown() -> None:
    outing = measure(_seen(LEFT, 100.0, battery=40), _seen(BACK, 108.0, battery=95))
    assert outing is not None
    assert outing.battery_used is None
    assert outing.distance == 8.0


def test_an_unchanged_level_used_nothing_measurable() -> None:
    outing = measure(_seen(LEFT, 100.0, battery=70), _seen(BACK, 100.4, battery=70))
    assert outing is not None
    assert outing.battery_used == 0


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, 362_000),  # the wheel did not answer for its runtime when it left
        (360_000, None),  # nor when it came back
        (360_000, 360_000),  # a runtime that did not move
        (360_000, 100),  # one that went back
    ],
)
def test_without_a_runtime_there_is_no_riding_time_nor_average(
    before: int | None, after: int | None
) -> None:
    outing = measure(_seen(LEFT, 100.0, before), _seen(BACK, 105.0, after))
    assert outing is not None
    assert (outing.distance, outing.riding_time, outing.average_speed) == (5.0, None, None)


def test_the_one_s_pack_has_15_cells_in_series() -> None:
    """WheelLog's count for its Ninebot (One) adapter, on both variants."""
    assert ONE_C_E_P.cells_in_series == ONE_A1_S2.cells_in_series == 15
    # The ride voltages recorded from a One E+ (docs/protocols/ninebot-one.md, 0x47).
    assert average_cell_voltage(52.49, 15) == 3.499
    assert average_cell_voltage(61.59, 15) == 4.106
    assert average_cell_voltage(57.31, 15) == 3.821
