"""A Mi Band 1S's coordinator: the shared link lifecycle plus the band's session and operations.

Operations a user waits for (a heart-rate measurement, a vibration) bring the link up if it is
down and hold it while they run. A measurement that loses the link is retried once on a fresh
connection, which re-authenticates with the stored user id (no tap) and re-subscribes.

The band's activity memory is synced into the recorder's statistics (`history`) on every fresh
link, then every `activity_sync_interval` minutes while the link is held (more often at night if
asked, band/cadence.py), and on the `sync_activity` action. A sync holds the control points one
block at a time: an operation that comes meanwhile stops it after the current block, and the rest
follows once the operation is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..const import CONF_MODEL, CONF_USER_ID
from ..coordinator import LinkCoordinator
from ..entity import async_update_device
from ..link import LINK_ERRORS
from ..miband.activity import Block
from ..miband.advertisement import MODEL_MI_BAND_1S
from ..miband.alarm import Alarm
from ..miband.client import MiBandClient
from ..miband.exceptions import (
    ActivityTransferError,
    AuthenticationRejectedError,
    NoHeartRateError,
    TapRequiredError,
)
from ..miband.latency import LatencyHold
from ..miband.protocol import DeviceInfo, Gender, UserInfo
from ..miband.state import BandSettings, BandState
from ..miband.vibration import DEFAULT_PATTERN, VibrationPattern
from ..options import ConnectionPolicy, LinkSettings, Profile, keep_activity_on_band
from .alarms import BandAlarms
from .cadence import SyncCadence
from .day import BandDay
from .find import FIND_PATTERN, BandFinder
from .statistics import ActivityHistory, HistoryNotStoredError, recorder_ready

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__package__)


def band_user(user_id: int, profile: Mapping[str, Any]) -> UserInfo:
    """The user info Home Assistant authenticates with: the stored id and the wearer's profile."""
    wearer = Profile.from_options(profile)
    return UserInfo(
        user_id=user_id,
        gender=Gender[wearer.gender.upper()],
        age=wearer.age,
        height=wearer.height,
        weight=wearer.weight,
    )


# What ends a background sync without harm: what was not acknowledged stays on the band.
SYNC_ERRORS: tuple[type[BaseException], ...] = (*LINK_ERRORS, HistoryNotStoredError)


def band_now() -> datetime:
    """Home Assistant's local time, as the band keeps it: without a zone."""
    return dt_util.now().replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """The minutes a sync brought into Home Assistant (none seen twice)."""

    minutes: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def plus(self, minutes: int, first: datetime, last: datetime) -> SyncSummary:
        """This summary with another block's new minutes."""
        return SyncSummary(self.minutes + minutes, self.first or first, last)


