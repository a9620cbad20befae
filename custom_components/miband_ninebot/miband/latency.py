"""The band's connection latency: its FF09 codec and the one place that decides it.

docs/protocols/mi-band-1.md, sections 3.5 and 4.1. The band, not the central, asks for new
connection parameters: writing FF09 makes it send an L2CAP update request, which the central
applies at an instant some ten connection events later, and the band tells on FF03 how it went
(04 then 08, or 03 for a refusal).

Low latency (about 55 ms events) is asked for by work that moves a lot of data (the activity
transfer) and by every connection's initialisation; the band goes back to high latency (600 ms),
for its battery, once no work holds low latency any more. Work that would be done before an
update applied (a measurement's three writes, an alarm) does not ask, but while it is waiting or
running it keeps a low latency the link already has (`keep`), so a connection made for it is not
slowed down just before it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
import logging

from bleak.exc import BleakError

from .exceptions import MalformedValueError
from .protocol import Notification

_LOGGER = logging.getLogger(__name__)

# s a long transfer waits for low latency to apply before it starts (about ten events at 600 ms,
# six seconds; past this it starts at whatever the link runs).
PARAMETER_UPDATE_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class LeParams:
    """Connection parameters the band asks for, in the units of the Bluetooth spec."""

    min_interval: int  # 1.25 ms
    max_interval: int  # 1.25 ms
    latency: int  # connection events
    supervision_timeout: int  # 10 ms
    interval: int = 0  # current interval; written as 0
    advertising_interval: int = 0  # 0.625 ms

    def encode(self) -> bytes:
        """Twelve bytes: six little-endian words."""
        return b"".join(
            value.to_bytes(2, "little")
            for value in (
                self.min_interval,
                self.max_interval,
                self.latency,
                self.supervision_timeout,
                self.interval,
                self.advertising_interval,
            )
        )

    @classmethod
    def decode(cls, data: bytes) -> LeParams:
        """Read FF09 back."""
        if len(data) != 12:
            raise MalformedValueError(f"LE params of {len(data)} bytes")
        words = [int.from_bytes(data[n : n + 2], "little") for n in range(0, 12, 2)]
        return cls(*words)

    @property
    def supervision_timeout_seconds(self) -> float:
        """The supervision timeout in seconds."""
        return self.supervision_timeout / 100


# Gadgetbridge's values: 48.75-61.25 ms while talking, 575-625 ms when idle; 5 s timeout in both,
# which outlasts the band's stall when its optical sensor starts (section 4.1).
LOW_LATENCY = LeParams(39, 49, 0, 500)
HIGH_LATENCY = LeParams(460, 500, 0, 500)

# What ends a connection-parameter update the band asked for: applied (04, then 08) or refused.
PARAMETERS_SETTLED = frozenset(
    {
        Notification.CONNECTION_PARAMETERS_FAILED,
        Notification.CONNECTION_PARAMETERS_OK,
        Notification.LATENCY_SET,
    }
)


class LatencyHold:
    """Low latency kept for work that is waiting or running; `release` when it is done."""

    def __init__(self, latency: ConnectionLatency) -> None:
        """Count the hold now: from here on, the link does not go back to high latency."""
        self._latency: ConnectionLatency | None = latency
        latency.holds += 1

    def drop(self) -> None:
        """Let go without asking anything of the band (its connection is being given up)."""
        if (latency := self._latency) is not None:
            self._latency = None
            latency.holds -= 1

    async def release(self) -> None:
        """Let go (once); the last hold to go puts the band back on high latency."""
        if (latency := self._latency) is not None:
            self._latency = None
            latency.holds -= 1
            if not latency.holds:
                await latency.ask_high()


class ConnectionLatency:
    """Asks the band for low or high latency, and knows which it last asked for."""

    def __init__(self, address: str, write: Callable[[bytes], Awaitable[None]]) -> None:
        """`write(value)` writes FF09 with a response on the current connection."""
        self.address = address
        self.holds = 0  # work keeping low latency: high latency once there is none
        self._write = write
        self._low = False  # low latency was the last parameter set asked of the band
        self._connected = False
        self._settled = asyncio.Event()  # FF03 said the last update applied or failed
        self._update_pending = False  # FF09 written, the band's word on it not yet come
        self._band_answers = True  # until a word fails to come on this connection

    def keep(self) -> LatencyHold:
        """Keep whatever low latency the link has until the hold is released; ask for none."""
        return LatencyHold(self)

    @asynccontextmanager
    async def low(self, *, until_applied: bool = False) -> AsyncIterator[None]:
        """Low latency for the block; `until_applied`: wait for the band's word that it applies.

        New parameters apply only at the update's instant, some ten events on: a transfer that
        started at once would send its first block at 600 ms events.
        """
        hold = self.keep()
        try:
            if not self._low:  # already low: the block uses it as it is
                await self.ask_low()
                if until_applied:
                    await self._wait_settled()
            yield
        finally:
            await hold.release()

    async def ask_low(self) -> None:
        """Ask for low latency now, without holding it (a connection's first step)."""
        await self._ask(LOW_LATENCY)
        self._low = True

    def connection_made(self) -> None:
        """A new connection: whatever the last one ran at, nothing is asked of this one yet."""
        self._connected, self._low = True, False
        self._update_pending, self._band_answers = False, True

    def connection_lost(self) -> None:
        """The connection is gone: a wait for the band's word ends, nothing more is asked."""
        self._connected = False
        self._settled.set()

    def status_received(self, code: int) -> None:
        """An FF03 status: the band's word on the last update, if it is one."""
        if code in PARAMETERS_SETTLED:
            self._update_pending = False
            self._settled.set()

    async def ask_high(self) -> None:
        """Back to high latency, for the band's battery, if low latency was asked for.

        Never raises: the work before it is done whatever becomes of the link, and a link that
        fails here is gone (the next connection sets its parameters afresh).
        """
        if not self._connected or not self._low:
            return
        try:
            await self._ask(HIGH_LATENCY)
        except (BleakError, TimeoutError) as err:
            _LOGGER.debug("%s: high latency not set: %s", self.address, err)
            return
        self._low = False

    async def _ask(self, parameters: LeParams) -> None:
        """Write FF09, once the band has answered for the parameters asked for before.

        The band's word (FF03 04, 08, or 03 for a refusal) names no request: one still to come
        when the next is made would pass for the next one's, so it is waited for first. Cleared
        before the write, not after its answer: the word for this one may arrive, on a busy host,
        before the code after the answer runs.
        """
        if self._update_pending:
            await self._wait_settled()
        self._settled.clear()
        self._update_pending = True
        try:
            await self._write(parameters.encode())
        except BaseException:
            self._update_pending = False  # not asked after all: no word to wait for
            raise

    async def _wait_settled(self) -> None:
        """Wait for the band's word on the parameters last asked for, if it gives one."""
        if not self._update_pending or not self._band_answers:
            return
        try:
            async with asyncio.timeout(PARAMETER_UPDATE_TIMEOUT):
                await self._settled.wait()
        except TimeoutError:
            # Gadgetbridge's account (the band notifies 08), not a capture: a band that stays
            # silent is not waited for again on this connection.
            self._band_answers = False
            _LOGGER.debug("%s: no word of the new parameters; going on", self.address)
