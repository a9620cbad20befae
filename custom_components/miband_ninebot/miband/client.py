"""The conversation with a Mi Band 1 / 1A / 1S over one BLE connection.

`MiBandClient.start` runs Gadgetbridge's initialisation order (docs/protocols/mi-band-1.md,
section 4), which is also what keeps the 1S's heart-rate sensor from killing the link (section 4.1):

 1. subscribe to FF03 first, so that the authentication result is not missed;
 2. FF09 <- low latency: the band asks for a 5 s supervision timeout, which outlasts the ~1.3 s
    its firmware goes quiet when the optical sensor starts (Linux's default is 420 ms: HCI 0x08);
 3. read FF0A (date), then FF01 (device info, a full read: 20 bytes on the 1S);
 4. FF04 <- user info, then wait for the verdict: 05 / 0a / 15 authenticated, 06 then 13 means
    the band vibrates for a tap (first pairing);
 5. FF05 <- wear location, 2A39 <- sleep HR on or off as chosen (1S), step goal;
 6. subscribe to steps, activity, battery and heart rate;
 7. FF0A <- date and time, then read back; the alarms, if the band may not hold them; read
    battery and steps;
 8. FF09 <- high latency, to save the band's battery while idle.

Connection latency has one owner, `latency.ConnectionLatency`: the initialisation and a long
transfer (the activity sync) hold low latency (about 55 ms connection events instead of 600 ms)
while they run, and the band goes back to high latency once nothing holds it. Short work does not
ask: the band's request for new parameters takes effect only at the update's instant, some ten
events (six seconds at 600 ms) later, by which time a measurement's three commands or an alarm's
write are long done at the old pace. A caller with short work for the link keeps the low latency
a fresh connection has until that work is done (`keep_low_latency`).

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
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import timedelta
import logging
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakError

from . import protocol
from .activity_transfer import ActivityTransfer, BlockSink
from .alarm import Alarm
from .const import (
    ACTIVITY_DATA_UUID,
    AUTHENTICATION_TIMEOUT,
    BATTERY_UUID,
    CONTROL_POINT_UUID,
    DEVICE_INFO_UUID,
    HEART_RATE_CONTROL_POINT_UUID,
    HEART_RATE_MEASUREMENT_UUID,
    HEART_RATE_TIMEOUT,
    LE_PARAMS_UUID,
    NOTIFICATION_UUID,
    REALTIME_STEPS_UUID,
    REQUIRED_CHARACTERISTICS,
    TAP_TIMEOUT,
    USER_INFO_UUID,
)
from .exceptions import (
    AuthenticationRejectedError,
    MalformedValueError,
    MissingCharacteristicError,
    NoHeartRateError,
    TapRequiredError,
    TapTimeoutError,
)
from .latency import ConnectionLatency, LatencyHold
from .protocol import AUTHENTICATED, DeviceInfo, Notification
from .state import BandSettings, BandState
from .vibration import DEFAULT_PATTERN, VibrationPattern, play, stop

_LOGGER = logging.getLogger(__name__)


def require_band_table(client: BleakClient) -> None:
    """Raise `MissingCharacteristicError` unless the connected device has a band's table."""
    services = client.services
    missing = [u for u in REQUIRED_CHARACTERISTICS if services.get_characteristic(u) is None]
    if missing:
        raise MissingCharacteristicError(f"not a Mi Band 1-series GATT table, missing {missing}")


