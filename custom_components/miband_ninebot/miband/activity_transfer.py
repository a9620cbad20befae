"""The activity transfer: the band's per-minute memory fetched block by block over FF07.

docs/protocols/mi-band-1.md, section 3.7. Each block is stored (by the caller's sink) before it is
acknowledged, since the acknowledgement deletes it on the band unless asked to keep it. The
transfer runs at low latency once the update applies, as Gadgetbridge's does.

The band does not wait for an acknowledgement before it sends what follows (Mi Fit's capture), and
a block can hold a day or more (1564 minutes in that capture). So the sink gets a block's minutes
in pieces, as many as have arrived whenever it is free: the recorder stores the first hours while
the rest is on its way, and only the last piece is left to store when the block ends. A block is
acknowledged once all its pieces are stored. A block broken off or spoilt is not acknowledged: the
band sends it again, and the pieces stored already are not imported twice (the sink's business).

The band stamps its memory with its own clock: the second date of an FF0A read, which in Mi
Fit's capture ran 36 s ahead of the first (the date just written). The offset from UTC the
unsynced minutes carry is read at every connection (`read_clock`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
import logging
from typing import TYPE_CHECKING

from bleak.exc import BleakError

from . import protocol
from .activity import FETCH_ACTIVITY, STOP_ACTIVITY_SYNC, Block, BlockAssembler, has_packet_counter
from .advertisement import MODEL_MI_BAND_1S
from .const import (
    ACTIVITY_DATA_UUID,
    ACTIVITY_TIMEOUT,
    CLOCK_CHANGE,
    CONTROL_POINT_UUID,
    DATE_TIME_UUID,
    RESTARTED_CLOCK_DRIFT,
)
from .exceptions import ActivityTransferError, MalformedValueError

if TYPE_CHECKING:
    from .client import MiBandClient

_LOGGER = logging.getLogger(__name__)

# Stores a block's minutes for good, given the band clock's offset from UTC; returns once they
# are stored (only then is the block acknowledged, which deletes it on the band).
type BlockSink = Callable[[Block, timedelta], Awaitable[None]]


class ActivityTransfer:
    """The band's clock as its stamps carry it, and the transfer of its memory."""

    def __init__(self, band: MiBandClient) -> None:
        """Serve `band`'s connection."""
        self._band = band
        # The band's clock minus UTC, to the minute: read at connect, then what was written.
        self.clock_offset: timedelta | None = None
        self._queue: asyncio.Queue[bytes] | None = None  # FF07 while a transfer runs
        # A transfer was started and its end not seen: its end header may still come.
        self._left_open = False

    def connection_made(self) -> None:
        """A new connection: the band starts any transfer afresh."""
        self._left_open = False

    def connection_lost(self) -> None:
        """Wake a transfer waiting for data: the link is gone."""
        if self._queue is not None:
            self._queue.put_nowait(b"")

    def data_received(self, data: bytes) -> None:
        """An FF07 notification."""
        if self._queue is not None and data:
            self._queue.put_nowait(data)

    async def read_clock(self) -> None:
        """Read the band's clock (FF0A): its offset from UTC is what its stamps carry."""
        data = bytes(await self._band.require_client().read_gatt_char(DATE_TIME_UUID))
        try:
            offset = to_minute(protocol.band_clock(data) - utc_now())
        except MalformedValueError:
            self.clock_offset = None  # never set (zeros): its stamps say nothing
            return
        # A clock that runs some thirty seconds off reads one minute or the next, by how long
        # the read took: keep the offset the stamps were given until it moves further, so a
        # minute synced twice (kept on the band) gets the same time both times.
        if self.clock_offset is None or abs(offset - self.clock_offset) > timedelta(minutes=1):
            self.clock_offset = offset

    async def set_clock(self, sync: Callable[[], Awaitable[bool]] | None) -> bool:
        """Give the band the time, syncing first what it stamped in another zone.

        Read back afterwards, as Mi Fit does: the band keeps its own clock (in Mi Fit's capture,
        36 s ahead of what it had just been given), and its stamps follow that clock. Returns
        whether the band had restarted (or never had the time): it has forgotten its alarms.
        """
        now = self._band.settings.now()
        wanted, old = now - utc_now(), self.clock_offset
        restarted = old is None or abs(old - wanted) > RESTARTED_CLOCK_DRIFT
        if old is not None and not restarted and abs(old - wanted) > CLOCK_CHANGE and sync:
            await self._sync_before_clock_change(sync)
        await self._band.write(DATE_TIME_UUID, protocol.encode_date_time_write(now))
        await self.read_clock()
        return restarted

    async def _sync_before_clock_change(self, sync: Callable[[], Awaitable[bool]]) -> None:
        """The memory's stamps carry the clock's old offset: sync while it is still the band's."""
        try:
            await sync()
        except ActivityTransferError as err:
            _LOGGER.warning(
                "%s: activity not synced before the clock change: %s", self._band.address, err
            )
        except BleakError:
            raise  # the link is gone: the next connection tries again, clock unchanged
        except Exception as err:  # noqa: BLE001 - the sink could not store: the minutes stay
            _LOGGER.warning(
                "%s: activity not stored before the clock change: %s", self._band.address, err
            )

    async def run(self, store: BlockSink, yield_to: Callable[[], bool]) -> bool:
        """Fetch the memory, block by block; whether nothing is left for later (module doc)."""
        band = self._band
        client, info = band.require_client(), band.device_info
        if info is None or client.services.get_characteristic(ACTIVITY_DATA_UUID) is None:
            return True  # nothing to sync here: nothing left for later either
        assembler = BlockAssembler(
            has_heart_rate=info.model == MODEL_MI_BAND_1S,
            packet_counter=has_packet_counter(info.profile_version),
        )
        offset = self.clock_offset
        if offset is None:  # a clock never set: its stamps are as good as the time it has now
            offset = to_minute(band.settings.now() - utc_now())
        self._queue = queue = asyncio.Queue[bytes]()
        try:
            async with band.low_latency(until_applied=True):
                if self._left_open:
                    await self._drop_abandoned(queue)
                self._left_open = True
                await band.write(CONTROL_POINT_UUID, FETCH_ACTIVITY)
                return await self._blocks(queue, assembler, store, offset, yield_to)
        finally:
            self._queue = None

    async def _blocks(
        self,
        queue: asyncio.Queue[bytes],
        assembler: BlockAssembler,
        store: BlockSink,
        offset: timedelta,
        yield_to: Callable[[], bool],
    ) -> bool:
        band, keep = self._band, self._band.settings.keep_activity_on_band
        try:
            while True:
                block, complete = await self._next_minutes(queue, assembler)
                if block.minutes:
                    await store(block, offset)
                if not complete:
                    continue
                await band.write(
                    CONTROL_POINT_UUID, block.header.acknowledgement(keep_on_band=keep)
                )
                if block.header.ends_transfer:
                    self._left_open = False
                    if keep:
                        await band.write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
                    return True
                if yield_to():
                    await band.write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
                    return False
        except MalformedValueError as err:
            # Whatever comes next cannot be trusted: stop, keep the rest on the band.
            await band.write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
            raise ActivityTransferError(f"activity transfer abandoned: {err}") from err
        except ActivityTransferError:
            await band.write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
            raise

    async def _drop_abandoned(self, queue: asyncio.Queue[bytes]) -> None:
        """Drop what remains of a transfer given up after its data (its end header, say).

        The band sends the end header right after the data, without waiting for the
        acknowledgement (Mi Fit's capture), so a sync that failed between the two leaves it on its
        way. Notifications and responses come back in the order the band sent them: once a read
        is answered, everything the band sent before it has arrived, and none of it belongs to the
        transfer about to start. The read is of the clock, which the sync's stamps use anyway.
        """
        await self.read_clock()
        dropped = 0
        while not queue.empty():
            queue.get_nowait()
            dropped += 1
        _LOGGER.debug(
            "%s: %d notifications of an abandoned transfer dropped", self._band.address, dropped
        )

    async def _next_minutes(
        self, queue: asyncio.Queue[bytes], assembler: BlockAssembler
    ) -> tuple[Block, bool]:
        """What has arrived: a block's end, or else the piece of it received so far.

        Waits for one notification, then takes every one already queued up to the end of a block.
        Returns the minutes not yet handed out and whether they end their block.
        """
        try:
            async with asyncio.timeout(ACTIVITY_TIMEOUT):
                while True:
                    data = await queue.get()
                    while True:
                        if not self._band.connected:
                            raise BleakError("Link lost during the activity transfer")
                        if (block := assembler.feed(data)) is not None:
                            return block, True
                        if queue.empty():
                            break
                        data = queue.get_nowait()
                    if (piece := assembler.take_piece()) is not None:
                        return piece, False
        except TimeoutError:
            raise ActivityTransferError("the band stopped sending its activity") from None


def utc_now() -> datetime:
    """Now in UTC, naive like the band's clock."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_minute(offset: timedelta) -> timedelta:
    """An offset between clocks to the nearest minute (the band's stamps are whole minutes)."""
    return timedelta(minutes=round(offset.total_seconds() / 60))
