"""An emulated Ninebot One Z10: the Z series' "5A A5" framing, its battery packs, its XOR key.

The Z speaks another framing than the One C/E/P and the S2 (docs/protocols/ninebot-one-z.md),
over the Nordic UART service:

    5A A5  LEN  SRC  DST  CMD  IDX  DATA[LEN]  CK0 CK1      LEN = data only, frame = LEN + 9 bytes

with the checksum of section 2.2 over LEN..DATA. A central (the app, 0x3E) reads with CMD 0x01,
DATA one byte, the number of bytes wanted from the 16-bit register IDX; the controller (0x14) or a
battery pack's BMS (0x11, 0x12) answers with CMD 0x04, source and destination swapped, the
request's IDX, and the registers' bytes (words, low byte first) in one frame, which the
notifications cut into 20-byte pieces (WheelLog's captured live answer of 41 bytes arrives as
20 + 20 + 1). A write is CMD 0x03 and is not answered. All of this is what WheelLog's
NinebotZAdapter (a21ccb32) sends and its unit test feeds it (tests/captures/
wheellog_z10_adapter_test.toml); no capture of a Z answering a request exists.

Encryption: a central that sends the key generator (0x16) `5A A5 00 3E 16 5B 00 ck` gets 16 bytes
back (`5A A5 10 16 3E 5B 01 <key> ck`, WheelLog's captured answer); from then on every byte after
LEN of every frame, both ways, is XORed with that key, the checksum taken on the plaintext
(WheelLog's CANMessage). WheelLog and eucWatch never ask for it today and talk plaintext.
`answers_key_request` and `requires_key` say how this wheel takes it; a new connection starts
plaintext again.

The controller's registers are the One's map (`wheel.register_file`) with what the Z changes:
speed and average speed in 0.01 km/h at 0xB5/0xB6 and again at 0xBE/0xBF, the version block at
0x1A (the version word, then two error and two warning bytes), the BLE version at 0x68, limited
mode and its speed at 0x72/0x74. The lifetime runtime (0x32/0x33) and the remaining range (0x25)
are answered as the One has them: the One's map, unverified on a Z. The packs answer the three
blocks WheelLog reads (`BatteryPack`). Their contents and the default key are WheelLog's captured
answers, read from the corpus (`emulator.captures.corpus`), which the controller's frames, built
from the wheel's state, reproduce in the states `captured_live_state` and the like give.

The framing is written independently of the integration's protocol code, as the One's is
(`wheel`): an emulator that shared the decoder's code would share its mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import ClassVar, NamedTuple

from ..captures import corpus
from ..link.gatt import (
    INDICATE,
    NOTIFY,
    READ,
    WRITE,
    WRITE_WITHOUT_RESPONSE,
    Characteristic,
    Service,
)
from ..link.peripheral import Advertisement, Connection
from ..link.timing import LinkTiming
from .wheel import (
    NINEBOT_COMPANY_ID,
    NORDIC_UART_RX,
    NORDIC_UART_SERVICE,
    NORDIC_UART_TX,
    TRIP_TIME_REGISTER,
    NinebotOne,
    WheelFaults,
    WheelIdentity,
    checksum,
    register_bytes,
    register_file,
    take_frames,
    u16,
)
from .wheel_state import RideProfile, WheelState

HEADER = b"\x5a\xa5"
OVERHEAD = 9  # header, LEN, SRC, DST, CMD, IDX and the checksum: LEN counts the data only
# Addresses (WheelLog's CANMessage.Addr).
APP = 0x3E
CONTROLLER = 0x14
KEY_GENERATOR = 0x16
PACK_ADDRESS = {1: 0x11, 2: 0x12}  # the two battery packs' BMS
# Commands (WheelLog's CANMessage.Comm).
READ_REGISTERS = 0x01
WRITE_REGISTERS = 0x03
ANSWER = 0x04
GET_KEY = 0x5B
KEY_ANSWER_INDEX = 0x01  # IDX of the captured key answer

CAPTURE = "wheellog_z10_adapter_test"

# Controller registers the Z adds to the One's map (WheelLog's CANMessage.Param).
VERSION_BLOCK = 0x1A
BLE_VERSION = 0x68
LIMITED_MODE = 0x72
LIMIT_SPEED = 0x74
# 0xB2 of WheelLog's captured live block: bits 3, 6, 11, 12 and 15. Only bit 11 has a meaning
# anywhere (the One's "activated", docs/protocols/ninebot-one.md section 3); the One's bit 0
# (speed limited) and bit 1 (locked) are set over it here, unverified on a Z.
CAPTURED_STATUS = 0x9848

# Pack registers: the three blocks WheelLog reads, and the words in them that move.
PACK_INFO, PACK_STATUS, PACK_CELLS = 0x10, 0x30, 0x40
REMAINING_CAPACITY, REMAINING_PERCENT, PACK_CURRENT, PACK_VOLTAGE = 0x31, 0x32, 0x33, 0x34
PACK_CELL_COUNT = 16  # cells in the cells block; a Z10 pack fills 14, the others read 0
PACKS_CAPTURED_AT = 100  # % both captured status blocks say

# Invented, unverified: no source documents a Z's manufacturer data. Chosen to match neither the
# S2's rule (six bytes, 0x13 first, the last ~sum of the others) nor any Mini pattern
# (tests/captures/wheellog_detect_wheel.toml), laid out like them: 0x31, four zeros, the check.
Z10_MANUFACTURER_DATA = bytes.fromhex("3100000000ce")

GAP_SERVICE = "00001800-0000-1000-8000-00805f9b34fb"
DEVICE_NAME = "00002a00-0000-1000-8000-00805f9b34fb"
APPEARANCE = "00002a01-0000-1000-8000-00805f9b34fb"
CONNECTION_PARAMETERS = "00002a04-0000-1000-8000-00805f9b34fb"
GATT_SERVICE = "00001801-0000-1000-8000-00805f9b34fb"
VENDOR_SERVICE = "0000fee7-0000-1000-8000-00805f9b34fb"
VENDOR_WRITE = "0000fec7-0000-1000-8000-00805f9b34fb"
VENDOR_INDICATE = "0000fec8-0000-1000-8000-00805f9b34fb"
VENDOR_READ = "0000fec9-0000-1000-8000-00805f9b34fb"


class ZFrame(NamedTuple):
    """One 5A A5 frame's fields, in wire order."""

    source: int
    destination: int
    command: int
    register: int  # IDX: the first register
    data: bytes


