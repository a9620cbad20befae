"""The band's connection latency: one owner, holds, and the band's word on each update.

The band's side is what the protocol notes give it (docs/protocols/mi-band-1.md, 3.5 and 3.8):
an FF09 write is answered at once, and the band's word on the update (FF03 04 then 08, or 03)
comes later. Here the words are handed in as the client hands them (`status_received`).
"""

from __future__ import annotations

import asyncio

from bleak.exc import BleakError
from miband import latency
from miband.latency import HIGH_LATENCY, LOW_LATENCY, ConnectionLatency
from miband.protocol import Notification
import pytest

APPLIED = Notification.CONNECTION_PARAMETERS_OK
LATENCY_SET = Notification.LATENCY_SET


class Band:
    """What the latency writes, in order; a write can be made to fail."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.fail_with: Exception | None = None

    async def write(self, value: bytes) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.written.append(value)

    @property
    def asked(self) -> list[str]:
        names = {LOW_LATENCY.encode(): "low", HIGH_LATENCY.encode(): "high"}
        return [names[value] for value in self.written]


async def settle() -> None:
    """Let every task that can run, run (no clock involved)."""
    for _ in range(20):
        await asyncio.sleep(0)


def connected() -> tuple[Band, ConnectionLatency]:
    band = Band()
    link = ConnectionLatency("C8:0F:10:00:00:01", band.write)
    link.connection_made()
    return band, link


async def test_the_last_hold_to_go_asks_for_high_latency() -> None:
    band, link = connected()
    first, second = link.keep(), link.keep()
    await link.ask_low()
    link.status_received(APPLIED)

    await first.release()
    assert band.asked == ["low"]  # the second still holds it
    await second.release()
    assert band.asked == ["low", "high"]
    await second.release()  # once only
    assert band.asked == ["low", "high"]


async def test_a_hold_on_a_link_never_asked_for_low_latency_asks_nothing() -> None:
    band, link = connected()
    await link.keep().release()
    assert band.asked == []


async def test_a_dropped_hold_asks_nothing_of_the_band() -> None:
    band, link = connected()
    hold = link.keep()
    await link.ask_low()
    hold.drop()
    assert link.holds == 0
    assert band.asked == ["low"]


async def test_low_latency_for_a_block_waits_for_the_band_s_word_when_asked_to() -> None:
    band, link = connected()
    entered = asyncio.Event()

    async def transfer() -> None:
        async with link.low(until_applied=True):
            entered.set()

    task = asyncio.create_task(transfer())
    await settle()
    assert band.asked == ["low"]
    assert not entered.is_set()  # the update has not applied yet
    link.status_received(APPLIED)
    await task
    assert band.asked == ["low", "high"]  # nothing else held it


async def test_a_block_inside_a_hold_leaves_the_latency_low() -> None:
    band, link = connected()
    hold = link.keep()
    async with link.low():
        pass
    link.status_received(LATENCY_SET)
    assert band.asked == ["low"]
    async with link.low(until_applied=True):  # already low: neither asked nor waited for
        pass
    assert band.asked == ["low"]
    await hold.release()
    assert band.asked == ["low", "high"]


async def test_a_word_still_to_come_is_waited_for_before_the_next_request() -> None:
    band, link = connected()
    await link.ask_low()
    asking = asyncio.create_task(link.ask_high())
    await settle()
    assert band.asked == ["low"]  # the word for low latency could pass for high latency's
    link.status_received(APPLIED)
    await asking
    assert band.asked == ["low", "high"]


async def test_a_band_that_never_answers_is_waited_for_once_per_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(latency, "PARAMETER_UPDATE_TIMEOUT", 0.05)
    band, link = connected()
    transfer = link.low(until_applied=True)
    entering = asyncio.create_task(transfer.__aenter__())
    await settle()
    assert not entering.done()  # waiting for a word that does not come
    await asyncio.wait_for(entering, timeout=5)  # given up after the update's timeout
    await transfer.__aexit__(None, None, None)
    assert band.asked == ["low", "high"]  # the high request did not wait for a word either

    again = link.low(until_applied=True)
    entering = asyncio.create_task(again.__aenter__())
    await settle()
    assert entering.done()  # not waited for again on this connection
    assert band.asked == ["low", "high", "low"]
    await again.__aexit__(None, None, None)

    link.connection_made()  # a new connection: the band may answer this time
    await link.ask_low()
    waiting = asyncio.create_task(link.ask_high())
    await settle()
    assert not waiting.done()
    link.status_received(APPLIED)
    await waiting


async def test_a_lost_connection_ends_the_wait_and_rests_nothing() -> None:
    band, link = connected()
    transfer = link.low(until_applied=True)
    entering = asyncio.create_task(transfer.__aenter__())
    await settle()
    assert not entering.done()
    link.connection_lost()
    await entering
    await transfer.__aexit__(None, None, None)
    assert band.asked == ["low"]


async def test_a_failed_request_for_high_latency_is_not_an_error() -> None:
    band, link = connected()
    await link.ask_low()
    link.status_received(APPLIED)
    band.fail_with = BleakError("link gone")
    await link.ask_high()  # logged, not raised: the work before it is done
    band.fail_with = None
    await link.ask_high()  # still low as far as the band knows: asked again
    assert band.asked == ["low", "high"]
