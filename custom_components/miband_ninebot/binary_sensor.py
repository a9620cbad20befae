"""Binary sensors: whether the device's link is up."""

from __future__ import annotations

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
from .coordinator import LinkCoordinator
from .entity import MiBandNinebotEntity

PARALLEL_UPDATES = 0

CONNECTED = BinarySensorEntityDescription(
    key="connected",
    translation_key="connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of a band or a wheel."""
    async_add_entities([ConnectedBinarySensor(entry.runtime_data, CONNECTED)])


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
