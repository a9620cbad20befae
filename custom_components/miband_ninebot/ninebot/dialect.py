"""How the session's requests and answers look on the wire: 55 AA (One C/E/P, A1/S2) or 5A A5 (Z).

The conversation (`client.NinebotClient`) is the same for every wheel: read registers, wait until
they have all arrived, write one at a standstill and read it back. What differs is the framing,
who answers (a Z's battery packs answer for themselves), and whether a key can be asked for. A
dialect turns requests into bytes and notifications into `ReadAnswer`, `WriteAnswer` and
`KeyAnswer`; None for a well-formed frame that is not for us.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import protocol, protocol_z
from .framing import DecoderStats
from .transport import UNIT_CONTROLLER, ReadRequest, Transport


@dataclass(frozen=True, slots=True)
class ReadAnswer:
    """Registers of `unit` (the controller, or a Z's battery pack)."""

    unit: int
    registers: dict[int, int]


@dataclass(frozen=True, slots=True)
class WriteAnswer:
    """The wheel's answer to an answered write of register `index`."""

    index: int
    data: bytes


@dataclass(frozen=True, slots=True)
class KeyAnswer:
    """A Z gave its key: from now on the conversation is XORed with it."""


type Answer = ReadAnswer | WriteAnswer | KeyAnswer


class Dialect(Protocol):
    """Requests to bytes, notifications to answers."""

    @property
    def stats(self) -> DecoderStats:
        """What the stream decoder rejected."""

    def read(self, request: ReadRequest) -> bytes:
        """A read request's bytes."""

    def write(self, index: int, value: int) -> bytes:
        """A one-register write's bytes, in the variant's write command."""

    def key_request(self) -> bytes | None:
        """The key request's bytes; None in a framing without a key (55 AA)."""

    def feed(self, chunk: bytes | bytearray) -> list[Answer | None]:
        """One notification's answers; None for each frame that is not for us."""

    def reset(self) -> None:
        """A new connection: no partial frame, no key."""


class LegacyDialect:
    """55 AA: the variant's address both ways, answers keep the request's command."""

    def __init__(self, variant: protocol.Variant) -> None:
        """Speak to a wheel of `variant`."""
        self._variant = variant
        self._decoder = protocol.StreamDecoder()

    @property
    def stats(self) -> DecoderStats:
        """What the stream decoder rejected."""
        return self._decoder.stats

    def read(self, request: ReadRequest) -> bytes:
        """A read request's bytes."""
        return protocol.encode_read(request.first, request.count, self._variant.address)

    def write(self, index: int, value: int) -> bytes:
        """A one-register write's bytes."""
        variant = self._variant
        return protocol.encode_write(index, value, variant.address, variant.write_command)

    def key_request(self) -> None:
        """There is no key in 55 AA."""
        return

    def feed(self, chunk: bytes | bytearray) -> list[Answer | None]:
        """Real answers keep the request's ADDR and CMD.

        `09 01` from a One E+ (the 9BMetrics protocol page), `11 01` from an S2 (9BMetrics issue
        6, `55 AA 04 11 01 22 61 00 66 FF`).
        """
        address = self._variant.address
        answers: list[Answer | None] = []
        for frame in self._decoder.feed(chunk):
            if frame.address != address:
                answers.append(None)
            elif frame.command == protocol.COMMAND_READ:
                answers.append(ReadAnswer(UNIT_CONTROLLER, frame.registers()))
            elif frame.command == protocol.COMMAND_WRITE:
                answers.append(WriteAnswer(frame.index, frame.data))
            else:
                answers.append(None)
        return answers

    def reset(self) -> None:
        """Forget a partial frame."""
        self._decoder.reset()


class ZDialect:
    """5A A5: the app asks each unit; answers (0x04) come back from it; an optional key."""

    def __init__(self) -> None:
        """Speak to a Z, in plaintext until it gives a key."""
        self._decoder = protocol_z.ZStreamDecoder()

    @property
    def stats(self) -> DecoderStats:
        """What the stream decoder rejected."""
        return self._decoder.stats

    def read(self, request: ReadRequest) -> bytes:
        """A read request's bytes, ciphered if a key was given."""
        frame = protocol_z.encode_read(request.first, request.count, request.unit)
        return self._decoder.framing.encode(frame)

    def write(self, index: int, value: int) -> bytes:
        """A one-register write to the controller."""
        return self._decoder.framing.encode(protocol_z.encode_write(index, value))

    def key_request(self) -> bytes:
        """The key request, `5A A5 00 3E 16 5B 00 ck`."""
        return self._decoder.framing.encode(protocol_z.KEY_REQUEST)

    def feed(self, chunk: bytes | bytearray) -> list[Answer | None]:
        """Answers to the app; a key generator's answer changes the gamma at once."""
        framing = self._decoder.framing
        answers: list[Answer | None] = []
        for frame in self._decoder.feed(chunk):
            if frame.destination != protocol_z.ADDRESS_APP:
                answers.append(None)
            elif frame.command == protocol_z.COMMAND_ANSWER:
                answers.append(ReadAnswer(frame.source, frame.registers()))
            elif (gamma := protocol_z.key_from_answer(frame)) is not None:
                # A Z sends nothing more until asked again, so no frame ciphered with the new
                # gamma can be in the buffer already.
                framing.gamma = gamma
                answers.append(KeyAnswer())
            else:
                answers.append(None)
        return answers

    def reset(self) -> None:
        """Forget a partial frame and the key: a new connection starts in plaintext."""
        self._decoder.reset()
        self._decoder.framing.gamma = bytes(protocol_z.GAMMA_LENGTH)


def dialect_for(transport: Transport) -> Dialect:
    """The dialect a transport's wheel speaks."""
    return ZDialect() if transport.z_frames else LegacyDialect(transport.variant)
