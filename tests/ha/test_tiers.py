"""A tiny local model knows its place, in a real HA test instance (``agent/tiers.py``).

The scripted box describes a model size; a tiny model (under 1B parameters) gets no tools, no
structured pass and no skill intent: it makes small talk, a request nobody understood gets the
honest sentence, and a confident skill intent still runs its tools without any model. A capable
model (or one of unknown size) is unchanged. The last test does the same with the bundled
SmolLM2-135M through a real atlas-llm.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.atlas.agent.spoken import SMALL_MODEL
from custom_components.atlas.const import EVENT_TURN

from ..servers.wyoming_io import ServerProcess
from .conftest import setup_atlas
from .scripted_llm import Reply, ScriptedLLM, is_structured_pass, is_warm_up
from .spoken import english, in_language

AGENT = "conversation.atlas_conversation"
REMINDERS = "todo.atlas_reminders"
SMOLLM2 = 134_515_008  # what atlas-llm reports for the bundled SmolLM2-135M
QWEN3_4B = 4_022_468_096
# A request the rules and the learned stage do not understand (intent "chat" at 0.3).
UNKNOWN = "Book me a table at the Italian place for eight"
START = datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Monday


@pytest.fixture(autouse=True)
async def berlin_monday_morning(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)


async def converse(hass: HomeAssistant, text: str, language: str = "en") -> tuple[str, Any]:
    """One turn: what was said, and the ``atlas_turn`` event's data."""
    turns = async_capture_events(hass, EVENT_TURN)
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=AGENT
    )
    return str(result.response.speech["plain"]["speech"]).strip(), turns[-1].data


def answers(box: ScriptedLLM) -> list[dict[str, Any]]:
    """The requests that asked the model for an answer (no warm-ups, no structured pass)."""
    return [r for r in box.model_requests if not is_structured_pass(r)]


@pytest.fixture
async def tiny(hass: HomeAssistant, scripted: ScriptedLLM) -> ScriptedLLM:
    """The agent with ATLAS's tools, on a box that describes a 135M model."""
    scripted.parameters = SMOLLM2
    scripted.native_tools = False
    entry = await setup_atlas(hass, scripted.port)
    assert entry.runtime_data.info.parameters == SMOLLM2
    assert entry.runtime_data.info.native_tools is False
    return scripted


async def test_tiny_model_answers_a_greeting_without_tools(
    hass: HomeAssistant, tiny: ScriptedLLM
) -> None:
    tiny.replies = [Reply(content="Hello! Nice to hear from you.")]

    speech, turn = await converse(hass, "Hello!")

    assert speech == "Hello! Nice to hear from you."
    (answer,) = answers(tiny)
    assert not answer.get("tools")  # no tools offered to a tiny model
    assert "understood as" not in str(answer["messages"])  # and no intent either
    assert not any(is_structured_pass(r) for r in tiny.requests)
    assert turn["tier"] == "tiny"
    assert turn["answered_by"] == "llm"
    assert turn["understood_by"] == "rules"


async def test_tiny_model_gets_no_structured_pass_and_an_unknown_request_the_honest_sentence(
    hass: HomeAssistant, tiny: ScriptedLLM
) -> None:
    tiny.replies = [Reply(content="Sure, your table is booked!")]  # never asked

    speech, turn = await converse(hass, UNKNOWN)

    assert speech == english(SMALL_MODEL)
    assert tiny.model_requests == []  # neither the structured pass nor an answer
    assert turn["tier"] == "tiny"
    assert turn["answered_by"] == "tier"
    assert turn["understood_by"] == "rules"
    assert turn["timings_ms"]["structured"] == 0
    assert turn["tools"] == []


async def test_tiny_model_refusal_is_translated(hass: HomeAssistant, tiny: ScriptedLLM) -> None:
    speech, turn = await converse(hass, "Reserviere mir einen Tisch beim Italiener", "de")

    assert speech == in_language(SMALL_MODEL, "de")
    assert turn["answered_by"] == "tier"
    assert tiny.model_requests == []


async def test_tiny_model_a_confident_skill_intent_still_runs_its_tool(
    hass: HomeAssistant, tiny: ScriptedLLM
) -> None:
    speech, turn = await converse(hass, "remind me to stretch at 5 pm")

    assert turn["intent"] == "set_reminder"
    assert turn["answered_by"] == "skill"
    assert turn["tools"] == ["set_reminder"]
    assert tiny.model_requests == []  # the rules and the skill: no model at all
    state = hass.states.get(REMINDERS)
    assert state is not None
    assert state.state == "1"
    assert speech
    assert speech != english(SMALL_MODEL)


async def test_tiny_model_warm_up_skips_the_structured_pass(
    hass: HomeAssistant, tiny: ScriptedLLM
) -> None:
    tiny.replies = [Reply(content="Hi there.")]
    await converse(hass, "Hello!")  # the answer prefix is known from now on
    tiny.requests.clear()

    await conversation.async_prepare_agent(hass, AGENT, "en")
    await hass.async_block_till_done()

    assert tiny.requests, "the answer prefix is warmed"
    assert all(is_warm_up(r) and not is_structured_pass(r) for r in tiny.requests)


async def test_capable_model_is_unchanged(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    scripted.parameters = QWEN3_4B
    scripted.replies = [Reply(content="I can't book tables, sorry.")]
    await setup_atlas(hass, scripted.port)

    speech, turn = await converse(hass, UNKNOWN)

    assert speech == "I can't book tables, sorry."
    assert any(is_structured_pass(r) for r in scripted.model_requests)
    (answer,) = answers(scripted)
    assert any(t["name"] == "atlas__set_reminder" for t in answer["tools"])
    assert turn["tier"] == "capable"
    assert turn["understood_by"] == "llm"
    assert turn["answered_by"] == "llm"


@pytest.mark.real_model
async def test_the_bundled_smollm2_is_tiny_through_real_atlas_llm(
    hass: HomeAssistant, socket_enabled: None, atlas_box: ServerProcess
) -> None:
    entry = await setup_atlas(hass, atlas_box.port)
    info = entry.runtime_data.info
    assert info.parameters is not None
    assert 100_000_000 < info.parameters < 1_000_000_000
    assert isinstance(info.native_tools, bool)

    speech, turn = await converse(hass, UNKNOWN)
    assert speech == english(SMALL_MODEL)
    assert turn["tier"] == "tiny"
    assert turn["answered_by"] == "tier"
    assert turn["timings_ms"]["structured"] == 0

    speech, turn = await converse(hass, "Hello!")
    assert speech  # the tiny model's own small talk
    assert speech != english(SMALL_MODEL)
    assert turn["tier"] == "tiny"
    assert turn["answered_by"] == "llm"
    assert turn["error"] is None
    assert turn["tools"] == []
