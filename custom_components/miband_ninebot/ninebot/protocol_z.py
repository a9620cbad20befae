"""The Ninebot One Z6 / Z8 / Z10's "5A A5" protocol: frames, the optional XOR, registers.

A frame, in both directions (docs/protocols/ninebot-one-z.md, section 2; WheelLog's
`NinebotZAdapter.CANMessage` at a21ccb32, checked against its Z10 test's frames in
`tests/captures/wheellog_z10_adapter_test.toml`):

    5A A5  LEN  SRC  DST  CMD  IDX  DATA[LEN]  CK0 CK1

Unlike 55 AA, LEN counts the data alone, and a frame names its source and destination: the app
(0x3E), the controller (0x14), the battery packs (0x11, 0x12), the key generator (0x16). A read
(0x01) carries one data byte, the number of bytes wanted; its answer (0x04) comes back in one
frame from the unit read, to the app. The checksum is the 55 AA one over LEN..DATA.

Once a Z has answered a key request, every byte after LEN is XORed with the 16 bytes of its
answer, its "gamma" (`ZFraming.gamma`), in both directions; the checksum is the plaintext's.
WheelLog and eucWatch never request the key today and talk to Z10s in plaintext.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .framing import FrameDecoder, checksum, words
from .protocol import SPEED, Variant

HEADER = b"\x5a\xa5"
ADDRESS_APP = 0x3E
ADDRESS_CONTROLLER = 0x14
ADDRESS_PACK_1, ADDRESS_PACK_2 = 0x11, 0x12
ADDRESS_KEY = 0x16
PACK_ADDRESSES = (ADDRESS_PACK_1, ADDRESS_PACK_2)
COMMAND_READ = 0x01
COMMAND_WRITE = 0x03  # answered by nothing: WheelLog reads the parameters back after a write
COMMAND_ANSWER = 0x04
COMMAND_KEY = 0x5B
GAMMA_LENGTH = 16

# LEN counts the data only: 0 for the key request; the largest answer asked for is a pack's
# 34-byte identity block (0x22), the largest WheelLog reads.
MIN_LENGTH = 0
MAX_LENGTH = 0x22
_OVERHEAD = 9  # header 2, LEN, SRC, DST, CMD, IDX, checksum 2
_PLAINTEXT = bytes(GAMMA_LENGTH)


def _xor(frame: bytes, gamma: bytes) -> bytes:
    """XOR every byte after LEN with the gamma (WheelLog's `crypto`); its own inverse."""
    if gamma == _PLAINTEXT:
        return frame
    head, tail = frame[:3], frame[3:]
    return head + bytes(b ^ gamma[j % GAMMA_LENGTH] for j, b in enumerate(tail))


@dataclass(frozen=True, slots=True)
class ZFrame:
    """One 5A A5 frame, in plaintext."""

    source: int
    destination: int
    command: int
    index: int
    data: bytes

    def encode(self, gamma: bytes = _PLAINTEXT) -> bytes:
        """The frame's bytes on the wire, XORed with `gamma` once a key was given."""
        body = bytes((len(self.data), self.source, self.destination, self.command, self.index))
        body += self.data
        return _xor(HEADER + body + checksum(body), gamma)

    def registers(self) -> dict[int, int]:
        """The 16-bit little-endian words a read answer carries, by register index."""
        return words(self.index, self.data)


def encode_read(index: int, registers: int, unit: int = ADDRESS_CONTROLLER) -> ZFrame:
    """A request to `unit` for `registers` consecutive registers from `index`."""
    if not 0 <= index <= 0xFF or not 1 <= registers <= MAX_LENGTH // 2:
        raise ValueError(f"cannot read {registers} registers at 0x{index:02x}")
    return ZFrame(ADDRESS_APP, unit, COMMAND_READ, index, bytes((2 * registers,)))


def encode_write(index: int, value: int) -> ZFrame:
    """A one-register write to the controller, the value as a little-endian word.

    As WheelLog writes the lock, `5A A5 02 3E 14 03 70 01 00 ck` (`setLockMode`), and its
    tested drive-flag write `5a a5 02 3e 14 03 d3 01 00 d4 fe`.
    """
    if not 0 <= index <= 0xFF or not 0 <= value <= 0xFFFF:
        raise ValueError(f"cannot write {value} to 0x{index:02x}")
    return ZFrame(
        ADDRESS_APP, ADDRESS_CONTROLLER, COMMAND_WRITE, index, value.to_bytes(2, "little")
    )


# WheelLog's `getKey`: `5A A5 00 3E 16 5B 00 ck`, answered by the key generator with CMD 0x5B
# and 16 data bytes (the Z10 test's `5aa510163e5b01...`, IDX 0x01).
KEY_REQUEST = ZFrame(ADDRESS_APP, ADDRESS_KEY, COMMAND_KEY, 0x00, b"")


def key_from_answer(frame: ZFrame) -> bytes | None:
    """The gamma a key generator's answer gives, or None if `frame` is not one."""
    if (
        frame.source == ADDRESS_KEY
        and frame.command == COMMAND_KEY
        and len(frame.data) == GAMMA_LENGTH
    ):
        return frame.data
    return None


@dataclass(slots=True)
class ZFraming:
    """The 5A A5 framing, with the gamma of the conversation (zero: plaintext)."""

    gamma: bytes = _PLAINTEXT
    header: bytes = HEADER
    min_length: int = MIN_LENGTH
    max_length: int = MAX_LENGTH
    overhead: int = _OVERHEAD

    def parse(self, raw: bytes) -> ZFrame | None:
        """The frame `raw` holds once deciphered, or None if its checksum is wrong."""
        plain = _xor(raw, self.gamma)
        body = plain[2:-2]
        if checksum(body) != plain[-2:]:
            return None
        return ZFrame(body[1], body[2], body[3], body[4], body[5:])

    def encode(self, frame: ZFrame) -> bytes:
        """`frame` on the wire, with this conversation's gamma."""
        return frame.encode(self.gamma)


class ZStreamDecoder(FrameDecoder[ZFrame]):
    """The 5A A5 stream decoder; `framing.gamma` follows the conversation's key."""

    framing: ZFraming

    def __init__(self) -> None:
        """A plaintext decoder with an empty buffer."""
        super().__init__(ZFraming())


# -- registers (docs/protocols/ninebot-one-z.md, section 3) ----------------------------------------
# The controller's live block 0xB0-0xBF is the One's map (WheelLog `parseLiveData`, its Z10 test),
# with the speed and average speed in 0.01 km/h; the registers below are the Z's own.

SERIAL_FIRST, SERIAL_COUNT = 0x10, 7  # WheelLog reads 0x0E bytes: "N3OTC2020T0001"
# 0x1A: the version word, then error1 | error2 << 8, then warning1 | warning2 << 8 (WheelLog's
# `parseVersionNumber` reads these six bytes; its Z10 test gives "0.7.7", errors 25 and 24).
VERSION_FIRST, VERSION_COUNT = 0x1A, 3
ERRORS = 0x1B  # then 0x1C: warning1 | warning2 << 8
BLE_VERSION = 0x68  # the first register WheelLog asks a Z for; it never decodes the answer
LIVE_LAST = 0xBD  # current; 0xBE-0xBF repeat the speeds, so the live read stops here


def version_errors(registers: Mapping[int, int]) -> tuple[int, ...]:
    """The error codes the version block reports (error1, error2), those that are set."""
    word = registers.get(ERRORS, 0)
    return tuple(code for code in (word & 0xFF, word >> 8) if code)


# Speed 0xB5 and average speed 0xB6 in 0.01 km/h: the Z10 test's 0x0A9C is 27.16 km/h
# (`speedDouble`) and 0x057A its average. Writes with 0x03, unanswered (above).
ONE_Z = Variant(
    ADDRESS_CONTROLLER,
    COMMAND_WRITE,
    SPEED,
    100,
    average_speed_divisor=100,
    lock_in_flags=False,
)
