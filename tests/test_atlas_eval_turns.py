"""``atlas-eval turns``: its scores on recorded turns, and the command on real Home Assistant.

The command runs as a child process from a directory outside the repository (what the installed
console script does); its world is frozen at Wednesday 11 March 2026, 09:30 in New York, so
nothing here depends on today's date.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from atlas_eval.route import DatasetError
from atlas_eval.turns_data import ToolRun, TurnLine, TurnRecord, load_lines
from atlas_eval.turns_score import (
    expected_due,
    score_line,
    summarise,
    tool_problems,
    words_match,
)
from atlas_eval.world import NOW

REPO = Path(__file__).resolve().parents[1]
TUNING = REPO / "tests" / "data" / "turns_tuning.jsonl"


def line(**fields: Any) -> dict[str, Any]:
    """A data line with the spec's defaults."""
    base: dict[str, Any] = {
        "lang": "en", "slots": {}, "tools": [], "reply_must": [], "reply_must_not": [],
        "clarify": False, "answer": None, "emergency": False,
    }  # fmt: skip
    return base | fields


def write(path: Path, *items: dict[str, Any] | str) -> Path:
    path.write_text(
        "\n".join(i if isinstance(i, str) else json.dumps(i) for i in items) + "\n", "utf-8"
    )
    return path


def parse(tmp_path: Path, **fields: Any) -> TurnLine:
    (parsed,) = load_lines([write(tmp_path / "one.jsonl", line(id="x", **fields))])
    return parsed


def turn(reply: str = "", *, tools: list[ToolRun] | None = None, **trace: Any) -> TurnRecord:
    return TurnRecord(
        "said", "c1", reply, bool(trace.pop("keep_open", False)), trace, tools or [], 0
    )


def reminder(text: str, due: datetime, **args: Any) -> ToolRun:
    result = {"reminder": {"text": text, "due": due.isoformat()}}
    return ToolRun("set_reminder", {"text": text, **args}, result)


# --- scoring, on recorded turns ------------------------------------------------------------------


def test_text_arguments_match_by_content_words() -> None:
    assert words_match("push-ups", "push ups")
    assert words_match("push ups", "pushups")
    assert words_match("run", "running")
    assert words_match("hike", "hiking")
    assert words_match("take the bins out", "Take the bins OUT tonight")
    assert not words_match("take the bins out", "bins")
    assert not words_match("call mum", "call the dentist")


def test_due_times_resolve_against_the_frozen_now() -> None:
    assert expected_due({"in_minutes": 20}, NOW) == NOW + timedelta(minutes=20)
    assert expected_due({"due": {"day": "tomorrow", "time": "07:15"}}, NOW) == NOW.replace(
        day=12, hour=7, minute=15
    )
    # It is Wednesday 09:30: "wednesday at 17:00" is today, "wednesday at 08:00" next week.
    assert expected_due({"due": {"day": "wednesday", "time": "17:00"}}, NOW).day == 11
    assert expected_due({"due": {"day": "wednesday", "time": "08:00"}}, NOW).day == 18
    # Across the change to daylight saving time (8 March), the wall clock is kept.
    assert expected_due({"due": {"day": "monday", "time": "09:00"}}, NOW).hour == 9


def test_tools_in_order_with_key_arguments(tmp_path: Path) -> None:
    expected = parse(
        tmp_path, text="t", intent="prepare_workout",
        tools=[{"tool": "prepare_workout", "args": {"day": "wednesday", "minutes": 20}}],
    ).tools  # fmt: skip
    recovery = ToolRun("recovery_status", {})
    plan = ToolRun("prepare_workout", {"day": "today", "minutes": 20.1})
    assert tool_problems(expected, [recovery, plan], NOW) == []  # recovery first is implied
    assert tool_problems(expected, [plan, plan], NOW)
    (problem,) = tool_problems(
        expected, [ToolRun("prepare_workout", {"day": "today", "minutes": 25})], NOW
    )
    assert "minutes 25" in problem
    # The plan's length the tool applied counts when the call did not say it.
    defaulted = ToolRun("prepare_workout", {}, {"plan": {"day": "2026-03-11", "minutes": 20}})
    assert tool_problems(expected, [defaulted], NOW) == []
    refused = ToolRun("prepare_workout", plan.args, {"error_text": "no"}, error=True)
    assert tool_problems(expected, [refused], NOW) == ["prepare_workout refused: no"]


