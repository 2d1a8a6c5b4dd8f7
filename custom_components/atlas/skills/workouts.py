"""Workout log: entries in a Store, today's totals, the streak and daily goals.

Days are the user's local days (HA's time zone). The streak counts the days in a row with at
least one workout, ending today, or yesterday while today has none yet. "On track" means each
goal's progress is at least the share of the active day (7:00 to 21:00) that has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, override

import probatio
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import llm
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util import ulid as ulid_util
from homeassistant.util.json import JsonObjectType

from ..const import DOMAIN
from ..listeners import ChangeListeners
from .api import AtlasTool, SkillError
from .exercises import find_exercise

CONF_GOAL_REPS: Final = "goal_reps"
CONF_GOAL_MINUTES: Final = "goal_minutes"
DEFAULT_GOAL_REPS: Final = 100
DEFAULT_GOAL_MINUTES: Final = 30
EVENT_WORKOUT_LOGGED: Final = "atlas_workout_logged"
STORAGE_VERSION: Final = 1
ACTIVE_DAY: Final = (time(7), time(21))
FUTURE_SLACK: Final = timedelta(minutes=5)
MAX_EXERCISE_LENGTH: Final = 100


def storage_key(entry_id: str) -> str:
    """The Store key of an entry's workout log."""
    return f"{DOMAIN}.{entry_id}.workouts"


def options_fields() -> dict[str, Any]:
    """Option form fields: the daily goals (0 means no goal)."""
    return {
        CONF_GOAL_REPS: NumberSelector(
            NumberSelectorConfig(min=0, max=5000, step=1, mode=NumberSelectorMode.BOX)
        ),
        CONF_GOAL_MINUTES: NumberSelector(
            NumberSelectorConfig(
                min=0, max=600, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="min"
            )
        ),
    }


def option_defaults() -> dict[str, int]:
    """The default daily goals."""
    return {CONF_GOAL_REPS: DEFAULT_GOAL_REPS, CONF_GOAL_MINUTES: DEFAULT_GOAL_MINUTES}


class WorkoutError(SkillError):
    """A workout that cannot be logged; ``translation_key`` names the reason for services."""

    def __init__(self, message: str, translation_key: str) -> None:
        """Keep the model-facing message and the translation key."""
        super().__init__(message)
        self.translation_key = translation_key


@dataclass(frozen=True, slots=True)
class Workout:
    """One logged workout."""

    id: str
    exercise: str
    time: datetime  # aware
    reps: int | None = None
    sets: int = 1
    duration_minutes: float | None = None

    @property
    def total_reps(self) -> int:
        """Reps over all sets."""
        return (self.reps or 0) * self.sets

    def as_dict(self) -> dict[str, Any]:
        """The stored (and event) form."""
        return {
            "id": self.id,
            "exercise": self.exercise,
            "time": self.time.isoformat(),
            "reps": self.reps,
            "sets": self.sets,
            "duration_minutes": self.duration_minutes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Workout:
        """Read the stored form."""
        when = dt_util.parse_datetime(data["time"])
        if when is None:
            raise ValueError(f"bad time {data['time']!r}")
        return cls(
            str(data["id"]),
            str(data["exercise"]),
            when,
            data.get("reps"),
            int(data.get("sets", 1)),
            data.get("duration_minutes"),
        )


@dataclass(frozen=True, slots=True)
class DayTotals:
    """What one day's workouts add up to."""

    reps: int = 0
    minutes: float = 0.0
    workouts: int = 0


@dataclass(frozen=True, slots=True)
class Goals:
    """Daily goals; 0 means no goal."""

    reps: int = DEFAULT_GOAL_REPS
    minutes: int = DEFAULT_GOAL_MINUTES

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Goals:
        """The goals of the entry's options."""
        return cls(
            int(options.get(CONF_GOAL_REPS, DEFAULT_GOAL_REPS)),
            int(options.get(CONF_GOAL_MINUTES, DEFAULT_GOAL_MINUTES)),
        )


def parse_when(text: str, now: datetime) -> datetime:
    """An ISO date-time (local if naive) or a clock time today such as 07:30."""
    text = text.strip()
    if (when := dt_util.parse_datetime(text)) is None:
        clock = dt_util.parse_time(text)
        if clock is None:
            raise WorkoutError(
                f"time {text!r} is not an ISO date-time (2026-05-04T07:30) or a clock time (07:30)",
                "invalid_time",
            )
        when = datetime.combine(now.date(), clock)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt_util.get_default_time_zone())
    return when


