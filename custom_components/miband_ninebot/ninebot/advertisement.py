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
is 0x13 first, six bytes, and that check byte last; anything else under company 0x424E (the Minis,
which speak another protocol) is refused. The A1's data is not documented; an A1 that advertises
like the S2 is offered as one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

UART_SERVICE_UUID = "0000ffe0-0000-1000-8000-00805f9b34fb"

MODEL_ONE_C = "Ninebot One C"
MODEL_ONE_E = "Ninebot One E"
MODEL_ONE_P = "Ninebot One P"
MODEL_ONE_S2 = "Ninebot One S2"

NINEBOT_COMPANY_ID = 0x424E
S2_MANUFACTURER_DATA_START = b"\x13"
S2_MANUFACTURER_DATA_LENGTH = 6

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
    """Return the wheel model an advertisement announces, or None if it is not a Ninebot One."""
    ninebot_data = (manufacturer_data or {}).get(NINEBOT_COMPANY_ID)
    if ninebot_data is not None:
        return MODEL_ONE_S2 if is_s2_manufacturer_data(ninebot_data) else None
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
