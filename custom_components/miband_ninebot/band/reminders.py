"""A band's reminders, as binary sensors: `inactive` and, on a 1S, `no_heart_rate`.

Both are worked out by `miband.reminders` from what the band notified, each time the coordinator
publishes and once more at the moment the verdict would change by itself (the timer is the
entity's: it goes with the entity when the entry unloads). No polling. The samples and the
moments are UTC (a window across a daylight-saving change is as long as it says); only the
hours are local.

`inactive` takes today's step count as `BandDay` sees it, sampled in memory at every change the
band notifies: the synced minutes arrive only at the next sync (up to `activity_sync_interval`
late), where a count comes within seconds of the steps. It is off while the newest synced minute
says asleep or not worn (what the `asleep` and `worn` sensors show). A restart starts the samples
afresh: `inactive` waits a full window from the first count.

`no_heart_rate` counts from the last reading, or from when continuous measurement was turned on.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_track_point_in_time
from homeassistant.util import dt as dt_util

from ..entity import MiBandNinebotEntity
from ..miband.reminders import StepSamples, Verdict, heart_rate_missing, inactive
from ..options import inactivity_settings, no_heart_rate_after
from .coordinator import BandCoordinator

INACTIVE = BinarySensorEntityDescription(key="inactive", translation_key="inactive")
NO_HEART_RATE = BinarySensorEntityDescription(
    key="no_heart_rate",
    translation_key="no_heart_rate",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


def entities(coordinator: BandCoordinator) -> list[BinarySensorEntity]:
    """Inactive, then no heart rate on a band that measures it."""
    reminders: list[BinarySensorEntity] = [InactiveBinarySensor(coordinator, INACTIVE)]
    if coordinator.has_heart_rate_sensor:
        reminders.append(NoHeartRateBinarySensor(coordinator, NO_HEART_RATE))
    return reminders


class ReminderBinarySensor(MiBandNinebotEntity[BandCoordinator], BinarySensorEntity):
    """A verdict taken again at each publish, and when it would change by itself."""

    _cancel_timer: CALLBACK_TYPE | None = None
    _timer_at: datetime | None = None  # when the timer is due

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Nothing to re-key: its timer and the coordinator are the device's."""
        super().async_entity_id_changed(old_entity_id)

    async def async_added_to_hass(self) -> None:
        """Take the verdict now; the timer goes with the entity."""
        await super().async_added_to_hass()
        self.async_on_remove(self._async_cancel_timer)
        self._handle_coordinator_update()

    @abstractmethod
    def verdict(self, now: datetime) -> Verdict:
        """The verdict at `now` (aware, local), from what the entity has seen."""

    @callback
    def _async_take(self) -> None:
        """What the coordinator's publish brings (none on a timer)."""

    @callback
    def _handle_coordinator_update(self) -> None:
        self._async_take()
        self._async_decide()

    @callback
    def _async_decide(self, moment: datetime | None = None) -> None:
        now = dt_util.utcnow()
        # On a timer: its moment at least, whatever the clock says about the event loop's. Taken
        # in UTC, then local: two local times an hour apart across a change compare as equal.
        verdict = self.verdict(dt_util.as_local(now if moment is None else max(now, moment)))
        self._attr_is_on = verdict.on
        if verdict.changes_at != self._timer_at:  # the same moment keeps its timer
            self._async_cancel_timer()
            if verdict.changes_at is not None:
                self._timer_at = verdict.changes_at
                self._cancel_timer = async_track_point_in_time(
                    self.hass, self._async_on_timer, verdict.changes_at
                )
        super()._handle_coordinator_update()

    @callback
    def _async_on_timer(self, moment: datetime) -> None:
        self._cancel_timer = self._timer_at = None
        self._async_decide(moment)

    @callback
    def _async_cancel_timer(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
        self._cancel_timer = self._timer_at = None


class InactiveBinarySensor(ReminderBinarySensor):
    """On: fewer steps than the option's in the last window, within the hours, worn, awake."""

    def __init__(
        self, coordinator: BandCoordinator, description: BinarySensorEntityDescription
    ) -> None:
        """Samples for the window the options set."""
        super().__init__(coordinator, description)
        self._settings = inactivity_settings(coordinator.entry.options)
        self._samples = StepSamples(self._settings.window)

    @callback
    def _async_take(self) -> None:
        if (steps := self.coordinator.day.steps) is not None:
            self._samples.add(dt_util.utcnow(), steps)

    def verdict(self, now: datetime) -> Verdict:
        """Idle for a window, unless asleep or not worn as far as the synced minutes say."""
        newest = self.coordinator.history.newest
        return inactive(
            self._samples,
            now,
            self._settings,
            asleep=None if newest is None else newest.asleep,
            worn=None if newest is None else newest.worn,
        )


class NoHeartRateBinarySensor(ReminderBinarySensor):
    """On (a problem): measuring continuously, and no reading for the option's minutes.

    Available with the band out of reach: no reading then is the problem it reports.
    """

    def __init__(
        self, coordinator: BandCoordinator, description: BinarySensorEntityDescription
    ) -> None:
        """Nothing measured yet."""
        super().__init__(coordinator, description)
        self._after = no_heart_rate_after(coordinator.entry.options)
        self._readings = coordinator.session.heart_rate_readings
        self._since: datetime | None = None  # the last reading or the start of measuring, UTC

    @property
    def available(self) -> bool:
        """No reading is what it tells, the band in reach or not."""
        return True

    @callback
    def _async_take(self) -> None:
        readings = self.coordinator.session.heart_rate_readings
        if not self.coordinator.continuous_heart_rate:
            self._since = None
        elif self._since is None or readings != self._readings:
            self._since = dt_util.utcnow()
        self._readings = readings

    def verdict(self, now: datetime) -> Verdict:
        """No reading for the option's minutes since the last one."""
        return heart_rate_missing(self._since, now, self._after)
