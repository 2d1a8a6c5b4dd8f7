"""Claude escalation end to end: the agent, a scripted atlas-llm and the real anthropic SDK
against a local Messages API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events, async_mock_service

from custom_components.atlas.agent.spoken import (
    emergency_answer,
    fallback_note,
    safe_medical_answer,
)
from custom_components.atlas.cloud.settings import (
    CLOUD_MODE_NEVER,
    CONF_CLOUD,
    CONF_CLOUD_MODE,
    CONF_MONTHLY_BUDGET,
)
from custom_components.atlas.const import EVENT_TURN

from .conftest import setup_atlas
from .fake_anthropic import ClaudeReply, FakeAnthropic, claude_data
from .scripted_llm import Reply, ScriptedLLM
from .spoken import english

AGENT = "conversation.atlas_conversation"
LOW_CONFIDENCE = {"intent": "chat", "day": None, "time_of_day": None, "types": [],
                  "injury": None, "data_source": None, "confidence": 0.3}  # fmt: skip


@pytest.fixture
async def claude(socket_enabled: None) -> AsyncIterator[FakeAnthropic]:
    server = FakeAnthropic()
    await server.start()
    yield server
    await server.stop()


async def ask(hass: HomeAssistant, text: str) -> tuple[str, dict[str, Any]]:
    turns = async_capture_events(hass, EVENT_TURN)
    result = await conversation.async_converse(hass, text, None, Context(), agent_id=AGENT)
    return result.response.speech["plain"]["speech"].strip(), turns[-1].data


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("Is a resting heart rate of 120 dangerous?", "cloud"),  # safety
        ("Design a 12-week strength program for me", "cloud-complex"),  # multi-week plan
        ("Why am I plateauing on my squats?", "cloud"),  # analysis
        ("Ask Claude what a good warm-up is", "cloud"),  # explicit request
    ],
)
async def test_escalates_on_each_trigger(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic, text: str, route: str
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply(text="Here is a careful answer from the cloud."))
    speech, turn = await ask(hass, text)
    assert speech == "Here is a careful answer from the cloud."
    assert turn["route"].startswith(route)
    assert turn["answered_by"] == "cloud"
    assert turn["cloud"]["calls"] == 1
    assert turn["cloud"]["cost_usd"] > 0
    assert scripted.chat_requests == []  # the local model never answered
    body = claude.message_requests[0]
    assert body["stream"] is True
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}


async def test_low_confidence_cascades_to_the_cloud(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    scripted.extraction = LOW_CONFIDENCE
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply(text="Let me help with that."))
    speech, turn = await ask(hass, "hmm the thing with the stuff from before")
    assert speech == "Let me help with that."
    assert turn["route"] == "cloud-simple"
    assert "0.3" in turn["route_reason"]
    assert turn["confidence"] == 0.3
    # The cascade: the rules were unsure, so the local model's pass ran, was unsure too → Claude.
    assert turn["understood_by"] == "llm"
    (structured,) = scripted.requests
    assert structured["response_format"]["schema"]["properties"]["intent"]
    assert scripted.chat_requests == []


async def test_long_context_goes_to_the_cloud(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply(text="Summarised."))
    _, turn = await ask(hass, "Please summarise this training diary: " + "ran 5 km easy. " * 1500)
    assert turn["route"] == "cloud-complex"
    assert turn["answered_by"] == "cloud"


async def test_claude_tool_calls_run_in_home_assistant(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    hass.states.async_set("light.gym", "off", {"friendly_name": "Gym light"})
    async_expose_entity(hass, conversation.DOMAIN, "light.gym", True)
    calls = async_mock_service(hass, "light", "turn_on")
    claude.add(
        ClaudeReply.tool("assist__intent__HassTurnOn", {"name": "Gym light"}),
        ClaudeReply(text="The gym light is on, and here is your plan."),
    )
    speech, turn = await ask(hass, "Ask Claude to turn on the gym light and plan my session")
    assert speech == "The gym light is on, and here is your plan."
    assert [c.data["entity_id"] for c in calls] == [["light.gym"]]
    assert turn["cloud"]["calls"] == 2
    second = claude.message_requests[1]["messages"]
    assert any(
        block.get("type") == "tool_result"
        for message in second
        if isinstance(message["content"], list)
        for block in message["content"]
    )


@pytest.mark.parametrize(("status", "reason"), [(429, "rate_limited"), (529, "overloaded")])
async def test_cloud_errors_fall_back_to_local_with_a_spoken_note(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic, status: int, reason: str
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply.error(status), ClaudeReply.error(status), ClaudeReply.error(status))
    scripted.replies = [Reply(content="Start with squats.")]
    speech, turn = await ask(hass, "Design a 12-week strength program for me")
    assert speech == f"{english(fallback_note(reason))} Start with squats."
    assert turn["fallback"] == reason
    assert turn["answered_by"] == "llm"


async def test_unreachable_cloud_falls_back(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    await claude.stop()
    scripted.replies = [Reply(content="Here is a local plan.")]
    speech, turn = await ask(hass, "Design a 12-week strength program for me")
    assert speech.endswith("Here is a local plan.")
    assert speech != "Here is a local plan."  # never a silent fallback
    assert turn["fallback"] == "network"


async def test_safety_question_with_cloud_down_gets_the_fixed_safe_answer(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await hass.config.async_update(country="DE")
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply.error(529), ClaudeReply.error(529), ClaudeReply.error(529))
    speech, turn = await ask(hass, "Can I take ibuprofen before a long run?")
    assert speech == english(safe_medical_answer())
    assert "112" not in speech  # not an emergency: no false alarm
    assert turn["answered_by"] == "safety"
    assert scripted.chat_requests == []  # the small model never answers a safety question


async def test_an_emergency_hears_the_country_number_first_without_waiting_for_the_cloud(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await hass.config.async_update(country="DE")
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    speech, turn = await ask(hass, "I have chest pain and feel dizzy, what should I do?")
    assert speech == english(emergency_answer("DE"))
    assert speech.startswith("Call 112 now.")
    assert (turn["answered_by"], turn["safety"]) == ("safety", True)
    assert claude.message_requests == []  # no cloud call, no wait
    assert scripted.chat_requests == []


async def test_never_use_the_cloud_option(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await setup_atlas(
        hass,
        scripted.port,
        data=claude_data(claude.base_url),
        options={CONF_CLOUD: {CONF_CLOUD_MODE: CLOUD_MODE_NEVER}},
    )
    scripted.replies = [Reply(content="A local plan.")]
    speech, turn = await ask(hass, "Design a 12-week strength program for me")
    assert speech == "A local plan."
    assert claude.message_requests == []
    assert turn["fallback"] == "disabled"


async def test_exhausted_budget_falls_back_and_sensors_count_turns(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await setup_atlas(
        hass,
        scripted.port,
        data=claude_data(claude.base_url),
        options={CONF_CLOUD: {CONF_MONTHLY_BUDGET: 0.0001}},
    )
    scripted.replies = [Reply(content="A local plan.")]
    speech, _turn = await ask(hass, "Design a 12-week strength program for me")
    assert speech == f"{english(fallback_note('budget'))} A local plan."
    assert claude.message_requests == []  # a call that could exceed the cap is never made
    share = hass.states.get("sensor.atlas_cloud_budget_cloud_share_of_turns_this_month")
    assert share is not None
    assert float(share.state) == 0.0
