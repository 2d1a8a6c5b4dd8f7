"""The rules stage of the understanding cascade: standard library only, no model.

Accuracy is measured on the labelled files the model pass is evaluated on
(``eval_utterances.jsonl``, which the rules were tuned on, and ``eval_utterances_fresh.jsonl``,
written before the rules as a hold-out) and on the scripted dialogues, with ``context``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from atlas_eval.eval_data import SlotRules, Utterance, load_dialogues, load_utterances
from atlas_eval.metrics import expectation_met, slot_pairs, slot_scores
from custom_components.atlas.agent import intent_rules as rules
from custom_components.atlas.agent import structured

REPO = Path(__file__).resolve().parents[1]
AGENT = REPO / "custom_components" / "atlas"
RULES_PATH = AGENT / "agent" / "intent_rules.py"
DATA = REPO / "tests" / "data"
FILES = ("eval_utterances.jsonl", "eval_utterances_fresh.jsonl")
SLOT_KEYS = ("day", "time_of_day", "types", "injury", "data_source")


understand = rules.understand
CONFIDENT = rules.CONFIDENT
SLOT_RULES = SlotRules(structured.SCHEMA)
Extraction = structured.Extraction


def _utterances(name: str) -> list[Utterance]:
    return load_utterances(DATA / name, SLOT_RULES)


def _scores(items: list[Utterance]) -> dict[str, float]:
    results = [understand(item.text) for item in items]
    sure = [result.confidence >= CONFIDENT for result in results]
    right = [result.intent == item.intent for result, item in zip(results, items, strict=True)]
    gold = [slot_pairs(item.slots) for item in items]
    own = [slot_pairs(result.slots) for result in results]
    cascade = [o if s else g for o, g, s in zip(own, gold, sure, strict=True)]
    n, covered = len(items), sum(sure)
    return {
        "coverage": covered / n,
        "confident_accuracy": sum(r and s for r, s in zip(right, sure, strict=True)) / covered,
        "accuracy_fallback_wrong": sum(r and s for r, s in zip(right, sure, strict=True)) / n,
        "cascade_accuracy": sum(r or not s for r, s in zip(right, sure, strict=True)) / n,
        "slot_f1": slot_scores(gold, own)["f1"],
        "cascade_slot_f1": slot_scores(gold, cascade)["f1"],
    }


def test_standard_library_only() -> None:
    """Standard library plus ``structured`` and ``emergency`` (itself standard library only, see
    test_router): the same rules wherever the package runs."""
    imports: set[str] = set()
    for node in ast.walk(ast.parse(RULES_PATH.read_text())):
        if isinstance(node, ast.ImportFrom):
            imports.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            imports.update(alias.name for alias in node.names)
    assert imports <= {
        "__future__", "re", "typing", "collections.abc", "dataclasses", ".structured",
        ".emergency", ".calculations", ".intents", ".router", ".device_commands",
        ".workout_args",
    }  # fmt: skip
    assert type(understand("Log 20 pushups.")) is structured.Extraction


def test_no_pattern_compiled_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pattern is compiled at import: a call never reaches the regex compiler."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"pattern compiled during a call: {args[:1]}")

    monkeypatch.setattr(re, "compile", refuse)
    monkeypatch.setattr(re, "_compile", refuse)
    for name in FILES:
        for item in _utterances(name)[::5]:
            understand(item.text)
    understand("Actually, move it to the evening.", understand("Plan a run for Monday"))


@pytest.mark.parametrize("name", FILES)
def test_accuracy(name: str, record_property: Any) -> None:
    """Trust where confident; the cascade (model on the fallbacks) reaches its targets."""
    scores = _scores(_utterances(name))
    for key, value in scores.items():
        record_property(key, round(value, 4))
    print(name, {key: round(value, 3) for key, value in scores.items()})
    assert scores["confident_accuracy"] >= 0.97
    assert scores["cascade_accuracy"] >= 0.95
    assert scores["cascade_slot_f1"] >= 0.95
    assert scores["coverage"] >= 0.8  # the rules spare the model most turns
    assert scores["accuracy_fallback_wrong"] >= 0.9
    assert scores["slot_f1"] >= 0.95


@pytest.mark.parametrize("name", FILES)
def test_extraction_shape(name: str) -> None:
    """Slots as ``structured.parse`` gives them: known keys, no empty ones, schema values."""
    for item in _utterances(name):
        result = understand(item.text)
        assert isinstance(result, structured.Extraction)
        assert result.intent in structured.INTENTS
        assert result.valid
        assert 0 <= result.confidence <= 1
        assert set(result.slots) <= set(SLOT_KEYS)
        assert all(value not in (None, [], "") for value in result.slots.values())
        SLOT_RULES.slots(item.text, result.slots)  # raises on a value outside the schema
        types = result.slots.get("types", [])
        assert len(types) == len(set(types))


def test_the_morning_sentence() -> None:
    """Several slots in free order in one long sentence."""
    result = understand(
        "ATLAS, prepare my morning workout for Monday. Check Garmin for recovery, my shoulder "
        "is sore, include yoga and calisthenics."
    )
    assert result.intent == "prepare_workout"
    assert result.confidence >= CONFIDENT
    assert result.slots["day"] == "monday"
    assert result.slots["time_of_day"] == "morning"
    assert result.slots["injury"] == "shoulder"
    assert result.slots["types"] == ["yoga", "calisthenics"]
    assert result.slots["data_source"] == "garmin"
    assert list(result.slots) == list(SLOT_KEYS)


@pytest.mark.parametrize(
    "dialogue", load_dialogues(DATA / "eval_dialogues.jsonl", SLOT_RULES), ids=lambda d: d.name
)
def test_dialogue_follow_ups(dialogue: Any) -> None:
    """Each turn with the previous turn's extraction as ``context`` meets its ``expect``."""
    context = None
    for turn in dialogue.turns:
        context = understand(turn.user, context)
        assert not expectation_met(turn.expect, context.intent, context.slots), turn.user


