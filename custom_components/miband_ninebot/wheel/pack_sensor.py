"""A One Z's battery packs as sensors: charge, capacity, cycles, temperature, and the cells.

One set per pack the wheel's transport has (`Transport.packs`), made whether or not the pack
answers: a pack that does not (missing, or its board silent) leaves its sensors unknown. The
cells' spread (lowest, highest, their difference) is what a rider watches for a failing pack;
the cells themselves are an attribute of the difference. Values and units: `ninebot.battery_pack`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricPotential,
    UnitOfTemperature,
)

from ..data_sensor import MiBandNinebotSensorEntityDescription, SensorValue
from ..ninebot.battery_pack import BatteryPack
from .coordinator import WheelData

UNIT_MILLIAMPERE_HOURS = "mAh"

type PackValue = Callable[[BatteryPack], SensorValue]
type PackAttributes = Callable[[BatteryPack], Mapping[str, Any]]


def _pack(data: WheelData, number: int) -> BatteryPack | None:
    return next((pack for pack in data.reading.packs if pack.number == number), None)


def _identity_attributes(pack: BatteryPack) -> Mapping[str, Any]:
    identity, status = pack.identity, pack.status
    if identity is None:
        return {}
    return {
        "serial_number": identity.serial_number,
        "firmware_version": identity.version,
        "design_capacity": identity.design_capacity,
        "charge_count": identity.charge_count,
        "manufactured": None
        if identity.manufactured is None
        else identity.manufactured.isoformat(),
        "health": None if status is None else status.health,
    }


def _description(
    number: int,
    name: str,
    value: PackValue,
    attributes: PackAttributes | None = None,
    **fields: Any,
) -> MiBandNinebotSensorEntityDescription[WheelData]:
    key = f"pack_{number}_{name}"

    def value_fn(data: WheelData) -> SensorValue:
        pack = _pack(data, number)
        return None if pack is None else value(pack)

    def attributes_fn(data: WheelData) -> Mapping[str, Any]:
        pack = _pack(data, number)
        return {} if pack is None or attributes is None else attributes(pack)

    return MiBandNinebotSensorEntityDescription[WheelData](
        key=key,
        translation_key=key,
        value_fn=value_fn,
        attributes_fn=attributes_fn if attributes is not None else None,
        **fields,
    )


def _cell_voltage(
    number: int, name: str, value: PackValue, attributes: PackAttributes | None = None
) -> MiBandNinebotSensorEntityDescription[WheelData]:
    return _description(
        number,
        name,
        value,
        attributes,
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=3,
    )


def pack_descriptions(number: int) -> tuple[MiBandNinebotSensorEntityDescription[WheelData], ...]:
    """The sensors of the pack `number` (1 or 2)."""
    return (
        _description(
            number,
            "state_of_charge",
            lambda pack: None if pack.status is None else pack.status.state_of_charge,
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=SensorStateClass.MEASUREMENT,
        ),
        _description(
            number,
            "capacity",
            lambda pack: None if pack.identity is None else pack.identity.full_capacity,
            _identity_attributes,
            native_unit_of_measurement=UNIT_MILLIAMPERE_HOURS,
            state_class=SensorStateClass.MEASUREMENT,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
        _description(
            number,
            "cycles",
            lambda pack: None if pack.identity is None else pack.identity.cycles,
            state_class=SensorStateClass.TOTAL_INCREASING,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
        _description(
            number,
            "temperature",
            # The warmer of the pack's two sensors; both are attributes.
            lambda pack: None if pack.status is None else max(pack.status.temperatures),
            lambda pack: {} if pack.status is None else {"sensors": list(pack.status.temperatures)},
            device_class=SensorDeviceClass.TEMPERATURE,
            native_unit_of_measurement=UnitOfTemperature.CELSIUS,
            state_class=SensorStateClass.MEASUREMENT,
        ),
        _cell_voltage(number, "cell_min", lambda pack: pack.cell_min),
        _cell_voltage(number, "cell_max", lambda pack: pack.cell_max),
        _cell_voltage(
            number,
            "cell_delta",
            lambda pack: pack.cell_delta,
            lambda pack: {"cells": list(pack.cells)},
        ),
    )
