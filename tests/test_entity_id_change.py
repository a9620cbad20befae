"""A new entity id from the user renames our entities in place (Home Assistant 2026.11 and on).

2026.11 removes and re-adds, until 2027.11, the entities of a custom integration's class that sets
itself up in `async_added_to_hass` (or the other add / remove methods) unless that class, or one
below it, defines `async_entity_id_changed`; from 2027.11 such a class is required to. No test
plugin runs 2026.11 yet, so its rule (`helpers/entity.py`, `_entity_class_requires_readd`) is
checked here on every class of ours, on whichever release runs the suite; then, on the one
running, a rename keeps the entity working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import importlib
import pkgutil

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
import pytest

import custom_components.miband_ninebot as integration
from emulator.devices.band import MiBand
from emulator.link.peripheral import Peripheral

from . import device_id, entity_id_of, settle
from .helpers.band import add_band, measure_heart_rate

AddDevice = Callable[[Peripheral], Peripheral]
# What Home Assistant 2026.11 counts as setting up or tearing down (`_ADD_REMOVE_METHODS`).
ADD_REMOVE_METHODS = (
    "async_prepare_to_add_to_hass",
    "async_added_to_hass",
    "async_will_remove_from_hass",
)
HOOK = "async_entity_id_changed"


def _our_entity_classes() -> Iterator[type[Entity]]:
    for module in pkgutil.walk_packages(integration.__path__, f"{integration.__name__}."):
        importlib.import_module(module.name)
    todo = list(Entity.__subclasses__())
    seen: set[type[Entity]] = set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(integration.__name__):
            yield cls


def _uncovered(entity_class: type[Entity]) -> list[str]:
    """The classes in its MRO whose add / remove methods 2026.11 would re-add the entity for."""
    ours = [cls for cls in entity_class.__mro__ if not cls.__module__.startswith("homeassistant.")]
    owners = [cls for cls in ours if HOOK in cls.__dict__]
    return [
        cls.__qualname__
        for cls in ours
        if any(method in cls.__dict__ for method in ADD_REMOVE_METHODS)
        and not any(issubclass(owner, cls) for owner in owners)
    ]


ENTITY_CLASSES = sorted(_our_entity_classes(), key=lambda cls: cls.__qualname__)


def test_the_rule_is_checked_on_the_classes_that_need_it() -> None:
    """The classes below set themselves up in async_added_to_hass: the check is not empty."""
    setting_up = [
        cls for cls in ENTITY_CLASSES if any(m in cls.__dict__ for m in ADD_REMOVE_METHODS)
    ]
    assert len(setting_up) >= 13


@pytest.mark.parametrize("entity_class", ENTITY_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_entity_class_is_renamed_in_place(entity_class: type[Entity]) -> None:
    assert _uncovered(entity_class) == []


def test_a_class_without_the_hook_would_be_re_added() -> None:
    """The check itself: a subclass that sets itself up again, and says nothing, is caught."""
    [base] = [cls for cls in ENTITY_CLASSES if cls.__qualname__ == "GoalEvent"]

    class Careless(base):
        async def async_added_to_hass(self) -> None:
            await super().async_added_to_hass()

    assert [name.rsplit(".", 1)[-1] for name in _uncovered(Careless)] == ["Careless"]
    assert _uncovered(base) == []


async def test_heart_rate_sensor_under_a_new_entity_id_keeps_measuring(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """Renamed by the user: the next measurement shows under the new id, none under the old."""
    band, _entry = await add_band(hass, add_device)
    assert isinstance(band, MiBand)
    old = entity_id_of(hass, Platform.SENSOR, band.address, "heart_rate")
    registry = er.async_get(hass)
    registry.async_update_entity(old, new_entity_id="sensor.wrist_heart_rate")
    await settle(hass)

    band.activity.heart_rate = 81
    assert await measure_heart_rate(hass, device_id(hass, band.address)) == {"heart_rate": 81}
    await settle(hass)

    renamed = hass.states.get("sensor.wrist_heart_rate")
    assert renamed is not None
    assert renamed.state == "81"
    assert hass.states.get(old) is None
