"""What ``workout_status`` says: today against the goals, a period's workouts, the streak.

Every sentence is built from the same numbers the tool returns, so the summary cannot say
something its result contradicts. Standard library only (with the agent's activity words).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from ..agent.activities import KM_PER_UNIT, activity_of, describe, distance, number, plural
from ..agent.structured import DAYS

_TYPE_NAMES: Final = {"hiit": "HIIT"}
MAX_LISTED: Final = 3  # a period with more workouts is said as its totals
MAX_RESULT_ITEMS: Final = 20  # the latest workouts a period's result lists
WEEKDAYS: Final = DAYS[:7]
_PERIOD_WORDS: Final = {"today": "today", "week": "this week", "month": "this month", "all": ""}
# A workout of a type, counted: "1 run", "2 rides", "3 yoga workouts".
_TYPE_WORDS: Final = {"running": "run", "cycling": "ride", "swimming": "swim",
                      "walking": "walk"}  # fmt: skip
MAX_NAMED: Final = 5  # the activities a period's totals name


@dataclass(frozen=True, slots=True)
class Progress:
    """Today's progress against the daily goals."""

    goals: Mapping[str, int]  # the set goals ("reps", "minutes")
    met: Mapping[str, bool]
    remaining: Mapping[str, float]
    on_track: bool


@dataclass(frozen=True, slots=True)
class PeriodAsked:
    """The period a status question is about: its days and the workout types asked."""

    period: str  # "today", "week", "month" or "all"
    first: date | None  # None: since the first workout
    today: date
    types: tuple[str, ...] = ()


