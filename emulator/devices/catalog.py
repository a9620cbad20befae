"""Devices as they appear on air: the supported ones and the look-alikes to leave alone.

Advertisements follow the captures where there are any (tests/captures/, and the sources named
at each look-alike); the rest is said to be unverified where it is built. The supported devices
speak their protocols (`band`, `wheel`, `wheel_z`); the look-alikes only have the default
behaviour of `Peripheral` (values are stored and read back), except the Moonbeam, which speaks the
band's protocol and is told apart only by its device info.
"""

from __future__ import annotations

from ..link.peripheral import Advertisement, Peripheral
from ..link.timing import LinkTiming
from .band import MiBand
from .band_air import HUAMI_COMPANY_ID, MILI_SERVICE, VENDOR_SERVICE, band_services
from .wheel import (
    NINEBOT_COMPANY_ID,
    NORDIC_UART_SERVICE,
    UART_SERVICE,
    NinebotOne,
    NinebotOneS2,
    wheel_services,
)
from .wheel_z import NinebotOneZ10


def mi_band_1s(address: str = "C8:0F:10:3C:7E:51", *, timing: LinkTiming | None = None) -> MiBand:
    """A Mi Band 1S: flags and manufacturer data in its advertisement, a heart-rate sensor."""
    return MiBand(address, "MI1S", timing=timing)


def mi_band_1(address: str = "88:0F:10:10:73:DA", *, timing: LinkTiming | None = None) -> MiBand:
    """The Mi Band 1 of Mi Fit's capture: FEE0/FEE1/FEE7, its name only in the scan response."""
    return MiBand(
        address,
        "MI",
        firmware="1.0.4.9",
        heart_rate_firmware=None,
        feature=0,
        hardware=2,
        timing=timing,
    )


def mi_band_1a(address: str = "88:0F:10:F6:C8:B7", *, timing: LinkTiming | None = None) -> MiBand:
    """A Mi Band 1A (feature 5, Gadgetbridge's rule; firmware 5.15.7.14 as in its commit be012eca8).

    Its address is from an Android Bluetooth cache naming it MI1A; nothing of its advertisement
    was captured, so it is laid out as the Mi Band 1's (unverified).
    """
    return MiBand(
        address,
        "MI1A",
        firmware="5.15.7.14",
        heart_rate_firmware=None,
        feature=5,
        hardware=8,
        timing=timing,
    )


def ninebot_one_e(
    address: str = "E0:E5:CF:00:00:01", name: str = "NOE002", *, timing: LinkTiming | None = None
) -> NinebotOne:
    """A Ninebot One E+ at rest (name prefix NOE, the FFE0 service), speaking its protocol."""
    return NinebotOne(address, name, timing=timing)


def mi_band_2(
    address: str = "D2:C8:48:09:71:CF", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Mi Band 2 as Gadgetbridge #396 printed its scan record: another protocol entirely.

    Name "MI Band 2", FEE0 and FEE7 (no FEE1, which our first rule took for the Mi Band 2's),
    and 24 bytes of Huami data ending in its address. Must not be offered.
    """
    data = bytes.fromhex("00bcfe011fba28ec5993f3088698411bcd00") + _octets(address)
    return Peripheral(
        address,
        Advertisement.of(
            "MI Band 2",
            [MILI_SERVICE, VENDOR_SERVICE],
            manufacturer_data={HUAMI_COMPANY_ID: data},
        ),
        band_services(),
        timing=timing,
    )


def mi_band_6(
    address: str = "C5:09:3F:89:0B:4B", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Mi Band 6's passive advertisement, byte for byte from ble_monitor #875 (2022-05-28)."""
    data = bytes.fromhex("0201041bff570102" + "ff" * 16 + "03") + _octets(address)
    return Peripheral(address, Advertisement(data), band_services(), timing=timing)


def mi_scale(address: str = "C8:0F:10:BF:CC:66", *, timing: LinkTiming | None = None) -> Peripheral:
    """A first Mi Scale on the 1S's OUI (Wingjam/ReverseMiScale; ble_monitor #292's layout).

    The weight service 181D, Huami's company id with its address, its name MI_SCALE. A real
    scale also sends its weighings as 181D service data, which Home Assistant's own xiaomi_ble
    integration claims (and fails to load in these tests, whose environment lacks its library):
    left out here. Must not be offered.
    """
    weight = "0000181d-0000-1000-8000-00805f9b34fb"
    return Peripheral(
        address,
        Advertisement.of(
            "MI_SCALE", [weight], manufacturer_data={HUAMI_COMPANY_ID: _octets(address)}
        ),
        [],
        timing=timing,
    )


def amazfit_moonbeam(
    address: str = "88:0F:10:25:6F:15", *, timing: LinkTiming | None = None
) -> MiBand:
    """An Amazfit Moonbeam (Gadgetbridge #274): on the Mi Band 1's OUI, named MI, MiLi inside.

    Its advertisement cannot tell it from a band; its device info can: hardware 6, Gadgetbridge's
    Amazfit. Must not be set up.
    """
    return MiBand(
        address,
        "MI",
        firmware="1.0.10.6",
        heart_rate_firmware=None,
        feature=0,
        hardware=6,
        timing=timing,
    )


def _octets(address: str) -> bytes:
    return bytes.fromhex(address.replace(":", ""))


def kingsong_wheel(
    address: str = "E0:E5:CF:00:00:0A", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A KingSong wheel: the same FFE0 serial service, another name. Must not be offered."""
    return Peripheral(
        address, Advertisement.of("KS-16S-0123", [UART_SERVICE]), wheel_services(), timing=timing
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
        Advertisement.of(
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
    return _nordic_uart_gadget(address, "N1-Sensor", timing)


def ninebot_one_z10(
    address: str = "E0:E5:CF:00:01:10", *, timing: LinkTiming | None = None
) -> NinebotOneZ10:
    """A Ninebot One Z10 at rest: a name starting N3, the 5A A5 framing, two battery packs.

    Its manufacturer data is invented (`wheel_z`); plaintext unless a central asks for the key.
    """
    return NinebotOneZ10(address, timing=timing)


def nordic_uart_named_n3(
    address: str = "E0:E5:CF:00:00:0D", *, timing: LinkTiming | None = None
) -> Peripheral:
    """A Nordic UART gadget whose name starts like a Z's (eucWatch's "N3"), without Ninebot's data.

    It speaks no 5A A5: what a central writes is stored, nothing is ever notified.
    """
    return _nordic_uart_gadget(address, "N3-Tracker", timing)


def _nordic_uart_gadget(address: str, name: str, timing: LinkTiming | None) -> Peripheral:
    return Peripheral(
        address,
        Advertisement.of(name, [NORDIC_UART_SERVICE]),
        NinebotOneS2.services(),
        timing=timing,
    )
