"""``atlas-eval models``: metrics, the cascade, the labelled data and a real run on SmolLM2."""

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
from atlas_eval.agent_modules import Agent, Info, Rules, load_agent, load_rules
from atlas_eval.eval_data import (
    DIALOGUES,
    UTTERANCES,
    Dialogue,
    SlotRules,
    Turn,
    Utterance,
    load_dialogues,
    load_utterances,
    spread,
)
from atlas_eval.models import (
    FRESH_UTTERANCES,
    Data,
    PassResult,
    StageTurn,
    Understood,
    by_rules,
    cascade,
    cascade_turn,
    dialogue_context,
    evaluate,
    evaluate_rules,
    format_table,
    latency,
    stage_scores,
    structured_pass,
)
from atlas_eval.route import DatasetError, load_router
from custom_components.atlas.agent import intent_rules, structured

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


# --- the cascade ----------------------------------------------------------------------------


def answer(intent: str, confidence: float = 0.9, **slots: Any) -> str:
    """A schema-valid structured-pass answer."""
    empty: dict[str, Any] = {name: None for name in ("day", "time_of_day", "injury", "data_source")}
    return json.dumps({"intent": intent, **empty, "types": [], "confidence": confidence} | slots)


def passed(agent: Agent, content: str, total_ms: float, ttft_ms: float | None = 10.0) -> PassResult:
    valid = metrics.schema_valid(content, agent.schema)
    return PassResult(content, valid, agent.parse(content), ttft_ms, total_ms)


def fixed_rules(agent: Agent, answers: dict[str, tuple[str, float, dict[str, Any]]]) -> Rules:
    """Rules that answer ``text -> (intent, confidence, slots)``; a follow-up keeps the context."""

    def understand(text: str, context: Any = None) -> Any:
        intent, confidence, slots = answers[text]
        if context is not None and intent == "keep":
            return agent.parse(answer(context.intent, confidence, **(context.slots | slots)))
        return agent.parse(answer(intent, confidence, **slots))

    return Rules(understand=understand, confident=0.8, combine=load_rules().combine)


def utterance(line: int, text: str, intent: str, route: str = "local", **slots: Any) -> Utterance:
    full: dict[str, Any] = {
        "day": None,
        "time_of_day": None,
        "types": [],
        "injury": None,
        "data_source": None,
    }
    return Utterance(line, text, intent, full | slots, route, False)


def test_load_rules_and_the_agents_context_window() -> None:
    rules = load_rules()
    assert rules.confident == 0.8
    ruled = rules.understand("Remind me to stretch tomorrow evening.", None)
    assert (ruled.intent, ruled.confidence >= rules.confident) == ("set_reminder", True)
    assert ruled.slots == {"day": "tomorrow", "time_of_day": "evening", "types": ["stretching"]}
    assert load_agent().context_turns == 2  # structured.STRUCTURED_CONTEXT_TURNS
    # The evaluation's cascade is the agent's own: the same functions, not copies.
    assert rules.understand is intent_rules.understand
    assert rules.combine is intent_rules.combine
    assert load_agent().build_request is structured.build_request


def test_cascade_turn_takes_the_model_only_below_confident(agent: Agent) -> None:
    rules = fixed_rules(agent, {"sure": ("log_workout", 0.8, {}), "unsure": ("chat", 0.3, {})})
    model = passed(agent, answer("quick_answer", 0.7), total_ms=900.0)
    sure = by_rules(rules, "sure")
    assert cascade_turn("sure", sure, rules, model) is sure  # at CONFIDENT: the rules, no model
    assert cascade_turn("sure", sure, rules, None) is sure
    assert sure.by == "rules"
    assert 0 <= sure.total_ms < 50
    unsure = Understood(rules.understand("unsure", None), 0.25)
    chosen = cascade_turn("unsure", unsure, rules, model)
    assert chosen.by == "model"
    assert chosen.model is model
    assert chosen.extraction.intent == "quick_answer"
    assert chosen.total_ms == 900.25  # the rules ran first
    with pytest.raises(ValueError, match="needs the model"):
        cascade_turn("unsure", unsure, rules, None)


