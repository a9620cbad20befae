"""An emulated Ninebot One C/E/E+/P: register file, a ride, answers cut as the wheel cuts them.

The wheel speaks the legacy "55 AA" protocol over the serial-style characteristic FFE1
(docs/protocols/ninebot-one.md, sections 1-3): a read request names the first register and a byte
count; the answer comes back as frames of at most three registers each, and the byte stream of those
frames is chopped into notifications of at most 20 bytes, so a frame can straddle two notifications
and one notification can end one frame and start the next.

The framing here is written independently of the integration's `ninebot.protocol`, on purpose: an
emulator that shared the decoder's code would share its mistakes.

Values are set in the units a rider's app shows (`WheelState`), and moved by an activity (a ride,
standing, a charge: `wheel_state`). Writes are obeyed for the lock (0x70) only, and only at a
standstill, as the notes recommend a controller should be approached; every write is recorded.
Which write command a variant obeys, and whether it answers, is the variant's (`NinebotOneS2`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from ..link.gatt import NOTIFY, READ, WRITE_WITHOUT_RESPONSE, Characteristic, Service
from ..link.peripheral import Advertisement, Connection, Peripheral
from ..link.timing import CONNECTION_TIMEOUT, LinkTiming
from .wheel_state import Activity, RideProfile, WheelState

UART_SERVICE = "0000ffe0-0000-1000-8000-00805f9b34fb"
UART_CHARACTERISTIC = "0000ffe1-0000-1000-8000-00805f9b34fb"

HEADER = b"\x55\xaa"
ADDRESS_ONE = 0x09
COMMAND_READ = 0x01
COMMAND_WRITE = 0x03  # the One C/E/P's write, unanswered (eucWatch's lock `55 AA 03 09 03 70 ..`)
COMMAND_WRITE_ANSWERED = 0x02  # the S2's (eucWatch's `55 AA 03 11 02 70 ..`, 9BotONE)
REGISTERS_PER_FRAME = 3  # the One never puts more than 6 data bytes in one answer frame
LOCK = 0x70


def wheel_services() -> list[Service]:
    """The One C/E/P table: one serial-style characteristic for both directions.

    docs/protocols/ninebot-one.md, section 1.1.
    """
    return [
        Service(
            UART_SERVICE,
            [Characteristic(UART_CHARACTERISTIC, (READ, WRITE_WITHOUT_RESPONSE, NOTIFY))],
        )
    ]


TRIP_TIME_REGISTER = 0xBA  # s since power-on (docs/protocols/ninebot-one.md, section 3)


def frame(
    index: int, data: bytes, *, address: int = ADDRESS_ONE, command: int = COMMAND_READ
) -> bytes:
    """One frame: 55 AA, LEN, address, command, index, data, then ~sum(LEN..data) little-endian."""
    body = bytes((len(data) + 2, address, command, index)) + data
    return HEADER + body + checksum(body)


def checksum(body: bytes) -> bytes:
    """~sum(body) & 0xFFFF, low byte first: 55 AA's and 5A A5's alike (section 2.2)."""
    return ((~sum(body)) & 0xFFFF).to_bytes(2, "little")


@dataclass(frozen=True, slots=True)
class WheelIdentity:
    """What identifies the wheel: serial number, Bluetooth PIN, firmware word."""

    serial_number: str = "N2OEA1533A4512"
    pin: str = "000000"
    firmware: int = 0x3135  # the app shows 1.3.5


def _text_words(text: str, count: int) -> list[int]:
    raw = text.encode("ascii").ljust(2 * count, b"\x00")[: 2 * count]
    return [int.from_bytes(raw[2 * n : 2 * n + 2], "little") for n in range(count)]


def u16(value: float) -> int:
    """A value as a register holds it: rounded, in 16 bits (a negative one as its complement)."""
    return round(value) & 0xFFFF


def register_file(identity: WheelIdentity, state: WheelState) -> dict[int, int]:
    """Every register the emulated wheel answers, from its identity and state.

    docs/protocols/ninebot-one.md, section 3.
    """
    total_m = round(state.total_distance * 1000)
    registers = dict.fromkeys(range(0x100), 0)
    registers.update(enumerate(_text_words(identity.serial_number, 7), start=0x10))
    registers.update(enumerate(_text_words(identity.pin, 3), start=0x17))
    live = {
        0x1A: identity.firmware,
        0x22: state.battery,
        0x25: u16(state.remaining_range * 100),
        0x26: u16(state.speed * 1000),
        0x29: total_m & 0xFFFF,
        0x2A: total_m >> 16 & 0xFFFF,
        0x32: int(state.total_ride_time) & 0xFFFF,
        0x33: int(state.total_ride_time) >> 16 & 0xFFFF,
        0x3A: int(state.trip_time) & 0xFFFF,
        0x3E: u16(state.temperature * 10),
        0x47: u16(state.voltage * 100),
        0x50: u16(state.current * 100),
        0x70: int(state.locked),
        0xB0: state.error_code,
        0xB1: state.warning_code,
        # flags: bit 11 activated, bit 1 locked, bit 0 the speed limit on
        0xB2: 0x0800 | state.locked << 1 | state.speed_limited,
        0xB4: state.battery,
        0xB5: u16(state.speed * 1000),
        0xB6: u16(state.average_speed * 1000),
        0xB7: total_m & 0xFFFF,
        0xB8: total_m >> 16 & 0xFFFF,
        0xB9: u16(state.trip_distance * 100),
        0xBA: int(state.trip_time) & 0xFFFF,
        0xBB: u16(state.temperature * 10),
        0xBC: u16(state.voltage * 100),
        0xBD: u16(state.current * 100),
        0xD2: 5,  # riding level
    }
    registers.update(live)
    return registers


def answer_frames(
    registers: dict[int, int],
    address: int,
    index: int,
    count: int,
    per_frame: int = REGISTERS_PER_FRAME,
) -> list[bytearray]:
    """The frames a One answers a read of `count` registers from `index` with."""
    frames = []
    for first in range(index, index + count, per_frame):
        data = register_bytes(registers, first, min(per_frame, index + count - first))
        frames.append(bytearray(frame(first & 0xFF, data, address=address)))
    return frames


def take_frames[T](
    buffer: bytearray, header: bytes, overhead: int, parse: Callable[[bytes], T | None]
) -> list[T]:
    """Take the whole frames `parse` accepts off `buffer`, skipping a byte past anything else.

    A frame is `header`, a length byte, then as many bytes more as the length plus `overhead`
    counts (the 55 AA and 5A A5 framings count their length differently). An incomplete frame
    stays in the buffer for the next write to finish.
    """
    taken: list[T] = []
    while (start := buffer.find(header)) >= 0 and len(buffer) >= start + 3:
        del buffer[:start]
        total = buffer[2] + overhead
        if len(buffer) < total:
            break
        parsed = parse(bytes(buffer[:total]))
        if parsed is None:
            del buffer[:1]
        else:
            taken.append(parsed)
            del buffer[:total]
    return taken


def _request(candidate: bytes) -> tuple[int, int, int, bytes] | None:
    """A 55 AA frame's address, command, index and data, if its checksum holds."""
    address, command, index, payload = candidate[3], candidate[4], candidate[5], candidate[6:-2]
    if len(candidate) >= 8 and frame(index, payload, address=address, command=command) == candidate:
        return address, command, index, payload
    return None


