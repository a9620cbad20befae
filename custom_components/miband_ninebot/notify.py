"""A notify entity: a message buzzes the wearer's wrist (the band has no screen to show it)."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band_coordinator import BandCoordinator
from .entity import MiBandNinebotEntity
from .miband.vibration import DEFAULT_PATTERN, NOTIFICATION_REPEAT

PARALLEL_UPDATES = 0

VIBRATION_ALERT = NotifyEntityDescription(key="vibration_alert", translation_key="vibration_alert")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a band's vibration alert."""
    if isinstance(coordinator := entry.runtime_data, BandCoordinator):
        async_add_entities([VibrationAlert(coordinator, VIBRATION_ALERT)])


class VibrationAlert(MiBandNinebotEntity[BandCoordinator], NotifyEntity):
    """Each message vibrates the band: Gadgetbridge's notification, "short" three times."""

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Buzz the wrist; the text itself cannot reach the band."""
        await self.coordinator.async_vibrate(DEFAULT_PATTERN, NOTIFICATION_REPEAT)
