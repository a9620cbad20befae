"""A Mi Band 1-series band as a central finds it: services, table, advertisement, link.

- the UUIDs of the services and characteristics the protocol uses;
- the attribute tables, laid out as captured (the Mi Band 1's and the 1S's) or derived from them
  (the 1A's, and any band's after a firmware update that moves Xiaomi's vendor service first);
- what a band puts on air (`band_advertisement`);
- the link it runs on (`BAND_TIMING`).

What the band does behind them is `band`'s.
"""

from __future__ import annotations

from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES, CharacteristicPropertyName

from ..link.gatt import Characteristic, Service
from ..link.peripheral import (
    AD_COMPLETE_16_BIT_UUIDS,
    AD_COMPLETE_LOCAL_NAME,
    AD_FLAGS,
    AD_MANUFACTURER_DATA,
    FLAGS_LE_GENERAL_DISCOVERABLE,
    Advertisement,
    ad_structure,
)
from ..link.timing import (
    LINUX_CONNECTION_INTERVAL_UNITS,
    LINUX_SUPERVISION_TIMEOUT,
    MI_BAND_PDUS_PER_EVENT,
    LinkTiming,
    interval_of_units,
)


def _uuid(short: str) -> str:
    return f"0000{short}-0000-1000-8000-00805f9b34fb"


MILI_SERVICE = _uuid("fee0")
# Xiaomi's vendor service, which later firmware puts first in the table.
VENDOR_SERVICE = _uuid("fee7")
HEART_RATE_SERVICE = _uuid("180d")
IMMEDIATE_ALERT_SERVICE = _uuid("1802")
DEVICE_INFO = _uuid("ff01")
NOTIFICATION = _uuid("ff03")
USER_INFO = _uuid("ff04")
CONTROL_POINT = _uuid("ff05")
REALTIME_STEPS = _uuid("ff06")
LE_PARAMS = _uuid("ff09")
DATE_TIME = _uuid("ff0a")
BATTERY = _uuid("ff0c")
ACTIVITY_DATA = _uuid("ff07")
HEART_RATE_MEASUREMENT = _uuid("2a37")
HEART_RATE_CONTROL_POINT = _uuid("2a39")
ALERT_LEVEL = _uuid("2a06")

# The band's link, as Home Assistant's central opens it. The one central of that kind captured
# is Linux's (so37779288, kernel 4.4): it asked a 1S for 50-70 ms and Linux's 420 ms supervision
# timeout. The model takes the middle of that range, 60 ms, as it does for the band's own
# requests: which interval the controller chose was not printed (unverified). An ESP32 proxy's
# parameters are not captured: ESPHome's source, like habluetooth's for a local adapter on
# Home Assistant releases that load connection parameters, asks for 7.5 ms and a 10 s timeout to
# connect, then 8.75-11.25 ms and 8 s (unverified; on such a link the sensor's start would not
# drop it). Mi Fit's Android phone ran the band at 48.75 ms and 7 s (captured; not a central of
# Home Assistant's). Up to 17 notifications an event is what the band did on that phone's link;
# unverified for an ESP32 proxy or a BlueZ adapter.
BAND_TIMING = LinkTiming(
    connection_interval=interval_of_units(sum(LINUX_CONNECTION_INTERVAL_UNITS) / 2),
    supervision_timeout=LINUX_SUPERVISION_TIMEOUT,
    peripheral_pdus_per_event=MI_BAND_PDUS_PER_EVENT,
)


def _properties(bits: int) -> tuple[CharacteristicPropertyName, ...]:
    """A declaration's property bits as bleak names them."""
    return tuple(name for mask, name in CHARACTERISTIC_PROPERTIES.items() if bits & mask)


type TableLayout = list[tuple[str, int | None, list[tuple[str, int]]]]

# Each: service, its declaration's handle (None: right after the previous one), then each
# characteristic with its declaration's property bits (02 read, 04 write without response, 08
# write, 10 notify, 20 indicate). protocol_tests/test_captures_band.py checks the captured two
# against the captures, handle for handle.

