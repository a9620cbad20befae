"""The emulated band's link against what the captures show of real ones.

The captures themselves are decoded by protocol_tests/test_captures_band.py.

- At connect, the link runs at the central's parameters: the emulated band's central is Linux's,
  as its kernel asked a 1S for them in so37779288 (50-70 ms, latency 0, 420 ms); the band asks
  for no others by itself, as the Mi Band 1 never did in Mi Fit's three minutes.
- The band's notifications fill each connection event, up to the 17 a Mi Band 1 sent in one
  event of Mi Fit's link; the central's writes cross one per event.
- An FF09 read gives the link's current interval in its fifth word, as the Mi Band 1's did.

Everything is measured on the link model's own clock (its trace of booked events), never on the
wall clock, so a busy machine cannot change an outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from itertools import pairwise
import math

from homeassistant.core import HomeAssistant
import pytest

from custom_components.miband_ninebot.miband import protocol
from custom_components.miband_ninebot.miband.activity import BlockAssembler
from custom_components.miband_ninebot.miband.latency import LeParams
from emulator.captures import corpus, hci, hcidump
from emulator.captures.mi_fit import FF07, FF09, FIRST, mi_fit_items, mi_fit_operations
from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_air import (
    ACTIVITY_DATA,
    BAND_TIMING,
    BATTERY,
    CONTROL_POINT,
    LE_PARAMS,
    NOTIFICATION,
    REALTIME_STEPS,
)
from emulator.devices.band_memory import generate_minutes
from emulator.link.peripheral import Peripheral
from emulator.link.timing import (
    ANDROID_CONNECTION_INTERVAL,
    ANDROID_SUPERVISION_TIMEOUT,
    UNIT_INTERVAL,
    Direction,
    Link,
    LinkTiming,
)

from . import until
from .helpers.central import USER, BandClient, Received, connect

AddDevice = Callable[[Peripheral], Peripheral]

# The model before the captures: 30 ms from the start and one PDU per event both ways.
ONE_PDU_PER_EVENT = LinkTiming()


def _linux_create_connection() -> hcidump.CreateConnection:
    text = corpus.load("so37779288_mi_band_1s_hcidump").content["hcidump"]["text"]
    return next(i for i in hcidump.read(text) if isinstance(i, hcidump.CreateConnection))


def _captured_bursts() -> list[int]:
    """Notifications per connection event in Mi Fit's activity transfer (20 ms apart at most)."""
    times = [o.time for o in mi_fit_operations(FIRST) if o.opcode == 0x1B and o.handle == FF07]
    bursts = [1]
    for earlier, later in pairwise(times):
        if later - earlier > 0.02:
            bursts.append(0)
        bursts[-1] += 1
    return bursts


async def _band_client(hass: HomeAssistant, band: MiBand) -> BandClient:
    """A bare central subscribed to FF03 (the Mi Band 1 has no heart-rate service)."""
    central = BandClient(await connect(hass, band, Received()), band)
    await central.client.start_notify(NOTIFICATION, lambda _c, d: central.status.put_nowait(d[0]))
    return central


def _events_from_the_band(link: Link, pdus: int | None = None) -> list[tuple[float, int]]:
    """(event, PDUs the band sent in it) for the first `pdus` it sent (all: None), in order."""
    assert link.trace is not None
    events = [event for direction, event in link.trace if direction is Direction.TO_CENTRAL]
    return sorted(Counter(events[:pdus]).items())


async def test_an_event_carries_up_to_17_pdus_of_the_band_and_one_of_the_central() -> None:
    # Model time crawls (1 model second = 1000 wall seconds), so "now" stays at 0 in this test.
    link = Link(replace(BAND_TIMING, time_scale=1000), lambda: None)
    interval = link.interval
    link.trace = []
    try:
        last = link.reserve(Direction.TO_CENTRAL, 20, earliest=0.0)
        assert _events_from_the_band(link) == [(0.0, 17), (pytest.approx(interval), 3)]
        # The third PDU of the second event crosses after the two before it, within the event.
        assert interval < last < 2 * interval
        # The central's side: one PDU per event, whatever the band's.
        assert link.reserve(Direction.TO_PERIPHERAL, 3, earliest=0.0) == pytest.approx(2 * interval)
        # The next notification joins the second event, which has room for 14 more.
        assert link.reserve(Direction.TO_CENTRAL, 14, earliest=0.0) < 2 * interval
        assert link.reserve(Direction.TO_CENTRAL, 1, earliest=0.0) > 2 * interval
    finally:
        link.close()


