"""The sensor both kinds build their readings on: one value of the device's data, by description.

A description says where the value (and its attributes, and when a total last started over) comes
from in the coordinator's data; a battery level is kept across restarts and absences. The bands'
descriptions are in band/sensor.py, the wheels' in wheel/sensor.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import RestoreSensor, SensorEntity, SensorEntityDescription
from homeassistant.core import callback
from homeassistant.helpers.typing import StateType

from .coordinator import LinkCoordinator
from .entity import MiBandNinebotEntity

ATTR_FIRMWARE_VERSION = "firmware_version"

type SensorValue = StateType | datetime


@dataclass(frozen=True, kw_only=True)
class MiBandNinebotSensorEntityDescription[DataT](SensorEntityDescription):
    """A sensor and where its value (and attributes) come from in the device's data."""

    value_fn: Callable[[DataT], SensorValue]
    attributes_fn: Callable[[DataT], Mapping[str, Any]] | None = None
    last_reset_fn: Callable[[DataT], datetime] | None = None  # a total that starts over
    restore: bool = False  # keep the last value across restarts and absences (battery)


def data_sensor_class(
    description: MiBandNinebotSensorEntityDescription[Any],
) -> type[MiBandNinebotSensor[Any]]:
    """The class of the description's sensor: a restored one for a value kept across restarts."""
    return RestoredSensor if description.restore else MiBandNinebotSensor


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


class RestoredSensor[DataT](MiBandNinebotSensor[DataT], RestoreSensor):
    """A battery level: the last known one survives restarts and absences of the device."""

    _restored: SensorValue = None

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: the restored value is kept; the coordinator is the device's."""
        super().async_entity_id_changed(old_entity_id)

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
