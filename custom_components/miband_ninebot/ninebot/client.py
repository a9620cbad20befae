"""The conversation with a Ninebot One over one BLE connection: identity once, then live polling.

Requests are written without response to the wheel's serial characteristic; answers come back as
notifications on it (on the One C/E/P the same characteristic FFE1 serves both ways). There is no
sequence number: an answer says which registers it carries, so a request is done once every
register it asked for has arrived (docs/protocols/ninebot-one.md, section 2.6). The framing is the
transport's `dialect`: 55 AA, or a Z's 5A A5, whose battery packs answer for themselves (their
registers are kept apart, by pack) and which may want a key (`identify`).

Polling keeps exactly one request in flight and sends the next one as soon as the previous answer
is complete, so the rate follows the radio link by itself (self-clocked); a request whose answer
does not complete in time is sent again, and a wheel that stops answering altogether is
disconnected so that the link lifecycle starts over. The live block is one request sized to the
link: on the C/E/P, 0xB2-0xBD (the flags, battery ... current) answers in four frames of three
registers, 56 bytes, three notifications, as many as battery ... current alone needs; adding the
error and warning codes (0xB0-0xB1) would take a fourth notification, a fifth of the live rate
(measured by the bench). So the codes join the registers that change slowly (remaining range,
lifetime runtime), read in rotation, one short read every few seconds. The A1/S2 answer a read in
one frame, so their live block takes the codes and their speed (0xBE) along.

Nothing is written to the wheel except on a user's explicit request (`set_lock`), and then
only at a standstill the wheel itself has just reported, and read back before it counts as done.
Each variant writes the way it obeys (`Variant.write_command`): the C/E/P without an answer, the
S2 with one, which the session waits for briefly before the read-back that decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakError

from .battery_pack import battery_pack
from .const import (
    ANSWER_TIMEOUT,
    ATTEMPTS_PER_REQUEST,
    LOCK_READ_BACKS,
    SLOW_READ_INTERVAL,
    WRITE_ANSWER_TIMEOUT,
)
from .dialect import KeyAnswer, ReadAnswer, WriteAnswer, dialect_for
from .exceptions import (
    MissingCharacteristicError,
    WheelMovingError,
    WheelNotAnsweringError,
    WriteNotConfirmedError,
)
from .framing import DecoderStats
from .protocol import (
    FIRMWARE_VERSION,
    LOCK,
    PIN_FIRST,
    REMAINING_RANGE,
    LiveValues,
    firmware_version,
    pin,
    remaining_range,
    serial_number,
    total_ride_time,
)
from .protocol_z import BLE_VERSION, version_errors
from .reading import PollStats, WheelIdentity, WheelReading
from .transport import LOCK_STATE, ONE_C_E_P, UNIT_CONTROLLER, ReadRequest, Transport

_LOGGER = logging.getLogger(__name__)


class NinebotClient:
    """The conversation with one wheel, over whichever connection it has now."""

    def __init__(
        self,
        on_reading: Callable[[WheelReading], None],
        transport: Transport = ONE_C_E_P,
        *,
        answer_timeout: float | None = None,
        slow_read_interval: float | None = None,
    ) -> None:
        """Prepare a session that reports every complete reading to `on_reading`."""
        self._on_reading = on_reading
        self._transport = transport
        self._answer_timeout = ANSWER_TIMEOUT if answer_timeout is None else answer_timeout
        self._slow_read_interval = (
            SLOW_READ_INTERVAL if slow_read_interval is None else slow_read_interval
        )
        self.dialect = dialect_for(transport)
        self.stats = PollStats()
        self.registers: dict[int, int] = {}  # the controller's
        self.pack_registers: dict[int, dict[int, int]] = {unit: {} for unit in transport.packs}
        self.identity: WheelIdentity | None = None
        self._client: BleakClient | None = None
        self._write_char: BleakGATTCharacteristic | None = None
        self._awaited: set[tuple[int, int]] = set()  # (unit, register)
        self._answered = asyncio.Event()
        self._key_given = asyncio.Event()
        # Slow reads this wheel never answered (a firmware without them): skipped while its serial
        # number stays the same, so that each connection's first reading does not wait for them
        # again. A read it has answered once is only retried at its next turn when it fails.
        self._unanswered: set[ReadRequest] = set()
        self._answered_once: set[ReadRequest] = set()
        self._unanswered_by: str | None = None  # the serial number they are known for
        self._write_awaited: int | None = None  # the register of an answered write under way
        self._write_answered = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        # One request in flight: the poller takes this for each request, a write for its whole
        # check, write and read-back (asyncio's lock serves waiters in turn).
        self._exchange = asyncio.Lock()
        self._slow_due = 0.0
        self._slow_next = 0

    @property
    def decoder_stats(self) -> DecoderStats:
        """What the stream decoder rejected since the session was made."""
        return self.dialect.stats

    async def identify(self, client: BleakClient) -> WheelIdentity:
        """Subscribe and read who the wheel is, nothing more: the config flow's check.

        Only read requests go to the wheel. The caller disconnects, then calls `connection_lost`.
        """
        await self._subscribe(client)
        first, *others = self._transport.identity
        try:
            await self._read(first)
        except WheelNotAnsweringError:
            if (key_request := self.dialect.key_request()) is None:
                raise
            # Silent in plaintext: a Z that wants the key WheelLog once asked for
            # (docs/protocols/ninebot-one-z.md, section 2.1).
            await self._ask_key(key_request)
            await self._read(first)
        for request in others:
            await self._read(request)
        self.identity = self._decode_identity()
        return self.identity

    async def _ask_key(self, key_request: bytes) -> None:
        """Ask a Z for its key; from its answer on, the dialect ciphers both ways."""
        client, char = self._client, self._write_char
        if client is None or char is None:
            raise BleakError("Not connected")
        self._key_given.clear()
        self.stats.requests += 1
        await client.write_gatt_char(char, key_request, response=False)
        try:
            async with asyncio.timeout(self._answer_timeout):
                await self._key_given.wait()
        except TimeoutError as err:
            raise WheelNotAnsweringError("No answer to a read, nor to the key request") from err

    async def start(self, client: BleakClient) -> None:
        """Subscribe, read the identity and a first full reading, then poll in the background."""
        identity = await self.identify(client)
        if identity.serial_number != self._unanswered_by:
            self._unanswered.clear()
            self._answered_once.clear()
            self._unanswered_by = identity.serial_number
        for request in self._transport.slow:
            await self._read_slow(request)
        self._slow_due = asyncio.get_running_loop().time() + self._slow_step
        await self._read(self._transport.live)
        self._publish()
        self._poller = asyncio.get_running_loop().create_task(
            self._poll(client), name="ninebot live polling"
        )

    async def _subscribe(self, client: BleakClient) -> None:
        services = client.services
        write_char = services.get_characteristic(self._transport.write_uuid)
        notify_char = services.get_characteristic(self._transport.notify_uuid)
        if write_char is None or notify_char is None:
            missing = self._transport.notify_uuid if write_char else self._transport.write_uuid
            raise MissingCharacteristicError(f"no characteristic {missing}: not a Ninebot One")
        self._client, self._write_char = client, write_char
        self.registers.clear()
        for registers in self.pack_registers.values():
            registers.clear()
        self.dialect.reset()
        await client.start_notify(notify_char, self._on_notification)

    def connection_lost(self) -> None:
        """Stop polling and end a read waiting for its answer; the next connection starts afresh."""
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        self._client = self._write_char = None
        self._answered.set()  # `_read` sees the link gone at once, not after its answer timeout
        self._write_answered.set()
        self._key_given.set()

    async def set_lock(self, locked: bool) -> None:
        """Lock or unlock the wheel, if it stands still; done once the register reads it back.

        Raises `WheelMovingError` unless a read just before the write says speed 0, and
        `WriteNotConfirmedError` if the lock register keeps its old value.
        """
        speed_register = self._transport.variant.speed_register
        async with self._exchange:
            # Nothing is written that could not be read back.
            try:
                await self._read(LOCK_STATE)
            except WheelNotAnsweringError as err:
                raise WriteNotConfirmedError("The lock register does not answer") from err
            await self._read(ReadRequest(speed_register, 1))
            if self.registers[speed_register] != 0:
                raise WheelMovingError("The wheel is moving")
            await self._write(LOCK, int(locked))
            for _ in range(LOCK_READ_BACKS):
                await self._read(LOCK_STATE)
                if self.registers[LOCK] == int(locked):
                    # The flags in the live block show it too: publish them before returning.
                    await self._read(self._transport.live)
                    self._publish()
                    return
        raise WriteNotConfirmedError(f"The lock register still reads {self.registers[LOCK]}")

    @property
    def _slow_step(self) -> float:
        return self._slow_read_interval / len(self._transport.slow)

    async def _poll(self, client: BleakClient) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                async with self._exchange:
                    slow = self._transport.slow
                    if loop.time() >= self._slow_due:
                        await self._read_slow(slow[self._slow_next])
                        self._slow_next = (self._slow_next + 1) % len(slow)
                        self._slow_due = loop.time() + self._slow_step
                    await self._read(self._transport.live)
                self.stats.live_cycles += 1
                self._publish()
        except WheelNotAnsweringError as err:
            # The radio link is up but the controller is mute: start the link over.
            _LOGGER.debug("%s; disconnecting", err)
            self._poller = None
            with contextlib.suppress(BleakError):
                await client.disconnect()
        except BleakError as err:
            _LOGGER.debug("Polling stopped: %s", err)  # the link went; its callback follows

    async def _write(self, index: int, value: int) -> None:
        """Write one register the variant's way; wait briefly for its answer if it has one."""
        client, char = self._client, self._write_char
        if client is None or char is None:
            raise BleakError("Not connected")
        encoded = self.dialect.write(index, value)
        self._write_awaited = index if self._transport.variant.write_is_answered else None
        self._write_answered.clear()
        self.stats.requests += 1
        await client.write_gatt_char(char, encoded, response=False)
        if self._write_awaited is None:
            return
        try:
            async with asyncio.timeout(WRITE_ANSWER_TIMEOUT):
                await self._write_answered.wait()
        except TimeoutError:
            _LOGGER.debug("No answer to the write of 0x%02X; reading it back", index)
        finally:
            self._write_awaited = None

    async def _read_slow(self, request: ReadRequest) -> None:
        """Read registers that add to the live block, if the wheel answers for them.

        A wheel that answers the live block but not these (a firmware without them) is read
        without them from then on: their entities stay unknown, rather than the wheel unreadable.
        No capture shows 0x32-0x33 answered (9BMetrics asked a One E+ for them), nor a Z's.
        """
        if request in self._unanswered:
            return
        try:
            await self._read(request)
        except WheelNotAnsweringError as err:
            if request in self._answered_once:  # a bad moment: again at its next turn
                _LOGGER.debug("%s; again at its next turn", err)
                return
            # A Z's pack that does not answer one block is missing: skip its others too.
            self._unanswered.update(
                r
                for r in self._transport.slow
                if r == request or (r.unit == request.unit != UNIT_CONTROLLER)
            )
            _LOGGER.debug("%s; read without them from now on", err)
        else:
            self._answered_once.add(request)

    async def _read(self, request: ReadRequest) -> None:
        """Send a read request until all of its registers have arrived in answer."""
        client, char = self._client, self._write_char
        if client is None or char is None:
            raise BleakError("Not connected")
        for _ in range(ATTEMPTS_PER_REQUEST):
            # Encoded at every attempt: a Z's key may have changed the cipher in between.
            encoded = self.dialect.read(request)
            self._awaited = {(request.unit, index) for index in request.registers}
            self._answered.clear()
            self.stats.requests += 1
            await client.write_gatt_char(char, encoded, response=False)
            try:
                async with asyncio.timeout(self._answer_timeout):
                    await self._answered.wait()
            except TimeoutError:
                self.stats.timeouts += 1
                continue
            if self._client is not client:
                raise BleakError("Link lost while waiting for an answer")
            return
        raise WheelNotAnsweringError(
            f"No answer to a read of 0x{request.first:02X} x {request.count} after "
            f"{ATTEMPTS_PER_REQUEST} attempts"
        )

    def _on_notification(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        for answer in self.dialect.feed(data):
            if isinstance(answer, ReadAnswer):
                self._take_read_answer(answer)
            elif isinstance(answer, WriteAnswer) and answer.index == self._write_awaited:
                self._take_write_answer(answer)
            elif isinstance(answer, KeyAnswer):
                self._key_given.set()
            else:
                self.stats.foreign_frames += 1

    def _take_read_answer(self, answer: ReadAnswer) -> None:
        registers = (
            self.registers
            if answer.unit == UNIT_CONTROLLER
            else self.pack_registers.get(answer.unit)
        )
        if registers is None:  # a unit this wheel has no place for
            self.stats.foreign_frames += 1
            return
        registers.update(answer.registers)
        self._awaited.difference_update((answer.unit, index) for index in answer.registers)
        if not self._awaited:
            self._answered.set()

    def _take_write_answer(self, answer: WriteAnswer) -> None:
        # The 55 AA family answers a 0x02 write with `02 ofs bResult` (etransport/ninebot-docs,
        # protocol wiki), py9b's WriteRegs expecting the one byte 0x01 for success; for the S2
        # that layout is unverified, so the answer is only logged and the read-back decides.
        _LOGGER.debug("Write of 0x%02X answered: %s", answer.index, answer.data.hex())
        self._write_answered.set()

    def _decode_identity(self) -> WheelIdentity:
        serial = serial_number(self.registers)
        if serial is None:  # impossible once the identity was answered in full
            raise WheelNotAnsweringError("Incomplete identity")
        version = self._transport.version(self.registers[FIRMWARE_VERSION])
        # The C/E/P and S2 have a PIN (0x17-0x19), read with their identity; a Z is not asked.
        asked = {index for request in self._transport.identity for index in request.registers}
        code = pin(self.registers) if PIN_FIRST in asked else None
        ble = self.registers.get(BLE_VERSION)
        return WheelIdentity(serial, version, code, None if ble is None else firmware_version(ble))

    def _publish(self) -> None:
        live = LiveValues.from_registers(self.registers, self._transport.variant)
        if self.identity is None or live is None:
            return
        # The slow registers are in once read, unless the wheel does not answer for them.
        waiting = (r for r in self._transport.slow if r not in self._unanswered)
        if any(not set(r.registers) <= self._registers_of(r.unit).keys() for r in waiting):
            return
        range_word = self.registers.get(REMAINING_RANGE)
        range_km = None if range_word is None else remaining_range(range_word)
        lifetime = total_ride_time(self.registers)
        packs = (
            battery_pack(number, self.pack_registers[unit])
            for number, unit in enumerate(self._transport.packs, start=1)
        )
        errors = version_errors(self.registers) if self._transport.z_frames else ()
        self._on_reading(
            WheelReading(
                self.identity,
                live,
                range_km,
                lifetime,
                packs=tuple(pack for pack in packs if pack is not None),
                version_errors=errors,
            )
        )

    def _registers_of(self, unit: int) -> dict[int, int]:
        return self.registers if unit == UNIT_CONTROLLER else self.pack_registers[unit]
