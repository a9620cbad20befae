"""The emulated band's activity memory: runs of minutes, sent as blocks, deleted when acknowledged.

What docs/protocols/mi-band-1.md (section 3.7) and its sources give, held the way the band holds it:
- the band stores runs of consecutive minutes, each with the local start time of its clock;
- FF05 `06` sends, per block, an 11-byte header (type 1: counts in minutes; total, this block)
  and the block's minutes (3 bytes, or 4 with the 1S's heart rate, 0xFF for no reading) in
  notifications of 20 bytes, or of a counter byte and 16 / 18 bytes from profile 2.0.7.0;
- it sends the next header as soon as a block's data is out, and takes the acknowledgements as
  they come, in the blocks' order: `0a`, the block's date and its count as the header gave it
  deletes the block; the count's bitwise NOT keeps it; any other count is not an acknowledgement
  of this block, and the band keeps it too. Mi Fit's capture shows the closing header sent right
  after the data, a second before the first acknowledgement; that the band does not wait between
  two data blocks either is unverified (that capture had one), so `MiBand.waits_between_blocks`
  models the other possibility;
- a header with a block count of 0 ends the transfer; FF05 `11` stops it early.

How long a block may be is not documented. Mi Fit's capture has a whole run of 1564 minutes in one
block, so a run is one block here (at most what the header's count can say); Gadgetbridge #45 shows
one of 142 minutes, and `ActivityMemory.block_minutes` cuts runs into blocks of that size for the
tests that need several. The day generator is seeded, so a test can replay
the same day: sleep at night, walking by day, a charge in the evening (not worn).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import random

GADGETBRIDGE_45_BLOCK_MINUTES = 142  # a block Gadgetbridge #45 shows
MAX_COUNT = 0xFFFF  # what a header's uint16 count can say
NO_HEART_RATE = 0xFF

# Categories, as the band writes them (Mi Fit's names).
STILL, WALKING, NOT_WORN, DEEP_SLEEP, LIGHT_SLEEP, CHARGING = 0, 1, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class RecordedMinute:
    """One minute as the band records it."""

    category: int
    intensity: int
    steps: int
    heart_rate: int = NO_HEART_RATE

    def encode(self, with_heart_rate: bool) -> bytes:
        """3 bytes, or 4 on a band with the sensor."""
        values = (self.category, self.intensity, self.steps)
        return bytes((*values, self.heart_rate) if with_heart_rate else values)


@dataclass(slots=True)
class Run:
    """Consecutive minutes from one start time of the band's clock."""

    start: datetime
    minutes: list[RecordedMinute] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        """The minute after the last one."""
        return self.start + timedelta(minutes=len(self.minutes))


@dataclass(frozen=True, slots=True)
class PendingBlock:
    """A block on its way: what the header said, so the acknowledgement can be checked."""

    start: datetime
    minutes: tuple[RecordedMinute, ...]  # as they were when the transfer started
    date: bytes

    @property
    def count(self) -> int:
        """Minutes in the block."""
        return len(self.minutes)


def date_bytes(moment: datetime) -> bytes:
    """The band's six date bytes (year - 2000, month from 0)."""
    return bytes(
        (
            moment.year - 2000,
            moment.month - 1,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
        )
    )


class ActivityMemory:
    """Days of minutes; what a transfer sends and what an acknowledgement deletes."""

    def __init__(self) -> None:
        """An empty memory."""
        self.runs: list[Run] = []
        self.block_minutes = MAX_COUNT  # the longest block a run goes out in (module doc)
        self.acknowledged: list[tuple[datetime, int]] = []  # (start, minutes) deleted
        self.kept: list[tuple[datetime, int]] = []  # (start, minutes) acknowledged but kept
        # Called as each deletion happens: a test that must act between two acknowledgements
        # cannot rely on polling, which a busy machine lets several of them slip past.
        self.on_acknowledged: Callable[[], None] | None = None

    @property
    def minute_count(self) -> int:
        """How many minutes the band holds."""
        return sum(len(run.minutes) for run in self.runs)

    def record(self, start: datetime, minutes: list[RecordedMinute]) -> None:
        """Store minutes from `start` (the band's clock), joining the last run if they follow it."""
        if self.runs and self.runs[-1].end == start:
            self.runs[-1].minutes.extend(minutes)
        else:
            self.runs.append(Run(start, list(minutes)))

    def blocks(self) -> list[PendingBlock]:
        """The blocks a transfer started now sends, in order."""
        blocks = []
        for run in self.runs:
            for offset in range(0, len(run.minutes), self.block_minutes):
                minutes = tuple(run.minutes[offset : offset + self.block_minutes])
                start = run.start + timedelta(minutes=offset)
                blocks.append(PendingBlock(start, minutes, date_bytes(start)))
        return blocks

    def block_data(self, block: PendingBlock, with_heart_rate: bool) -> bytes:
        """The bytes of a block's minutes."""
        return b"".join(minute.encode(with_heart_rate) for minute in block.minutes)

    def acknowledge(self, block: PendingBlock, ack: bytes) -> None:
        """Act on `0a date count` for the block just sent: delete it, or keep it."""
        count = int.from_bytes(ack[7:9], "little")
        if ack[1:7] != block.date or count != block.count:
            self.kept.append((block.start, block.count))
            return
        run = next((r for r in self.runs if r.start <= block.start < r.end), None)
        if run is None:
            return
        first = int((block.start - run.start).total_seconds() // 60)
        tail = Run(block.start + timedelta(minutes=block.count), run.minutes[first + block.count :])
        del run.minutes[first:]  # what came before the block (kept blocks) stays
        position = self.runs.index(run)
        if tail.minutes:
            self.runs.insert(position + 1, tail)
        if not run.minutes:
            self.runs.remove(run)
        self.acknowledged.append((block.start, block.count))
        if self.on_acknowledged is not None:
            self.on_acknowledged()


def generate_minutes(
    start: datetime, count: int, *, seed: int = 1, with_heart_rate: bool = True
) -> list[RecordedMinute]:
    """A plausible stretch of a wearer's life from `start` (band time), the same for a seed.

    23:00-07:00 asleep (deep and light sleep in 90-minute cycles, a resting heart rate);
    19:00-19:44 charging, off the wrist; otherwise worn, mostly still, walking now and then.
    """
    rng = random.Random(seed)
    minutes = []
    for index in range(count):
        moment = start + timedelta(minutes=index)
        hour = moment.hour
        heart_rate = NO_HEART_RATE
        if hour >= 23 or hour < 7:
            since_bed = (moment - moment.replace(hour=23, minute=0)).seconds // 60
            category = DEEP_SLEEP if since_bed % 90 < 30 else LIGHT_SLEEP
            intensity, steps = rng.randint(0, 10), 0
            if with_heart_rate and rng.random() < 0.5:
                heart_rate = rng.randint(50, 60)
        elif hour == 19 and moment.minute < 45:
            category, intensity, steps = CHARGING, 0, 0
        else:
            walking = rng.random() < 0.3
            category = WALKING if walking else STILL
            steps = rng.randint(60, 120) if walking else rng.randint(0, 5)
            intensity = rng.randint(80, 200) if walking else rng.randint(0, 40)
            if with_heart_rate and rng.random() < 0.7:
                heart_rate = rng.randint(85, 115) if walking else rng.randint(62, 80)
        minutes.append(RecordedMinute(category, intensity, steps, heart_rate))
    return minutes
