"""The emulated Ninebot One Z10 as a bare central sees it: 5A A5 frames over the Nordic UART.

A bleak client through Home Assistant's Bluetooth and the virtual proxy (one test: an ESPHome
proxy), without the integration, which does not speak the Z. The central's framing is written here
apart from the emulator's, and held to WheelLog's captured Z10 frames and eucWatch's Z requests
(tests/captures/wheellog_z10_adapter_test.toml, eucwatch_command_literals.toml).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bleak import BleakClient
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
import pytest

from emulator.captures import corpus
from emulator.devices import catalog
from emulator.devices.wheel import NORDIC_UART_RX, NORDIC_UART_TX, NinebotOneS2
from emulator.devices.wheel_state import ChargeProfile
from emulator.devices.wheel_z import (
    Z10_PACK_WH,
    NinebotOneZ10,
    ZWheelState,
    captured_live_state,
    captured_pack_state,
    captured_version_state,
)
from emulator.link.peripheral import Peripheral
from emulator.link.timing import CONNECTION_TIMEOUT

from . import until
from .helpers.central import Received, connect

AddDevice = Callable[[Peripheral], Peripheral]

APP, CONTROLLER, PACK_1, PACK_2, KEY_GENERATOR = 0x3E, 0x14, 0x11, 0x12, 0x16
READ, WRITE, ANSWER, GET_KEY = 0x01, 0x03, 0x04, 0x5B
WHEELLOG = corpus.load("wheellog_z10_adapter_test").content["vectors"]
EUCWATCH = corpus.load("eucwatch_command_literals").content["vectors"]
DETECT = corpus.load("wheellog_detect_wheel").content


# -- the central's side of 5A A5, written apart from the emulator's -------------------------------


def encode(destination: int, command: int, index: int, data: bytes = b"") -> bytes:
    """A frame from the app: LEN counts the data only; the checksum is 0xFFFF - sum, LE."""
    body = bytes([len(data), APP, destination, command, index]) + data
    check = 0xFFFF - sum(body)  # ~sum & 0xFFFF, for the short frames a central sends
    return b"\x5a\xa5" + body + bytes([check & 0xFF, check >> 8])


def read(destination: int, index: int, size: int) -> bytes:
    return encode(destination, READ, index, bytes([size]))


def checks_out(frame: bytes) -> bool:
    """Whether a frame's LEN fits and its checksum holds."""
    total = sum(frame[2:-2])
    return len(frame) == frame[2] + 9 and frame[-2] | frame[-1] << 8 == (0xFFFF - total) & 0xFFFF


def xor(frame: bytes, gamma: bytes) -> bytes:
    """WheelLog's rule, counted from LEN: byte j (j >= 1) takes gamma[(j - 1) % 16]."""
    out = bytearray(frame)
    for j in range(1, len(frame) - 2):
        out[2 + j] ^= gamma[(j - 1) % 16]
    return bytes(out)


def captured(test: str) -> list[bytes]:
    """The notifications of one of WheelLog's decode vectors, in the order they arrived."""
    (vector,) = (vector for vector in WHEELLOG if vector["test"] == test)
    return [bytes.fromhex(part) for part in vector["hex"]]


def eucwatch(case: str) -> bytes:
    """One of eucWatch's Z requests, as its source spells it."""
    (vector,) = (v for v in EUCWATCH if "NinebotZ" in v["file"] and v["case"] == f'"{case}"')
    return bytes(int(byte, 16) for byte in vector["literal"].strip("[]").split(","))


