"""The band's services: measure the heart rate, sync the activity memory (both respond), vibrate.

Registered once in `async_setup`, they act on the band a device id names. A device id that is
not a loaded band of this integration is the caller's mistake (`ServiceValidationError`); a band
that cannot be reached or gives no value is a `HomeAssistantError`. Both are translated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr

from .band.coordinator import BandCoordinator
from .const import DOMAIN
from .miband.vibration import DEFAULT_PATTERN, VibrationPattern

if TYPE_CHECKING:
    # Typed as what the pinned release runs: Home Assistant now installs probatio under the name
    # voluptuous and types its helpers with probatio's schemas. 2025.8 runs voluptuous itself.
    import probatio as vol
else:
    import voluptuous as vol

SERVICE_MEASURE_HEART_RATE = "measure_heart_rate"
SERVICE_VIBRATE = "vibrate"
SERVICE_SYNC_ACTIVITY = "sync_activity"
ATTR_COUNT = "count"
ATTR_PATTERN = "pattern"
ATTR_HEART_RATE = "heart_rate"


def _one_device(value: Any) -> str:
    """One device id; the UI's device selector sends a list, so a one-element list is accepted."""
    ids = cv.ensure_list(value)
    if len(ids) != 1:
        raise vol.Invalid("exactly one band")
    return cv.string(ids[0])


MEASURE_HEART_RATE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): _one_device})
SYNC_ACTIVITY_SCHEMA = MEASURE_HEART_RATE_SCHEMA
VIBRATE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _one_device,
        vol.Optional(ATTR_COUNT, default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=10)),
        vol.Optional(ATTR_PATTERN, default=DEFAULT_PATTERN.value): vol.Coerce(VibrationPattern),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the band's services."""

    async def async_measure_heart_rate(call: ServiceCall) -> ServiceResponse:
        bpm = await _band(hass, call).async_measure_heart_rate()
        return {ATTR_HEART_RATE: bpm}

    async def async_sync_activity(call: ServiceCall) -> ServiceResponse:
        summary = await _band(hass, call).async_sync_activity()
        return {
            "minutes": summary.minutes,
            "first": None if summary.first is None else summary.first.isoformat(),
            "last": None if summary.last is None else summary.last.isoformat(),
        }

    async def async_vibrate(call: ServiceCall) -> None:
        await _band(hass, call).async_vibrate(
            VibrationPattern(call.data[ATTR_PATTERN]), call.data[ATTR_COUNT]
        )

    hass.services.async_register(
        DOMAIN,
        SERVICE_MEASURE_HEART_RATE,
        async_measure_heart_rate,
        schema=MEASURE_HEART_RATE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SYNC_ACTIVITY,
        async_sync_activity,
        schema=SYNC_ACTIVITY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(DOMAIN, SERVICE_VIBRATE, async_vibrate, schema=VIBRATE_SCHEMA)


def _band(hass: HomeAssistant, call: ServiceCall) -> BandCoordinator:
    """The coordinator of the band the call names, or a translated validation error."""
    device_id: str = call.data[ATTR_DEVICE_ID]
    registry = dr.async_get(hass)
    # The entry whose devices include this one, asked from our side: a device's own list of
    # config entries is deprecated (a device belongs to one entry from 2026.10 on).
    entry = next(
        (
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if any(
                device.id == device_id
                for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            )
        ),
        None,
    )
    if entry is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device_id": device_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_loaded",
            translation_placeholders={"name": entry.title},
        )
    coordinator = entry.runtime_data
    if not isinstance(coordinator, BandCoordinator):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_band",
            translation_placeholders={"name": entry.title},
        )
    return coordinator