def test_latency_mean_and_nearest_rank_percentiles() -> None:
    assert latency([0.05, 0.04, 1000.05, 0.06]) == {
        "n": 4, "mean": 250.05, "p50": 0.05, "p95": 1000.05
    }  # fmt: skip
    assert latency([]) == {"n": 0, "mean": None, "p50": None, "p95": None}


def test_stage_scores_count_what_reached_the_model(agent: Agent) -> None:
    route = load_router()
    utterances = [
        utterance(1, "Log 20 pushups", "log_workout", types=["calisthenics"]),
        utterance(2, "What is a burpee?", "quick_answer"),
        utterance(3, "Turn off the lights", "device_control"),
        utterance(4, "Hmm", "chat"),
    ]

    def ruled(content: str) -> Understood:
        return Understood(agent.parse(content), 0.1)

    def asked(content: str, total_ms: float, ttft_ms: float | None = 10.0) -> Understood:
        result = passed(agent, content, total_ms, ttft_ms)
        return Understood(result.extraction, total_ms + 0.1, result)  # the rules ran first

    understood = [
        ruled(answer("log_workout", 0.9, types=["calisthenics"])),
        asked(answer("quick_answer", 0.9), 1000.0),
        asked("not json", 2000.0, None),
        ruled(answer("chat", 0.9, day="monday")),
    ]
    assert [item.by for item in understood] == ["rules", "model", "model", "rules"]
    turns = [
        StageTurn(1, {"intent": "prepare_workout", "day": "monday"},
                  ruled(answer("prepare_workout", 0.9, day="monday"))),
        StageTurn(2, {"day": "monday", "types": ["yoga"]},
                  asked(answer("prepare_workout", 0.9, day="monday"), 500.0)),
    ]  # fmt: skip
    scores = stage_scores(
        utterances, understood, turns, route=route, n_ctx=4096, intents=agent.intents
    )
    assert scores["utterances"] == 4
    assert scores["model_calls"] == {
        "utterances": 2, "share": 0.5, "dialogue_turns": 1, "dialogue_share": 0.5
    }  # fmt: skip
    assert scores["schema_valid"] == {"n": 2, "true": 1, "rate": 0.5}  # model answers only
    assert (scores["intent"]["correct"], scores["intent"]["accuracy"]) == (3, 0.75)
    assert (scores["slots"]["tp"], scores["slots"]["fp"], scores["slots"]["fn"]) == (1, 1, 0)
    assert scores["routing"]["cascade"]["correct"] == 3  # the invalid pass goes to the cloud
    assert scores["routing"]["text_only"]["correct"] == 4
    assert scores["coherence"] == {
        "dialogues": 1, "turns": 1, "coherent": 0, "rate": 0.0, "item_recall": 0.5,
        "opening_rate": 1.0,
    }  # fmt: skip
    assert scores["latency_ms"]["total"] == {"n": 4, "mean": 750.1, "p50": 0.1, "p95": 2000.1}
    assert scores["latency_ms"]["ttft"] == {"n": 1, "p50": 10.0, "p95": 10.0}
    assert scores["errors"] == 0