def z_frame(source: int, destination: int, command: int, index: int, data: bytes) -> bytes:
    """One plaintext frame: 5A A5, LEN (the data's), SRC, DST, CMD, IDX, data, checksum."""
    body = bytes((len(data), source, destination, command, index)) + data
    return HEADER + body + checksum(body)


def parse_z_frame(candidate: bytes) -> ZFrame | None:
    """A plaintext frame's fields, if its checksum holds."""
    parsed = ZFrame(candidate[3], candidate[4], candidate[5], candidate[6], candidate[7:-2])
    return parsed if len(candidate) >= OVERHEAD and z_frame(*parsed) == candidate else None


def crypt(frame: bytes, gamma: bytes) -> bytes:
    """XOR what follows LEN with the key, from its first byte: encrypts and decrypts alike.

    Byte j of the frame counted from LEN (j >= 1) takes gamma[(j - 1) % 16] (WheelLog's
    CANMessage); the header and LEN stay plain, so a receiver still finds the frames.
    """
    return frame[:3] + bytes(byte ^ gamma[n % len(gamma)] for n, byte in enumerate(frame[3:]))


@cache
def captured_frame(test: str) -> bytes:
    """The frame one of WheelLog's Z10 decode tests feeds its adapter, its notifications joined."""
    (vector,) = (v for v in corpus.load(CAPTURE).content["vectors"] if v["test"] == test)
    return b"".join(bytes.fromhex(part) for part in vector["hex"])


def captured_data(test: str) -> bytes:
    """The data bytes of that frame: what follows IDX, up to the checksum."""
    return captured_frame(test)[7:-2]


def captured_key() -> bytes:
    """The 16-byte key of WheelLog's "decode z10 key data" answer."""
    return captured_data("decode z10 key data")


def _words(block: bytes) -> list[int]:
    return [int.from_bytes(block[n : n + 2], "little") for n in range(0, len(block), 2)]


def _s16(word: int) -> int:
    return word - 0x10000 if word & 0x8000 else word


