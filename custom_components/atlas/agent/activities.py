"""The activities a workout log names, and how one logged workout is said.

One table serves the request parser (``workout_args``: which words name an activity), the log
(which workout type a logged activity counts as) and the replies ("a 5 kilometre run in 28
minutes", "3 sets of 12 push-ups", "a spin class"). Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity: the exercise logged, its workout type, and how one session is called."""

    keyword: str  # the ``exercise`` of the log: "running"
    kind: str | None = None  # its type in structured.WORKOUT_TYPES, if any
    noun: str | None = None  # one session: "run" (a 5 kilometre run), "spin class"
    weak: bool = False  # "workout", "gym": only when nothing more precise is said
    counted: bool = False  # an exercise done in reps ("push ups"), not a session
    timed_noun: bool = False  # a duration is said with its noun ("a 2-hour hike")


def _table(*rows: tuple[str, Activity]) -> dict[str, Activity]:
    return {word: activity for words, activity in rows for word in words.split("|")}


# The words of an activity (whole words, lower case) and the activity they name.
WORDS: Final[dict[str, Activity]] = _table(
    ("run|runs|running|ran|jog|jogs|jogged|jogging|parkrun|park run|treadmill",
     Activity("running", "running", "run")),
    ("spin|spinning|spin class", Activity("spin", "cycling", "spin class")),
    ("cycle|cycled|cycling|bike|biked|biking|bike ride|ride|rode|bicycle|peloton",
     Activity("cycling", "cycling", "ride")),
    ("swim|swims|swam|swum|swimming", Activity("swimming", "swimming", "swim")),
    ("hike|hiked|hiking", Activity("hiking", "walking", "hike", timed_noun=True)),
    ("walk|walks|walked|walking|stroll|strolled", Activity("walking", "walking", "walk")),
    ("yoga|vinyasa|hatha|ashtanga|yin yoga", Activity("yoga", "yoga")),
    ("pilates|reformer", Activity("pilates", "mobility", "pilates class")),
    ("hiit|circuits|circuit training|intervals|interval training", Activity("hiit", "hiit")),
    ("tabata", Activity("tabata", "hiit")),
    ("weights|weight training|weightlifting|lifting|lifted", Activity("weights", "strength")),
    ("strength training|strength", Activity("strength training", "strength")),
    ("stretch|stretches|stretched|stretching", Activity("stretching", "stretching")),
    ("mobility", Activity("mobility", "mobility")),
    ("calisthenics|bodyweight", Activity("calisthenics", "calisthenics")),
    ("row|rowed|rowing|erg|rower|rowing machine", Activity("rowing", None, "row")),
    ("stairs|stair climber|stairmaster|stair master|stair climbing",
     Activity("stairs", None, "stair session")),
    ("pool", Activity("swimming", "swimming", "swim", weak=True)),
    ("footy", Activity("football")),
    ("elliptical|cross trainer", Activity("elliptical")),
    ("climbing|climbed|bouldering", Activity("climbing")),
    ("boxing|kickboxing", Activity("boxing", "hiit")),
    ("dance|dancing|danced", Activity("dancing")),
    ("zumba", Activity("zumba", "hiit", "zumba class")),
    ("barre", Activity("barre", "strength", "barre class")),
    ("bootcamp|boot camp", Activity("bootcamp", "hiit", "bootcamp class")),
    ("aerobics", Activity("aerobics", "hiit", "aerobics class")),
    ("body pump|bodypump", Activity("body pump", "strength", "body pump class")),
    ("crossfit", Activity("crossfit", "hiit", "crossfit class")),
    ("skipping|jump rope|skipped", Activity("skipping", "hiit")),
    *((sport, Activity(sport)) for sport in (
        "tennis", "table tennis", "squash", "badminton", "padel", "football", "soccer",
        "basketball", "netball", "hockey", "rugby", "volleyball", "cricket", "golf", "skiing",
        "skating", "surfing", "kayaking", "paddleboarding", "karate", "judo", "jiu jitsu",
        "martial arts")),
    *((move, Activity(move, "calisthenics", counted=True)) for move in (
        "push ups", "push-ups", "pushups", "pull ups", "pull-ups", "pullups", "sit ups",
        "sit-ups", "situps", "chin ups", "chin-ups", "burpees", "plank", "planks", "crunches",
        "dips", "lunges", "squats", "jumping jacks", "mountain climbers", "wall sit")),
    *((move, Activity(move, "strength", counted=True)) for move in (
        "bench press", "deadlifts", "deadlift", "kettlebell swings", "bicep curls", "curls",
        "overhead press", "shoulder press", "leg press", "lat pulldowns", "rows", "thrusters",
        "goblet squats", "hip thrusts", "pistol squats")),
    ("workout|work out|worked out|working out|training|trained|session|gym|exercise|exercised",
     Activity("workout", noun="workout", weak=True)),
)  # fmt: skip
WORD_PATTERN: Final = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True)) + r")\b"
)
CLASS: Final = Activity("class", None, "class")
_DEFAULT_OF_KIND: Final = {
    activity.kind: activity
    for activity in reversed(WORDS.values())
    if activity.kind and activity.kind == activity.keyword.split()[0] and not activity.weak
}
_UNITS: Final = {"km": "kilometre", "mi": "mile", "m": "metre"}
KM_PER_UNIT: Final = {"km": 1.0, "mi": 1.609344, "m": 0.001}


