"""Binary sensors: link and presence; the band's asleep and worn; the wheel's charging, flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band_coordinator import BandCoordinator
from .coordinator import LinkCoordinator
from .entity import MiBandNinebotEntity
from .history import Newest
from .wheel_coordinator import WheelCoordinator, WheelData

PARALLEL_UPDATES = 0

ATTR_MINUTE = "minute"

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


@dataclass(frozen=True, kw_only=True)
class WheelBinarySensorEntityDescription(BinarySensorEntityDescription):
    """What a wheel's latest data says."""

    value_fn: Callable[[WheelData], bool]


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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of a band or a wheel, and a band's asleep and worn."""
    coordinator = entry.runtime_data
    entities: list[BinarySensorEntity] = [
        ConnectedBinarySensor(coordinator, CONNECTED),
        InRangeBinarySensor(coordinator, IN_RANGE),
    ]
    if isinstance(coordinator, BandCoordinator):
        entities += [BandMemoryBinarySensor(coordinator, d) for d in BAND_MEMORY_SENSORS]
    if isinstance(coordinator, WheelCoordinator):
        entities += [WheelBinarySensor(coordinator, d) for d in WHEEL_SENSORS]
    async_add_entities(entities)


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
    released, or visited periodically, it follows the advertisements.
    """

    @property
    def available(self) -> bool:
        """Always: not being heard is what it reports."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the device is here."""
        return self.coordinator.in_range


class WheelBinarySensor(MiBandNinebotEntity[WheelCoordinator], BinarySensorEntity):
    """A state the wheel's latest reading tells (or its readings since power-on add up to)."""

    entity_description: WheelBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """From the latest data; unknown before the first reading."""
        data = self.coordinator.data
        return None if data is None else self.entity_description.value_fn(data)


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
