"""Home Assistant meets the Mi Band 1 of Mi Fit's capture: its bytes, not our emulation of them.

The replayed band (`emulator.devices.replay`) advertises, answers reads and sends its activity
exactly as the capture shows, through Home Assistant's Bluetooth manager and the real recorder. Home
Assistant's clock is set to the capture's evening in Madrid (the phone's zone: its clock writes were
UTC+1), so the band's stamps mean what they meant to Mi Fit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import sqlite3
import threading
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder, statistics
from homeassistant.components.recorder.tasks import ImportStatisticsTask
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from sqlalchemy.exc import OperationalError

from custom_components.miband_ninebot.const import CONF_MODEL, DOMAIN
from custom_components.miband_ninebot.miband.activity import BlockAssembler
from custom_components.miband_ninebot.miband.protocol import band_clock
from emulator.captures import corpus
from emulator.captures.att import Opcode
from emulator.captures.mi_fit import FF0A, FF07, FIRST, mi_fit_operations, values_of
from emulator.devices.replay import ReplayedMiBand
from emulator.link.peripheral import Peripheral
from emulator.transports.virtual_proxy import AUTO_MODE

from . import discovery_flow_id, result_after_progress, settle, until
from .helpers.band import hourly_statistics, sync_activity
from .helpers.esphome import ESPHomeProxies

AddDevice = Callable[[Peripheral], Peripheral]
STEPS = "miband_ninebot:880f101073da_steps"
# Mi Fit's two acknowledgements in the capture: the block (its date, 1564 minutes), then the
# closing header.
MI_FIT_ACKNOWLEDGEMENTS = [bytes.fromhex("0a0e0b04130a171c06"), bytes.fromhex("0a0e0b05150e170000")]
CAPTURE_START = datetime(2014, 12, 5, 20, 13, 48, tzinfo=UTC)  # its first connection
MINUTE = timedelta(minutes=1)
HAS_AUTO_MODE = AUTO_MODE is not None  # Home Assistant 2026.x
# The clock starts at the capture's first connection and runs on; the event loop keeps the real
# monotonic clock the link model runs on.
pytestmark = pytest.mark.freeze_time(CAPTURE_START, tick=True, real_asyncio=True)


@pytest.fixture
async def madrid_2014(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Home Assistant in the capture's time zone, at the moment of its first connection."""
    await hass.config.async_update(time_zone="Europe/Madrid")


async def _add_by_discovery(
    hass: HomeAssistant, band: ReplayedMiBand, *, then_settle: bool = True
) -> Any:
    """The discovery flow as a user goes through it: confirm, default profile, tap the band."""
    await settle(hass)
    await until(
        lambda: any(True for _ in hass.config_entries.flow.async_progress_by_handler(DOMAIN))
    )
    flow_id = discovery_flow_id(hass, band.address)
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["step_id"] == "profile", result
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["type"] is FlowResultType.SHOW_PROGRESS, result
    await until(lambda: band.waiting_for_tap)
    assert band.tap()
    result = await result_after_progress(hass, flow_id)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    if then_settle:
        await settle(hass)
    return result["result"]


async def _steps_by_hour(hass: HomeAssistant) -> dict[datetime, float]:
    rows = await hourly_statistics(hass, STEPS, since=datetime(2014, 1, 1, tzinfo=UTC))
    return {hour: row["state"] for hour, row in rows.items()}


def _captured_steps_by_utc_hour() -> dict[datetime, int]:
    """The block's steps by UTC hour, computed here from the captured bytes.

    The band's stamps are its clock's, which read 21:14:27 (FF0A's second half) when Home
    Assistant's clock said 20:13:48 UTC: an offset of 61 minutes to the nearest minute (the phone
    ran UTC+1, the band 36 s ahead of it).
    """
    operations = mi_fit_operations(FIRST)
    clock = band_clock(values_of(operations, Opcode.READ_RESPONSE, FF0A)[0])
    offset = timedelta(minutes=round((clock - CAPTURE_START.replace(tzinfo=None)) / MINUTE))
    assert offset == timedelta(minutes=61)
    assembler = BlockAssembler(has_heart_rate=False, packet_counter=False)
    block = next(
        block for value in values_of(operations, 0x1B, FF07) if (block := assembler.feed(value))
    )
    hours: dict[datetime, int] = {}
    for minute in block.minutes:
        hour = (minute.time - offset).replace(minute=0, second=0, tzinfo=UTC)
        hours[hour] = hours.get(hour, 0) + minute.steps
    return hours


