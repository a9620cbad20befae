"""The options flow: the settings an entry's device can change, the entry reloading with them.

A band's profile, activity sync (and its night cadence) and reminders, a wheel's charge limit and
ride end; for both, how the link is used (held, or opened periodically for a reading) and how often
an entity may write its state.

The profile's form is also the config flow's, which asks for it before pairing a band.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import UnitOfLength, UnitOfMass, UnitOfTime
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TimeSelector,
)

from .const import (
    CONF_ACTIVITY_SYNC_INTERVAL,
    CONF_AGE,
    CONF_CHARGE_LIMIT,
    CONF_CONNECTION_POLICY,
    CONF_GENDER,
    CONF_HEIGHT,
    CONF_INACTIVE_FROM,
    CONF_INACTIVE_STEPS,
    CONF_INACTIVE_TO,
    CONF_INACTIVE_WINDOW,
    CONF_KEEP_ACTIVITY_ON_BAND,
    CONF_KIND,
    CONF_MIN_STATE_INTERVAL,
    CONF_NIGHT_SYNC,
    CONF_NIGHT_SYNC_END,
    CONF_NIGHT_SYNC_INTERVAL,
    CONF_NIGHT_SYNC_START,
    CONF_NO_HEART_RATE_AFTER,
    CONF_READ_INTERVAL,
    CONF_RIDE_END_DELAY,
    CONF_WEIGHT,
    DeviceKind,
)
from .miband.protocol import Gender
from .options import (
    DEFAULT_ACTIVITY_SYNC_INTERVAL,
    DEFAULT_CHARGE_LIMIT,
    DEFAULT_CONNECTION_POLICY,
    DEFAULT_INACTIVE_FROM,
    DEFAULT_INACTIVE_STEPS,
    DEFAULT_INACTIVE_TO,
    DEFAULT_INACTIVE_WINDOW,
    DEFAULT_KEEP_ACTIVITY_ON_BAND,
    DEFAULT_MIN_STATE_INTERVAL,
    DEFAULT_NIGHT_SYNC,
    DEFAULT_NIGHT_SYNC_END,
    DEFAULT_NIGHT_SYNC_INTERVAL,
    DEFAULT_NIGHT_SYNC_START,
    DEFAULT_NO_HEART_RATE_AFTER,
    DEFAULT_PROFILE,
    DEFAULT_READ_INTERVAL,
    DEFAULT_RIDE_END_DELAY,
    ConnectionPolicy,
)

if TYPE_CHECKING:
    # Typed as what the pinned release runs: Home Assistant now installs probatio under the name
    # voluptuous and types its helpers with probatio's schemas. 2025.8 runs voluptuous itself.
    import probatio as vol
else:
    import voluptuous as vol

PROFILE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_GENDER, default=DEFAULT_PROFILE[CONF_GENDER]): SelectSelector(
            SelectSelectorConfig(
                options=[gender.name.lower() for gender in Gender],
                translation_key=CONF_GENDER,
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        # The band stores each in one byte.
        vol.Required(CONF_AGE, default=DEFAULT_PROFILE[CONF_AGE]): NumberSelector(
            NumberSelectorConfig(min=1, max=120, step=1, unit_of_measurement=UnitOfTime.YEARS)
        ),
        vol.Required(CONF_HEIGHT, default=DEFAULT_PROFILE[CONF_HEIGHT]): NumberSelector(
            NumberSelectorConfig(
                min=50, max=250, step=1, unit_of_measurement=UnitOfLength.CENTIMETERS
            )
        ),
        vol.Required(CONF_WEIGHT, default=DEFAULT_PROFILE[CONF_WEIGHT]): NumberSelector(
            NumberSelectorConfig(min=10, max=250, step=1, unit_of_measurement=UnitOfMass.KILOGRAMS)
        ),
    }
)


def stored_profile(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The profile as stored: whole numbers, as the band takes them."""
    return {
        CONF_GENDER: user_input[CONF_GENDER],
        CONF_AGE: int(user_input[CONF_AGE]),
        CONF_HEIGHT: int(user_input[CONF_HEIGHT]),
        CONF_WEIGHT: int(user_input[CONF_WEIGHT]),
    }


