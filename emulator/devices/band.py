"""An emulated Mi Band 1S (and 1 / 1A): authentication by user info, pairing by a tap, heart rate.

It behaves as docs/protocols/mi-band-1.md describes the real band, failures included:
- FF04 takes the 20-byte user-info record; a record with a wrong checksum is refused (06), a user
  id the band has not seen asks for a tap (06, then 13 while it vibrates) and succeeds with 15 once
  tapped; a known user id is accepted at once (05);
- every new connection starts unauthenticated, with no subscriptions and no realtime steps;
- its link starts at the central's parameters (`band_air.BAND_TIMING`) and keeps them: in Mi
  Fit's capture the band never asked for others by itself;
- FF09 makes the band ask for new connection parameters: the write is answered at once, the link
  runs with the requested interval and supervision timeout from the update's instant (`Link.
  request_parameter_update`: about ten events at the old interval), and then FF03 notifies 04 and
  08 (Gadgetbridge's account, its commit 367091587; Mi Fit never wrote FF09 in its capture, so
  none of this is captured: unverified). An FF09 read gives the band's preferred parameters, then
  the link's current interval and the band's advertising interval, as the Mi Band 1 answered Mi
  Fit (460-500, latency 0, 700, then 39: the phone's interval, then 2400);
- starting the optical sensor (2A39 `15 02 01` or `15 01 01`) stalls the band for about 1.3 s: a
  link still on Linux's 420 ms supervision timeout drops with reason 0x08, and so does a band whose
  date and time were not set in this connection (docs/protocols/mi-band-1.md, section 4.1's second
  explanation); otherwise a manual measurement notifies its value on 2A37 about 10 s after the
  command;
- its notifications fill each connection event, up to 17 (the activity transfer of Mi Fit's
  capture);
- its clock runs from what FF0A was last set to; its activity memory (`band_memory`) goes out on
  FF07 after FF05 `06`, block by block, each deleted once acknowledged with its own count; it
  sends the next header without waiting for an acknowledgement (`waits_between_blocks` models
  the other possibility: see `band_memory`);
- it holds three alarms (FF05 `04`, `band_alarms`) and rings them by its clock, connected or not:
  the motor runs and, to a connected central, FF03 says 11 (10 for a smart alarm);
- running flat (`run_flat`) loses its clock and its alarms.

Its services, attribute tables and advertisement are `band_air`'s. The checksum code is written
here independently of the integration's, on purpose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
import time

from ..link.gatt import Characteristic
from ..link.peripheral import Connection, Peripheral
from ..link.timing import CONNECTION_TIMEOUT, UNIT_INTERVAL, LinkTiming, interval_of_units
from .band_air import (
    ACTIVITY_DATA,
    ALERT_LEVEL,
    BAND_TIMING,
    BATTERY,
    CONTROL_POINT,
    DATE_TIME,
    DEVICE_INFO,
    HEART_RATE_CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    LE_PARAMS,
    NOTIFICATION,
    REALTIME_STEPS,
    USER_INFO,
    band_advertisement,
    band_layout,
    band_services,
    vendor_first_services,
)
from .band_alarms import AlarmClock, Ring
from .band_memory import ActivityMemory, PendingBlock, date_bytes

_LOGGER = logging.getLogger(__name__)


# FF03 codes the band sends.
AUTH_OK, AUTH_FAILED, LATENCY_SET, WAITING_FOR_TAP, TAPPED = 0x05, 0x06, 0x08, 0x13, 0x15
CONNECTION_PARAMETERS_OK = 0x04
SMART_ALARM_RANG, ALARM_RANG = 0x10, 0x11  # the motor events of section 3.8
SYNC_CANCELLED = 0x18  # seen after FF05 `11` (MiBandService's comment)
PACKET_COUNTER_PROFILE = (2, 0, 7, 0)

# What the Mi Band 1 of Mi Fit's capture read back from FF09 for itself: 460-500 x 1.25 ms
# (575-625 ms), latency 0, 700 x 10 ms; and its advertising interval, 2400 x 0.625 ms (1.5 s).
# The same for the 1S and 1A, of which no FF09 read was captured (unverified). Whether the fourth
# word is the band's wish or the link's timeout (both were 700 there) is not captured either.
PREFERRED_PARAMETERS = (460, 500, 0, 700)
ADVERTISING_INTERVAL_UNITS = 2400

SENSOR_START_STALL = 1.3  # s the band goes quiet when its optical sensor starts (Mi Fit's trace)
MANUAL_MEASUREMENT_TIME = 10.0  # s from the command to the value
CONTINUOUS_PERIOD = 5.0  # s between continuous values (not documented; a plausible figure)


def _crc8_table() -> tuple[int, ...]:
    table = []
    for value in range(256):
        crc = value
        for _ in range(8):
            crc = (crc >> 1) ^ (0x8C if crc & 1 else 0)
        table.append(crc)
    return tuple(table)


_CRC8_TABLE = _crc8_table()


def _crc8_maxim(data: bytes) -> int:
    """CRC-8/MAXIM by table: x^8 + x^5 + x^4 + 1, reflected."""
    crc = 0
    for byte in data:
        crc = _CRC8_TABLE[crc ^ byte]
    return crc


def _version_bytes(version: str) -> bytes:
    """The little-endian word the band stores for a version such as 4.16.4.22."""
    return bytes(int(part) for part in reversed(version.split(".")))


@dataclass(slots=True)
class BandFaults:
    """Misbehaviour to inject."""

    reject_users: bool = False  # answer every user-info write with 06 and never take a tap
    # Drop the link (0x08) once, when the central reaches this step: ("read" | "write" |
    # "subscribe", characteristic UUID). Cleared when it fires, so the next connection succeeds.
    drop_at: tuple[str, str] | None = None
    # Go out of radio range once, at a step given as for `drop_at`: the link times out (0x08)
    # and connects fail until `return_to_range()`. Cleared when it fires.
    leave_range_at: tuple[str, str] | None = None
    refuse_parameter_update: bool = False  # FF09 leaves the link as it is (FF03 says 03)
    # Spoil the next activity block once, then clear: "cut" drops the link halfway through its
    # data, "garbage" sends a header that cannot be one, "overlong" sends more data than the
    # header says, "short" announces more minutes than follow.
    activity: str | None = None


@dataclass(slots=True)
class _ConnectionState:
    """What the band forgets when a connection ends."""

    authenticated: bool = False
    pending_user_id: int | None = None  # vibrating for a tap to accept this user id
    date_set: bool = False
    realtime_steps: bool = False
    continuous: bool = False
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    transfer: list[PendingBlock] | None = None  # blocks still to send, after FF05 `06`
    unacknowledged: list[PendingBlock] = field(default_factory=list)  # sent, in order
    end_sent: bool = False  # the transfer's closing header is out
    packet_counter: int = 0


@dataclass(slots=True)
class BandActivity:
    """What the band has measured and counts."""

    heart_rate: int = 72  # what the next measurement reads; 0 = no reading
    # If set, each measurement reads its value from here instead (a living band for develop).
    next_heart_rate: Callable[[], int] | None = None
    steps: int = 1234
    battery: int = 82
    charge_cycles: int = 14
    battery_status: int = 0  # 0 normal, 1 low, 2 charging, 3 full, 4 not charging


class MiBand(Peripheral):
    """A Mi Band 1S on air (or, with other device info, a 1 / 1A)."""

    def __init__(
        self,
        address: str = "C8:0F:10:3C:7E:51",
        name: str = "MI1S",
        *,
        firmware: str = "4.16.4.22",
        heart_rate_firmware: str | None = "1.3.76.22",
        feature: int = 4,
        hardware: int = 4,
        profile: str = "2.0.6.0",
        timing: LinkTiming | None = None,
    ) -> None:
        """A band at rest that has never met this central."""
        layout = band_layout(feature, hardware)
        super().__init__(
            address,
            band_advertisement(address, name),
            band_services(layout),
            timing=timing or BAND_TIMING,
        )
        self.layout = layout
        self.firmware = firmware
        self.heart_rate_firmware = heart_rate_firmware
        self.feature, self.hardware = feature, hardware
        self.profile = profile
        self.activity = BandActivity()
        self.memory = ActivityMemory()
        # Whether the next block waits for the last one's acknowledgement: not captured either way
        # (docs/protocols/mi-band-1.md, section 3.7); the capture's closing header did not wait.
        self.waits_between_blocks = False
        self.faults = BandFaults()
        self.known_user_ids: set[int] = set()
        self.auto_tap_after: float | None = None  # model seconds; None: wait for `tap()`
        self.vibrations: list[bytes] = []  # every vibration command, for tests
        self.control_commands: list[bytes] = []  # every FF05 write
        self.heart_rate_commands: list[bytes] = []  # every 2A39 write
        self.clock: datetime | None = None  # what FF0A was last set to
        self._clock_set_at = 0.0  # time.monotonic() then: the clock runs in wall time
        # How far its clock runs ahead of what it was last given: the Mi Band 1 of Mi Fit's
        # capture read back 36 s ahead of the date just written, in both connections.
        self.clock_ahead = timedelta()
        self.alarms = AlarmClock(self.now, self._on_alarm)
        # What FF09 reads back before the link's interval: the last parameters written to it
        # (unverified: no capture reads FF09 after a write), else the band's own.
        self.preferred_parameters = PREFERRED_PARAMETERS
        self._session = _ConnectionState()

    # -- what a wearer does -----------------------------------------------------------------------

    @property
    def authenticated(self) -> bool:
        """Whether the current central has authenticated."""
        return self._session.authenticated

    @property
    def waiting_for_tap(self) -> bool:
        """Whether the band vibrates, asking its wearer to confirm a new central."""
        return self._session.pending_user_id is not None

    def tap(self) -> bool:
        """Tap the band; returns whether that confirmed a pairing."""
        user_id = self._session.pending_user_id
        if user_id is None or self.connection is None:
            return False
        self._session.pending_user_id = None
        self.known_user_ids.add(user_id)
        self._session.authenticated = True
        self.notify(NOTIFICATION, bytes((TAPPED,)))
        return True

    def _auto_tap(self) -> None:
        self.tap()

    def factory_reset(self) -> None:
        """Forget every central: the next user-info write asks for a tap again."""
        self.known_user_ids.clear()

    def update_firmware(self, firmware: str) -> None:
        """Install another firmware: the band restarts with a new attribute table.

        Xiaomi's vendor service (FEE7) now comes ahead of MiLi, so every handle of the services
        the protocol uses moves.
        """
        self.firmware = firmware
        self.restart_with(vendor_first_services(self.layout))

    def set_clock(self, moment: datetime) -> None:
        """Set the band's clock, as FF0A does (or a wearer's own app); alarms follow it."""
        self.clock, self._clock_set_at = moment, time.monotonic()
        self.alarms.reschedule(clock_changed=True)

    def run_flat(self) -> None:
        """The battery runs out and is charged again: the band restarts without time or alarms."""
        self.drop_link(CONNECTION_TIMEOUT)
        self.clock = None
        self.alarms.forget()

    def stop_timers(self) -> None:
        """No alarm rings any more."""
        self.alarms.stop()

    def now(self) -> datetime | None:
        """What the band's clock reads now; None until it was first set."""
        if self.clock is None:
            return None
        elapsed = timedelta(seconds=time.monotonic() - self._clock_set_at)
        return self.clock + self.clock_ahead + elapsed

    @property
    def with_heart_rate(self) -> bool:
        """Whether its minutes carry a heart-rate byte (the 1S's)."""
        return self.heart_rate_firmware is not None

    def walk(self, steps: int) -> None:
        """Take steps; realtime step notifications follow if a central asked for them."""
        self.activity.steps += steps
        if self._session.realtime_steps:
            self.notify(REALTIME_STEPS, self.activity.steps.to_bytes(2, "little"))

    def set_battery(self, level: int, status: int = 0) -> None:
        """Change the battery level; the band notifies it."""
        self.activity.battery, self.activity.battery_status = level, status
        self.notify(BATTERY, self._battery_record())

    # -- GATT behaviour ---------------------------------------------------------------------------

    async def on_connect(self, connection: Connection) -> None:
        """A new central: nothing of the last connection survives."""
        self._session = _ConnectionState()

    def on_disconnect(self, reason: int) -> None:
        """Stop whatever the sensor was doing for the central that left."""
        for handle in self._session.timers:
            handle.cancel()
        self._session = _ConnectionState()

    async def on_read(self, char: Characteristic) -> bytes:
        """Answer the characteristics the protocol reads."""
        self._drop_if_due("read", char)
        if char.uuid == DEVICE_INFO:
            return self._device_info()
        if char.uuid == BATTERY:
            return self._battery_record()
        if char.uuid == REALTIME_STEPS:
            return self.activity.steps.to_bytes(2, "little")
        if char.uuid == LE_PARAMS:
            return self._le_params()
        if char.uuid == DATE_TIME:
            # The date last written, then the band's own clock (Mi Fit's capture).
            now = self.now()
            written = date_bytes(self.clock) if self.clock is not None else bytes(6)
            return written + (date_bytes(now) if now is not None else bytes(6))
        return char.value

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        """Act on a write as the band does."""
        char.value = data
        if self._drop_if_due("write", char):
            return
        handler = {
            USER_INFO: self._on_user_info,
            LE_PARAMS: self._on_le_params,
            DATE_TIME: self._on_date_time,
            CONTROL_POINT: self._on_control_point,
            HEART_RATE_CONTROL_POINT: self._on_heart_rate_command,
            ALERT_LEVEL: self._on_alert,
        }.get(char.uuid)
        if handler is not None:
            await handler(data)

    async def _on_user_info(self, data: bytes) -> None:
        if (
            len(data) != 20
            or _crc8_maxim(data[:19]) ^ int(self.address[-2:], 16) != data[19]
            or self.faults.reject_users
        ):
            self.notify(NOTIFICATION, bytes((AUTH_FAILED,)))
            return
        user_id = int.from_bytes(data[:4], "little")
        if user_id in self.known_user_ids:
            self._session.authenticated = True
            self.notify(NOTIFICATION, bytes((AUTH_OK,)))
            return
        self._session.pending_user_id = user_id
        self.notify(NOTIFICATION, bytes((AUTH_FAILED,)))
        self.notify(NOTIFICATION, bytes((WAITING_FOR_TAP,)))
        if self.auto_tap_after is not None and self.connection is not None:
            self._later(self.connection, self.auto_tap_after, self._auto_tap)

    async def _on_le_params(self, data: bytes) -> None:
        if len(data) != 12 or self.connection is None:
            return
        if self.faults.refuse_parameter_update:
            self.notify(NOTIFICATION, b"\x03")
            return
        words = [int.from_bytes(data[n : n + 2], "little") for n in range(0, 12, 2)]
        self.preferred_parameters = (words[0], words[1], words[2], words[3])
        # The central's choice in the range asked: its middle (unverified).
        interval = interval_of_units((words[0] + words[1]) / 2)
        timeout = words[3] / 100
        link = self.connection.link

        def apply(instant: float) -> None:
            # The band learns that the update succeeded only once it has taken effect.
            link.update_parameters(interval=interval, supervision_timeout=timeout, at=instant)
            self.notify(NOTIFICATION, bytes((CONNECTION_PARAMETERS_OK,)))
            self.notify(NOTIFICATION, bytes((LATENCY_SET,)))

        link.request_parameter_update(apply)

    async def _on_date_time(self, data: bytes) -> None:
        if len(data) >= 6:
            self.set_clock(datetime(2000 + data[0], data[1] + 1, *data[2:6]))
            self._session.date_set = True

    async def _on_control_point(self, data: bytes) -> None:
        self.control_commands.append(data)
        if data[:1] == b"\x03":
            self._session.realtime_steps = data[1:2] == b"\x01"
        elif data[:1] in (b"\x08", b"\x13"):
            self.vibrations.append(data)
        elif data[:1] == b"\x04":
            self.alarms.set(data)
        elif data == b"\x06":
            session = self._session
            session.transfer, session.unacknowledged = self.memory.blocks(), []
            session.end_sent = False
            self._send_blocks_after_the_response()
        elif data[:1] == b"\x0a" and len(data) == 9:
            self._on_acknowledgement(data)
        elif data == b"\x11" and self._session.transfer is not None:
            self._session.transfer, self._session.unacknowledged = None, []
            self.notify(NOTIFICATION, bytes((SYNC_CANCELLED,)), in_reply=True)

    # -- the activity transfer --------------------------------------------------------------------

    def _on_acknowledgement(self, ack: bytes) -> None:
        """Acknowledgements come in the order the blocks went out; the last one is the end's."""
        session = self._session
        if session.transfer is None:
            return
        if not session.unacknowledged:
            if session.end_sent:  # the closing header's: the transfer is over
                session.transfer = None
            return
        self.memory.acknowledge(session.unacknowledged.pop(0), ack)
        if self.waits_between_blocks and session.transfer and not session.unacknowledged:
            self._send_blocks_after_the_response()

    def _send_blocks_after_the_response(self) -> None:
        """Send once the write that asked for it is answered (`Peripheral.after_response`)."""
        self.after_response(self._send_blocks)

    def _send_blocks(self) -> None:
        """Hand blocks to the link in one go, as the band queues them (`Link.one_moment`)."""
        if self.connection is None:
            self._send_each_block()
            return
        with self.connection.link.one_moment():
            self._send_each_block()

    def _send_each_block(self) -> None:
        """Every block left and the closing header, or one block if the band waits between them.

        The closing header follows the last block's data at once, not its acknowledgement (Mi
        Fit's capture of a Mi Band 1). A block spoilt by an injected fault is the last one sent.
        """
        session = self._session
        while session.transfer:
            block = session.transfer.pop(0)
            remaining = block.count + sum(later.count for later in session.transfer)
            if not self._send_block(block, remaining):
                return
            if self.waits_between_blocks and session.transfer:
                return
        if session.transfer is not None:
            self._send_end_header()

    def _send_block(self, block: PendingBlock, remaining: int) -> bool:
        """One block's header and data; False if a fault spoilt it.

        `remaining` is what the header's total says: this block's minutes and those after it.
        """
        session, faults = self._session, self.faults
        session.unacknowledged.append(block)
        data = self.memory.block_data(block, self.with_heart_rate)
        fault, faults.activity = faults.activity, None
        if fault == "garbage":
            self._notify_activity(bytes((0x07,)) + block.date + bytes(4))
            return False
        announced = block.count + (5 if fault == "short" else 0)
        self._notify_activity(self._header(block.date, remaining, announced))
        if fault == "overlong":
            data += bytes(len(data) % 20 or 20)
        packets = self._packets(data)
        for index, packet in enumerate(packets):
            cut = fault == "cut" and index == len(packets) // 2
            self._notify_activity(packet, self._drop_now if cut else None)
            if cut:
                return False
        return fault is None

    def _send_end_header(self) -> None:
        if self._session.end_sent:
            return
        self._session.end_sent = True
        now = self.now() or datetime(2000, 1, 1)
        self._notify_activity(self._header(date_bytes(now), 0, 0))

    def _drop_now(self) -> None:
        if self.connection is not None:
            self.connection.close(CONNECTION_TIMEOUT)

    @staticmethod
    def _header(date: bytes, total: int, count: int) -> bytes:
        return b"\x01" + date + total.to_bytes(2, "little") + count.to_bytes(2, "little")

    def _packets(self, data: bytes) -> list[bytes]:
        """The notifications a block's data goes out in."""
        if tuple(int(part) for part in self.profile.split(".")) < PACKET_COUNTER_PROFILE:
            return [data[n : n + 20] for n in range(0, len(data), 20)]
        size = 16 if self.with_heart_rate else 18
        packets = []
        for n in range(0, len(data), size):
            counter = self._session.packet_counter
            self._session.packet_counter = (counter + 1) & 0xFF
            packets.append(bytes((counter,)) + data[n : n + size])
        return packets

    def _notify_activity(self, data: bytes, then: Callable[[], None] | None = None) -> None:
        self.notify(ACTIVITY_DATA, data, in_reply=True, then=then)

    async def _on_alert(self, data: bytes) -> None:
        self.vibrations.append(data)

    def _on_alarm(self, ring: Ring) -> None:
        """An alarm goes off: the motor runs; a connected central hears of it on FF03."""
        _LOGGER.debug("%s: alarm %d rings at %s", self.address, ring.slot, ring.at)
        self.notify(NOTIFICATION, bytes((SMART_ALARM_RANG if ring.smart else ALARM_RANG,)))

    async def _on_heart_rate_command(self, data: bytes) -> None:
        self.heart_rate_commands.append(data)
        if len(data) != 3 or data[0] != 0x15 or not self._session.authenticated:
            return
        mode, on = data[1], data[2] == 1
        if mode == 1:
            self._session.continuous = on
        if not on or mode == 0:
            return
        connection = self.connection
        if connection is None:
            return
        if not self._session.date_set:
            # The notes' secondary explanation: the band resets when its sensor starts in a
            # session that never set the clock. From the central's side: silence, then 0x08.
            connection.link.stall(max(SENSOR_START_STALL, connection.link.supervision_timeout))
        else:
            connection.link.stall(SENSOR_START_STALL)
        # The write response waits for the stall: this handler returns once it is over, or
        # fails the central's write if the link does not survive it.
        link = connection.link
        await connection.until(link.now() + SENSOR_START_STALL)
        self._later(connection, MANUAL_MEASUREMENT_TIME - SENSOR_START_STALL, self._measured)

    def _measured(self) -> None:
        source = self.activity.next_heart_rate
        bpm = self.activity.heart_rate if source is None else source()
        self.notify(HEART_RATE_MEASUREMENT, bytes((0x06, bpm & 0xFF)))
        if self._session.continuous and self.connection is not None:
            self._later(self.connection, CONTINUOUS_PERIOD, self._measured)

    def on_subscription(self, char: Characteristic, enabled: bool) -> None:
        """A CCCD write: the fault hook may drop the link here."""
        if enabled:
            self._drop_if_due("subscribe", char)

    # -- helpers ----------------------------------------------------------------------------------

    def _drop_if_due(self, operation: str, char: Characteristic) -> bool:
        """Drop the link if an injected fault waits for this step; True if it did."""
        step, faults = (operation, char.uuid), self.faults
        if self.connection is None or step not in (faults.drop_at, faults.leave_range_at):
            return False
        if faults.leave_range_at == step:
            faults.leave_range_at = None
            self.leave_range()
        else:
            faults.drop_at = None
            self.connection.close(CONNECTION_TIMEOUT)
        return True

    def _later(self, connection: Connection, delay: float, action: Callable[[], None]) -> None:
        """Run `action` after `delay` model seconds, unless this connection ends first."""
        link = connection.link
        self._session.timers.append(link.call_at(link.now() + delay, action))

    def _le_params(self) -> bytes:
        """FF09 as read: the parameters the band wants, the link's interval, its advertising's."""
        connection = self.connection
        interval = 0 if connection is None else round(connection.link.interval / UNIT_INTERVAL)
        words = (*self.preferred_parameters, interval, ADVERTISING_INTERVAL_UNITS)
        return b"".join(word.to_bytes(2, "little") for word in words)

    def _device_info(self) -> bytes:
        mac = bytes.fromhex(self.address.replace(":", ""))
        device_id = bytearray((mac[0], mac[3], mac[4], mac[5], self.feature, 0, self.hardware))
        device_id.append(_crc8_maxim(bytes(device_id)) ^ device_id[3])
        info = bytes(device_id) + _version_bytes(self.profile) + _version_bytes(self.firmware)
        if self.heart_rate_firmware is not None:
            info += _version_bytes(self.heart_rate_firmware)
        return info

    def _battery_record(self) -> bytes:
        activity = self.activity
        charged = date_bytes(datetime(2026, 11, 1, 8, 30, 0))
        return (
            bytes((activity.battery,))
            + charged
            + activity.charge_cycles.to_bytes(2, "little")
            + bytes((activity.battery_status,))
        )
