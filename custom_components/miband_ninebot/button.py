"""Buttons of a band: measure the heart rate now, vibrate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band_coordinator import BandCoordinator
from .entity import MiBandNinebotEntity

PARALLEL_UPDATES = 0


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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of a band."""
    if isinstance(coordinator := entry.runtime_data, BandCoordinator):
        async_add_entities(
            BandButton(coordinator, description)
            for description in BAND_BUTTONS
            if coordinator.has_heart_rate_sensor or not description.heart_rate
        )


class BandButton(MiBandNinebotEntity[BandCoordinator], ButtonEntity):
    """Asks the band for something; errors reach the user as translated messages."""

    entity_description: BandButtonEntityDescription

    async def async_press(self) -> None:
        """Do what the button says; the measured value lands on the heart-rate sensor."""
        await self.entity_description.press_fn(self.coordinator)
