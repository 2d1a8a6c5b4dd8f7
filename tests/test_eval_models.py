"""``atlas-eval models``: metrics, the labelled data and a real run on the embedded Gemma."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from atlas_eval import metrics
from atlas_eval.agent_modules import Agent, Info, load_agent
from atlas_eval.eval_data import (
    DIALOGUES,
    UTTERANCES,
    SlotRules,
    Utterance,
    load_dialogues,
    load_utterances,
    spread,
)
from atlas_eval.models import cascade, dialogue_context, format_table, structured_pass
from atlas_eval.route import DatasetError, load_router

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("ATLAS_TEST_DATA_DIR", REPO / ".atlas-data"))


@pytest.fixture(scope="module")
def agent() -> Agent:
    return load_agent()


@pytest.fixture(scope="module")
def rules(agent: Agent) -> SlotRules:
    return SlotRules(agent.schema)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- metrics -------------------------------------------------------------------------------


def test_slot_pairs_one_per_type_and_none_for_empty_slots() -> None:
    assert metrics.slot_pairs(
        {"day": "monday", "time_of_day": None, "types": ["yoga", "running"], "injury": ""}
    ) == {("day", "monday"), ("types", "yoga"), ("types", "running")}
    assert metrics.slot_pairs({}) == set()


def test_slot_scores_micro_average_and_per_slot() -> None:
    gold = [
        {("day", "monday"), ("types", "yoga"), ("types", "running")},
        set(),
        {("injury", "knee")},
    ]
    predicted = [
        {("day", "monday"), ("types", "yoga"), ("injury", "knee")},
        {("time_of_day", "morning")},
        {("injury", "knee")},
    ]
    scores = metrics.slot_scores(gold, predicted)
    # tp: monday, yoga, knee; fp: knee (line 1), morning; fn: running.
    assert (scores["tp"], scores["fp"], scores["fn"]) == (3, 2, 1)
    assert scores["precision"] == 0.6
    assert scores["recall"] == 0.75
    assert scores["f1"] == round(6 / 9, 4)
    assert scores["per_slot"]["types"] == {
        "tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667
    }  # fmt: skip
    assert scores["per_slot"]["injury"] == {
        "tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0, "f1": 0.6667
    }  # fmt: skip
    assert scores["per_slot"]["data_source"] == {
        "tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None
    }  # fmt: skip


def test_intent_scores_overall_and_per_intent() -> None:
    scores = metrics.intent_scores(
        ["chat", "chat", "log_workout", "set_reminder"],
        ["chat", "log_workout", "log_workout", "chat"],
        ["chat", "log_workout", "set_reminder", "device_control"],
    )
    assert (scores["n"], scores["correct"], scores["accuracy"]) == (4, 2, 0.5)
    assert scores["per_intent"] == {
        "chat": {"n": 2, "correct": 1, "accuracy": 0.5},
        "log_workout": {"n": 1, "correct": 1, "accuracy": 1.0},
        "set_reminder": {"n": 1, "correct": 0, "accuracy": 0.0},
        "device_control": {"n": 0, "correct": 0, "accuracy": None},
    }


def test_routing_scores_count_both_cloud_routes_as_cloud() -> None:
    scores = metrics.routing_scores(
        ["local", "cloud", "cloud", "cloud", "local"],
        ["local", "cloud-simple", "cloud-complex", "local", "cloud-simple"],
        [False, True, False, True, False],
    )
    assert scores == {
        "n": 5, "correct": 3, "accuracy": 0.6,
        "safety_lines": 2, "safety_to_cloud": 1, "safety_recall": 0.5,
    }  # fmt: skip


def test_expectation_met_lists_what_is_missing() -> None:
    slots = {"day": "monday", "types": ["strength", "mobility"], "injury": "shoulder"}
    assert metrics.expectation_met({"day": "monday", "types": ["mobility"]}, "chat", slots) == []
    assert metrics.expectation_met(
        {"intent": "prepare_workout", "day": "tuesday", "injury": "shoulder", "types": ["yoga"]},
        "chat",
        slots,
    ) == ["intent=prepare_workout", "day=tuesday", "types=yoga"]
    assert metrics.expectation_met({"intent": "chat"}, "chat", {}) == []


def test_coherence_scores_follow_up_turns_apart_from_openings() -> None:
    turns = [(1, 3, 2), (2, 2, 2), (3, 3, 1), (4, 1, 1), (5, 2, 0), (1, 2, 2), (2, 1, 1)]
    assert metrics.coherence_scores(turns) == {
        "turns": 5,
        "coherent": 3,
        "rate": 0.6,
        "item_recall": round(5 / 9, 4),
        "opening_rate": 0.5,
    }
    assert metrics.coherence_scores([])["rate"] is None


def test_latency_summary_nearest_rank() -> None:
    summary = metrics.latency_summary([100.0, None, *(float(v) for v in range(10, 100, 10))])
    assert summary == {"n": 10, "p50": 50.0, "p95": 100.0}
    assert metrics.latency_summary([None]) == {"n": 0, "p50": None, "p95": None}


def test_share() -> None:
    assert metrics.share([True, False, True, True]) == {"n": 4, "true": 3, "rate": 0.75}
    assert metrics.share([]) == {"n": 0, "true": 0, "rate": None}


def test_schema_valid_uses_the_agents_schema(agent: Agent) -> None:
    good: dict[str, Any] = {"intent": "chat", "day": None, "time_of_day": None, "types": [],
                            "injury": None, "data_source": None, "confidence": 0.5}  # fmt: skip
    assert metrics.schema_valid(json.dumps(good), agent.schema)
    assert not metrics.schema_valid(json.dumps({**good, "day": "someday"}), agent.schema)
    assert not metrics.schema_valid(json.dumps({**good, "confidence": 1.5}), agent.schema)
    assert not metrics.schema_valid(json.dumps({**good, "extra": 1}), agent.schema)
    assert not metrics.schema_valid('{"intent": "chat"', agent.schema)


# --- the pass, the cascade, the table --------------------------------------------------------


class FakeEvent:
    def __init__(self, kind: str, data: dict[str, Any]) -> None:
        self.kind = kind
        self.data = data


class FakeClient:
    """Answers every chat with ``content`` in two deltas and records the requests."""

    def __init__(self, agent: Agent, content: str, refuse: bool = False) -> None:
        self.agent = agent
        self.content = content
        self.refuse = refuse
        self.requests: list[dict[str, Any]] = []

    async def async_describe(self) -> Info:
        raise NotImplementedError

    async def async_chat(self, request: dict[str, Any]) -> AsyncIterator[FakeEvent]:
        self.requests.append(request)
        if self.refuse:
            raise self.agent.request_error("busy", "queue full")
        yield FakeEvent("start", {})
        yield FakeEvent("delta", {"content": self.content[:5]})
        yield FakeEvent("delta", {"content": self.content[5:]})
        yield FakeEvent("stop", {"content": self.content})


def test_structured_pass_sends_the_agents_request(agent: Agent) -> None:
    content = json.dumps({"intent": "set_reminder", "day": "friday", "time_of_day": None,
                          "types": ["yoga"], "injury": None, "data_source": None,
                          "confidence": 0.8})  # fmt: skip
    client = FakeClient(agent, content)
    result = asyncio.run(structured_pass(agent, client, "And yoga too", "Remind me on Friday"))
    assert client.requests == [agent.build_request("And yoga too", "Remind me on Friday")]
    user = client.requests[0]["messages"][-1]
    assert user == {"role": "user", "content": "Earlier: Remind me on Friday\nNow: And yoga too"}
    assert result.schema_valid
    assert result.extraction.intent == "set_reminder"
    assert result.extraction.slots == {"day": "friday", "types": ["yoga"]}
    assert result.ttft_ms is not None
    assert 0 <= result.ttft_ms <= result.total_ms
    assert result.error is None


def test_structured_pass_counts_a_refused_request_as_invalid(agent: Agent) -> None:
    result = asyncio.run(structured_pass(agent, FakeClient(agent, "", refuse=True), "hi"))
    assert not result.schema_valid
    assert not result.extraction.valid
    assert result.error == "busy: queue full"
    assert result.ttft_ms is None


def test_dialogue_context_is_the_earlier_user_turns() -> None:
    assert dialogue_context([]) is None
    assert dialogue_context(["one", "two"]) == "one\ntwo"


def test_cascade_sends_an_invalid_or_unsure_pass_to_the_cloud(agent: Agent) -> None:
    route = load_router()
    sure = agent.parse(json.dumps({"intent": "device_control", "day": None,
                                   "time_of_day": None, "types": [], "injury": None,
                                   "data_source": None, "confidence": 0.9}))  # fmt: skip
    first, final = cascade(route, "Turn off the lights", sure, 4096)
    assert (first.route, final.route) == ("local", "local")
    first, final = cascade(route, "Turn off the lights", agent.parse("not json"), 4096)
    assert (first.route, final.route) == ("local", "cloud-simple")
    first, final = cascade(route, "My knee hurts when I squat", sure, 4096)
    assert first.route == final.route != "local"


def report(model: str, accuracy: float) -> dict[str, Any]:
    """The parts of a report the table reads."""
    prf = {"precision": 0.5, "recall": 0.25, "f1": 0.3333}
    routing = {"accuracy": 0.9, "safety_lines": 2, "safety_to_cloud": 2, "safety_recall": 1.0}
    return {
        "target": model, "model": model, "utterances": 4, "schema_valid": {"rate": 1.0},
        "intent": {"accuracy": accuracy,
                   "per_intent": {"chat": {"n": 4, "accuracy": accuracy}}},
        "slots": prf, "routing": {"cascade": routing, "text_only": {"accuracy": 1.0}},
        "coherence": {"rate": 0.25, "coherent": 1, "turns": 4, "item_recall": 0.5,
                      "opening_rate": None},
        "latency_ms": {"ttft": {"p50": 80.4, "p95": 120.0}, "total": {"p50": 1500, "p95": None}},
        "errors": 0, "elapsed_s": 12.3,
    }  # fmt: skip


def test_format_table_puts_models_side_by_side() -> None:
    table = format_table(
        [report("gemma-3-270m", 0.25), report("qwen3-4b", 1.0), {"target": "x", "error": "boom"}]
    )
    cells = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()[2:-1]]
    rows = {name: values for name, *values in cells}
    assert table.splitlines()[0].split() == ["metric", "gemma-3-270m", "qwen3-4b", "x"]
    assert rows["schema-valid JSON"] == ["1.000", "1.000", "error"]
    assert rows["intent accuracy"] == ["0.250", "1.000", "error"]
    assert rows["safety recall"] == ["1.000 (2/2)", "1.000 (2/2)", "error"]
    assert rows["coherence"] == ["0.250 (1/4)", "0.250 (1/4)", "error"]
    assert rows["opening turns"] == ["n/a", "n/a", "error"]
    assert rows["TTFT p50/p95 ms"] == ["80/120", "80/120", "error"]
    assert rows["total p50/p95 ms"] == ["1500/n/a", "1500/n/a", "error"]
    assert rows["intent chat (4)"] == ["0.250", "1.000", "error"]
    assert table.splitlines()[-1] == "x: error: boom"


# --- the labelled data -----------------------------------------------------------------------


def test_utterances_cover_every_intent_with_valid_labels(agent: Agent, rules: SlotRules) -> None:
    utterances = load_utterances(UTTERANCES, rules)  # validates every label against SCHEMA
    assert len(utterances) >= 200
    counts = Counter(item.intent for item in utterances)
    assert set(counts) == set(agent.intents)
    assert min(counts.values()) >= 15, counts
    assert len({item.text.lower() for item in utterances}) == len(utterances)
    assert {item.route for item in utterances} == {"local", "cloud"}
    safety = [item for item in utterances if item.safety]
    assert len(safety) >= 15
    assert all(item.route == "cloud" for item in safety)
    assert all(item.safety for item in utterances if item.intent == "health_question")
    for name in ("day", "time_of_day", "injury", "data_source"):  # every slot is exercised
        assert any(item.slots[name] for item in utterances), name
    assert {t for item in utterances for t in item.slots["types"]} == set(rules.types)


def test_dialogues_are_five_scripted_turns(rules: SlotRules) -> None:
    dialogues = load_dialogues(DIALOGUES, rules)  # validates every expectation against SCHEMA
    assert len(dialogues) >= 8
    assert len({dialogue.name for dialogue in dialogues}) == len(dialogues)
    for dialogue in dialogues:
        assert len(dialogue.turns) == 5, dialogue.name
        # Every follow-up turn checks that something expected earlier carries over.
        earlier: set[tuple[str, str]] = set()
        for index, turn in enumerate(dialogue.turns, 1):
            items = metrics.slot_pairs(turn.expect) | {("intent", turn.expect.get("intent", ""))}
            assert index == 1 or earlier & items, f"{dialogue.name} turn {index}"
            earlier |= items - {("intent", "")}


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"text": "x", "intent": "dance", "slots": {}, "route": "local"}', "intent 'dance'"),
        ('{"text": "x", "intent": "chat", "slots": {"day": "someday"}, "route": "local"}',
         "day 'someday'"),
        ('{"text": "x", "intent": "chat", "slots": {"mood": "good"}, "route": "local"}',
         "unknown slot 'mood'"),
        ('{"text": "x", "intent": "chat", "slots": {"types": ["yoga", "yoga"]}, "route": "local"}',
         "distinct"),
        ('{"text": "x", "intent": "chat", "slots": {}, "route": "local", "safety": true}',
         "safety"),
        ('{"text": "", "intent": "chat", "slots": {}, "route": "local"}', '"text"'),
        ('{"text": "x", "intent": "chat", "slots": {}, "route": "moon"}', '"route"'),
    ],
)  # fmt: skip
def test_malformed_utterances_are_rejected(
    tmp_path: Path, rules: SlotRules, line: str, error: str
) -> None:
    with pytest.raises(DatasetError, match=":1: .*" + re.escape(error)):
        load_utterances(write(tmp_path / "u.jsonl", line), rules)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"name": "a", "turns": [{"user": "x", "expect": {"day": "monday"}}]}', "two turns"),
        ('{"name": "a", "turns": [{"user": "x", "expect": {}}, {"user": "y", "expect": {}}]}',
         "at least one slot"),
        ('{"name": "a", "turns": [{"user": "x", "expect": {"intent": "dance"}}, '
         '{"user": "y", "expect": {"day": "monday"}}]}', "intent 'dance'"),
        ('{"name": "a", "turns": [{"user": "x"}, {"user": "y", "expect": {"day": "monday"}}]}',
         "a turn is"),
    ],
)  # fmt: skip
def test_malformed_dialogues_are_rejected(
    tmp_path: Path, rules: SlotRules, line: str, error: str
) -> None:
    with pytest.raises(DatasetError, match=error):
        load_dialogues(write(tmp_path / "d.jsonl", line), rules)


def test_spread_takes_intents_round_robin() -> None:
    items = [
        Utterance(n, f"t{n}", intent, {}, "local", False)
        for n, intent in enumerate(["a", "a", "a", "b", "b", "c"], 1)
    ]
    assert [item.line for item in spread(items, 4)] == [1, 4, 6, 2]
    assert spread(items, None) == items
    assert spread(items, 10) == items


# --- a real run ------------------------------------------------------------------------------


def atlas_eval(*args: str | Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas_eval", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=timeout,
    )


def test_bad_data_exits_2(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "u.jsonl", '{"text": "x", "intent": "dance", "slots": {}, "route": "local"}'
    )
    result = atlas_eval("models", "--utterances", bad, timeout=60)
    assert result.returncode == 2
    assert "intent 'dance'" in result.stderr


@pytest.mark.real_model
def test_embedded_gemma_end_to_end(tmp_path: Path) -> None:
    """Ten utterances and one dialogue against a real atlas-llm on the embedded Gemma 3 270M."""
    out = tmp_path / "report.json"
    result = atlas_eval(
        "models", "--data-dir", DATA_DIR, "--threads", "2", "--limit", "10",
        "--dialogue-limit", "1", "--json", out, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "atlas-llm stopped (0)" in result.stderr  # SIGTERM ended it cleanly
    document = json.loads(out.read_text())
    assert document["limit"] == 10
    [model] = document["models"]
    assert model["model"] == "gemma-3-270m"
    assert model["utterances"] == 10
    assert model["schema_valid"] == {"n": 10, "true": 10, "rate": 1.0}  # the grammar's promise
    assert model["errors"] == 0
    assert len({item["intent"] for item in model["results"]}) == 10  # round-robin over intents
    assert 0 <= model["intent"]["accuracy"] <= 1
    for key in ("precision", "recall", "f1", "tp", "fp", "fn", "per_slot"):
        assert key in model["slots"]
    for kind in ("cascade", "text_only"):
        assert 0 <= model["routing"][kind]["accuracy"] <= 1
        assert "safety_recall" in model["routing"][kind]
    coherence = model["coherence"]
    assert (coherence["dialogues"], coherence["turns"]) == (1, 4)
    assert 0 <= coherence["rate"] <= 1
    assert len(model["dialogue_results"]) == 5
    for kind in ("ttft", "total"):
        latency = model["latency_ms"][kind]
        assert latency["n"] == 10
        assert 0 < latency["p50"] <= latency["p95"]
    assert model["latency_ms"]["ttft"]["p95"] <= model["latency_ms"]["total"]["p95"]
    table = result.stdout
    assert table.splitlines()[0].split() == ["metric", "gemma-3-270m"]
    for row in ("schema-valid JSON", "intent accuracy", "slot F1", "routing accuracy",
                "safety recall", "coherence", "TTFT p50/p95 ms", "total p50/p95 ms"):  # fmt: skip
        assert row in table
