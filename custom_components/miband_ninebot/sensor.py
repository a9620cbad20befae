"""Sensors: the wheel's live telemetry (the band's join them with the band's session)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfLength,
    UnitOfPower,
    UnitOfSpeed,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from . import MiBandNinebotConfigEntry
from .entity import MiBandNinebotEntity
from .ninebot.session import WheelReading
from .wheel_coordinator import WheelCoordinator

PARALLEL_UPDATES = 0

ATTR_PIN = "pin"
ATTR_FIRMWARE_VERSION = "firmware_version"
ATTR_SERIAL_NUMBER = "serial_number"


@dataclass(frozen=True, kw_only=True)
class WheelSensorEntityDescription(SensorEntityDescription):
    """A wheel sensor and where its value comes from in a reading."""

    value_fn: Callable[[WheelReading], float | int]


WHEEL_SENSORS: tuple[WheelSensorEntityDescription, ...] = (
    WheelSensorEntityDescription(
        key="speed",
        translation_key="speed",
        device_class=SensorDeviceClass.SPEED,
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.live.speed,
    ),
    WheelSensorEntityDescription(
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda reading: reading.live.battery,
    ),
    WheelSensorEntityDescription(
        key="voltage",
        translation_key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.live.voltage,
    ),
    WheelSensorEntityDescription(
        key="current",
        translation_key="current",
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.live.current,
    ),
    WheelSensorEntityDescription(
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda reading: reading.live.power,
    ),
    WheelSensorEntityDescription(
        key="temperature",
        translation_key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.live.temperature,
    ),
    WheelSensorEntityDescription(
        key="total_distance",
        translation_key="total_distance",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.live.total_distance,
    ),
    WheelSensorEntityDescription(
        key="trip_distance",
        translation_key="trip_distance",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        # Counts up from zero at every power-on: a drop is a new trip, not a correction.
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        value_fn=lambda reading: reading.live.trip_distance,
    ),
    WheelSensorEntityDescription(
        key="remaining_range",
        translation_key="remaining_range",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.remaining_range,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of a wheel."""
    coordinator = entry.runtime_data
    if not isinstance(coordinator, WheelCoordinator):
        return
    entities: list[WheelSensor] = []
    for description in WHEEL_SENSORS:
        if description.key == "speed":
            entities.append(WheelSpeedSensor(coordinator, description))
        elif description.key == "battery":
            entities.append(WheelBatterySensor(coordinator, description))
        else:
            entities.append(WheelSensor(coordinator, description))
    async_add_entities(entities)


class WheelSensor(MiBandNinebotEntity[WheelCoordinator], SensorEntity):
    """One value of the wheel's latest reading."""

    entity_description: WheelSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The value from the latest reading, None before the first."""
        reading = self.coordinator.data
        return None if reading is None else self.entity_description.value_fn(reading)


class WheelSpeedSensor(WheelSensor):
    """Speed, carrying what identifies the wheel as attributes.

    The PIN is shown to the owner but never stored by the recorder.
    """

    _unrecorded_attributes = frozenset({ATTR_PIN})

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """PIN, firmware version and serial number, once the wheel has told them."""
        reading = self.coordinator.data
        if reading is None:
            return None
        identity = reading.identity
        return {
            ATTR_PIN: identity.pin,
            ATTR_FIRMWARE_VERSION: identity.firmware_version,
            ATTR_SERIAL_NUMBER: identity.serial_number,
        }


class WheelBatterySensor(WheelSensor, RestoreSensor):
    """Battery level; the last known level survives restarts and absences of the wheel."""

    _restored: StateType = None

    async def async_added_to_hass(self) -> None:
        """Take the level Home Assistant had before it restarted."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None and isinstance(
            last.native_value, int | float
        ):
            self._restored = last.native_value

    @property
    def available(self) -> bool:
        """Available whenever a level is known, live or last seen: automations need the level."""
        return self.native_value is not None

    @property
    def native_value(self) -> StateType:
        """The live level, or the last one known."""
        live = super().native_value
        return self._restored if live is None else live