def minutes_said(value: float) -> str:
    """Minutes as a number: 25, 12.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def day_words(day: date, today: date) -> str:
    """A past day as said: "today", "yesterday", "on Sunday", "on 3 March"."""
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if today - day < timedelta(days=7):
        return f"on {WEEKDAYS[day.weekday()].capitalize()}"
    return f"on {day.day} {day:%B}"


def joined(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def speak_today(totals: Mapping[str, Any], progress: Progress, streak: int) -> str:
    """Today against the goals, and the streak when it is longer than a day."""
    reps, done_minutes, count = totals["reps"], totals["active_minutes"], totals["workouts"]
    if not progress.goals:
        text = (
            f"Today: {count} workout{'' if count == 1 else 's'}, {reps} reps and "
            f"{minutes_said(done_minutes)} active minutes. No daily goals are set."
        )
    else:
        done = " and ".join(
            f"{reps} of {goal} reps"
            if name == "reps"
            else f"{minutes_said(done_minutes)} of {goal} active minutes"
            for name, goal in progress.goals.items()
        )
        if all(progress.met.values()):
            text = f"You've hit today's goals: {done}."
        else:
            left = " and ".join(
                f"{int(value)} reps" if name == "reps" else f"{minutes_said(value)} minutes"
                for name, value in progress.remaining.items()
                if value > 0
            )
            pace = "You're on track." if progress.on_track else "You're behind pace."
            text = f"So far today: {done}; {left} to go. {pace}"
    if streak > 1:
        text += f" Streak: {streak} days."
    return text


def speak_period(
    asked: PeriodAsked, workouts: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]
) -> str:
    """A period's workouts, counted: each one when there are few, else the activities and
    their totals."""
    when = _PERIOD_WORDS.get(asked.period, "")
    if asked.period == "week" and asked.first is not None and asked.first != asked.today:
        when = f"since {WEEKDAYS[asked.first.weekday()].capitalize()}"
    if not workouts:
        what = " or ".join(_counted(kind, 2) for kind in asked.types) or "workouts"
        return " ".join(f"No {what} logged {when} yet.".split())
    label = when or "in total"
    count = totals["workouts"]
    counted = " or ".join(_counted(kind, count) for kind in asked.types)
    counted = f"{count} {counted or ('workout' if count == 1 else 'workouts')}"
    if len(workouts) <= MAX_LISTED:
        said = joined([_dated(w, asked.today) for w in workouts])
        return f"{label[:1].upper()}{label[1:]}, {counted}: {said}."
    days = f" on {totals['days']} days" if totals["days"] > 1 else ""
    amounts = _amounts(workouts, totals)
    return (
        f"{label[:1].upper()}{label[1:]}, {counted}{days}: {_named(workouts)}"
        f"{f'; {amounts}' if amounts else ''}."
    )


def speak_today_done(
    workouts: Sequence[Mapping[str, Any]], summary: str, progress: Progress, streak: int
) -> str:
    """What was done today, then the goals: the answer to "have I worked out today?"."""
    if not workouts:
        goals = joined([
            f"{goal} reps" if name == "reps" else f"{goal} active minutes"
            for name, goal in progress.goals.items()
        ]) if progress.goals else ""  # fmt: skip
        aim = f" Today's goals: {goals}." if goals else ""
        keep = f" A workout today keeps your {streak}-day streak going." if streak else ""
        return f"No workouts logged yet today.{aim}{keep}"
    count = len(workouts)
    said = f"Today, {count} workout{'' if count == 1 else 's'}: "
    said += joined([describe(w) for w in workouts]) if count <= MAX_LISTED else _named(workouts)
    return f"{said}. {summary}" if progress.goals else f"{said}."


def _dated(workout: Mapping[str, Any], today: date) -> str:
    """One workout of a period, its day said ("a 5 kilometre run in 28 minutes on Monday") and
    sets of a counted move added up ("3 sets of 12 push-ups, 36 in all")."""
    said = describe(workout)
    if (day := workout.get("date")) is not None and (when := date.fromisoformat(str(day))) != today:
        said += f" {day_words(when, today)}"
    sets, reps = int(workout.get("sets") or 1), workout.get("reps")
    if sets > 1 and reps and _counted_move(workout):
        said += f", {number(sets * float(reps))} in all"
    return said


def _counted(kind: str, count: int) -> str:
    noun = _TYPE_WORDS.get(kind, f"{_TYPE_NAMES.get(kind, kind)} workout")
    return noun if count == 1 else f"{noun}s"


def _named(workouts: Sequence[Mapping[str, Any]]) -> str:
    """The activities done, each once: "cycling, running, push-ups and yoga"."""
    names = list(dict.fromkeys(
        plural(str(w["exercise"]).lower()) if w.get("reps") and _counted_move(w)
        else str(w["exercise"]).lower()
        for w in workouts
    ))  # fmt: skip
    shown = names[:MAX_NAMED]
    return joined([*shown, "more"] if len(names) > len(shown) else shown)


def _counted_move(workout: Mapping[str, Any]) -> bool:
    activity = activity_of(str(workout["exercise"]))
    return activity is None or activity.counted


def _amounts(workouts: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> str:
    """ "98 active minutes, 5 kilometres and 36 reps": the distance in the logs' own unit."""
    parts = []
    if totals["active_minutes"]:
        parts.append(f"{minutes_said(totals['active_minutes'])} active minutes")
    if totals["distance_km"]:
        units = {str(w.get("distance_unit")) for w in workouts if w.get("distance")}
        unit = units.pop() if len(units) == 1 else "km"
        parts.append(distance(round(totals["distance_km"] / KM_PER_UNIT[unit], 1), unit))
    if totals["reps"]:
        parts.append(f"{number(totals['reps'])} reps")
    return joined(parts) if parts else ""


def streak_status(today: date, streak: int, last: date | None) -> dict[str, Any]:
    """The streak: how many days in a row, whether today counts, what keeps it going."""
    done_today = last == today
    if streak == 0:
        summary = (
            f"No streak right now: your last workout was {day_words(last, today)}."
            if last is not None
            else "No workouts logged yet, so no streak."
        )
    elif done_today:
        summary = f"You're on a {streak}-day streak, today included."
    else:
        summary = (
            f"You're on a {streak}-day streak, up to yesterday. A workout today makes it "
            f"{streak + 1}."
        )
    end = today if done_today else today - timedelta(days=1)
    return {
        "period": "streak",
        "streak_days": streak,
        "since": (end - timedelta(days=streak - 1)).isoformat() if streak else None,
        "today_done": done_today,
        "summary": summary,
    }