class BandCoordinator(LinkCoordinator[BandState | None]):
    """Holds a band's authenticated link; data is None until the first connection."""

    session: MiBandClient
    auth_errors = (TapRequiredError, AuthenticationRejectedError)

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        ble_device: BLEDevice,
        settings: LinkSettings | None = None,
    ) -> None:
        """Prepare the link and the session that authenticates with the entry's user id."""
        user = band_user(entry.data[CONF_USER_ID], entry.options)
        band_settings = BandSettings(
            user,
            now=band_now,
            keep_activity_on_band=keep_activity_on_band(entry.options),
        )
        address = entry.data[CONF_ADDRESS]
        # Operations called and not yet talking to the band: a sync makes way for them.
        self._operations_waiting = 0
        session = MiBandClient(
            address, band_settings, self._async_on_state, self._async_store_block
        )
        super().__init__(hass, entry, ble_device, session, None, settings=settings)
        self.history = ActivityHistory(
            hass, address, entry.title, heart_rate=self.has_heart_rate_sensor
        )
        self._sync_cadence = SyncCadence.from_options(entry.options)
        self._operation = asyncio.Lock()  # one conversation on the control points at a time
        self._sync_summary = SyncSummary()
        self._cancel_sync_timer: CALLBACK_TYPE | None = None
        self._registered_info: DeviceInfo | None = None
        self.alarms = BandAlarms(hass, address, band_now, self._async_alarms_changed)
        wearer = Profile.from_options(entry.options)
        self.day = BandDay(hass, address, wearer, session, self.async_update_listeners)
        self.finder = BandFinder(
            hass,
            entry,
            ring=lambda: self.async_vibrate(FIND_PATTERN),
            stop=lambda: self._async_operation(self.session.stop_vibration),
            hold=self.policy.hold,
            changed=self.async_update_listeners,
        )

    async def async_load(self) -> None:
        """Read what the entry's storage keeps: the sync's progress and the alarms set here."""
        await self.history.async_load()
        await self.alarms.async_load()
        self._async_alarms_changed()
        await self.day.async_load()
        self.entry.async_on_unload(self.day.async_start())

    async def async_set_alarm(self, slot: int, **changes: Any) -> Alarm:
        """Change an alarm slot; the band gets it now if the link is up, else when it connects."""
        alarm = await self.alarms.async_update(slot, **changes)
        self._async_alarms_changed()
        if self.connected:
            try:
                await self._async_operation(self.session.write_alarms)
            except HomeAssistantError as err:
                # Kept here, not noted as written by the session: the next connection writes it.
                _LOGGER.debug("%s: alarm %d set on reconnect: %s", self.name, slot + 1, err)
        return alarm

    async def async_set_step_goal(self, steps: int) -> None:
        """Make `steps` the daily goal: written now (connecting if need be) and on each connection.

        A band out of reach is a translated error; the goal is kept for its next connection.
        """
        self.session.settings.step_goal = steps
        self.day.async_check_goal()
        await self.async_write_setting(
            lambda: self.session.set_step_goal(steps), "step_goal_not_written", goal=str(steps)
        )

    async def async_write_setting(
        self, write: Callable[[], Awaitable[None]], error: str, **placeholders: str
    ) -> None:
        """A changed setting: `write` it now (connecting), else the translated error `error`."""
        self.async_update_listeners()
        try:
            await self._async_operation(write)
        except HomeAssistantError as err:
            raise self.translated_error(error, **placeholders) from err

    @callback
    def _async_alarms_changed(self) -> None:
        """The slots changed (set, loaded, a one-time alarm gone by): hand them to the session."""
        self.session.settings.alarms = self.alarms.managed
        self.async_update_listeners()

    @property
    def has_heart_rate_sensor(self) -> bool:
        """Whether the band is a 1S, the only model with the optical sensor."""
        return bool(self.entry.data[CONF_MODEL] == MODEL_MI_BAND_1S)

    @property
    def continuous_heart_rate(self) -> bool:
        """Whether the band measures continuously while connected (re-applied on every connect)."""
        return self.session.settings.continuous_heart_rate

    async def async_set_continuous_heart_rate(self, enabled: bool) -> None:
        """Turn continuous measurement on or off; a band out of reach gets it when it connects."""
        async with self._operation:
            try:
                await self.session.set_continuous_heart_rate(enabled)
            except LINK_ERRORS as err:
                # Kept in the settings: the next connection applies it.
                _LOGGER.debug("%s: continuous heart rate applies on reconnect: %s", self.name, err)
        self.async_update_listeners()

    async def async_shutdown(self) -> None:
        """Close the link, then let an operation in progress end before returning.

        Without its link it fails at once; waiting for that gives its caller the translated
        error, where Home Assistant, stopping, would cancel it a moment later (CancelledError).
        """
        self._async_cancel_sync_timer()
        self.finder.async_cancel()
        self.alarms.async_stop()
        await super().async_shutdown()
        async with self._operation:
            pass

    async def async_sync_activity(self) -> SyncSummary:
        """Sync the band's memory now (the action): what it brought, or a translated error."""
        if not recorder_ready(self.hass):
            raise self.translated_error("recorder_required")
        return await self._async_operation(self._async_sync_for_user)

    async def _async_sync_for_user(self) -> SyncSummary:
        try:
            return await self._async_sync()
        except (ActivityTransferError, HistoryNotStoredError) as err:
            raise self.translated_error("activity_sync_failed", error=str(err)) from err

    async def _async_sync(self) -> SyncSummary:
        """One sync on the held link, under the operation lock; the rest after a waiting one."""
        self._sync_summary = SyncSummary()
        try:
            complete = await self.session.sync_activity(
                yield_to=lambda: self._operations_waiting > 0
            )
        finally:
            self.async_update_listeners()
        if complete:
            await self.history.async_sync_done(dt_util.utcnow())
            self.async_update_listeners()
        else:
            self._async_schedule_sync(timedelta(0))  # queued behind the waiting operation
        return self._sync_summary

    async def _async_store_block(self, block: Block, clock_offset: timedelta) -> None:
        """The session's sink: a block into the statistics, before the band may delete it."""
        if not recorder_ready(self.hass):
            raise HistoryNotStoredError("Home Assistant's recorder is not running")
        imported = await self.history.async_store_block(block, clock_offset)
        if imported is not None:
            self._sync_summary = self._sync_summary.plus(*imported)

    async def async_start_session(self, client: BleakClient) -> None:
        """Initialise the band; every fresh link (a periodic one too) then starts with a sync.

        The sync is counted before the initialisation ends, so the low latency it leaves stays
        for the sync rather than going high and low again.
        """
        hold = self.session.keep_low_latency()
        try:
            await self.session.start(client)
        except BaseException:
            hold.drop()  # the connection is given up: nothing to ask of it
            raise
        if recorder_ready(self.hass):
            self._async_cancel_sync_timer()  # the last link's timer: this one starts afresh
            self._async_start_background_sync(fresh_link=True)
        if self.settings.policy is ConnectionPolicy.PERIODIC and not self.policy.holders:
            hold.drop()  # the link is released right after: high latency would cost a round trip
        else:
            await hold.release()

    @callback
    def _async_start_background_sync(
        self, _now: object = None, *, fresh_link: bool = False
    ) -> None:
        self._cancel_sync_timer = None
        if not (fresh_link or self.connected):
            return  # the next link starts its own
        release_link = self.policy.hold()
        latency = self.session.keep_low_latency()  # from now: the work before leaves it fast
        self.entry.async_create_background_task(
            self.hass,
            self._async_background_sync(release_link, latency),
            f"{self.name} activity sync",
        )

    async def _async_background_sync(
        self, release_link: Callable[[], Awaitable[None]], latency: LatencyHold
    ) -> None:
        try:
            async with self._operation:
                await self._async_sync()
        except SYNC_ERRORS as err:
            # Nothing is lost: what was not acknowledged stays on the band for the next sync.
            _LOGGER.debug("%s: activity sync stopped: %s", self.name, err)
        finally:
            # The link first: released (periodic policy), it needs no high latency asked for.
            await release_link()
            await latency.release()
        if self.settings.policy is ConnectionPolicy.HOLD and self._cancel_sync_timer is None:
            self._async_schedule_sync(self._sync_cadence.delay(dt_util.now()))

    @callback
    def _async_schedule_sync(self, delay: timedelta) -> None:
        self._async_cancel_sync_timer()
        if not self.link.closed:
            self._cancel_sync_timer = async_call_later(
                self.hass, delay, self._async_start_background_sync
            )

    @callback
    def _async_cancel_sync_timer(self) -> None:
        if self._cancel_sync_timer is not None:
            self._cancel_sync_timer()
            self._cancel_sync_timer = None

    async def async_measure_heart_rate(self) -> int:
        """Measure the heart rate now and publish it; one retry on a fresh link after a drop."""
        bpm = await self._async_operation(self._async_measure)
        if self.session.state is not None:
            self.async_publish_now(self.session.state)
        return bpm

    async def async_vibrate(
        self, pattern: VibrationPattern = DEFAULT_PATTERN, repeat: int = 1
    ) -> None:
        """Make the band play a vibration pattern `repeat` times."""
        await self._async_operation(lambda: self.session.vibrate(pattern, repeat))

    async def _async_measure(self) -> int:
        state = self.session.state
        if state is not None and not state.device_info.supports_heart_rate:
            raise self.translated_error("no_heart_rate_sensor")
        try:
            return await self.session.measure_heart_rate()
        except NoHeartRateError as err:
            raise self.translated_error("no_heart_rate") from err

    async def _async_operation[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run an operation on a held link; after a drop, once more on a fresh connection.

        From the call on, a sync in progress stops after its block, and a fresh link keeps its
        low latency for the operation. The link is let go before the latency: released (the
        periodic policy), it needs no high latency asked for.
        """
        latency = self.session.keep_low_latency()
        self._operations_waiting += 1
        waiting = True

        def started() -> None:
            nonlocal waiting
            if waiting:
                waiting = False
                self._operations_waiting -= 1

        try:
            async with self._operation:
                return await self._async_operation_locked(operation, started)
        finally:
            started()
            await latency.release()

    async def _async_operation_locked[T](
        self, operation: Callable[[], Awaitable[T]], started: Callable[[], None]
    ) -> T:
        try:
            async with self.async_link_in_use():
                started()
                return await operation()
        except LINK_ERRORS as err:
            _LOGGER.debug("%s: link lost during an operation, retrying: %s", self.name, err)
        try:
            async with self.async_link_in_use():
                return await operation()
        except LINK_ERRORS as err:
            raise self.translated_error("link_lost", error=str(err)) from err

    @callback
    def _async_on_state(self, state: BandState) -> None:
        if (info := state.device_info) != self._registered_info:
            self._registered_info = info
            async_update_device(
                self,
                model=info.model,
                sw_version=info.firmware_version,
            )
        self.day.async_count(state.steps)
        self.async_publish(state)
