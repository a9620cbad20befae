"""The band's activity memory in Home Assistant's long-term statistics.

Each synced minute lands in its UTC hour of the external statistics (docs/design.md, section 3.1):
`miband_ninebot:<address>_steps` (hourly sum); `..._sleep_deep` and `..._sleep_light` (hourly sums
of the minutes the band marked deep or light sleep, whichever session they are in); on the 1S,
`..._heart_rate` (hourly mean, min, max of the minutes that had a reading). The same minutes feed
the sleep sessions (band/sleep.py), whose state is saved with the mark below.

Nothing lost, nothing doubled:
- a block reaches the recorder, which is then waited for until it has committed it and every
  row it wrote (steps, deep and light sleep, heart rate) reads back, before the session
  acknowledges it (which deletes it on the band); a block not stored stays on the band, and
  the progress held here (the mark, the newest hour's tally, the sleep) moves only once the
  recorder has the rows and the store has the progress;
- an hour's row is always written whole, from a tally of all its minutes so far, so writing it
  again (a crash after the recorder stored it, before the band heard the acknowledgement) changes
  nothing; the tally of the newest hour is kept in the entry's storage, since its first minutes
  may already be gone from the band when its last ones arrive;
- a minute at or before the newest one imported is not counted again (a band keeping its data
  sends it every time); the mark is saved only once the recorder has the minutes;
- with no storage yet (the entry was added again) the recorder's newest row is the mark.

The band's stamps are its local clock; the session gives the clock's offset from UTC, so a minute
recorded before a daylight-saving change keeps the offset it was recorded with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
import logging
import math
from typing import Any, cast

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_last_statistics,
    statistics_during_period,
)
from homeassistant.components.recorder.tasks import SynchronizeTask
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util.unit_conversion import DurationConverter

from ..const import DOMAIN
from ..miband.activity import Block, Category, Minute
from ..miband.sleep import sleep_stage
from .sleep import BandSleep

_LOGGER = logging.getLogger(__package__)

STORAGE_VERSION = 1
HOUR = timedelta(hours=1)
# s the recorder may take to commit a block's hours before the block stays on the band: it writes
# a few rows, but shares its thread with every state change of the house.
RECORDER_TIMEOUT = 30.0


class HistoryNotStoredError(HomeAssistantError):
    """The recorder did not store the minutes: the block is not acknowledged."""


def recorder_ready(hass: HomeAssistant) -> bool:
    """Whether Home Assistant records: without it, the band's memory stays on the band."""
    return "recorder" in hass.config.components


def statistic_id(address: str, key: str) -> str:
    """`miband_ninebot:c80f103c7e51_steps`: the address in lower-case hex without colons."""
    return f"{DOMAIN}:{address.replace(':', '').lower()}_{key}"


