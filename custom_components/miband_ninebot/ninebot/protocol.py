"""The Ninebot One legacy "55 AA" protocol: frames, checksum, stream decoding, registers.

A frame, in both directions (docs/protocols/ninebot-one.md, section 2.1):

    55 AA  LEN  ADDR  CMD  IDX  DATA[LEN-2]  CK0 CK1

ADDR is 0x09 on the One C/E/E+/P (0x11 on the A1/S2); CMD 0x01 reads (and answers a read), 0x02
writes and is answered, 0x03 writes without an answer; which write a wheel obeys depends on its
variant (`Variant`). IDX is the first 16-bit register concerned. The checksum is the one's
complement of the byte sum from LEN to the last data byte, little-endian. A read request carries
one data byte, the number of bytes wanted (2 per register); the C/E/P answers with frames of at
most three registers each, and the notifications cut that byte stream anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .advertisement import MODEL_ONE_C, MODEL_ONE_E, MODEL_ONE_P
from .framing import FrameDecoder, checksum, words

HEADER = b"\x55\xaa"
ADDRESS_ONE = 0x09  # One C / E / E+ / P
ADDRESS_ONE_S2 = 0x11  # One A1 / S2 (Nordic UART transport)
COMMAND_READ = 0x01
# The 55 AA family's two writes (etransport/ninebot-docs, protocol wiki: "02 ofs data[]", answered
# "02 ofs bResult", "Write register(s)"; "03 ofs data[]", answered "None", "Write register(s) w/o
# response"). Either way a read-back is the only confirmation the integration trusts.
COMMAND_WRITE = 0x02
COMMAND_WRITE_NO_RESPONSE = 0x03

# LEN counts DATA plus ADDR and CMD, so 2 is an empty frame. The One answers with at most 6 data
# bytes (LEN 8); 32-byte blocks (LEN 0x22) are the largest any variant sends.
MIN_LENGTH = 2
MAX_LENGTH = 0x22
_OVERHEAD = 6  # a frame is LEN + 6 bytes: header 2, LEN 1, IDX 1, checksum 2, plus LEN's own count


@dataclass(frozen=True, slots=True)
class Frame:
    """One protocol frame."""

    address: int
    command: int
    index: int
    data: bytes

    def encode(self) -> bytes:
        """The frame's bytes on the wire."""
        body = bytes((len(self.data) + 2, self.address, self.command, self.index)) + self.data
        return HEADER + body + checksum(body)

    def registers(self) -> dict[int, int]:
        """The 16-bit little-endian words a read answer carries, by register index."""
        return words(self.index, self.data)


def encode_write(
    index: int,
    value: int,
    address: int = ADDRESS_ONE,
    command: int = COMMAND_WRITE_NO_RESPONSE,
) -> bytes:
    """A one-byte write of `value` to register `index`, with the variant's write command.

    As eucWatch locks a One E, `55 AA 03 09 03 70 01 ck`, and an S2, `55 AA 03 11 02 70 01 ck`
    (docs/protocols/ninebot-one.md, section 4); `Variant.write_command` says which command a
    wheel obeys.
    """
    if not 0 <= index <= 0xFF or not 0 <= value <= 0xFF:
        raise ValueError(f"cannot write {value} to 0x{index:02x}")
    if command not in (COMMAND_WRITE, COMMAND_WRITE_NO_RESPONSE):
        raise ValueError(f"0x{command:02x} is not a write command")
    return Frame(address, command, index, bytes((value,))).encode()


def encode_read(index: int, registers: int, address: int = ADDRESS_ONE) -> bytes:
    """A request to read `registers` consecutive registers starting at `index`."""
    if not 0 <= index <= 0xFF or not 1 <= registers <= MAX_LENGTH // 2 - 1:
        raise ValueError(f"cannot read {registers} registers at 0x{index:02x}")
    return Frame(address, COMMAND_READ, index, bytes((2 * registers,))).encode()


@dataclass(frozen=True, slots=True)
class LegacyFraming:
    """The 55 AA framing: LEN counts the data plus ADDR and CMD (section 2.1)."""

    header: bytes = HEADER
    min_length: int = MIN_LENGTH
    max_length: int = MAX_LENGTH
    overhead: int = _OVERHEAD

    def parse(self, raw: bytes) -> Frame | None:
        """The frame `raw` holds, or None if its checksum is wrong."""
        body = raw[2:-2]
        if checksum(body) != raw[-2:]:
            return None
        return Frame(body[1], body[2], body[3], body[4:])


LEGACY_FRAMING = LegacyFraming()