def test_the_band_s_timing_is_the_captured_one() -> None:
    create = _linux_create_connection()
    assert (create.min_interval, create.max_interval) == (40, 56)
    assert create.min_interval * UNIT_INTERVAL <= BAND_TIMING.connection_interval
    assert BAND_TIMING.connection_interval <= create.max_interval * UNIT_INTERVAL
    assert BAND_TIMING.supervision_timeout == create.parameters.supervision_timeout_seconds
    assert BAND_TIMING.peripheral_pdus_per_event == max(_captured_bursts()) == 17
    assert _captured_bursts() == [17] * 5 + [16] + [17] * 4 + [16, 17, 17, 16, 2]
    # The Android link those bursts crossed: the phone's parameters, never updated.
    for connection in (i for i in mi_fit_items() if isinstance(i, hci.ConnectionComplete)):
        assert connection.parameters.interval_seconds == ANDROID_CONNECTION_INTERVAL
        assert connection.parameters.supervision_timeout_seconds == ANDROID_SUPERVISION_TIMEOUT
    assert BAND_TIMING.pdus_per_event(Direction.TO_PERIPHERAL) == 1


@pytest.mark.parametrize("make_band", [catalog.mi_band_1, catalog.mi_band_1s])
async def test_the_band_runs_at_the_central_s_parameters_and_asks_for_none(
    hass: HomeAssistant, add_device: AddDevice, make_band: Callable[[], MiBand]
) -> None:
    band = add_device(make_band())
    band.known_user_ids.add(USER.user_id)
    central = await _band_client(hass, band)
    assert band.connection is not None
    link = band.connection.link
    create = _linux_create_connection()
    assert (
        create.min_interval * UNIT_INTERVAL <= link.interval <= create.max_interval * UNIT_INTERVAL
    )
    assert link.supervision_timeout == create.parameters.supervision_timeout_seconds
    started = link.interval

    # A session's work without FF09: authentication, the clock, reads.
    await central.authenticate()
    assert await central.next_status() == protocol.Notification.AUTHENTICATION_SUCCESS
    await central.set_clock()
    for uuid in (BATTERY, REALTIME_STEPS, LE_PARAMS):
        await central.client.read_gatt_char(uuid)

    assert link.parameter_requests == []
    assert link.interval == started
    await central.client.disconnect()


@pytest.mark.parametrize(
    "timing", [BAND_TIMING, ONE_PDU_PER_EVENT], ids=["as_captured", "one_pdu_per_event"]
)
async def test_the_activity_transfer_fills_each_connection_event(
    hass: HomeAssistant, add_device: AddDevice, timing: LinkTiming
) -> None:
    """A Mi Band 1's block (3 bytes a minute, 20-byte notifications, as in Mi Fit's capture)."""
    band = catalog.mi_band_1(timing=timing)
    add_device(band)
    start = datetime(2026, 11, 20, 8, 0)
    band.memory.record(start, generate_minutes(start, 142, with_heart_rate=False))
    received: list[bytes] = []
    client = (await _band_client(hass, band)).client
    await client.start_notify(ACTIVITY_DATA, lambda _c, data: received.append(bytes(data)))
    assert band.connection is not None
    link = band.connection.link
    link.trace = []

    await client.write_gatt_char(CONTROL_POINT, b"\x06", response=True)
    # The write's response, then the header, 22 notifications of minutes (426 bytes) and the
    # closing header, handed to the link in one go, as in Mi Fit's capture: 25 PDUs from the band.
    await until(lambda: len(received) == 24)
    assert link.trace is not None
    assert sum(direction is Direction.TO_CENTRAL for direction, _event in link.trace) == 25

    events = _events_from_the_band(link)
    capacity = timing.peripheral_pdus_per_event
    assert [count for _event, count in events] == [
        min(capacity, 25 - index * capacity) for index in range(math.ceil(25 / capacity))
    ]
    # One event after the other, none skipped.
    assert all(
        later == pytest.approx(earlier + link.interval)
        for (earlier, _), (later, _) in pairwise(events)
    )
    # In their order: the block decodes whole.
    assembler = BlockAssembler(has_heart_rate=False, packet_counter=False)
    blocks = [block for value in received if (block := assembler.feed(value)) is not None]
    assert [len(block.minutes) for block in blocks] == [142, 0]
    await client.disconnect()


async def test_an_ff09_read_gives_the_link_s_interval_as_the_real_band_s_did(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    operations = mi_fit_operations(FIRST)
    captured = LeParams.decode(
        next(o.value for o in operations if o.opcode == 0x0B and o.handle == FF09)
    )
    link_of_the_capture = next(
        i for i in mi_fit_items() if isinstance(i, hci.ConnectionComplete) and i.handle == FIRST
    )
    assert captured.interval == link_of_the_capture.parameters.interval == 39

    band = add_device(catalog.mi_band_1())
    central: BandClient = await _band_client(hass, band)
    assert band.connection is not None
    link = band.connection.link
    read = LeParams.decode(bytes(await central.client.read_gatt_char(LE_PARAMS)))
    assert read.interval == round(link.interval / UNIT_INTERVAL) == 48
    # The rest is the band's own, as the Mi Band 1 read back.
    assert replace(read, interval=captured.interval) == captured

    # After an update (what a write does is Gadgetbridge's account, not captured), the new one.
    await central.low_latency()
    assert [await central.next_status(), await central.next_status()] == [0x04, 0x08]
    read = LeParams.decode(bytes(await central.client.read_gatt_char(LE_PARAMS)))
    assert read.interval == round(link.interval / UNIT_INTERVAL) == 44
    await central.client.disconnect()
