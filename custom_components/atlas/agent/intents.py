"""The one list of what a user can want: every stage of the understanding cascade reads it.

The rules (``intent_rules``), the direct dispatch (``dispatch``), the router (``router``) and the
structured pass's schema and prompt (``structured``) import :data:`INTENTS` instead of naming
intents in strings of their own. Adding an intent is one entry here plus its rule, its route (for
a skill intent) and its reply; ``tests/test_intents.py`` fails when one of those is missing.
See docs/architecture.md, "How to add an intent".

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Intent:
    """One thing a user can want."""

    name: str
    meaning: str  # one line for the structured pass's prompt, with an example
    example: str  # a request the rules must read as this intent (tests/test_intents.py)
    tools: tuple[str, ...] = ()  # the skill tools its direct route runs, in order; () none
    planning: bool = False  # the answer benefits from thinking

    @property
    def skill(self) -> bool:
        """Whether a confident reading runs its tools directly, without a model."""
        return bool(self.tools)


INTENTS: Final[tuple[Intent, ...]] = (
    Intent(
        "prepare_workout",
        'one session made for them, now or for a day ("a short leg session for tuesday")',
        "give me a forty minute yoga session for saturday morning",
        tools=("recovery_status", "prepare_workout"),
        planning=True,
    ),
    Intent(
        "plan_program",
        'a plan over weeks or months ("a 6-week plan for my first pull-up")',
        "build me an eight week plan for my first half marathon",
        planning=True,
    ),
    Intent(
        "log_workout",
        'record exercise they did ("I rowed for 20 minutes", "mark my ride done")',
        "i did three sets of ten squats",
        tools=("log_workout",),
    ),
    Intent(
        "workout_status",
        'workouts already done: counts, totals, progress ("how far did I swim in May?")',
        "how many workouts have i done this week",
        tools=("workout_status",),
    ),
    Intent(
        "next_workout",
        "workouts still to come, their schedule "
        '("what have I got on thursday?", "is a ride planned tonight?")',
        "when's my next run",
        tools=("next_workout",),
    ),
    Intent(
        "recovery_status",
        "recovery, readiness, sleep, HRV, body battery, rest or train "
        '("am I fit to go hard today?")',
        "what's my body battery at",
        tools=("recovery_status",),
    ),
    Intent(
        "set_reminder",
        'make a reminder ("remind me to foam roll at 8")',
        "remind me to stretch at 5 pm",
        tools=("set_reminder",),
    ),
    Intent(
        "list_reminders",
        'which reminders they have ("any reminders on sunday?")',
        "what reminders have i got",
        tools=("list_reminders",),
    ),
    Intent(
        "cancel_reminder",
        'remove a reminder ("scrap the foam roll reminder")',
        "cancel the reminder about the bins",
        tools=("cancel_reminder",),
    ),
    Intent(
        "device_control",
        "lights, heating, fan, blinds, doors, music, other home devices",
        "turn off the living room lights",
    ),
    Intent(
        "quick_answer",
        "a general fact: time, date, weather, sums, units, food",
        "what's fifteen percent of eighty",
    ),
    Intent(
        "health_question",
        "pain, illness, symptoms, medicine, pregnancy, is it safe",
        "can i take ibuprofen before a run",
    ),
    Intent(
        "chat",
        "greetings, thanks, feelings, jokes, questions about you, small talk",
        "thanks, you're a star",
    ),
)
BY_NAME: Final = {intent.name: intent for intent in INTENTS}
NAMES: Final = tuple(BY_NAME)
SKILL_INTENTS: Final = frozenset(intent.name for intent in INTENTS if intent.skill)
PLANNING_INTENTS: Final = frozenset(intent.name for intent in INTENTS if intent.planning)
REMINDER_INTENTS: Final = frozenset({"set_reminder", "list_reminders", "cancel_reminder"})