def test_distances_compare_in_metres_and_cancels_by_what_was_cancelled(tmp_path: Path) -> None:
    swim = parse(
        tmp_path, text="t", intent="log_workout",
        tools=[{"tool": "log_workout", "args": {"exercise": "swim", "distance": 1000,
                                                "distance_unit": "m"}}],
    ).tools  # fmt: skip
    assert not tool_problems(swim, [ToolRun("log_workout", {"exercise": "swimming",
                                                            "distance": 1, "distance_unit": "km"})],
                             NOW)  # fmt: skip
    assert tool_problems(swim, [ToolRun("log_workout", {"exercise": "swimming", "distance": 1000,
                                                        "distance_unit": "mi"})], NOW)  # fmt: skip
    cancel = parse(
        tmp_path, text="t", intent="cancel_reminder",
        tools=[{"tool": "cancel_reminder", "args": {"text": "take the bins out"}}],
    ).tools  # fmt: skip
    by_word = ToolRun(
        "cancel_reminder", {"text": "bins"}, {"cancelled": {"text": "take the bins out"}}
    )
    assert tool_problems(cancel, [by_word], NOW) == []
    wrong = ToolRun("cancel_reminder", {"text": "mum"}, {"cancelled": {"text": "call mum"}})
    assert tool_problems(cancel, [wrong], NOW)


def test_a_clarify_line_asks_first_then_its_answer_runs_the_tool(tmp_path: Path) -> None:
    clarify = parse(
        tmp_path, text="remind me to water the plants", intent="set_reminder",
        tools=[{"tool": "set_reminder", "args": {"text": "water the plants",
                                                 "due": {"day": "today", "time": "17:00"}}}],
        reply_must=[["what time", "when"]], clarify=True, answer="at five pm",
    )  # fmt: skip
    five = NOW.replace(hour=17, minute=0)
    question = turn("What time?", intent="set_reminder", keep_open=True)
    answer = turn("Done.", tools=[reminder("water the plants", five, at="5 pm")])
    right = score_line(clarify, [question, answer], NOW)
    assert right.correct

    closed = turn("What time?", intent="set_reminder")
    assert score_line(clarify, [closed, answer], NOW).reply_problems == [
        "the question did not keep the conversation open"
    ]
    hasty = turn("Done.", intent="set_reminder", keep_open=True,
                 tools=[reminder("water the plants", five, at="5 pm")])  # fmt: skip
    assert not score_line(clarify, [hasty, answer], NOW).tools_ok
    late = turn("Done.", tools=[reminder("water the plants", five + timedelta(hours=1))])
    wrong_time = score_line(clarify, [question, late], NOW)
    assert not wrong_time.correct
    assert wrong_time.tool_problems[0].startswith("set_reminder: due")


