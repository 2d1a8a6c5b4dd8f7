"""Workout log: entries in a Store, totals per period, the streak and daily goals.

Days are the user's local days (HA's time zone). The streak counts the days in a row with at
least one workout, ending today, or yesterday while today has none yet. "On track" means each
goal's progress is at least the share of the active day (7:00 to 21:00) that has passed. A week
starts on the day the user's country starts it (Sunday in the US, else Monday). What the status
says is built in ``workout_summary``.
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

from ..agent.activities import CLASS, KM_PER_UNIT, activity_of, describe
from ..agent.structured import DAYS, WORKOUT_TYPES
from ..const import DOMAIN
from ..listeners import ChangeListeners
from . import workout_summary as summary
from .api import AtlasTool, SkillError
from .exercises import Exercise, find_exercise

CONF_GOAL_REPS: Final = "goal_reps"
CONF_GOAL_MINUTES: Final = "goal_minutes"
DEFAULT_GOAL_REPS: Final = 100
DEFAULT_GOAL_MINUTES: Final = 30
EVENT_WORKOUT_LOGGED: Final = "atlas_workout_logged"
STORAGE_VERSION: Final = 1
ACTIVE_DAY: Final = (time(7), time(21))
FUTURE_SLACK: Final = timedelta(minutes=5)
MAX_EXERCISE_LENGTH: Final = 100
MAX_REPS: Final = 10000
MAX_DISTANCE_KM: Final = 1000
DISTANCE_UNITS: Final = tuple(KM_PER_UNIT)
PERIODS: Final = ("today", "week", "month", "streak", "all")
WEEKDAYS: Final = DAYS[:7]
# Where a calendar week starts on Sunday (elsewhere on Monday).
SUNDAY_FIRST: Final = frozenset({"US", "CA", "MX", "BR", "JP", "IL", "PH"})


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

    def __init__(self, message: str, translation_key: str, *, spoken: str) -> None:
        """Keep the model-facing message, the sentence to say and the translation key."""
        super().__init__(message, spoken=spoken)
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
    distance: float | None = None
    distance_unit: str | None = None

    @property
    def total_reps(self) -> int:
        """Reps over all sets (a swim's lengths are no reps)."""
        activity = activity_of(self.exercise)
        if activity is not None and activity.noun and not activity.counted:
            return 0
        return (self.reps or 0) * self.sets

    @property
    def distance_km(self) -> float:
        """The distance in kilometres (0 if none)."""
        return (self.distance or 0.0) * KM_PER_UNIT.get(self.distance_unit or "km", 1.0)

    @property
    def day(self) -> date:
        """The user's local day of the workout."""
        return dt_util.as_local(self.time).date()

    @property
    def kind(self) -> str | None:
        """The workout type it counts as (structured.WORKOUT_TYPES), if known."""
        if (exercise := find_exercise(self.exercise)) is not None:
            return exercise.types[0]
        if (activity := activity_of(self.exercise)) is not None and activity.kind:
            return activity.kind
        name = self.exercise.lower()
        return name if name in WORKOUT_TYPES else None

    def as_dict(self) -> dict[str, Any]:
        """The stored (and event) form."""
        return {
            "id": self.id,
            "exercise": self.exercise,
            "time": self.time.isoformat(),
            "reps": self.reps,
            "sets": self.sets,
            "duration_minutes": self.duration_minutes,
            "distance": self.distance,
            "distance_unit": self.distance_unit,
        }

    def brief(self) -> dict[str, Any]:
        """What it was, to say it: the set fields and its local date."""
        data = {**self.as_dict(), "date": self.day.isoformat()}
        return {key: value for key, value in data.items() if value is not None and key != "id"}

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
            data.get("distance"),
            data.get("distance_unit"),
        )


@dataclass(frozen=True, slots=True)
class DayTotals:
    """What one day's workouts add up to."""

    reps: int = 0
    minutes: float = 0.0
    workouts: int = 0
    distance_km: float = 0.0
    days: int = 0

    @classmethod
    def of(cls, workouts: list[Workout]) -> DayTotals:
        """What ``workouts`` add up to."""
        return cls(
            reps=sum(w.total_reps for w in workouts),
            minutes=round(float(sum(w.duration_minutes or 0.0 for w in workouts)), 1),
            workouts=len(workouts),
            distance_km=round(sum(w.distance_km for w in workouts), 2),
            days=len({w.day for w in workouts}),
        )

    def as_dict(self) -> dict[str, Any]:
        """The tool form."""
        return {
            "workouts": self.workouts,
            "active_minutes": self.minutes,
            "distance_km": self.distance_km,
            "reps": self.reps,
            "days": self.days,
        }


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
    """An ISO date-time (local if naive), or a clock time such as 07:30 after an optional
    today, yesterday or weekday (its last occurrence); a past day alone means its noon."""
    text = text.strip()
    if (when := dt_util.parse_datetime(text)) is None:
        word, _, rest = text.lower().partition(" ")
        day = past_day(word, now.date())
        if day is None:
            day, rest = now.date(), text
        rest = rest.strip()
        clock = dt_util.parse_time(rest) if rest else None
        if not rest:
            clock = now.time() if day == now.date() else time(12)
        if clock is None:
            raise WorkoutError(
                f"time {text!r} is not an ISO date-time (2026-05-04T07:30) or a clock time "
                "(07:30), optionally after today, yesterday or a weekday",
                "invalid_time",
                spoken="I couldn't tell when you did that.",
            )
        when = datetime.combine(day, clock)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt_util.get_default_time_zone())
    return when


