"""Workout sensors (today's totals, the streak, the next planned workout) and budget sensors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .cloud.budget_sensor import budget_sensors
from .const import DOMAIN
from .runtime import AtlasConfigEntry
from .skills import Skills

# Local data only; nothing to throttle.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AtlasSensorEntityDescription(SensorEntityDescription):
    """A workout sensor: its value, and how to follow its changes."""

    value_fn: Callable[[Skills, date], float | int | date | None]
    listen_fn: Callable[[Skills], Callable[[CALLBACK_TYPE], CALLBACK_TYPE]]


def _workouts(skills: Skills) -> Callable[[CALLBACK_TYPE], CALLBACK_TYPE]:
    return skills.workouts.async_add_listener


def _plans(skills: Skills) -> Callable[[CALLBACK_TYPE], CALLBACK_TYPE]:
    return skills.plans.async_add_listener


def _next_day(skills: Skills, today: date) -> date | None:
    plan = skills.plans.next_plan(today)
    return None if plan is None else plan.day


SENSORS: tuple[AtlasSensorEntityDescription, ...] = (
    AtlasSensorEntityDescription(
        key="reps_today",
        translation_key="reps_today",
        native_unit_of_measurement="reps",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda s, today: s.workouts.totals(today).reps,
        listen_fn=_workouts,
    ),
    AtlasSensorEntityDescription(
        key="active_minutes_today",
        translation_key="active_minutes_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=0,
        value_fn=lambda s, today: s.workouts.totals(today).minutes,
        listen_fn=_workouts,
    ),
    AtlasSensorEntityDescription(
        key="workouts_today",
        translation_key="workouts_today",
        native_unit_of_measurement="workouts",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda s, today: s.workouts.totals(today).workouts,
        listen_fn=_workouts,
    ),
    AtlasSensorEntityDescription(
        key="workout_streak",
        translation_key="workout_streak",
        # A run of consecutive days, described as HA core describes a streak of days (NYT
        # Games): a duration in days, and a total that grows by one a day and drops to zero
        # when the run breaks (TOTAL, not TOTAL_INCREASING: the drop is no meter reset).
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda s, today: s.workouts.streak(today),
        listen_fn=_workouts,
    ),
    AtlasSensorEntityDescription(
        key="next_workout",
        translation_key="next_workout",
        device_class=SensorDeviceClass.DATE,
        value_fn=_next_day,
        listen_fn=_plans,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AtlasConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the workout sensors of the entry's skills, and the Claude budget sensors."""
    async_add_entities(budget_sensors(entry))
    async_add_entities(AtlasWorkoutSensor(entry, description) for description in SENSORS)


class AtlasWorkoutSensor(SensorEntity):
    """A sensor of the workout log or the saved plans."""

    entity_description: AtlasSensorEntityDescription
    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: AtlasConfigEntry, description: AtlasSensorEntityDescription) -> None:
        """Describe the sensor; it belongs to the entry's workouts device."""
        self.entity_description = description
        self._skills = entry.runtime_data.skills
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_workouts")},
            translation_key="workouts",
            manufacturer="ATLAS",
            entry_type=dr.DeviceEntryType.SERVICE,
        )

    @property
    def native_value(self) -> float | int | date | None:
        """The value for the user's current local day."""
        return self.entity_description.value_fn(self._skills, dt_util.now().date())

    async def async_added_to_hass(self) -> None:
        """Follow the log (or the plans) and local midnight."""
        await super().async_added_to_hass()
        add_listener = self.entity_description.listen_fn(self._skills)
        self.async_on_remove(add_listener(self.async_write_ha_state))
