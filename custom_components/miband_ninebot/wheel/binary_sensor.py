"""A wheel's binary sensors: charging, and its locked and speed-limited flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from ..entity import MiBandNinebotEntity
from .coordinator import WheelCoordinator, WheelData


@dataclass(frozen=True, kw_only=True)
class WheelBinarySensorEntityDescription(BinarySensorEntityDescription):
    """What a wheel's latest data says."""

    value_fn: Callable[[WheelData], bool | None]  # None: not read yet (a Z's lock register)


WHEEL_SENSORS = (
    WheelBinarySensorEntityDescription(
        key="charging",
        translation_key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        value_fn=lambda data: data.charging,
    ),
    # On means locked, as the key says: the lock device class would read the other way round.
    WheelBinarySensorEntityDescription(
        key="locked",
        translation_key="locked",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.reading.live.locked,
    ),
    WheelBinarySensorEntityDescription(
        key="speed_limited",
        translation_key="speed_limited",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.reading.live.speed_limited,
    ),
)


def entities(coordinator: WheelCoordinator) -> list[BinarySensorEntity]:
    """Charging, locked, speed limited."""
    return [WheelBinarySensor(coordinator, d) for d in WHEEL_SENSORS]


class WheelBinarySensor(MiBandNinebotEntity[WheelCoordinator], BinarySensorEntity):
    """A state the wheel's latest reading tells (or its readings since power-on add up to)."""

    entity_description: WheelBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """From the latest data; unknown before the first reading."""
        data = self.coordinator.data
        return None if data is None else self.entity_description.value_fn(data)