@dataclass(slots=True)
class HourTally:
    """One UTC hour's minutes so far."""

    start: datetime
    steps: int = 0
    sleep_deep: int = 0  # minutes
    sleep_light: int = 0
    heart_rates: int = 0
    heart_rate_total: int = 0
    heart_rate_min: int = 255  # meaningful once heart_rates > 0
    heart_rate_max: int = 0

    def add(self, minute: Minute) -> None:
        """Count a minute in."""
        self.steps += minute.steps
        if (stage := sleep_stage(minute)) is Category.DEEP_SLEEP:
            self.sleep_deep += 1
        elif stage is Category.LIGHT_SLEEP:
            self.sleep_light += 1
        if (bpm := minute.heart_rate) is not None:
            self.heart_rates += 1
            self.heart_rate_total += bpm
            self.heart_rate_min = min(self.heart_rate_min, bpm)
            self.heart_rate_max = max(self.heart_rate_max, bpm)

    def as_json(self) -> dict[str, Any]:
        """For the entry's storage."""
        return {**asdict(self), "start": self.start.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HourTally:
        """From the entry's storage."""
        return cls(**{**data, "start": datetime.fromisoformat(data["start"])})


# The summed statistics: key, unit, the tally's count of one hour.
SUMS: tuple[tuple[str, str, Callable[[HourTally], int]], ...] = (
    ("steps", "steps", lambda tally: tally.steps),
    ("sleep_deep", "min", lambda tally: tally.sleep_deep),
    ("sleep_light", "min", lambda tally: tally.sleep_light),
)
NAMES = {
    "steps": "steps",
    "sleep_deep": "deep sleep",
    "sleep_light": "light sleep",
    "heart_rate": "heart rate",
}


@dataclass(slots=True)
class Newest:
    """The newest minute synced: what `asleep` and `worn` show."""

    time: datetime  # UTC
    category: int
    asleep: bool | None
    worn: bool | None


@dataclass(slots=True)
class _Progress:
    """What is saved once the recorder has the minutes."""

    imported_until: datetime | None = None  # UTC start of the newest minute imported
    hour: HourTally | None = None  # the tally of that minute's hour
    # each sum (steps, sleep_deep, sleep_light) up to that hour's start
    before_hour: dict[str, float] = field(default_factory=dict)
    sleep: dict[str, Any] | None = None  # BandSleep's state
    newest: Newest | None = None
    last_sync: datetime | None = None


class ActivityHistory:
    """A band's minutes, hour by hour, into the recorder; the store that makes it exactly once."""

    def __init__(self, hass: HomeAssistant, address: str, name: str, *, heart_rate: bool) -> None:
        """The statistics of the band at `address`; heart rate only for a 1S."""
        self.hass = hass
        self.name = name
        self.address = address
        self.heart_rate_id = statistic_id(address, "heart_rate") if heart_rate else None
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, f"{DOMAIN}.activity.{address.replace(':', '').lower()}"
        )
        self._progress = _Progress()
        self.sleep = BandSleep()

    @property
    def newest(self) -> Newest | None:
        """The newest minute synced, if any."""
        return self._progress.newest

    @property
    def last_sync(self) -> datetime | None:
        """When a sync last completed."""
        return self._progress.last_sync

    async def async_load(self) -> None:
        """Read where the last import ended; with no record, from the recorder's newest row."""
        if (data := await self._store.async_load()) is not None:
            self._progress = _progress_from_json(data)
            self.sleep.load_json(self._progress.sleep)
            return
        if not recorder_ready(self.hass):
            return
        for key, _unit, _count in SUMS:
            if (row := await self._async_last_row(statistic_id(self.address, key))) is None:
                continue
            self._progress.before_hour[key] = float(row.get("sum") or 0.0)
            if key == "steps":
                start = datetime.fromtimestamp(row["start"], UTC)
                # Its minutes are not known: the hour counts as complete.
                self._progress.imported_until = start + HOUR - timedelta(minutes=1)

    async def _async_last_row(self, statistic: str) -> Any:
        last = await get_instance(self.hass).async_add_executor_job(
            get_last_statistics, self.hass, 1, statistic, False, {"sum"}
        )
        rows = last.get(statistic)
        return rows[0] if rows else None

    async def async_store_block(
        self, block: Block, clock_offset: timedelta
    ) -> tuple[int, datetime, datetime] | None:
        """Put a block's new minutes into the statistics; return once the recorder has them.

        Returns how many minutes were new, and the first and last of them (UTC), or None.
        """
        progress = self._progress
        minutes = [(_utc(minute.time, clock_offset), minute) for minute in block.minutes]
        if progress.imported_until is not None:
            minutes = [(at, minute) for at, minute in minutes if at > progress.imported_until]
        if not minutes:
            return None
        hours: list[tuple[HourTally, dict[str, float]]] = []  # each with the sums before it
        tally = _copy(progress.hour)
        before = dict(progress.before_hour)
        for at, minute in minutes:
            start = at.replace(minute=0, second=0, microsecond=0)
            if tally is None or tally.start != start:
                if tally is not None:
                    hours.append((tally, before))
                    before = {key: before.get(key, 0.0) + count(tally) for key, _, count in SUMS}
                tally = HourTally(start)
            tally.add(minute)
        assert tally is not None  # noqa: S101 - minutes is not empty
        hours.append((tally, before))
        sleep = self.sleep.step(replace(minute, time=at) for at, minute in minutes)
        await self._async_write(hours)
        last_at, last_minute = minutes[-1]
        await self._async_save(
            replace(
                progress,
                imported_until=last_at,
                hour=tally,
                before_hour=before,
                newest=Newest(last_at, last_minute.category, last_minute.asleep, last_minute.worn),
                sleep=sleep.as_json(),
            )
        )
        last_before = self.sleep.last
        self.sleep.apply(sleep)
        self.sleep.async_fire(sleep, last_before)
        return len(minutes), minutes[0][0], last_at

    async def async_sync_done(self, when: datetime) -> None:
        """Note a completed sync (even one that brought nothing new)."""
        await self._async_save(replace(self._progress, last_sync=when))

    async def _async_save(self, progress: _Progress) -> None:
        """Store `progress`, then hold it: a failed write leaves the last one in force here too."""
        await self._store.async_save(_progress_to_json(progress))
        self._progress = progress

    async def _async_write(self, hours: list[tuple[HourTally, dict[str, float]]]) -> None:
        written: dict[str, list[StatisticData]] = {}  # by statistic id
        for key, _unit, count in SUMS:
            written[statistic_id(self.address, key)] = [
                {
                    "start": tally.start,
                    "state": count(tally),
                    "sum": before.get(key, 0.0) + count(tally),
                }
                for tally, before in hours
            ]
            async_add_external_statistics(
                self.hass, self._metadata(key), written[statistic_id(self.address, key)]
            )
        if self.heart_rate_id is not None:
            heart_rates: list[StatisticData] = [
                {
                    "start": tally.start,
                    "mean": tally.heart_rate_total / tally.heart_rates,
                    "min": tally.heart_rate_min,
                    "max": tally.heart_rate_max,
                }
                for tally, _before in hours
                if tally.heart_rates
            ]
            if heart_rates:
                async_add_external_statistics(self.hass, self._metadata("heart_rate"), heart_rates)
                written[self.heart_rate_id] = heart_rates
        recorder = get_instance(self.hass)
        await self._async_committed(recorder)
        await self._async_read_back(recorder, written)

    async def _async_read_back(
        self, recorder: Recorder, written: dict[str, list[StatisticData]]
    ) -> None:
        """Only rows the database returns count as stored: every statistic the block wrote.

        The recorder runs each statistic's import as a task of its own: one can fail (logged in
        its thread) while the others are stored, and the block would be acknowledged without it.
        """
        start = min(rows[0]["start"] for rows in written.values())
        end = max(rows[-1]["start"] for rows in written.values()) + HOUR
        stored = await recorder.async_add_executor_job(
            statistics_during_period,
            self.hass,
            start,
            end,
            set(written),
            "hour",
            None,
            {"sum", "mean"},
        )
        for statistic, rows in written.items():
            found = {row["start"]: row for row in stored.get(statistic, [])}
            for row in rows:
                # a mean (heart rate) or a sum (the rest)
                expected = row["mean"] if "mean" in row else row.get("sum")
                back = found.get(row["start"].timestamp(), {})
                back_value = back.get("mean") if "mean" in row else back.get("sum")
                if expected is None or back_value is None or not math.isclose(back_value, expected):
                    raise HistoryNotStoredError(
                        f"the recorder did not store {statistic} of {row['start'].isoformat()}"
                    )

    async def _async_committed(self, recorder: Recorder) -> None:
        """Return once the recorder has run and committed what was queued before this call.

        Not `Recorder.async_block_till_done`: it returns at once when the recorder's queue is
        empty, which it also is while the recorder's thread is still running the import it took
        from it, so the read-back then misses rows the database is about to get (the capture's
        replay hit this in 2 syncs of 8). The recorder runs its tasks in order and commits before
        a synchronize task, so once this one has run, the import before it is in the database.
        """
        done: asyncio.Future[None] = self.hass.loop.create_future()
        recorder.queue_task(SynchronizeTask(done))
        try:
            async with asyncio.timeout(RECORDER_TIMEOUT):
                await done
        except TimeoutError as err:
            raise HistoryNotStoredError("the recorder did not answer in time") from err

    def _metadata(self, key: str) -> StatisticMetaData:
        heart_rate = key == "heart_rate"
        units = {key: unit for key, unit, _count in SUMS}
        metadata: dict[str, Any] = {
            "mean_type": StatisticMeanType.ARITHMETIC if heart_rate else StatisticMeanType.NONE,
            "has_sum": not heart_rate,
            "name": f"{self.name} {NAMES[key]}",
            "source": DOMAIN,
            "statistic_id": statistic_id(self.address, key),
            "unit_of_measurement": "bpm" if heart_rate else units[key],
        }
        if "unit_class" in StatisticMetaData.__annotations__:
            # since 2025.10: minutes of sleep convert as durations; steps and bpm do not
            metadata["unit_class"] = (
                DurationConverter.UNIT_CLASS if units.get(key) == "min" else None
            )
        return cast("StatisticMetaData", metadata)


