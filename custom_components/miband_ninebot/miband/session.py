"""The conversation with a Mi Band 1 / 1A / 1S over one BLE connection.

`BandSession.async_start` runs Gadgetbridge's initialisation order (docs/protocols/mi-band-1.md,
section 4), which is also what keeps the 1S's heart-rate sensor from killing the link (section 4.1):

 1. subscribe to FF03 first, so that the authentication result is not missed;
 2. FF09 <- low latency: the band asks for a 5 s supervision timeout, which outlasts the ~1.3 s
    its firmware goes quiet when the optical sensor starts (Linux's default is 420 ms: HCI 0x08);
 3. read FF0A (date), then FF01 (device info, a full read: 20 bytes on the 1S);
 4. FF04 <- user info, then wait for the verdict: 05 / 0a / 15 authenticated, 06 then 13 means
    the band vibrates for a tap (first pairing);
 5. FF05 <- wear location, 2A39 <- sleep-HR off (1S), step goal;
 6. subscribe to steps, activity, battery and heart rate;
 7. FF0A <- date and time, then read back; the alarms, if the band may not hold them; read
    battery and steps;
 8. FF09 <- high latency, to save the band's battery while idle.

A long transfer (the activity sync) asks for low latency (about 55 ms connection events instead of
600 ms) and goes back to high latency when it ends. Short work does not ask: the band's request
for new parameters takes effect only at the update's instant, some ten events (six seconds at
600 ms) later, by which time a measurement's three commands or an alarm's write are long done at
the old pace. Short work that finds the link at low latency (right after a connection's
initialisation) uses it. When the caller says more work waits for the link (`keep_awake`), the
initialisation and the sync leave it at low latency for the next piece; the caller then rests
the link after the last one (`async_rest`).

The alarms are written when they differ from what this session last wrote, and all of them
again when the band's clock says it restarted (unset, or more than a day off): a band that ran
flat forgets its alarms with its time.

The band stamps its activity memory with its own clock: the second date of an FF0A read, which
in Mi Fit's capture ran 36 s ahead of the first (the date just written). The clock read in step 3
says which offset from UTC the unsynced minutes carry; if step 7 is about to change it by more
than a clock's drift (a daylight-saving change, a new time zone), the memory is synced first,
while its stamps still mean what they did.

Characteristics are found by UUID, never by handle. Nothing here imports Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakError

from . import protocol
from .activity import FETCH_ACTIVITY, STOP_ACTIVITY_SYNC, Block, BlockAssembler, has_packet_counter
from .advertisement import MODEL_MI_BAND_1S
from .alarm import Alarm
from .protocol import (
    AUTHENTICATED,
    PARAMETERS_SETTLED,
    BatteryInfo,
    DeviceInfo,
    MalformedValueError,
    Notification,
    UserInfo,
)
from .vibration import DEFAULT_PATTERN, VibrationPattern

_LOGGER = logging.getLogger(__name__)


def _uuid(short: str) -> str:
    return f"0000{short}-0000-1000-8000-00805f9b34fb"


DEVICE_INFO_UUID = _uuid("ff01")
NOTIFICATION_UUID = _uuid("ff03")
USER_INFO_UUID = _uuid("ff04")
CONTROL_POINT_UUID = _uuid("ff05")
REALTIME_STEPS_UUID = _uuid("ff06")
LE_PARAMS_UUID = _uuid("ff09")
DATE_TIME_UUID = _uuid("ff0a")
BATTERY_UUID = _uuid("ff0c")
ACTIVITY_DATA_UUID = _uuid("ff07")
HEART_RATE_MEASUREMENT_UUID = _uuid("2a37")
HEART_RATE_CONTROL_POINT_UUID = _uuid("2a39")
ALERT_LEVEL_UUID = _uuid("2a06")

REQUIRED_CHARACTERISTICS = (
    DEVICE_INFO_UUID,
    NOTIFICATION_UUID,
    USER_INFO_UUID,
    CONTROL_POINT_UUID,
    LE_PARAMS_UUID,
    DATE_TIME_UUID,
    BATTERY_UUID,
)

AUTHENTICATION_TIMEOUT = 5.0  # s for the band's verdict on a known user id
TAP_TIMEOUT = 30.0  # s a first pairing waits for the wearer's tap (no source states the band's)
HEART_RATE_TIMEOUT = 20.0  # s; the band needs about 10 s for a manual measurement
# s of silence in the middle of an activity transfer before it is given up (MIUI allows a whole
# sync 30 s; a block of a few hundred minutes takes a few seconds at low latency).
ACTIVITY_TIMEOUT = 10.0
# How far the band's clock may be off before it counts as restarted (its alarms forgotten): more
# than any time-zone or daylight-saving change, less than a clock that started again from zero.
RESTARTED_CLOCK_DRIFT = timedelta(days=1)
# How far it may be off before its stamps count as another zone's: less than the smallest step
# between time zones (15 minutes), more than a clock that runs a little fast (the Mi Band 1 in Mi
# Fit's capture ran 36 s ahead of the date it had just been given, and stayed so).
CLOCK_CHANGE = timedelta(minutes=10)
# s a long transfer waits for low latency to apply before it starts (about ten events at 600 ms,
# six seconds; past this it starts at whatever the link runs).
PARAMETER_UPDATE_TIMEOUT = 10.0


class MissingCharacteristicError(BleakError):
    """The connected device lacks a characteristic the band's protocol needs."""


