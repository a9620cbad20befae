"""Recognising a Ninebot One from what it advertises.

The C / E / E+ / P's BLE bridge offers a serial-style service FFE0 that KingSong and Gotway wheels
and generic HM-10 modules share, so the service alone proves nothing: the local name prefix ("NOC",
"NOE", "NOP") is what identifies the model family. The E and the E+ share "NOE" and the model
letters of their serial numbers ("OE"), so they are one model here.

The S2 speaks the same registers over the Nordic UART service, which countless devices offer. It
is told by its manufacturer data under company 0x424E ("NB"). WheelLog's `detectWheel` compares
the whole payload for equality with `13 00 00 00 00 ec` or `13 02 00 00 00 ea`
(WheelData.java L1257 at a21ccb32). Both, and the four patterns it takes for a Mini (`14 00 00 00
00 eb`, `20 ... df`, `22 ... dd`, `30 cf`), end with the one's complement of the sum of the bytes
before it. Generalising WheelLog's two patterns (an inference, not a documented rule), an S2 here
is 0x13 first, six bytes, and that check byte last. WheelLog's four Mini patterns are refused
(the Minis speak another protocol). The A1's data is not documented; an A1 that advertises like
the S2 is offered as one.

The One Z6 / Z8 / Z10 advertise company 0x424E too (eucWatch's scan filters, `manufacturer:
16974`) and a name starting "N3" (eucWatch's `namePrefix: 'N3'`); what their data holds is not
documented anywhere. WheelLog takes a wheel whose Ninebot data matches none of the six patterns
for a Z, once its GATT table (the Nordic UART service) agrees. So does this module: Ninebot data
that is neither an S2's nor a Mini's, under a name starting "N3" or none heard (a passive scan),
is a Z candidate; a name heard that is not a Z's (a Ninebot scooter's) is refused. The config
flow's check then decides: the wheel must answer a 5A A5 read on the Nordic UART service.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

UART_SERVICE_UUID = "0000ffe0-0000-1000-8000-00805f9b34fb"

MODEL_ONE_C = "Ninebot One C"
MODEL_ONE_E = "Ninebot One E"
MODEL_ONE_P = "Ninebot One P"
MODEL_ONE_S2 = "Ninebot One S2"
# WheelLog names every Z "Ninebot Z" (`parseSerialNumber`); no source tells a Z6, Z8 and Z10
# apart by serial or advertisement.
MODEL_ONE_Z = "Ninebot One Z"
Z_NAME_PREFIX = "N3"

NINEBOT_COMPANY_ID = 0x424E
S2_MANUFACTURER_DATA_START = b"\x13"
S2_MANUFACTURER_DATA_LENGTH = 6
# WheelLog's Mini patterns, compared whole (WheelData.java L1257 at a21ccb32).
MINI_MANUFACTURER_DATA = frozenset(
    bytes.fromhex(pattern) for pattern in ("1400000000eb", "2000000000df", "2200000000dd", "30cf")
)

_MODEL_BY_NAME_PREFIX = {
    "NOC": MODEL_ONE_C,
    "NOE": MODEL_ONE_E,
    "NOP": MODEL_ONE_P,
}


def model_from_advertisement(
    local_name: str | None,
    service_uuids: Collection[str],
    manufacturer_data: Mapping[int, bytes] | None = None,
) -> str | None:
    """Return the wheel model an advertisement announces, or None if it is not a Ninebot One.

    `local_name` is None where no name was heard (a passive scan without the scan response).
    """
    ninebot_data = (manufacturer_data or {}).get(NINEBOT_COMPANY_ID)
    if ninebot_data is not None:
        if is_s2_manufacturer_data(ninebot_data):
            return MODEL_ONE_S2
        if ninebot_data in MINI_MANUFACTURER_DATA:
            return None
        if local_name is None or local_name.startswith(Z_NAME_PREFIX):
            return MODEL_ONE_Z
        return None
    if UART_SERVICE_UUID not in {uuid.lower() for uuid in service_uuids}:
        return None
    return _MODEL_BY_NAME_PREFIX.get((local_name or "")[:3])


def is_s2_manufacturer_data(data: bytes) -> bool:
    """Whether Ninebot's manufacturer data (after the company id) is an S2's.

    0x13 first, six bytes, the last the one's complement of the sum of the others: this
    generalises WheelLog's two exact S2 patterns (an inference; see the module's docstring).
    """
    return (
        len(data) == S2_MANUFACTURER_DATA_LENGTH
        and data.startswith(S2_MANUFACTURER_DATA_START)
        and data[-1] == ~sum(data[:-1]) & 0xFF
    )
