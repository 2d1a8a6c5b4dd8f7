"""Deterministic local/cloud router for ATLAS turns: no model call, no Home Assistant imports.

``route(text, ...)`` picks ``local`` (the GPU box), ``cloud-simple`` (Claude Haiku 4.5) or
``cloud-complex`` (Claude Sonnet 4.5) with precompiled word-start regexes (keyword families,
stems, numbers with units, negation), and says why. Rules, strongest first:

1. Safety/medical: always cloud. Also when negated ("no chest pain today, log my run": cloud-simple,
   marked negated) and when the user asked to keep it local: a missed safety question costs far
   more than a cloud call.
   ``cloud-complex`` for red flags (chest symptoms, fainting, can't breathe, numbness, head
   injury, tears/fractures, crisis words, "severe"/"sharp"), two medical families in one turn
   ("pregnant and diabetic") or a turn that is also complex planning; otherwise ``cloud-simple``.
   Plain soreness, stiffness, tight hamstrings, mild post-workout aches and heart-rate *status*
   ("what was my average heart rate") stay local. A real emergency now (``emergency.py``:
   "he collapsed and isn't breathing") is marked, so the agent says the emergency number first.
   A request the rules read as no health question, whose only health words are a sore or
   tweaked body part ("my wrist is sore, give me a 30 minute session"; "log 112 push ups"), is a
   constraint on the request: local; so is any health word inside a reminder ("remind me to take
   my blood pressure pills at 8").
2. Explicit local request ("keep it local", "offline", "don't ask Claude"): local.
3. Explicit cloud request: Claude, Haiku, the cloud (``cloud-simple``); Sonnet, "the smarter
   model", "think hard" or a complex turn (``cloud-complex``). Negated requests do not count.
4. Conversation context over the local window: ``cloud-complex``.
5. Multi-week/multi-factor planning, goal-driven programmes, plateau/trend and "why" analysis
   about the user: ``cloud-complex``. A single session or a single week ("plan my workouts for
   this week") is local, and so are counts over past periods ("how many runs this month").
6. Cascade: the local structured pass failed validation, or its confidence is below the
   threshold: ``cloud-simple``.
7. Everything else: local.

Languages: the safety rules (1) read English, German, Spanish and French, over a folded copy of
the turn (lower case, no accents or umlauts, "ß" -> "ss", French elisions split), so "Übelkeit",
"Uebelkeit" and an ASR's "ubelkeit" are all nausea. The other rules are English; a turn in another
language that they do not catch reaches the cascade (6) like any other. The words live in
``lang/`` (one module per language); this module holds the routing logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from .emergency import emergency
from .intents import REMINDER_INTENTS
from .lang import de, en, es, fr
from .lang import heart_rate as hr_words
from .lang.patterns import PUNCT, fold, rx

# A plain alias, not a 3.12 `type` statement: atlas-eval loads this file on Python 3.11 too.
Route = Literal["local", "cloud-simple", "cloud-complex"]

LOCAL: Final = "local"
CLOUD_SIMPLE: Final = "cloud-simple"
CLOUD_COMPLEX: Final = "cloud-complex"
TOKEN_CHARS: Final = 4  # rough characters per token, to count the new turn into the context


@dataclass(frozen=True)
class RouteDecision:
    """Where a turn goes, why, and whether it touched safety or health."""

    route: Route
    reason: str
    safety: bool
    emergency: str | None = None  # what makes it a real emergency now: the number comes first


_SAFETY_LANGUAGES: Final = (en.SAFETY_FAMILIES, de.SAFETY_FAMILIES, es.SAFETY_FAMILIES,
                             fr.SAFETY_FAMILIES)  # fmt: skip
_SAFETY_RE: Final = rx(
    *(
        f"(?P<{name}>{'|'.join(alt for lang in _SAFETY_LANGUAGES for alt in lang.get(name, ()))})"
        for name in en.SAFETY_FAMILIES
    )
)
_RED_FLAG_RE: Final = rx(*en.RED_FLAGS, *de.RED_FLAGS, *es.RED_FLAGS, *fr.RED_FLAGS)
# Heart rate outside these (resting: above the last) is a concern whatever the words.
_HR_LOW: Final = 40
_HR_HIGH: Final = 200
_HR_RESTING_HIGH: Final = 100
# Cues that are not a medical factor of their own ("is it safe", "see a doctor", "my knee is").
_GENERIC_SAFETY: Final = frozenset({"care", "symptom", "intent"})
# A request the rules read as something other than a health question, whose only health words are
# a sore or tweaked body part (and no red flag), is a constraint on the request, not a health
# question: "my knee's a bit sore, give me a run" gets a run that spares the knee, "log 112 push
# ups" gets logged, "what caused the fall of Rome" gets history. In a reminder, any health words
# are its subject ("remind me to take my tablets at 8").
_CONSTRAINT_FAMILIES: Final = frozenset({"injury", "symptom", "care"})


def _squash(text: str) -> str:
    return " ".join(text.split())


def _negated(text: str, start: int, tail: re.Pattern[str] = en.NEGATED_TAIL_RE) -> bool:
    """Whether one of the few words before ``start`` negates what follows."""
    return tail.search(text, max(0, start - 40), start) is not None


def _first_affirmed(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        if not _negated(text, match.start()):
            return _squash(match.group(0))
    return None


def _safety(text: str, intent: str | None) -> tuple[dict[str, str], bool]:
    """Medical families in the folded ``text`` (family -> first trigger), and whether all were
    negated. English, German, Spanish and French."""
    found: dict[str, str] = {}
    negated = True
    for match in _SAFETY_RE.finditer(text):
        found.setdefault(match.lastgroup or "safety", _squash(match.group(0)))
        negated = negated and _negated(text, match.start(), en.SAFETY_NEGATED_TAIL_RE)
    affirmed: dict[str, str] = {}
    if not found and (statement := en.JOINT_STATEMENT_RE.search(text)):
        affirmed["symptom"] = _squash(statement.group(0))
    ache = None if "injury" in found else en.ACHE_RE.search(text)
    if ache and not en.MILD_ACHE_RE.search(text):
        affirmed["injury"] = ache.group(0)
    heart_rate = en.HEART_RATE_RE.search(text) or hr_words.HEART_RATE_X_RE.search(text)
    if "cardiac" not in found and heart_rate:
        concern = en.HR_CONCERN_RE.search(text) or hr_words.HR_CONCERN_X_RE.search(text)
        resting = "resting" in text or hr_words.RESTING_X_RE.search(text) is not None
        high = _HR_RESTING_HIGH if resting else _HR_HIGH
        numbers = (
            int(n["after"] or n["before"])
            for pattern in (en.HR_NUMBER_RE, hr_words.HR_NUMBER_X_RE)
            for n in pattern.finditer(text)
        )
        extreme = next((n for n in numbers if n <= _HR_LOW or n >= high), None)
        if concern or extreme is not None:
            trigger = concern.group(0) if concern else f"{extreme}"
            affirmed["cardiac"] = f"{heart_rate.group(0)} + {trigger}"
    if intent == "health_question" and not found and not affirmed:
        affirmed["intent"] = "health_question"
    found.update(affirmed)
    return found, negated and bool(found) and not affirmed


def _amount(words: str) -> int:
    """The number in "12", "three", "a couple of", "a few"."""
    for word in words.split():
        if word.isdigit():
            return int(word)
        if word not in {"a", "an", "of"}:
            return en.NUMBER_WORDS.get(word, 1)
    return 1


def _in_past(text: str, match: re.Match[str]) -> bool:
    """Whether a duration is a past period ("last six weeks", "two weeks ago")."""
    start = match.start()
    return bool(
        en.PAST_TAIL_RE.search(text, max(0, start - 24), start)
        or en.AGO_RE.match(text, match.end())
    )


def _long_horizon(text: str) -> str | None:
    """A future horizon of two weeks or more ("12-week", "three months", "by summer")."""
    for match in en.DURATION_RE.finditer(text):
        days = _amount(match.group("n")) * en.UNIT_DAYS[match.group("unit")[0]]
        future = not _negated(text, match.start()) and not _in_past(text, match)
        if days >= en.MULTI_WEEK_DAYS and future:
            return match.group(0)
    return _first_affirmed(en.HORIZON_RE, text)


def _past_horizon(text: str) -> str | None:
    """A past period ("last six weeks", "since March", "past quarter")."""
    for match in en.DURATION_RE.finditer(text):
        if _in_past(text, match):
            return match.group(0)
    past = en.PAST_PERIOD_RE.search(text)
    return past.group(0) if past else None


def _multi_factor(text: str, *, short: bool) -> str | None:
    """Three constraint families (or two with "balance"/"around my") in a planning turn.

    A short-horizon turn ("a stretch for my back after work") needs the connector.
    """
    families = {match.lastgroup or "" for match in en.FACTOR_RE.finditer(text)}
    connector = en.FACTOR_CONNECTOR_RE.search(text)
    if short and not connector:
        return None
    needed = en.MULTI_FACTOR_MIN - (1 if connector else 0)
    if len(families) >= needed and (connector or en.PLAN_CUE_RE.search(text)):
        return ", ".join(sorted(families))
    return None


def _programme_design(text: str) -> str | None:
    """A request to create a programme, plan or routine ("design a strength program")."""
    for noun in en.PROGRAM_NOUN_RE.finditer(text):
        if _negated(text, noun.start()):
            continue
        for verb in en.CREATE_RE.finditer(text, 0, noun.start()):
            if not _negated(text, verb.start()):
                return f"programme design: {verb.group(0)!r} + {noun.group(0)!r}"
    return None


def planning(text: str) -> str | None:
    """Why a turn asks for multi-week or multi-factor planning, if it does (the rules read such a
    turn as ``plan_program``)."""
    return _planning(text.lower().translate(PUNCT))


def _planning(text: str) -> str | None:
    """Why the turn is multi-week or multi-factor planning, if it is."""
    if horizon := _long_horizon(text):
        cue = en.PLAN_CUE_RE.search(text) or en.GOAL_EVENT_RE.search(text)
        if cue := cue or en.WEIGHT_GOAL_RE.search(text):
            return f"multi-week planning: {horizon!r} + {cue.group(0)!r}"
    short = en.SHORT_HORIZON_RE.search(text) is not None
    if not short:  # "today's run", "a 20-minute session" stay local
        if goal := _first_affirmed(en.GOAL_EVENT_RE, text):
            return f"goal-driven training plan: {goal!r}"
        if (weight := en.WEIGHT_GOAL_RE.search(text)) and en.PLAN_CUE_RE.search(text):
            return f"weight goal plan: {weight.group(0)!r}"
        if design := _programme_design(text):
            return design
        if advice := en.ADVICE_RE.search(text):
            return f"training structure question: {advice.group(0)!r}"
    if factors := _multi_factor(text, short=short):
        return f"multi-factor planning ({factors})"
    return None


def _analysis(text: str) -> str | None:
    """Why the turn is plateau/trend analysis or a "why" question about the user, if it is."""
    if plateau := en.PLATEAU_RE.search(text):
        return f"progress analysis: {_squash(plateau.group(0))!r}"
    why = en.WHY_RE.search(text)
    if why and en.SELF_RE.search(text) and not en.DEVICE_RE.search(text):
        return f"'why' analysis: {why.group(0)!r}"
    if strong := en.STRONG_ANALYSIS_RE.search(text):
        return f"analysis request: {strong.group(0)!r}"
    if weak := en.WEAK_ANALYSIS_RE.search(text):
        change = en.CHANGE_ASK_RE.search(text)
        if detail := _past_horizon(text) or (change.group(0) if change else None):
            return f"analysis request: {weak.group(0)!r} + {detail!r}"
    return None


def _complex_reasons(
    text: str, raw_text: str, context_tokens: int, local_window: int, intent: str | None
) -> list[str]:
    """Every reason the turn needs the stronger cloud model."""
    reasons = []
    tokens = context_tokens + len(raw_text) // TOKEN_CHARS
    if tokens > local_window:
        reasons.append(f"context {tokens} tokens > local window {local_window}")
    if planning := _planning(text):
        reasons.append(planning)
    elif intent == "plan_program":
        reasons.append("intent plan_program")
    if analysis := _analysis(text):
        reasons.append(analysis)
    if think := _first_affirmed(en.THINK_HARD_RE, text):
        reasons.append(f"user asked for deeper thinking ({think!r})")
    return reasons


def route(
    text: str,
    *,
    context_tokens: int = 0,
    local_window: int = 4096,
    confidence: float | None = None,
    structured_valid: bool = True,
    threshold: float = 0.7,
    intent: str | None = None,
) -> RouteDecision:
    """Route one user turn; the rules are in the module docstring."""
    lowered = text.lower().translate(PUNCT)
    complex_reasons = _complex_reasons(lowered, text, context_tokens, local_window, intent)

    folded = fold(lowered)
    found, negated = _safety(folded, intent)
    if now := emergency(text):
        detail = ", ".join(f"{family} {trigger!r}" for family, trigger in found.items())
        reason = f"safety/medical: emergency {now!r}" + (f"; {detail}" if detail else "")
        return RouteDecision(CLOUD_COMPLEX, reason, True, emergency=now)
    constraint = intent not in (None, "health_question") and (
        intent in REMINDER_INTENTS  # the health words are the reminder's subject
        or (found.keys() <= _CONSTRAINT_FAMILIES and not _RED_FLAG_RE.search(folded))
    )
    if found and not constraint:
        detail = ", ".join(f"{family} {trigger!r}" for family, trigger in found.items())
        if negated:  # "no chest pain today": still the cloud, for recall, but no red flag
            return RouteDecision(CLOUD_SIMPLE, f"safety/medical (negated): {detail}", True)
        severe = _RED_FLAG_RE.search(folded)
        medical = len(found.keys() - _GENERIC_SAFETY)
        if severe:
            why = f"red flag {_squash(severe.group(0))!r}"
        elif medical > 1:
            why = "several medical factors"
        elif complex_reasons:
            why = complex_reasons[0]
        else:
            return RouteDecision(CLOUD_SIMPLE, f"safety/medical: {detail}", True)
        return RouteDecision(CLOUD_COMPLEX, f"safety/medical: {detail}; {why}", True)

    if local := en.LOCAL_REQUEST_RE.search(lowered):
        reason = f"user asked to stay local ({_squash(local.group(0))!r})"
        return RouteDecision(LOCAL, reason, False)

    if explicit := _first_affirmed(en.EXPLICIT_CLOUD_RE, lowered):
        reason = f"user asked for the cloud ({explicit!r})"
        if en.COMPLEX_MODEL_RE.search(lowered) or complex_reasons:
            return RouteDecision(CLOUD_COMPLEX, "; ".join([reason, *complex_reasons]), False)
        return RouteDecision(CLOUD_SIMPLE, reason, False)

    if complex_reasons:
        return RouteDecision(CLOUD_COMPLEX, "; ".join(complex_reasons), False)
    if found:
        detail = ", ".join(f"{family} {trigger!r}" for family, trigger in found.items())
        return RouteDecision(LOCAL, f"local: a constraint on intent {intent} ({detail})", False)
    if not structured_valid:
        return RouteDecision(CLOUD_SIMPLE, "structured pass failed validation", False)
    if confidence is not None and confidence < threshold:
        return RouteDecision(CLOUD_SIMPLE, f"low confidence {confidence:g} < {threshold:g}", False)
    what = f"intent {intent}" if intent else "no safety, planning, analysis or cloud request"
    return RouteDecision(LOCAL, f"local: {what}", False)
