"""The day's walking: distance and calories by Gadgetbridge's rules, the goal once a day."""

from __future__ import annotations

from datetime import date

from miband import protocol
from miband.daily import (
    DEFAULT_STEP_GOAL,
    STEP_GOAL_MAX,
    STEP_GOAL_MIN,
    DailyGoal,
    GoalReached,
    calories_kcal,
    distance_km,
    step_length_cm,
)
import pytest


def test_step_length_is_0_43_of_the_height_in_whole_centimetres() -> None:
    assert step_length_cm(170) == 73  # 73.1
    assert step_length_cm(175) == 75  # 75.25: Gadgetbridge's default wearer
    assert step_length_cm(182) == 78  # 78.26


def test_distance_is_steps_times_the_step_length() -> None:
    assert distance_km(0, 170) == 0
    assert distance_km(10_000, 170) == pytest.approx(7.3)  # 10 000 x 73 cm
    assert distance_km(1234, 182) == pytest.approx(0.96252)  # 1234 x 78 cm


def test_calories_are_0_04_kcal_a_step_at_70_kg_scaled_by_weight() -> None:
    assert calories_kcal(0, 70) == 0
    assert calories_kcal(10_000, 70) == 400.0
    assert calories_kcal(10_000, 35) == 200.0
    assert calories_kcal(1234, 77) == 54.3  # 1234 x 0.04 x 1.1 = 54.296


def test_the_goal_range_is_what_the_command_carries() -> None:
    assert protocol.encode_step_goal(DEFAULT_STEP_GOAL) == bytes.fromhex("0500401f")  # Mi Fit's
    assert protocol.encode_step_goal(STEP_GOAL_MAX) == bytes.fromhex("0500ffff")
    assert protocol.encode_step_goal(STEP_GOAL_MIN) == bytes.fromhex("05000100")
    with pytest.raises(ValueError, match="step goal"):
        protocol.encode_step_goal(STEP_GOAL_MAX + 1)


def test_the_goal_is_reached_once_a_day() -> None:
    goal = DailyGoal()
    monday, tuesday = date(2026, 12, 7), date(2026, 12, 8)

    assert goal.check(monday, 7999, 8000) is None
    assert goal.check(monday, 8000, 8000) == GoalReached(monday, 8000, 8000)
    assert goal.check(monday, 9000, 8000) is None  # the same day again
    assert goal.check(monday, 9000, 8500) is None  # a higher goal too: once a day
    assert goal.last_reached == monday
    assert goal.check(tuesday, 12, 8000) is None
    assert goal.check(tuesday, 8001, 8000) == GoalReached(tuesday, 8001, 8000)


def test_a_goal_reached_before_a_restart_stays_reached_that_day() -> None:
    monday = date(2026, 12, 7)
    assert DailyGoal(last_reached=monday).check(monday, 9000, 8000) is None
