"""The labelled data of ``atlas-eval models``: single utterances and scripted dialogues.

Utterances (``tests/data/eval_utterances.jsonl``), one JSON object a line::

    {"text": "Remind me to stretch tomorrow evening.", "intent": "set_reminder",
     "slots": {"day": "tomorrow", "time_of_day": "evening", "types": ["stretching"]},
     "route": "local", "safety": false}

``slots`` lists the slots the utterance mentions; the others count as ``null`` (``types``:
``[]``). ``route`` is ``local`` or ``cloud``; ``safety`` (default false) marks a turn the router
must send to the cloud for safety. Dialogues (``tests/data/eval_dialogues.jsonl``)::

    {"name": "...", "turns": [{"user": "...", "expect": {"day": "monday", "injury": "shoulder"}},
                              ...]}

``expect`` holds the slots (and optionally the ``intent``) the structured pass must report for
that turn, given the earlier user turns as context: what the turn says plus what carries over.
Every value is checked against the enums of the agent's ``structured.SCHEMA``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .route import LABELS, DatasetError, jsonl_objects

DATA_DIR = Path(__file__).resolve().parents[1] / "tests" / "data"
UTTERANCES = DATA_DIR / "eval_utterances.jsonl"
DIALOGUES = DATA_DIR / "eval_dialogues.jsonl"
SLOTS = ("day", "time_of_day", "types", "injury", "data_source")


@dataclass(frozen=True)
class Utterance:
    """One labelled single-turn utterance."""

    line: int
    text: str
    intent: str
    slots: dict[str, Any]
    route: str
    safety: bool


@dataclass(frozen=True)
class Turn:
    """One scripted user turn and what the structured pass must report for it."""

    user: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class Dialogue:
    """A scripted multi-turn dialogue."""

    line: int
    name: str
    turns: tuple[Turn, ...]


class SlotRules:
    """Valid intents and slot values, read from the agent's JSON schema."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        props = schema["properties"]
        self.intents = tuple(props["intent"]["enum"])
        self.values = {
            name: tuple(v for v in props[name]["enum"] if v is not None)
            for name in SLOTS
            if name != "types"
        }
        self.types = tuple(props["types"]["items"]["enum"])
        self.max_types = int(props["types"].get("maxItems", len(self.types)))

    def slots(self, where: str, raw: object, *, allow_intent: bool = False) -> dict[str, Any]:
        """Validate a slot object; the result has every slot (``None``/``[]`` when absent)."""
        if not isinstance(raw, dict):
            raise DatasetError(f"{where}: slots must be a JSON object")
        allowed = {*SLOTS, "intent"} if allow_intent else set(SLOTS)
        if unknown := sorted(raw.keys() - allowed):
            raise DatasetError(f"{where}: unknown slot {unknown[0]!r}")
        if allow_intent and "intent" in raw:
            self.intent(where, raw["intent"])
        slots: dict[str, Any] = {name: None for name in SLOTS} | {"types": []}
        for name, value in raw.items():
            if name == "intent":
                continue
            if name == "types":
                ok = isinstance(value, list) and len(value) == len(set(value))
                if not ok or not all(v in self.types for v in value):
                    raise DatasetError(f"{where}: types must be distinct values of {self.types}")
                if len(value) > self.max_types:
                    raise DatasetError(f"{where}: more than {self.max_types} types")
            elif value is not None and value not in self.values[name]:
                raise DatasetError(f"{where}: {name} {value!r} is not one of {self.values[name]}")
            slots[name] = value
        return slots

    def intent(self, where: str, value: object) -> str:
        """Validate an intent label."""
        if value not in self.intents:
            raise DatasetError(f"{where}: intent {value!r} is not one of the agent's intents")
        return str(value)


def _text(where: str, value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f'{where}: "{key}" must be a non-empty string')
    return value


def load_utterances(path: Path, rules: SlotRules) -> list[Utterance]:
    """Parse and validate the utterance file."""
    items = []
    for _number, where, item in jsonl_objects(path):
        label, safety = item.get("route"), item.get("safety", False)
        if label not in LABELS:
            raise DatasetError(f'{where}: "route" must be "local" or "cloud", not {label!r}')
        if not isinstance(safety, bool) or (safety and label != "cloud"):
            raise DatasetError(f'{where}: "safety" must be a boolean, true only on cloud lines')
        items.append(
            Utterance(
                line=int(where.rsplit(":", 1)[1]),
                text=_text(where, item.get("text"), "text"),
                intent=rules.intent(where, item.get("intent")),
                slots=rules.slots(where, item.get("slots")),
                route=str(label),
                safety=safety,
            )
        )
    if not items:
        raise DatasetError(f"{path}: no utterances")
    return items


def load_dialogues(path: Path, rules: SlotRules) -> list[Dialogue]:
    """Parse and validate the dialogue file."""
    dialogues = []
    for _number, where, item in jsonl_objects(path):
        raw_turns = item.get("turns")
        if not isinstance(raw_turns, list) or len(raw_turns) < 2:
            raise DatasetError(f'{where}: "turns" must be a list of at least two turns')
        turns = []
        for index, raw in enumerate(raw_turns, 1):
            at = f"{where} turn {index}"
            if not isinstance(raw, dict) or not isinstance(raw.get("expect"), dict):
                raise DatasetError(f'{at}: a turn is {{"user": ..., "expect": {{...}}}}')
            expect = raw["expect"]
            if not expect:
                raise DatasetError(f'{at}: "expect" must name at least one slot')
            rules.slots(at, expect, allow_intent=True)
            turns.append(Turn(_text(at, raw.get("user"), "user"), dict(expect)))
        name = _text(where, item.get("name"), "name")
        dialogues.append(Dialogue(int(where.rsplit(":", 1)[1]), name, tuple(turns)))
    if not dialogues:
        raise DatasetError(f"{path}: no dialogues")
    return dialogues


def spread(utterances: list[Utterance], limit: int | None) -> list[Utterance]:
    """The first ``limit`` utterances taken round-robin over intents (all when ``None``).

    A quick ``--limit`` run then still sees as many intents as it can.
    """
    if limit is None or limit >= len(utterances):
        return utterances
    seen: dict[str, int] = {}
    ranked = []
    for item in utterances:
        seen[item.intent] = seen.get(item.intent, 0) + 1
        ranked.append((seen[item.intent], item.line, item))
    return [item for _, _, item in sorted(ranked, key=lambda r: r[:2])[: max(0, limit)]]
