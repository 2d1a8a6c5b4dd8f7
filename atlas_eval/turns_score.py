"""Scores of ``atlas-eval turns``: one line's outcome against what the line says is correct.

Pure functions over the recorded turns (no Home Assistant):

* intent: the agent's trace (the ``atlas_turn`` event); a turn the router answered on its safety
  path before any understanding counts as ``health_question``.
* slots: precision and recall of (slot, value) pairs over day, time_of_day, types, injury and
  data_source, micro-averaged into F1, over the lines the agent understood (a turn answered on
  the safety path before any understanding has no slots to score; such lines are counted).
* tools: the names in order (``recovery_status`` before ``prepare_workout`` is implied, so left
  out when the line does not list it), then each expected argument: numbers within 1 %, lists as
  sets, a plan's day as the date it means, ``period``/``time_of_day`` equal, other text by
  content words (each word of the expected text is in the actual, allowing for endings:
  "run" ~ "running", "push-ups" ~ "push ups"), a distance in metres, and a reminder's due time
  (``due`` {day, time} or ``in_minutes`` from the frozen now) against the due time of the
  reminder the tool created, within a minute. Where the tool's result says what an argument
  came to (the reminder cancelled, the exercise logged, a plan's day and length), that counts
  too. A refused tool call is wrong.
* reply: every ``reply_must`` group matched (any alternative, case-insensitive substring), no
  ``reply_must_not``; an emergency's first sentence names 911; a clarify line's first turn keeps
  the conversation open and runs no tool, and its answer turn runs the tools.
  A line the model answers by design (chat, a multi-week programme, a device command: see
  :data:`MODEL_INTENTS`) that did reach the model has its ``reply_must`` facts left unjudged: the
  scripted box's words are no model's, so only ``reply_must_not`` is checked (the count is
  reported as ``model_words_unjudged``).
* answered correctly: intent, tools and reply all right.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from custom_components.atlas.agent.dispatch import handles
from custom_components.atlas.agent.structured import INTENTS
from custom_components.atlas.agent.time_words import day_date

from .metrics import SlotPair, share, slot_pairs, slot_scores
from .turns_data import ToolCall, ToolRun, TurnLine, TurnRecord

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EMERGENCY_NUMBER: Final = "911"
NUMBER_TOLERANCE: Final = 0.01
DUE_TOLERANCE: Final = timedelta(minutes=1)
# Where a tool's result says what an argument came to, (result key, field): the reminder that
# was cancelled, the exercise as logged, the sets and plan length the tool applied by default.
RESULT_VALUES: Final = {
    ("cancel_reminder", "text"): ("cancelled", "text"),
    ("set_reminder", "text"): ("reminder", "text"),
    ("log_workout", "exercise"): ("logged", "exercise"),
    ("log_workout", "sets"): ("logged", "sets"),
    ("prepare_workout", "day"): ("plan", "day"),
    ("prepare_workout", "minutes"): ("plan", "minutes"),
}
EXACT_KEYS: Final = frozenset({"period", "time_of_day"})
# Intents whose answer is a model's words by design (Home Assistant's own intents take device
# commands first when "prefer handling commands locally" is on).
MODEL_INTENTS: Final = frozenset({"chat", "plan_program", "device_control"})
DAY_KEYS: Final = frozenset({"day"})
METRES: Final = {"km": 1000.0, "mi": 1609.344, "m": 1.0}
STOPWORDS: Final = frozenset({
    "a", "an", "the", "to", "my", "me", "i", "of", "for", "and", "at", "on", "in", "it", "is",
    "with", "about", "that", "this", "some", "your", "our", "be",
})  # fmt: skip
_WORD: Final = re.compile(r"[^\W_]+")
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+")


@dataclass
class LineScore:
    """How one line was answered."""

    line: TurnLine
    turns: list[TurnRecord]
    intent: str | None
    slots: dict[str, Any]
    tool_problems: list[str] = field(default_factory=list)
    reply_problems: list[str] = field(default_factory=list)

    @property
    def intent_ok(self) -> bool:
        """The agent understood the line's intent."""
        return self.intent == self.line.intent

    @property
    def tools_ok(self) -> bool:
        """The right tools ran with the right key arguments."""
        return not self.tool_problems

    @property
    def reply_ok(self) -> bool:
        """The reply says what it must and nothing it must not."""
        return not self.reply_problems

    @property
    def correct(self) -> bool:
        """Answered correctly: intent, tools and reply all right."""
        return self.intent_ok and self.tools_ok and self.reply_ok

    @property
    def understood(self) -> bool:
        """The agent's understanding ran on the first turn (its trace has an intent)."""
        return self.turns[0].trace.get("intent") is not None

    @property
    def model_words(self) -> bool:
        """The line is answered by a model by design, and the model answered it."""
        return self.line.intent in MODEL_INTENTS and self.reached_model

    @property
    def reached_model(self) -> bool:
        """The box got a structured pass or an answer request in any of the line's turns."""
        return any(turn.model_requests for turn in self.turns)

    @property
    def skill(self) -> bool:
        """The line asks for a skill intent (one with a direct route)."""
        return handles(self.line.intent)

    @property
    def gold_pairs(self) -> set[SlotPair]:
        """The line's (slot, value) pairs."""
        return slot_pairs(self.line.slots)

    @property
    def got_pairs(self) -> set[SlotPair]:
        """The agent's (slot, value) pairs."""
        return slot_pairs(self.slots)