class StreamDecoder(FrameDecoder[Frame]):
    """The 55 AA stream decoder (`FrameDecoder` with the legacy framing)."""

    def __init__(self) -> None:
        """A decoder of 55 AA frames with an empty buffer."""
        super().__init__(LEGACY_FRAMING)


# -- registers (docs/protocols/ninebot-one.md, section 3) ------------------------------------------

SERIAL_FIRST, SERIAL_COUNT = 0x10, 7
PIN_FIRST, PIN_COUNT = 0x17, 3
FIRMWARE_VERSION = 0x1A
REMAINING_RANGE = 0x25
TOTAL_RIDE_TIME_LOW, TOTAL_RIDE_TIME_HIGH = 0x32, 0x33
LOCK = 0x70  # 1 locked, 0 unlocked; written to lock, read back to confirm
LIMITED_MODE = 0x72  # 1 while the user's speed limit is on (WheelLog's Z `parseParams1`)
ERROR_CODE = 0xB0
WARNING_CODE = 0xB1
FLAGS = 0xB2
BATTERY = 0xB4
SPEED = 0xB5
AVERAGE_SPEED = 0xB6
TOTAL_DISTANCE_LOW, TOTAL_DISTANCE_HIGH = 0xB7, 0xB8
TRIP_DISTANCE = 0xB9
TRIP_TIME = 0xBA
TEMPERATURE = 0xBB
VOLTAGE = 0xBC
CURRENT = 0xBD
SPEED_S2 = 0xBE  # the A1/S2 put their speed here (WheelLog); on the C/E/P it is the pitch

# Flag bits of 0xB2 (the 9BMetrics author's variables page); bit 3 and the rest are unknown.
FLAG_SPEED_LIMIT = 1 << 0
FLAG_LOCKED = 1 << 1


@dataclass(frozen=True, slots=True)
class Variant:
    """What sets a family's frames apart: its address, the write it obeys, where its speed is."""

    address: int
    write_command: int
    speed_register: int
    speed_divisor: int  # raw units in one km/h
    average_speed_divisor: int = 1000
    # Whether the wheel answers a write with a frame of its own: the S2's 0x02 write is; the
    # C/E/P's 0x03 and a Z's 0x03 (its own protocol's) are not.
    write_is_answered: bool = False
    # Whether 0xB2's bits 0 and 1 say "speed limited" and "locked"; a Z's are not known, so its
    # lock state is its lock register 0x70 and its limit mode 0x72, read with the slow registers.
    lock_in_flags: bool = True


# One C/E/E+/P. Writes with 0x03: eucWatch's lock `55 AA 03 09 03 70 01 7F FF`
# (v2/euc/eucNinebotE/eucNinebotE.js L16 at 8022510e) and the 9BMetrics protocol page ("the x09
# x01 are changed to x09 x03"). Speed 0xB5 in m/h: 9BMetrics' `speed()` divides by 1000
# (9BMetrics/BLENinebot.swift L1317-1318 at 6244b7b2), WheelLog reads it "up to 32.000 km/h"
# (NinebotAdapter.java L521 at a21ccb32).
ONE = Variant(ADDRESS_ONE, COMMAND_WRITE_NO_RESPONSE, SPEED, 1000)
# One A1/S2. Every S2 source writes with 0x02: eucWatch's lock `55 AA 03 11 02 70 01 78 FF` and
# unlock `55 AA 03 11 02 70 00 79 FF` (v2/euc/eucNinebotS/eucNinebotS.js L17-18 at 8022510e),
# 9BotONE's `command_write = 0x02` (src/9BotONE.py L12 at ca9a65ee). Speed 0xBE in 0.01 km/h:
# WheelLog's "fix s2 speed" (275d7f1e) reads it "up to 320.00 km/h" (NinebotAdapter.java L518 at
# a21ccb32) into `setSpeed`, whose unit is 0.01 km/h (WheelData.java L777-778). No capture of an
# S2's 0xBE exists: unverified.
ONE_S2 = Variant(ADDRESS_ONE_S2, COMMAND_WRITE, SPEED_S2, 100, write_is_answered=True)


def _signed(word: int) -> int:
    return word - 0x10000 if word & 0x8000 else word


def _flag(registers: Mapping[int, int], index: int) -> bool | None:
    value = registers.get(index)
    return None if value is None else value == 1


def _text(registers: Mapping[int, int], first: int, count: int) -> str | None:
    """ASCII held two characters per register, low byte first (9BMetrics' `serialNo()`)."""
    words = [registers.get(first + n) for n in range(count)]
    if any(word is None for word in words):
        return None
    raw = b"".join(word.to_bytes(2, "little") for word in words if word is not None)
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")