def _utc(band_time: datetime, clock_offset: timedelta) -> datetime:
    return (band_time - clock_offset).replace(tzinfo=UTC)


def _copy(tally: HourTally | None) -> HourTally | None:
    return None if tally is None else HourTally(**asdict(tally))


def _progress_to_json(progress: _Progress) -> dict[str, Any]:
    newest = progress.newest
    return {
        "imported_until": _iso(progress.imported_until),
        "hour": progress.hour.as_json() if progress.hour else None,
        "before_hour": progress.before_hour,
        "sleep": progress.sleep,
        "newest": {**asdict(newest), "time": newest.time.isoformat()} if newest else None,
        "last_sync": _iso(progress.last_sync),
    }


def _progress_from_json(data: dict[str, Any]) -> _Progress:
    newest = data.get("newest")
    return _Progress(
        imported_until=_from_iso(data.get("imported_until")),
        hour=HourTally.from_json(data["hour"]) if data.get("hour") else None,
        # A store of before sleep was counted has the steps' sum only.
        before_hour=data.get("before_hour") or {"steps": float(data.get("steps_before_hour", 0.0))},
        sleep=data.get("sleep"),
        newest=Newest(**{**newest, "time": datetime.fromisoformat(newest["time"])})
        if newest
        else None,
        last_sync=_from_iso(data.get("last_sync")),
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