def turn_intent(trace: Mapping[str, Any]) -> str | None:
    """The intent of a traced turn (the router's safety path counts as a health question)."""
    intent = trace.get("intent")
    if intent is None and trace.get("safety"):
        return "health_question"
    return None if intent is None else str(intent)


def score_line(line: TurnLine, turns: Sequence[TurnRecord], now: datetime) -> LineScore:
    """Score ``line`` from its recorded ``turns`` (the first turn, then a clarify answer)."""
    first = turns[0]
    score = LineScore(
        line, list(turns), turn_intent(first.trace), dict(first.trace.get("slots", {}))
    )
    if errors := [f"turn failed: {t.error}" for t in turns if t.error]:
        score.tool_problems.extend(errors)
        score.reply_problems.extend(errors)
        return score
    acting = first
    if line.clarify:
        if first.tools:
            score.tool_problems.append(f"the question ran {_names(first.tools)}")
        if not first.continue_conversation:
            score.reply_problems.append("the question did not keep the conversation open")
        if len(turns) < 2:
            score.tool_problems.append("no answer turn")
            return score
        acting = turns[1]
    score.tool_problems.extend(tool_problems(line.tools, acting.tools, now))
    judged = not (line.intent in MODEL_INTENTS and any(t.model_requests for t in turns))
    score.reply_problems.extend(reply_problems(line, first.reply, judge_facts=judged))
    return score


def tool_problems(
    expected: Sequence[ToolCall], runs: Sequence[ToolRun], now: datetime
) -> list[str]:
    """What is wrong with the tools that ran (empty: right tools, right key arguments)."""
    wanted = [call.tool for call in expected]
    if "prepare_workout" in wanted and "recovery_status" not in wanted:
        runs = [run for run in runs if run.tool != "recovery_status"]
    got = [run.tool for run in runs]
    if got != wanted:
        return [f"tools {got or 'none'}, expected {wanted or 'none'}"]
    problems: list[str] = []
    for call, run in zip(expected, runs, strict=True):
        if run.error:
            problems.append(f"{run.tool} refused: {run.result.get('error_text', run.result)}")
            continue
        problems.extend(f"{run.tool}: {p}" for p in arg_problems(call, run, now))
    return problems


def arg_problems(call: ToolCall, run: ToolRun, now: datetime) -> list[str]:
    """The expected arguments of ``call`` that ``run`` got wrong."""
    args = run.args
    problems: list[str] = []
    for key, want in call.args.items():
        if key == "distance_unit" and "distance" in call.args:
            continue  # judged with the distance
        if key == "due" or (key == "in_minutes" and call.tool == "set_reminder"):
            due = expected_due(call.args, now)
            if not _due_matches(due, run):
                problems.append(f"due {_reminder_due(run)}, expected {due:%a %d %b %H:%M}")
            continue
        if key == "distance":
            if not _distance_matches(call.args, args):
                problems.append(
                    f"distance {args.get('distance')} {args.get('distance_unit')}, expected "
                    f"{want} {call.args.get('distance_unit')}"
                )
            continue
        values = [args.get(key), _result_value(call.tool, key, run)]
        if not any(value_matches(key, want, got, now) for got in values if got is not None):
            problems.append(f"{key} {args.get(key)!r}, expected {want!r}")
    return problems


def value_matches(key: str, want: Any, got: Any, now: datetime) -> bool:
    """Whether one actual argument value is the expected one (see the module's rules)."""
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(want, int | float):
        return isinstance(got, int | float) and numbers_match(float(want), float(got))
    if isinstance(want, list):
        return isinstance(got, list) and {str(v).lower() for v in want} == {
            str(v).lower() for v in got
        }
    if not isinstance(want, str) or not isinstance(got, str):
        return bool(want == got)
    if key in DAY_KEYS:
        wanted_day = resolve_day(want, now.date())
        return wanted_day is not None and wanted_day == resolve_day(got, now.date())
    if key in EXACT_KEYS:
        return want.strip().lower() == got.strip().lower()
    return words_match(want, got)


def numbers_match(want: float, got: float) -> bool:
    """Equal within 1 % of the expected value."""
    return abs(want - got) <= NUMBER_TOLERANCE * abs(want) + 1e-9


def words_match(want: str, got: str) -> bool:
    """Every content word of ``want`` is in ``got``, allowing for endings ("run" ~ "running")
    and compounds split or run together ("push-ups" ~ "push ups" ~ "pushups")."""
    have = _candidates(got)
    words = _words(want)
    index = 0
    while index < len(words):
        word = words[index]
        joined = _stem(word + words[index + 1]) if index + 1 < len(words) else ""
        if joined and any(other.startswith(joined) for other in have):
            index += 2
        elif word in STOPWORDS or _known(_stem(word), have):
            index += 1
        else:
            return False
    return True


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("-", "").replace("'", ""))