def test_replies_emergencies_and_the_summary(tmp_path: Path) -> None:
    emergency = parse(
        tmp_path, text="he collapsed", intent="health_question", reply_must=[["911"]],
        emergency=True, slots={"injury": "back"},
    )  # fmt: skip
    safety_path: dict[str, Any] = {"intent": None, "safety": True}
    late = score_line(emergency, [turn("Stay calm. Call 911.", **safety_path)], NOW)
    assert late.intent_ok
    assert not late.reply_ok  # 911 only in the second sentence
    first = score_line(emergency, [turn("Call 911 now. Stay with him.", **safety_path)], NOW)
    assert first.correct
    assert not first.understood  # the safety path answered before any understanding

    log = parse(
        tmp_path, text="ran 5k", intent="log_workout", slots={"types": ["running"]},
        tools=[{"tool": "log_workout", "args": {"exercise": "run"}}],
        reply_must=[["5"], ["km", "kilomet"]], reply_must_not=["reps"],
    )  # fmt: skip
    ran = ToolRun("log_workout", {"exercise": "running"})
    says_reps = score_line(
        log, [turn("Logged 5 km, 0 reps.", tools=[ran], intent="log_workout",
                   slots={"types": ["running", "walking"]})], NOW,
    )  # fmt: skip
    assert says_reps.reply_problems == ["says 'reps'"]
    assert says_reps.intent_ok
    assert says_reps.tools_ok
    assert not says_reps.correct

    overall = summarise([first, says_reps])["overall"]
    assert overall["answered_correctly"] == {"n": 2, "true": 1, "rate": 0.5}
    assert overall["not_understood"] == 1
    # Slots over the understood line only: running right, walking extra.
    assert (overall["slots"]["tp"], overall["slots"]["fp"], overall["slots"]["fn"]) == (1, 1, 0)
    assert overall["skill_reached_model"] == {"n": 1, "true": 0, "rate": 0.0}


# --- the command --------------------------------------------------------------------------------


def atlas_eval(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas_eval", "turns", *map(str, args)],
        capture_output=True, text=True, check=False, cwd=cwd, timeout=300,
    )  # fmt: skip


TINY = (
    line(id="remind", text="remind me in twenty minutes to stretch", intent="set_reminder",
         slots={"types": ["stretching"]},
         tools=[{"tool": "set_reminder", "args": {"text": "stretch", "in_minutes": 20}}],
         reply_must=[["stretch"]]),
    # Every line starts from the seeded world: the reminder set just before is gone.
    line(id="list", text="list my reminders", intent="list_reminders",
         tools=[{"tool": "list_reminders", "args": {}}], reply_must=[["bins"]],
         reply_must_not=["stretch"]),
    line(id="emergency", text="my dad collapsed and he is not breathing",
         intent="health_question", reply_must=[["911"]], emergency=True),
    # Labelled wrong on purpose: the agent logs the push-ups, so this line must score wrong.
    line(id="mislabelled", text="log twenty push ups", intent="set_reminder",
         tools=[{"tool": "set_reminder", "args": {"text": "push ups", "in_minutes": 5}}],
         reply_must=[["remind"]]),
    line(id="clarify", text="remind me to water the plants", intent="set_reminder",
         tools=[{"tool": "set_reminder", "args": {"text": "water the plants",
                                                  "due": {"day": "today", "time": "17:00"}}}],
         reply_must=[["what time", "when"]], clarify=True, answer="at five pm"),
)  # fmt: skip


def test_turns_through_home_assistant_from_another_directory(tmp_path: Path) -> None:
    data = write(tmp_path / "tiny.jsonl", *TINY)
    result = atlas_eval(tmp_path, "--data", data, "--json", "report.json")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    lines = {d["id"]: d for d in report["lines"]}
    assert report["overall"]["lines"] == len(TINY)

    # The seeded world: the reminders list names the bins (and not the reminder of the line
    # before); the frozen clock: the reminder is due 20 minutes after 09:30.
    for known in ("remind", "list", "emergency"):
        assert lines[known]["correct"], lines[known]
    assert lines["remind"]["turns"][0]["tools"] == [
        {"tool": "set_reminder", "args": {"text": "stretch", "in_minutes": 20}}
    ]
    wrong = lines["mislabelled"]
    assert not wrong["correct"]
    assert wrong["intent"] == {"want": "set_reminder", "got": "log_workout", "ok": False}
    assert not wrong["tools"]["ok"]
    assert report["failures"][0] == "mislabelled"

    clarify = lines["clarify"]
    question, answer = clarify["turns"]
    assert answer["text"] == "at five pm"
    assert answer["conversation_id"] == question["conversation_id"]
    right = clarify["intent"]["ok"] and question["continue_conversation"] and not question["tools"]
    assert clarify["correct"] == (right and clarify["tools"]["ok"] and clarify["reply"]["ok"])

    correct = sum(d["correct"] for d in report["lines"])
    assert report["overall"]["answered_correctly"]["true"] == correct
    assert f"| answered correctly | {correct / len(TINY):.3f} ({correct}/{len(TINY)}) |" in (
        result.stdout
    )
    assert "## Per intent" in result.stdout
    assert "**mislabelled**" in result.stdout
    assert "intent: expected set_reminder, got log_workout" in result.stdout


