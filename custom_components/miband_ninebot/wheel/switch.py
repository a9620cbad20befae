"""A wheel's switch: its connection, released for the rider's app (the wheel takes one central)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF, EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.restore_state import RestoreEntity

from ..entity import MiBandNinebotEntity
from .coordinator import WheelCoordinator

CONNECTION = SwitchEntityDescription(
    key="connection",
    translation_key="connection",
    entity_category=EntityCategory.CONFIG,
)


def entities(coordinator: WheelCoordinator) -> list[SwitchEntity]:
    """The connection switch."""
    return [ConnectionSwitch(coordinator, CONNECTION)]


class ConnectionSwitch(MiBandNinebotEntity[WheelCoordinator], SwitchEntity, RestoreEntity):
    """On: Home Assistant holds (or periodically opens) the link. Off: the link is released.

    The wheel accepts one central at a time, so the rider's phone app can only connect while
    this is off. The choice survives restarts.
    """

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: the restored choice went to the coordinator, which is the device's."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Release the link from the start if the user had released it before a restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state == STATE_OFF:
            await self.coordinator.async_set_enabled(False)

    @property
    def available(self) -> bool:
        """Always available: it is how the user gets the link back."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether Home Assistant uses the link."""
        return self.coordinator.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Connect to the wheel again."""
        await self.coordinator.async_set_enabled(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disconnect and stay away, so that another central can connect."""
        await self.coordinator.async_set_enabled(False)