class ScriptedClient:
    """Answers each structured pass by the text of its ``Now:`` line; records the user turns."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.users: list[str] = []

    async def async_describe(self) -> Info:
        raise NotImplementedError

    async def async_chat(self, request: dict[str, Any]) -> AsyncIterator[FakeEvent]:
        user = request["messages"][-1]["content"]
        self.users.append(user)
        text = user.rsplit("\nNow: ", 1)[-1]
        content = self.answers.get(text, answer("chat", 0.5))
        yield FakeEvent("delta", {"content": content[:3]})
        yield FakeEvent("stop", {"content": content})


class FakeInfo:
    model = "fake"
    n_ctx = 4096
    extension: dict[str, Any] = {}


def test_evaluate_runs_the_three_stages_as_the_agent_does(agent: Agent) -> None:
    rules = fixed_rules(agent, {
        "Log 20 pushups": ("log_workout", 0.9, {"types": ["calisthenics"]}),
        "What is a burpee?": ("chat", 0.3, {}),
        "Turn off the lights": ("device_control", 0.9, {}),
        "Plan yoga on Monday": ("prepare_workout", 0.9, {"day": "monday", "types": ["yoga"]}),
        "Make it shorter": ("keep", 0.85, {}),
        "And the evening?": ("keep", 0.6, {"time_of_day": "evening"}),
        "Sounds good": ("keep", 0.85, {}),
    })  # fmt: skip
    client = ScriptedClient({
        "Log 20 pushups": answer("log_workout", 0.9),  # the model misses the type
        "What is a burpee?": answer("quick_answer", 0.9),
        "Turn off the lights": answer("chat", 0.9),
        "Plan yoga on Monday": answer("prepare_workout", 0.9, day="monday"),
        "And the evening?": answer("prepare_workout", 0.9, time_of_day="evening"),
    })  # fmt: skip
    utterances = [
        utterance(1, "Log 20 pushups", "log_workout", types=["calisthenics"]),
        utterance(2, "What is a burpee?", "quick_answer"),
        utterance(3, "Turn off the lights", "device_control"),
    ]
    dialogue = Dialogue(1, "yoga", (
        Turn("Plan yoga on Monday", {"intent": "prepare_workout", "day": "monday"}),
        Turn("Make it shorter", {"day": "monday", "types": ["yoga"]}),
        Turn("And the evening?", {"day": "monday", "time_of_day": "evening"}),
        Turn("Sounds good", {"day": "monday"}),
    ))  # fmt: skip
    data = Data(utterances, utterances[:2], [dialogue], {id(utterances[0]): "a.jsonl"})
    route = load_router()
    report = asyncio.run(evaluate(agent, client, FakeInfo(), route=route, rules=rules, data=data))

    # The model alone: the first two utterances (--model-limit), every dialogue turn.
    assert report["utterances"] == 2
    assert report["model_calls"]["utterances"] == 2
    assert report["intent"]["accuracy"] == 1.0
    assert report["slots"]["fn"] == 1
    assert [r["by"] for r in report["results"]] == ["model", "model"]
    assert report["results"][0]["file"] == "a.jsonl"
    assert (report["results"][0]["route_label"], report["results"][0]["route"]) == ("local",) * 2
    assert report["results"][0]["route_reason"]
    # Dialogue context: the two earlier user turns (entity.STRUCTURED_CONTEXT_TURNS), one a line.
    assert client.users[0] == "Hello there."  # the warm-up
    assert client.users[-1] == "Earlier: Make it shorter\nAnd the evening?\nNow: Sounds good"
    # Each distinct request once: warm-up, 2 utterances, 4 turns, then the cascade's one extra.
    assert report["requests"] == 2 + 4 + 0
    assert len(client.users) == 1 + 2 + 4

    both = report["cascade"]
    assert both["utterances"] == 3
    assert [r["by"] for r in both["results"]] == ["rules", "model", "rules"]
    assert both["model_calls"] == {
        "utterances": 1, "share": round(1 / 3, 4), "dialogue_turns": 1, "dialogue_share": 0.25
    }  # fmt: skip
    assert both["intent"]["accuracy"] == 1.0
    assert both["slots"]["f1"] == 1.0
    # Turn 3 went to the model (rules at 0.6), which dropped Monday: the cascade keeps the rules'
    # carried slots (intent_rules.combine), so turns 3 and 4 still have it.
    assert [t["by"] for t in both["dialogue_results"]] == ["rules", "rules", "model", "rules"]
    assert both["dialogue_results"][2]["missing"] == []
    assert both["dialogue_results"][3]["slots"] == {
        "day": "monday", "time_of_day": "evening", "types": ["yoga"]
    }  # fmt: skip
    assert (both["coherence"]["turns"], both["coherence"]["coherent"]) == (3, 3)
    burpee = both["results"][1]
    assert burpee["total_ms"] >= report["results"][1]["total_ms"]  # rules + the same pass
    assert report["coherence"]["coherent"] == 0  # the model alone never says Monday again

    rules_only = evaluate_rules(rules, data, route=route, intents=agent.intents)
    assert rules_only["model_calls"]["utterances"] == 0
    assert rules_only["schema_valid"]["n"] == 0
    assert rules_only["intent"]["accuracy"] == round(2 / 3, 4)  # "chat" for the burpee
    assert rules_only["coherence"]["coherent"] == 3
    assert rules_only["latency_ms"]["ttft"]["n"] == 0
    assert rules_only["latency_ms"]["total"]["p95"] < 50


def stage(accuracy: float, calls: int = 4, valid: int = 4) -> dict[str, Any]:
    """The parts of one stage the table reads."""
    prf = {"precision": 0.5, "recall": 0.25, "f1": 0.3333}
    routing = {"accuracy": 0.9, "safety_lines": 2, "safety_to_cloud": 2, "safety_recall": 1.0}
    return {
        "utterances": 4,
        "model_calls": {"utterances": calls, "share": calls / 4, "dialogue_turns": 1,
                        "dialogue_share": 0.25},
        "schema_valid": {"n": valid, "true": valid, "rate": 1.0 if valid else None},
        "intent": {"accuracy": accuracy,
                   "per_intent": {"chat": {"n": 4, "accuracy": accuracy}}},
        "slots": prf, "routing": {"cascade": routing, "text_only": {"accuracy": 1.0}},
        "coherence": {"rate": 0.25, "coherent": 1, "turns": 4, "item_recall": 0.5,
                      "opening_rate": None},
        "latency_ms": {"ttft": {"p50": 80.4, "p95": 120.0},
                       "total": {"mean": 700.0, "p50": 1500, "p95": None}},
        "errors": 0,
    }  # fmt: skip


def report(model: str, accuracy: float) -> dict[str, Any]:
    """A model's report: the model alone at the top, its cascade below."""
    return {"target": model, "model": model, "elapsed_s": 12.3, **stage(accuracy),
            "cascade": stage(1.0, calls=1, valid=1)}  # fmt: skip


