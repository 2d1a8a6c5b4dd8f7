"""Direct skill dispatch: a confident skill intent runs its own tools and speaks their results.

No model picks the tools: :func:`plan_calls` turns the understood intent and slots (and, for a
workout log or a reminder, the words of the request) into tool calls in order — for
``prepare_workout`` Garmin recovery first, then the plan with the injury spared — and
:func:`spoken_reply` builds a short, speakable answer from what the tools returned. Standard
library only: the evaluation and the benchmarks use it without Home Assistant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from .structured import Extraction

_NUMBER_WORDS: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "twenty five": 25, "thirty": 30, "forty": 40, "forty five": 45, "fifty": 50, "sixty": 60,
    "a hundred": 100, "an": 1, "a": 1, "half an": 0.5,
}  # fmt: skip
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len)[::-1]) + r")"
_SETS_OF = re.compile(
    rf"\b{_NUM}\s+sets?\s+of\s+{_NUM}\s+([a-z][a-z -]*?)"
    r"(?=[,.!?]|\s+(?:and|in|at|this|today|for)\b|$)"
)
_REPS = re.compile(rf"\b{_NUM}\s+(?!sets?\b|minutes?\b|mins?\b|hours?\b)([a-z][a-z-]*(?:\s+ups?)?)")
_MINUTES = re.compile(rf"\b{_NUM}[\s-]*(minutes?|mins?|hours?|hrs?)\b")
_ACTIVITY: Final = {
    "running": "running", "cycling": "cycling", "swimming": "swimming", "walking": "walking",
    "yoga": "yoga", "hiit": "HIIT", "strength": "strength training", "mobility": "mobility",
    "stretching": "stretching", "calisthenics": "calisthenics",
}  # fmt: skip
_REMIND = re.compile(r"\bremind(?:\s+me)?\b|\breminder\b", re.IGNORECASE)
_RELATIVE = re.compile(rf"\bin\s+{_NUM}\s*(minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE)
_CLOCK = re.compile(
    r"\b(?:(?:at|for|by)\s+)?((?:(?:today|tonight|tomorrow)\s+(?:at\s+)?)?"
    r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}|noon|midnight)"
    r"(?:\s+(?:today|tonight|tomorrow))?)",
    re.IGNORECASE,
)
_REMINDER_TEXT = re.compile(r"\b(?:to|about|that)\s+(.+)$", re.IGNORECASE)
_REMINDER_LEAD = re.compile(
    r"^.*?\b(?:remind(?:\s+me)?|set\s+(?:a|an)\s+reminder|reminder)\b\s*", re.IGNORECASE
)
_SKILL_INTENTS: Final = frozenset(
    {"prepare_workout", "recovery_status", "workout_status", "next_workout", "list_reminders",
     "log_workout", "set_reminder"}
)  # fmt: skip


@dataclass(frozen=True)
class SkillCall:
    """One tool call of a direct dispatch (the bare tool name, without its API prefix)."""

    tool: str
    args: dict[str, Any] = field(default_factory=dict)


def handles(intent: str) -> bool:
    """Whether ``intent`` has a direct route to its skills."""
    return intent in _SKILL_INTENTS


def plan_calls(extraction: Extraction, text: str) -> list[SkillCall] | None:
    """The tool calls for a confident skill intent, in order; None when a model is needed."""
    intent, slots = extraction.intent, extraction.slots
    if intent == "prepare_workout":
        args: dict[str, Any] = {"use_recovery": True}
        for key in ("day", "time_of_day"):
            if slots.get(key):
                args[key] = slots[key]
        if slots.get("types"):
            args["types"] = list(slots["types"])
        if slots.get("injury"):
            args["injuries"] = [slots["injury"]]
        if minutes := _minutes(text.lower()):
            args["minutes"] = int(minutes)
        return [SkillCall("recovery_status"), SkillCall("prepare_workout", args)]
    if intent in ("recovery_status", "workout_status", "next_workout", "list_reminders"):
        return [SkillCall(intent)]
    if intent == "log_workout":
        workout = workout_args(text, slots.get("types") or [])
        return None if workout is None else [SkillCall("log_workout", workout)]
    if intent == "set_reminder":
        reminder = reminder_args(text)
        return None if reminder is None else [SkillCall("set_reminder", reminder)]
    return None


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else float(_NUMBER_WORDS[word])


def _minutes(text: str) -> float | None:
    match = _MINUTES.search(text)
    if match is None:
        return None
    value = _number(match.group(1))
    return value * 60 if match.group(2).startswith("h") else value


def workout_args(text: str, types: list[str]) -> dict[str, Any] | None:
    """``log_workout`` arguments from "log 3 sets of 12 squats", "I ran for 30 minutes"…"""
    lower = text.lower()
    minutes = _minutes(lower)
    if len(_MINUTES.findall(lower)) > 1 or len(re.findall(r"\b(?:and then|and|then)\b", lower)) > 1:
        return None  # more than one workout in one sentence: the model splits it
    args: dict[str, Any] = {}
    if match := _SETS_OF.search(lower):
        args = {"sets": int(_number(match.group(1))), "reps": int(_number(match.group(2))),
                "exercise": match.group(3).strip()}  # fmt: skip
    elif (match := _REPS.search(_MINUTES.sub(" ", lower))) and not _is_filler(match.group(2)):
        args = {"reps": int(_number(match.group(1))), "exercise": match.group(2).strip()}
    if minutes is not None:
        if "reps" in args:
            return None  # "3 sets of 12 squats and ran 25 minutes": two workouts
        args["duration_minutes"] = minutes
        if "exercise" not in args:
            if not types:
                return None
            args["exercise"] = _ACTIVITY.get(types[0], types[0])
    if "exercise" not in args:
        return None
    if clock := _CLOCK.search(text):
        args["time"] = clock.group(1).strip()
    return args


def _is_filler(word: str) -> bool:
    return word in {"of", "the", "a", "an", "and", "more", "times", "x", "k", "km"}


def reminder_args(text: str) -> dict[str, Any] | None:
    """``set_reminder`` arguments from "remind me to stretch at 5 pm", "... in 20 minutes"."""
    if not _REMIND.search(text):
        return None
    rest = _REMINDER_LEAD.sub("", text.strip().rstrip(".!?"), count=1)
    when: dict[str, Any] = {}
    if match := _RELATIVE.search(rest):
        value = _number(match.group(1).lower())
        when = {"in_hours" if match.group(2).lower().startswith("h") else "in_minutes": value}
    elif match := _CLOCK.search(rest):
        when = {"at": match.group(1).strip()}
    else:
        return None
    what = (rest[: match.start()] + " " + rest[match.end() :]).strip(" ,")
    if found := _REMINDER_TEXT.search(" " + what):
        what = found.group(1)
    what = re.sub(r"^(?:to|about|that)\s+", "", what.strip(" ,"), flags=re.IGNORECASE)
    if not what:
        return None
    return {"text": what, **when}


def spoken_reply(results: list[tuple[SkillCall, dict[str, Any]]]) -> str:
    """A short, speakable answer built from the tools' results (errors said plainly)."""
    parts: list[str] = []
    planned = any(call.tool == "prepare_workout" for call, _ in results)
    for call, result in results:
        if "error" in result:
            parts.append(str(result.get("error_text") or "That didn't work."))
        elif not (planned and call.tool == "recovery_status"):  # the plan says how it adapted
            parts.append(_say(call, result))
    return " ".join(_sentence(p) for p in parts if p).strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def _say(call: SkillCall, result: dict[str, Any]) -> str:
    if call.tool == "prepare_workout":
        level = (result.get("recovery") or {}).get("level")
        note = result.get("recovery_note")
        said = f"Garmin says your recovery is {level}." if level and not note else None
        plan = result.get("spoken") or result.get("summary")
        return " ".join(_sentence(str(s)) for s in (said, plan, note) if s)
    if call.tool == "list_reminders":
        reminders = result.get("reminders") or []
        if not reminders:
            return "You have no reminders coming up."
        said = "; ".join(f"{r.get('text')} {r.get('when', '')}".strip() for r in reminders[:3])
        more = f", and {len(reminders) - 3} more" if len(reminders) > 3 else ""
        return (
            f"You have {len(reminders)} reminder{'s' if len(reminders) > 1 else ''}: {said}{more}."
        )
    if call.tool == "log_workout":
        logged, today = result.get("logged", {}), result.get("today", {})
        what = str(logged.get("exercise", "workout")).lower()
        amounts = []
        if logged.get("reps"):
            sets = logged.get("sets", 1)
            amounts.append(
                f"{sets} sets of {logged['reps']}" if sets > 1 else f"{logged['reps']} reps"
            )
        if minutes := logged.get("duration_minutes"):
            amounts.append(f"{minutes:g} minutes")
        done = today.get("workouts", 1)
        return (
            f"Logged {what}{', ' + ' in '.join(amounts) if amounts else ''}. "
            f"That's {done} workout{'s' if done != 1 else ''} today."
        )
    if call.tool == "set_reminder":
        reminder = result.get("reminder", {})
        return f"OK, I'll remind you to {reminder.get('text')} {reminder.get('when', '')}.".replace(
            " .", "."
        )
    for key in ("summary", "speech", "text"):
        if isinstance(result.get(key), str):
            note = result.get("recovery_note")
            return " ".join(_sentence(str(s)) for s in (result[key], note) if s)
    return ""
