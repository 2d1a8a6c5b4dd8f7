"""One short question when a request lacks a value, and the answer that fills it next turn.

"remind me on wednesday to renew the gym membership" has no hour: :func:`question_for` asks
"What time on Wednesday?" and the entity keeps the :class:`Question` per conversation in
:class:`PendingQuestions` (bounded, expiring). The next turn, "ten am", goes to :func:`fill`,
which returns the completed tool arguments (or the next question). Standard library only.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from .reminder_args import (
    ReminderRequest,
    cancel_args,
    cancel_subject,
    cancel_words,
    read_reminder,
    resolve,
    subject,
)
from .time_words import WEEKDAYS, TimeWords, read_times

WHEN: Final = "When should I remind you?"
WHAT: Final = "What should I remind you about?"
WHICH: Final = "Which reminder should I cancel?"
DISMISSED: Final = "OK, I won't set anything."
KEPT: Final = "OK, I'll leave your reminders as they are."
MAX_PENDING: Final = 32
EXPIRES: Final = timedelta(minutes=5)
_DISMISS: Final = frozenset(
    {"never mind", "nevermind", "forget it", "cancel", "cancel that", "no", "nothing", "stop",
     "don't bother", "no thanks", "nope", "leave it", "cancel it", "not now"}
)  # fmt: skip
# Words an answer to "What time…?" may hold besides the time ("um, make it ten please").
_ANSWER_WORDS: Final = frozenset(
    {"please", "ok", "okay", "thanks", "thank", "you", "make", "it", "say", "let's", "lets",
     "how", "about", "maybe", "like", "yeah", "yes", "sure", "then", "at", "on", "in", "the",
     "around", "just", "oh", "i", "think", "guess", "so", "remind", "me", "do", "that's", "fine",
     "that", "actually", "better", "instead", "rather", "would", "be", "good", "great", "um",
     "uh", "er", "erm", "hmm", "well", "for", "by", "right", "alright", "cheers", "mate"}
)  # fmt: skip
_QUESTION: Final = re.compile(
    r"^(?:what|what's|whats|how|who|where|why|when|is|are|can|could|will|would|should|do|does)"
    r"\b.*\?$"
)


@dataclass(frozen=True)
class Question:
    """A question asked for a missing value: the tool it leads to and what is already known."""

    intent: str  # the tool the answer completes: set_reminder, cancel_reminder
    slot: str  # what is asked: "time", "text" or "which"
    text: str  # the question as said
    request: ReminderRequest | None = None  # a reminder's subject and time words so far
    asked: datetime | None = None


@dataclass(frozen=True)
class Dismissed:
    """The user let the question go ("never mind"): say so, run nothing."""

    text: str = DISMISSED


def question_for(intent: str, text: str, now: datetime) -> Question | None:
    """The one question a request of ``intent`` needs before its tool can run (None: none)."""
    if intent == "set_reminder":
        request = read_reminder(text, now)
        return None if request is None else _reminder_question(request, now)
    if intent == "cancel_reminder" and cancel_subject(text) == "" and cancel_args(text) is None:
        return Question("cancel_reminder", "which", WHICH, asked=now)
    return None


def _reminder_question(request: ReminderRequest, now: datetime) -> Question | None:
    if request.problem:
        return Question("set_reminder", "time", f"{request.problem} {WHEN}", request, now)
    if not request.text:
        return Question("set_reminder", "text", WHAT, request, now)
    if request.when is None:
        return Question("set_reminder", "time", _ask_time(request.times, now.date()), request, now)
    return None


def _ask_time(times: TimeWords, today: date) -> str:
    """ "What time on Wednesday?", "What time tomorrow morning?", "What time tonight?"…"""
    day, period = times.day, times.period
    if day is None and period is None:
        return WHEN
    if day == "today" and period == "night":
        return "What time tonight?"
    if day == "today" and period:
        return f"What time this {period}?"
    if day is None:
        return f"What time {'at' if period == 'night' else 'in the'} {period}?"
    if day in ("today", "tomorrow"):
        said = day
    elif day in WEEKDAYS:
        said = f"on {day.capitalize()}"
    else:
        said = f"on {date.fromisoformat(day):%B} {date.fromisoformat(day).day}"
    return f"What time {said}{' ' + period if period else ''}?"


def fill(
    question: Question, text: str, now: datetime
) -> dict[str, Any] | Question | Dismissed | None:
    """The answer ``text`` to ``question``: the tool's complete arguments, the next question
    (still one value missing), :class:`Dismissed`, or None when it is no answer (a new request)."""
    said = " ".join(text.lower().strip(" .!?").split())
    if said in _DISMISS:
        return Dismissed(KEPT if question.intent == "cancel_reminder" else DISMISSED)
    if _QUESTION.match(" ".join(text.lower().split())):
        return None  # a question of the user's own: a new request
    if question.intent == "cancel_reminder":
        what = cancel_subject(text) or cancel_words(text)
        return {"text": what} if what else None
    request = question.request
    if request is None:
        return None
    fresh = read_reminder(text, now)
    if fresh is not None and fresh.text and fresh.times.said:
        return fresh.args or _reminder_question(fresh, now)  # a whole new reminder request
    times = read_times(text, now.date(), bare=question.slot == "time")
    what = request.text or (fresh.text if fresh is not None else subject(" ".join(times.rest)))
    if not times.said and (question.slot == "time" or not what):
        return None
    if request.text and any(w.lower() not in _ANSWER_WORDS for w in times.rest):
        return None  # more than a time: a new request ("what's the weather tomorrow")
    answer = resolve(what, times.under(request.times) if times.said else request.times, now)
    return answer.args or _reminder_question(answer, now)


class PendingQuestions:
    """The open question of each conversation: at most ``limit``, each for ``expires``."""

    def __init__(self, limit: int = MAX_PENDING, expires: timedelta = EXPIRES) -> None:
        """An empty store."""
        self._questions: OrderedDict[str, Question] = OrderedDict()
        self._limit, self._expires = limit, expires

    def __len__(self) -> int:
        """How many questions are open."""
        return len(self._questions)

    def ask(self, conversation_id: str, question: Question) -> None:
        """Remember ``question`` as the one open in ``conversation_id`` (the oldest go first)."""
        self._questions.pop(conversation_id, None)
        self._questions[conversation_id] = question
        while len(self._questions) > self._limit:
            self._questions.popitem(last=False)

    def take(self, conversation_id: str, now: datetime) -> Question | None:
        """The open question of ``conversation_id``, now closed; None when none or expired."""
        question = self._questions.pop(conversation_id, None)
        if question is None or question.asked is None or now - question.asked > self._expires:
            return None
        return question
