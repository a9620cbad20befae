"""A Mi Band 1 that answers with the bytes Mi Fit's capture holds, not with what our notes say.

The capture (tests/captures/mibanda_mi_fit_2014.toml) is a real band's side of two connections:
its advertisement and scan response, its GATT table, what it answered to each read, what it
notified after each write. `ReplayedMiBand` puts that on air through the same link model as the
emulators, so Home Assistant's real Bluetooth stack and the integration meet the real bytes:

- reads of FF01, FF06, FF09, FF0A, FF0B, FF0C answer what the band answered Mi Fit, whatever
  was written before (its clock included: the capture's, December 2014);
- a user-info record with a user id the band knows (the capture's, and any it was tapped for) is
  answered as the first connection's was (05); any other user id as the second connection's
  record was (06, 13, then on a tap 0a, 15);
- FF05 `06` sends the first connection's activity notifications, block and closing header, in
  their order and cut as they were, without waiting for any acknowledgement (as the band did);
  once its block is acknowledged, a later `06` sends the second connection's (no data). That a
  band sends an unacknowledged block again on the next `06` is Gadgetbridge's account, not
  captured;
- an FF09 write is answered with FF03 08, which Gadgetbridge observed (its commit 367091587);
  the capture has no FF09 write. Other writes are taken without an answer, as they were.

One fault to provoke: `hold_closing_header` keeps the first transfer's closing header on the
link until the central's next request, as on a link slower than the central's reaction to a
failed store: it arrives before that request's answer (the link keeps the band's order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES

from ..captures import att, btsnoop, corpus, hci
from ..captures.att import Opcode, Operation
from ..link.gatt import Characteristic, Service
from ..link.peripheral import Advertisement, Connection, Peripheral
from ..link.timing import LinkTiming
from .band_air import BAND_TIMING

MI_FIT_CAPTURE = "mibanda_mi_fit_2014"
_FF03, _FF04, _FF05, _FF07, _FF09 = 0x16, 0x19, 0x1B, 0x20, 0x25
_READ_HANDLES = (0x12, 0x1D, 0x25, 0x27, 0x29, 0x2B)  # FF01 FF06 FF09 FF0A FF0B FF0C
LATENCY_SET = b"\x08"
TAP_CODES = (b"\x0a", b"\x15")


@dataclass(frozen=True, slots=True)
class CapturedBand:
    """What a capture says of one band: how it advertised and answered."""

    address: str
    advertisement: Advertisement
    table: list[att.DiscoveredService]
    reads: dict[int, bytes]  # value handle -> the first answer to a read of it
    known_user_id: int
    authenticated: list[bytes]  # FF03 after the known user's record
    tap_wanted: list[bytes]  # FF03 after another user's record, before the tap
    transfers: list[list[bytes]]  # FF07 after each `06`, one list per connection


def mi_fit_capture(name: str = MI_FIT_CAPTURE) -> CapturedBand:
    """Read a capture of Mi Fit and a Mi Band 1 into what a replay needs."""
    items = hci.decode(btsnoop.from_lines(corpus.load(name).content["btsnoop"]["records"]))
    reports = [item for item in items if isinstance(item, hci.AdvertisingReport)]
    kinds = hci.AdvertisingEventType
    advertisement = Advertisement(
        next(r.data for r in reports if r.event_type is kinds.ADV_IND),
        next(r.data for r in reports if r.event_type is kinds.SCAN_RSP),
        rssi=reports[0].rssi,
    )
    operations = att.operations(items)
    connections = sorted({operation.connection for operation in operations})
    first, second = ([o for o in operations if o.connection == c] for c in connections[:2])
    reads: dict[int, bytes] = {}
    for operation in first:
        if operation.opcode == Opcode.READ_RESPONSE and operation.handle is not None:
            reads.setdefault(operation.handle, operation.value)
    record = _writes(first, _FF04)[0]
    return CapturedBand(
        address=reports[0].address,
        advertisement=advertisement,
        table=att.discovered_table(first),
        reads=reads,
        known_user_id=int.from_bytes(record[0:4], "little"),
        authenticated=_notifications(first, _FF03),
        tap_wanted=[v for v in _notifications(second, _FF03) if v not in TAP_CODES],
        transfers=[_notifications(first, _FF07), _notifications(second, _FF07)],
    )


def _writes(operations: list[Operation], handle: int) -> list[bytes]:
    return [o.value for o in operations if o.opcode == Opcode.WRITE_REQUEST and o.handle == handle]


def _notifications(operations: list[Operation], handle: int) -> list[bytes]:
    return [
        o.value
        for o in operations
        if o.opcode == Opcode.HANDLE_VALUE_NOTIFICATION and o.handle == handle
    ]


def _services(table: list[att.DiscoveredService]) -> list[Service]:
    """The captured table as the emulator serves it, handles and properties as captured."""
    return [
        Service(
            service.uuid,
            [
                Characteristic(
                    char.uuid,
                    tuple(
                        name
                        for mask, name in CHARACTERISTIC_PROPERTIES.items()
                        if char.properties & mask
                    ),
                )
                for char in service.characteristics
            ],
            handle=service.handle,
        )
        for service in table
    ]


@dataclass(slots=True)
class _Replay:
    """Where the replay stands."""

    transfer: int = 0  # the next captured transfer `06` sends
    block_acknowledged: bool = False
    authenticated: bool = False
    pending_user_id: int | None = None  # vibrating for a tap to accept this user id
    known_user_ids: set[int] = field(default_factory=set)
    acknowledgements: list[bytes] = field(default_factory=list)
    held: list[bytes] = field(default_factory=list)  # notifications still on the link


class ReplayedMiBand(Peripheral):
    """The captured band on air (see the module's docstring for what it answers)."""

    def __init__(self, capture: CapturedBand | None = None, *, timing: LinkTiming | None = None):
        """Put the captured band in range."""
        self.capture = capture or mi_fit_capture()
        super().__init__(
            self.capture.address,
            self.capture.advertisement,
            _services(self.capture.table),
            timing=timing or BAND_TIMING,  # as fast as the band sent Mi Fit its notifications
        )
        self.replay = _Replay(known_user_ids={self.capture.known_user_id})
        self.hold_closing_header = False
        self._by_uuid = {
            char.uuid: char.value_handle
            for service in self.capture.table
            for char in service.characteristics
        }

    @property
    def acknowledgements(self) -> list[bytes]:
        """Every FF05 acknowledgement the central wrote, in order."""
        return self.replay.acknowledgements

    @property
    def waiting_for_tap(self) -> bool:
        """Whether the band vibrates, asking for a tap to accept a new user."""
        return self.replay.pending_user_id is not None

    def tap(self) -> bool:
        """The wearer taps the band that asked for it: the second connection's codes follow."""
        replay = self.replay
        if replay.pending_user_id is None:
            return False
        replay.known_user_ids.add(replay.pending_user_id)
        replay.pending_user_id, replay.authenticated = None, True
        for code in TAP_CODES:
            self._notify(_FF03, code)
        return True

    async def on_connect(self, connection: Connection) -> None:
        """Each connection starts unauthenticated."""
        self.replay.authenticated, self.replay.pending_user_id = False, None

    async def on_read(self, char: Characteristic) -> bytes:
        """The capture's answer, whatever was written since."""
        self._release_held()
        handle = self._by_uuid.get(char.uuid)
        if handle in _READ_HANDLES:
            return self.capture.reads[handle]
        return char.value

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        """Answer the writes the capture shows an answer to."""
        self._release_held()
        char.value = data
        handle = self._by_uuid.get(char.uuid)
        if handle == _FF04:
            self._on_user_info(data)
        elif handle == _FF09:
            self._notify(_FF03, LATENCY_SET)
        elif handle == _FF05 and data == b"\x06":
            self._on_fetch()
        elif handle == _FF05 and data[:1] == b"\x0a":
            self.replay.acknowledgements.append(data)
            if data[7:9] != b"\x00\x00":  # a block's, not the closing header's
                self.replay.block_acknowledged = True

    def _on_user_info(self, record: bytes) -> None:
        user_id = int.from_bytes(record[0:4], "little")
        if user_id in self.replay.known_user_ids:
            self.replay.authenticated = True
            codes = self.capture.authenticated
        else:
            self.replay.pending_user_id = user_id
            codes = self.capture.tap_wanted
        for code in codes:
            self._notify(_FF03, code)

    def _on_fetch(self) -> None:
        replay = self.replay
        if replay.block_acknowledged and replay.transfer == 0:
            replay.transfer = 1
        transfers = self.capture.transfers
        notifications = transfers[min(replay.transfer, len(transfers) - 1)]
        if self.hold_closing_header:
            self.hold_closing_header = False
            notifications, replay.held = notifications[:-1], notifications[-1:]
        for notification in notifications:
            self._notify(_FF07, notification)

    def _release_held(self) -> None:
        held, self.replay.held = self.replay.held, []
        for notification in held:
            self._notify(_FF07, notification)

    def _notify(self, handle: int, data: bytes) -> None:
        uuid = next(uuid for uuid, value_handle in self._by_uuid.items() if value_handle == handle)
        self.notify(uuid, data, in_reply=True)


ONE_E_PLUS_CAPTURE = "ninebotclienttest_issue6_one_e_plus"


def one_e_plus_frames(name: str = ONE_E_PLUS_CAPTURE) -> list[bytes]:
    """The answer frames NinebotClientTest printed for a One E+ (9BMetrics issue 6), in order."""
    return [bytes.fromhex(entry["hex"]) for entry in corpus.load(name).content["frames"]]


class ReplayedNinebotOne(Peripheral):
    """A One E+ that answers with the frames NinebotClientTest captured from one, nothing else.

    A read request is answered with the captured frames that carry any of the registers asked
    for, in their order, as one byte stream cut into 20-byte notifications: the wheel's bridge
    streams its answers, and the 9BMetrics protocol page shows an E+ cutting them so, across
    frame boundaries. Registers no capture shows (the lifetime runtime 0x32-0x33, the lock) get
    no answer. Writes are taken and not answered. Its advertisement (a name starting "NOE", the
    FFE0 service) and its table (FFE0 with one characteristic, FFE1) follow the notes: no
    capture of either exists (unverified).
    """

    def __init__(
        self,
        address: str = "E0:E5:CF:00:0E:01",
        *,
        frames: list[bytes] | None = None,
        timing: LinkTiming | None = None,
    ) -> None:
        """Put the replayed wheel in range."""
        super().__init__(
            address,
            Advertisement.of("NOE002", [_UART_SERVICE]),
            [
                Service(
                    _UART_SERVICE,
                    [Characteristic(_UART, ("read", "write-without-response", "notify"))],
                )
            ],
            timing=timing,
        )
        self.frames = frames or one_e_plus_frames()
        self.written: list[bytes] = []  # every frame the central wrote

    async def on_write(self, char: Characteristic, data: bytes, with_response: bool) -> None:
        """Answer a read request with the captured frames it asks for."""
        self.written.append(data)
        if len(data) != 9 or data[:2] != b"\x55\xaa" or data[4] != 0x01:
            return  # not a read request: taken, not answered
        asked = set(range(data[5], data[5] + data[6] // 2))
        stream = b"".join(f for f in self.frames if asked & _registers_of(f))
        for at in range(0, len(stream), self.timing.payload_per_pdu):
            self.notify(_UART, stream[at : at + self.timing.payload_per_pdu], in_reply=True)


_UART_SERVICE = "0000ffe0-0000-1000-8000-00805f9b34fb"
_UART = "0000ffe1-0000-1000-8000-00805f9b34fb"


def _registers_of(frame: bytes) -> set[int]:
    """The registers an answer frame carries: from its index, one per two data bytes."""
    return set(range(frame[5], frame[5] + (frame[2] - 2) // 2))
