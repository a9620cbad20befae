"""A One Z's battery packs: what each pack's management board (0x11, 0x12) says of itself.

Three blocks per pack, as WheelLog reads them (`NinebotZAdapter` `parseBmsSn`, `parseBmsLife`,
`parseBmsCells` at a21ccb32), every offset and unit checked against the Z10 frames of its test
(`tests/captures/wheellog_z10_adapter_test.toml`, "decode z10 bms1/bms2 ..."). Registers are
16-bit words; a block's byte n is the low (even n) or high byte of register first + n // 2.

- 0x10 x 17, identity: serial (14 ASCII characters), version (byte 15, then the nibbles of byte
  14: 0x0116 is "1.1.6"), design capacity (mAh, byte 16), full capacity (mAh, byte 18), full
  cycles (byte 22), charge count (byte 24), date of manufacture (byte 32: year - 2000 << 9 |
  month << 5 | day). Bytes 20-21 and 26-31 have no meaning in WheelLog.
- 0x30 x 12, status: status word, remaining capacity (mAh), state of charge (%), current
  (s16, 0.01 A), voltage (0.01 V), two temperatures (bytes 10, 11: deg C + 20), balancing map
  (byte 12), health (%, byte 22).
- 0x40 x 16, cells: each cell's voltage in mV; a Z10 has 14 cells, the last two read 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

IDENTITY_FIRST, IDENTITY_COUNT = 0x10, 17
STATUS_FIRST, STATUS_COUNT = 0x30, 12
CELLS_FIRST, CELLS_COUNT = 0x40, 16
TEMPERATURE_OFFSET = 20  # deg C added to each temperature byte


@dataclass(frozen=True, slots=True)
class PackIdentity:
    """What a pack says about itself; changes only with its cycles."""

    serial_number: str
    version: str
    design_capacity: int  # mAh
    full_capacity: int  # mAh, what the pack holds today
    cycles: int  # full charge cycles
    charge_count: int  # charges begun
    manufactured: date | None  # None where the word is not a date


@dataclass(frozen=True, slots=True)
class PackStatus:
    """A pack's charge, current and temperatures."""

    status: int
    remaining_capacity: int  # mAh
    state_of_charge: int  # %
    current: float  # A
    voltage: float  # V
    temperatures: tuple[int, int]  # deg C
    balancing: int  # one bit per cell being balanced
    health: int  # %


@dataclass(frozen=True, slots=True)
class BatteryPack:
    """One pack, as far as it has been read."""

    number: int  # 1 or 2
    identity: PackIdentity | None
    status: PackStatus | None
    cells: tuple[float, ...]  # V, the cells present (empty before they were read)

    @property
    def cell_min(self) -> float | None:
        """The lowest cell voltage."""
        return min(self.cells, default=None)

    @property
    def cell_max(self) -> float | None:
        """The highest cell voltage."""
        return max(self.cells, default=None)

    @property
    def cell_delta(self) -> float | None:
        """How far the highest cell is above the lowest, the balance a rider watches."""
        if not self.cells:
            return None
        return round(max(self.cells) - min(self.cells), 3)


def _block(registers: Mapping[int, int], first: int, count: int) -> bytes | None:
    """The bytes of `count` registers from `first`, once all of them are known."""
    values = [registers.get(first + n) for n in range(count)]
    if any(value is None for value in values):
        return None
    return b"".join(value.to_bytes(2, "little") for value in values if value is not None)


def _word(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "little")


def _date(word: int) -> date | None:
    try:
        return date(2000 + (word >> 9), word >> 5 & 0x0F, word & 0x1F)
    except ValueError:
        return None


def pack_identity(registers: Mapping[int, int]) -> PackIdentity | None:
    """Decode the identity block (0x10 x 17), once read."""
    if (data := _block(registers, IDENTITY_FIRST, IDENTITY_COUNT)) is None:
        return None
    return PackIdentity(
        serial_number=data[:14].rstrip(b"\x00").decode("ascii", errors="replace"),
        version=f"{data[15]:X}.{data[14] >> 4:X}.{data[14] & 0x0F:X}",
        design_capacity=_word(data, 16),
        full_capacity=_word(data, 18),
        cycles=_word(data, 22),
        charge_count=_word(data, 24),
        manufactured=_date(_word(data, 32)),
    )


def pack_status(registers: Mapping[int, int]) -> PackStatus | None:
    """Decode the status block (0x30 x 12), once read."""
    if (data := _block(registers, STATUS_FIRST, STATUS_COUNT)) is None:
        return None
    return PackStatus(
        status=_word(data, 0),
        remaining_capacity=_word(data, 2),
        state_of_charge=_word(data, 4),
        current=int.from_bytes(data[6:8], "little", signed=True) / 100,
        voltage=_word(data, 8) / 100,
        temperatures=(data[10] - TEMPERATURE_OFFSET, data[11] - TEMPERATURE_OFFSET),
        balancing=_word(data, 12),
        health=_word(data, 22),
    )


def pack_cells(registers: Mapping[int, int]) -> tuple[float, ...]:
    """The cell voltages (0x40 x 16), the empty slots (0 mV) left out; () until read."""
    values = [registers.get(CELLS_FIRST + n) for n in range(CELLS_COUNT)]
    if any(value is None for value in values):
        return ()
    return tuple(value / 1000 for value in values if value)


def battery_pack(number: int, registers: Mapping[int, int]) -> BatteryPack | None:
    """The pack `number` as its registers tell it; None while nothing of it was read."""
    pack = BatteryPack(
        number, pack_identity(registers), pack_status(registers), pack_cells(registers)
    )
    if pack.identity is None and pack.status is None and not pack.cells:
        return None
    return pack
