"""A band's buttons: measure the heart rate now (1S), vibrate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from ..entity import MiBandNinebotEntity
from .coordinator import BandCoordinator


@dataclass(frozen=True, kw_only=True)
class BandButtonEntityDescription(ButtonEntityDescription):
    """A button and what it asks of the band."""

    press_fn: Callable[[BandCoordinator], Awaitable[object]]
    heart_rate: bool = False  # only on a band with the optical sensor


BAND_BUTTONS: tuple[BandButtonEntityDescription, ...] = (
    BandButtonEntityDescription(
        key="measure_heart_rate",
        translation_key="measure_heart_rate",
        press_fn=lambda coordinator: coordinator.async_measure_heart_rate(),
        heart_rate=True,
    ),
    BandButtonEntityDescription(
        key="vibrate",
        translation_key="vibrate",
        press_fn=lambda coordinator: coordinator.async_vibrate(),
    ),
)


def entities(coordinator: BandCoordinator) -> list[ButtonEntity]:
    """The band's buttons; measuring the heart rate on a 1S only."""
    return [
        BandButton(coordinator, description)
        for description in BAND_BUTTONS
        if coordinator.has_heart_rate_sensor or not description.heart_rate
    ]


class BandButton(MiBandNinebotEntity[BandCoordinator], ButtonEntity):
    """Asks the band for something; errors reach the user as translated messages."""

    entity_description: BandButtonEntityDescription

    async def async_press(self) -> None:
        """Do what the button says; the measured value lands on the heart-rate sensor."""
        await self.entity_description.press_fn(self.coordinator)
