"""Workout plans: built and validated by code from the exercise library, saved per day.

The builder is deterministic: the model only chooses the arguments and phrases the result. A
plan is always warm-up → main → cool-down, honours the requested types where the injuries allow
(else it says what replaced them), never contains an exercise that loads an injured body part,
and scales volume and intensity by recovery: low takes a set off, shortens work by a quarter,
rests longer and leaves out hard exercises; high adds a set and lengthens work by a quarter.
An asked length is honoured: the main block then grows (rounds, longer holds, more sets) until
the session fills it. Exercises that need a bike or a pool only go into sessions of their type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, override

import probatio
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import llm
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType

from ..agent.structured import BODY_PARTS, TIMES_OF_DAY
from ..agent.time_words import day_date
from ..const import DOMAIN, LOGGER
from ..listeners import ChangeListeners
from .api import AtlasTool, SkillError
from .exercises import (
    CALM_TYPES,
    COOL_DOWN,
    EXERCISES,
    HARD,
    LIBRARY,
    MAIN,
    PHASES,
    SUPPORTED_TYPES,
    WARM_UP,
    Exercise,
    needs_equipment,
)
from .recovery import HIGH, LEVELS, LOW, MODERATE, RecoveryReader

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TYPES: Final = ("calisthenics", "mobility")
DEFAULT_MINUTES: Final = 30
MIN_MINUTES: Final = 10
MAX_MINUTES: Final = 120
MAX_AHEAD: Final = timedelta(days=366)
MAX_MAIN_ITEMS: Final = 8
MAX_BOOKEND_ITEMS: Final = 4
SECONDS_PER_REP: Final = 4
CONTINUOUS_SECONDS: Final = 600  # a single set this long is steady cardio, sized to the session
FIT_SHARE: Final = 0.92  # an asked length is met when the plan fills this much of it
MAX_SETS: Final = 6
MAX_ROUNDS: Final = 6
HOLD_STEP: Final = 15
LENGTH_SAID_SHARE: Final = 0.15
BRIEF_WORDS: Final = 35  # about 12 seconds of speech
HOLD_CAPS: Final = {1: 90, 2: 60}  # seconds a single hold (a stretch), or a set of one, grows to
STORAGE_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Scaling:
    """How recovery scales the main block."""

    sets: int  # added to multi-set exercises' sets
    work: float  # factor on reps and seconds
    rest_seconds: int
    max_rounds: int
    intensity: str


SCALING: Final = {
    LOW: Scaling(-1, 0.75, 60, 2, "easy"),
    MODERATE: Scaling(0, 1.0, 45, 3, "moderate"),
    HIGH: Scaling(1, 1.25, 30, 4, "hard"),
}
# Where a type's exercises go when injuries or low recovery leave none of them.
TYPE_FALLBACKS: Final = {
    "running": ("walking", "mobility"),
    "walking": ("mobility",),
    "hiit": ("calisthenics", "mobility"),
    "calisthenics": ("strength", "mobility"),
    "strength": ("calisthenics", "mobility"),
    "yoga": ("stretching", "mobility"),
    "mobility": ("stretching",),
    "stretching": ("mobility",),
    "cycling": ("walking", "mobility"),
    "swimming": ("walking", "mobility"),
}
TYPE_NAMES: Final = {"hiit": "HIIT"}


class PlanError(ValueError):
    """A plan breaks the rules (structure, dose, an excluded exercise)."""


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One exercise of a plan with its dose: sets of reps or of seconds."""

    key: str
    name: str
    sets: int = 1
    reps: int | None = None
    seconds: int | None = None
    rest_seconds: int = 0
    replaces: str | None = None

    @property
    def estimated_seconds(self) -> int:
        """Work and rest between sets."""
        work = self.seconds if self.seconds is not None else (self.reps or 0) * SECONDS_PER_REP
        return self.sets * work + (self.sets - 1) * self.rest_seconds

    def as_dict(self) -> dict[str, Any]:
        """Stored and tool form (unset fields left out)."""
        data: dict[str, Any] = {"key": self.key, "name": self.name, "sets": self.sets}
        for name in ("reps", "seconds", "replaces"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        if self.rest_seconds:
            data["rest_seconds"] = self.rest_seconds
        return data


@dataclass(frozen=True, slots=True)
class Block:
    """A phase of the session: its exercises, done ``rounds`` times."""

    phase: str
    items: tuple[PlanItem, ...]
    rounds: int = 1

    @property
    def estimated_seconds(self) -> int:
        """All rounds of the block."""
        return self.rounds * _seconds(self.items)


@dataclass(frozen=True, slots=True)
class Plan:
    """A workout for one day."""

    day: date
    time_of_day: str | None
    types: tuple[str, ...]
    injuries: tuple[str, ...]
    recovery: str
    minutes: int
    blocks: tuple[Block, ...]
    notes: tuple[str, ...] = ()

    @property
    def estimated_minutes(self) -> int:
        """The whole session, rounded up."""
        return math.ceil(sum(block.estimated_seconds for block in self.blocks) / 60)

    def as_dict(self) -> dict[str, Any]:
        """Stored and tool form."""
        return {
            "day": self.day.isoformat(),
            "weekday": WEEKDAYS[self.day.weekday()],
            "time_of_day": self.time_of_day,
            "types": list(self.types),
            "injuries": list(self.injuries),
            "recovery": self.recovery,
            "intensity": SCALING[self.recovery].intensity,
            "minutes": self.minutes,
            "estimated_minutes": self.estimated_minutes,
            "blocks": [
                {
                    "phase": block.phase,
                    "rounds": block.rounds,
                    "exercises": [item.as_dict() for item in block.items],
                }
                for block in self.blocks
            ],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Read the stored form (validate it afterwards)."""
        blocks = tuple(
            Block(
                str(block["phase"]),
                tuple(
                    PlanItem(
                        str(item["key"]),
                        str(item["name"]),
                        int(item.get("sets", 1)),
                        item.get("reps"),
                        item.get("seconds"),
                        int(item.get("rest_seconds", 0)),
                        item.get("replaces"),
                    )
                    for item in block["exercises"]
                ),
                int(block.get("rounds", 1)),
            )
            for block in data["blocks"]
        )
        return cls(
            date.fromisoformat(data["day"]),
            data.get("time_of_day"),
            tuple(data.get("types", ())),
            tuple(data.get("injuries", ())),
            str(data["recovery"]),
            int(data["minutes"]),
            blocks,
            tuple(data.get("notes", ())),
        )


def excluded_reason(exercise: Exercise, injuries: frozenset[str], recovery: str) -> str | None:
    """Why ``exercise`` may not be in the plan ("to spare your knee", …), or None."""
    if hurt := sorted(exercise.loads & injuries):
        return f"to spare your {' and '.join(hurt)}"
    if recovery == LOW and exercise.intensity >= HARD:
        return "for low recovery"
    return None


def validate_plan(plan: Plan) -> None:
    """Raise :class:`PlanError` unless ``plan`` follows every rule."""
    if plan.recovery not in LEVELS:
        raise PlanError(f"unknown recovery level {plan.recovery!r}")
    if unknown := set(plan.types) - set(SUPPORTED_TYPES):
        raise PlanError(f"unsupported types {sorted(unknown)}")
    if unknown := set(plan.injuries) - set(BODY_PARTS):
        raise PlanError(f"unknown body parts {sorted(unknown)}")
    phases = tuple(block.phase for block in plan.blocks)
    if phases != PHASES:
        raise PlanError(f"blocks must be {', '.join(PHASES)}; got {', '.join(phases) or 'none'}")
    injuries = frozenset(plan.injuries)
    for block in plan.blocks:
        if not block.items:
            raise PlanError(f"the {block.phase} block is empty")
        if block.rounds < 1:
            raise PlanError(f"the {block.phase} block needs at least one round")
        keys = [item.key for item in block.items]
        if len(set(keys)) != len(keys):
            raise PlanError(f"the {block.phase} block repeats an exercise")
        for item in block.items:
            _validate_item(item, block.phase, injuries, plan.recovery)


def _validate_item(item: PlanItem, phase: str, injuries: frozenset[str], recovery: str) -> None:
    exercise = EXERCISES.get(item.key)
    if exercise is None or exercise.name != item.name:
        raise PlanError(f"{item.name!r} is not in the exercise library")
    if phase not in exercise.phases:
        raise PlanError(f"{item.name} does not belong in the {phase} block")
    if (reason := excluded_reason(exercise, injuries, recovery)) is not None:
        raise PlanError(f"{item.name} is excluded {reason}")
    dose = item.reps if item.reps is not None else item.seconds
    if item.sets < 1 or (item.reps is None) == (item.seconds is None) or not dose or dose < 1:
        raise PlanError(f"{item.name} needs at least one set of reps or of seconds")


@dataclass
class _Builder:
    types: tuple[str, ...]
    injuries: frozenset[str]
    recovery: str
    asked: tuple[str, ...] = ()  # library keys the user named: first where they serve
    used: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def allowed(self, exercise: Exercise) -> bool:
        return excluded_reason(exercise, self.injuries, self.recovery) is None

    def fits(self, exercise: Exercise) -> bool:
        """Allowed, and needs no bike or pool the session has not got."""
        return self.allowed(exercise) and not needs_equipment(exercise, self.types)

    def bookend(self, phase: str, budget_seconds: int) -> tuple[PlanItem, ...]:
        """Warm-up or cool-down: the types' own exercises first, then general ones."""
        wanted = set(self.types)
        candidates = sorted(
            (e for e in LIBRARY if phase in e.phases and self.fits(e) and e.key not in self.used),
            key=lambda e: not wanted.intersection(e.types),
        )
        items: list[PlanItem] = []
        for exercise in candidates:
            if len(items) == MAX_BOOKEND_ITEMS or (
                items and sum(i.estimated_seconds for i in items) >= budget_seconds
            ):
                break
            seconds = exercise.seconds
            if seconds is not None and seconds > budget_seconds:
                seconds = max(60, budget_seconds)  # a 5-minute easy spin is 2 in a short session
            items.append(PlanItem(exercise.key, exercise.name, 1, exercise.reps, seconds))
            self.used.add(exercise.key)
        return tuple(items)

    def candidates(self, kind: str | None) -> list[tuple[Exercise, Exercise | None]]:
        """Allowed main exercises of ``kind`` (any if None): those whose main type it is
        first, each excluded one by its substitute; then the others, substitutes last."""
        own: list[tuple[Exercise, Exercise | None]] = []
        other: list[tuple[Exercise, Exercise | None]] = []
        substituted: list[tuple[Exercise, Exercise | None]] = []
        for exercise in LIBRARY:
            if not _serves_main(exercise, kind) or needs_equipment(exercise, self.types):
                continue
            primary = exercise.types[0] == kind
            if self.allowed(exercise):
                (own if primary else other).append((exercise, None))
            elif (substitute := self.substitute(exercise)) is not None:
                (own if primary else substituted).append((substitute, exercise))
        return own + other + substituted

    def substitute(self, exercise: Exercise) -> Exercise | None:
        """The first allowed main-block substitute of ``exercise``."""
        for key in exercise.substitutes:
            substitute = EXERCISES[key]
            if MAIN in substitute.phases and self.allowed(substitute):
                return substitute
        return None

    def queue(self, kind: str) -> list[tuple[Exercise, Exercise | None]]:
        """The candidates of ``kind``, then of its fallbacks, then any allowed ones."""
        fallbacks = (*TYPE_FALLBACKS[kind], None)
        queue = [c for k in (kind, *fallbacks) for c in self.candidates(k)]
        asked = [
            c
            for key in self.asked
            for c in queue
            if c[0].key == key and c[1] is None and kind in c[0].types
        ]
        return asked + [c for c in queue if c not in asked]

    def note_missing_types(self, main: tuple[PlanItem, ...]) -> None:
        """Say which requested types the main block could not serve, and why."""
        reasons = []
        if self.injuries:
            reasons.append(f"spares your {' and '.join(sorted(self.injuries))}")
        if self.recovery == LOW:
            reasons.append("suits low recovery")
        reason = " and ".join(reasons) or "fits"
        for kind in self.types:
            if not any(kind in EXERCISES[item.key].types for item in main):
                self.notes.append(f"No {kind} exercise {reason}, so other exercises replace it.")

    def main(self, budget_seconds: int) -> tuple[tuple[PlanItem, ...], int]:
        """Round-robin over the types until one round fills the budget or the block is full;
        then as many rounds as fit (recovery caps them)."""
        queues = [self.queue(kind) for kind in self.types]
        share = budget_seconds // len(queues)
        items: list[PlanItem] = []
        while len(items) < MAX_MAIN_ITEMS:
            added = False
            for queue in queues:
                if len(items) == MAX_MAIN_ITEMS:
                    break
                # Every type gets its first exercise; later ones only if they fit.
                left = None if len(items) < len(queues) else budget_seconds - _seconds(items)
                if (item := self.take(queue, share, left)) is not None:
                    items.append(item)
                    added = True
            if not added or _seconds(items) >= budget_seconds:
                break
        fits = round(budget_seconds / _seconds(items))
        rounds = max(1, min(SCALING[self.recovery].max_rounds, fits))
        return tuple(items), rounds

    def fill(
        self, items: tuple[PlanItem, ...], budget_seconds: int
    ) -> tuple[tuple[PlanItem, ...], int]:
        """The main block grown to fill ``budget_seconds`` (an asked length): of every number
        of rounds up to :data:`MAX_ROUNDS` (beyond the recovery's cap if need be), with steady
        cardio taking the time left, then longer holds and more sets one exercise at a time,
        the one that comes nearest the length."""
        target = FIT_SHARE * budget_seconds
        tries = [self.grown(items, rounds, target) for rounds in range(1, MAX_ROUNDS + 1)]
        return min(tries, key=lambda t: (abs(target - t[1] * _seconds(t[0])), t[1]))

    def grown(
        self, items: tuple[PlanItem, ...], rounds: int, target: float
    ) -> tuple[tuple[PlanItem, ...], int]:
        """``items`` done ``rounds`` times, grown until they fill ``target`` seconds."""
        grown = list(items)

        def short() -> float:
            return target - rounds * _seconds(grown)

        for index, item in enumerate(grown):
            if short() > 0 and _continuous(item):
                extra = math.ceil(short() / rounds / 60) * 60
                grown[index] = replace(item, seconds=(item.seconds or 0) + extra)
        stuck, index = 0, 0
        while short() > 0 and grown and stuck < len(grown):
            longer = self.grow(grown[index % len(grown)])
            if longer is None:
                stuck += 1
            else:
                grown[index % len(grown)], stuck = longer, 0
            index += 1
        return tuple(grown), rounds

    def grow(self, item: PlanItem) -> PlanItem | None:
        """``item`` a step longer (a longer hold, else one more set), or None at its cap."""
        if _continuous(item):
            return None
        cap = HOLD_CAPS[min(item.sets, 2)]
        if item.seconds is not None and item.seconds < cap and item.seconds < 90:
            return replace(item, seconds=min(cap, item.seconds + HOLD_STEP))
        if item.sets < MAX_SETS:
            rest = item.rest_seconds or SCALING[self.recovery].rest_seconds
            return replace(item, sets=item.sets + 1, rest_seconds=rest)
        return None

    def take(
        self, queue: list[tuple[Exercise, Exercise | None]], share: int, left: int | None
    ) -> PlanItem | None:
        """The queue's next unused exercise that fits in ``left`` seconds (None: any)."""
        for index, (exercise, replaced) in enumerate(queue):
            if exercise.key in self.used:
                continue
            room = share if left is None else min(share, left)
            item = self.dose(exercise, room, replaced, fit=left is None)
            if left is None or item.estimated_seconds <= left:
                del queue[index]
                self.used.add(exercise.key)
                if replaced is not None:
                    reason = excluded_reason(replaced, self.injuries, self.recovery)
                    self.notes.append(f"{exercise.name} instead of {replaced.name} {reason}.")
                return item
        return None

    def dose(
        self, exercise: Exercise, room: int, replaced: Exercise | None, *, fit: bool = False
    ) -> PlanItem:
        """``exercise`` scaled by recovery; steady cardio sized to ``room`` seconds, and with
        ``fit`` (a type's first exercise, taken whatever its length) fewer sets to fit it."""
        scaling = SCALING[self.recovery]
        sets = exercise.sets if exercise.sets == 1 else max(1, exercise.sets + scaling.sets)
        reps = seconds = None
        if exercise.reps is not None:
            reps = max(1, round(exercise.reps * scaling.work))
        elif exercise.sets == 1 and (exercise.seconds or 0) >= CONTINUOUS_SECONDS:  # steady
            seconds = max(180, round(room * min(1.0, scaling.work) / 60) * 60)
        else:
            seconds = max(10, round((exercise.seconds or 0) * scaling.work / 5) * 5)
        rest = scaling.rest_seconds if sets > 1 else 0
        per_set = (seconds if seconds is not None else (reps or 0) * SECONDS_PER_REP) + rest
        if fit and sets > 1 and sets * per_set - rest > room:
            sets = max(1, (room + rest) // per_set)  # a long interval set fits its share
            rest = rest if sets > 1 else 0
        return PlanItem(
            exercise.key,
            exercise.name,
            sets,
            reps,
            seconds,
            rest,
            replaced.name if replaced else None,
        )


def _continuous(item: PlanItem) -> bool:
    """Steady cardio (an easy run, a steady ride): one long set sized to the session."""
    exercise = EXERCISES[item.key]
    return exercise.sets == 1 and (exercise.seconds or 0) >= CONTINUOUS_SECONDS


def _serves_main(exercise: Exercise, kind: str | None) -> bool:
    """Whether ``exercise`` may be a main exercise of a ``kind`` session (stretches only
    serve calm sessions)."""
    if MAIN not in exercise.phases or (kind is not None and kind not in exercise.types):
        return False
    return COOL_DOWN not in exercise.phases or kind is None or kind in CALM_TYPES


def _seconds(items: Iterable[PlanItem]) -> int:
    return sum(item.estimated_seconds for item in items)


def build_plan(
    day: date,
    *,
    time_of_day: str | None = None,
    types: Iterable[str] = (),
    injuries: Iterable[str] = (),
    recovery: str = MODERATE,
    minutes: int | None = None,
    exercises: Iterable[str] = (),
) -> Plan:
    """A validated plan for ``day`` (raises :class:`PlanError` on bad input); the
    ``exercises`` asked for (library keys) come first where they serve and are allowed.

    Without ``minutes`` the session is about :data:`DEFAULT_MINUTES` long, shorter on low
    recovery; with them it fills the asked length whatever the recovery.
    """
    kinds = tuple(dict.fromkeys(types)) or DEFAULT_TYPES
    if unknown := set(kinds) - set(SUPPORTED_TYPES):
        raise PlanError(f"unsupported types {sorted(unknown)}")
    if recovery not in LEVELS:
        raise PlanError(f"unknown recovery level {recovery!r}")
    length = DEFAULT_MINUTES if minutes is None else minutes
    if not MIN_MINUTES <= length <= MAX_MINUTES:
        raise PlanError(f"minutes must be {MIN_MINUTES} to {MAX_MINUTES}")
    hurt = tuple(dict.fromkeys(injuries))
    builder = _Builder(kinds, frozenset(hurt), recovery, tuple(dict.fromkeys(exercises)))
    edge_seconds = (2 if length < 20 else 5) * 60
    main, rounds = builder.main(length * 60 - 2 * edge_seconds)
    builder.note_missing_types(main)
    warm_up = builder.bookend(WARM_UP, edge_seconds)
    cool_down = builder.bookend(COOL_DOWN, edge_seconds)
    if minutes is not None:
        edges = _seconds(warm_up) + _seconds(cool_down)
        main, rounds = builder.fill(main, length * 60 - edges)
    blocks = (Block(WARM_UP, warm_up), Block(MAIN, main, rounds), Block(COOL_DOWN, cool_down))
    notes = tuple(dict.fromkeys(builder.notes))
    plan = Plan(day, time_of_day, kinds, hurt, recovery, length, blocks, notes)
    validate_plan(plan)
    return plan


def resolve_day(value: str | None, today: date) -> date:
    """``today``, ``tomorrow``, a weekday (its next occurrence, today included) or an ISO date."""
    spoken = (value or "today").strip().lower()
    if (said := day_date(spoken, today)) is not None:
        return said
    day = dt_util.parse_date(spoken)
    if day is None:
        raise SkillError(
            f"day {value!r} is not today, tomorrow, a weekday or an ISO date (2026-05-04)",
            spoken="I can plan for today, tomorrow or a day of the week.",
        )
    if day < today:
        raise SkillError(f"{day.isoformat()} is in the past", spoken="That day has passed.")
    if day - today > MAX_AHEAD:
        raise SkillError(
            f"{day.isoformat()} is more than a year ahead",
            spoken="I can only plan up to a year ahead.",
        )
    return day


# Today's part of the day as said: "this morning", "tonight".
_TODAY_PARTS: Final = {"morning": "This morning", "afternoon": "This afternoon",
                       "evening": "This evening", "night": "Tonight"}  # fmt: skip


def day_phrase(day: date, time_of_day: str | None, today: date) -> str:
    """A plan's day as said: "This morning", "Tomorrow evening", "Friday", "Monday May 18"."""
    if day == today:
        return _TODAY_PARTS.get(time_of_day or "", "Today")
    if day == today + timedelta(days=1):
        name = "Tomorrow"
    elif day - today < timedelta(days=7):
        name = WEEKDAYS[day.weekday()].capitalize()
    else:
        name = f"{WEEKDAYS[day.weekday()].capitalize()} {day:%B} {day.day}"
    return f"{name} {time_of_day}" if time_of_day else name


def _day_phrase(plan: Plan, today: date) -> str:
    return day_phrase(plan.day, plan.time_of_day, today)


def _names(items: Iterable[PlanItem]) -> str:
    names = [item.name for item in items]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def speak_plan(plan: Plan, today: date) -> str:
    """A short speakable summary of ``plan`` (the swaps are in its notes)."""
    warm_up, main, cool_down = plan.blocks
    sentences = [
        f"{_day_phrase(plan, today)}: about {said_minutes(plan)} minutes at "
        f"{SCALING[plan.recovery].intensity} intensity.",
        f"Warm-up: {_names(warm_up.items)}.",
        f"Main{f', {main.rounds} rounds' if main.rounds > 1 else ''}: {_names(main.items)}.",
        f"Cool-down: {_names(cool_down.items)}.",
    ]
    if plan.injuries:
        sentences.append(f"Nothing in it loads your {' or '.join(plan.injuries)}.")
    sentences.extend(note for note in plan.notes if note.startswith("No "))
    return " ".join(sentences)


def _short(item: PlanItem) -> str:
    """An exercise's name to say in passing: "run intervals", "glute bridge"."""
    name = item.name.split(",")[0]
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def said_minutes(plan: Plan) -> int:
    """The length to say: the one asked (or the default) when the plan comes near it, else
    the estimate (a default session shortened for low recovery)."""
    near = abs(plan.estimated_minutes - plan.minutes) <= LENGTH_SAID_SHARE * plan.minutes
    return plan.minutes if near else plan.estimated_minutes


def _types_said(plan: Plan) -> str:
    names = [TYPE_NAMES.get(kind, kind) for kind in plan.types]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def speak_plan_briefly(plan: Plan, today: date) -> str:
    """``plan`` in about 12 seconds of speech (some 35 words): its day, length, types and
    intensity, and the moves that open each phase; the full plan is in the tool result."""
    said = ""
    for shown in (2, 1):
        said = _brief(plan, today, shown)
        if len(said.split()) <= BRIEF_WORDS:
            break
    return said


def _brief(plan: Plan, today: date, shown: int) -> str:
    warm_up, main, cool_down = plan.blocks
    moves = [_short(item) for item in main.items]
    more = len(moves) - shown
    opening = " and ".join(moves) if more <= 0 else f"{', '.join(moves[:shown])} and {more} more"
    rounds = f", {main.rounds} rounds" if main.rounds > 1 else ""
    spare = f", sparing your {' and '.join(plan.injuries)}" if plan.injuries else ""
    return (
        f"{_day_phrase(plan, today)}: {said_minutes(plan)} minutes of {_types_said(plan)} "
        f"at {SCALING[plan.recovery].intensity} intensity{spare}. Warm up with "
        f"{_short(warm_up.items[0])}, then {opening}{rounds}; cool down with "
        f"{_short(cool_down.items[0])}."
    )


def speak_next(plan: Plan, today: date) -> str:
    """A saved plan in one short sentence: when, how long, what, and its first move."""
    first = _short(plan.blocks[1].items[0])
    return (
        f"{_day_phrase(plan, today)}: {said_minutes(plan)} minutes of {_types_said(plan)} "
        f"at {SCALING[plan.recovery].intensity} intensity, starting with {first}."
    )


def _then(plan: Plan, today: date) -> str:
    """A later plan in passing: "Then Saturday morning: 40 minutes of running." """
    return (
        f"Then {_in_passing(_day_phrase(plan, today))}: {said_minutes(plan)} minutes of "
        f"{_types_said(plan)}."
    )


# Plans without a time of day come first on their day.
_TIME_ORDER: Final[dict[str | None, int]] = {
    None: 0,
    **{name: i + 1 for i, name in enumerate(TIMES_OF_DAY)},
}


def storage_key(entry_id: str) -> str:
    """The Store key of an entry's saved plans."""
    return f"{DOMAIN}.{entry_id}.plans"


class PlanBook(ChangeListeners):
    """Saved plans, at most one per day and time of day; past days are dropped on save."""

    def __init__(self, hass: HomeAssistant, entry_id: str, *, recovery: RecoveryReader) -> None:
        """Plans of ``entry_id``; ``recovery`` scales a plan made with ``use_recovery``."""
        super().__init__()
        self.hass = hass
        self.recovery = recovery
        self._store: Store[dict[str, list[dict[str, Any]]]] = Store(
            hass, STORAGE_VERSION, storage_key(entry_id)
        )
        self._plans: list[Plan] = []

    @property
    def plans(self) -> list[Plan]:
        """Saved plans in order."""
        return list(self._plans)

    async def async_load(self) -> None:
        """Read the saved plans; a stored plan that breaks the rules is dropped."""
        data = await self._store.async_load() or {}
        plans: list[Plan] = []
        for raw in data.get("plans", []):
            try:
                plan = Plan.from_dict(raw)
                validate_plan(plan)
            except (KeyError, TypeError, ValueError) as err:
                LOGGER.warning("Dropping a saved workout plan that is not valid: %s", err)
                continue
            plans.append(plan)
        self._plans = sorted(plans, key=_order)

    async def async_save_plan(self, plan: Plan) -> None:
        """Save ``plan``, replacing the one of the same day and time of day."""
        validate_plan(plan)
        today = dt_util.now().date()
        kept = [
            p
            for p in self._plans
            if p.day >= today and (p.day, p.time_of_day) != (plan.day, plan.time_of_day)
        ]
        self._plans = sorted([*kept, plan], key=_order)
        await self._store.async_save({"plans": [p.as_dict() for p in self._plans]})
        self._async_notify()

    def next_plan(
        self, today: date, *, day: date | None = None, types: Iterable[str] = ()
    ) -> Plan | None:
        """The first saved plan from ``today`` on (on ``day`` only, if given) with one of
        ``types`` (any if none)."""
        return next(iter(self.plans_from(today, day=day, types=types)), None)

    def plans_from(
        self, today: date, *, day: date | None = None, types: Iterable[str] = ()
    ) -> list[Plan]:
        """The saved plans from ``today`` on (on ``day`` only, if given) with one of
        ``types`` (any if none), in order."""
        wanted = set(types)
        return [
            plan
            for plan in self._plans
            if plan.day >= today
            and (day is None or plan.day == day)
            and (not wanted or wanted & set(plan.types))
        ]

    @callback
    def async_new_day(self, now: datetime) -> None:
        """Local midnight: the next plan may have changed."""
        self._async_notify()


def _order(plan: Plan) -> tuple[date, int]:
    return plan.day, _TIME_ORDER.get(plan.time_of_day, 0)


class PrepareWorkoutTool(AtlasTool):
    """``prepare_workout``: build, validate and save a plan for a day."""

    name = "prepare_workout"
    description = (
        "Prepare a workout plan (warm-up, main, cool-down) for a day and save it. The plan is "
        "built from the exercise library and never includes exercises that load an injured "
        "body part. Set use_recovery to scale it by Garmin recovery. Tell the user the summary "
        "and any recovery_note."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional(
                "day", description="monday…sunday, today, tomorrow or an ISO date; today if unset"
            ): str,
            probatio.Optional("time_of_day"): probatio.In(TIMES_OF_DAY),
            probatio.Optional("types", default=list, description="Workout types to include"): [
                probatio.In(SUPPORTED_TYPES)
            ],
            probatio.Optional(
                "injuries", default=list, description="Sore or injured body parts to spare"
            ): [probatio.In(BODY_PARTS)],
            probatio.Optional(
                "minutes",
                description=f"Session length, {MIN_MINUTES} to {MAX_MINUTES}; about "
                f"{DEFAULT_MINUTES} (less on low recovery) if unset",
            ): probatio.All(probatio.Coerce(int), probatio.Range(min=1, max=24 * 60)),
            probatio.Optional(
                "use_recovery", default=False, description="Scale the plan by Garmin recovery"
            ): bool,
            probatio.Optional(
                "exercises", default=list, description="Library exercises the user asked for"
            ): [probatio.In(tuple(EXERCISES))],
        }
    )
    annotations = llm.ToolAnnotations(destructive=False, open_world=False)
    action = "plan"
    argument_words = {"types": "workout type", "injuries": "body part to spare",
                      "time_of_day": "time of day"}  # fmt: skip
    argument_errors = {
        "minutes": "How many minutes should the session be?",
        "use_recovery": "I didn't understand whether to use your recovery data.",
    }

    def __init__(self, book: PlanBook) -> None:
        """Save into ``book``; read recovery through its reader."""
        self.book = book

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        today = dt_util.now().date()
        day = resolve_day(args.get("day"), today)
        result: JsonObjectType = {}
        level = MODERATE
        if args["use_recovery"]:
            report = self.book.recovery.read()
            level = report.planning_level
            result["recovery"] = report.as_dict()
            if (note := report.note) is not None:
                result["recovery_note"] = note
        minutes, length_note = _length(args.get("minutes"))
        try:
            plan = build_plan(
                day,
                time_of_day=args.get("time_of_day"),
                types=args["types"],
                injuries=args["injuries"],
                recovery=level,
                minutes=minutes,
                exercises=args["exercises"],
            )
        except PlanError as err:
            raise SkillError(
                f"cannot build that plan: {err}", spoken="I couldn't put that plan together."
            ) from err
        await self.book.async_save_plan(plan)
        spoken = speak_plan_briefly(plan, today)
        if length_note:
            result["length_note"] = length_note
            spoken = f"{length_note} {spoken}"
        return {
            "plan": plan.as_dict(),
            "summary": speak_plan(plan, today),
            "spoken": spoken,
            **result,
        }


def _length(minutes: int | None) -> tuple[int | None, str | None]:
    """An asked length within what a plan may be, and what to say when it was not."""
    if minutes is None or MIN_MINUTES <= minutes <= MAX_MINUTES:
        return minutes, None
    if minutes < MIN_MINUTES:
        return MIN_MINUTES, f"The shortest session I plan is {MIN_MINUTES} minutes."
    return MAX_MINUTES, f"The longest session I plan is {MAX_MINUTES // 60} hours."


class NextWorkoutTool(AtlasTool):
    """``next_workout``: the next saved plan from today on, of a type or on a day."""

    name = "next_workout"
    description = (
        "The user's next planned workout from today on, with a short summary; with day, the "
        "plans of that day only; with types, the next plan of those types."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional(
                "day", description="monday…sunday, today, tomorrow or an ISO date"
            ): str,
            probatio.Optional("types", default=list, description="Workout types asked"): [
                probatio.In(SUPPORTED_TYPES)
            ],
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )
    action = "look up"
    argument_words = {"types": "workout type"}

    def __init__(self, book: PlanBook) -> None:
        """Read ``book``."""
        self.book = book

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        today = dt_util.now().date()
        day = resolve_day(args["day"], today) if args.get("day") else None
        return next_workout_result(self.book, today, day=day, types=tuple(args["types"]))


NOTHING_PLANNED: Final = "No workout is planned yet. Ask me to prepare one."


def next_workout_result(
    book: PlanBook, today: date, *, day: date | None = None, types: tuple[str, ...] = ()
) -> JsonObjectType:
    """The next plan (on ``day``, of ``types``) with its full ``summary`` and a short
    ``spoken`` one, or None and a sentence saying there is none (and what comes next)."""
    found = book.plans_from(today, day=day, types=types)
    if found:
        plan = found[0]
        spoken = speak_next(plan, today)
        if len(found) > 1 and not types:  # "what's coming up": the one after it too
            spoken += f" {_then(found[1], today)}"
        return {
            "plan": plan.as_dict(),
            "plans": [p.as_dict() for p in found[:4]] if day else [],
            "summary": speak_plan(plan, today),
            "spoken": spoken,
        }
    if not book.plans_from(today):
        return {"plan": None, "summary": NOTHING_PLANNED, "spoken": NOTHING_PLANNED}
    kind = f"{' or '.join(TYPE_NAMES.get(t, t) for t in types)} workout" if types else "workout"
    when = "" if day is None else f" for {_in_passing(day_phrase(day, None, today))}"
    text = f"No {kind} is planned{when}{' yet' if day is None else ''}."
    if (upcoming := book.next_plan(today)) is not None:
        text += f" Your next workout is {_in_passing(_day_phrase(upcoming, today))}."
    return {"plan": None, "summary": text, "spoken": text}


def _in_passing(phrase: str) -> str:
    """A day phrase inside a sentence: "tomorrow", "this evening", "Friday"."""
    first = phrase.split(" ", 1)[0]
    return (
        phrase[:1].lower() + phrase[1:]
        if first in ("Today", "Tomorrow", "This", "Tonight")
        else phrase
    )


async def async_setup_skill(
    hass: HomeAssistant, entry: ConfigEntry, *, recovery: RecoveryReader
) -> PlanBook:
    """Load the entry's saved plans and follow local midnight."""
    book = PlanBook(hass, entry.entry_id, recovery=recovery)
    await book.async_load()
    entry.async_on_unload(
        async_track_time_change(hass, book.async_new_day, hour=0, minute=0, second=0)
    )
    return book


def tools(book: PlanBook) -> list[llm.Tool]:
    """``prepare_workout`` and ``next_workout``."""
    return [PrepareWorkoutTool(book), NextWorkoutTool(book)]