def serial_number(registers: Mapping[int, int]) -> str | None:
    """The 14-character serial number (0x10-0x16), once all its registers are known."""
    return _text(registers, SERIAL_FIRST, SERIAL_COUNT)


def pin(registers: Mapping[int, int]) -> str | None:
    """The Bluetooth PIN as the wheel app shows it (0x17-0x19); sensitive."""
    return _text(registers, PIN_FIRST, PIN_COUNT)


# Characters 3-4 of the serial name the model; rewriting them changes the wheel's speed cap
# (docs/protocols/ninebot-one.md, section 4), which is why nothing here ever writes the serial.
_MODEL_BY_SERIAL_LETTERS = {"OC": MODEL_ONE_C, "OE": MODEL_ONE_E, "OP": MODEL_ONE_P}


def model_from_serial(serial: str) -> str | None:
    """The model a serial number names ("N2OEA1533A4512" -> One E), if it names a known one."""
    return _MODEL_BY_SERIAL_LETTERS.get(serial[2:4])


def firmware_version(word: int) -> str:
    """The version as the wheel app shows it: the low three nibbles, "1.3.5" for 0x3135."""
    return f"{word >> 8 & 0xF}.{word >> 4 & 0xF}.{word & 0xF}"


def firmware_version_s2(word: int) -> str:
    """An A1/S2's version as WheelLog prints it: hi(byte 1).hi(byte 0).lo(byte 0)."""
    return f"{word >> 12 & 0xF}.{word >> 4 & 0xF}.{word & 0xF}"


def total_ride_time(registers: Mapping[int, int]) -> int | None:
    """Seconds the wheel has run in its life (0x32-0x33, low word first), once both are known."""
    low, high = registers.get(TOTAL_RIDE_TIME_LOW), registers.get(TOTAL_RIDE_TIME_HIGH)
    return None if low is None or high is None else high << 16 | low


@dataclass(frozen=True, slots=True)
class LiveValues:
    """The live telemetry, in the units Home Assistant shows."""

    battery: int  # %
    speed: float  # km/h
    average_speed: float  # km/h
    total_distance: float  # km
    trip_distance: float  # km
    trip_time: int  # s
    temperature: float  # deg C
    voltage: float  # V
    current: float  # A, negative while braking / charging
    power: float  # W = V x I
    error_code: int  # 0: none
    warning_code: int  # 0: none
    locked: bool | None  # None: a Z whose lock register was not read yet
    speed_limited: bool | None  # the user's speed limit is on (0xB2 bit 0; a Z's 0x72)

    @classmethod
    def from_registers(
        cls, registers: Mapping[int, int], variant: Variant = ONE
    ) -> LiveValues | None:
        """Decode the 0xB0-0xBE block as `variant` fills it; None until all of it has arrived."""
        needed = (*range(ERROR_CODE, CURRENT + 1), variant.speed_register)
        if any(index not in registers for index in needed):
            return None
        voltage = registers[VOLTAGE] / 100
        current = _signed(registers[CURRENT]) / 100
        flags = registers[FLAGS]
        return cls(
            battery=registers[BATTERY],
            # s16: a reading above 32.767 km/h is impossible on a One, a reversing wheel is not.
            # The S2's 0.01 km/h reach 327.67 km/h as s16, past WheelLog's "up to 320.00 km/h".
            speed=abs(_signed(registers[variant.speed_register])) / variant.speed_divisor,
            # m/h on the C/E/P and the S2: 9BMetrics, and eucWatch's S2 module too
            # (eucNinebotS.js L111, `in16/1000`); WheelLog decodes 0xB6 on neither, so for the S2
            # unverified. 0.01 km/h on a Z (WheelLog's Z10 test: 0x057A, beside its speed).
            average_speed=registers[AVERAGE_SPEED] / variant.average_speed_divisor,
            total_distance=(registers[TOTAL_DISTANCE_HIGH] << 16 | registers[TOTAL_DISTANCE_LOW])
            / 1000,
            trip_distance=registers[TRIP_DISTANCE] / 100,
            trip_time=registers[TRIP_TIME],
            temperature=_signed(registers[TEMPERATURE]) / 10,
            voltage=voltage,
            current=current,
            power=round(voltage * current, 2),
            error_code=registers[ERROR_CODE],
            warning_code=registers[WARNING_CODE],
            locked=bool(flags & FLAG_LOCKED) if variant.lock_in_flags else _flag(registers, LOCK),
            speed_limited=bool(flags & FLAG_SPEED_LIMIT)
            if variant.lock_in_flags
            else _flag(registers, LIMITED_MODE),
        )


def remaining_range(word: int) -> float:
    """Remaining range in km (register 0x25, units of 10 m)."""
    return word / 100
