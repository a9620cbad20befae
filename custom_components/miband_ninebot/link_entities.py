"""The entities both kinds have about their link: connected, in range, signal strength.

They read the shared link coordinator only, so one class serves a band and a wheel alike; the
binary_sensor and sensor platforms add them for every entry, after (signal strength) or before
(connected, in range) the kind's own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import SIGNAL_STRENGTH_DECIBELS_MILLIWATT, EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.event import async_track_time_interval

from .coordinator import LinkCoordinator
from .entity import MiBandNinebotEntity

CONNECTED = BinarySensorEntityDescription(
    key="connected",
    translation_key="connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)

IN_RANGE = BinarySensorEntityDescription(
    key="in_range",
    translation_key="in_range",
    device_class=BinarySensorDeviceClass.PRESENCE,
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


class ConnectedBinarySensor(MiBandNinebotEntity[LinkCoordinator[Any]], BinarySensorEntity):
    """On while the link is up. Always available: its state is the link."""

    @property
    def available(self) -> bool:
        """Report the link state rather than hide it."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the device is connected."""
        return self.coordinator.connected


class InRangeBinarySensor(MiBandNinebotEntity[LinkCoordinator[Any]], BinarySensorEntity):
    """On while the device is connected or heard by any adapter or proxy.

    Off once Home Assistant's Bluetooth declares it gone. Costs no connection: with the link
    released, or connected only now and then, it follows the advertisements.
    """

    @property
    def available(self) -> bool:
        """Always: not being heard is what it reports."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the device is here."""
        return self.coordinator.in_range


class SignalStrengthSensor(MiBandNinebotEntity[LinkCoordinator[Any]], SensorEntity):
    """The signal strength of the device's latest advertisement, dBm.

    Through whichever adapter or proxy heard it best, as Home Assistant's Bluetooth keeps it; read
    every `RSSI_REFRESH` (Home Assistant calls no callback for a new RSSI alone). The last value
    heard is kept while the device is away or connected (many devices stop advertising then).
    """

    _rssi: int | None = None

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: its timer reads the device's signal, whatever the entity is called."""
        super().async_entity_id_changed(old_entity_id)

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
        rssi = self.coordinator.presence.rssi
        if rssi is None or rssi == self._rssi:
            return False
        self._rssi = rssi
        return True