@dataclass(frozen=True, slots=True)
class ZIdentity(WheelIdentity):
    """A Z10's identity: WheelLog's captured serial and version (0x1077, printed "0.7.7")."""

    serial_number: str = "N3OTC2020T0001"
    firmware: int = 0x1077
    ble_version: int = 0x0100  # register 0x68; invented: no capture shows a Z's answer to it


@dataclass(slots=True)
class ZWheelState(WheelState):
    """A Z10's values; by default those of WheelLog's captured live block, at rest.

    The capture rode at 27.16 km/h drawing 44.98 A (`captured_live_state`); at rest both are 0.
    The version block carries two error and two warning bytes (WheelLog prints both errors):
    the first of each are the live block's 0xB0/0xB1 here, an assumption, no capture having both
    at one moment. The pack has 14 cells in series (WheelLog's getCellsForWheel for the Z).
    """

    battery: int = 78
    average_speed: float = 14.02
    total_distance: float = 2660.251
    trip_distance: float = 2.91
    trip_time: float = 1133
    temperature: float = 37.0
    voltage: float = 61.7
    second_error: int = 0
    second_warning: int = 0
    limit_speed: float = 20.0  # km/h, register 0x74 (x100); the default is invented

    cells_in_series: ClassVar[int] = 14


def captured_live_state() -> ZWheelState:
    """The state whose live block (0xB0 x 32 bytes) is WheelLog's captured one byte for byte."""
    return ZWheelState(speed=27.16, current=44.98)


def captured_version_state() -> ZWheelState:
    """The state whose version block is WheelLog's captured one: errors 25 and 24 showing."""
    return ZWheelState(error_code=25, second_error=24)


def captured_pack_state() -> ZWheelState:
    """The state whose pack blocks are WheelLog's captured ones: full (100 %), drawing nothing."""
    return ZWheelState(battery=PACKS_CAPTURED_AT)


def z10_register_file(identity: ZIdentity, state: ZWheelState) -> dict[int, int]:
    """The Z10 controller's registers: the One's map with what the Z changes (module docstring)."""
    registers = register_file(identity, state)
    speed, average = u16(state.speed * 100), u16(state.average_speed * 100)
    registers.update(
        {
            VERSION_BLOCK + 1: state.error_code & 0xFF | (state.second_error & 0xFF) << 8,
            VERSION_BLOCK + 2: state.warning_code & 0xFF | (state.second_warning & 0xFF) << 8,
            BLE_VERSION: identity.ble_version,
            LIMITED_MODE: int(state.speed_limited),
            LIMIT_SPEED: u16(state.limit_speed * 100),
            0xB2: CAPTURED_STATUS & ~0b11 | state.locked << 1 | state.speed_limited,
            0xB3: 0,
            0xB5: speed,
            0xB6: average,
            0xBE: speed,
            0xBF: average,
        }
    )
    return registers


_BLOCK_NAMES = ("sn", "status", "cells")  # as WheelLog's test names the blocks
_BLOCKS = (PACK_INFO, PACK_STATUS, PACK_CELLS)


@dataclass(frozen=True, slots=True)
class BatteryPack:
    """One of a Z10's two battery packs as its BMS answers: three blocks, as captured.

    `info` (0x10 x 0x22 bytes: serial, version, capacities, cycles, manufacturing date), `status`
    (0x30 x 0x18: status, remaining mAh and %, current, voltage, temperatures, balance, health) and
    `cells` (0x40 x 0x20: 16 cells in mV). Captured full and at rest, they move with the wheel:
    the remaining % is the wheel's battery, the remaining mAh in proportion, the voltage and each
    cell fall as the wheel's pack voltage falls from full, and each pack carries half the wheel's
    current over what it read at rest. At `captured_pack_state` they read as captured.
    """

    info: bytes
    status: bytes
    cells: bytes

    @classmethod
    def captured(cls, number: int) -> BatteryPack:
        """Pack 1 or 2 of WheelLog's Z10 test ("decode z10 bms1 sn data" and so on)."""
        blocks = (captured_data(f"decode z10 bms{number} {name} data") for name in _BLOCK_NAMES)
        return cls(*blocks)

    def registers(self, state: ZWheelState) -> dict[int, int]:
        """The BMS's registers with the wheel's charge and load."""
        words = dict.fromkeys(range(0x100), 0)
        for first, block in zip(_BLOCKS, (self.info, self.status, self.cells), strict=True):
            words.update(enumerate(_words(block), start=first))
        fallen = state.voltage_at(PACKS_CAPTURED_AT) - state.voltage_at(state.battery)  # V
        words[REMAINING_CAPACITY] = round(
            words[REMAINING_CAPACITY] * state.battery / PACKS_CAPTURED_AT
        )
        words[REMAINING_PERCENT] = state.battery
        carried = state.current * 100 / len(PACK_ADDRESS)  # 0.01 A: the packs share the load
        words[PACK_CURRENT] = u16(_s16(words[PACK_CURRENT]) + carried)
        words[PACK_VOLTAGE] = u16(words[PACK_VOLTAGE] - fallen * 100)
        per_cell = fallen * 1000 / state.cells_in_series  # mV
        for cell in range(PACK_CELLS, PACK_CELLS + PACK_CELL_COUNT):
            if words[cell]:  # an unused cell stays 0
                words[cell] = u16(words[cell] - per_cell)
        return words