class Central:
    """Writes frames to the Z in 20-byte writes, reads its answers frame by frame."""

    def __init__(self, client: BleakClient, received: Received) -> None:
        self.client, self.received = client, received
        self.gamma: bytes | None = None  # XOR both ways with this, once the central has the key

    @classmethod
    async def on(cls, hass: HomeAssistant, wheel: NinebotOneZ10) -> Central:
        received = Received()
        client = await connect(hass, wheel, received)
        await client.start_notify(NORDIC_UART_TX, received.on_notify)
        return cls(client, received)

    async def send(self, *pieces: bytes) -> None:
        """Write each piece as it is (a frame, or a part of one), at most 20 bytes a write."""
        for piece in pieces:
            wire = xor(piece, self.gamma) if self.gamma and piece[:2] == b"\x5a\xa5" else piece
            for at in range(0, len(wire), 20):
                await self.client.write_gatt_char(
                    NORDIC_UART_RX, wire[at : at + 20], response=False
                )

    async def notification(self) -> bytes:
        return await asyncio.wait_for(self.received.notifications.get(), 1)

    async def notifications(self, count: int) -> list[bytes]:
        return [await self.notification() for _ in range(count)]

    async def raw_frame(self) -> bytes:
        """One answer's bytes as they came: its notifications until LEN + 9 bytes have arrived."""
        frame = await self.notification()
        while len(frame) < frame[2] + 9:
            frame += await self.notification()
        return frame

    async def frame(self) -> bytes:
        """One answer, decrypted if the central has the key; its checksum must hold."""
        frame = await self.raw_frame()
        plain = xor(frame, self.gamma) if self.gamma else frame
        assert checks_out(plain), plain.hex()
        return plain

    def quiet(self) -> bool:
        return self.received.notifications.empty()


@pytest.fixture
async def wheel(add_device: AddDevice) -> NinebotOneZ10:
    wheel = add_device(catalog.ninebot_one_z10())
    assert isinstance(wheel, NinebotOneZ10)
    return wheel


# -- on air -----------------------------------------------------------------------------------


async def test_the_z10_on_air_and_its_table(hass: HomeAssistant, wheel: NinebotOneZ10) -> None:
    """eucWatch's "N3", Ninebot's id with data no S2 or Mini rule takes, WheelLog's table."""
    info = bluetooth.async_last_service_info(hass, wheel.address, connectable=True)
    assert info is not None
    assert info.name.startswith("N3")
    assert wheel.public_address is False  # random static, as the S2's emulation
    assert int(wheel.address[:2], 16) >> 6 == 0b11  # the top bits a random static address has
    (data,) = info.manufacturer_data.values()
    assert list(info.manufacturer_data) == [0x424E]
    s2_like = len(data) == 6 and data[0] == 0x13 and data[-1] == ~sum(data[:-1]) & 0xFF
    assert not s2_like
    patterns = {v["hex"] for v in DETECT["vectors"]}
    assert ("4e42" + data.hex()) not in patterns
    assert not any(data.hex().startswith(p) for p in patterns)

    (with_fee7,) = (
        entry["gatt"]
        for entry in DETECT["services"]
        if entry["adapter"] == "ninebot_z" and len(entry["gatt"]) == 4
    )
    table = {s.uuid: [c.uuid for c in s.characteristics] for s in wheel.gatt.services}
    assert list(table.items()) == list(with_fee7.items())  # in WheelLog's order too

    central = await Central.on(hass, wheel)
    assert await central.client.read_gatt_char("2a00") == b"N3Z10-0001"
    await central.client.disconnect()


# -- the captured frames, reproduced ----------------------------------------------------------


def test_the_test_s_requests_are_eucwatch_s() -> None:
    """The central's encoder above builds eucWatch's Z requests byte for byte."""
    assert read(CONTROLLER, 0xB0, 0x20) == eucwatch("live")
    assert read(CONTROLLER, 0x68, 0x02) == eucwatch("live1")
    assert read(CONTROLLER, 0x10, 0x0E) == eucwatch("live2")
    assert read(CONTROLLER, 0x1A, 0x02) == eucwatch("live3")