def test_format_table_puts_the_stages_side_by_side() -> None:
    rules = stage(0.75, calls=0, valid=0)
    rules["latency_ms"] = {"ttft": {"p50": None, "p95": None},
                           "total": {"mean": 0.052, "p50": 0.044, "p95": 0.083}}  # fmt: skip
    table = format_table(
        [report("gemma-3-270m", 0.25), report("qwen3-4b", 1.0), {"target": "x", "error": "boom"}],
        rules,
    )
    cells = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()[2:-1]]
    rows = {name: values for name, *values in cells}
    assert table.splitlines()[0].split() == [
        "metric", "rules", "gemma-3-270m", "rules+gemma-3-270m", "qwen3-4b", "rules+qwen3-4b", "x"
    ]  # fmt: skip
    assert rows["reached the model"] == [
        "0 (0.000)", "4 (1.000)", "1 (0.250)", "4 (1.000)", "1 (0.250)", "error"
    ]  # fmt: skip
    assert rows["schema-valid JSON"] == [
        "n/a", "1.000 (4/4)", "1.000 (1/1)", "1.000 (4/4)", "1.000 (1/1)", "error"
    ]  # fmt: skip
    assert rows["intent accuracy"] == ["0.750", "0.250", "1.000", "1.000", "1.000", "error"]
    assert rows["safety recall"][1:] == ["1.000 (2/2)"] * 4 + ["error"]
    assert rows["coherence"][0] == "0.250 (1/4)"
    assert rows["opening turns"][:2] == ["n/a", "n/a"]
    assert rows["latency mean ms"] == ["0.05", "700", "700", "700", "700", "error"]
    assert rows["latency p50/p95 ms"][:2] == ["0.04/0.08", "1500/n/a"]
    assert rows["TTFT p50/p95 ms"][:2] == ["n/a/n/a", "80/120"]
    assert rows["wall time s"] == ["-", "12", "-", "12", "-", "error"]
    assert rows["intent chat"][:3] == ["0.750 (4)", "0.250 (4)", "1.000 (4)"]
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
def test_embedded_smollm2_end_to_end(tmp_path: Path) -> None:
    """Ten utterances and one dialogue against a real atlas-llm on the embedded SmolLM2-135M:
    the rules, the model alone (on six of them) and the cascade."""
    out = tmp_path / "report.json"
    result = atlas_eval(
        "models", "--data-dir", DATA_DIR, "--threads", "2", "--limit", "10", "--model-limit", "6",
        "--dialogue-limit", "1", "--json", out, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "atlas-llm stopped (0)" in result.stderr  # SIGTERM ended it cleanly
    document = json.loads(out.read_text())
    assert document["utterances_files"] == [str(UTTERANCES), str(FRESH_UTTERANCES)]
    assert (document["limit"], document["model_limit"]) == (10, 6)
    rules = document["rules"]
    assert rules["utterances"] == 10
    assert rules["model_calls"]["utterances"] == 0
    assert len({item["intent"] for item in rules["results"]}) == 10  # round-robin over intents
    assert {item["file"] for item in rules["results"]} == {"eval_utterances.jsonl"}
    assert rules["latency_ms"]["total"]["p95"] < 50  # microseconds, not a model
    [model] = document["models"]
    assert model["model"] == "smollm2-135m"
    assert model["utterances"] == 6
    assert model["model_calls"] == {"utterances": 6, "share": 1.0, "dialogue_turns": 5,
                                    "dialogue_share": 1.0}  # fmt: skip
    assert model["schema_valid"] == {"n": 6, "true": 6, "rate": 1.0}  # the grammar's promise
    assert model["errors"] == 0
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
    total, ttft = model["latency_ms"]["total"], model["latency_ms"]["ttft"]
    assert (total["n"], ttft["n"]) == (6, 6)
    assert 0 < ttft["p50"] <= ttft["p95"] <= total["p95"]
    assert 0 < total["p50"] <= total["p95"]

    both = model["cascade"]
    assert both["utterances"] == 10
    by_line = {item["line"]: item for item in rules["results"]}
    for item in both["results"]:  # the model exactly where the rules are below CONFIDENT
        ruled = by_line[item["line"]]
        assert (item["by"] == "model") == (ruled["confidence"] < both["confident"])
        if item["by"] == "rules":
            assert (item["predicted_intent"], item["slots"]) == (
                ruled["predicted_intent"], ruled["slots"]
            )  # fmt: skip
        else:
            assert item["schema_valid"] is True
            assert item["total_ms"] > 0
    calls = both["model_calls"]
    assert calls["utterances"] == sum(item["by"] == "model" for item in both["results"])
    assert both["schema_valid"]["n"] == calls["utterances"]
    assert both["coherence"]["turns"] == 4
    assert model["requests"] >= 6 + 5  # each distinct request once, the cascade's included

    table = result.stdout
    assert table.splitlines()[0].split() == ["metric", "rules", "smollm2-135m",
                                             "rules+smollm2-135m"]  # fmt: skip
    for row in ("reached the model", "schema-valid JSON", "intent accuracy", "slot F1",
                "routing accuracy", "safety recall", "coherence", "latency mean ms",
                "latency p50/p95 ms", "TTFT p50/p95 ms"):  # fmt: skip
        assert row in table