class MiBandClient:
    """The conversation with one band, over whichever connection it has now."""

    def __init__(
        self,
        address: str,
        settings: BandSettings,
        on_state: Callable[[BandState], None] | None = None,
        store_block: BlockSink | None = None,
    ) -> None:
        """Prepare to authenticate as `settings.user` with the band at `address`.

        Without `store_block` the band's activity memory is left alone.
        """
        self.address = address
        self.settings = settings
        self._on_state = on_state
        self._store_block = store_block
        self.latency = ConnectionLatency(address, lambda value: self.write(LE_PARAMS_UUID, value))
        self.activity = ActivityTransfer(self)
        self.device_info: DeviceInfo | None = None  # of the band on the current connection
        self.state: BandState | None = None
        self.statuses: list[int] = []  # FF03 codes of this connection, for diagnostics
        self.heart_rate_readings = 0  # readings so far, a repeated value too
        self._client: BleakClient | None = None
        self._status_queue: asyncio.Queue[int] = asyncio.Queue()
        self._heart_rate_waiters: list[asyncio.Future[int]] = []
        self._alarms_on_band: dict[int, Alarm] = {}  # as last written, while the band keeps them

    @property
    def connected(self) -> bool:
        """Whether the band has a connection this client talks over."""
        return self._client is not None

    @property
    def clock_offset(self) -> timedelta | None:
        """The band's clock minus UTC, to the minute, as its activity stamps carry it."""
        return self.activity.clock_offset

    def low_latency(self, *, until_applied: bool = False) -> AbstractAsyncContextManager[None]:
        """`async with`: low latency for the block, high again once nothing holds it."""
        return self.latency.low(until_applied=until_applied)

    def keep_low_latency(self) -> LatencyHold:
        """Keep the low latency a connection has (a fresh one's) for short work to come."""
        return self.latency.keep()

    async def pair(self, client: BleakClient, tap_timeout: float = TAP_TIMEOUT) -> DeviceInfo:
        """Introduce the user to the band, waiting up to `tap_timeout` for the wearer's tap.

        A band that already knows the user id accepts it at once. Raises `TapTimeoutError`,
        `AuthenticationRejectedError`, or `MissingCharacteristicError` for a device that is not
        a 1-series band: one without the MiLi service, or whose device info names no 1 / 1A / 1S
        (an Amazfit that shares the band's address range and name), found before anything is
        written to it. The caller closes the connection; the next one authenticates without a tap.
        """
        return await self._open(client, tap_timeout, require_known_model=True)

    async def start(self, client: BleakClient) -> None:
        """Initialise a fresh connection; raise `TapRequiredError` if the band wants a tap.

        At low latency, and at high latency afterwards unless work keeps it low.
        """
        hold = self.latency.keep()
        try:
            await self._initialise(client)
        except BaseException:
            hold.drop()  # the connection is being given up: nothing to ask of it
            raise
        await hold.release()

    async def _initialise(self, client: BleakClient) -> None:
        info = await self._open(client, tap_timeout=None)
        await self.write(CONTROL_POINT_UUID, protocol.encode_wear_location(self.settings.wear_left))
        if info.supports_heart_rate:
            await self.write(HEART_RATE_CONTROL_POINT_UUID, self.settings.sleep_heart_rate_command)
        await self.write(CONTROL_POINT_UUID, protocol.encode_step_goal(self.settings.step_goal))
        await client.start_notify(REALTIME_STEPS_UUID, self._on_steps)
        if client.services.get_characteristic(ACTIVITY_DATA_UUID) is not None:
            await client.start_notify(ACTIVITY_DATA_UUID, self._on_activity)
        await client.start_notify(BATTERY_UUID, self._on_battery)
        if info.supports_heart_rate:
            await client.start_notify(HEART_RATE_MEASUREMENT_UUID, self._on_heart_rate)
        if await self.activity.set_clock(self.sync_activity if self._store_block else None):
            self._alarms_on_band.clear()  # restarted (or never set): its alarms are gone
        await self._write_changed_alarms()
        battery = protocol.parse_battery_info(bytes(await client.read_gatt_char(BATTERY_UUID)))
        steps = protocol.parse_steps(bytes(await client.read_gatt_char(REALTIME_STEPS_UUID)))
        await self.write(CONTROL_POINT_UUID, protocol.REALTIME_STEPS_ON)
        if info.supports_heart_rate and self.settings.continuous_heart_rate:
            # Only now: the clock is set and the link tolerates the sensor's start (section 4.1).
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_ON)
        self._set_state(BandState(info, battery, steps))

    async def _open(
        self, client: BleakClient, tap_timeout: float | None, *, require_known_model: bool = False
    ) -> DeviceInfo:
        """Steps 1-4: notifications, low latency, date, device info, user info and its verdict."""
        require_band_table(client)
        self._client = client
        self._status_queue = asyncio.Queue()
        self.statuses.clear()
        await client.start_notify(NOTIFICATION_UUID, self._on_status)
        self.latency.connection_made()
        await self.latency.ask_low()
        self.activity.connection_made()
        await self.activity.read_clock()
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

    def connection_lost(self) -> None:
        """Forget the connection; a measurement or a sync waiting on it fails."""
        self._client = None
        self.latency.connection_lost()  # a wait for the band's word: the link is gone
        self.activity.connection_lost()
        for waiter in self._heart_rate_waiters:
            if not waiter.done():
                waiter.set_exception(BleakError("Link lost during the measurement"))
        self._heart_rate_waiters.clear()

    async def measure_heart_rate(self) -> int:
        """Take a manual measurement: stop the other modes, start manual, wait for a value.

        At the link's parameters as they are: a switch to low latency would apply only after the
        commands (module docstring).
        """
        self.require_client()
        bpm = await self._manual_measurement()
        if self.settings.continuous_heart_rate:
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_ON)
        return bpm

    async def _manual_measurement(self) -> int:
        """Gadgetbridge's sequence: stop continuous, stop manual, start manual; then the value."""
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._heart_rate_waiters.append(waiter)
        try:
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_OFF)
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_MANUAL_OFF)
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_MANUAL_ON)
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

    async def set_continuous_heart_rate(self, enabled: bool) -> None:
        """Turn continuous measurement on or off, now and on every later connection."""
        self.settings.continuous_heart_rate = enabled
        if self._client is None:
            return  # applied when the next connection starts
        if enabled:
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_MANUAL_OFF)
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_ON)
        else:
            await self.write(HEART_RATE_CONTROL_POINT_UUID, protocol.HR_CONTINUOUS_OFF)

    async def set_step_goal(self, steps: int) -> None:
        """Make `steps` the daily goal, now and on every later connection."""
        self.settings.step_goal = steps
        if self._client is not None:
            await self.write(CONTROL_POINT_UUID, protocol.encode_step_goal(steps))

    async def set_wear_location(self, left: bool) -> None:
        """Wear the band on the left wrist or the right, now and on every later connection."""
        self.settings.wear_left = left
        if self._client is not None:
            await self.write(CONTROL_POINT_UUID, protocol.encode_wear_location(left))

    async def stop_vibration(self) -> None:
        """Stop the motor now, a pattern cut short: the firmware's own stop command."""
        await stop(self.require_client())

    async def vibrate(self, pattern: VibrationPattern = DEFAULT_PATTERN, repeat: int = 1) -> None:
        """Play `pattern` `repeat` times: Immediate Alert where the firmware has it, else FF05.

        At once, at the link's parameters: each write leaves at the next connection event, so on
        a band idling at 600 ms events a pulse or pause lasts at least one event. Asking for low
        latency first would delay the buzz by the update's six seconds.
        """
        await play(self.require_client(), pattern, repeat)

    async def write_alarms(self) -> None:
        """Set the band's slots to `settings.alarms` now (those that differ)."""
        self.require_client()
        await self._write_changed_alarms()

    async def _write_changed_alarms(self) -> None:
        for alarm in self.settings.alarms:
            if self._alarms_on_band.get(alarm.slot) != alarm:
                await self.write(CONTROL_POINT_UUID, alarm.encode(self.settings.now()))
                self._alarms_on_band[alarm.slot] = alarm

    async def sync_activity(self, yield_to: Callable[[], bool] = bool) -> bool:
        """Fetch the band's activity memory, block by block, storing each before acknowledging it.

        At low latency once the update applies, as Gadgetbridge does. After each block,
        `yield_to()` true stops the transfer (FF05 `11`): the rest stays on the band for the next
        sync. A transfer that breaks off or sends what cannot be the band's memory raises
        `ActivityTransferError` (a `BleakError`); every block acknowledged before is stored, the
        one in progress stays on the band. Returns whether nothing is left for later (False:
        stopped for `yield_to`).
        """
        self.require_client()
        if self._store_block is None:
            return True  # the memory is left alone: nothing left for later either
        return await self.activity.run(self._store_block, yield_to)

    async def _authenticate(self, info: DeviceInfo, tap_timeout: float | None) -> None:
        """Write the user info and wait for the verdict; with `tap_timeout`, accept a tap."""
        await self.write(USER_INFO_UUID, self.settings.user.encode(self.address, info))
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

    async def write(self, uuid: str, data: bytes) -> None:
        """Write a characteristic, with a response, on the current connection."""
        await self.require_client().write_gatt_char(uuid, data, response=True)

    def require_client(self) -> BleakClient:
        """The current connection, or `BleakError` when there is none."""
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
            self.latency.status_received(data[0])

    def _on_activity(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        self.activity.data_received(bytes(data))

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
        self.heart_rate_readings += 1
        self._update_state(heart_rate=bpm)

    def _update_state(self, **changes: Any) -> None:
        if self.state is not None:
            self._set_state(replace(self.state, **changes))


def _parsed[T](parse: Callable[[bytes], T | None], data: bytearray, what: str) -> T | None:
    """A notification's value, or None (logged) when its bytes do not fit the protocol."""
    try:
        return parse(bytes(data))
    except MalformedValueError as err:
        _LOGGER.debug("Ignored %s notification: %s", what, err)
        return None
