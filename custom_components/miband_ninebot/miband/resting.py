"""A night's resting heart rate, from the 1S's readings during the sleep minutes of a session.

The figure: the **10th percentile** (nearest rank) of the session's valid readings, i.e. the lowest
reading that at least a tenth of them are at or below. Resting heart rate is the heart's lowest
sustained rate; sleep is where it is reached. The plain minimum would be one reading, and the
optical sensor's odd misread would make it; a low percentile asks a tenth of the night to have
been there, yet stays near the floor the heart settled on, and it is a rate the band measured.
It needs only how many minutes had each rate, which keeps what a session under way carries small
(a few dozen counts) and independent of the order of the minutes.

Readings counted: those of the session's sleep minutes (deep or light), from 30 to 150 bpm; a
minute without one (0xFF in the memory: `Minute.heart_rate` None) or outside that range (a
misread for a sleeping adult) is left out. With fewer than `MIN_READINGS` (10) there is no figure:
a nap, or a night with the sleep measurement off.

Nothing here imports Home Assistant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeGuard

PLAUSIBLE = range(30, 151)  # bpm
MIN_READINGS = 10
PERCENTILE = 10


def plausible(bpm: int | None) -> TypeGuard[int]:
    """Whether a minute's reading counts towards the resting heart rate."""
    return bpm is not None and bpm in PLAUSIBLE


def resting_heart_rate(counts: Mapping[int, int]) -> int | None:
    """The 10th percentile (nearest rank) of readings given as {bpm: how many}; None if too few."""
    total = sum(counts.values())
    if total < MIN_READINGS:
        return None
    rank = -(-total * PERCENTILE // 100)  # ceil(total / 10): the reading's place, from 1
    seen = 0
    for bpm in sorted(counts):
        seen += counts[bpm]
        if seen >= rank:
            return bpm
    raise AssertionError("unreachable: the counts add up to total")  # pragma: no cover