def _known(word: str, have: set[str]) -> bool:
    return any(_same_word(word, other) for other in have)


def _candidates(text: str) -> set[str]:
    """The stems of ``text`` and of each pair of neighbouring words run together."""
    words = _words(text)
    joined = [a + b for a, b in itertools.pairwise(words)]
    return {_stem(word) for word in (*words, *joined)}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _same_word(want: str, got: str) -> bool:
    if want == got:
        return True
    short, long_ = sorted((want, got), key=len)
    return len(short) >= 3 and long_.startswith(short)


def resolve_day(value: str, today: date) -> date | None:
    """The date a plan's ``day`` means: today, tomorrow, a weekday (today included), ISO."""
    if (said := day_date(value, today)) is not None:
        return said
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def expected_due(args: Mapping[str, Any], now: datetime) -> datetime:
    """When the line's reminder is due: ``in_minutes`` from now, or ``due`` {day, time}
    (a weekday is its next occurrence, today only while that time is still ahead)."""
    if "in_minutes" in args:
        return now + timedelta(minutes=float(args["in_minutes"]))
    due = args["due"]
    clock = time.fromisoformat(str(due["time"]))
    spoken = str(due.get("day", "today")).lower()
    if spoken in WEEKDAYS:
        ahead = (WEEKDAYS.index(spoken) - now.weekday()) % 7
        if ahead == 0 and clock <= now.time().replace(tzinfo=None):
            ahead = 7
        day = now.date() + timedelta(days=ahead)
    else:
        day = resolve_day(spoken, now.date()) or now.date()
    return datetime.combine(day, clock, tzinfo=now.tzinfo)


def _reminder_due(run: ToolRun) -> datetime | None:
    reminder = run.result.get("reminder")
    if not isinstance(reminder, dict) or not isinstance(reminder.get("due"), str):
        return None
    return datetime.fromisoformat(reminder["due"])


def _due_matches(due: datetime, run: ToolRun) -> bool:
    created = _reminder_due(run)
    return created is not None and abs(created - due) <= DUE_TOLERANCE


def _distance_matches(want: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    wanted = _metres(want.get("distance"), want.get("distance_unit", "km"))
    actual = _metres(got.get("distance"), got.get("distance_unit"))
    return wanted is not None and actual is not None and numbers_match(wanted, actual)


def _metres(distance: Any, unit: Any) -> float | None:
    if not isinstance(distance, int | float) or isinstance(distance, bool):
        return None
    if not isinstance(unit, str):
        return None
    spoken = unit.strip().lower()
    key = "km" if spoken.startswith("k") else "mi" if spoken.startswith("mi") else spoken[:1]
    return float(distance) * METRES[key] if key in METRES else None


def _result_value(tool: str, key: str, run: ToolRun) -> Any:
    where = RESULT_VALUES.get((tool, key))
    part = run.result.get(where[0]) if where else None
    return part.get(where[1]) if where and isinstance(part, dict) else None


def reply_problems(line: TurnLine, reply: str, *, judge_facts: bool = True) -> list[str]:
    """What the first reply lacks (when ``judge_facts``) or must not say."""
    spoken = reply.lower()
    problems = [
        f"missing {list(group)}"
        for group in (line.reply_must if judge_facts else ())
        if not any(alternative.lower() in spoken for alternative in group)
    ]
    problems.extend(f"says {bad!r}" for bad in line.reply_must_not if bad.lower() in spoken)
    first_sentence = _SENTENCE_END.split(reply.strip(), maxsplit=1)[0]
    if line.emergency and EMERGENCY_NUMBER not in first_sentence:
        problems.append(f"the first sentence does not name {EMERGENCY_NUMBER}")
    return problems


def _names(runs: Iterable[ToolRun]) -> str:
    return ", ".join(run.tool for run in runs)


def summarise(scores: Sequence[LineScore]) -> dict[str, Any]:
    """The overall measures and the same per intent (intents in the agent's order)."""
    per_intent = {
        intent: _measures([s for s in scores if s.line.intent == intent])
        for intent in (*INTENTS, *sorted({s.line.intent for s in scores} - set(INTENTS)))
        if any(s.line.intent == intent for s in scores)
    }
    return {"overall": _measures(scores), "per_intent": per_intent}


def _measures(scores: Sequence[LineScore]) -> dict[str, Any]:
    skill = [s for s in scores if s.skill]
    understood = [s for s in scores if s.understood]
    slots = slot_scores([s.gold_pairs for s in understood], [s.got_pairs for s in understood])
    return {
        "lines": len(scores),
        "not_understood": len(scores) - len(understood),
        "answered_correctly": share([s.correct for s in scores]),
        "intent_accuracy": share([s.intent_ok for s in scores]),
        "slots": {key: slots[key] for key in ("tp", "fp", "fn", "precision", "recall", "f1")},
        "tools_right": share([s.tools_ok for s in scores]),
        "reply_right": share([s.reply_ok for s in scores]),
        "reached_model": share([s.reached_model for s in scores]),
        "model_words_unjudged": sum(s.model_words for s in scores),
        "skill_reached_model": share([s.reached_model for s in skill]),
    }
