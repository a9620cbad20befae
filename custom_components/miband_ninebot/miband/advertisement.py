"""Recognising a Mi Band 1 / 1A / 1S from what it advertises, passively or actively scanned.

What real bands put on air (docs/verification.md, the captures in tests/captures/):

- A Mi Band 1 (Mi Fit's btsnoop in felipeq/miband): its advertisement carries only flags and the
  16-bit service UUIDs FEE0, FEE1 and FEE7; its name "MI" and manufacturer data (company 0x0157,
  then its own address) come only in the scan response, which a passive scanner never asks for.
- A Mi Band 1S (hcidump in StackOverflow question 37779288, passive scan): flags and one
  manufacturer-specific structure of six bytes, the company id and four bytes nobody printed. No
  service, no name.
- Every 1-series band seen has a public address under Huami's OUIs 88:0F:10 (1, 1A) or C8:0F:10
  (1S); Gadgetbridge and Xiaomi's own MIUI Bluetooth app recognise the family by them.

None of these alone is enough: FEE0 is also on the Mi Band 2 and later; the Mi Band 1 advertises
FEE1 too (so "FEE1 means a Mi Band 2", once our rule and still Gadgetbridge's, refuses a real
Mi Band 1); an Amazfit Moonbeam (88:0F:10, named "MI") and the first Mi Scale (both OUIs) share
the addresses; the Mi Band 2 and later, Amazfit watches and the scales all send company 0x0157
data. So a band is offered when its address is under one of the two OUIs and nothing it sends
contradicts a 1-series band: a name, if heard, is exactly MI, MI1A or MI1S; a 0x0157 payload, if
heard, is the six bytes of its own address (later Huami devices send 24 bytes); no weighing-scale
service (181D, 181B). The config flow then reads the band's device info (FF01) before anything is
written to it, which tells a real 1 / 1A / 1S from a Moonbeam (hardware version 6) that no
advertisement can.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

MILI_SERVICE_UUID = "0000fee0-0000-1000-8000-00805f9b34fb"
HUAMI_COMPANY_ID = 0x0157

# Huami's OUIs for the 1-series (Gadgetbridge's MiBandService.MAC_ADDRESS_FILTER_*).
OUI_MI_BAND_1_1A = "88:0F:10"
OUI_MI_BAND_1S = "C8:0F:10"

MODEL_MI_BAND_1 = "Mi Band 1"
MODEL_MI_BAND_1A = "Mi Band 1A"
MODEL_MI_BAND_1S = "Mi Band 1S"

_MODEL_BY_LOCAL_NAME = {
    "MI": MODEL_MI_BAND_1,
    "MI1A": MODEL_MI_BAND_1A,
    "MI1S": MODEL_MI_BAND_1S,
}
# The first Mi Scale and the body-composition scales share the OUIs and the company id.
_SCALE_SERVICE_UUIDS = frozenset(
    {"0000181d-0000-1000-8000-00805f9b34fb", "0000181b-0000-1000-8000-00805f9b34fb"}
)


def _address_bytes(address: str) -> bytes:
    """An address as Huami's manufacturer data carries it: most significant octet first."""
    return bytes.fromhex(address.replace(":", ""))


def model_from_advertisement(
    address: str,
    local_name: str | None,
    service_uuids: Collection[str],
    manufacturer_data: Mapping[int, bytes],
    service_data: Collection[str] = (),
) -> str | None:
    """The band model an advertisement suggests, or None if it is not a 1-series band.

    `local_name` is None when no name was heard (a passive scan). Without a name, an 88:0F:10
    band is reported as a Mi Band 1: the 1A shares its OUI and its protocol, and the device info
    read at pairing names the model for good.
    """
    oui = address.upper()[:8]
    if oui not in (OUI_MI_BAND_1_1A, OUI_MI_BAND_1S):
        return None
    if local_name is not None and local_name not in _MODEL_BY_LOCAL_NAME:
        return None
    services = {uuid.lower() for uuid in service_uuids} | {uuid.lower() for uuid in service_data}
    if services & _SCALE_SERVICE_UUIDS:
        return None
    huami_data = manufacturer_data.get(HUAMI_COMPANY_ID)
    if huami_data is not None and len(huami_data) >= 6 and huami_data != _address_bytes(address):
        return None  # a later Huami device (24 bytes), or another device's address
    if local_name is not None:
        return _MODEL_BY_LOCAL_NAME[local_name]
    return MODEL_MI_BAND_1S if oui == OUI_MI_BAND_1S else MODEL_MI_BAND_1
