"""Metric functions of ``atlas-eval models``: pure, over labelled and predicted values.

Ratios are rounded to four places and are ``None`` when their denominator is zero.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .eval_data import SLOTS
from .route import percentile, ratio

SlotPair = tuple[str, str]


def share(flags: Sequence[bool]) -> dict[str, Any]:
    """How many of ``flags`` are true, and their share."""
    return {"n": len(flags), "true": sum(flags), "rate": ratio(sum(flags), len(flags))}


def slot_pairs(slots: Mapping[str, Any]) -> set[SlotPair]:
    """The ``(slot, value)`` pairs of one turn: one per type, none for empty slots."""
    pairs: set[SlotPair] = set()
    for name in SLOTS:
        value = slots.get(name)
        if name == "types":
            pairs.update((name, str(item)) for item in value or ())
        elif value not in (None, ""):
            pairs.add((name, str(value)))
    return pairs


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def slot_scores(
    gold: Sequence[set[SlotPair]], predicted: Sequence[set[SlotPair]]
) -> dict[str, Any]:
    """Precision, recall and F1 micro-averaged over slot values, overall and per slot."""
    counts = {name: [0, 0, 0] for name in SLOTS}  # tp, fp, fn
    for want, got in zip(gold, predicted, strict=True):
        for name, _ in want & got:
            counts[name][0] += 1
        for name, _ in got - want:
            counts[name][1] += 1
        for name, _ in want - got:
            counts[name][2] += 1
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {**_prf(*totals), "per_slot": {name: _prf(*c) for name, c in counts.items()}}


def intent_scores(
    gold: Sequence[str], predicted: Sequence[str], intents: Iterable[str]
) -> dict[str, Any]:
    """Accuracy overall and per gold intent (every intent listed, ``n`` 0 when unseen)."""
    per = {intent: [0, 0] for intent in intents}  # n, correct
    for want, got in zip(gold, predicted, strict=True):
        per.setdefault(want, [0, 0])
        per[want][0] += 1
        per[want][1] += want == got
    correct = sum(c for _, c in per.values())
    return {
        "n": len(gold),
        "correct": correct,
        "accuracy": ratio(correct, len(gold)),
        "per_intent": {
            intent: {"n": n, "correct": c, "accuracy": ratio(c, n)}
            for intent, (n, c) in per.items()
        },
    }


def routing_scores(
    labels: Sequence[str], routes: Sequence[str], safety: Sequence[bool]
) -> dict[str, Any]:
    """Routing accuracy (``cloud-*`` counts as ``cloud``) and recall on the safety lines."""
    got = ["local" if route == "local" else "cloud" for route in routes]
    correct = sum(a == b for a, b in zip(labels, got, strict=True))
    safety_lines = sum(safety)
    safety_cloud = sum(flag and g == "cloud" for flag, g in zip(safety, got, strict=True))
    return {
        "n": len(labels),
        "correct": correct,
        "accuracy": ratio(correct, len(labels)),
        "safety_lines": safety_lines,
        "safety_to_cloud": safety_cloud,
        "safety_recall": ratio(safety_cloud, safety_lines),
    }


def expectation_met(expect: Mapping[str, Any], intent: str, slots: Mapping[str, Any]) -> list[str]:
    """What a dialogue turn's ``expect`` asked for and the extraction lacks (empty: all met).

    Scalar slots and the intent must be equal; every expected type must be among the types.
    """
    missing = [f"intent={expect['intent']}"] if expect.get("intent", intent) != intent else []
    have = slot_pairs(slots)
    missing.extend(f"{name}={value}" for name, value in sorted(slot_pairs(expect) - have))
    return missing


def coherence_scores(turns: Sequence[tuple[int, int, int]]) -> dict[str, Any]:
    """Multi-turn coherence from ``(turn index, expected items, items met)`` per turn.

    ``rate``: share of follow-up turns (index ≥ 2, with earlier turns as context) whose
    expectation is fully met; ``item_recall``: share of their expected items present;
    ``opening_rate``: the same as ``rate`` for the first turns, which have no context.
    """
    follow = [(want, met) for index, want, met in turns if index >= 2]
    opening = [(want, met) for index, want, met in turns if index < 2]
    return {
        "turns": len(follow),
        "coherent": sum(met == want for want, met in follow),
        "rate": ratio(sum(met == want for want, met in follow), len(follow)),
        "item_recall": ratio(sum(m for _, m in follow), sum(w for w, _ in follow)),
        "opening_rate": ratio(sum(met == want for want, met in opening), len(opening)),
    }


def latency_summary(values_ms: Iterable[float | None]) -> dict[str, Any]:
    """p50 and p95 (nearest rank) in milliseconds; ``None`` values are left out."""
    ordered = sorted(v for v in values_ms if v is not None)
    if not ordered:
        return {"n": 0, "p50": None, "p95": None}
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 0.5), 1),
        "p95": round(percentile(ordered, 0.95), 1),
    }


def schema_valid(content: str, schema: Mapping[str, Any]) -> bool:
    """Whether ``content`` is one JSON document valid for ``schema``."""
    import jsonschema  # noqa: PLC0415 - the llm extra; only needed when evaluating a model

    try:
        jsonschema.validate(json.loads(content), schema)
    except (json.JSONDecodeError, jsonschema.ValidationError):
        return False
    return True
