"""Cutting a notification stream back into frames, whatever the framing: 55 AA or 5A A5.

Both of the wheel's framings (docs/protocols/ninebot-one.md section 2.1, ninebot-one-z.md
section 2) start with a two-byte header, carry a length in their third byte and end with the same
checksum, and both arrive cut anywhere by the notifications. What differs (the header, how the
length counts, the frame's fields, the Z's optional XOR) is a `Framing`; the search for frames is
written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


def checksum(body: bytes) -> bytes:
    """The two checksum bytes for `body` = LEN through the last data byte (both framings)."""
    value = ~sum(body) & 0xFFFF
    return value.to_bytes(2, "little")


def words(index: int, data: bytes) -> dict[int, int]:
    """The 16-bit little-endian words `data` carries, by register, the first being `index`."""
    return {
        (index + n) & 0xFF: int.from_bytes(data[2 * n : 2 * n + 2], "little")
        for n in range(len(data) // 2)
    }


class Framing[F](Protocol):
    """What one framing fixes: its header, its length bounds and how a frame is read."""

    @property
    def header(self) -> bytes:
        """The two bytes every frame starts with."""

    @property
    def min_length(self) -> int:
        """The smallest LEN a frame can carry."""

    @property
    def max_length(self) -> int:
        """The largest LEN any frame of the protocol carries."""

    @property
    def overhead(self) -> int:
        """Bytes of a frame beyond its LEN: a frame is LEN + overhead bytes."""

    def parse(self, raw: bytes) -> F | None:
        """The frame `raw` (exactly one frame's bytes) holds, or None if its checksum is wrong."""


@dataclass(slots=True)
class DecoderStats:
    """What a decoder rejected, for diagnostics."""

    frames: int = 0
    cut_frames: int = 0
    bad_checksums: int = 0
    bad_lengths: int = 0
    skipped_bytes: int = 0


@dataclass(slots=True)
class FrameDecoder[F]:
    """Turns notification payloads, cut anywhere, back into frames.

    Never raises. Bytes before a header are skipped; a length outside the protocol's bounds or a
    wrong checksum discards only the header's first byte and searches again, because a value can
    contain the header (the One's register 0x25 = 0xAA55 is sent as 55 AA) and a false header
    must not swallow the real frame that follows. A frame cut short (a lost notification) is
    dropped as soon as a complete frame follows it, rather than holding that frame back until
    more bytes arrive.
    """

    framing: Framing[F]
    stats: DecoderStats = field(default_factory=DecoderStats)
    _buffer: bytearray = field(default_factory=bytearray)

    def feed(self, chunk: bytes | bytearray) -> list[F]:
        """Add one notification's bytes; return the frames completed by it."""
        framing, buffer = self.framing, self._buffer
        header = framing.header
        buffer += chunk
        frames: list[F] = []
        while True:
            start = buffer.find(header)
            if start < 0:
                # Keep a trailing first header byte: it may be the first half of a header.
                keep = 1 if buffer.endswith(header[:1]) else 0
                self._skip(len(buffer) - keep)
                return frames
            self._skip(start)
            if len(buffer) < 3:
                return frames
            length = buffer[2]
            if not framing.min_length <= length <= framing.max_length:
                self.stats.bad_lengths += 1
                self._skip(1)
                continue
            total = length + framing.overhead
            if len(buffer) < total:
                # A frame cut short by a lost notification must not hold back the frames after
                # it: if a later header already starts a complete frame, this one never will.
                if (later := self._complete_frame_after_start()) is None:
                    return frames
                self.stats.cut_frames += 1
                self._skip(later)
                continue
            frame = framing.parse(bytes(buffer[:total]))
            if frame is None:
                self.stats.bad_checksums += 1
                self._skip(1)
                continue
            del buffer[:total]
            self.stats.frames += 1
            frames.append(frame)

    def _complete_frame_after_start(self) -> int | None:
        """Offset of the first later header that starts a complete, valid frame, if any.

        A real frame rarely hides one inside it (the One's answers carry at most 6 data bytes,
        fewer than its smallest frame; the S2's and the Z's longer ones could, if their data
        happened to spell a whole frame with a valid checksum), so this is only looked for once
        the frame around it has been cut short.
        """
        framing, buffer = self.framing, self._buffer
        position = buffer.find(framing.header, 1)
        while 0 < position <= len(buffer) - (framing.min_length + framing.overhead):
            length = buffer[position + 2]
            end = position + length + framing.overhead
            if (
                framing.min_length <= length <= framing.max_length
                and end <= len(buffer)
                and framing.parse(bytes(buffer[position:end])) is not None
            ):
                return position
            position = buffer.find(framing.header, position + 1)
        return None

    def reset(self) -> None:
        """Forget a partial frame (after a reconnect the stream starts afresh)."""
        self._skip(len(self._buffer))

    def _skip(self, count: int) -> None:
        if count:
            del self._buffer[:count]
            self.stats.skipped_bytes += count
