"""Both wheel framings (55 AA, 5A A5) against any stream, by property: one decoder, two framings.

Cut anywhere, garbage between frames, any bytes at all: every real frame comes out, in order, and
the decoder never raises. The Z's frames are also tried under a key (XOR gamma).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from hypothesis import given, settings, strategies as st
from ninebot import protocol, protocol_z
from ninebot.framing import FrameDecoder
from ninebot.protocol import Frame, StreamDecoder
from ninebot.protocol_z import ZFrame, ZStreamDecoder
import pytest

PLAINTEXT = bytes(16)


@dataclass(frozen=True)
class Codec:
    """One framing as the properties need it."""

    frames: st.SearchStrategy[Any]  # one frame
    gammas: st.SearchStrategy[bytes]
    encode: Callable[[Any, bytes], bytes]
    decoder: Callable[[bytes], FrameDecoder[Any]]
    longest: int  # bytes of the longest possible frame


def _z_decoder(gamma: bytes) -> FrameDecoder[ZFrame]:
    decoder = ZStreamDecoder()
    decoder.framing.gamma = gamma
    return decoder


LEGACY = Codec(
    frames=st.builds(
        Frame,
        address=st.sampled_from([protocol.ADDRESS_ONE, protocol.ADDRESS_ONE_S2]),
        command=st.sampled_from(
            [protocol.COMMAND_READ, protocol.COMMAND_WRITE, protocol.COMMAND_WRITE_NO_RESPONSE]
        ),
        index=st.integers(0, 0xFF),
        data=st.binary(max_size=protocol.MAX_LENGTH - 2),
    ),
    gammas=st.just(PLAINTEXT),
    encode=lambda frame, _gamma: frame.encode(),
    decoder=lambda _gamma: StreamDecoder(),
    longest=protocol.MAX_LENGTH + 6,
)
Z = Codec(
    frames=st.builds(
        ZFrame,
        source=st.sampled_from(
            [protocol_z.ADDRESS_CONTROLLER, protocol_z.ADDRESS_PACK_1, protocol_z.ADDRESS_KEY]
        ),
        destination=st.just(protocol_z.ADDRESS_APP),
        command=st.sampled_from([protocol_z.COMMAND_ANSWER, protocol_z.COMMAND_KEY]),
        index=st.integers(0, 0xFF),
        data=st.binary(max_size=protocol_z.MAX_LENGTH),
    ),
    gammas=st.one_of(st.just(PLAINTEXT), st.binary(min_size=16, max_size=16)),
    encode=lambda frame, gamma: frame.encode(gamma),
    decoder=_z_decoder,
    longest=protocol_z.MAX_LENGTH + 9,
)
CODECS = pytest.mark.parametrize("codec", [LEGACY, Z], ids=["55aa", "5aa5"])


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in pairwise(points)]


@CODECS
@settings(max_examples=300, deadline=None)
@given(data=st.data(), cuts=st.lists(st.integers(0, 10_000), max_size=40))
def test_any_chunking_yields_the_same_frames(
    codec: Codec, data: st.DataObject, cuts: list[int]
) -> None:
    frames = data.draw(st.lists(codec.frames, max_size=12))
    gamma = data.draw(codec.gammas)
    stream = b"".join(codec.encode(frame, gamma) for frame in frames)
    decoder = codec.decoder(gamma)
    decoded = [f for chunk in _chunked(stream, cuts) for f in decoder.feed(chunk)]
    assert decoded == frames
    assert decoder.stats.skipped_bytes == 0


@CODECS
@settings(max_examples=300, deadline=None)
@given(data=st.data(), cuts=st.lists(st.integers(0, 10_000), max_size=40))
def test_garbage_between_frames_never_loses_a_frame(
    codec: Codec, data: st.DataObject, cuts: list[int]
) -> None:
    frames = data.draw(st.lists(codec.frames, max_size=12))
    # Noise as it happens: random bytes, and frames cut short by a lost notification.
    noise = st.one_of(
        st.binary(max_size=30),
        st.builds(
            lambda wire, keep: wire[: keep % len(wire)],
            codec.frames.map(lambda frame: codec.encode(frame, PLAINTEXT)),
            st.integers(0, 100),
        ),
    )
    garbage = data.draw(st.lists(noise, min_size=13, max_size=13))
    stream = garbage[0] + b"".join(
        codec.encode(frame, PLAINTEXT) + gap
        for frame, gap in zip(frames, garbage[1:], strict=False)
    )
    decoder = codec.decoder(PLAINTEXT)
    decoded = iter([f for chunk in _chunked(stream, cuts) for f in decoder.feed(chunk)])
    # Every real frame comes out, in order; garbage may at most add frames of its own.
    assert all(any(frame == got for got in decoded) for frame in frames)


@CODECS
@settings(max_examples=500, deadline=None)
@given(data=st.data(), chunks=st.lists(st.binary(max_size=64), max_size=30))
def test_decoder_never_raises_and_accounts_for_every_byte(
    codec: Codec, data: st.DataObject, chunks: list[bytes]
) -> None:
    gamma = data.draw(codec.gammas)
    decoder = codec.decoder(gamma)
    decoded = [f for chunk in chunks for f in decoder.feed(chunk)]
    fed = sum(map(len, chunks))
    consumed = sum(len(codec.encode(f, gamma)) for f in decoded) + decoder.stats.skipped_bytes
    assert consumed <= fed
    assert fed - consumed < codec.longest  # only a possible frame's start is kept
    assert decoder.stats.frames == len(decoded)
