"""ATLAS's AI Task entity in a real HA test instance, driven through ai_task.async_generate_data.

Plain and structured tasks, box failures and refused schemas run against a scripted atlas-llm;
one structured task runs against the real atlas-llm, whose grammar keeps the data valid.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import probatio
import pytest
from homeassistant.components import ai_task
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector

from custom_components.atlas.agent.spoken import safe_medical_answer
from custom_components.atlas.ai_task import task_schema
from custom_components.atlas.config_flow import DEFAULT_AI_TASK_OPTIONS
from custom_components.atlas.const import (
    CONF_THINKING,
    DOMAIN,
    THINKING_ON,
)
from tests.servers.wyoming_io import ServerProcess

from .conftest import HOST, setup_atlas
from .fake_anthropic import ClaudeReply, FakeAnthropic, claude_data
from .scripted_llm import Reply, ScriptedLLM, is_structured_pass
from .spoken import english

pytestmark = pytest.mark.usefixtures("ha_core")

ENTITY = "ai_task.atlas_ai_task"
PERSON = probatio.Schema(
    {
        probatio.Required("name", description="The person's name"): selector.TextSelector(),
        probatio.Optional("age"): int,
    }
)
PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The person's name"},
        "age": {"type": "integer"},
    },
    "required": ["name"],
    "additionalProperties": False,
}
SAFETY = "Is a resting heart rate of 120 dangerous?"


async def generate(
    hass: HomeAssistant, instructions: str, structure: probatio.Schema | None = None
) -> ai_task.GenDataTaskResult:
    return await ai_task.async_generate_data(
        hass,
        task_name="test task",
        entity_id=ENTITY,
        instructions=instructions,
        structure=structure,
    )


async def test_plain_task_returns_the_local_models_text(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["supported_features"] == ai_task.AITaskEntityFeature.GENERATE_DATA
    scripted.replies = [Reply(content="The garage door has been open for an hour.")]

    result = await generate(hass, "Write a notification that the garage door is still open.")

    assert result.data == "The garage door has been open for an hour."
    assert result.conversation_id
    # One request: no structured pass (a task has no intent to dispatch), no grammar.
    (request,) = scripted.requests
    assert "response_format" not in request
    assert "tools" not in request  # the task brought no LLM API
    assert request["think"] is False  # the AI task default
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][-1]["role"] == "user"
    assert request["messages"][-1]["content"].endswith(
        "Write a notification that the garage door is still open."
    )


async def test_plain_task_thinks_when_the_subentry_says_so(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(
        hass,
        scripted.port,
        agent=None,
        ai_task={**DEFAULT_AI_TASK_OPTIONS, CONF_THINKING: THINKING_ON},
    )
    scripted.replies = [Reply(thinking="Short and friendly.", content="Dinner is ready!")]
    result = await generate(hass, "Announce that dinner is ready.")
    assert result.data == "Dinner is ready!"  # the thinking is not part of the data
    assert scripted.requests[0]["think"] is True


async def test_structured_task_sends_the_schema_and_parses_the_json(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(
        hass,
        scripted.port,
        agent=None,
        ai_task={**DEFAULT_AI_TASK_OPTIONS, CONF_THINKING: THINKING_ON},
    )
    scripted.replies = [Reply(content='{"name": "Ada", "age": 36}')]

    result = await generate(hass, "Ada Lovelace is 36. Extract her name and age.", PERSON)

    assert result.data == {"name": "Ada", "age": 36}
    assert PERSON(result.data) == result.data
    (request,) = scripted.requests
    assert not is_structured_pass(request)
    # The structure, converted as core's AI agents do, goes to atlas-llm's grammar.
    assert request["response_format"] == {"schema": PERSON_SCHEMA}
    assert request["response_format"]["schema"] == task_schema(PERSON, None)
    assert request["think"] is False  # grammar-constrained: never thinks
    assert "tools" not in request
    assert request["messages"][-1]["content"].endswith("Extract her name and age.")


async def test_structured_answer_that_is_not_json_raises(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    scripted.replies = [Reply(content='{"name": "Ada", "age":')]  # cut short
    with pytest.raises(HomeAssistantError) as caught:
        await generate(hass, "Extract the person.", PERSON)
    assert caught.value.translation_key == "json_parse_error"
    assert "not valid JSON" in str(caught.value)


async def test_structured_task_with_the_real_model_is_schema_valid(
    hass: HomeAssistant, atlas_box: ServerProcess
) -> None:
    await setup_atlas(hass, atlas_box.port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    structure = probatio.Schema(
        {
            probatio.Required("colour"): probatio.In(["red", "green", "blue"]),
            probatio.Required("count"): probatio.All(int, probatio.Range(min=0, max=9)),
            probatio.Required("urgent"): bool,
            probatio.Required("label"): probatio.All(str, probatio.Length(max=12)),
        }
    )

    result = await generate(
        hass, "Three red apples are on the table, nothing urgent. Describe them.", structure
    )

    assert isinstance(result.data, dict)
    assert set(result.data) == {"colour", "count", "urgent", "label"}
    assert structure(result.data) == result.data  # valid by construction


@pytest.mark.parametrize("structure", [None, PERSON], ids=["plain", "structured"])
async def test_box_down_raises_a_translated_error(
    hass: HomeAssistant, socket_enabled: None, closed_port: int, structure: Any
) -> None:
    await setup_atlas(hass, closed_port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.state == "unavailable"

    with pytest.raises(HomeAssistantError) as caught:
        await generate(hass, "Summarise the day.", structure)

    assert caught.value.translation_domain == DOMAIN
    assert caught.value.translation_key == "box_unavailable"
    assert str(caught.value).startswith(
        f"The ATLAS GPU box at {HOST}:{closed_port} did not answer the task: cannot connect"
    )


async def test_box_lost_during_a_task_marks_the_entity_unavailable(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    await scripted.stop()
    with pytest.raises(HomeAssistantError) as caught:
        await generate(hass, "Summarise the day.")
    assert caught.value.translation_key == "box_unavailable"
    await hass.async_block_till_done()
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.state == "unavailable"


@pytest.mark.parametrize(
    ("code", "key", "says"),
    [
        ("invalid_schema", "invalid_schema", "cannot generate data with this structure"),
        ("queue_full", "box_busy", "busy"),
        ("server_crashed", "box_crashed", "keeps crashing"),
        ("engine_error", "task_failed", "could not run the task"),
    ],
)
async def test_refused_request_raises_a_translated_error(
    hass: HomeAssistant, scripted: ScriptedLLM, code: str, key: str, says: str
) -> None:
    await setup_atlas(hass, scripted.port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    scripted.replies = [Reply(error=(code, "unsupported JSON schema: 'patternProperties'"))]
    with pytest.raises(HomeAssistantError) as caught:
        await generate(hass, "Extract the person.", PERSON)
    assert caught.value.translation_key == key
    assert says in str(caught.value)
    if code != "queue_full":
        assert "patternProperties" in str(caught.value)


# --- the router and the Claude budget ----------------------------------------------------------


@pytest.fixture
async def claude(socket_enabled: None) -> AsyncIterator[FakeAnthropic]:
    server = FakeAnthropic()
    await server.start()
    yield server
    await server.stop()


async def test_plain_safety_task_goes_to_claude_and_counts_as_a_cloud_turn(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    entry = await setup_atlas(
        hass,
        scripted.port,
        data=claude_data(claude.base_url),
        agent=None,
        ai_task=DEFAULT_AI_TASK_OPTIONS,
    )
    claude.add(ClaudeReply(text="A resting heart rate of 120 is high; see a doctor."))

    result = await generate(hass, SAFETY)

    assert result.data == "A resting heart rate of 120 is high; see a doctor."
    assert scripted.requests == []  # the local model never answered
    assert len(claude.message_requests) == 1
    budget = entry.runtime_data.budget
    assert budget is not None
    assert (budget.local_turns, budget.cloud_turns) == (0, 1)


async def test_structured_safety_task_stays_local_for_the_grammar(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    entry = await setup_atlas(
        hass,
        scripted.port,
        data=claude_data(claude.base_url),
        agent=None,
        ai_task=DEFAULT_AI_TASK_OPTIONS,
    )
    scripted.replies = [Reply(content='{"name": "resting heart rate"}')]

    result = await generate(hass, SAFETY, PERSON)

    assert result.data == {"name": "resting heart rate"}
    assert claude.message_requests == []
    (request,) = scripted.requests
    assert request["response_format"] == {"schema": PERSON_SCHEMA}
    budget = entry.runtime_data.budget
    assert budget is not None
    assert (budget.local_turns, budget.cloud_turns) == (1, 0)


async def test_plain_safety_task_without_claude_gets_the_safe_answer(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=None, ai_task=DEFAULT_AI_TASK_OPTIONS)
    result = await generate(hass, SAFETY)
    assert result.data == english(safe_medical_answer())
    assert scripted.requests == []  # not the small model's answer
