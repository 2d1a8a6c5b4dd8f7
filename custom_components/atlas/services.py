"""ATLAS's actions (services) for automations and scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import probatio
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .runtime import AtlasConfigEntry
from .skills.workouts import MAX_EXERCISE_LENGTH, WorkoutError

SERVICE_LOG_WORKOUT: Final = "log_workout"

LOG_WORKOUT_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required("exercise"): probatio.All(
            cv.string, probatio.Length(min=1, max=MAX_EXERCISE_LENGTH)
        ),
        probatio.Optional("reps"): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=10000)
        ),
        probatio.Optional("sets", default=1): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=100)
        ),
        probatio.Optional("duration_minutes"): probatio.All(
            probatio.Coerce(float), probatio.Range(min=0, min_included=False, max=1440)
        ),
        probatio.Optional("time"): cv.datetime,
    }
)


def _aware(value: datetime) -> datetime:
    """A service's date-time: the user's local time when it has no zone."""
    return value if value.tzinfo else value.replace(tzinfo=dt_util.get_default_time_zone())


async def _async_log_workout(call: ServiceCall) -> ServiceResponse:
    entry: AtlasConfigEntry = service.async_get_config_entry(
        call.hass, DOMAIN, call.data.get(ATTR_CONFIG_ENTRY_ID)
    )
    log = entry.runtime_data.skills.workouts
    when = call.data.get("time")
    try:
        workout = await log.async_log(
            call.data["exercise"],
            reps=call.data.get("reps"),
            sets=call.data["sets"],
            duration_minutes=call.data.get("duration_minutes"),
            when=None if when is None else _aware(when),
            context=call.context,
        )
    except WorkoutError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key=err.translation_key
        ) from err
    return {"workout": workout.as_dict()}


def async_setup_services(hass: HomeAssistant) -> None:
    """Register ``atlas.log_workout``."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_LOG_WORKOUT,
        _async_log_workout,
        schema=LOG_WORKOUT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