@dataclass(slots=True)
class ZWheelFaults(WheelFaults):
    """The One's faults, and packs whose BMS does not answer (1 and 2: reads of 0x11, 0x12)."""

    missing_packs: set[int] = field(default_factory=set)


# A Z10's energy: two packs of the captured 9600 mAh design capacity, 14 cells of 3.7 V nominal.
Z10_PACK_WH = 2 * 9.6 * 14 * 3.7


class NinebotOneZ10(NinebotOne):
    """A Ninebot One Z10 on air: a name starting "N3", Ninebot's company id, the Nordic UART.

    eucWatch's scan filter takes the Z by the name prefix "N3" (its w_scan.js), which the captured
    serial "N3OTC..." shares. The manufacturer data is invented (`Z10_MANUFACTURER_DATA`); the
    address is random static, as the S2's. Its GATT table is WheelLog's "ninebot_z" with FEE7.

    `answers_key_request`: the key generator answers a key request, and the rest of that
    connection is encrypted both ways. `requires_key`: plaintext requests are ignored until the
    key has been handed out on this connection, as a hypothetical firmware would (with
    `answers_key_request` off the wheel then answers nothing). The key request is answered like
    a read, so the faults that take answers (mute, lost, garbage, cut, drop) take it too.

    Writes (CMD 0x03) are recorded in plaintext, never answered (WheelLog reads the parameter
    block back after a write); the lock (0x70, `01 00` / `00 00`) is obeyed at a standstill only.
    """

    public_address = False  # random static, as the S2 (9BotONE); no source says for a Z
    notify_uuid = NORDIC_UART_TX
    identity: ZIdentity
    state: ZWheelState
    faults: ZWheelFaults

    def __init__(
        self,
        address: str = "E0:E5:CF:00:01:10",
        name: str = "N3Z10-0001",
        *,
        identity: ZIdentity | None = None,
        state: ZWheelState | None = None,
        packs: dict[int, BatteryPack] | None = None,
        answers_key_request: bool = True,
        requires_key: bool = False,
        key: bytes | None = None,
        timing: LinkTiming | None = None,
    ) -> None:
        """A Z10 at rest, its packs as captured (by number, 1 and 2), the captured key."""
        super().__init__(
            address,
            name,
            identity=identity or ZIdentity(),
            state=state or ZWheelState(),
            timing=timing,
        )
        self.faults = ZWheelFaults()
        self.packs = packs if packs is not None else {n: BatteryPack.captured(n) for n in (1, 2)}
        self.answers_key_request = answers_key_request
        self.requires_key = requires_key
        self.key = key or captured_key()
        self.pack_reads: list[tuple[int, int, int]] = []  # (pack, first register, bytes)
        self._gamma: bytes | None = None  # the key in use on this connection, if any
        self.gatt.characteristic(DEVICE_NAME).value = name.encode()

    @property
    def encrypted(self) -> bool:
        """Whether this connection has switched to the key."""
        return self._gamma is not None

    @staticmethod
    def advertisement_for(name: str) -> Advertisement:
        """The Z on air: its name, and Ninebot's company id with (invented) data."""
        return Advertisement.of(name, manufacturer_data={NINEBOT_COMPANY_ID: Z10_MANUFACTURER_DATA})

    @staticmethod
    def services() -> list[Service]:
        """WheelLog's second "ninebot_z" table, FEE7 included, in its order.

        tests/captures/wheellog_detect_wheel.toml. The properties of FEE7's characteristics are
        the 2016 S2's (docs/protocols/ninebot-one.md, section 1.3), unverified on a Z.
        """
        return [
            Service(
                GAP_SERVICE,
                [
                    Characteristic(DEVICE_NAME, (READ,)),
                    Characteristic(APPEARANCE, (READ,)),
                    Characteristic(CONNECTION_PARAMETERS, (READ,)),
                ],
            ),
            Service(GATT_SERVICE, []),
            Service(
                NORDIC_UART_SERVICE,
                [
                    Characteristic(NORDIC_UART_TX, (NOTIFY,)),
                    Characteristic(NORDIC_UART_RX, (WRITE_WITHOUT_RESPONSE,)),
                ],
            ),
            Service(
                VENDOR_SERVICE,
                [
                    Characteristic(VENDOR_INDICATE, (INDICATE,)),
                    Characteristic(VENDOR_WRITE, (WRITE,)),
                    Characteristic(VENDOR_READ, (READ,)),
                ],
            ),
        ]

    def start_ride(self, profile: RideProfile | None = None) -> RideProfile:
        """Start riding; by default on the Z10's packs (`Z10_PACK_WH`), not the One E+'s."""
        return super().start_ride(profile or RideProfile(capacity_wh=Z10_PACK_WH))

    def registers(self) -> dict[int, int]:
        """The controller's register file as it stands now."""
        self._advance()
        return z10_register_file(self.identity, self.state)

    def pack_registers(self, number: int) -> dict[int, int]:
        """Pack 1's or 2's register file as it stands now."""
        self._advance()
        return self.packs[number].registers(self.state)

    async def on_connect(self, connection: Connection) -> None:
        """A new central starts with a clean buffer, in plaintext."""
        await super().on_connect(connection)
        self._gamma = None

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        """Collect request bytes; handle every complete frame whose checksum holds."""
        self._incoming += data
        for request in take_frames(self._incoming, HEADER, OVERHEAD, self._open):
            self._handle(request)

    def _open(self, candidate: bytes) -> ZFrame | None:
        return parse_z_frame(self._seal(candidate))

    def _seal(self, frame: bytes) -> bytes:
        """Encrypt (or decrypt) with this connection's key, if it has one."""
        return frame if self._gamma is None else crypt(frame, self._gamma)

    def _handle(self, request: ZFrame) -> None:
        if request.destination == KEY_GENERATOR and request.command == GET_KEY:
            if self.answers_key_request:
                self._answer(request.register, lambda: self._hand_out_key(request.source))
            return
        if self.requires_key and self._gamma is None:
            return  # this firmware talks only to a central that holds the key
        if request.command == WRITE_REGISTERS:
            self.writes.append(z_frame(*request))
            if request.destination == CONTROLLER:
                self._obey(request.register, request.data)
        elif request.command == READ_REGISTERS and request.data:
            self._answer_z_read(request)

    def _hand_out_key(self, central: int) -> list[bytearray]:
        answer = self._seal(z_frame(KEY_GENERATOR, central, GET_KEY, KEY_ANSWER_INDEX, self.key))
        self._gamma = self.key  # from the next frame on, both ways
        return [bytearray(answer)]

    def _answer_z_read(self, request: ZFrame) -> None:
        """Answer a read of the controller or of a pack present, in one frame."""
        source, index, size = request.destination, request.register, request.data[0]
        count = (size + 1) // 2
        registers: Callable[[], dict[int, int]]
        if source == CONTROLLER:
            self.reads.append((index, count))
            registers = self.registers
        else:
            number = next((n for n, a in PACK_ADDRESS.items() if a == source), None)
            if number is None or number not in self.packs:
                return  # nobody at that address
            self.pack_reads.append((number, index, size))
            if number in self.faults.missing_packs:
                return
            registers = partial(self.pack_registers, number)

        def frames() -> list[bytearray]:
            words = registers()
            if source == CONTROLLER and index <= TRIP_TIME_REGISTER < index + count:
                self._note_answer(words[TRIP_TIME_REGISTER])
            data = register_bytes(words, index, count)[:size]
            return [bytearray(self._seal(z_frame(source, request.source, ANSWER, index, data)))]

        self._answer(index, frames)
