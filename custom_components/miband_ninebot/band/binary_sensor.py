"""A band's binary sensors: asleep and worn, from the newest minute its memory gave; reminders.

The reminders (`inactive`, `no_heart_rate`) are reminders.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription

from ..entity import MiBandNinebotEntity
from . import reminders
from .coordinator import BandCoordinator
from .statistics import Newest

ATTR_MINUTE = "minute"


@dataclass(frozen=True, kw_only=True)
class BandMemoryBinarySensorEntityDescription(BinarySensorEntityDescription):
    """What the band made of its newest synced minute."""

    value_fn: Callable[[Newest], bool | None]


BAND_MEMORY_SENSORS = (
    BandMemoryBinarySensorEntityDescription(
        key="asleep", translation_key="asleep", value_fn=lambda newest: newest.asleep
    ),
    BandMemoryBinarySensorEntityDescription(
        key="worn", translation_key="worn", value_fn=lambda newest: newest.worn
    ),
)


def entities(coordinator: BandCoordinator) -> list[BinarySensorEntity]:
    """Asleep, then worn; then the reminders."""
    return [
        *(BandMemoryBinarySensor(coordinator, d) for d in BAND_MEMORY_SENSORS),
        *reminders.entities(coordinator),
    ]


class BandMemoryBinarySensor(MiBandNinebotEntity[BandCoordinator], BinarySensorEntity):
    """From the newest minute the band's memory has given Home Assistant.

    Known whether or not the band is in reach: it says what the band recorded, when it last
    could. Unknown before the first sync, and for a category the sources do not name.
    """

    entity_description: BandMemoryBinarySensorEntityDescription

    @property
    def available(self) -> bool:
        """The synced past stays true while the band is away."""
        return True

    @property
    def is_on(self) -> bool | None:
        """The newest synced minute's verdict."""
        newest = self.coordinator.history.newest
        return None if newest is None else self.entity_description.value_fn(newest)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """When that minute was."""
        newest = self.coordinator.history.newest
        return None if newest is None else {ATTR_MINUTE: newest.time.isoformat()}
