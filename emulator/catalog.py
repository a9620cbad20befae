"""Devices as they appear on air: the supported ones and the look-alikes to leave alone.

Advertisements and GATT tables follow the project's protocol notes. These peripherals have the
default behaviour of `Peripheral` (values are stored and read back); the band and wheel emulators
that speak the protocols build on the same tables.
"""

from __future__ import annotations

from .gatt import NOTIFY, READ, WRITE, WRITE_WITHOUT_RESPONSE, Characteristic, Service
from .link import LinkTiming
from .peripheral import Advertisement, Peripheral
from .wheel import UART_SERVICE, NinebotOne, wheel_services

MILI_SERVICE = "0000fee0-0000-1000-8000-00805f9b34fb"
LATER_BAND_SERVICE = "0000fee1-0000-1000-8000-00805f9b34fb"
HEART_RATE_SERVICE = "0000180d-0000-1000-8000-00805f9b34fb"
IMMEDIATE_ALERT_SERVICE = "00001802-0000-1000-8000-00805f9b34fb"


def _mili(short: str) -> str:
    return f"0000{short}-0000-1000-8000-00805f9b34fb"


def band_services() -> list[Service]:
    """The Mi Band 1S GATT table (protocol notes, section 2), minus the unused services."""
    rw, rn = (READ, WRITE), (READ, NOTIFY)
    return [
        Service(
            MILI_SERVICE,
            [
                Characteristic(_mili("ff01"), (READ,)),  # device info
                Characteristic(_mili("ff02"), rw),  # device name
                Characteristic(_mili("ff03"), rn),  # notification (status codes)
                Characteristic(_mili("ff04"), rw),  # user info
                Characteristic(_mili("ff05"), (WRITE,)),  # control point
                Characteristic(_mili("ff06"), rn),  # realtime steps
                Characteristic(_mili("ff07"), rn),  # activity data
                Characteristic(_mili("ff08"), (WRITE_WITHOUT_RESPONSE,)),  # firmware data
                Characteristic(_mili("ff09"), rw),  # LE params
                Characteristic(_mili("ff0a"), rw),  # date/time
                Characteristic(_mili("ff0b"), rw),  # statistics
                Characteristic(_mili("ff0c"), rn),  # battery
                Characteristic(_mili("ff0d"), rw),  # test
                Characteristic(_mili("ff0e"), rn),  # sensor data
                Characteristic(_mili("ff0f"), rw),  # pair
            ],
        ),
        Service(
            HEART_RATE_SERVICE,
            [
                Characteristic(_mili("2a37"), (NOTIFY,)),  # heart rate measurement
                Characteristic(_mili("2a39"), rw),  # heart rate control point
            ],
        ),
        Service(
            IMMEDIATE_ALERT_SERVICE, [Characteristic(_mili("2a06"), (WRITE_WITHOUT_RESPONSE,))]
        ),
    ]


def mi_band_1s(
    address: str = "C8:0F:10:3C:7E:51", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Mi Band 1S: local name MI1S, the MiLi service FEE0."""
    return Peripheral(
        address, Advertisement("MI1S", [MILI_SERVICE]), band_services(), timing=timing
    )


def mi_band_1(
    address: str = "88:0F:10:10:73:DA", *, timing: LinkTiming | None = None
) -> Peripheral:
    """An original Mi Band 1: the short name "MI" with FEE0."""
    return Peripheral(address, Advertisement("MI", [MILI_SERVICE]), band_services(), timing=timing)


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
