"""Sensors: the wheel's live telemetry; the band's heart rate, steps and battery."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components import bluetooth
from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
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
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from . import MiBandNinebotConfigEntry
from .band_coordinator import BandCoordinator
from .coordinator import LinkCoordinator
from .entity import MiBandNinebotEntity
from .miband.protocol import BatteryState
from .miband.state import BandState
from .wheel_coordinator import WheelCoordinator, WheelData

PARALLEL_UPDATES = 0

ATTR_PIN = "pin"
ATTR_FIRMWARE_VERSION = "firmware_version"
ATTR_HEART_RATE_FIRMWARE_VERSION = "heart_rate_firmware_version"
ATTR_SERIAL_NUMBER = "serial_number"

type SensorValue = StateType | datetime


@dataclass(frozen=True, kw_only=True)
class MiBandNinebotSensorEntityDescription[DataT](SensorEntityDescription):
    """A sensor and where its value (and attributes) come from in the device's data."""

    value_fn: Callable[[DataT], SensorValue]
    attributes_fn: Callable[[DataT], Mapping[str, Any]] | None = None
    last_reset_fn: Callable[[DataT], datetime] | None = None  # a total that starts over
    restore: bool = False  # keep the last value across restarts and absences (battery)
    heart_rate: bool = False  # only on a band with the optical sensor


type WheelSensorEntityDescription = MiBandNinebotSensorEntityDescription[WheelData]
type BandSensorEntityDescription = MiBandNinebotSensorEntityDescription[BandState]


def _whole_minutes(seconds: int | None) -> int | None:
    """A runtime in seconds, moved on once a minute: every second would be a recorder row."""
    return None if seconds is None else seconds // 60 * 60


def _last_charged(state: BandState) -> datetime | None:
    """The band keeps local time without a zone: it is Home Assistant's."""
    moment = None if state.battery is None else state.battery.last_charged
    return None if moment is None else moment.replace(tzinfo=dt_util.get_default_time_zone())


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