def test_bad_input_exits_2_with_the_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", line(id="a", text="hi", intent="chat"),
                line(id="b", text="hello", intent="greeting"))  # fmt: skip
    result = atlas_eval(tmp_path, "--data", bad)
    assert result.returncode == 2
    assert f"{bad}:2: intent 'greeting'" in result.stderr
    no_answer = write(tmp_path / "clarify.jsonl",
                      line(text="remind me", intent="set_reminder", clarify=True))  # fmt: skip
    result = atlas_eval(tmp_path, "--data", no_answer)
    assert result.returncode == 2
    assert '"clarify" line needs' in result.stderr
    assert atlas_eval(tmp_path, "--data", tmp_path / "missing.jsonl").returncode == 2
    assert atlas_eval(tmp_path, "--data", bad, "--lang", "fr").returncode == 2


@pytest.mark.skipif(not TUNING.exists(), reason="no tuning set yet")
def test_the_tuning_set_runs_completely(tmp_path: Path) -> None:
    result = atlas_eval(tmp_path, "--data", TUNING, "--json", "-")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["overall"]["lines"] == len(load_lines([TUNING]))
    assert not [d["id"] for d in report["lines"] for t in d["turns"] if t["error"]]


def test_a_model_answered_line_is_judged_on_routing_not_on_scripted_words(
    tmp_path: Path,
) -> None:
    """Chat, programmes and device commands are a model's words by design: with the scripted
    box their facts cannot be judged, only that the model got them and nothing forbidden was
    said. A skill line that reached the model is still judged in full."""
    chat = parse(tmp_path, text="who built the pyramids", intent="chat", reply_must=[["egypt"]],
                 reply_must_not=["doctor"])  # fmt: skip
    reached = TurnRecord("said", "c1", "Okay.", False, {"intent": "chat"}, [], 2)
    scored = score_line(chat, [reached], NOW)
    assert scored.correct
    assert scored.model_words
    assert summarise([scored])["overall"]["model_words_unjudged"] == 1
    # Not sent to the model (a skill or the safe answer spoke instead): judged, and wrong.
    not_reached = TurnRecord("said", "c1", "Talk to a doctor.", False, {"intent": "chat"}, [], 0)
    wrong = score_line(chat, [not_reached], NOW)
    assert not wrong.correct
    assert wrong.reply_problems == ["missing ['egypt']", "says 'doctor'"]
    # A forbidden word is wrong even in a model's words.
    forbidden = TurnRecord("said", "c1", "Ask a doctor.", False, {"intent": "chat"}, [], 1)
    assert score_line(chat, [forbidden], NOW).reply_problems == ["says 'doctor'"]
    # A skill intent's facts are judged whoever answered.
    status = parse(tmp_path, text="what's my streak", intent="workout_status",
                   reply_must=[["3"]])  # fmt: skip
    answered = TurnRecord("said", "c1", "Okay.", False, {"intent": "workout_status"}, [], 1)
    assert score_line(status, [answered], NOW).reply_problems == ["missing ['3']"]


@pytest.mark.parametrize(
    "args",
    [{"text": "x", "in_minutes": {"day": "today"}}, {"text": "x", "due": {"day": "today"}},
     {"text": "x", "due": {"time": "25:00"}}, {"text": "x", "in_minutes": True}],
)  # fmt: skip
def test_a_malformed_reminder_time_is_refused_with_its_line(
    tmp_path: Path, args: dict[str, Any]
) -> None:
    bad = line(id="b-1", text="remind me", intent="set_reminder",
               tools=[{"tool": "set_reminder", "args": args}])  # fmt: skip
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1: set_reminder"):
        load_lines([write(tmp_path / "bad.jsonl", bad)])
