"""Recognising a Ninebot One C / E / E+ / P from what it advertises.

The wheel's BLE bridge offers a serial-style service FFE0 that KingSong and Gotway wheels and
generic HM-10 modules share, so the service alone proves nothing: the local name prefix ("NOC",
"NOE", "NOP") is what identifies the model family. The E and the E+ share "NOE" and the model
letters of their serial numbers ("OE"), so they are one model here.
"""

from __future__ import annotations

from collections.abc import Collection

UART_SERVICE_UUID = "0000ffe0-0000-1000-8000-00805f9b34fb"

MODEL_ONE_C = "Ninebot One C"
MODEL_ONE_E = "Ninebot One E"
MODEL_ONE_P = "Ninebot One P"

_MODEL_BY_NAME_PREFIX = {
    "NOC": MODEL_ONE_C,
    "NOE": MODEL_ONE_E,
    "NOP": MODEL_ONE_P,
}


def model_from_advertisement(local_name: str | None, service_uuids: Collection[str]) -> str | None:
    """Return the wheel model an advertisement announces, or None if it is not a Ninebot One."""
    if UART_SERVICE_UUID not in {uuid.lower() for uuid in service_uuids}:
        return None
    return _MODEL_BY_NAME_PREFIX.get((local_name or "")[:3])
