"""Devices as they appear on air: the supported ones and the look-alikes to leave alone.

Advertisements and GATT tables follow the project's protocol notes. The supported devices speak
their protocols (`emulator.band`, `emulator.wheel`); the look-alikes only have the default
behaviour of `Peripheral` (values are stored and read back).
"""

from __future__ import annotations

from .band import MILI_SERVICE, MiBand, band_services
from .link import LinkTiming
from .peripheral import Advertisement, Peripheral
from .wheel import (
    NINEBOT_COMPANY_ID,
    NORDIC_UART_SERVICE,
    UART_SERVICE,
    NinebotOne,
    NinebotOneS2,
    wheel_services,
)

LATER_BAND_SERVICE = "0000fee1-0000-1000-8000-00805f9b34fb"


def mi_band_1s(address: str = "C8:0F:10:3C:7E:51", *, timing: LinkTiming | None = None) -> MiBand:
    """A Mi Band 1S: local name MI1S, the MiLi service FEE0, a heart-rate sensor."""
    return MiBand(address, "MI1S", timing=timing)


def mi_band_1(address: str = "88:0F:10:10:73:DA", *, timing: LinkTiming | None = None) -> MiBand:
    """An original Mi Band 1: the short name "MI" with FEE0, no heart-rate sensor."""
    return MiBand(
        address,
        "MI",
        firmware="1.0.4.9",
        heart_rate_firmware=None,
        feature=0,
        hardware=2,
        timing=timing,
    )


def ninebot_one_e(
    address: str = "E0:E5:CF:00:00:01", name: str = "NOE002", *, timing: LinkTiming | None = None
) -> NinebotOne:
    """A Ninebot One E+ at rest (name prefix NOE, the FFE0 service), speaking its protocol."""
    return NinebotOne(address, name, timing=timing)


def mi_band_2(
    address: str = "E7:1A:00:00:00:02", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Mi Band 2: FEE0 and FEE1, another protocol entirely. Must not be offered."""
    return Peripheral(
        address,
        Advertisement("MI Band 2", [MILI_SERVICE, LATER_BAND_SERVICE]),
        band_services(),
        timing=timing,
    )


def kingsong_wheel(
    address: str = "E0:E5:CF:00:00:0A", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A KingSong wheel: the same FFE0 serial service, another name. Must not be offered."""
    return Peripheral(
        address, Advertisement("KS-16S-0123", [UART_SERVICE]), wheel_services(), timing=timing
    )


def ninebot_one_s2(
    address: str = "E0:E5:CF:00:00:52", *, timing: LinkTiming | None = None
) -> NinebotOneS2:
    """A Ninebot One S2 at rest: Ninebot's manufacturer data, the Nordic UART service."""
    return NinebotOneS2(address, timing=timing)


def ninebot_mini(
    address: str = "E0:E5:CF:00:00:0B", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Ninebot Mini: Ninebot's company id with 14 first (WheelLog), another protocol."""
    return Peripheral(
        address,
        Advertisement(
            "NBMini-0042",
            [NORDIC_UART_SERVICE],
            manufacturer_data={NINEBOT_COMPANY_ID: bytes.fromhex("1400000000eb")},
        ),
        NinebotOneS2.services(),
        timing=timing,
    )


def nordic_uart_named_n1(
    address: str = "E0:E5:CF:00:00:0C", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Nordic UART gadget whose name starts like an S2's, without Ninebot's data."""
    return Peripheral(
        address,
        Advertisement("N1-Sensor", [NORDIC_UART_SERVICE]),
        NinebotOneS2.services(),
        timing=timing,
    )
