"""Direct skill dispatch: a confident skill intent runs its own tools and speaks their results.

No model picks the tools: :func:`plan_calls` turns the understood intent and slots (and, for a
workout log or a reminder, the words of the request) into tool calls in order — for
``prepare_workout`` Garmin recovery first, then the plan with the injury spared — and
``replies.spoken_reply`` builds a short, speakable answer from what the tools returned. A
request that lacks a required value gets one question instead (:func:`plan`, ``clarify.py``),
and :func:`follow_up` turns the next turn's answer into the calls. Standard library only: the
evaluation and the benchmarks use it without Home Assistant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from .asked_exercises import asked_exercises
from .clarify import Dismissed, Question, fill, question_for
from .intents import SKILL_INTENTS
from .numbers import minutes
from .reminder_args import cancel_args, list_args, reminder_args
from .status_args import next_args, status_args
from .structured import Extraction
from .time_words import DAY_SAID
from .workout_args import log_calls


@dataclass(frozen=True)
class SkillCall:
    """One tool call of a direct dispatch (the bare tool name, without its API prefix)."""

    tool: str
    args: dict[str, Any] = field(default_factory=dict)


def handles(intent: str) -> bool:
    """Whether ``intent`` has a direct route to its skills."""
    return intent in SKILL_INTENTS


_SESSIONS: Final = re.compile(r"\b(?:twice|two (?:sessions|workouts|plans)|both sessions)\b")


def plan(
    extraction: Extraction, text: str, now: datetime | None = None
) -> list[SkillCall] | Question | None:
    """The tool calls for a confident skill intent, the one question a missing value needs, or
    None when a model is needed (``now``: the user's aware local time; default the system's)."""
    now = now if now is not None else datetime.now().astimezone()
    return question_for(extraction.intent, text, now) or plan_calls(extraction, text, now)


def follow_up(
    question: Question, text: str, now: datetime | None = None
) -> list[SkillCall] | Question | Dismissed | None:
    """The answer ``text`` to an open ``question``: the calls it completes, the next question,
    :class:`Dismissed`, or None when it is no answer (a new request: understand it afresh)."""
    now = now if now is not None else datetime.now().astimezone()
    filled = fill(question, text, now)
    if isinstance(filled, dict):
        return [SkillCall(question.intent, filled)]
    return filled


def plan_calls(
    extraction: Extraction, text: str, now: datetime | None = None
) -> list[SkillCall] | None:
    """The tool calls for a confident skill intent, in order; None when a model is needed."""
    intent, slots = extraction.intent, extraction.slots
    if intent == "prepare_workout" and (
        len({d.lower() for d in DAY_SAID.findall(text)}) > 1 or _SESSIONS.search(text.lower())
    ):
        return None  # "plan Wednesday evening and Friday": two sessions, the model splits them
    if intent == "prepare_workout":
        args: dict[str, Any] = {"use_recovery": True}
        for key in ("day", "time_of_day"):
            if slots.get(key):
                args[key] = slots[key]
        if slots.get("types"):
            args["types"] = list(slots["types"])
        if slots.get("injury"):
            args["injuries"] = [slots["injury"]]
        if said := minutes(text.lower()):
            args["minutes"] = int(said)
        if asked := asked_exercises(text):
            args["exercises"] = asked
        return [SkillCall("recovery_status"), SkillCall("prepare_workout", args)]
    if intent == "recovery_status":
        return [SkillCall(intent)]
    if intent == "list_reminders":
        return [SkillCall(intent, list_args(text, slots))]
    if intent == "workout_status":
        return [SkillCall(intent, status_args(text, slots))]
    if intent == "next_workout":
        return [SkillCall(intent, next_args(text, slots))]
    if intent == "log_workout":
        logs = log_calls(text, slots.get("types") or [])
        return None if logs is None else [SkillCall("log_workout", args) for args in logs]
    if intent == "set_reminder":
        reminder = reminder_args(text, now)
        return None if reminder is None else [SkillCall("set_reminder", reminder)]
    if intent == "cancel_reminder":
        cancel = cancel_args(text)
        return None if cancel is None else [SkillCall("cancel_reminder", cancel)]
    return None
