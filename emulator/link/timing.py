"""The radio link's timing model.

A BLE connection exchanges data only at connection events, one every connection interval. The
central sends one PDU per event; the peripheral sends up to `LinkTiming.peripheral_pdus_per_event`
in the same event (notifications and responses alike), with an ATT MTU of 23 (20 bytes of payload
per write or notification). A request and its response cannot share an event: the response comes
in the next event at the earliest. A peripheral that stalls misses events; if it misses them for
the whole supervision timeout, the central declares the link lost (HCI reason 0x08). Peripheral
latency is 0 throughout, as in every capture (Android's and Linux's connections, the band's FF09).

What the captures show (protocol_tests/test_captures_band.py): a Mi Band 1 on Mi Fit's Android phone
ran at the central's parameters from LE Connection Complete (48.75 ms, latency 0, 7 s supervision
timeout) and never asked for others by itself; in its activity transfer it filled each 48.75 ms
event with up to 17 notifications (16 beside a response). Of the central's side they show no more
than one PDU per event (Mi Fit's writes are requests, answered one at a time). Linux's kernel asked
a 1S for 50-70 ms and a 420 ms supervision timeout, which its sensor's start outlasted.

New connection parameters asked for by the peripheral take effect as the Bluetooth Core
specification has it (no capture has an update: unverified on any real central): an L2CAP
Connection Parameter Update Request to the central, its response and the central's
LL_CONNECTION_UPDATE_IND back (one PDU each, in the events the model gives them), then the
update's instant, `UPDATE_INSTANT_EVENTS` events later at the old interval. Until the instant,
everything runs at the old parameters.

Times inside the model are in model seconds since the link came up; `time_scale` converts them to
wall-clock seconds on the event loop, so tests run fast and benchmarks run faithful.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
import math

# HCI disconnect reasons (Bluetooth Core, Vol 1 Part F).
CONNECTION_TIMEOUT = 0x08
REMOTE_USER_TERMINATED = 0x13
LOCAL_HOST_TERMINATED = 0x16

# Linux's default LE supervision timeout: 42 x 10 ms (hci_alloc_dev), as its kernel asked a 1S for
# it in so37779288 (kernel 4.4), with 40-56 x 1.25 ms: 50-70 ms. Which interval in that range the
# controller chose, the hcidump did not print.
LINUX_SUPERVISION_TIMEOUT = 0.42
LINUX_CONNECTION_INTERVAL_UNITS = (40, 56)
# Mi Fit's Android phone, from LE Connection Complete (mibanda_mi_fit_2014): 39 x 1.25 ms, 700 x 10
# ms, in both of its connections.
ANDROID_CONNECTION_INTERVAL = 0.04875
ANDROID_SUPERVISION_TIMEOUT = 7.0
# The most notifications a Mi Band 1 put in one connection event of that phone's link: 237 of its
# activity in 15 consecutive events, 17 in most (16 beside a response, 2 in the last). With an
# Android central; unverified for an ESP32 proxy or a BlueZ adapter, whose controllers may close
# an event sooner.
MI_BAND_PDUS_PER_EVENT = 17
# Events from the LL_CONNECTION_UPDATE_IND to its instant: the Core specification asks the central
# to allow the peripheral at least 6 (Vol 6, Part B, 5.1.1), which is what Zephyr's controller
# takes (instant = event counter + peripheral latency + 6). No capture has an update: unverified.
UPDATE_INSTANT_EVENTS = 6
UNIT_INTERVAL = 0.00125  # s: connection intervals count in 1.25 ms
# One exchange inside an event at 1 Mbit/s: the central's empty PDU (80 us), 150 us, the
# peripheral's 27-byte one (296 us), 150 us (Core, Vol 6 Part B, 2.1 and 4.1.1). The Mi Band 1's
# 17 notifications spanned 12-15 ms of the host's time stamps in Mi Fit's capture.
PDU_EXCHANGE_TIME = 0.000676
# Two model moments this close are the same connection event (far below any interval, far above
# the rounding of origin + k * interval over a day of model time).
_SAME_EVENT = 1e-7


def interval_of_units(units: float) -> float:
    """A connection interval in seconds from its count of 1.25 ms."""
    return units * UNIT_INTERVAL


class Direction(Enum):
    """Which way a PDU crosses the link."""

    TO_PERIPHERAL = "to_peripheral"
    TO_CENTRAL = "to_central"


@dataclass(frozen=True, slots=True)
class LinkTiming:
    """The parameters a link starts with.

    The defaults are the generic device's (the wheel's): a 30 ms interval, Linux's 420 ms and one
    PDU per event each way. No capture of a wheel's link has timing: unverified. The band's are
    `emulator.devices.band_air.BAND_TIMING`.
    """

    connection_interval: float = 0.030
    att_mtu: int = 23
    connect_time: float = 0.25
    supervision_timeout: float = LINUX_SUPERVISION_TIMEOUT
    time_scale: float = 1.0
    # PDUs the peripheral's side may send in one connection event (notifications and responses).
    # The central's side sends one: nothing captured shows more.
    peripheral_pdus_per_event: int = 1

    def __post_init__(self) -> None:
        """Reject parameters that would make the model meaningless."""
        if self.time_scale <= 0 or self.connection_interval <= 0:
            raise ValueError("time_scale and connection_interval must be positive")
        if self.peripheral_pdus_per_event < 1:
            raise ValueError("a connection event carries at least one PDU each way")

    @property
    def payload_per_pdu(self) -> int:
        """Bytes of attribute value one write or notification carries."""
        return self.att_mtu - 3

    def pdus_per_event(self, direction: Direction) -> int:
        """How many PDUs one connection event carries this way."""
        return self.peripheral_pdus_per_event if direction is Direction.TO_CENTRAL else 1

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
        self._moment: float | None = None  # model time held still (`one_moment`)
        self.interval = timing.connection_interval
        self.supervision_timeout = timing.supervision_timeout
        # Events fall at _event_origin + k * interval; a parameter update moves the origin.
        self._event_origin = 0.0
        self._capacity = {direction: timing.pdus_per_event(direction) for direction in Direction}
        # Per direction: the last event booked (model time) and how many PDUs it carries.
        self._last_event: dict[Direction, float | None] = dict.fromkeys(Direction)
        self._booked = dict.fromkeys(Direction, 0)
        self._silent_until = 0.0
        self._on_supervision_timeout = on_supervision_timeout
        self._timeout_handle: asyncio.TimerHandle | None = None
        self._pending: set[asyncio.TimerHandle] = set()  # scheduled deliveries and actions
        # (the event that carried the peripheral's L2CAP request, the update's instant), per
        # request, in model seconds.
        self.parameter_requests: list[tuple[float, float]] = []
        # Set to a list to record every PDU booked: (direction, the event it crosses in). Off by
        # default: a long-lived link would keep every one.
        self.trace: list[tuple[Direction, float]] | None = None

    def now(self) -> float:
        """Model seconds since the link came up (standing still inside `one_moment`)."""
        if self._moment is not None:
            return self._moment
        return (self._loop.time() - self._wall_origin) / self._scale

    @contextmanager
    def one_moment(self) -> Iterator[None]:
        """Hold model time still: what a device hands the link inside happens at one moment.

        A band's block of notifications is handed over in one go, as its firmware queues them;
        without this, the time Python takes over them (stretched 100 times at the tests' time
        scale, or on a busy machine) would spread them over several events.
        """
        outer = self._moment
        self._moment = self.now()
        try:
            yield
        finally:
            self._moment = outer

    def reserve(self, direction: Direction, pdus: int, earliest: float | None = None) -> float:
        """Book connection events for `pdus` PDUs and return when the last one has crossed.

        In order behind what this direction has booked: a PDU shares the last booked event while
        that event has room for it, or takes the first event after.
        """
        moment = max(self.now() if earliest is None else earliest, self._silent_until)
        event = crossed = self._next_event(moment)
        for _ in range(pdus):
            event = self._book(direction, event)
            crossed = event + self._offset_in_event(direction)
        return crossed

    def _book(self, direction: Direction, event: float) -> float:
        """Book one PDU at this event or the first one after it with room; return that event."""
        last = self._last_event[direction]
        if last is not None and event <= last + _SAME_EVENT:
            on_grid = abs(self._next_event(last) - last) <= _SAME_EVENT
            if on_grid and self._booked[direction] < self._capacity[direction]:
                event = last
            else:  # full, or an event of the grid before a parameter update
                event = self._next_event(last + _SAME_EVENT * 2)
        if last is not None and abs(event - last) <= _SAME_EVENT:
            self._booked[direction] += 1
        else:
            self._last_event[direction], self._booked[direction] = event, 1
        if self.trace is not None:
            self.trace.append((direction, event))
        return event

    def _offset_in_event(self, direction: Direction) -> float:
        """When the PDU booked last this way crosses, after the start of its event.

        The central speaks first in an event; the peripheral's n-th PDU follows n exchanges
        later. This also keeps the PDUs of one event in their order on the event loop, whose
        timers due at one moment may run in any order.
        """
        if direction is Direction.TO_PERIPHERAL:
            return 0.0
        spacing = min(PDU_EXCHANGE_TIME, self.interval / (self._capacity[direction] + 1))
        return self._booked[direction] * spacing

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
        The sequence is the Core specification's; no capture shows one (unverified).
        """

        def ask() -> None:
            asked = self._event_at(self.reserve(Direction.TO_CENTRAL, 1))
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
        """Apply a connection parameter update from the event at `at` (default: the next one).

        PDUs booked on the old grid past the update keep their moments; the next one goes at the
        first event of the new grid after the last one booked.
        """
        if interval is not None:
            origin = self._next_event(self.now()) if at is None else self._next_event(at)
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
        return self._event_at(self.now()) + self.interval

    def _event_at(self, moment: float) -> float:
        """The event in progress at `moment`: the last one that started (the origin, before it)."""
        since_origin = moment - self._event_origin
        if since_origin <= 0:
            return self._event_origin
        return self._event_origin + math.floor(since_origin / self.interval + 1e-9) * self.interval

    def _next_event(self, moment: float) -> float:
        if moment <= self._event_origin:
            return self._event_origin
        events = math.ceil((moment - self._event_origin) / self.interval - 1e-9)
        return self._event_origin + events * self.interval
