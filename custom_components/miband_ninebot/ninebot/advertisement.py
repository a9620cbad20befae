"""Recognising a Ninebot One from what it advertises.

The C / E / E+ / P's BLE bridge offers a serial-style service FFE0 that KingSong and Gotway wheels
and generic HM-10 modules share, so the service alone proves nothing: the local name prefix ("NOC",
"NOE", "NOP") is what identifies the model family. The E and the E+ share "NOE" and the model
letters of their serial numbers ("OE"), so they are one model here.

The S2 speaks the same registers over the Nordic UART service, which countless devices offer. It
is told by its manufacturer data: company 0x424E ("NB"), then 0x13 (WheelLog's `detectWheel`:
`13 00 00 00 00 ec` and `13 02 00 00 00 ea`). Ninebot's Minis carry the same company with 0x14,
0x20, 0x22 or 0x30 first and speak another protocol: they must not match. The A1's data is not
documented; an A1 that advertises like the S2 is offered as one.
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
    ninebot_data = (manufacturer_data or {}).get(NINEBOT_COMPANY_ID, b"")
    if ninebot_data.startswith(S2_MANUFACTURER_DATA_START):
        return MODEL_ONE_S2
    if UART_SERVICE_UUID not in {uuid.lower() for uuid in service_uuids}:
        return None
    return _MODEL_BY_NAME_PREFIX.get((local_name or "")[:3])
