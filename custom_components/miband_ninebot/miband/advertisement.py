"""Recognising a Mi Band 1 / 1A / 1S from what it advertises.

The three models announce themselves by local name: "MI" (Mi Band 1), "MI1A" and "MI1S". The
Mi Band 2 and later advertise "MI Band 2"-style names and the FEE1 service; they speak an
AES-authenticated protocol this package does not implement, so FEE1 rules a device out even when
its name would match.
"""

from __future__ import annotations

from collections.abc import Collection

MILI_SERVICE_UUID = "0000fee0-0000-1000-8000-00805f9b34fb"
# Present on the Mi Band 2 and later, absent on the 1-series (Gadgetbridge's own test).
LATER_BAND_SERVICE_UUID = "0000fee1-0000-1000-8000-00805f9b34fb"

MODEL_MI_BAND_1 = "Mi Band 1"
MODEL_MI_BAND_1A = "Mi Band 1A"
MODEL_MI_BAND_1S = "Mi Band 1S"

_MODEL_BY_LOCAL_NAME = {
    "MI": MODEL_MI_BAND_1,
    "MI1A": MODEL_MI_BAND_1A,
    "MI1S": MODEL_MI_BAND_1S,
}


def model_from_advertisement(local_name: str | None, service_uuids: Collection[str]) -> str | None:
    """Return the band model an advertisement announces, or None if it is not a 1-series band."""
    uuids = {uuid.lower() for uuid in service_uuids}
    if LATER_BAND_SERVICE_UUID in uuids:
        return None
    model = _MODEL_BY_LOCAL_NAME.get(local_name or "")
    # "MI" on its own is too generic a name to trust without the band's own service.
    if model == MODEL_MI_BAND_1 and MILI_SERVICE_UUID not in uuids:
        return None
    return model
