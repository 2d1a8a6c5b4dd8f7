"""The ATLAS agent in a real HA test instance, driven through conversation.async_converse.

The tool loop and the error paths run against a scripted atlas-llm (exact tool calls); the
smoke test runs against the real atlas-llm with the bundled Gemma model.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent, llm
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_mock_service,
)

from custom_components.atlas.agent.intent_rules import CONFIDENT, understand
from custom_components.atlas.agent.spoken import BOX_DROPPED, BOX_UNREACHABLE
from custom_components.atlas.agent.structured import PROMPT as STRUCTURED_PROMPT
from custom_components.atlas.const import (
    CONF_MAX_TOOL_ROUNDS,
    CONF_PROMPT,
    CONF_REWORD_SKILL_REPLIES,
    CONF_THINKING,
    DEFAULT_PROMPT,
    DOMAIN,
    EVENT_TURN,
)
from custom_components.atlas.skills.api import ATLAS_API_ID

from ..servers.wyoming_io import ServerProcess
from .conftest import setup_atlas, start_llm
from .scripted_llm import Reply, ScriptedLLM
from .spoken import english

AGENT = "conversation.atlas_conversation"
MORNING = (
    "ATLAS, prepare my morning workout for Monday. Check Garmin for recovery, my shoulder is "
    "sore, include yoga and calisthenics."
)
# The same request in words the rules are unsure about (no verb: intent "chat" at 0.3), so the
# local LLM's structured pass has to understand it.
TERSE_MORNING = "Is Monday morning good, yoga and calisthenics, shoulder is sore, Garmin?"
MORNING_SLOTS = {
    "day": "monday", "time_of_day": "morning", "types": ["yoga", "calisthenics"],
    "injury": "shoulder", "data_source": "garmin",
}  # fmt: skip


# The agent of these tests: the Assist API only, and three tool rounds.
AGENT_OPTIONS = {
    CONF_PROMPT: DEFAULT_PROMPT,
    CONF_LLM_HASS_API: [llm.LLM_API_ASSIST],
    CONF_THINKING: "auto",
    CONF_MAX_TOOL_ROUNDS: 3,
}


async def converse(hass: HomeAssistant, text: str, conversation_id: str | None = None) -> Any:
    return await conversation.async_converse(hass, text, conversation_id, Context(), agent_id=AGENT)


async def test_structured_pass_then_streamed_reply_and_trace(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    scripted.extraction = {
        "intent": "prepare_workout", "day": "monday", "time_of_day": "morning",
        "types": ["yoga", "calisthenics"], "injury": "shoulder", "data_source": "garmin",
        "confidence": 0.93,
    }  # fmt: skip
    # A question: the Assist-only agent has no plan tool, so a claim that a plan is ready
    # would be replaced by the honest sentence (tests/ha/test_false_confirmation.py).
    scripted.replies = [Reply(content="Shall we keep **Monday** morning easy on the shoulder?")]
    assert understand(TERSE_MORNING).confidence < CONFIDENT  # the rules defer to the model
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    turns = async_capture_events(hass, EVENT_TURN)

    result = await converse(hass, TERSE_MORNING)

    speech = result.response.speech["plain"]["speech"]
    assert speech.strip() == "Shall we keep Monday morning easy on the shoulder?"
    structured, reply = scripted.requests
    assert structured["response_format"]["schema"]["properties"]["intent"]
    assert structured["messages"][-1] == {"role": "user", "content": TERSE_MORNING}
    assert structured["think"] is False
    assert reply["think"] is True  # planning intent: thinking on in auto mode
    assert "understood as: prepare_workout" in reply["messages"][-1]["content"]
    (turn,) = turns
    assert turn.data["understood_by"] == "llm"
    # The model's understanding, not the rules' ("chat" at 0.3), is the turn's.
    assert turn.data["intent"] == "prepare_workout"
    assert turn.data["slots"] == MORNING_SLOTS
    assert turn.data["confidence"] == 0.93
    assert turn.data["structured_valid"] is True
    assert turn.data["timings_ms"]["structured"] > 0
    assert turn.data["route"] == "local"
    assert turn.data["route_reason"] == "local: intent prepare_workout"
    # The Assist-only agent offers no ATLAS tools: the local model answers, without a notice.
    assert turn.data["answered_by"] == "llm"
    assert turn.data["fallback"] is None
    assert turn.data["timings_ms"]["ttft"] is not None
    assert turn.data["timings_ms"]["total"] >= turn.data["timings_ms"]["ttft"]


async def test_rules_understand_the_morning_request_without_the_structured_pass(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    # Were the structured pass asked, it would say "chat": the turn must not show that.
    scripted.extraction = {
        "intent": "chat", "day": None, "time_of_day": None, "types": [], "injury": None,
        "data_source": None, "confidence": 0.99,
    }  # fmt: skip
    scripted.replies = [Reply(content="Which time on Monday morning suits you?")]
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    turns = async_capture_events(hass, EVENT_TURN)

    result = await converse(hass, MORNING)

    assert result.response.speech["plain"]["speech"].strip() == (
        "Which time on Monday morning suits you?"
    )
    assert not [r for r in scripted.requests if "response_format" in r]  # no structured pass
    (reply,) = scripted.requests
    assert reply["think"] is True  # the rules' planning intent turns thinking on in auto mode
    assert "understood as: prepare_workout" in reply["messages"][-1]["content"]
    (turn,) = turns
    assert turn.data["understood_by"] == "rules"
    assert turn.data["intent"] == "prepare_workout"
    slots = turn.data["slots"]
    assert slots["day"] == "monday"
    assert slots["time_of_day"] == "morning"
    assert slots["types"] == ["yoga", "calisthenics"]
    assert slots["injury"] == "shoulder"
    assert slots["data_source"] == "garmin"
    assert set(slots) == set(MORNING_SLOTS)
    assert turn.data["confidence"] >= CONFIDENT
    assert turn.data["structured_valid"] is True
    assert turn.data["timings_ms"]["structured"] == 0.0
    assert turn.data["route"] == "local"
    assert turn.data["route_reason"] == "local: intent prepare_workout"
    # The Assist-only agent offers no ATLAS tools, so no direct dispatch: the model answers.
    assert turn.data["answered_by"] == "llm"
    assert turn.data["tools"] == []


async def test_tool_loop_turns_on_a_light_through_assist(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen light"})
    async_expose_entity(hass, conversation.DOMAIN, "light.kitchen", True)
    calls = async_mock_service(hass, "light", "turn_on")
    scripted.replies = [
        Reply(tool_calls=[{"id": "call_1", "name": "intent__HassTurnOn",
                           "arguments": {"name": "Kitchen light"}}]),
        Reply(content="The kitchen light is on."),
    ]  # fmt: skip

    # Words Home Assistant's own intents do not match, so the model with the Assist API acts.
    result = await converse(hass, "Could you get the kitchen light going")

    assert result.response.speech["plain"]["speech"].strip() == "The kitchen light is on."
    assert [c.data["entity_id"] for c in calls] == [["light.kitchen"]]
    first, second = scripted.chat_requests
    assert any(t["name"] == "intent__HassTurnOn" for t in first["tools"])
    assert first["tool_choice"] == "auto"
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_1"
    assert "light.kitchen" in tool_message["content"] or "Kitchen" in tool_message["content"]


async def test_an_unsure_follow_up_keeps_the_slots_the_model_drops(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    """The cascade takes the model's intent but the rules' carried slots (intent_rules.combine)."""
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    turns = async_capture_events(hass, EVENT_TURN)
    first = await converse(hass, "Prepare a strength workout for Monday, my shoulder is sore.")
    # A small model's answer to the follow-up: the intent, a day it invented, no injury.
    scripted.extraction = {"intent": "prepare_workout", "day": "today", "time_of_day": None,
                           "types": ["mobility"], "injury": None, "data_source": None,
                           "confidence": 0.9}  # fmt: skip
    scripted.replies = [Reply(content="Squats and lunges, nothing for the shoulder.")]
    await converse(hass, "Which exercises are you going to include?", first.conversation_id)
    assert [t.data["understood_by"] for t in turns] == ["rules", "llm"]
    assert turns[1].data["intent"] == "prepare_workout"
    assert turns[1].data["slots"] == {"day": "monday", "types": ["strength"], "injury": "shoulder"}


async def test_tool_rounds_are_bounded(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    loop_call = {"id": "c", "name": "homeassistant__GetLiveContext", "arguments": {}}
    scripted.replies = [Reply(tool_calls=[loop_call]) for _ in range(2)] + [
        Reply(content="Here is what I found.")
    ]
    result = await converse(hass, "What's going on at home?")
    assert result.response.speech["plain"]["speech"].strip() == "Here is what I found."
    assert [r.get("tool_choice") for r in scripted.chat_requests] == ["auto", "auto", "none"]


async def test_multi_turn_keeps_history_and_continues_on_question(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    turns = async_capture_events(hass, EVENT_TURN)
    scripted.replies = [Reply(content="Which day do you want to train?"), Reply(content="Done.")]
    # Words the rules are unsure about ("chat" at 0.3), and a bare follow-up (carried at 0.6):
    # both turns go through the model's structured pass.
    first = await converse(hass, "Help me train")
    assert first.continue_conversation is True
    second = await converse(hass, "Tuesday", first.conversation_id)
    assert second.continue_conversation is False
    assert [t.data["understood_by"] for t in turns] == ["llm", "llm"]
    # The structured pass of the follow-up sees the earlier user turn, so slots carry over.
    first_pass, follow_up_pass = [r for r in scripted.requests if "response_format" in r]
    assert first_pass["messages"][-1]["content"] == "Help me train"
    assert follow_up_pass["messages"][-1]["content"] == "Earlier: Help me train\nNow: Tuesday"
    roles = [m["role"] for m in scripted.chat_requests[1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert scripted.chat_requests[1]["messages"][2]["content"].strip() == (
        "Which day do you want to train?"
    )


async def test_box_down_apologises_marks_unavailable_and_recovers(
    hass: HomeAssistant, scripted: ScriptedLLM, caplog: pytest.LogCaptureFixture
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    await scripted.stop()

    result = await converse(hass, "Hello?")
    await converse(hass, "Are you there?")  # a second failure logs nothing new

    assert result.response.speech["plain"]["speech"] == english(BOX_UNREACHABLE)
    assert hass.states.get(AGENT).state == "unavailable"
    issues = ir.async_get(hass).issues
    assert any(domain == DOMAIN for domain, _ in issues)

    # The box comes back on the same port: the periodic probe restores the agent.
    back = ScriptedLLM()
    await back.start(port=scripted.port)
    try:
        health = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.health
        await health._async_probe()
        await hass.async_block_till_done()
        assert hass.states.get(AGENT).state != "unavailable"
        assert not any(domain == DOMAIN for domain, _ in ir.async_get(hass).issues)
        lines = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
        assert sum("unreachable" in line for line in lines) == 1
        assert sum("reachable again" in line for line in lines) == 1
    finally:
        await back.stop()


async def test_dropped_mid_answer_apologises(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    scripted.replies = [Reply(content="Your plan for today has three parts", drop_after=3)]
    result = await converse(hass, "Plan my day")
    assert result.response.speech["plain"]["speech"] == english(BOX_DROPPED)


async def test_refused_request_gets_spoken_error(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    scripted.replies = [Reply(error=("queue_full", "busy"))]
    result = await converse(hass, "Hi")
    assert "busy" in result.response.speech["plain"]["speech"]
    assert result.response.response_type is intent.IntentResponseType.ACTION_DONE


async def test_smoke_with_the_real_embedded_model(
    hass: HomeAssistant, socket_enabled: None, atlas_box: ServerProcess
) -> None:
    await setup_atlas(hass, atlas_box.port, agent={**AGENT_OPTIONS, CONF_LLM_HASS_API: []})
    turns = async_capture_events(hass, EVENT_TURN)

    result = await converse(hass, "Hello!")

    speech = result.response.speech["plain"]["speech"]
    assert speech.strip()
    assert "**" not in speech
    assert "<" not in speech
    (turn,) = turns
    assert turn.data["error"] is None
    # The embedded model is tiny (agent/tiers.py): no structured pass, no tools; the rules read
    # small talk and the model answers it.
    assert (turn.data["understood_by"], turn.data["tier"]) == ("rules", "tiny")
    assert turn.data["answered_by"] == "llm"
    assert turn.data["usage"]["completion_tokens"] > 0


async def test_prepare_after_a_box_restart_makes_the_next_turn_warm(
    hass: HomeAssistant, socket_enabled: None, tmp_path: Path
) -> None:
    """Home Assistant prepares the agent while the user speaks: the box warms the prefixes."""
    turns = async_capture_events(hass, EVENT_TURN)

    async def start_box(port: int | None = None) -> ServerProcess:
        return await hass.async_add_executor_job(start_llm, tmp_path, port)

    box = await start_box()
    try:
        await setup_atlas(hass, box.port, agent=AGENT_OPTIONS)
        await converse(hass, "Hello!")  # a fresh box: the answer prompt is cold
    finally:
        await hass.async_add_executor_job(box.stop)
    cold = turns[-1].data["usage"]
    assert cold["cached_prompt_tokens"] < 50

    box = await start_box(box.port)
    try:
        await conversation.async_prepare_agent(hass, AGENT, "en")
        await converse(hass, "Hello!")
    finally:
        await hass.async_add_executor_job(box.stop)
    warm = turns[-1].data["usage"]
    # Only the user's words, the turn's notes and the generation prompt are new.
    assert warm["prompt_tokens"] > 300  # the system prompt (a tiny model is offered no tools)
    assert warm["cached_prompt_tokens"] >= warm["prompt_tokens"] - 80, warm


async def test_prepare_warms_the_answer_prefix_then_the_structured_pass(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    await conversation.async_prepare_agent(hass, AGENT, "en")
    (first_warm_up,) = scripted.requests  # no answer seen yet: the structured pass only
    assert first_warm_up["messages"][0]["content"] == STRUCTURED_PROMPT
    assert first_warm_up["response_format"]["schema"]["properties"]["intent"]

    scripted.replies = [Reply(content="Hello there.")]
    await converse(hass, "Hi")
    answer = scripted.chat_requests[-1]
    before = len(scripted.requests)
    await conversation.async_prepare_agent(hass, AGENT, "en")
    warm_answer, warm_structured = scripted.requests[before:]
    assert warm_answer["messages"] == [answer["messages"][0], {"role": "user", "content": ""}]
    assert warm_answer["tools"] == answer["tools"]
    assert warm_answer["max_tokens"] == warm_structured["max_tokens"] == 1
    assert warm_structured["messages"][0]["content"] == STRUCTURED_PROMPT


async def test_prepare_with_the_box_down_is_silent(
    hass: HomeAssistant, scripted: ScriptedLLM, caplog: pytest.LogCaptureFixture
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    await scripted.stop()
    await conversation.async_prepare_agent(hass, AGENT, "en")  # must not raise
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "atlas" in r.name]
    result = await converse(hass, "Hello?")  # the turn reports the outage itself
    assert result.response.speech["plain"]["speech"] == english(BOX_UNREACHABLE)


async def test_thinking_is_never_spoken(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    scripted.replies = [Reply(thinking="Shoulder sore, so no push-ups.", content="Yoga or a walk?")]
    result = await converse(hass, "Plan a workout")
    assert result.response.speech["plain"]["speech"].strip() == "Yoga or a walk?"


async def test_long_history_is_bounded_with_a_running_summary(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent={**AGENT_OPTIONS, "max_history_tokens": 256})
    conversation_id = None
    for i in range(8):
        scripted.replies = [Reply(content=f"Answer number {i} about squats and recovery days.")]
        result = await converse(
            hass, f"Question {i}: tell me more about my training week please.", conversation_id
        )
        conversation_id = result.conversation_id
    last = scripted.chat_requests[-1]["messages"]
    assert "Earlier in this conversation" not in last[0]["content"]  # the system prompt is stable
    # The summary leads the first kept user message; the clock line leads the newest one.
    summary, _, first_kept = last[1]["content"].partition("\n\n")
    assert summary.startswith("Earlier in this conversation:")
    assert "Question 0" in summary  # the oldest turn survives only in the summary
    assert "Question 0" not in first_kept
    assert all("Question 0" not in m["content"] for m in last[2:])
    newest = last[-1]["content"].rsplit("\n\n", 1)[-1]
    assert newest.startswith("Question 7")
    history = [first_kept, *(m["content"] for m in last[2:-1]), newest]
    assert sum(len(text) for text in history) // 4 <= 256


async def test_system_prompt_and_tools_stay_identical_from_turn_to_turn(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    """atlas-llm re-uses the KV cache of an unchanged prefix: nothing per-turn may sit in it.

    With only ATLAS's own API there is no date tool, so Home Assistant puts its clock line into
    the system prompt; the agent moves it to the newest user message.
    """
    await setup_atlas(
        hass, scripted.port, agent={**AGENT_OPTIONS, CONF_LLM_HASS_API: [ATLAS_API_ID]}
    )
    # Rules and learned stage unsure ("chat" at 0.3, then a bare follow-up at 0.6), the model
    # sure enough to stay local (>= 0.7) but below CONFIDENT: no direct dispatch, the model
    # answers both turns.
    scripted.extraction = {
        "intent": "prepare_workout", "day": "monday", "time_of_day": None, "types": ["yoga"],
        "injury": None, "data_source": None, "confidence": 0.75,
    }  # fmt: skip
    scripted.replies = [Reply(content="Which time of day?"), Reply(content="Morning it is.")]
    turns = async_capture_events(hass, EVENT_TURN)
    freezer.move_to("2026-11-21 06:00:05")
    first = await converse(hass, "Is yoga on Monday a thought")
    freezer.move_to("2026-11-21 06:03:41")
    await converse(hass, "In the morning", first.conversation_id)
    assert [(t.data["understood_by"], t.data["route"], t.data["answered_by"]) for t in turns] == [
        ("llm", "local", "llm"), ("llm", "local", "llm"),
    ]  # fmt: skip

    one, two = scripted.chat_requests
    assert one["messages"][0] == two["messages"][0]
    assert one["tools"] == two["tools"]
    assert "Current time" not in one["messages"][0]["content"]
    clocks = []
    for request in (one, two):
        newest = request["messages"][-1]["content"]
        clock = re.match(r"Current time is (\d\d:\d\d:\d\d)\. Today's date is [\d-]+\. ", newest)
        assert clock, newest
        clocks.append(clock.group(1))
        assert "understood as: prepare_workout" in newest
    assert clocks[0] != clocks[1]
    # An earlier user message goes back without its notes, exactly as the user said it.
    assert two["messages"][1]["content"] == "Is yoga on Monday a thought"


async def test_prefer_local_intents_handles_commands_without_the_llm(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    from homeassistant.components.assist_pipeline import PipelineEventType, PipelineStage
    from homeassistant.components.assist_pipeline.pipeline import (
        async_get_pipeline,
        async_update_pipeline,
    )
    from homeassistant.components.assist_pipeline.run import PipelineInput, PipelineRun
    from homeassistant.helpers import chat_session

    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    assert await async_setup_component(hass, "assist_pipeline", {})
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen light"})
    async_expose_entity(hass, conversation.DOMAIN, "light.kitchen", True)
    calls = async_mock_service(hass, "light", "turn_on")
    pipeline = async_get_pipeline(hass)
    await async_update_pipeline(
        hass, pipeline, conversation_engine=AGENT, prefer_local_intents=True
    )
    scripted.replies = [Reply(content="Which day shall we plan it for?")]

    async def run(text: str) -> list[Any]:
        events: list[Any] = []
        with chat_session.async_get_chat_session(hass) as session:
            await PipelineInput(
                session=session,
                intent_input=text,
                run=PipelineRun(
                    hass,
                    context=Context(),
                    pipeline=async_get_pipeline(hass, pipeline.id),
                    start_stage=PipelineStage.INTENT,
                    end_stage=PipelineStage.INTENT,
                    event_callback=events.append,
                ),
            ).execute(validate=True)
        return events

    await run("turn on the kitchen light")
    assert [c.data["entity_id"] for c in calls] == [["light.kitchen"]]
    assert scripted.requests == []  # handled by HA's local intents, the LLM never asked

    events = await run("help me plan a workout")
    end = next(e for e in events if e.type is PipelineEventType.INTENT_END)
    assert "Which day" in end.data["intent_output"]["response"]["speech"]["plain"]["speech"]
    assert len(scripted.chat_requests) == 1


async def test_quick_answer_skips_the_llm(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    scripted.extraction = {
        "intent": "quick_answer", "day": None, "time_of_day": None, "types": [],
        "injury": None, "data_source": None, "confidence": 0.95,
    }  # fmt: skip
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    turns = async_capture_events(hass, EVENT_TURN)
    result = await converse(hass, "What time is it?")
    assert result.response.speech["plain"]["speech"].startswith("It's ")
    assert scripted.requests == []  # the rules understood it, the skill answered it
    assert turns[0].data["understood_by"] == "rules"
    assert turns[0].data["intent"] == "quick_answer"
    assert turns[0].data["answered_by"] == "skill"


REMIND = "Remind me to stretch in 20 minutes"
REMINDERS = "todo.atlas_reminders"


async def test_confident_skill_intent_runs_its_tools_without_the_llm(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-11-21 10:00:00")
    # Both APIs: HA prefixes the merged tools, so ATLAS's arrive as "atlas__set_reminder".
    await setup_atlas(
        hass,
        scripted.port,
        agent={**AGENT_OPTIONS, CONF_LLM_HASS_API: [llm.LLM_API_ASSIST, ATLAS_API_ID]},
    )
    turns = async_capture_events(hass, EVENT_TURN)

    result = await converse(hass, REMIND)

    assert result.response.speech["plain"]["speech"] == (
        "OK, I'll remind you to stretch in 20 minutes, today at 10:20 AM."
    )
    assert scripted.requests == []  # rules understood it, the skill answered: no LLM request
    assert (reminders := hass.states.get(REMINDERS)) is not None
    assert reminders.state == "1"
    (turn,) = turns
    assert turn.data["understood_by"] == "rules"
    assert turn.data["intent"] == "set_reminder"
    assert turn.data["answered_by"] == "skill"
    assert turn.data["tools"] == ["set_reminder"]
    assert turn.data["rounds"] == 0


async def test_reworded_skill_reply_comes_from_the_llm_after_the_tool_results(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(
        hass,
        scripted.port,
        agent={
            **AGENT_OPTIONS,
            CONF_LLM_HASS_API: [llm.LLM_API_ASSIST, ATLAS_API_ID],
            CONF_REWORD_SKILL_REPLIES: True,
        },
    )
    turns = async_capture_events(hass, EVENT_TURN)
    scripted.replies = [Reply(content="Done, I'll nudge you to stretch in twenty minutes.")]

    result = await converse(hass, REMIND)

    assert result.response.speech["plain"]["speech"].strip() == (
        "Done, I'll nudge you to stretch in twenty minutes."
    )
    assert not [r for r in scripted.requests if "response_format" in r]  # rules understood it
    (request,) = scripted.chat_requests  # one round: the tools had already run
    assert request["tool_choice"] == "none"  # it words the results; it may not act again
    *_, user, call, tool = request["messages"]
    assert user["role"] == "user"
    assert user["content"].endswith(REMIND)
    assert call["role"] == "assistant"
    (tool_call,) = call["tool_calls"]
    assert tool_call["name"] == "atlas__set_reminder"
    assert tool_call["arguments"] == {"text": "stretch", "in_minutes": 20}
    assert tool["role"] == "tool"
    assert tool["tool_call_id"] == tool_call["id"]
    assert tool["name"] == "atlas__set_reminder"
    result_data = json.loads(tool["content"])
    assert result_data["error"] is False
    assert result_data["data"]["reminder"]["text"] == "stretch"
    assert (reminders := hass.states.get(REMINDERS)) is not None
    assert reminders.state == "1"  # the skill ran once, not again by the model
    (turn,) = turns
    assert turn.data["understood_by"] == "rules"
    assert turn.data["answered_by"] == "skill"
    assert turn.data["tools"] == ["set_reminder"]
    assert turn.data["rounds"] == 1
