"""Finding a band: it rings, round after round, until stopped or two minutes have passed.

As Gadgetbridge's "find device" for the Mi Band 1 (`MiBandSupport.onFindDevice`: the default
notification repeated until the user stops it). Each round is one operation on the link, so a sync
or a measurement can come in between; the link is held for the whole search. Stopping cuts the
round in progress short and sends the band's stop-vibration command (`miband.vibration.stop`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later

from ..miband.vibration import VibrationPattern

_LOGGER = logging.getLogger(__package__)

FIND_PATTERN = VibrationPattern.RING
FIND_PAUSE = 2.0  # s between rounds: the ring's own pause
FIND_TIMEOUT = timedelta(minutes=2)  # then the search ends by itself

Operation = Callable[[], Awaitable[None]]


class BandFinder:
    """The search: `ring` plays a round, `stop` silences the motor, `hold` keeps the link."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        ring: Operation,
        stop: Operation,
        hold: Callable[[], Callable[[], Awaitable[None]]],
        changed: Callable[[], None],
    ) -> None:
        """Ready to search; `changed()` when it starts or ends."""
        self._hass, self._entry = hass, entry
        self._ring, self._stop, self._hold, self._changed = ring, stop, hold, changed
        self._rounds: asyncio.Task[None] | None = None
        self._cancel_timeout: CALLBACK_TYPE | None = None
        # The first ring may take seconds (a band to connect to): a second start meanwhile must
        # not start a second search, and a stop meanwhile must not be lost.
        self._starting = False
        self._stop_asked = False

    @property
    def active(self) -> bool:
        """Whether the band is being rung."""
        return self._rounds is not None

    async def async_start(self) -> None:
        """Ring once now (a band out of reach raises), then every pause until stopped."""
        if self.active or self._starting:
            return
        self._starting, self._stop_asked = True, False
        release = self._hold()
        try:
            await self._ring()
        except BaseException:
            await release()
            raise
        finally:
            self._starting = False
        if self._stop_asked:  # turned off during the first ring
            await release()
            await self._stop()
            return
        self._rounds = self._entry.async_create_background_task(
            self._hass, self._async_rounds(release), "band find"
        )
        self._cancel_timeout = async_call_later(self._hass, FIND_TIMEOUT, self._async_timed_out)
        self._changed()

    async def async_stop(self) -> None:
        """End the rounds, the one in progress cut short, and send the stop command."""
        if self._starting:
            self._stop_asked = True
            return
        if (rounds := self._async_end()) is None:
            return
        rounds.cancel()
        # A round that failed has ended the search already; the stop command goes out anyway.
        with suppress(asyncio.CancelledError, Exception):
            await rounds
        await self._stop()

    @callback
    def async_cancel(self) -> None:
        """End the search without a word to the band (the entry unloads)."""
        if (rounds := self._async_end()) is not None:
            rounds.cancel()

    @callback
    def _async_end(self) -> asyncio.Task[None] | None:
        rounds, self._rounds = self._rounds, None
        if self._cancel_timeout is not None:
            self._cancel_timeout()
            self._cancel_timeout = None
        if rounds is not None:
            self._changed()
        return rounds

    async def _async_rounds(self, release: Callable[[], Awaitable[None]]) -> None:
        try:
            while True:
                await asyncio.sleep(FIND_PAUSE)
                await self._ring()
        except Exception as err:  # noqa: BLE001 - any failure ends the search, the switch with it
            _LOGGER.debug("Band search ended: %s", err)
            self._async_end()
        finally:
            await release()

    @callback
    def _async_timed_out(self, _now: object) -> None:
        self._cancel_timeout = None
        self._entry.async_create_background_task(
            self._hass, self._async_stop_quietly(), "band find timeout"
        )

    async def _async_stop_quietly(self) -> None:
        try:
            await self.async_stop()
        except HomeAssistantError as err:
            _LOGGER.debug("Band search timed out, stop command not sent: %s", err)
