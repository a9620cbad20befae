"""The wheel's lock (register 0x70): opt-in, at a standstill only, done once read back.

Disabled by default (docs/design.md, section 3): a user enables it on purpose. Locking or unlocking
is refused with a translated error unless the wheel reports speed 0 just before the write, and
counts as done only once the wheel's lock register reads the new value back. The state comes from
the wheel's flags (0xB2, bit 1). The ring light (0xC6) is not offered: the sources only ever write
it (eucWatch), none reads it back, so Home Assistant could not tell whether it obeyed.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription

from ..entity import MiBandNinebotEntity
from .coordinator import WheelCoordinator

LOCK = LockEntityDescription(
    key="lock", translation_key="lock", entity_registry_enabled_default=False
)


def entities(coordinator: WheelCoordinator) -> list[LockEntity]:
    """The lock (disabled until the user enables it)."""
    return [WheelLock(coordinator, LOCK)]


class WheelLock(MiBandNinebotEntity[WheelCoordinator], LockEntity):
    """Locks the wheel when it stands."""

    @property
    def is_locked(self) -> bool | None:
        """What the wheel's flags say; unknown before the first reading."""
        data = self.coordinator.data
        return None if data is None else data.reading.live.locked

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock, if the wheel stands."""
        await self.coordinator.async_set_lock(True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock, if the wheel stands."""
        await self.coordinator.async_set_lock(False)
