"""The 5A A5 codec (`ninebot.protocol_z`) against any stream: cut anywhere, garbage, bad checksums.

The same properties as the 55 AA decoder's, in plaintext and under a key (XOR gamma).
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, strategies as st
from ninebot import protocol_z
from ninebot.advertisement import (
    MODEL_ONE_S2,
    MODEL_ONE_Z,
    NINEBOT_COMPANY_ID,
    model_from_advertisement,
)
from ninebot.protocol_z import ZFrame, ZFraming, ZStreamDecoder, encode_read, encode_write
from ninebot.transport import transport_for_model
import pytest

units = st.sampled_from(
    [protocol_z.ADDRESS_CONTROLLER, protocol_z.ADDRESS_PACK_1, protocol_z.ADDRESS_PACK_2]
)
frame_strategy = st.builds(
    ZFrame,
    source=units,
    destination=st.just(protocol_z.ADDRESS_APP),
    command=st.just(protocol_z.COMMAND_ANSWER),
    index=st.integers(0, 0xFF),
    data=st.binary(max_size=protocol_z.MAX_LENGTH),
)
frames_strategy = st.lists(frame_strategy, max_size=12)
gammas = st.one_of(st.just(bytes(16)), st.binary(min_size=16, max_size=16))


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in pairwise(points)]


def _decoder(gamma: bytes) -> ZStreamDecoder:
    decoder = ZStreamDecoder()
    decoder.framing.gamma = gamma
    return decoder


def test_read_requests_are_wheellog_s() -> None:
    # WheelLog's `getLiveData` (read 0xB0, 0x20 bytes) as eucWatch sends it to a Z10:
    # `5aa5013e1401b020dbfe` (docs/protocols/ninebot-one-z.md, section 2).
    assert encode_read(0xB0, 16).encode() == bytes.fromhex("5aa5013e1401b020dbfe")
    assert encode_read(0x40, 16, protocol_z.ADDRESS_PACK_2).encode()[:8] == bytes.fromhex(
        "5aa5013e12014020"
    )


@pytest.mark.parametrize(("index", "registers"), [(-1, 1), (0x100, 1), (0x10, 0), (0x10, 18)])
def test_impossible_reads_are_refused(index: int, registers: int) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        encode_read(index, registers)


def test_impossible_writes_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot write"):
        encode_write(0x70, 0x10000)


@given(frame=frame_strategy, gamma=gammas)
def test_a_frame_round_trips_under_any_key(frame: ZFrame, gamma: bytes) -> None:
    wire = frame.encode(gamma)
    assert wire[:3] == bytes((0x5A, 0xA5, len(frame.data)))  # header and LEN stay plaintext
    assert ZFraming(gamma).parse(wire) == frame


@given(frame=frame_strategy, flip=st.integers(3, 10_000), bit=st.integers(0, 7))
def test_a_flipped_bit_after_len_is_rejected(frame: ZFrame, flip: int, bit: int) -> None:
    wire = bytearray(frame.encode())
    wire[3 + flip % (len(wire) - 3)] ^= 1 << bit
    # A single flipped bit changes the byte sum, or the checksum itself: never a valid frame.
    assert ZFraming().parse(bytes(wire)) is None


def test_a_keyed_frame_does_not_read_as_plaintext() -> None:
    frame = encode_read(0xB0, 14)
    gamma = bytes(range(1, 17))
    assert ZFraming().parse(frame.encode(gamma)) is None
    assert ZFraming(gamma).parse(frame.encode()) is None


# The decoder's properties (any chunking, garbage, any bytes, under a key): test_ninebot_framing.py.


# -- advertisement: Ninebot's company id, told apart as WheelLog and eucWatch do -----------------


@pytest.mark.parametrize(
    ("name", "payload", "model"),
    [
        ("N3Z10-0001", "0102030405", MODEL_ONE_Z),  # eucWatch's "N3" prefix, data not an S2's
        (None, "0102030405", MODEL_ONE_Z),  # no name heard (passive scan): the GATT check decides
        ("N3OTC2020T0001", "", MODEL_ONE_Z),
        ("N1S2-0042", "1300000000ec", MODEL_ONE_S2),  # WheelLog's S2 pattern
        ("N3Z10-0001", "1300000000ec", MODEL_ONE_S2),  # the data decides first, as in WheelLog
        (None, "1400000000eb", None),  # WheelLog's Mini patterns
        ("N3Z10-0001", "30cf", None),
        ("NBScooter1234", "0102030405", None),  # a name heard that is not a Z's
        ("NOE002", "0102030405", None),
    ],
)
def test_ninebot_company_data_tells_s2_z_and_others_apart(
    name: str | None, payload: str, model: str | None
) -> None:
    data = {NINEBOT_COMPANY_ID: bytes.fromhex(payload)}
    assert model_from_advertisement(name, [], data) == model


def test_a_z_model_speaks_5a_a5_over_the_nordic_uart() -> None:
    transport = transport_for_model(MODEL_ONE_Z)
    assert transport.z_frames
    assert transport.packs == (protocol_z.ADDRESS_PACK_1, protocol_z.ADDRESS_PACK_2)
    # The live read sized to one frame of two 20-byte notifications: 14 registers, 37 bytes.
    assert transport.live.count * 2 + 9 <= 40
    assert not transport_for_model(MODEL_ONE_S2).z_frames
