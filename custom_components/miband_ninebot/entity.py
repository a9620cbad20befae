"""The base entity: one device per config entry, identified by its Bluetooth address."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_ADDRESS
from homeassistant.core import callback
from homeassistant.helpers.device_registry import CONNECTION_BLUETOOTH, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_KIND, CONF_MODEL, DOMAIN, DeviceKind
from .coordinator import LinkCoordinator

MANUFACTURER = {DeviceKind.BAND: "Xiaomi", DeviceKind.WHEEL: "Ninebot"}


class MiBandNinebotEntity[CoordinatorT: LinkCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """An entity of a band or a wheel; available while the device's data is current."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CoordinatorT, description: EntityDescription) -> None:
        """Bind the entity to its device and give it `<ADDRESS>_<key>` as unique_id."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.entry
        address: str = entry.data[CONF_ADDRESS]
        self._attr_unique_id = f"{address}_{description.key}"
        self._attr_device_info = DeviceInfo(
            connections={(CONNECTION_BLUETOOTH, address)},
            identifiers={(DOMAIN, address)},
            manufacturer=MANUFACTURER[DeviceKind(entry.data[CONF_KIND])],
            model=entry.data[CONF_MODEL],
            name=entry.title,
        )

    _written: tuple[object, ...] | None = None

    @property
    def available(self) -> bool:
        """Available while the link is up (or, visiting periodically, the last visit worked)."""
        return self.coordinator.available

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what Home Assistant would store has changed."""
        shown = (self.available, self.state, self.extra_state_attributes)
        if shown != self._written:
            self._written = shown
            self.async_write_ha_state()