def whole_box(maximum: int, unit: str, minimum: int = 1) -> NumberSelector:
    """A box for a whole number of `unit`."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum, max=maximum, step=1, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


LINK_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_CONNECTION_POLICY, default=DEFAULT_CONNECTION_POLICY): SelectSelector(
            SelectSelectorConfig(
                options=[policy.value for policy in ConnectionPolicy],
                translation_key=CONF_CONNECTION_POLICY,
                mode=SelectSelectorMode.LIST,
            )
        ),
        vol.Required(CONF_READ_INTERVAL, default=DEFAULT_READ_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=30,
                max=3600,
                step=10,
                unit_of_measurement=UnitOfTime.SECONDS,
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Required(CONF_MIN_STATE_INTERVAL, default=DEFAULT_MIN_STATE_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=60,
                step=0.5,
                unit_of_measurement=UnitOfTime.SECONDS,
                mode=NumberSelectorMode.BOX,
            )
        ),
    }
)


# A band's activity memory: how often it is synced while the link is held, and whether it stays
# on the band once Home Assistant has it.
ACTIVITY_SCHEMA = vol.Schema(
    {
        vol.Required(
            CONF_ACTIVITY_SYNC_INTERVAL, default=DEFAULT_ACTIVITY_SYNC_INTERVAL
        ): whole_box(720, UnitOfTime.MINUTES),
        vol.Required(
            CONF_KEEP_ACTIVITY_ON_BAND, default=DEFAULT_KEEP_ACTIVITY_ON_BAND
        ): BooleanSelector(),
    }
)


# A band's night sync cadence: more often between two times of day (band/cadence.py).
NIGHT_SYNC_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NIGHT_SYNC, default=DEFAULT_NIGHT_SYNC): BooleanSelector(),
        vol.Required(CONF_NIGHT_SYNC_INTERVAL, default=DEFAULT_NIGHT_SYNC_INTERVAL): whole_box(
            60, UnitOfTime.MINUTES
        ),
        vol.Required(CONF_NIGHT_SYNC_START, default=DEFAULT_NIGHT_SYNC_START): TimeSelector(),
        vol.Required(CONF_NIGHT_SYNC_END, default=DEFAULT_NIGHT_SYNC_END): TimeSelector(),
    }
)


# A band's reminders: `inactive` (too few steps in the window, within the hours) and
# `no_heart_rate` (no reading for a while, measuring continuously).
REMINDERS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_INACTIVE_STEPS, default=DEFAULT_INACTIVE_STEPS): whole_box(
            10_000, "steps"
        ),
        vol.Required(CONF_INACTIVE_WINDOW, default=DEFAULT_INACTIVE_WINDOW): whole_box(
            720, UnitOfTime.MINUTES, minimum=5
        ),
        vol.Required(CONF_INACTIVE_FROM, default=DEFAULT_INACTIVE_FROM): TimeSelector(),
        vol.Required(CONF_INACTIVE_TO, default=DEFAULT_INACTIVE_TO): TimeSelector(),
        vol.Required(CONF_NO_HEART_RATE_AFTER, default=DEFAULT_NO_HEART_RATE_AFTER): whole_box(
            720, UnitOfTime.MINUTES
        ),
    }
)


def stored_reminders(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The reminders' numbers as stored: whole steps and minutes."""
    return {
        key: int(user_input[key])
        for key in (CONF_INACTIVE_STEPS, CONF_INACTIVE_WINDOW, CONF_NO_HEART_RATE_AFTER)
    }


# A wheel's charge event and ride end.
WHEEL_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_CHARGE_LIMIT, default=DEFAULT_CHARGE_LIMIT): NumberSelector(
            NumberSelectorConfig(
                min=50, max=100, step=1, unit_of_measurement="%", mode=NumberSelectorMode.SLIDER
            )
        ),
        vol.Required(CONF_RIDE_END_DELAY, default=DEFAULT_RIDE_END_DELAY): NumberSelector(
            NumberSelectorConfig(
                min=10,
                max=1800,
                step=10,
                unit_of_measurement=UnitOfTime.SECONDS,
                mode=NumberSelectorMode.BOX,
            )
        ),
    }
)


class MiBandNinebotOptionsFlow(OptionsFlowWithReload):
    """Change the band's profile and how the link is used; the entry reloads with them.

    Home Assistant reloads the entry when the options changed (no update listener of our own).
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options with the current values filled in."""
        is_band = self.config_entry.data[CONF_KIND] == DeviceKind.BAND
        schema = (
            PROFILE_SCHEMA.extend(LINK_SCHEMA.schema)
            .extend(ACTIVITY_SCHEMA.schema)
            .extend(NIGHT_SYNC_SCHEMA.schema)
            .extend(REMINDERS_SCHEMA.schema)
            if is_band
            else LINK_SCHEMA.extend(WHEEL_SCHEMA.schema)
        )
        if user_input is not None:
            if is_band:
                user_input = {
                    **user_input,
                    **stored_profile(user_input),
                    **stored_reminders(user_input),
                    CONF_NIGHT_SYNC_INTERVAL: int(user_input[CONF_NIGHT_SYNC_INTERVAL]),
                }
            else:
                user_input = {
                    **user_input,
                    CONF_CHARGE_LIMIT: int(user_input[CONF_CHARGE_LIMIT]),
                    CONF_RIDE_END_DELAY: int(user_input[CONF_RIDE_END_DELAY]),
                }
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )
