"""``atlas-demo`` judges the answer, not only the intent: each way a turn can fail after its
intent matched, on scripted results (what the demo reads back from Home Assistant)."""

from __future__ import annotations

from typing import Any

import pytest

from atlas_demo.assist import failed_stage, turn_fields
from atlas_demo.judge import MAX_REPLY_AUDIO_S, answer_problem, missing_tool, unspeakable
from custom_components.atlas.agent.intents import SKILL_INTENTS


def _turn(**changes: Any) -> dict[str, Any]:
    """A reminder turn that did its job, with ``changes``."""
    result: dict[str, Any] = {
        "transcript": "Remind me to stretch at 5 pm.",
        "intent": "set_reminder",
        "error": None,
        "asked": False,
        "tools": ["set_reminder"],
        "speech": None,
        "reply": "OK, I'll remind you to stretch today at 17:00.",
        "reply_audio_seconds": 3.2,
    }
    return {**result, **changes}


def test_a_good_turn_passes() -> None:
    assert failed_stage(_turn(), "set_reminder") is None
    # Namespaced tool names (merged APIs) count as the tool itself.
    assert failed_stage(_turn(tools=["atlas__set_reminder"]), "set_reminder") is None


def test_a_skill_intent_without_its_tool_fails_at_the_agent() -> None:
    said = "Sure, I can remind you on Friday evening."
    stage = failed_stage(_turn(tools=[], reply=said), "set_reminder")
    assert stage == (
        "agent: intent 'set_reminder' ran without its tool 'set_reminder' (tools run: none) and "
        f"the reply asks nothing, so what it says was not done: {said!r}"
    )
    # The morning plan needs prepare_workout itself; recovery_status alone is not the plan.
    morning = _turn(intent="prepare_workout", tools=["recovery_status"], reply="Recovery is ok.")
    assert missing_tool(morning) == "prepare_workout"
    assert (failed_stage(morning, "prepare_workout") or "").startswith(
        "agent: intent 'prepare_workout' ran without its tool 'prepare_workout' "
        "(tools run: recovery_status)"
    )


@pytest.mark.parametrize("intent", sorted(SKILL_INTENTS))
def test_every_skill_intent_needs_a_tool(intent: str) -> None:
    assert missing_tool(_turn(intent=intent, tools=[])) is not None


def test_a_question_for_a_missing_value_needs_no_tool() -> None:
    asked = _turn(tools=[], asked=True, reply="What time on Friday?")
    assert failed_stage(asked, "set_reminder") is None
    assert answer_problem({**asked, "asked": False}) is None  # a question, even unflagged
    # Chat and quick answers need no tool.
    assert answer_problem(_turn(intent="chat", tools=[], reply="Hello! How can I help?")) is None


def test_a_false_confirmation_fails_at_the_agent() -> None:
    said = "I couldn't set that reminder. Say when, for example 'remind me at 5 pm'."
    stage = answer_problem(_turn(tools=["set_reminder"], speech="not_done", reply=said))
    assert stage is not None
    assert stage.startswith(
        "agent: no tool did what intent 'set_reminder' needs (tools run: set_reminder); ATLAS "
        "said it was not done instead of confirming"
    )
    assert said in stage


@pytest.mark.parametrize(
    ("reply", "found"),
    [
        ("```python\nreminder = set_reminder('stretch')\n```", "code, JSON or tool syntax"),
        ("You can use the atlas__set_reminder function now.", "code, JSON or tool syntax"),
        ('{"name": "set_reminder", "parameters": {"text": "stretch"}}', "code, JSON or tool"),
        ("To call a tool, reply with only the JSON.", "code, JSON or tool syntax"),
        ("<tool_call>{}</tool_call> Done.", "code, JSON or tool syntax"),
        ("**Reminder set** for 5 pm.", "markdown or other unspeakable marks ('*')"),
        ("## Reminder\nSet for 5 pm.", "markdown or other unspeakable marks ('#')"),
        ("Note: this is new. " * 4, "a repetition loop"),
        ("I will set it up and I will set it up and I will set it up now.", "a repetition loop"),
    ],
)
def test_an_unspeakable_reply_fails_at_speech(reply: str, found: str) -> None:
    assert (unspeakable(reply) or "").startswith(found)
    stage = failed_stage(_turn(reply=reply), "set_reminder")
    assert (stage or "").startswith(f"speech: the reply holds {found}"), stage


@pytest.mark.parametrize(
    "reply",
    [
        "OK, I'll remind you to stretch tomorrow at 17:00.",
        "So far today: 0 of 100 reps and 0 of 30 active minutes; 2 sets left.",
        "It's 5 - 10 minutes (roughly). 15% of 80 is 12.",
        "Warm up with Deep breathing, Marching in place and 2 more; then Cat-cow, Glute bridge.",
    ],
)
def test_plain_replies_are_speakable(reply: str) -> None:
    assert unspeakable(reply) is None


@pytest.mark.parametrize(
    ("speech", "start"),
    [
        ("halted", "speech: the model fell into a loop, cut by the speech guard"),
        ("fallback", "speech: nothing the model said could be spoken"),
    ],
)
def test_what_the_guard_had_to_cut_fails_at_speech(speech: str, start: str) -> None:
    result = _turn(intent="chat", tools=[], speech=speech, reply="Sorry, I lost my words there.")
    assert (answer_problem(result) or "").startswith(start)


def test_a_reply_over_twenty_seconds_of_audio_fails_at_tts() -> None:
    assert failed_stage(_turn(reply_audio_seconds=MAX_REPLY_AUDIO_S), "set_reminder") is None
    assert failed_stage(_turn(reply_audio_seconds=25.94), "set_reminder") == (
        "tts: the reply is 25.9 s of audio (at most 20 s)"
    )


def test_turn_fields_carry_what_the_judge_reads() -> None:
    event = {"intent": "set_reminder", "tools": ["set_reminder"], "asked": True,
             "speech": "not_done"}  # fmt: skip
    fields = turn_fields(event)
    assert (fields["asked"], fields["speech"], fields["tools"]) == (True, "not_done",
                                                                    ["set_reminder"])  # fmt: skip
    assert turn_fields({})["asked"] is False