def test_follow_up_edits() -> None:
    """A follow-up keeps what it does not change; "add" extends the types, negation drops."""
    first = understand("Give me a strength session for Monday evening, my knee is sore.")
    assert first.slots == {"day": "monday", "time_of_day": "evening", "types": ["strength"],
                           "injury": "knee"}  # fmt: skip
    moved = understand("Actually, make it Tuesday instead of Monday.", first)
    assert moved.intent == "prepare_workout"
    assert moved.confidence >= CONFIDENT
    assert moved.slots["day"] == "tuesday"
    added = understand("Add some yoga too.", moved)
    assert added.slots["types"] == ["strength", "yoga"]
    swapped = understand("Swap it for a swim.", added)
    assert swapped.slots["types"] == ["swimming"]
    healed = understand("My knee is fine now, no yoga.", added)
    assert "injury" not in healed.slots
    assert healed.slots["types"] == ["strength"]
    new_topic = understand("What's the weather like tomorrow?", first)
    assert new_topic.intent == "quick_answer"
    assert new_topic.slots == {"day": "tomorrow"}  # a new request carries nothing over
    next_plan = understand("Plan a run for Friday morning.", first)
    assert next_plan.slots == {"day": "friday", "time_of_day": "morning", "types": ["running"],
                               "injury": "knee"}  # fmt: skip
    unsure = Extraction("chat", {}, 0.3)
    assert understand("Make it longer.", unsure).confidence < CONFIDENT
    invalid = Extraction("chat", valid=False)
    assert understand("Log 20 pushups.", invalid) == understand("Log 20 pushups.")


def test_follow_up_without_context_is_unsure() -> None:
    """Without the previous turn a bare edit is not forced into an intent."""
    for text in ("Actually, move it to the evening.", "Make it 25 minutes.", "What about Friday?"):
        assert understand(text).confidence < CONFIDENT, text