BAND_SENSORS: tuple[BandSensorEntityDescription, ...] = (
    MiBandNinebotSensorEntityDescription[BandState](
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
    MiBandNinebotSensorEntityDescription[BandState](
        key="steps",
        translation_key="steps",
        native_unit_of_measurement="steps",
        # The band starts counting again at midnight: a reset, not a correction.
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda state: state.steps,
    ),
    MiBandNinebotSensorEntityDescription[BandState](
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: None if state.battery is None else state.battery.level,
        restore=True,
    ),
    MiBandNinebotSensorEntityDescription[BandState](
        key="battery_state",
        translation_key="battery_state",
        device_class=SensorDeviceClass.ENUM,
        options=[battery_state.value for battery_state in BatteryState],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: None if state.battery is None else state.battery.state,
    ),
    MiBandNinebotSensorEntityDescription[BandState](
        key="charge_cycles",
        translation_key="charge_cycles",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: None if state.battery is None else state.battery.charge_cycles,
    ),
    MiBandNinebotSensorEntityDescription[BandState](
        key="last_charged",
        translation_key="last_charged",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_last_charged,
    ),
)


LAST_ACTIVITY_SYNC = SensorEntityDescription(
    key="last_activity_sync",
    translation_key="last_activity_sync",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)


RSSI_REFRESH = timedelta(seconds=30)
SIGNAL_STRENGTH = SensorEntityDescription(
    key="signal_strength",
    translation_key="signal_strength",
    device_class=SensorDeviceClass.SIGNAL_STRENGTH,
    native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    state_class=SensorStateClass.MEASUREMENT,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of a wheel or a band."""
    coordinator = entry.runtime_data
    descriptions: tuple[MiBandNinebotSensorEntityDescription[Any], ...]
    if isinstance(coordinator, WheelCoordinator):
        descriptions = WHEEL_SENSORS
    elif isinstance(coordinator, BandCoordinator):
        descriptions = tuple(
            d for d in BAND_SENSORS if coordinator.has_heart_rate_sensor or not d.heart_rate
        )
    else:
        return
    entities: list[SensorEntity] = [_sensor_class(d)(coordinator, d) for d in descriptions]
    if isinstance(coordinator, BandCoordinator):
        entities.append(LastActivitySyncSensor(coordinator, LAST_ACTIVITY_SYNC))
    entities.append(SignalStrengthSensor(coordinator, SIGNAL_STRENGTH))
    async_add_entities(entities)


def _sensor_class(
    description: MiBandNinebotSensorEntityDescription[Any],
) -> type[MiBandNinebotSensor[Any]]:
    if description.restore:
        return RestoredSensor
    if description.key == "speed":
        return WheelSpeedSensor
    return MiBandNinebotSensor


class MiBandNinebotSensor[DataT](MiBandNinebotEntity[LinkCoordinator[DataT | None]], SensorEntity):
    """One value of the device's latest data."""

    entity_description: MiBandNinebotSensorEntityDescription[DataT]

    @property
    def native_value(self) -> SensorValue:
        """The value from the latest data, None before the first."""
        data = self.coordinator.data
        return None if data is None else self.entity_description.value_fn(data)

    @property
    def last_reset(self) -> datetime | None:
        """When a total that starts over last did (the energy: at the wheel's power-on)."""
        data, last_reset_fn = self.coordinator.data, self.entity_description.last_reset_fn
        return None if data is None or last_reset_fn is None else last_reset_fn(data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """What the description adds to the state, once the device has told it."""
        data, attributes_fn = self.coordinator.data, self.entity_description.attributes_fn
        return None if data is None or attributes_fn is None else attributes_fn(data)


class WheelSpeedSensor(MiBandNinebotSensor[WheelData]):
    """Speed, carrying what identifies the wheel as attributes.

    The PIN is shown to the owner but never stored by the recorder.
    """

    _unrecorded_attributes = frozenset({ATTR_PIN})


class RestoredSensor[DataT](MiBandNinebotSensor[DataT], RestoreSensor):
    """A battery level: the last known one survives restarts and absences of the device."""

    _restored: SensorValue = None

    async def async_added_to_hass(self) -> None:
        """Take the value Home Assistant had before it restarted."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None and isinstance(
            last.native_value, int | float
        ):
            self._restored = last.native_value

    @property
    def available(self) -> bool:
        """Available whenever a value is known, live or last seen: automations need the level."""
        return self.native_value is not None

    @property
    def native_value(self) -> SensorValue:
        """The live value, or the last one known."""
        live = super().native_value
        return self._restored if live is None else live


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


class SignalStrengthSensor(MiBandNinebotEntity[LinkCoordinator[Any]], SensorEntity):
    """The signal strength of the device's latest advertisement, dBm.

    Through whichever adapter or proxy heard it best, as Home Assistant's Bluetooth keeps it; read
    every `RSSI_REFRESH` (Home Assistant calls no callback for a new RSSI alone). The last value
    heard is kept while the device is away or connected (many devices stop advertising then).
    """

    _rssi: int | None = None

    async def async_added_to_hass(self) -> None:
        """Read the signal now and from time to time."""
        await super().async_added_to_hass()
        self._read_rssi()
        self.async_on_remove(
            async_track_time_interval(self.hass, self._async_refresh, RSSI_REFRESH)
        )

    @property
    def available(self) -> bool:
        """Known once heard, in reach or not (`in_range` says which)."""
        return True

    @property
    def native_value(self) -> int | None:
        """dBm, None until the device is heard."""
        return self._rssi

    @callback
    def _async_refresh(self, _now: datetime) -> None:
        if self._read_rssi():
            self.async_write_ha_state()

    def _read_rssi(self) -> bool:
        """Take the latest advertisement's RSSI; whether it changed."""
        info = bluetooth.async_last_service_info(
            self.hass, self.coordinator.address, connectable=False
        )
        if info is None or info.rssi == self._rssi:
            return False
        self._rssi = info.rssi
        return True
