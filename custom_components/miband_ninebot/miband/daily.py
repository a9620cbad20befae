"""A day's walking as the band counts it: the step goal, and distance and calories from steps.

The band (1 / 1A / 1S) counts steps only; Gadgetbridge works the rest out from the wearer's
profile, and so does the integration, with its facts and numbers (files under Gadgetbridge's
app/src/main/java/nodomain/freeyourgadget/gadgetbridge/, at commit
a0948ee1cbc2a870f91d313f8e37df5f524465f7):

- The goal is FF05 `05 00 lo hi` (`protocol.encode_step_goal`): any 16-bit count;
  Gadgetbridge takes one below 1 as unset (`ActivityUser.getStepsGoal`, model/ActivityUser.java
  line 142) and its default is 8000 (line 59), the same as Mi Fit's captured `05 00 40 1f`.
- A step is 0.43 x the height, in whole centimetres (`ActivityUser.getStepLengthCm`, line 126);
  the distance is the steps times that (util/DashboardUtils.java line 149, `getDistanceTotal`,
  for a device that reports no distance of its own, as the Mi Band 1 does not).
- Gadgetbridge gives a device without a calorie count no active calories from its steps
  (activities/charts/CaloriesDailyFragment.java line 171 adds only what the device reports); its
  only figure from steps is its test device's 0.04 kcal a step (devices/test/samples/
  TestSampleProvider.java line 259). The integration takes that figure as the walk of
  Gadgetbridge's default wearer, 70 kg (model/ActivityUser.java line 57), and scales it with the
  weight, as walking's energy cost grows with the body's mass: *inferred*, an estimate.
- The goal event: the band has an FF03 code for it (07 "fitness goal achieved", 12 its
  vibration; devices/miband/MiBandService.java lines 95 and 117), but Gadgetbridge does not act on
  either (service/devices/miband/MiBandSupport.java `handleNotificationNotif`, line 996) and no
  capture shows one. The integration goes by the step count crossing the goal instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

STEP_GOAL_MIN: Final = 1  # Gadgetbridge takes less as unset
STEP_GOAL_MAX: Final = 0xFFFF  # the command's two bytes
DEFAULT_STEP_GOAL: Final = 8000  # Gadgetbridge's default, Mi Fit's in the capture

STEP_LENGTH_PER_HEIGHT: Final = 0.43
KCAL_PER_STEP: Final = 0.04  # for Gadgetbridge's default wearer
KCAL_PER_STEP_WEIGHT: Final = 70  # kg, that wearer's weight


def step_length_cm(height_cm: int) -> int:
    """A step's length, whole centimetres, for a wearer `height_cm` tall."""
    return int(height_cm * STEP_LENGTH_PER_HEIGHT)


def distance_km(steps: int, height_cm: int) -> float:
    """How far `steps` take a wearer `height_cm` tall, in km (to the centimetre)."""
    return steps * step_length_cm(height_cm) / 100_000


def calories_kcal(steps: int, weight_kg: int) -> float:
    """The energy `steps` cost a wearer of `weight_kg`, in kcal, to a tenth (an estimate)."""
    return round(steps * KCAL_PER_STEP * weight_kg / KCAL_PER_STEP_WEIGHT, 1)


@dataclass(frozen=True, slots=True)
class GoalReached:
    """The day's steps came to the goal."""

    day: date
    steps: int
    goal: int


@dataclass(slots=True)
class DailyGoal:
    """Whether a count crosses the goal, once a day: `last_reached` is the day it last did."""

    last_reached: date | None = None

    def check(self, day: date, steps: int, goal: int) -> GoalReached | None:
        """The goal reached by `steps` on `day`, unless it was already that day."""
        if steps < goal or self.last_reached == day:
            return None
        self.last_reached = day
        return GoalReached(day, steps, goal)