async def test_the_captured_band_is_added_and_its_memory_lands_in_the_statistics(
    recorder_mock: Recorder, hass: HomeAssistant, madrid_2014: None, add_device: AddDevice
) -> None:
    band = add_device(ReplayedMiBand())

    entry = await _add_by_discovery(hass, band)

    assert entry.data[CONF_MODEL] == "Mi Band 1"  # from the captured device info
    # The coordinator synced on connect: the block and its closing header, acknowledged with the
    # very bytes Mi Fit sent.
    await until(lambda: len(band.acknowledgements) == 2)
    await settle(hass)
    assert band.acknowledgements == MI_FIT_ACKNOWLEDGEMENTS
    steps = await _steps_by_hour(hass)
    assert sum(steps.values()) == 6836
    assert steps == _captured_steps_by_utc_hour()
    assert corpus.load("mibanda_mi_fit_2014").source.device.startswith("Mi Band 1")


async def test_a_store_the_recorder_is_slow_to_commit_is_still_seen(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    madrid_2014: None,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The recorder has taken the import from its queue but not committed it yet.

    Waiting on the recorder's queue alone returns at once then, the read-back misses the rows and
    the block stays on the band for nothing (2 syncs in 8 on a busy machine, replaying this
    capture). Made certain here: Home Assistant's thread loses the processor right after it
    queues the import (a busy machine), and the recorder's import takes 0.3 s (a slow disk).
    """
    real_queue_task, real_import = Recorder.queue_task, statistics.import_statistics

    def queue_task_then_lose_the_processor(self: Recorder, task: Any) -> None:
        real_queue_task(self, task)
        if isinstance(task, ImportStatisticsTask):
            time.sleep(0.05)  # the recorder's thread runs meanwhile and takes the task

    def slow_import(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return real_import(*args, **kwargs)

    monkeypatch.setattr(Recorder, "queue_task", queue_task_then_lose_the_processor)
    monkeypatch.setattr(statistics, "import_statistics", slow_import)
    band = add_device(ReplayedMiBand())

    await _add_by_discovery(hass, band)

    await until(lambda: len(band.acknowledgements) == 2)
    assert band.acknowledgements == MI_FIT_ACKNOWLEDGEMENTS
    assert sum((await _steps_by_hour(hass)).values()) == 6836


async def test_a_sync_after_a_failed_one_is_not_ended_by_its_leftover_header(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    madrid_2014: None,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The band sends its closing header right after the data, before any acknowledgement.

    A sync whose store fails in between leaves that header on the link; when the action asked
    for the next sync meanwhile, the link is kept fast for it and nothing else is sent first,
    so the header arrives in the next sync, which must not take it for its own transfer's end
    (it did: 0 minutes, the block left on the band).
    """
    real_import = statistics.import_statistics
    disk_full = sqlite3.OperationalError("database or disk is full")
    failures = [OperationalError("INSERT", {}, disk_full)]
    importing, fail_now = threading.Event(), threading.Event()

    def import_failing_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            importing.set()
            fail_now.wait(10)
            raise failures.pop()
        return real_import(*args, **kwargs)

    monkeypatch.setattr(statistics, "import_statistics", import_failing_once)
    band = add_device(ReplayedMiBand())
    band.hold_closing_header = True  # on the link until the central's next request
    await _add_by_discovery(hass, band, then_settle=False)
    await until(importing.is_set)  # the sync on connect is storing its block

    action = hass.async_create_task(sync_activity(hass, band))
    await until(lambda: band.replay.held != [])  # the header is still on its way
    fail_now.set()  # the recorder fails the store: the first sync ends unacknowledged
    result = await action

    assert not failures
    assert result is not None
    assert result["minutes"] == 1564
    assert band.acknowledgements == MI_FIT_ACKNOWLEDGEMENTS
    assert sum((await _steps_by_hour(hass)).values()) == 6836


async def test_the_captured_band_through_an_esphome_proxy(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    madrid_2014: None,
    esphome_proxies: ESPHomeProxies,
    no_backoff: None,
) -> None:
    """The same bytes through Home Assistant's esphome integration and a proxy in its default
    mode (2026.x: passive, so the band's name never arrives; 2025.8: the proxy's YAML, active).
    """
    proxy = await esphome_proxies.add()
    band = ReplayedMiBand()
    ESPHomeProxies.place(band, proxy)

    entry = await _add_by_discovery(hass, band)

    # Home Assistant 2026.x set the proxy passive ("auto"); 2025.8 left it as its YAML says.
    assert proxy.scan_mode_changes == ([False] if HAS_AUTO_MODE else [])
    assert entry.data[CONF_MODEL] == "Mi Band 1"
    await until(lambda: len(band.acknowledgements) == 2)
    assert band.acknowledgements == MI_FIT_ACKNOWLEDGEMENTS
    assert await _steps_by_hour(hass) == _captured_steps_by_utc_hour()
