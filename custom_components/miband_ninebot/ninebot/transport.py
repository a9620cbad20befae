"""How each variant is spoken to: its characteristics, its frames, and what is read how often.

docs/protocols/ninebot-one.md, sections 2.6 and 5: the live block is one request sized to the
link, the registers that change slowly are read in rotation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import battery_pack, protocol_z
from .advertisement import MODEL_ONE_S2, MODEL_ONE_Z
from .const import NORDIC_UART_RX_UUID, NORDIC_UART_TX_UUID, UART_CHARACTERISTIC_UUID
from .protocol import (
    CURRENT,
    ERROR_CODE,
    FIRMWARE_VERSION,
    FLAGS,
    LIMITED_MODE,
    LOCK,
    ONE,
    ONE_S2,
    REMAINING_RANGE,
    SERIAL_FIRST,
    SPEED_S2,
    TOTAL_RIDE_TIME_LOW,
    WARNING_CODE,
    Variant,
    firmware_version,
    firmware_version_s2,
)
from .z_errors import Z_ERRORS

UNIT_CONTROLLER = protocol_z.ADDRESS_CONTROLLER


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """A read of consecutive registers."""

    first: int
    count: int
    unit: int = protocol_z.ADDRESS_CONTROLLER  # who is asked: a Z's packs answer for themselves

    @property
    def registers(self) -> range:
        """The registers the answer must carry."""
        return range(self.first, self.first + self.count)


IDENTITY = ReadRequest(SERIAL_FIRST, FIRMWARE_VERSION - SERIAL_FIRST + 1)  # serial, PIN, version
CODES = ReadRequest(ERROR_CODE, WARNING_CODE - ERROR_CODE + 1)
RANGE = ReadRequest(REMAINING_RANGE, 1)
LIFETIME = ReadRequest(TOTAL_RIDE_TIME_LOW, 2)
LOCK_STATE = ReadRequest(LOCK, 1)

# Cells in series in the One's pack (C/E/E+/P, A1/S2): 15, as WheelLog counts them for its Ninebot
# adapter: `NinebotAdapter.getCellsForWheel()` returns 15, and `WheelData.getAvgVoltagePerCell()`
# divides the pack's voltage by that count (WheelLog/Wheellog.Android at
# a21ccb328df579012280f59781d66282ea49da9a, app/src/main/java/com/cooper/wheellog/utils/
# NinebotAdapter.java L77-78, WheelData.java L727-733). It fits the One's own voltages: the
# 52.49-61.59 V of a recorded ride (docs/protocols/ninebot-one.md, 0x47) are 3.50-4.11 V a cell.
ONE_CELLS_IN_SERIES = 15


@dataclass(frozen=True, slots=True)
class Transport:
    """How a wheel variant is spoken to: characteristics, frame address, what is read how often."""

    write_uuid: str
    notify_uuid: str
    variant: Variant  # address, write command, speed register and unit
    version: Callable[[int], str]
    live: ReadRequest  # after every answer
    slow: tuple[ReadRequest, ...]  # one of them every `slow_read_interval / len(slow)`
    identity: tuple[ReadRequest, ...] = (IDENTITY,)  # once per connection
    z_frames: bool = False  # 5A A5 rather than 55 AA (`dialect`)
    packs: tuple[int, ...] = ()  # the battery packs' addresses, a Z's
    error_meanings: Mapping[int, str] = field(default_factory=dict)  # where a source names them
    # The pack's cells in series, for an average cell voltage from the pack's; None for a wheel
    # that gives its cells' own voltages, or whose count no source gives.
    cells_in_series: int | None = None


ONE_C_E_P = Transport(
    UART_CHARACTERISTIC_UUID,
    UART_CHARACTERISTIC_UUID,
    ONE,
    firmware_version,
    live=ReadRequest(FLAGS, CURRENT - FLAGS + 1),  # flags, battery ... current
    slow=(CODES, RANGE, LIFETIME),
    cells_in_series=ONE_CELLS_IN_SERIES,
)
# WheelLog's S2 branch: address 0x11, speed at 0xBE, the version printed differently; writes
# with 0x02 as eucWatch and 9BotONE do (`ONE_S2`).
ONE_A1_S2 = Transport(
    NORDIC_UART_RX_UUID,
    NORDIC_UART_TX_UUID,
    ONE_S2,
    firmware_version_s2,
    live=ReadRequest(ERROR_CODE, SPEED_S2 - ERROR_CODE + 1),  # codes, flags ... the speed
    slow=(RANGE, LIFETIME),
    cells_in_series=ONE_CELLS_IN_SERIES,
)


def _pack_reads(unit: int) -> tuple[ReadRequest, ...]:
    return (
        ReadRequest(battery_pack.IDENTITY_FIRST, battery_pack.IDENTITY_COUNT, unit),
        ReadRequest(battery_pack.STATUS_FIRST, battery_pack.STATUS_COUNT, unit),
        ReadRequest(battery_pack.CELLS_FIRST, battery_pack.CELLS_COUNT, unit),
    )


# The Z: 5A A5 over the Nordic UART service (docs/protocols/ninebot-one-z.md). Its
# live block answers in one frame: 0xB0-0xBD (codes ... current) is 37 bytes, two notifications
# of 20; WheelLog's 0xB0 x 32 adds the copies of the speeds and a third notification. Its slow
# reads: the version block (errors), the lock and limit mode, the One's range and lifetime
# registers (unverified on a Z: read while it answers them), and its packs' three blocks each.
Z_VERSION = ReadRequest(protocol_z.VERSION_FIRST, protocol_z.VERSION_COUNT)
Z_PARAMETERS = ReadRequest(LOCK, LIMITED_MODE - LOCK + 1)  # lock .. limit mode
ONE_Z = Transport(
    NORDIC_UART_RX_UUID,
    NORDIC_UART_TX_UUID,
    protocol_z.ONE_Z,
    firmware_version,
    live=ReadRequest(ERROR_CODE, protocol_z.LIVE_LAST - ERROR_CODE + 1),
    slow=(
        Z_VERSION,
        Z_PARAMETERS,
        RANGE,
        LIFETIME,
        *(read for unit in protocol_z.PACK_ADDRESSES for read in _pack_reads(unit)),
    ),
    identity=(
        ReadRequest(protocol_z.SERIAL_FIRST, protocol_z.SERIAL_COUNT),
        Z_VERSION,
        ReadRequest(protocol_z.BLE_VERSION, 1),
    ),
    z_frames=True,
    packs=protocol_z.PACK_ADDRESSES,
    error_meanings=Z_ERRORS,
)
LIVE = ONE_C_E_P.live


def average_cell_voltage(pack_voltage: float, cells_in_series: int) -> float:
    """V per cell: the pack's voltage shared by its cells in series, to the millivolt."""
    return round(pack_voltage / cells_in_series, 3)


def transport_for_model(model: str) -> Transport:
    """The transport of a model as discovery named it."""
    if model == MODEL_ONE_S2:
        return ONE_A1_S2
    if model.startswith(MODEL_ONE_Z):
        return ONE_Z
    return ONE_C_E_P