def _filed_as(exercise: str, known: Exercise | None) -> str:
    """The name a workout is logged under: the library's ("Push-up") or the activity's
    ("bike" → "cycling"), else as given."""
    if known is not None:
        return known.name
    activity = activity_of(exercise)
    if activity is None or activity is CLASS or activity.keyword == exercise.lower():
        return exercise
    return activity.keyword


def past_day(word: str, today: date) -> date | None:
    """``today``, ``yesterday`` or the last such weekday (today if it is that day)."""
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if word in WEEKDAYS:
        return today - timedelta(days=(today.weekday() - WEEKDAYS.index(word)) % 7)
    return None


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
        distance: float | None = None,
        distance_unit: str | None = None,
        when: datetime | None = None,
        context: Context | None = None,
    ) -> Workout:
        """Log a workout, save the log, fire ``atlas_workout_logged`` and update listeners.

        An exercise of the library (push-ups, plank) needs its reps or duration; any other
        activity without an amount is logged as one session ("a spin class").
        """
        exercise = " ".join(exercise.split())
        if not exercise:
            raise WorkoutError(
                "exercise is empty", "empty_exercise", spoken="Which exercise did you do?"
            )
        known = find_exercise(exercise)
        if known is not None and not reps and not duration_minutes and not distance:
            raise WorkoutError(
                "give the reps or the duration_minutes of the workout",
                "nothing_to_log",
                spoken=f"How many reps or minutes of {known.name.lower()} did you do?",
            )
        now = dt_util.now()
        when = now if when is None else when
        if when - now > FUTURE_SLACK:
            raise WorkoutError(
                f"{when.isoformat()} is in the future",
                "workout_in_future",
                spoken="That time hasn't come yet, so I can't log it.",
            )
        workout = Workout(
            ulid_util.ulid_now(),
            _filed_as(exercise, known)[:MAX_EXERCISE_LENGTH],
            dt_util.as_utc(when),
            reps or None,
            sets,
            duration_minutes or None,
            distance or None,
            (distance_unit or "km") if distance else None,
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
        return DayTotals.of(self.between(day, day))

    def between(self, first: date | None, last: date, types: tuple[str, ...] = ()) -> list[Workout]:
        """The workouts of the local days ``first`` (None: from the start) to ``last``, of
        the workout ``types`` (all if none)."""
        return [
            w
            for w in self._workouts
            if (first is None or first <= w.day)
            and w.day <= last
            and (not types or w.kind in types)
        ]

    def streak(self, today: date | None = None) -> int:
        """Days in a row with a workout, up to today (or yesterday if none yet today)."""
        today = today or self.today()
        days = {w.day for w in self._workouts}
        day = today if today in days else today - timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= timedelta(days=1)
        return count

    def week_start(self, today: date) -> date:
        """The first day of ``today``'s calendar week, as the user's country counts it."""
        first = 6 if (self.hass.config.country or "") in SUNDAY_FIRST else 0
        return today - timedelta(days=(today.weekday() - first) % 7)

    def status(
        self, now: datetime | None = None, *, period: str = "today", types: tuple[str, ...] = ()
    ) -> JsonObjectType:
        """The ``workout_status`` result: today against the goals, a period's totals or the
        streak, with a ``summary`` to say."""
        now = dt_util.as_local(now or dt_util.now())
        today = now.date()
        if period == "streak":
            days = sorted({w.day for w in self._workouts})
            return summary.streak_status(today, self.streak(today), days[-1] if days else None)
        if period == "today" and not types:
            return self._today_status(now)
        first = {"today": today, "week": self.week_start(today),
                 "month": today.replace(day=1)}.get(period)  # fmt: skip
        workouts = self.between(first, today, types)
        totals = DayTotals.of(workouts)
        return {
            "period": period,
            "from": first.isoformat() if first else None,
            "to": today.isoformat(),
            "types": list(types),
            "totals": totals.as_dict(),
            "workouts": [w.brief() for w in workouts[-summary.MAX_RESULT_ITEMS :]],
            "streak_days": self.streak(today),
            "summary": summary.speak_period(
                summary.PeriodAsked(period, first, today, types),
                [w.brief() for w in workouts],
                totals.as_dict(),
            ),
        }

    def _today_status(self, now: datetime) -> JsonObjectType:
        totals = self.totals(now.date())
        done = {"reps": float(totals.reps), "minutes": totals.minutes}
        goals = {"reps": self.goals.reps, "minutes": self.goals.minutes}
        active = {name: goal for name, goal in goals.items() if goal > 0}
        expected = _active_day_share(now)
        met = {name: done[name] >= goal for name, goal in active.items()}
        on_track = all(done[name] >= goal * expected for name, goal in active.items())
        remaining = {name: max(0.0, goal - done[name]) for name, goal in active.items()}
        streak = self.streak(now.date())
        progress = summary.Progress(active, met, remaining, on_track)
        said = summary.speak_today(totals.as_dict(), progress, streak)
        logged = [w.brief() for w in self.between(now.date(), now.date())]
        return {
            "period": "today",
            "date": now.date().isoformat(),
            "today": {
                "reps": totals.reps,
                "active_minutes": totals.minutes,
                "workouts": totals.workouts,
            },
            "totals": totals.as_dict(),
            "goals": {name: goal for name, goal in active.items()},
            "remaining": {name: round(value, 1) for name, value in remaining.items()},
            "goals_met": dict(met),
            "on_track": on_track if active else None,
            "streak_days": streak,
            "summary": said,
            "spoken": summary.speak_today_done(logged, said, progress, streak),
        }

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
        "Log a workout the user did, e.g. 'log 20 pushups', 'I ran 5k in 28 minutes', 'did a "
        "spin class'. Give the reps (per set) and sets, the duration in minutes or the distance "
        "and its unit; a class or session needs nothing more. One call per activity."
    )
    parameters = probatio.Schema(
        {
            probatio.Required(
                "exercise", description="What was done, e.g. push-ups, running, spin"
            ): probatio.All(str, probatio.Length(min=1, max=MAX_EXERCISE_LENGTH)),
            probatio.Optional("reps", description="Repetitions per set"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=1, max=MAX_REPS)
            ),
            probatio.Optional("sets", default=1, description="Number of sets"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=1, max=100)
            ),
            probatio.Optional("duration_minutes", description="How long, in minutes"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False, max=1440)
            ),
            probatio.Optional("distance", description="How far, in distance_unit"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False)
            ),
            probatio.Optional(
                "distance_unit", description="km (the default), mi or m"
            ): probatio.In(DISTANCE_UNITS),
            probatio.Optional(
                "time",
                description="When: an ISO date-time, or a clock time such as 07:30 after an "
                "optional today, yesterday or weekday; now if not given",
            ): str,
        }
    )
    annotations = llm.ToolAnnotations(destructive=False, open_world=False)
    action = "log"
    argument_words = {"duration_minutes": "minutes", "distance_unit": "distance unit"}
    argument_errors = {
        "sets": "I can only log from 1 up to 100 sets at a time.",
        "duration_minutes": "I can only log a workout of up to a day long.",
        "distance": "I didn't catch how far you went.",
        "distance_unit": "I can log distances in kilometres, miles or metres.",
        "exercise": "Which exercise did you do?",
    }

    def __init__(self, log: WorkoutLog) -> None:
        """Log into ``log``."""
        self.log = log

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        now = dt_util.now()
        when = parse_when(args["time"], now) if "time" in args else None
        distance, unit = args.get("distance"), args.get("distance_unit", "km")
        if distance and distance * KM_PER_UNIT[unit] > MAX_DISTANCE_KM:
            raise WorkoutError(
                f"distance must be at most {MAX_DISTANCE_KM} km",
                "distance_too_long",
                spoken=f"I can only log up to {MAX_DISTANCE_KM:,} kilometres at a time.",
            )
        workout = await self.log.async_log(
            args["exercise"],
            reps=args.get("reps"),
            sets=args["sets"],
            duration_minutes=args.get("duration_minutes"),
            distance=distance,
            distance_unit=unit,
            when=when,
            context=llm_context.context,
        )
        totals = self.log.totals(self.log.today())
        return {
            "logged": workout.as_dict(),
            "when": summary.day_words(workout.day, dt_util.as_local(now).date()),
            "said": describe(workout.brief(), own=True),
            "today": {
                "reps": totals.reps,
                "active_minutes": totals.minutes,
                "workouts": totals.workouts,
            },
        }


class WorkoutStatusTool(AtlasTool):
    """``workout_status``: today against the goals, a period's totals, or the streak."""

    name = "workout_status"
    description = (
        "What the user has done. period: today (against the daily goals of reps and active "
        "minutes: 'am I on track?'), week, month or all (totals of workouts, minutes, distance "
        "and reps), streak (days in a row with a workout). types: only these workout types."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional("period", default="today"): probatio.In(PERIODS),
            probatio.Optional("types", default=list, description="Workout types to count"): [
                probatio.In(WORKOUT_TYPES)
            ],
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )
    action = "look up"
    argument_words = {"types": "workout type"}

    def __init__(self, log: WorkoutLog) -> None:
        """Read ``log``."""
        self.log = log

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        return self.log.status(period=args["period"], types=tuple(args["types"]))


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
