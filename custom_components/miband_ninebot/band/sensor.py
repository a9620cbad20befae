"""A band's sensors: heart rate (1S), steps, battery, today's distance and calories, last sleep.

And when its memory was last synced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfEnergy, UnitOfLength
from homeassistant.util import dt as dt_util

from ..data_sensor import (
    ATTR_FIRMWARE_VERSION,
    MiBandNinebotSensorEntityDescription,
    data_sensor_class,
)
from ..entity import MiBandNinebotEntity
from ..miband.protocol import BatteryState
from ..miband.state import BandState
from .coordinator import BandCoordinator
from .day import BandDay
from .resting_entity import RESTING_HEART_RATE, RestingHeartRateSensor
from .sleep_entities import LAST_SLEEP, LastSleepSensor

ATTR_HEART_RATE_FIRMWARE_VERSION = "heart_rate_firmware_version"


@dataclass(frozen=True, kw_only=True)
class BandSensorEntityDescription(MiBandNinebotSensorEntityDescription[BandState]):
    """A band's sensor; some need the optical sensor only the 1S has."""

    heart_rate: bool = False  # only on a band with the optical sensor


def _last_charged(state: BandState) -> datetime | None:
    """The band keeps local time without a zone: it is Home Assistant's."""
    moment = None if state.battery is None else state.battery.last_charged
    return None if moment is None else moment.replace(tzinfo=dt_util.get_default_time_zone())


BAND_SENSORS: tuple[BandSensorEntityDescription, ...] = (
    BandSensorEntityDescription(
        key="heart_rate",
        translation_key="heart_rate",
        native_unit_of_measurement="bpm",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: state.heart_rate,
        attributes_fn=lambda state: {
            ATTR_FIRMWARE_VERSION: state.device_info.firmware_version,
            ATTR_HEART_RATE_FIRMWARE_VERSION: state.device_info.heart_rate_firmware_version,
        },
        heart_rate=True,
    ),
    BandSensorEntityDescription(
        key="steps",
        translation_key="steps",
        native_unit_of_measurement="steps",
        # The band starts counting again at midnight: a reset, not a correction.
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda state: state.steps,
    ),
    BandSensorEntityDescription(
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: None if state.battery is None else state.battery.level,
        restore=True,
    ),
    BandSensorEntityDescription(
        key="battery_state",
        translation_key="battery_state",
        device_class=SensorDeviceClass.ENUM,
        options=[battery_state.value for battery_state in BatteryState],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: None if state.battery is None else state.battery.state,
    ),
    BandSensorEntityDescription(
        key="charge_cycles",
        translation_key="charge_cycles",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: None if state.battery is None else state.battery.charge_cycles,
    ),
    BandSensorEntityDescription(
        key="last_charged",
        translation_key="last_charged",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_last_charged,
    ),
)


@dataclass(frozen=True, kw_only=True)
class BandDaySensorEntityDescription(SensorEntityDescription):
    """A figure of the band's day (band/day.py)."""

    value_fn: Callable[[BandDay], float | None]


# From today's steps, as the steps sensor: back to 0 at midnight, a reset (TOTAL_INCREASING).
DAY_SENSORS = (
    BandDaySensorEntityDescription(
        key="distance_today",
        translation_key="distance_today",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=2,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda day: day.distance,
    ),
    BandDaySensorEntityDescription(
        key="calories_today",
        translation_key="calories_today",
        # kcal is among the energy class's units in every supported release (2025.8.0 on).
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_CALORIE,
        suggested_display_precision=0,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda day: day.calories,
    ),
)

LAST_ACTIVITY_SYNC = SensorEntityDescription(
    key="last_activity_sync",
    translation_key="last_activity_sync",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)


def entities(coordinator: BandCoordinator) -> list[SensorEntity]:
    """The band's sensors (heart rate on a 1S only), distance, calories, last sync, sleep.

    A 1S also has its resting heart rate per night.
    """
    sensors: list[SensorEntity] = [
        data_sensor_class(d)(coordinator, d)
        for d in BAND_SENSORS
        if coordinator.has_heart_rate_sensor or not d.heart_rate
    ]
    sensors.extend(BandDaySensor(coordinator, d) for d in DAY_SENSORS)
    sensors.append(LastActivitySyncSensor(coordinator, LAST_ACTIVITY_SYNC))
    sensors.append(LastSleepSensor(coordinator, LAST_SLEEP))
    if coordinator.has_heart_rate_sensor:
        sensors.append(RestingHeartRateSensor(coordinator, RESTING_HEART_RATE))
    return sensors


class BandDaySensor(MiBandNinebotEntity[BandCoordinator], SensorEntity):
    """A figure of today's walk, from the steps and the wearer's profile."""

    entity_description: BandDaySensorEntityDescription

    @property
    def native_value(self) -> float | None:
        """Today's figure, None before the band's first count."""
        return self.entity_description.value_fn(self.coordinator.day)


class LastActivitySyncSensor(MiBandNinebotEntity[BandCoordinator], SensorEntity):
    """When the band's memory was last synced to the end (kept across restarts)."""

    @property
    def available(self) -> bool:
        """A past moment: known while the band is away too."""
        return True

    @property
    def native_value(self) -> datetime | None:
        """The last completed sync."""
        return self.coordinator.history.last_sync