CAPTURED_ANSWERS = [
    # (WheelLog's vector, the state it was captured in, who is asked, register, bytes)
    ("decode z10 sn data", ZWheelState, CONTROLLER, 0x10, 0x0E),
    ("decode z10 version data", captured_version_state, CONTROLLER, 0x1A, 0x06),
    ("decode z10 life data", captured_live_state, CONTROLLER, 0xB0, 0x20),
    ("decode z10 bms1 sn data", captured_pack_state, PACK_1, 0x10, 0x22),
    ("decode z10 bms1 status data", captured_pack_state, PACK_1, 0x30, 0x18),
    ("decode z10 bms1 cells data", captured_pack_state, PACK_1, 0x40, 0x20),
    ("decode z10 bms2 sn data", captured_pack_state, PACK_2, 0x10, 0x22),
    ("decode z10 bms2 status data", captured_pack_state, PACK_2, 0x30, 0x18),
    ("decode z10 bms2 cells data", captured_pack_state, PACK_2, 0x40, 0x20),
]


async def test_the_z10_answers_as_wheellog_s_captures_byte_for_byte(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    """Each answer is one frame, cut into the very notifications WheelLog was fed."""
    central = await Central.on(hass, wheel)
    for test, state, destination, index, size in CAPTURED_ANSWERS:
        wheel.state = state()
        expected = captured(test)
        await central.send(read(destination, index, size))
        assert await central.notifications(len(expected)) == expected, test
    assert central.quiet()
    # The key: WheelLog's captured answer, to the key request WheelLog builds.
    await central.send(encode(KEY_GENERATOR, GET_KEY, 0x00))
    assert await central.notifications(2) == captured("decode z10 key data")
    await central.client.disconnect()
    assert wheel.reads == [(0x10, 7), (0x1A, 3), (0xB0, 16)]
    blocks = ((0x10, 0x22), (0x30, 0x18), (0x40, 0x20))
    assert wheel.pack_reads == [(pack, *block) for pack in (1, 2) for block in blocks]


# -- framing ----------------------------------------------------------------------------------


async def test_a_request_cut_across_writes_and_after_noise_is_answered(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    central = await Central.on(hass, wheel)
    request = read(CONTROLLER, 0x10, 0x0E)

    await central.send(b"\x00\x5a", request[:4], request[4:])

    answer = await central.frame()
    assert answer[3:7] == bytes([CONTROLLER, APP, ANSWER, 0x10])
    assert answer[7:-2] == b"N3OTC2020T0001"
    assert central.quiet()
    await central.client.disconnect()


async def test_a_request_with_a_wrong_checksum_is_ignored(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    central = await Central.on(hass, wheel)
    bad = bytearray(read(CONTROLLER, 0xB0, 0x20))
    bad[-1] ^= 0x01

    await central.send(bytes(bad), read(CONTROLLER, 0x68, 0x02))

    assert (await central.frame())[6] == 0x68  # the first answer is the good request's
    assert central.quiet()
    assert wheel.reads == [(0x68, 1)]
    await central.client.disconnect()


# -- the key ----------------------------------------------------------------------------------


async def test_the_key_handshake_encrypts_both_ways_for_that_connection(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    wheel.state = captured_live_state()
    live = b"".join(captured("decode z10 life data"))
    central = await Central.on(hass, wheel)

    await central.send(encode(KEY_GENERATOR, GET_KEY, 0x00))
    key_answer = await central.frame()  # still plaintext
    assert key_answer[3:7] == bytes([KEY_GENERATOR, APP, GET_KEY, 0x01])
    gamma = key_answer[7:-2]
    assert wheel.encrypted

    # Ignoring the key: its plaintext request is not taken...
    await central.send(read(CONTROLLER, 0xB0, 0x20))
    # ...and an encrypted one's answer, read as plaintext, does not check out.
    await central.send(xor(read(CONTROLLER, 0xB0, 0x20), gamma))
    raw = await central.raw_frame()
    assert not checks_out(raw)
    assert raw != live
    assert xor(raw, gamma) == live
    assert central.quiet()
    assert wheel.reads == [(0xB0, 16)]

    # A central that XORs both ways is answered as in plaintext, packs too.
    central.gamma = gamma
    await central.send(read(CONTROLLER, 0xB0, 0x20), read(PACK_1, 0x30, 0x18))
    assert await central.frame() == live
    assert (await central.frame())[3] == PACK_1
    await central.client.disconnect()

    # A new connection starts in plaintext.
    central = await Central.on(hass, wheel)
    await central.send(read(CONTROLLER, 0xB0, 0x20))
    assert await central.frame() == live
    assert not wheel.encrypted
    await central.client.disconnect()


async def test_a_wheel_that_does_not_answer_the_key_request_stays_plaintext(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    wheel.answers_key_request = False
    central = await Central.on(hass, wheel)

    await central.send(encode(KEY_GENERATOR, GET_KEY, 0x00), read(CONTROLLER, 0x10, 0x0E))

    assert (await central.frame())[3] == CONTROLLER  # no key answer came before it
    assert central.quiet()
    assert not wheel.encrypted
    await central.client.disconnect()


async def test_a_wheel_that_requires_the_key_ignores_plaintext_until_it_is_asked(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(NinebotOneZ10(requires_key=True))
    assert isinstance(wheel, NinebotOneZ10)
    central = await Central.on(hass, wheel)

    await central.send(read(CONTROLLER, 0x10, 0x0E), encode(KEY_GENERATOR, GET_KEY, 0x00))
    key_answer = await central.frame()
    assert key_answer[3] == KEY_GENERATOR  # the read before it went unanswered
    assert wheel.reads == []

    central.gamma = key_answer[7:-2]
    await central.send(read(CONTROLLER, 0x10, 0x0E))
    assert (await central.frame())[7:-2] == b"N3OTC2020T0001"
    await central.client.disconnect()


# -- packs, writes, faults --------------------------------------------------------------------


async def test_a_missing_pack_is_not_answered(hass: HomeAssistant, wheel: NinebotOneZ10) -> None:
    wheel.faults.missing_packs = {2}
    central = await Central.on(hass, wheel)

    await central.send(read(PACK_2, 0x30, 0x18), read(PACK_1, 0x30, 0x18))

    assert (await central.frame())[3] == PACK_1
    assert central.quiet()
    assert wheel.pack_reads == [(2, 0x30, 0x18), (1, 0x30, 0x18)]
    await central.client.disconnect()


async def test_the_lock_is_obeyed_only_at_a_standstill_and_never_answered(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    central = await Central.on(hass, wheel)
    lock, unlock = (
        encode(CONTROLLER, WRITE, 0x70, b"\x01\x00"),
        encode(CONTROLLER, WRITE, 0x70, b"\x00\x00"),
    )

    async def locked() -> tuple[int, int]:
        """0x70 and bit 1 of 0xB2 as the wheel answers them."""
        await central.send(read(CONTROLLER, 0x70, 0x02), read(CONTROLLER, 0xB2, 0x02))
        lock_word, status = (await central.frame())[7:9], (await central.frame())[7:9]
        return lock_word[0], status[0] >> 1 & 1

    wheel.state.speed = 12.0
    await central.send(lock)
    assert await locked() == (0, 0)  # and the answers came first: the write was not answered
    wheel.state.speed = 0.0
    await central.send(lock)
    assert await locked() == (1, 1)
    await central.send(unlock)
    assert await locked() == (0, 0)
    assert wheel.writes == [lock, lock, unlock]
    assert central.quiet()
    await central.client.disconnect()


async def test_the_one_s_faults_take_the_z_s_answers(
    hass: HomeAssistant, wheel: NinebotOneZ10
) -> None:
    """Garbage, a corrupt checksum, a cut answer, a lost one, a mute controller, a dropped link."""
    wheel.state = captured_live_state()
    live = captured("decode z10 life data")
    central = await Central.on(hass, wheel)
    ask = read(CONTROLLER, 0xB0, 0x20)

    wheel.faults.garbage = b"\x5a\x00\xff"
    await central.send(ask)
    assert b"".join(await central.notifications(3)) == b"\x5a\x00\xff" + b"".join(live)

    wheel.faults.corrupt_frames = 1
    await central.send(ask)
    assert not checks_out(await central.raw_frame())

    wheel.faults.cut_answers = 1
    await central.send(ask)
    assert await central.notifications(2) == [live[0], live[2]]

    wheel.faults.lost_answers = 1
    await central.send(ask, read(CONTROLLER, 0x68, 0x02))
    assert (await central.frame())[6] == 0x68

    wheel.faults.mute = True
    await central.send(ask, read(PACK_1, 0x30, 0x18), encode(KEY_GENERATOR, GET_KEY, 0x00))
    wheel.faults.mute = False
    await central.send(ask)
    assert await central.notifications(3) == live  # nothing came before it
    assert not wheel.encrypted  # the muted key request handed out nothing

    wheel.faults.drop_at = (0xB0, 1)
    await central.send(ask)
    assert await central.notification() == live[0]
    await asyncio.wait_for(central.received.disconnected.wait(), 1)
    assert wheel.disconnect_reasons[-1] == CONNECTION_TIMEOUT


# -- the ride ---------------------------------------------------------------------------------


async def test_a_ride_and_a_charge_move_the_z10_and_its_packs(wheel: NinebotOneZ10) -> None:
    """14 cells in series: 46.2-58.15 V; the packs' % follows the wheel's, their cells with it."""
    full = wheel.pack_registers(1)
    ride = wheel.start_ride()
    assert ride.capacity_wh == Z10_PACK_WH
    wheel.do(None)  # moved by hand below, not by the clock

    ride.advance(wheel.state, 1800)
    state = wheel.state
    assert state.battery < 78
    assert 46.2 < state.voltage == state.voltage_at(state.battery) < 58.15
    pack = wheel.pack_registers(1)
    assert pack[0x32] == state.battery
    assert pack[0x31] < full[0x31]
    assert pack[0x34] < full[0x34]
    assert all(pack[cell] < full[cell] for cell in range(0x40, 0x4E))
    assert pack[0x4E] == pack[0x4F] == 0  # a 14-cell pack's unused cells

    ChargeProfile(rate=6.0).advance(state, 3600)
    assert state.battery == 100
    pack = wheel.pack_registers(1)
    assert pack[0x32] == 100
    assert pack[0x40] == 4148  # bms1's first cell as captured, full


# -- behind an ESPHome proxy ------------------------------------------------------------------


async def test_the_z10_behind_an_esphome_proxy(
    hass: HomeAssistant, add_esphome_device: AddDevice
) -> None:
    """Its random address, its empty 1801 and FEE7 cross the native API as any device's."""
    wheel = add_esphome_device(NinebotOneZ10(state=captured_live_state()))
    assert isinstance(wheel, NinebotOneZ10)
    # The advertisement is still on its way over TCP.
    await until(lambda: bluetooth.async_ble_device_from_address(hass, wheel.address) is not None)
    central = await Central.on(hass, wheel)

    await central.send(eucwatch("live"))

    assert await central.notifications(3) == captured("decode z10 life data")
    await central.client.disconnect()


async def test_a_nordic_uart_gadget_named_n3_is_no_z(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    gadget = add_device(catalog.nordic_uart_named_n3())
    info = bluetooth.async_last_service_info(hass, gadget.address, connectable=True)
    assert info is not None
    assert info.name.startswith("N3")
    assert info.manufacturer_data == {}
    assert [s.uuid for s in gadget.gatt.services] == [s.uuid for s in NinebotOneS2.services()]

    received = Received()
    client = await connect(hass, gadget, received)
    await client.start_notify(NORDIC_UART_TX, received.on_notify)
    await client.write_gatt_char(NORDIC_UART_RX, eucwatch("live"), response=False)
    await asyncio.sleep(0.05)  # about 160 connection events at the tests' time scale
    assert received.notifications.empty()
    await client.disconnect()
