"""The base entity: one device per config entry, identified by its Bluetooth address."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_ADDRESS
from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
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
        """Available while the link is up (or, connecting periodically, the last reading worked)."""
        return self.coordinator.available

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """The user gave the entity another id: nothing of ours is keyed by the old one.

        Called from Home Assistant 2026.11 on, which then renames the entity in place and writes
        its state under the new id. Until 2027.11 it removes and re-adds instead the entities of
        a class that sets itself up in `async_added_to_hass` (or tears down in
        `async_will_remove_from_hass`) without defining this hook in that class or below it: so
        each such class here defines it (tests/test_entity_id_change.py holds them to it) and
        says why nothing needs re-keying. Older releases always remove and re-add; their Entity
        has no such method, hence no call up from here.
        """

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what Home Assistant would store has changed."""
        shown = (self.available, self.state, self.extra_state_attributes)
        if shown != self._written:
            self._written = shown
            self.async_write_ha_state()


@callback
def async_update_device(
    coordinator: LinkCoordinator[Any],
    *,
    model: str | None,
    sw_version: str | None,
    serial_number: str | None = None,
) -> None:
    """Put what the device says about itself into the entry's device in the registry."""
    registry = dr.async_get(coordinator.hass)
    # The entry's own device: identifiers are no longer unique across config entries.
    for device in dr.async_entries_for_config_entry(registry, coordinator.entry.entry_id):
        if (DOMAIN, coordinator.address) in device.identifiers:
            registry.async_update_device(
                device.id,
                model=model or device.model,
                sw_version=sw_version,
                serial_number=serial_number or device.serial_number,
            )
