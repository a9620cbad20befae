"""The entities both kinds have about their link: connected, in range, signal strength, last seen.

They read the shared link coordinator only, so one class serves a band and a wheel alike; the
binary_sensor and sensor platforms add them for every entry, after (signal strength, last seen) or
before (connected, in range) the kind's own.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components import bluetooth
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
from homeassistant.util import dt as dt_util

from .coordinator import LinkCoordinator
from .entity import MiBandNinebotEntity
from .last_seen import Where

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

# How often `last_seen` is written while only its time moves. Advertisements can come several
# times a second through a proxy, and a held wheel answers a poll every second: written each
# time, the sensor would fill the recorder with states no one reads. A new place (another
# adapter or proxy heard it best, the link came or went through another) or the device back after
# it was not heard is written at once; a new RSSI alone waits like the time.
LAST_SEEN_WRITE_INTERVAL = timedelta(minutes=1)
# How often it is looked at besides: Home Assistant calls nothing for an advertisement that
# repeats the last, nor does the coordinator for a poll that reads the same values. Half the
# interval, so that a time that moved is written between one and one and a half minutes later.
LAST_SEEN_LOOK_INTERVAL = LAST_SEEN_WRITE_INTERVAL / 2
LAST_SEEN = SensorEntityDescription(
    key="last_seen",
    translation_key="last_seen",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class LinkEntity(MiBandNinebotEntity[LinkCoordinator[Any]]):
    """An entity about the link or presence, available while the device is away too.

    What it reports (down, away, the last signal or time heard) holds then as well.
    """

    @property
    def available(self) -> bool:
        """Always: not connected, not heard, is what these report."""
        return True


class ConnectedBinarySensor(LinkEntity, BinarySensorEntity):
    """On while the link is up. Always available: its state is the link."""

    @property
    def is_on(self) -> bool:
        """Whether the device is connected."""
        return self.coordinator.connected


class InRangeBinarySensor(LinkEntity, BinarySensorEntity):
    """On while the device is connected or heard by any adapter or proxy.

    Off once Home Assistant's Bluetooth declares it gone. Costs no connection: with the link
    released, or connected only now and then, it follows the advertisements.
    """

    @property
    def is_on(self) -> bool:
        """Whether the device is here."""
        return self.coordinator.in_range


class RefreshedLinkEntity(LinkEntity):
    """A link entity that also looks again every `refresh_interval`, for what no callback tells."""

    refresh_interval: timedelta

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: its timer reads the device, whatever the entity is called."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Look now and from time to time."""
        await super().async_added_to_hass()
        self._refresh()
        self.async_on_remove(
            async_track_time_interval(self.hass, self._async_refresh, self.refresh_interval)
        )

    @callback
    def _async_refresh(self, *_when: object) -> None:
        if self._refresh():
            self.async_write_ha_state()

    @abstractmethod
    def _refresh(self) -> bool:
        """Take what is shown now; whether the state is to be written."""


class SignalStrengthSensor(RefreshedLinkEntity, SensorEntity):
    """The signal strength of the device's latest advertisement, dBm.

    Through whichever adapter or proxy heard it best, as Home Assistant's Bluetooth keeps it; read
    every `RSSI_REFRESH` (Home Assistant calls no callback for a new RSSI alone). The last value
    heard is kept while the device is away or connected (many devices stop advertising then).
    """

    refresh_interval = RSSI_REFRESH
    _rssi: int | None = None

    @property
    def native_value(self) -> int | None:
        """dBm, None until the device is heard."""
        return self._rssi

    def _refresh(self) -> bool:
        """Take the latest advertisement's RSSI; whether it changed."""
        rssi = self.coordinator.presence.rssi
        if rssi is None or rssi == self._rssi:
            return False
        self._rssi = rssi
        return True


class LastSeenSensor(RefreshedLinkEntity, SensorEntity):
    """When the device was last heard, advertising or over its link, and where (`last_seen`).

    Looked at on every update of the coordinator (data, link, presence), on every advertisement
    (every changed one before Home Assistant 2026.x), and every `LAST_SEEN_LOOK_INTERVAL`;
    written at most once per `LAST_SEEN_WRITE_INTERVAL` while only the time moves.
    """

    refresh_interval = LAST_SEEN_LOOK_INTERVAL
    # The RSSI moves with every state written: recorded, it would make every row's attributes
    # new (the signal strength sensor keeps its history where it is wanted).
    _unrecorded_attributes = frozenset({"rssi"})
    _when: datetime | None = None
    _where: Where | None = None
    _in_range: bool | None = None
    _written_at: datetime | None = None

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: its callbacks follow the device's address, not the entity's id."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Look at the device from time to time, and at each advertisement."""
        await super().async_added_to_hass()
        address = self.coordinator.address
        if every_advertisement := getattr(bluetooth, "async_register_advertisement_callback", None):
            # Home Assistant 2026.x: every advertisement, the same data again too.
            self.async_on_remove(every_advertisement(self.hass, self._async_refresh, address))
        else:
            # 2025.8 calls back for changed advertisements only; the look catches the others.
            self.async_on_remove(
                bluetooth.async_register_callback(
                    self.hass,
                    self._async_refresh,
                    bluetooth.BluetoothCallbackMatcher(address=address, connectable=False),
                    bluetooth.BluetoothScanningMode.PASSIVE,
                )
            )

    @property
    def native_value(self) -> datetime | None:
        """The time written last, None until the device is heard."""
        return self._when

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Who heard it best, with what signal, and what the link goes through."""
        return (self._where or Where()).attributes()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._async_refresh()

    def _refresh(self) -> bool:
        """Take the time and the place now; whether the state is to be written."""
        coordinator = self.coordinator
        last_seen = coordinator.link.last_seen
        when, where = last_seen.when, last_seen.where(connected=coordinator.connected)
        in_range = coordinator.in_range
        now = dt_util.utcnow()
        due = (
            self._written_at is None or now - self._written_at >= LAST_SEEN_WRITE_INTERVAL
        ) and when != self._when
        back, self._in_range = in_range and self._in_range is False, in_range
        if not (due or back or where.place != (self._where or Where()).place):
            return False
        self._when, self._where, self._written_at = when, where, now
        return True