def of_kind(kind: str) -> Activity:
    """The activity that stands for a workout type ("running" for running)."""
    return _DEFAULT_OF_KIND.get(kind) or Activity(kind, kind)


def activity_of(exercise: str) -> Activity | None:
    """The activity a logged exercise name is ("spin", "running", "fitness class"), if known."""
    name = " ".join(exercise.lower().split())
    if (found := WORDS.get(name)) is not None:
        return found
    if name.endswith(" class") or name == "class":
        return CLASS
    return None


def number(value: float) -> str:
    """A number to say: 5, 5.5, 10,000."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def duration(minutes: float) -> str:
    """Minutes to say: "28 minutes", "an hour", "an hour and a half", "2 hours"."""
    if minutes == 60:
        return "an hour"
    if minutes == 90:
        return "an hour and a half"
    if minutes % 60 == 0:
        return f"{number(minutes / 60)} hours"
    return f"{number(minutes)} minute{'' if minutes == 1 else 's'}"


def distance(value: float, unit: str, *, adjective: bool = False) -> str:
    """ "5 kilometres", or as an adjective "5 kilometre" (a 5 kilometre run)."""
    word = _UNITS.get(unit, unit)
    plural = "" if adjective or value == 1 else "s"
    return f"{number(value)} {word}{plural}"


def article(phrase: str) -> str:
    """``phrase`` with "a" or "an" before it, by how it is said."""
    spoken = phrase.lstrip()
    vowel = re.match(r"(?:[aeio]|u(?!ni|s[eu])|8|11\b|18\b|hour)", spoken)
    return f"{'an' if vowel else 'a'} {phrase}"


def plural(name: str) -> str:
    """ "push-up" → "push-ups", "squat" → "squats"; a plural stays as it is."""
    if name.endswith("s"):
        return name
    if re.search(r"(?:ch|sh|x)$", name):
        return f"{name}es"
    return f"{name}s"


def describe(workout: Mapping[str, Any], *, own: bool = False) -> str:
    """One logged workout in words, with its amount in its own unit.

    "a 5 kilometre run in 28 minutes", "3 sets of 12 push-ups", "40 minutes of cycling",
    "a 45-minute spin class", "a spin class" ("your spin class" when ``own``).
    """
    name = str(workout.get("exercise") or "workout").lower()
    activity = activity_of(name)
    noun = activity.noun if activity is not None else None
    reps, sets = workout.get("reps"), int(workout.get("sets") or 1)
    minutes, length = workout.get("duration_minutes"), workout.get("distance")
    took = f" in {duration(float(minutes))}" if minutes else ""
    if length:
        amount = distance(float(length), str(workout.get("distance_unit") or "km"),
                          adjective=noun is not None)  # fmt: skip
        said = article(f"{amount} {noun}") if noun else f"{amount} of {name}"
        return said + took
    if reps and activity is not None and activity.noun and not activity.counted:
        laps = "lengths" if activity.kind == "swimming" else "laps"
        return f"{number(reps)} {laps} of {name}{took}"  # "20 lengths of swimming"
    if reps:
        count = f"{number(reps)} {name if reps == 1 else plural(name)}"
        return (f"{sets} sets of {count}" if sets > 1 else count) + took
    session = name if activity is CLASS else noun or f"{name} session"
    if minutes:
        if (
            activity is CLASS
            or (activity is not None and activity.timed_noun)
            or (noun and noun.endswith("class"))
        ):
            if float(minutes) % 60 == 0 and minutes != 60:  # "a hike of 2 hours"
                return f"{article(session)} of {duration(float(minutes))}"
            return f"{_lasting(float(minutes))} {session}"  # "a 45-minute spin class"
        return f"{duration(float(minutes))} of {name}"
    return f"your {session}" if own else article(session)


def _lasting(minutes: float) -> str:
    """A duration before a noun: "a 45-minute", "an hour-long", "a 2-hour"."""
    if minutes == 60:
        return "an hour-long"
    if minutes % 60 == 0:
        return article(f"{number(minutes / 60)}-hour")
    return article(f"{number(minutes)}-minute")