# A Mi Band 1, firmware 1.0.4.9, as Mi Fit discovered it (tests/captures/mibanda_mi_fit_2014).
# No Immediate Alert: firmware before 1.0.10.14 vibrates through FF05.
MI_BAND_1_TABLE: TableLayout = [
    ("1800", 0x01, [("2a00", 0x02), ("2a01", 0x02), ("2a02", 0x0A), ("2a04", 0x02)]),
    ("1801", 0x0C, [("2a05", 0x22)]),
    (
        "fee0",
        0x10,
        [
            ("ff01", 0x02), ("ff02", 0x0A), ("ff03", 0x12), ("ff04", 0x0A), ("ff05", 0x08),
            ("ff06", 0x12), ("ff07", 0x12), ("ff08", 0x04), ("ff09", 0x0A), ("ff0a", 0x0A),
            ("ff0b", 0x0A), ("ff0c", 0x12), ("ff0d", 0x0A), ("ff0e", 0x12), ("ff0f", 0x0A),
        ],
    ),
    ("fee1", 0x34, [("fedd", 0x08), ("fede", 0x02), ("fedf", 0x02)]),
    ("fee7", 0x3B, [("fec7", 0x08), ("fec8", 0x22), ("fec9", 0x02)]),
]  # fmt: skip
# A Mi Band 1S, firmware 4.16.3.7, as Linux discovered it (so37779288_mi_band_1s_hcidump): FF09
# and FF0E also notify, FEE0 ends with FF10 and FEC9, FEE1 has seven characteristics, the
# heart-rate control point reads and writes, the alert level takes writes without response.
MI_BAND_1S_TABLE: TableLayout = [
    ("1800", 0x01, [("2a00", 0x02), ("2a01", 0x02), ("2a02", 0x0A), ("2a04", 0x02)]),
    ("1801", 0x0C, [("2a05", 0x22)]),
    (
        "fee0",
        0x10,
        [
            ("ff01", 0x02), ("ff02", 0x0A), ("ff03", 0x12), ("ff04", 0x0A), ("ff05", 0x08),
            ("ff06", 0x12), ("ff07", 0x12), ("ff08", 0x04), ("ff09", 0x1A), ("ff0a", 0x0A),
            ("ff0b", 0x0A), ("ff0c", 0x12), ("ff0d", 0x0A), ("ff0e", 0x1A), ("ff0f", 0x0A),
            ("ff10", 0x10), ("fec9", 0x02),
        ],
    ),
    (
        "fee1",
        0x3A,
        [
            ("fedd", 0x08), ("fede", 0x02), ("fedf", 0x02), ("fed0", 0x08), ("fed1", 0x08),
            ("fed2", 0x02), ("fed3", 0x08),
        ],
    ),
    ("180d", 0x49, [("2a37", 0x10), ("2a39", 0x0A)]),
    ("1802", 0x4F, [("2a06", 0x04)]),
]  # fmt: skip
# A 1A: nothing captured. Taken as the 1S's table without the heart-rate service (unverified).
MI_BAND_1A_TABLE: TableLayout = [row for row in MI_BAND_1S_TABLE if row[0] != "180d"]


def band_layout(feature: int, hardware: int) -> TableLayout:
    """The table of a band with this feature and hardware (the bytes of its device info)."""
    if hardware in (2, 6):  # a Mi Band 1 (and the Moonbeam, a Mi Band 1 inside)
        return MI_BAND_1_TABLE
    if (feature, hardware) in ((4, 4), (4, 0)) or hardware == 4:
        return MI_BAND_1S_TABLE
    return MI_BAND_1A_TABLE


def band_services(layout: TableLayout = MI_BAND_1S_TABLE) -> list[Service]:
    """A band's GATT table, laid out as `layout` says."""
    return [
        Service(
            _uuid(service),
            [Characteristic(_uuid(uuid), _properties(bits)) for uuid, bits in characteristics],
            handle=handle,
        )
        for service, handle, characteristics in layout
    ]


def vendor_first_services(layout: TableLayout) -> list[Service]:
    """A band's table after a firmware update that puts Xiaomi's vendor service (FEE7) first."""
    vendor: TableLayout = [("fee7", None, [("fec7", 0x08), ("fec8", 0x22), ("fec9", 0x02)])]
    rest: TableLayout = [
        (service, None, chars) for service, _, chars in layout if service != "fee7"
    ]
    return band_services(vendor + rest)


HUAMI_COMPANY_ID = 0x0157


def band_advertisement(address: str, name: str) -> Advertisement:
    """What a 1-series band puts on air, advertisement and scan response apart.

    The Mi Band 1's layout is its capture's, byte for byte (tests/captures/mibanda_mi_fit_2014):
    flags and the services FEE0, FEE1, FEE7 in the advertisement; its name and Huami's company
    id with its address in the scan response. The 1S's advertisement is its hcidump's (StackOverflow
    37779288): flags and six bytes of manufacturer data, of which hcidump printed only the length,
    so their content here (Huami's company id, then the address's last four octets) is
    unverified, as is its scan response (laid out as the Mi Band 1's). The 1A, of which nothing
    was captured, is laid out as the Mi Band 1 (unverified).
    """
    flags = ad_structure(AD_FLAGS, FLAGS_LE_GENERAL_DISCOVERABLE)
    octets = bytes.fromhex(address.replace(":", ""))
    huami = HUAMI_COMPANY_ID.to_bytes(2, "little")
    response = ad_structure(AD_COMPLETE_LOCAL_NAME, name.encode()) + ad_structure(
        AD_MANUFACTURER_DATA, huami + octets
    )
    if name == "MI1S":
        return Advertisement(
            flags + ad_structure(AD_MANUFACTURER_DATA, huami + octets[2:]), response
        )
    services = b"".join(int(short, 16).to_bytes(2, "little") for short in ("fee0", "fee1", "fee7"))
    return Advertisement(flags + ad_structure(AD_COMPLETE_16_BIT_UUIDS, services), response)