@pytest.mark.parametrize(
    "text",
    [
        "What's the best time of day to exercise?",
        "Why do my muscles get sore after a workout?",
        "Tell me about the history of yoga.",
        "Is running better than cycling for weight loss?",
        "How does HIIT burn fat?",
        "What should I eat after a workout?",
        "Explain progressive overload to me.",
        "Should I do cardio before or after weights?",
        "What muscles do pull-ups work?",
        "Who won the football last night?",
        "I want to get fitter this year.",
    ],
)
def test_open_questions_fall_through(text: str) -> None:
    """Open questions are not forced into a skill intent: low confidence, for the model."""
    result = understand(text)
    assert result.confidence < CONFIDENT or result.intent in {"chat", "health_question"}, result


@pytest.mark.parametrize(
    ("text", "injury"),
    [
        ("my shoulder is sore", "shoulder"),
        ("sore shoulder today, go easy", "shoulder"),
        ("I tweaked my knee yesterday", "knee"),
        ("plan a run, my ankle's a bit dodgy", "ankle"),
        ("I pulled something in my lower back", "back"),
        ("bad wrist, no pushups please", "wrist"),
        ("Unlock the back door.", None),
        ("Is my HRV back to normal?", None),
        ("I want to get back into swimming.", None),
        ("Log today's yoga, my hip felt fine.", None),
        ("No knee pain at all today.", None),
        ("Add some shoulder presses to the session.", None),
    ],
)
def test_injury(text: str, injury: str | None) -> None:
    """Body parts the user reports or protects; not other uses of the word, not negated."""
    assert understand(text).slots.get("injury") == injury


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("log twenty press-ups and a 5k jog", {"types": ["calisthenics", "running"]}),
        ("plan a workout without running for friday", {"day": "friday"}),
        ("Not Monday, let's do Wednesday night.", {"day": "wednesday", "time_of_day": "night"}),
        ("a cycling interval workout", {"types": ["cycling", "hiit"]}),
        ("an interval session", {"types": ["hiit"]}),
        ("Log 50 bodyweight squats", {"types": ["calisthenics"]}),
        ("ten sets of squats and a spin class", {"types": ["strength", "cycling"]}),
        (
            "sync my run from my watch before work",
            {"time_of_day": "morning", "types": ["running"], "data_source": "garmin"},
        ),
        ("how's my body battery tonight", {"time_of_day": "night", "data_source": "garmin"}),
        ("Good morning ATLAS!", {}),
        ("Can I still walk on it?", {}),
    ],
)
def test_slots(text: str, expected: dict[str, Any]) -> None:
    """Everyday words, weak words, negation and non-slot uses of slot words."""
    assert understand(text).slots == expected


def test_combine_takes_the_models_intent_and_keeps_the_rules_slots() -> None:
    """An unsure turn in a dialogue: the model names the intent; carried slots are not lost."""
    previous = understand("I want a strength workout on Monday, but my shoulder is injured.")
    text = "Which exercises are you going to include?"
    ruled = understand(text, previous)
    assert ruled.confidence < CONFIDENT
    assert ruled.slots["day"] == "monday"
    # A small model drops what earlier turns said and invents a day the turn does not name.
    modelled = Extraction("prepare_workout", {"day": "today", "types": ["mobility"]}, 0.9)
    chosen = rules.combine(text, ruled, modelled)
    assert (chosen.intent, chosen.confidence, chosen.valid) == ("prepare_workout", 0.9, True)
    assert chosen.slots == ruled.slots
    assert chosen.slots["injury"] == "shoulder"


def test_combine_fills_an_empty_slot_only_with_a_value_the_turn_says() -> None:
    text = "Thanks, that yoga was great today."
    ruled = Extraction("chat", {}, 0.3)
    modelled = Extraction(
        "chat",
        {"day": "today", "time_of_day": "morning", "types": ["yoga", "swimming"],
         "injury": "wrist", "data_source": "garmin"},
        0.9,
    )  # fmt: skip
    assert rules.combine(text, ruled, modelled).slots == {"day": "today", "types": ["yoga"]}


def test_combine_leaves_an_invalid_answer_for_the_router() -> None:
    invalid = Extraction("chat", {}, 0.0, valid=False)
    assert rules.combine("hm", Extraction("chat", {"day": "monday"}, 0.3), invalid) is invalid