def register_bytes(registers: dict[int, int], index: int, count: int) -> bytes:
    """`count` registers from `index` as they go on the wire: words, low byte first."""
    words = range(index, index + count)
    return b"".join(registers[word & 0xFF].to_bytes(2, "little") for word in words)


@dataclass(slots=True)
class WheelFaults:
    """Misbehaviour to inject into the next answers."""

    garbage: bytes = b""  # put before the next answer's first frame
    corrupt_frames: int = 0  # frames sent with a wrong checksum
    lost_answers: int = 0  # read requests left unanswered
    cut_answers: int = 0  # answers whose second notification is lost, cutting a frame short
    mute: bool = False  # the controller answers nothing while the radio link stays up
    ignore_writes: bool = False  # writes are recorded but not obeyed
    unanswered_writes: bool = False  # a variant that answers writes leaves them unanswered
    # Drop the link (0x08) once, in the answer to a read of this first register: (register, k)
    # drops it as the request arrives (k = 0), or right after the k-th notification of the
    # answer has reached the central, cutting the answer short (at most after its last one).
    # Cleared when it fires, so the next connection succeeds.
    drop_at: tuple[int, int] | None = None


class NinebotOne(Peripheral):
    """A Ninebot One on air: name prefix NOE (NOC, NOP), the FFE0 service, one central at a time."""

    def __init__(
        self,
        address: str = "E0:E5:CF:00:00:01",
        name: str = "NOE002",
        *,
        identity: WheelIdentity | None = None,
        state: WheelState | None = None,
        timing: LinkTiming | None = None,
    ) -> None:
        """Create a wheel at rest with the given identity and values."""
        super().__init__(address, self.advertisement_for(name), self.services(), timing=timing)
        self.identity = identity or WheelIdentity()
        self.state = state or WheelState()
        self.activity: Activity | None = None
        self.faults = WheelFaults()
        self.reads: list[tuple[int, int]] = []  # (first register, register count) per request
        self.writes: list[bytes] = []  # every write frame received, obeyed or not
        # The clock (0xBA, s) and trip distance (km) of the first and the latest answer of the
        # latest stretch that told a central the wheel was moving: what a central can know of a
        # ride, whatever a stall of the host did to the ride between two answers. Two entries,
        # not a list: a soak of hours answers hundreds of thousands of times.
        self.answered_moving: tuple[tuple[int, float], tuple[int, float]] | None = None
        self._answered_standing = True
        self._incoming = bytearray()
        self._clock: float | None = None

    @property
    def ride(self) -> RideProfile | None:
        """The ride under way, if the wheel is being ridden."""
        return self.activity if isinstance(self.activity, RideProfile) else None

    # What sets the variants apart: overridden by `NinebotOneS2`.
    frame_address = ADDRESS_ONE
    registers_per_frame = REGISTERS_PER_FRAME
    notify_uuid = UART_CHARACTERISTIC
    # eucWatch writes the C/E/P's lock with 0x03 and its ride mode with 0x02: both are obeyed.
    # Whether the C/E/P answers a 0x02 write is not known; it is left unanswered here.
    obeyed_writes: tuple[int, ...] = (COMMAND_WRITE, COMMAND_WRITE_ANSWERED)
    answers_writes = False

    @staticmethod
    def advertisement_for(name: str) -> Advertisement:
        """What the C/E/P puts on air: its name and the FFE0 service."""
        return Advertisement.of(name, [UART_SERVICE])

    @staticmethod
    def services() -> list[Service]:
        """The C/E/P's GATT table."""
        return wheel_services()

    def start_ride(self, profile: RideProfile | None = None) -> RideProfile:
        """Start riding: from now on the values move with the profile."""
        ride = profile or RideProfile()
        self.do(ride)
        return ride

    def do(self, activity: Activity | None) -> None:
        """From now on the values move with `activity` (None: they stay as they are)."""
        self._advance()
        self.activity = activity
        self._clock = self._model_time()

    def power_cycle(self) -> None:
        """Switched off and on again: the power-on counters start from zero."""
        self._advance()
        state = self.state
        state.trip_time, state.trip_distance, state.average_speed = 0, 0.0, 0.0

    def registers(self) -> dict[int, int]:
        """The register file as it stands now."""
        self._advance()
        return register_file(self.identity, self.state)

    def _addressed_to_me(self, address: int) -> bool:
        return address == self.frame_address

    async def on_connect(self, connection: Connection) -> None:
        """A new central starts with a clean receive buffer."""
        self._incoming.clear()

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        """Collect request bytes; answer every complete, valid read request."""
        self._incoming += data
        for address, command, index, payload in self._complete_requests():
            if not self._addressed_to_me(address):
                continue  # another variant's address: the controller stays silent
            if command == COMMAND_READ and payload:
                self._answer_read(address, index, (payload[0] + 1) // 2)
            elif command in (COMMAND_WRITE, COMMAND_WRITE_ANSWERED):
                self.writes.append(frame(index, payload, address=address, command=command))
                if command in self.obeyed_writes:
                    self._obey(index, payload)
                if command == COMMAND_WRITE_ANSWERED and self.answers_writes:
                    self._answer_write(address, index)

    def _obey(self, index: int, payload: bytes) -> None:
        """Obey the lock (0x70), and only while the wheel stands; record any other write only."""
        self._advance()
        if self.faults.ignore_writes:
            return
        if index == LOCK and payload and payload[0] in (0, 1) and self.state.speed == 0:
            self.state.locked = bool(payload[0])

    def _answer_write(self, address: int, index: int) -> None:
        """Answer a 0x02 write as the 55 AA family documents it: `02 ofs bResult`, 1 for success.

        etransport/ninebot-docs' protocol wiki and py9b's WriteRegs (one byte, 0x01); for the S2
        that layout is unverified. Sent whether or not the write was obeyed.
        """
        if self.faults.mute or self.faults.unanswered_writes:
            return
        answer = frame(index, b"\x01", address=address, command=COMMAND_WRITE_ANSWERED)
        for notification in self.timing.chop(answer):
            self.notify(self.notify_uuid, notification, in_reply=True)

    def _complete_requests(self) -> list[tuple[int, int, int, bytes]]:
        """Take whole, checksum-valid frames out of the receive buffer; skip anything else."""
        return take_frames(self._incoming, HEADER, 6, _request)

    def _answer_read(self, address: int, index: int, count: int) -> None:
        self.reads.append((index, count))

        def frames() -> list[bytearray]:
            registers = self.registers()
            if index <= TRIP_TIME_REGISTER < index + count:
                self._note_answer(registers[TRIP_TIME_REGISTER])
            return answer_frames(registers, address, index, count, self.registers_per_frame)

        self._answer(index, frames)

    def _answer(self, index: int, frames: Callable[[], list[bytearray]]) -> None:
        """Send the answer to a read of `index` through the faults; `frames` only if it goes out.

        Built only then: a lost or muted answer tells the central nothing (`answered_moving`).
        """
        faults = self.faults
        drop_after = None
        if faults.drop_at is not None and faults.drop_at[0] == index:
            drop_after, faults.drop_at = faults.drop_at[1], None
            if drop_after == 0:
                self._lose_link()
                return
        if faults.mute:
            return
        if faults.lost_answers:
            faults.lost_answers -= 1
            return
        stream = bytearray(faults.garbage)
        faults.garbage = b""
        for packet in frames():
            if faults.corrupt_frames:
                faults.corrupt_frames -= 1
                packet[-2] ^= 0x01
            stream += packet
        notifications = self.timing.chop(bytes(stream))
        if faults.cut_answers and len(notifications) > 2:
            faults.cut_answers -= 1
            del notifications[1]
        if drop_after is not None:
            drop_after = min(drop_after, len(notifications))
        for number, notification in enumerate(notifications, start=1):
            then = self._lose_link if number == drop_after else None
            self.notify(self.notify_uuid, notification, in_reply=True, then=then)

    def _note_answer(self, clock: int) -> None:
        """Keep the first and latest clock and distance of the stretch told as moving."""
        if self.state.speed <= 0:
            self._answered_standing = True
            return
        told = (clock, self.state.trip_distance)
        first = (
            told
            if self._answered_standing or self.answered_moving is None
            else (self.answered_moving[0])
        )
        self.answered_moving, self._answered_standing = (first, told), False

    def _lose_link(self) -> None:
        self.drop_link(CONNECTION_TIMEOUT)

    def _model_time(self) -> float:
        return asyncio.get_running_loop().time() / self.timing.time_scale

    def _advance(self) -> None:
        if self.activity is None or self._clock is None:
            return
        now = self._model_time()
        self.activity.advance(self.state, now - self._clock)
        self._clock = now


NORDIC_UART_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NORDIC_UART_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # the central writes here
NORDIC_UART_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # the wheel notifies here
ADDRESS_ONE_S2 = 0x11
NINEBOT_COMPANY_ID = 0x424E
S2_MANUFACTURER_DATA = bytes.fromhex("1300000000ec")  # WheelLog's detectWheel, after "NB"
SPEED_S2 = 0xBE


class NinebotOneS2(NinebotOne):
    """A One S2: the same registers over the Nordic UART service, frame address 0x11.

    It advertises a name starting "N1" (eucWatch's scan filter) and Ninebot's manufacturer data
    13 00 00 00 00 ec (WheelLog). It answers in one frame per request, as WheelLog's S2 path
    expects of a 32-byte read, and keeps its speed at 0xBE in 0.01 km/h (WheelLog's "fix s2
    speed", 275d7f1e: "speed up to 320.00 km/h"; no S2 capture: unverified). What an S2's 0xB5
    holds is not known (WheelLog's Z10 test has 0xB5 = 0xBE, but that is the Z): it reads 0 here,
    unverified, so a central that reads the C/E/P's speed register sees a wheel at rest. It
    answers nothing addressed 0x09.

    It obeys only writes with CMD 0x02, the command every S2 source writes with (eucWatch's
    eucNinebotS.js, 9BotONE), and answers each with `55 AA 03 11 02 <ofs> 01 ck`; a 0x03 write is
    recorded and ignored. Both are unverified: no capture shows an S2 taking or refusing a write.
    """

    frame_address = ADDRESS_ONE_S2
    # 9BotONE, written against its author's S2, connects to it as a random address (pygatt's
    # BLEAddressType.random; the key fob's `NRF.connect("<mac address> random")`).
    public_address = False
    registers_per_frame = 16
    notify_uuid = NORDIC_UART_TX
    obeyed_writes = (COMMAND_WRITE_ANSWERED,)
    answers_writes = True

    def __init__(
        self,
        address: str = "E0:E5:CF:00:00:52",
        name: str = "N1S2-0042",
        *,
        identity: WheelIdentity | None = None,
        state: WheelState | None = None,
        timing: LinkTiming | None = None,
    ) -> None:
        """An S2 at rest."""
        super().__init__(
            address,
            name,
            identity=identity or WheelIdentity(serial_number="N2GS21745C0042", firmware=0x1410),
            state=state,
            timing=timing,
        )

    @staticmethod
    def advertisement_for(name: str) -> Advertisement:
        """The S2 on air: its name, and Ninebot's company id with the S2's data."""
        return Advertisement.of(name, manufacturer_data={NINEBOT_COMPANY_ID: S2_MANUFACTURER_DATA})

    @staticmethod
    def services() -> list[Service]:
        """The Nordic UART service: one characteristic each way."""
        return [
            Service(
                NORDIC_UART_SERVICE,
                [
                    Characteristic(NORDIC_UART_RX, (WRITE_WITHOUT_RESPONSE,)),
                    Characteristic(NORDIC_UART_TX, (NOTIFY,)),
                ],
            )
        ]

    def registers(self) -> dict[int, int]:
        """The C/E/P's register file with the speed at 0xBE, in 0.01 km/h, and 0 at 0xB5."""
        registers = super().registers()
        registers[SPEED_S2], registers[0xB5] = u16(self.state.speed * 100), 0
        return registers
