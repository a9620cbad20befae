"""Binary sensors: both kinds' link and presence, then each kind's own.

Connected and in range are link_entities'; a band's asleep and worn are band/binary_sensor.py's,
a wheel's charging and flags wheel/binary_sensor.py's.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import MiBandNinebotConfigEntry
from .band import binary_sensor as band
from .device_coordinator import by_kind
from .link_entities import CONNECTED, IN_RANGE, ConnectedBinarySensor, InRangeBinarySensor
from .wheel import binary_sensor as wheel

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MiBandNinebotConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the link's binary sensors of a band or a wheel, then the kind's own."""
    coordinator = entry.runtime_data
    async_add_entities(
        [
            ConnectedBinarySensor(coordinator, CONNECTED),
            InRangeBinarySensor(coordinator, IN_RANGE),
            *by_kind(coordinator, band=band.entities, wheel=wheel.entities),
        ]
    )
