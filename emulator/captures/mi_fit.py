"""Mi Fit's capture of a Mi Band 1 (mibanda's btsnoop, tests/captures/), decoded to ATT.

The capture's two connections and the band's value handles, as its own GATT table gives them
(protocol_protocol_tests/test_captures_band.py checks the table).
"""

from __future__ import annotations

from emulator.captures import att, btsnoop, corpus, hci
from emulator.captures.att import Operation

MI_FIT = "mibanda_mi_fit_2014"

# Mi Band 1's value handles, as its own GATT table gives them
# (checked in protocol_protocol_tests/test_captures_band.py).
FF01, FF03, FF04, FF05, FF06, FF07, FF09, FF0A, FF0C = (
    0x12, 0x16, 0x19, 0x1B, 0x1D, 0x20, 0x25, 0x27, 0x2B,
)  # fmt: skip
FIRST, SECOND = 2, 3  # the capture's two connections (HCI handles)


def mi_fit_items() -> list[hci.HciItem]:
    """The capture's HCI items, in order."""
    records = corpus.load(MI_FIT).content["btsnoop"]["records"]
    return hci.decode(btsnoop.from_lines(records))


def mi_fit_operations(connection: int | None = None) -> list[Operation]:
    """The capture's ATT operations, of one connection (an HCI handle) or of both (None)."""
    operations = att.operations(mi_fit_items())
    return [o for o in operations if connection is None or o.connection == connection]


def values_of(operations: list[Operation], opcode: int, handle: int) -> list[bytes]:
    """The values of the operations with this opcode on this handle, in order."""
    return [o.value for o in operations if o.opcode == opcode and o.handle == handle]
