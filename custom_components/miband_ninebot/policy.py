"""What a connection is for: held for good, or released once the reading is taken.

The connection policy (an option) says which: hold the link (default), or release it once the
session has taken its reading and connect again `read_interval` later, so that another central,
such as the rider's phone app, can use a single-central device in between. Work a user waits for
(a measurement) and work the coordinator starts on a fresh link (the band's sync) hold the link
while they run, whatever the policy; with the periodic one, the last to finish releases it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .link import DeviceLink
from .options import ConnectionPolicy, LinkSettings


class LinkPolicy:
    """Holds the link for work, and releases it after a reading when the policy says so."""

    def __init__(
        self, link: DeviceLink, settings: LinkSettings, changed: Callable[[], None]
    ) -> None:
        """Apply `settings` to `link`; `changed()` when availability may differ."""
        self.link = link
        self.settings = settings
        self.holders = 0  # work holding the link (`hold`)
        self._changed = changed

    @property
    def data_current(self) -> bool:
        """Whether the device's data is current: the link is up, or released after a reading."""
        if self.settings.policy is ConnectionPolicy.PERIODIC:
            return self.link.enabled and (self.link.connected or self.link.released_cleanly)
        return self.link.connected

    def hold(self) -> Callable[[], Awaitable[None]]:
        """Keep the link from being released from now on; await the returned function to let go.

        Counted at once, before the connection could be released: work the coordinator starts
        on a fresh link is held before the reading that would end a periodic connection.
        """
        self.holders += 1
        released = False

        async def async_release() -> None:
            nonlocal released
            if not released:
                released = True
                self.holders -= 1
                if not self.holders and self.link.connected:
                    await self.async_release_if_periodic()

        return async_release

    async def async_reading_taken(self) -> None:
        """A fresh connection has taken its reading: released now unless work holds it."""
        if not self.holders:
            await self.async_release_if_periodic()

    async def async_release_if_periodic(self) -> None:
        """With the periodic policy: the reading is taken, free the device until the next one."""
        if self.settings.policy is ConnectionPolicy.PERIODIC:
            await self.link.async_release(reconnect_in=self.settings.read_interval)
            self._changed()