def _minutes(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


class WorkoutLog(ChangeListeners):
    """The workouts of one ATLAS entry, persisted in a Store."""

    def __init__(self, hass: HomeAssistant, entry_id: str, goals: Goals) -> None:
        """Log for ``entry_id`` against ``goals``."""
        super().__init__()
        self.hass = hass
        self.entry_id = entry_id
        self.goals = goals
        self._store: Store[dict[str, list[dict[str, Any]]]] = Store(
            hass, STORAGE_VERSION, storage_key(entry_id)
        )
        self._workouts: list[Workout] = []

    @property
    def workouts(self) -> list[Workout]:
        """Every logged workout, oldest first."""
        return list(self._workouts)

    async def async_load(self) -> None:
        """Read the stored log."""
        data = await self._store.async_load() or {}
        workouts = [Workout.from_dict(item) for item in data.get("workouts", [])]
        self._workouts = sorted(workouts, key=lambda w: w.time)

    async def async_log(
        self,
        exercise: str,
        *,
        reps: int | None = None,
        sets: int = 1,
        duration_minutes: float | None = None,
        when: datetime | None = None,
        context: Context | None = None,
    ) -> Workout:
        """Log a workout, save the log, fire ``atlas_workout_logged`` and update listeners."""
        exercise = " ".join(exercise.split())
        if not exercise:
            raise WorkoutError("exercise is empty", "empty_exercise")
        if not reps and not duration_minutes:
            raise WorkoutError(
                "give the reps or the duration_minutes of the workout", "nothing_to_log"
            )
        now = dt_util.now()
        when = now if when is None else when
        if when - now > FUTURE_SLACK:
            raise WorkoutError(f"{when.isoformat()} is in the future", "workout_in_future")
        if (known := find_exercise(exercise)) is not None:
            exercise = known.name
        workout = Workout(
            ulid_util.ulid_now(),
            exercise[:MAX_EXERCISE_LENGTH],
            dt_util.as_utc(when),
            reps or None,
            sets,
            duration_minutes or None,
        )
        self._workouts = sorted([*self._workouts, workout], key=lambda w: w.time)
        await self._store.async_save({"workouts": [w.as_dict() for w in self._workouts]})
        self.hass.bus.async_fire(
            EVENT_WORKOUT_LOGGED,
            {"entry_id": self.entry_id, **workout.as_dict(), "total_reps": workout.total_reps},
            context=context,
        )
        self._async_notify()
        return workout

    def today(self) -> date:
        """The user's local date."""
        return dt_util.now().date()

    def totals(self, day: date) -> DayTotals:
        """The totals of the local ``day``."""
        of_day = [w for w in self._workouts if dt_util.as_local(w.time).date() == day]
        return DayTotals(
            reps=sum(w.total_reps for w in of_day),
            minutes=round(float(sum(w.duration_minutes or 0.0 for w in of_day)), 1),
            workouts=len(of_day),
        )

    def streak(self, today: date | None = None) -> int:
        """Days in a row with a workout, up to today (or yesterday if none yet today)."""
        today = today or self.today()
        days = {dt_util.as_local(w.time).date() for w in self._workouts}
        day = today if today in days else today - timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= timedelta(days=1)
        return count

    def status(self, now: datetime | None = None) -> JsonObjectType:
        """Today's totals against the goals: the ``workout_status`` result."""
        now = dt_util.as_local(now or dt_util.now())
        totals = self.totals(now.date())
        done = {"reps": float(totals.reps), "minutes": totals.minutes}
        goals = {"reps": self.goals.reps, "minutes": self.goals.minutes}
        active = {name: goal for name, goal in goals.items() if goal > 0}
        expected = _active_day_share(now)
        met = {name: done[name] >= goal for name, goal in active.items()}
        on_track = all(done[name] >= goal * expected for name, goal in active.items())
        remaining = {name: max(0.0, goal - done[name]) for name, goal in active.items()}
        return {
            "date": now.date().isoformat(),
            "today": {
                "reps": totals.reps,
                "active_minutes": totals.minutes,
                "workouts": totals.workouts,
            },
            "goals": {name: goal for name, goal in goals.items() if goal > 0},
            "remaining": {name: round(value, 1) for name, value in remaining.items()},
            "goals_met": dict(met),
            "on_track": on_track if active else None,
            "streak_days": self.streak(now.date()),
            "summary": self._speak(totals, active, met, remaining, on_track),
        }

    def _speak(
        self,
        totals: DayTotals,
        goals: dict[str, int],
        met: dict[str, bool],
        remaining: dict[str, float],
        on_track: bool,
    ) -> str:
        if not goals:
            text = (
                f"Today: {totals.workouts} workouts, {totals.reps} reps and "
                f"{_minutes(totals.minutes)} active minutes. No daily goals are set."
            )
        else:
            progress = " and ".join(
                f"{totals.reps} of {goal} reps"
                if name == "reps"
                else f"{_minutes(totals.minutes)} of {goal} active minutes"
                for name, goal in goals.items()
            )
            if all(met.values()):
                text = f"You've hit today's goals: {progress}."
            else:
                left = " and ".join(
                    f"{int(value)} reps" if name == "reps" else f"{_minutes(value)} minutes"
                    for name, value in remaining.items()
                    if value > 0
                )
                pace = "You're on track." if on_track else "You're behind pace."
                text = f"So far today: {progress}; {left} to go. {pace}"
        streak = self.streak()
        if streak > 1:
            text += f" Streak: {streak} days."
        return text

    @callback
    def async_new_day(self, now: datetime) -> None:
        """Local midnight: today's totals start again."""
        self._async_notify()


def _active_day_share(now: datetime) -> float:
    start, end = (datetime.combine(now.date(), t, now.tzinfo) for t in ACTIVE_DAY)
    share = (now - start) / (end - start)
    return min(1.0, max(0.0, share))


class LogWorkoutTool(AtlasTool):
    """``log_workout``: record an exercise the user did."""

    name = "log_workout"
    description = (
        "Log a workout the user did, e.g. 'log 20 pushups' or 'I ran for 30 minutes'. Give the "
        "reps (per set) or the duration in minutes, or both."
    )
    parameters = probatio.Schema(
        {
            probatio.Required(
                "exercise", description="What was done, e.g. push-ups, running"
            ): probatio.All(str, probatio.Length(min=1, max=MAX_EXERCISE_LENGTH)),
            probatio.Optional("reps", description="Repetitions per set"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=1, max=10000)
            ),
            probatio.Optional("sets", default=1, description="Number of sets"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=1, max=100)
            ),
            probatio.Optional("duration_minutes", description="How long, in minutes"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False, max=1440)
            ),
            probatio.Optional(
                "time",
                description="When, as an ISO date-time or a clock time today; now if not given",
            ): str,
        }
    )
    annotations = llm.ToolAnnotations(destructive=False, open_world=False)

    def __init__(self, log: WorkoutLog) -> None:
        """Log into ``log``."""
        self.log = log

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        when = parse_when(args["time"], dt_util.now()) if "time" in args else None
        workout = await self.log.async_log(
            args["exercise"],
            reps=args.get("reps"),
            sets=args["sets"],
            duration_minutes=args.get("duration_minutes"),
            when=when,
            context=llm_context.context,
        )
        totals = self.log.totals(self.log.today())
        return {
            "logged": workout.as_dict(),
            "today": {
                "reps": totals.reps,
                "active_minutes": totals.minutes,
                "workouts": totals.workouts,
            },
        }


class WorkoutStatusTool(AtlasTool):
    """``workout_status``: today's workouts against the daily goals."""

    name = "workout_status"
    description = (
        "Today's workouts against the daily goals (reps, active minutes): answers 'am I on "
        "track today?'. Also gives the streak of days in a row with a workout."
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )

    def __init__(self, log: WorkoutLog) -> None:
        """Read ``log``."""
        self.log = log

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        return self.log.status()


async def async_setup_skill(hass: HomeAssistant, entry: ConfigEntry) -> WorkoutLog:
    """Load the entry's workout log and follow local midnight."""
    log = WorkoutLog(hass, entry.entry_id, Goals.from_options(dict(entry.options)))
    await log.async_load()
    entry.async_on_unload(
        async_track_time_change(hass, log.async_new_day, hour=0, minute=0, second=0)
    )
    return log


def tools(log: WorkoutLog) -> list[llm.Tool]:
    """``log_workout`` and ``workout_status``."""
    return [LogWorkoutTool(log), WorkoutStatusTool(log)]