class TapRequiredError(BleakError):
    """The band does not know this user id: it vibrates and waits for a tap (first pairing)."""


class TapTimeoutError(TapRequiredError):
    """Pairing: the band asked for a tap, and none came in time."""


class AuthenticationRejectedError(BleakError):
    """The band refused the user info outright."""


class NoHeartRateError(Exception):
    """The band gave no heart-rate value in time (or only "no reading")."""


class ActivityTransferError(BleakError):
    """The band's activity transfer broke off or sent what cannot be its memory."""


# Stores a block's minutes for good, given the band clock's offset from UTC; returns once they
# are stored (only then is the block acknowledged, which deletes it on the band).
type BlockSink = Callable[[Block, timedelta], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BandState:
    """Everything the band has told during this connection."""

    device_info: DeviceInfo
    battery: BatteryInfo | None = None
    steps: int | None = None
    heart_rate: int | None = None


@dataclass(slots=True)
class BandSettings:
    """What the integration tells the band on every connection."""

    user: UserInfo
    wear_left: bool = True
    step_goal: int = 8000
    continuous_heart_rate: bool = False  # the band forgets it on every drop: set on each connect
    now: Callable[[], datetime] = field(default=datetime.now)  # the band keeps local time
    keep_activity_on_band: bool = False  # acknowledge blocks so that the band keeps them
    alarms: tuple[Alarm, ...] = ()  # what the band's slots should hold


def require_band_table(client: BleakClient) -> None:
    """Raise `MissingCharacteristicError` unless the connected device has a band's table."""
    services = client.services
    missing = [u for u in REQUIRED_CHARACTERISTICS if services.get_characteristic(u) is None]
    if missing:
        raise MissingCharacteristicError(f"not a Mi Band 1-series GATT table, missing {missing}")


class BandSession:
    """One connection's worth of conversation with a band."""

    def __init__(
        self,
        address: str,
        settings: BandSettings,
        on_state: Callable[[BandState], None] | None = None,
        store_block: BlockSink | None = None,
        keep_awake: Callable[[], bool] = lambda: False,
    ) -> None:
        """Prepare to authenticate as `settings.user` with the band at `address`.

        Without `store_block` the band's activity memory is left alone. `keep_awake()` true means
        more work is waiting for the link: the link is left at low latency for it.
        """
        self.address = address
        self.settings = settings
        self._on_state = on_state
        self._store_block = store_block
        self._keep_awake = keep_awake
        self._awake = False  # low latency was the last parameter set asked of the band
        self._initialising = False
        # The band's clock minus UTC, to the minute: read at connect, then what was written.
        self.clock_offset: timedelta | None = None
        self.device_info: DeviceInfo | None = None  # of the band on the current connection
        self._activity: asyncio.Queue[bytes] | None = None  # FF07 while a sync runs
        # An activity transfer was started and its end not seen: its end header may still come.
        self._transfer_left_open = False
        self.state: BandState | None = None
        self.statuses: list[int] = []  # FF03 codes of this connection, for diagnostics
        self._client: BleakClient | None = None
        self._status_queue: asyncio.Queue[int] = asyncio.Queue()
        self._heart_rate_waiters: list[asyncio.Future[int]] = []
        self._alarms_on_band: dict[int, Alarm] = {}  # as last written, while the band keeps them
        self._parameters_settled = asyncio.Event()  # FF03 said the last update applied or failed
        self._update_pending = False  # FF09 written, the band's word on it not yet come
        self._band_answers_updates = True  # until a word fails to come on this connection

    async def async_pair(self, client: BleakClient, tap_timeout: float = TAP_TIMEOUT) -> DeviceInfo:
        """Introduce the user to the band, waiting up to `tap_timeout` for the wearer's tap.

        A band that already knows the user id accepts it at once. Raises `TapTimeoutError`,
        `AuthenticationRejectedError`, or `MissingCharacteristicError` for a device that is not
        a 1-series band: one without the MiLi service, or whose device info names no 1 / 1A / 1S
        (an Amazfit that shares the band's address range and name), found before anything is
        written to it. The caller closes the connection; the next one authenticates without a tap.
        """
        return await self._async_open(client, tap_timeout, require_known_model=True)

    async def async_start(self, client: BleakClient) -> None:
        """Initialise a fresh connection; raise `TapRequiredError` if the band wants a tap."""
        self._initialising = True
        try:
            await self._async_initialise(client)
        finally:
            self._initialising = False
        await self._async_rest_unless_wanted()

    async def _async_initialise(self, client: BleakClient) -> None:
        info = await self._async_open(client, tap_timeout=None)
        wear = protocol.WEAR_LEFT if self.settings.wear_left else protocol.WEAR_RIGHT
        await self._write(CONTROL_POINT_UUID, wear)
        if info.supports_heart_rate:
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_SLEEP_OFF)
        await self._write(CONTROL_POINT_UUID, protocol.encode_step_goal(self.settings.step_goal))
        await client.start_notify(REALTIME_STEPS_UUID, self._on_steps)
        if client.services.get_characteristic(ACTIVITY_DATA_UUID) is not None:
            await client.start_notify(ACTIVITY_DATA_UUID, self._on_activity)
        await client.start_notify(BATTERY_UUID, self._on_battery)
        if info.supports_heart_rate:
            await client.start_notify(HEART_RATE_MEASUREMENT_UUID, self._on_heart_rate)
        await self._async_set_clock()
        await self._async_write_changed_alarms()
        battery = protocol.parse_battery_info(bytes(await client.read_gatt_char(BATTERY_UUID)))
        steps = protocol.parse_steps(bytes(await client.read_gatt_char(REALTIME_STEPS_UUID)))
        await self._write(CONTROL_POINT_UUID, protocol.REALTIME_STEPS_ON)
        if info.supports_heart_rate and self.settings.continuous_heart_rate:
            # Only now: the clock is set and the link tolerates the sensor's start (section 4.1).
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_ON)
        self._set_state(BandState(info, battery, steps))

    async def _async_open(
        self, client: BleakClient, tap_timeout: float | None, *, require_known_model: bool = False
    ) -> DeviceInfo:
        """Steps 1-4: notifications, low latency, date, device info, user info and its verdict."""
        require_band_table(client)
        self._client = client
        self._status_queue = asyncio.Queue()
        self.statuses.clear()
        await client.start_notify(NOTIFICATION_UUID, self._on_status)
        self._awake = False  # a new connection: whatever the last one ran at
        self._update_pending, self._band_answers_updates = False, True
        await self._async_wake()
        self._transfer_left_open = False  # a new connection: the band starts any transfer afresh
        await self._async_read_clock()
        try:
            info = protocol.parse_device_info(bytes(await client.read_gatt_char(DEVICE_INFO_UUID)))
        except MalformedValueError as err:
            raise MissingCharacteristicError(f"unreadable device info: {err}") from err
        if require_known_model and info.model is None:
            # Gadgetbridge's rules name no 1-series model: hardware 6 is its Amazfit.
            raise MissingCharacteristicError(f"device info of no 1-series band: {info}")
        await self._authenticate(info, tap_timeout)
        self.device_info = info
        return info

    def async_link_lost(self) -> None:
        """Forget the connection; a measurement or a sync waiting on it fails."""
        self._client = None
        self._parameters_settled.set()  # a wake waiting for the band's word: the link is gone
        if self._activity is not None:
            self._activity.put_nowait(b"")  # wakes the sync: the link is gone
        for waiter in self._heart_rate_waiters:
            if not waiter.done():
                waiter.set_exception(BleakError("Link lost during the measurement"))
        self._heart_rate_waiters.clear()

    async def async_measure_heart_rate(self) -> int:
        """Take a manual measurement: stop the other modes, start manual, wait for a value.

        At the link's parameters as they are: a switch to low latency would apply only after the
        commands (module docstring). A link left fast for it (`keep_awake`) is the caller's to
        rest.
        """
        self._require_client()
        bpm = await self._async_manual_measurement()
        if self.settings.continuous_heart_rate:
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_ON)
        return bpm

    async def _async_manual_measurement(self) -> int:
        """Gadgetbridge's sequence: stop continuous, stop manual, start manual; then the value."""
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._heart_rate_waiters.append(waiter)
        try:
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_OFF)
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_MANUAL_OFF)
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_MANUAL_ON)
            async with asyncio.timeout(HEART_RATE_TIMEOUT):
                return await waiter
        except TimeoutError as err:
            raise NoHeartRateError("No heart-rate value from the band in time") from err
        finally:
            if waiter in self._heart_rate_waiters:
                self._heart_rate_waiters.remove(waiter)
            # A write may fail after a drop already failed the waiter: its error is the same.
            if not waiter.done():
                waiter.cancel()
            elif not waiter.cancelled():
                waiter.exception()

    async def async_set_continuous_heart_rate(self, enabled: bool) -> None:
        """Turn continuous measurement on or off, now and on every later connection."""
        self.settings.continuous_heart_rate = enabled
        if self._client is None:
            return  # applied when the next connection starts
        if enabled:
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_MANUAL_OFF)
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_ON)
        else:
            await self._write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_OFF)

    async def async_vibrate(
        self, pattern: VibrationPattern = DEFAULT_PATTERN, repeat: int = 1
    ) -> None:
        """Play `pattern` `repeat` times: Immediate Alert where the firmware has it, else FF05.

        At once, at the link's parameters: each write leaves at the next connection event, so on
        a band idling at 600 ms events a pulse or pause lasts at least one event. Asking for low
        latency first would delay the buzz by the update's six seconds.
        """
        client = self._require_client()
        alert = client.services.get_characteristic(ALERT_LEVEL_UUID)
        pulses = pattern.pulses * repeat
        for index, (on_ms, off_ms) in enumerate(pulses):
            if alert is not None:
                await client.write_gatt_char(alert, protocol.ALERT_MILD, response=False)
                await asyncio.sleep(on_ms / 1000)
                await client.write_gatt_char(alert, protocol.ALERT_OFF, response=False)
            else:
                await self._write(CONTROL_POINT_UUID, protocol.VIBRATE_START)
                await asyncio.sleep(on_ms / 1000)
                await self._write(CONTROL_POINT_UUID, protocol.VIBRATE_STOP)
            if index < len(pulses) - 1:
                await asyncio.sleep(off_ms / 1000)

    async def async_write_alarms(self) -> None:
        """Set the band's slots to `settings.alarms` now (those that differ)."""
        self._require_client()
        await self._async_write_changed_alarms()

    async def _async_write_changed_alarms(self) -> None:
        for alarm in self.settings.alarms:
            if self._alarms_on_band.get(alarm.slot) != alarm:
                await self._write(CONTROL_POINT_UUID, alarm.encode(self.settings.now()))
                self._alarms_on_band[alarm.slot] = alarm

    async def async_sync_activity(self, yield_to: Callable[[], bool] = bool) -> bool:
        """Fetch the band's activity memory, block by block, storing each before acknowledging it.

        At low latency once the update applies, as Gadgetbridge does, and back to high latency
        afterwards for the band's battery unless more work waits. After each block, `yield_to()`
        true stops the transfer (FF05 `11`): the rest stays on the band for the next sync. A
        transfer that breaks off or sends what cannot be the band's memory raises
        `ActivityTransferError` (a `BleakError`); every block acknowledged before is stored, the
        one in progress stays on the band. Returns whether nothing is left for later (False:
        stopped for `yield_to`).
        """
        client, store = self._require_client(), self._store_block
        info = self.device_info
        if store is None or info is None:
            return True  # nothing to sync here: nothing left for later either
        if client.services.get_characteristic(ACTIVITY_DATA_UUID) is None:
            return True
        assembler = BlockAssembler(
            has_heart_rate=info.model == MODEL_MI_BAND_1S,
            packet_counter=has_packet_counter(info.profile_version),
        )
        offset = self.clock_offset
        if offset is None:  # a clock never set: its stamps are as good as the time it has now
            offset = _to_minute(self.settings.now() - _utc_now())
        keep = self.settings.keep_activity_on_band
        self._activity = queue = asyncio.Queue[bytes]()
        try:
            await self._async_wake(until_applied=True)
            if self._transfer_left_open:
                await self._async_drop_abandoned_transfer(queue)
            self._transfer_left_open = True
            await self._write(CONTROL_POINT_UUID, FETCH_ACTIVITY)
            while True:
                block = await self._next_block(queue, assembler)
                if not block.header.ends_transfer:
                    await store(block, offset)
                ack = block.header.acknowledgement(keep_on_band=keep)
                await self._write(CONTROL_POINT_UUID, ack)
                if block.header.ends_transfer:
                    self._transfer_left_open = False
                    if keep:
                        await self._write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
                    return True
                if yield_to():
                    await self._write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
                    return False
        except MalformedValueError as err:
            # Whatever comes next cannot be trusted: stop, keep the rest on the band.
            await self._write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
            raise ActivityTransferError(f"activity transfer abandoned: {err}") from err
        except ActivityTransferError:
            await self._write(CONTROL_POINT_UUID, STOP_ACTIVITY_SYNC)
            raise
        finally:
            self._activity = None
            await self._async_rest_unless_wanted()

    async def _async_drop_abandoned_transfer(self, queue: asyncio.Queue[bytes]) -> None:
        """Drop what remains of a transfer given up after its data (its end header, say).

        The band sends the end header right after the data, without waiting for the
        acknowledgement (Mi Fit's capture), so a sync that failed between the two leaves it on its
        way. Notifications and responses come back in the order the band sent them: once a read
        is answered, everything the band sent before it has arrived, and none of it belongs to the
        transfer about to start. The read is of the clock, which the sync's stamps use anyway.
        """
        await self._async_read_clock()
        dropped = 0
        while not queue.empty():
            queue.get_nowait()
            dropped += 1
        _LOGGER.debug(
            "%s: %d notifications of an abandoned transfer dropped", self.address, dropped
        )

    async def _async_read_clock(self) -> None:
        """Read the band's clock (FF0A): its offset from UTC is what its stamps carry."""
        data = bytes(await self._require_client().read_gatt_char(DATE_TIME_UUID))
        try:
            offset = _to_minute(protocol.band_clock(data) - _utc_now())
        except MalformedValueError:
            self.clock_offset = None  # never set (zeros): its stamps say nothing
            return
        # A clock that runs some thirty seconds off reads one minute or the next, by how long
        # the read took: keep the offset the stamps were given until it moves further, so a
        # minute synced twice (kept on the band) gets the same time both times.
        if self.clock_offset is None or abs(offset - self.clock_offset) > timedelta(minutes=1):
            self.clock_offset = offset

    async def _async_set_clock(self) -> None:
        """Give the band the time, syncing first what it stamped in another zone.

        Read back afterwards, as Mi Fit does: the band keeps its own clock (in Mi Fit's capture,
        36 s ahead of what it had just been given), and its stamps follow that clock.
        """
        now = self.settings.now()
        wanted = now - _utc_now()
        old = self.clock_offset
        if old is None or abs(old - wanted) > RESTARTED_CLOCK_DRIFT:
            self._alarms_on_band.clear()  # restarted (or never set): its alarms are gone
        elif abs(old - wanted) > CLOCK_CHANGE and self._store_block is not None:
            await self._async_sync_before_clock_change()
        await self._write(DATE_TIME_UUID, protocol.encode_date_time_write(now))
        await self._async_read_clock()

    async def _async_sync_before_clock_change(self) -> None:
        """The memory's stamps carry the clock's old offset: sync while it is still the band's."""
        try:
            await self.async_sync_activity()
        except ActivityTransferError as err:
            _LOGGER.warning(
                "%s: activity not synced before the clock change: %s",
                self.address,
                err,
            )
        except BleakError:
            raise  # the link is gone: the next connection tries again, clock unchanged
        except Exception as err:  # noqa: BLE001 - the sink could not store: the minutes stay
            _LOGGER.warning(
                "%s: activity not stored before the clock change: %s", self.address, err
            )

    async def _next_block(self, queue: asyncio.Queue[bytes], assembler: BlockAssembler) -> Block:
        try:
            async with asyncio.timeout(ACTIVITY_TIMEOUT):
                while True:
                    data = await queue.get()
                    if self._client is None:
                        raise BleakError("Link lost during the activity transfer")
                    if (block := assembler.feed(data)) is not None:
                        return block
        except TimeoutError:
            raise ActivityTransferError("the band stopped sending its activity") from None

    # -- steps of the conversation ----------------------------------------------------------------

    async def async_rest(self) -> None:
        """Back to high latency, for the band's battery, if the link was left at low latency.

        Never raises: the work before it is done whatever becomes of the link, and a link that
        fails here is gone (the next connection sets its parameters afresh).
        """
        if self._client is None or not self._awake:
            return
        try:
            await self._async_ask_parameters(protocol.HIGH_LATENCY)
        except (BleakError, TimeoutError) as err:
            _LOGGER.debug("%s: high latency not set: %s", self.address, err)
            return
        self._awake = False

    async def _async_wake(self, *, until_applied: bool = False) -> None:
        """Ask for low latency; `until_applied`: then wait for the band to say it took effect.

        New parameters apply only at the update's instant, some ten events on: a transfer that
        started at once would send its first block at 600 ms events.
        """
        if self._awake:
            return
        await self._async_ask_parameters(protocol.LOW_LATENCY)
        self._awake = True
        if until_applied:
            await self._async_parameters_settled()

    async def _async_ask_parameters(self, parameters: protocol.LeParams) -> None:
        """Write FF09, once the band has answered for the parameters asked for before.

        The band's word (FF03 04, 08, or 03 for a refusal) names no request: one still to come
        when the next is made would pass for the next one's, so it is waited for first. Cleared
        before the write, not after its answer: the word for this one may arrive, on a busy host,
        before the code after the answer runs.
        """
        if self._update_pending:
            await self._async_parameters_settled()
        self._parameters_settled.clear()
        self._update_pending = True
        await self._write(LE_PARAMS_UUID, parameters.encode())

    async def _async_parameters_settled(self) -> None:
        """Wait for the band's word on the parameters last asked for, if it gives one."""
        if not self._update_pending or not self._band_answers_updates:
            return
        try:
            async with asyncio.timeout(PARAMETER_UPDATE_TIMEOUT):
                await self._parameters_settled.wait()
        except TimeoutError:
            # Gadgetbridge's account (the band notifies 08), not a capture: a band that stays
            # silent is not waited for again on this connection.
            self._band_answers_updates = False
            _LOGGER.debug("%s: no word of the new parameters; going on", self.address)

    async def _async_rest_unless_wanted(self) -> None:
        if not (self._initialising or self._keep_awake()):
            await self.async_rest()

    async def _authenticate(self, info: DeviceInfo, tap_timeout: float | None) -> None:
        """Write the user info and wait for the verdict; with `tap_timeout`, accept a tap."""
        await self._write(USER_INFO_UUID, self.settings.user.encode(self.address, info))
        refused = waiting_for_tap = False
        try:
            async with asyncio.timeout(AUTHENTICATION_TIMEOUT) as deadline:
                while True:
                    status = await self._status_queue.get()
                    if status in AUTHENTICATED:
                        return
                    if status == Notification.WAITING_FOR_TAP:
                        if tap_timeout is None:
                            raise TapRequiredError("The band waits for a tap to accept this user")
                        waiting_for_tap = True
                        deadline.reschedule(asyncio.get_running_loop().time() + tap_timeout)
                    # 06 comes before 13 when the band asks for a tap; alone, it is a refusal.
                    refused = refused or status == Notification.AUTHENTICATION_FAILED
        except TimeoutError:
            if waiting_for_tap:
                raise TapTimeoutError("Nobody tapped the band in time") from None
            if refused:
                raise AuthenticationRejectedError("The band refused the user info") from None
            raise BleakError("The band did not answer the user info") from None

    async def _write(self, uuid: str, data: bytes) -> None:
        await self._require_client().write_gatt_char(uuid, data, response=True)

    def _require_client(self) -> BleakClient:
        if self._client is None:
            raise BleakError("Not connected")
        return self._client

    def _set_state(self, state: BandState) -> None:
        self.state = state
        if self._on_state is not None:
            self._on_state(state)

    # -- notifications ----------------------------------------------------------------------------

    def _on_status(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        if data:
            self.statuses.append(data[0])
            self._status_queue.put_nowait(data[0])
            if data[0] in PARAMETERS_SETTLED:
                self._update_pending = False
                self._parameters_settled.set()

    def _on_activity(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        if self._activity is not None and data:
            self._activity.put_nowait(bytes(data))

    def _on_steps(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        steps = _parsed(protocol.parse_steps, data, "steps")
        if steps is not None:
            self._update_state(steps=steps)

    def _on_battery(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        battery = _parsed(protocol.parse_battery_info, data, "battery")
        if battery is not None:
            self._update_state(battery=battery)

    def _on_heart_rate(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        bpm = _parsed(protocol.parse_heart_rate, data, "heart-rate")
        if bpm is None:
            return  # malformed, or "no reading": keep waiting
        for waiter in self._heart_rate_waiters:
            if not waiter.done():
                waiter.set_result(bpm)
        self._update_state(heart_rate=bpm)

    def _update_state(self, **changes: Any) -> None:
        if self.state is not None:
            self._set_state(replace(self.state, **changes))


def _utc_now() -> datetime:
    """Now in UTC, naive like the band's clock."""
    return datetime.now(UTC).replace(tzinfo=None)


def _to_minute(offset: timedelta) -> timedelta:
    """An offset between clocks to the nearest minute (the band's stamps are whole minutes)."""
    return timedelta(minutes=round(offset.total_seconds() / 60))


def _parsed[T](parse: Callable[[bytes], T | None], data: bytearray, what: str) -> T | None:
    """A notification's value, or None (logged) when its bytes do not fit the protocol."""
    try:
        return parse(bytes(data))
    except MalformedValueError as err:
        _LOGGER.debug("Ignored %s notification: %s", what, err)
        return None
