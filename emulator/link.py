"""The radio link's timing model.

A BLE connection exchanges data only at connection events, one every connection interval. The model
lets one PDU cross per event and direction, with an ATT MTU of 23 (20 bytes of payload per write or
notification). A request and its response cannot share an event: the response comes in the next
event at the earliest. A peripheral that stalls misses events; if it misses them for the whole
supervision timeout, the central declares the link lost (HCI reason 0x08).

New connection parameters asked for by the peripheral take effect as Bluetooth has it: an L2CAP
Connection Parameter Update Request to the central, its response and the central's
LL_CONNECTION_UPDATE_IND back (one PDU each, in the events the model gives them), then the update's
instant, `UPDATE_INSTANT_EVENTS` events later at the old interval. Until the instant, everything
runs at the old parameters.

Times inside the model are in model seconds since the link came up; `time_scale` converts them to
wall-clock seconds on the event loop, so tests run fast and benchmarks run faithful.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
import math

# HCI disconnect reasons (Bluetooth Core, Vol 1 Part F).
CONNECTION_TIMEOUT = 0x08
REMOTE_USER_TERMINATED = 0x13
LOCAL_HOST_TERMINATED = 0x16

# Linux's default LE supervision timeout: 42 x 10 ms (hci_alloc_dev).
LINUX_SUPERVISION_TIMEOUT = 0.42
# Events from the LL_CONNECTION_UPDATE_IND to its instant: the Core specification asks the central
# to allow the peripheral at least 6 (Vol 6, Part B, 5.1.1), which is what Zephyr's controller
# takes (instant = event counter + peripheral latency + 6).
UPDATE_INSTANT_EVENTS = 6


class Direction(Enum):
    """Which way a PDU crosses the link."""

    TO_PERIPHERAL = "to_peripheral"
    TO_CENTRAL = "to_central"


@dataclass(frozen=True, slots=True)
class LinkTiming:
    """The parameters a link starts with."""

    connection_interval: float = 0.030
    att_mtu: int = 23
    connect_time: float = 0.25
    supervision_timeout: float = LINUX_SUPERVISION_TIMEOUT
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        """Reject parameters that would make the model meaningless."""
        if self.time_scale <= 0 or self.connection_interval <= 0:
            raise ValueError("time_scale and connection_interval must be positive")

    @property
    def payload_per_pdu(self) -> int:
        """Bytes of attribute value one write or notification carries."""
        return self.att_mtu - 3

    def pdus_for(self, size: int) -> int:
        """How many PDUs a value of this size needs (at least one, even when empty)."""
        return max(1, math.ceil(size / self.payload_per_pdu))

    def chop(self, stream: bytes) -> list[bytes]:
        """Cut a byte stream into the notifications that carry it, one PDU's payload each."""
        size = self.payload_per_pdu
        return [stream[at : at + size] for at in range(0, len(stream), size)]


