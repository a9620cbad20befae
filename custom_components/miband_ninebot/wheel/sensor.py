"""A wheel's sensors: its live telemetry, what its readings since power-on add up to, its outings.

The speed carries what identifies the wheel (PIN, firmware, serial number) as attributes. The
average cell voltage is there for a wheel whose transport counts its pack's cells in series. The
last outing (`outing`) keeps its distance and figures across restarts, like the event it repeats.
"""

from __future__ import annotations

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfLength,
    UnitOfPower,
    UnitOfSpeed,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import callback

from ..data_sensor import (
    ATTR_FIRMWARE_VERSION,
    MiBandNinebotSensor,
    MiBandNinebotSensorEntityDescription,
    data_sensor_class,
)
from ..entity import MiBandNinebotEntity
from ..ninebot.outing import Outing
from ..ninebot.transport import average_cell_voltage
from .coordinator import WheelCoordinator, WheelData
from .outing import (
    ATTR_AVERAGE_SPEED,
    ATTR_BATTERY_USED,
    ATTR_LEFT,
    ATTR_RETURNED,
    ATTR_RIDING_TIME,
    outing_attributes,
)
from .pack_sensor import pack_descriptions

ATTR_PIN = "pin"
ATTR_SERIAL_NUMBER = "serial_number"

type WheelSensorEntityDescription = MiBandNinebotSensorEntityDescription[WheelData]


def _whole_minutes(seconds: int | None) -> int | None:
    """A runtime in seconds, moved on once a minute: every second would be a recorder row."""
    return None if seconds is None else seconds // 60 * 60


WHEEL_SENSORS: tuple[WheelSensorEntityDescription, ...] = (
    MiBandNinebotSensorEntityDescription[WheelData](
        key="speed",
        translation_key="speed",
        device_class=SensorDeviceClass.SPEED,
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.reading.live.speed,
        attributes_fn=lambda data: {
            ATTR_PIN: data.reading.identity.pin,
            ATTR_FIRMWARE_VERSION: data.reading.identity.firmware_version,
            ATTR_SERIAL_NUMBER: data.reading.identity.serial_number,
        },
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.reading.live.battery,
        restore=True,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="voltage",
        translation_key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.reading.live.voltage,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="current",
        translation_key="current",
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.reading.live.current,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda data: data.reading.live.power,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="temperature",
        translation_key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.reading.live.temperature,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="total_distance",
        translation_key="total_distance",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        value_fn=lambda data: data.reading.live.total_distance,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="trip_distance",
        translation_key="trip_distance",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        # Counts up from zero at every power-on: a drop is a new trip, not a correction.
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        value_fn=lambda data: data.reading.live.trip_distance,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="remaining_range",
        translation_key="remaining_range",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.reading.remaining_range,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="time_to_full",
        translation_key="time_to_full",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda data: data.time_to_full,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="ride_time",
        translation_key="ride_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        # The wheel's runtime since power-on: it starts from zero at the next one.
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda data: _whole_minutes(data.reading.live.trip_time),
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="total_ride_time",
        translation_key="total_ride_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_unit_of_measurement=UnitOfTime.HOURS,
        value_fn=lambda data: _whole_minutes(data.reading.total_ride_time),
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="average_speed",
        translation_key="average_speed",
        device_class=SensorDeviceClass.SPEED,
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        # The wheel gives 1/1000 km/h and recomputes it every second: to 0.1 the value changes
        # (and is recorded) only when it means something.
        value_fn=lambda data: round(data.reading.live.average_speed, 1),
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="top_speed",
        translation_key="top_speed",
        device_class=SensorDeviceClass.SPEED,
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.top_speed,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="energy",
        translation_key="energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        # Net of regeneration, so it can fall; it starts again at every power-on (last_reset).
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=0,
        # Whole Wh: a ridden wheel gains one every ten seconds or so, not at every reading.
        value_fn=lambda data: round(data.energy),
        last_reset_fn=lambda data: data.powered_on,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.reading.live.error_code,
    ),
    MiBandNinebotSensorEntityDescription[WheelData](
        key="warning_code",
        translation_key="warning_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.reading.live.warning_code,
    ),
)


def _average_cell_voltage(cells_in_series: int) -> WheelSensorEntityDescription:
    """The pack's voltage per cell, for a wheel of `cells_in_series` (WheelLog's figure)."""
    return MiBandNinebotSensorEntityDescription[WheelData](
        key="average_cell_voltage",
        translation_key="average_cell_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=3,
        value_fn=lambda data: average_cell_voltage(data.reading.live.voltage, cells_in_series),
    )


LAST_OUTING = SensorEntityDescription(
    key="last_outing",
    translation_key="last_outing",
    device_class=SensorDeviceClass.DISTANCE,
    native_unit_of_measurement=UnitOfLength.KILOMETERS,
    # One value per outing, not a quantity that evolves: no long-term statistics.
    suggested_display_precision=1,
)
OUTING_ATTRIBUTES = (
    ATTR_RIDING_TIME,
    ATTR_BATTERY_USED,
    ATTR_AVERAGE_SPEED,
    ATTR_LEFT,
    ATTR_RETURNED,
)


def entities(coordinator: WheelCoordinator) -> list[SensorEntity]:
    """The wheel's sensors, in the order of their descriptions; a Z's packs'; the last outing."""
    descriptions = list(WHEEL_SENSORS)
    if (cells := coordinator.transport.cells_in_series) is not None:
        descriptions.append(_average_cell_voltage(cells))
    for number in range(1, len(coordinator.transport.packs) + 1):
        descriptions.extend(pack_descriptions(number))
    return [
        *(_sensor_class(d)(coordinator, d) for d in descriptions),
        LastOutingSensor(coordinator, LAST_OUTING),
    ]


def _sensor_class(
    description: WheelSensorEntityDescription,
) -> type[MiBandNinebotSensor[WheelData]]:
    return WheelSpeedSensor if description.key == "speed" else data_sensor_class(description)


class WheelSpeedSensor(MiBandNinebotSensor[WheelData]):
    """Speed, carrying what identifies the wheel as attributes.

    The PIN is shown to the owner but never stored by the recorder.
    """

    _unrecorded_attributes = frozenset({ATTR_PIN})


class LastOutingSensor(MiBandNinebotEntity[WheelCoordinator], RestoreSensor):
    """The latest outing's distance, its other figures as attributes, kept across restarts."""

    _attr_native_value: float | None = None

    @property
    def available(self) -> bool:
        """The last outing stays readable while the wheel is away (it is away on the next)."""
        return True

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: it listens to the coordinator's outings, not to an entity id."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Take the outing shown before Home Assistant restarted, then listen for the next."""
        await super().async_added_to_hass()
        last, state = await self.async_get_last_sensor_data(), await self.async_get_last_state()
        if last is not None and isinstance(last.native_value, int | float) and state is not None:
            self._attr_native_value = float(last.native_value)
            self._attr_extra_state_attributes = {
                key: state.attributes.get(key) for key in OUTING_ATTRIBUTES
            }
        self.async_on_remove(self.coordinator.outings.async_listen(self._async_on_outing))

    @callback
    def _async_on_outing(self, outing: Outing) -> None:
        self._attr_native_value = outing.distance
        self._attr_extra_state_attributes = outing_attributes(outing)
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Outings write their own state; a reading is not one."""
