"""A band's notify entity: a message buzzes the wrist (the band has no screen to show it)."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription

from ..entity import MiBandNinebotEntity
from ..miband.vibration import DEFAULT_PATTERN, NOTIFICATION_REPEAT
from .coordinator import BandCoordinator

VIBRATION_ALERT = NotifyEntityDescription(key="vibration_alert", translation_key="vibration_alert")


def entities(coordinator: BandCoordinator) -> list[NotifyEntity]:
    """The vibration alert."""
    return [VibrationAlert(coordinator, VIBRATION_ALERT)]


class VibrationAlert(MiBandNinebotEntity[BandCoordinator], NotifyEntity):
    """Each message vibrates the band: Gadgetbridge's notification, "short" three times."""

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Buzz the wrist; the text itself cannot reach the band."""
        await self.coordinator.async_vibrate(DEFAULT_PATTERN, NOTIFICATION_REPEAT)