class Link:
    """The timing of one open connection."""

    def __init__(self, timing: LinkTiming, on_supervision_timeout: Callable[[], None]) -> None:
        """Open the link now; `on_supervision_timeout` is called if the peripheral goes silent."""
        self._loop = asyncio.get_running_loop()
        self._scale = timing.time_scale
        self._wall_origin = self._loop.time()
        self.interval = timing.connection_interval
        self.supervision_timeout = timing.supervision_timeout
        # Events fall at _event_origin + k * interval; a parameter update moves the origin.
        self._event_origin = 0.0
        self._free_from = dict.fromkeys(Direction, 0.0)
        self._silent_until = 0.0
        self._on_supervision_timeout = on_supervision_timeout
        self._timeout_handle: asyncio.TimerHandle | None = None
        self._pending: set[asyncio.TimerHandle] = set()  # scheduled deliveries and actions
        # (model moment of the peripheral's L2CAP request, the update's instant), per request.
        self.parameter_requests: list[tuple[float, float]] = []

    def now(self) -> float:
        """Model seconds since the link came up."""
        return (self._loop.time() - self._wall_origin) / self._scale

    def reserve(self, direction: Direction, pdus: int, earliest: float | None = None) -> float:
        """Book connection events for `pdus` PDUs and return when the last one has crossed."""
        moment = max(self.now() if earliest is None else earliest, self._free_from[direction])
        moment = max(moment, self._silent_until)
        last = moment
        for _ in range(pdus):
            last = self._next_event(moment)
            moment = last + self.interval
        self._free_from[direction] = moment
        return last

    async def wait_until(self, moment: float) -> None:
        """Sleep until the given model time."""
        delay = (moment - self.now()) * self._scale
        if delay > 0:
            await asyncio.sleep(delay)

    def call_at(self, moment: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """Run a callback at the given model time, unless the link closes first."""

        def run() -> None:
            self._pending.discard(handle)
            callback()

        handle = self._loop.call_at(self._wall_origin + moment * self._scale, run)
        self._pending.add(handle)
        return handle

    def stall(self, duration: float) -> bool:
        """Make the peripheral miss connection events for `duration` model seconds.

        Returns True when the stall outlasts the supervision timeout: the link will then be
        declared lost after that timeout, as a central does (HCI reason 0x08).
        """
        now = self.now()
        self._silent_until = max(self._silent_until, now + duration)
        if duration >= self.supervision_timeout:
            if self._timeout_handle is None:
                self._timeout_handle = self.call_at(
                    now + self.supervision_timeout, self._on_supervision_timeout
                )
            return True
        return False

    def request_parameter_update(self, on_instant: Callable[[float], None]) -> None:
        """The peripheral asks for new parameters; `on_instant(instant)` runs when they apply.

        Asked from a request's handler: the request PDU leaves after the reply to that request
        (booked first, as the handler returns), then the central's two PDUs, then the instant.
        """

        def ask() -> None:
            asked = self.reserve(Direction.TO_CENTRAL, 1)
            indicated = self.reserve(Direction.TO_PERIPHERAL, 2, asked + self.interval)
            instant = indicated + UPDATE_INSTANT_EVENTS * self.interval
            self.parameter_requests.append((asked, instant))
            self.call_at(instant, lambda: on_instant(instant))

        self.call_at(self.now(), ask)

    def update_parameters(
        self,
        *,
        interval: float | None = None,
        supervision_timeout: float | None = None,
        at: float | None = None,
    ) -> None:
        """Apply a connection parameter update from the event at `at` (default: the next one)."""
        if interval is not None:
            origin = self._next_event(self.now()) if at is None else self._next_event(at)
            old = self.interval
            # A direction booked on the old grid past the update is free at the new grid's
            # events: the next PDU goes at the first new event after the last one booked.
            for direction, free in self._free_from.items():
                last = free - old
                moved = last + interval if last >= origin else min(free, origin)
                self._free_from[direction] = moved
            self._event_origin = origin
            self.interval = interval
        if supervision_timeout is not None:
            self.supervision_timeout = supervision_timeout

    def close(self) -> None:
        """Stop the link's timers: nothing scheduled on a closed link happens any more."""
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()
            self._timeout_handle = None

    def reply_event(self) -> float:
        """The earliest event a reply can use: the one after the event that carried the request.

        Measured from the event in progress, not from the wall clock's "now", which runs a little
        past the event by the time Python has handled the request (a reply computed as now +
        interval would skip an event it may use).
        """
        since_origin = self.now() - self._event_origin
        if since_origin <= 0:
            return self._event_origin + self.interval
        current = (
            self._event_origin + math.floor(since_origin / self.interval + 1e-9) * self.interval
        )
        return current + self.interval

    def _next_event(self, moment: float) -> float:
        if moment <= self._event_origin:
            return self._event_origin
        events = math.ceil((moment - self._event_origin) / self.interval - 1e-9)
        return self._event_origin + events * self.interval
