"""Config flow and the conversation-agent and AI task subentry flows, against a real atlas-llm."""

from __future__ import annotations

from ipaddress import ip_address
from unittest.mock import patch

import pytest
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    SOURCE_ZEROCONF,
    ConfigEntryState,
    SubentryFlowContext,
)
from homeassistant.const import CONF_HOST, CONF_LLM_HASS_API, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import llm
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.helpers.translation import async_get_translations
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.atlas.const import (
    CONF_MAX_HISTORY_TOKENS,
    CONF_MAX_SPOKEN_SENTENCES,
    CONF_MAX_SPOKEN_WORDS,
    CONF_MAX_TOOL_ROUNDS,
    CONF_PROMPT,
    CONF_REWORD_SKILL_REPLIES,
    CONF_THINKING,
    DEFAULT_AI_TASK_NAME,
    DEFAULT_CONVERSATION_NAME,
    DEFAULT_MAX_HISTORY_TOKENS,
    DEFAULT_MAX_TOOL_ROUNDS,
    DEFAULT_PORT,
    DEFAULT_PROMPT,
    DOMAIN,
    SUBENTRY_AI_TASK,
)
from custom_components.atlas.skills.api import ATLAS_API_ID
from tests.servers.wyoming_io import ServerProcess

from .conftest import HOST, MODEL, box_entry, form_schema, state_of

pytestmark = pytest.mark.usefixtures("ha_core")

DEFAULT_AGENT = {
    CONF_PROMPT: DEFAULT_PROMPT,
    CONF_LLM_HASS_API: [llm.LLM_API_ASSIST, ATLAS_API_ID],
    CONF_THINKING: "auto",
    CONF_MAX_HISTORY_TOKENS: 1500,
    CONF_MAX_TOOL_ROUNDS: 4,
    CONF_MAX_SPOKEN_SENTENCES: 3,
    CONF_MAX_SPOKEN_WORDS: 60,
}
DEFAULT_AI_TASK = {CONF_THINKING: "off", CONF_MAX_TOOL_ROUNDS: 4}


def zeroconf_info(port: int | None, hostname: str = "atlas-box.local.") -> ZeroconfServiceInfo:
    """What HA's zeroconf integration hands over for a ``_wyoming._tcp`` service."""
    return ZeroconfServiceInfo(
        ip_address=ip_address(HOST),
        ip_addresses=[ip_address(HOST)],
        port=port,
        hostname=hostname,
        type="_wyoming._tcp.local.",
        name="atlas-llm._wyoming._tcp.local.",
        properties={},
    )


# --- user step ---------------------------------------------------------------------------------


async def test_user_flow_creates_entry_with_default_agent(
    hass: HomeAssistant, atlas_box: ServerProcess
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: f" {HOST} ", CONF_PORT: atlas_box.port}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"ATLAS ({MODEL})"
    assert result["data"] == {CONF_HOST: HOST, CONF_PORT: atlas_box.port}
    entry = result["result"]
    assert entry.unique_id == f"{HOST}:{atlas_box.port}"
    agent, task = entry.subentries.values()
    assert agent.subentry_type == "conversation"
    assert agent.title == DEFAULT_CONVERSATION_NAME
    assert dict(agent.data) == DEFAULT_AGENT
    # An AI Task entity comes with the entry too, as with core's AI integrations.
    assert task.subentry_type == SUBENTRY_AI_TASK
    assert task.title == DEFAULT_AI_TASK_NAME
    assert dict(task.data) == DEFAULT_AI_TASK
    assert state_of(entry) is ConfigEntryState.LOADED
    assert hass.states.get("conversation.atlas_conversation") is not None
    assert hass.states.get("ai_task.atlas_ai_task") is not None


async def test_user_form_defaults_to_port_10400(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    schema = form_schema(result)({CONF_HOST: "gpu-box.lan"})
    assert schema == {CONF_HOST: "gpu-box.lan", CONF_PORT: DEFAULT_PORT}


async def test_user_flow_cannot_connect_then_recovers(
    hass: HomeAssistant, atlas_box: ServerProcess, closed_port: int
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: closed_port}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert not hass.config_entries.async_entries(DOMAIN)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: atlas_box.port}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PORT] == atlas_box.port


async def test_user_flow_not_atlas(hass: HomeAssistant, plain_wyoming: int) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: plain_wyoming}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_atlas"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_user_flow_unexpected_error(hass: HomeAssistant, closed_port: int) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    with patch(
        "custom_components.atlas.config_flow.AtlasClient.async_describe",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: HOST, CONF_PORT: closed_port}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}


async def test_user_flow_already_configured(hass: HomeAssistant, atlas_box: ServerProcess) -> None:
    box_entry(atlas_box.port).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: atlas_box.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# --- zeroconf ----------------------------------------------------------------------------------


async def test_zeroconf_discovers_atlas_llm(hass: HomeAssistant, atlas_box: ServerProcess) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(atlas_box.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "model": MODEL,
        "host": HOST,
        "port": str(atlas_box.port),
        "n_ctx": "4096",
    }
    (progress,) = hass.config_entries.flow.async_progress()
    assert progress["context"]["title_placeholders"] == {"name": f"ATLAS ({MODEL})"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"ATLAS ({MODEL})"
    assert result["data"] == {CONF_HOST: HOST, CONF_PORT: atlas_box.port}
    assert result["result"].unique_id == f"{HOST}:{atlas_box.port}"
    agent, task = result["result"].subentries.values()
    assert dict(agent.data) == DEFAULT_AGENT
    assert dict(task.data) == DEFAULT_AI_TASK


async def test_zeroconf_ignores_other_wyoming_services(
    hass: HomeAssistant, plain_wyoming: int
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(plain_wyoming)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_atlas"


async def test_zeroconf_service_gone(hass: HomeAssistant, closed_port: int) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(closed_port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


async def test_zeroconf_without_port(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(None)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_atlas"


@pytest.mark.parametrize("configured_host", [HOST, "atlas-box.local"])
async def test_zeroconf_already_configured(
    hass: HomeAssistant, atlas_box: ServerProcess, configured_host: str
) -> None:
    """A box added by address or by mDNS name is not offered again."""
    box_entry(atlas_box.port, host=configured_host).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_info(atlas_box.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# --- reconfigure -------------------------------------------------------------------------------


async def test_reconfigure_moves_a_retrying_entry_to_the_box(
    hass: HomeAssistant, atlas_box: ServerProcess, closed_port: int, plain_wyoming: int
) -> None:
    """Another server took the box's port: the entry waits to retry until it is pointed at
    the box (a box that is merely down does not block set-up)."""
    entry = box_entry(plain_wyoming)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert form_schema(result)({}) == {CONF_HOST: HOST, CONF_PORT: plain_wyoming}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: closed_port}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: atlas_box.port}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {CONF_HOST: HOST, CONF_PORT: atlas_box.port}
    assert entry.unique_id == f"{HOST}:{atlas_box.port}"
    assert state_of(entry) is ConfigEntryState.LOADED


async def test_reconfigure_reloads_a_loaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, atlas_box: ServerProcess
) -> None:
    old_runtime = loaded_entry.runtime_data
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "localhost", CONF_PORT: atlas_box.port}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.unique_id == f"localhost:{atlas_box.port}"
    assert state_of(loaded_entry) is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data is not old_runtime
    assert loaded_entry.runtime_data.client.host == "localhost"


async def test_reconfigure_refuses_another_entrys_box(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, closed_port: int
) -> None:
    other = box_entry(closed_port)
    other.add_to_hass(hass)
    result = await other.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], dict(loaded_entry.data)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert other.data[CONF_PORT] == closed_port


async def test_reconfigure_not_atlas(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, plain_wyoming: int
) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: plain_wyoming}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_atlas"}
    assert loaded_entry.data[CONF_PORT] != plain_wyoming


# --- conversation agent subentries -------------------------------------------------------------


async def test_add_conversation_agent(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "conversation"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    # The form starts from the defaults.
    defaults = form_schema(result)({CONF_NAME: "x"})
    assert defaults[CONF_THINKING] == "auto"
    assert defaults[CONF_MAX_HISTORY_TOKENS] == DEFAULT_MAX_HISTORY_TOKENS
    assert defaults[CONF_MAX_TOOL_ROUNDS] == DEFAULT_MAX_TOOL_ROUNDS
    assert defaults[CONF_REWORD_SKILL_REPLIES] is False  # skill replies are spoken as built
    assert defaults[CONF_MAX_SPOKEN_SENTENCES] == 3  # a model's reply: short, for voice
    assert defaults[CONF_MAX_SPOKEN_WORDS] == 60

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Coach",
            CONF_PROMPT: "You are a strict running coach.",
            CONF_LLM_HASS_API: [llm.LLM_API_ASSIST],
            CONF_THINKING: "on",
            CONF_MAX_HISTORY_TOKENS: 2000.0,
            CONF_MAX_TOOL_ROUNDS: 6.0,
            CONF_MAX_SPOKEN_SENTENCES: 2.0,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Coach"
    coach = next(s for s in loaded_entry.subentries.values() if s.title == "Coach")
    assert dict(coach.data) == {
        CONF_PROMPT: "You are a strict running coach.",
        CONF_LLM_HASS_API: [llm.LLM_API_ASSIST],
        CONF_THINKING: "on",
        CONF_MAX_HISTORY_TOKENS: 2000,
        CONF_MAX_TOOL_ROUNDS: 6,
        CONF_MAX_SPOKEN_SENTENCES: 2,
        CONF_REWORD_SKILL_REPLIES: False,  # not asked for: the default is stored
        CONF_MAX_SPOKEN_WORDS: 60,
    }
    assert isinstance(coach.data[CONF_MAX_TOOL_ROUNDS], int)
    assert isinstance(coach.data[CONF_MAX_SPOKEN_SENTENCES], int)
    assert len(loaded_entry.subentries) == 2
    assert state_of(loaded_entry) is ConfigEntryState.LOADED


async def test_agent_options_are_bounded(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "conversation"), context={"source": SOURCE_USER}
    )
    for bad in (
        {CONF_MAX_TOOL_ROUNDS: 9},
        {CONF_MAX_HISTORY_TOKENS: 100},
        {CONF_MAX_SPOKEN_SENTENCES: 0},
        {CONF_MAX_SPOKEN_WORDS: 5},
        {CONF_THINKING: "sometimes"},
    ):
        with pytest.raises(InvalidData):
            await hass.config_entries.subentries.async_configure(
                result["flow_id"], {CONF_NAME: "Bad", **bad}
            )
    assert len(loaded_entry.subentries) == 1


async def test_reconfigure_conversation_agent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    (agent,) = loaded_entry.subentries.values()
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "conversation"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": agent.subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert CONF_NAME not in form_schema(result).schema

    old_runtime = loaded_entry.runtime_data
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_THINKING: "off",
            CONF_MAX_HISTORY_TOKENS: 800,
            CONF_MAX_TOOL_ROUNDS: 2,
            CONF_REWORD_SKILL_REPLIES: True,
            CONF_MAX_SPOKEN_WORDS: 40,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(loaded_entry.subentries[agent.subentry_id].data) == {
        CONF_THINKING: "off",
        CONF_MAX_HISTORY_TOKENS: 800,
        CONF_MAX_TOOL_ROUNDS: 2,
        CONF_REWORD_SKILL_REPLIES: True,
        CONF_MAX_SPOKEN_SENTENCES: 3,
        CONF_MAX_SPOKEN_WORDS: 40,
    }
    # The update listener reloaded the entry, so the agent runs with its new options.
    assert state_of(loaded_entry) is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data is not old_runtime


async def test_agent_flows_need_a_loaded_entry(hass: HomeAssistant, plain_wyoming: int) -> None:
    entry = box_entry(plain_wyoming)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY
    (agent,) = entry.subentries.values()
    contexts: list[SubentryFlowContext] = [
        {"source": SOURCE_USER},
        {"source": SOURCE_RECONFIGURE, "subentry_id": agent.subentry_id},
    ]
    for context in contexts:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, "conversation"), context=context
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "entry_not_loaded"
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_AI_TASK), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"


# --- AI task subentries ------------------------------------------------------------------------


async def test_add_ai_task(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, SUBENTRY_AI_TASK), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    # Only what a task uses: no prompt or LLM API (HA's AI Task integration brings those).
    assert set(form_schema(result).schema) == {CONF_NAME, CONF_THINKING, CONF_MAX_TOOL_ROUNDS}
    assert form_schema(result)({}) == {CONF_NAME: DEFAULT_AI_TASK_NAME, **DEFAULT_AI_TASK}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Summaries", CONF_THINKING: "on", CONF_MAX_TOOL_ROUNDS: 2.0}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Summaries"
    task = next(s for s in loaded_entry.subentries.values() if s.title == "Summaries")
    assert task.subentry_type == SUBENTRY_AI_TASK
    assert dict(task.data) == {CONF_THINKING: "on", CONF_MAX_TOOL_ROUNDS: 2}
    assert isinstance(task.data[CONF_MAX_TOOL_ROUNDS], int)
    # The update listener reloaded the entry, which now has the task's entity.
    assert state_of(loaded_entry) is ConfigEntryState.LOADED
    assert hass.states.get("ai_task.summaries") is not None


async def test_ai_task_options_are_bounded(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, SUBENTRY_AI_TASK), context={"source": SOURCE_USER}
    )
    # ``auto`` needs an intent, which a task does not have.
    for bad in ({CONF_THINKING: "auto"}, {CONF_MAX_TOOL_ROUNDS: 0}):
        with pytest.raises(InvalidData):
            await hass.config_entries.subentries.async_configure(
                result["flow_id"], {CONF_NAME: "Bad", **bad}
            )
    assert len(loaded_entry.subentries) == 1


async def test_reconfigure_ai_task(hass: HomeAssistant, atlas_box: ServerProcess) -> None:
    entry = box_entry(atlas_box.port, agent=None, ai_task=DEFAULT_AI_TASK)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    (task,) = entry.subentries.values()
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_AI_TASK),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": task.subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert set(form_schema(result).schema) == {CONF_THINKING, CONF_MAX_TOOL_ROUNDS}

    old_runtime = entry.runtime_data
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_THINKING: "on", CONF_MAX_TOOL_ROUNDS: 6}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.subentries[task.subentry_id].data) == {
        CONF_THINKING: "on",
        CONF_MAX_TOOL_ROUNDS: 6,
    }
    assert state_of(entry) is ConfigEntryState.LOADED
    assert entry.runtime_data is not old_runtime


async def test_ai_task_flow_translations(hass: HomeAssistant) -> None:
    """Every step, field and abort of the AI task flow has English text."""
    prefix = f"component.{DOMAIN}.config_subentries.{SUBENTRY_AI_TASK}"
    strings = await async_get_translations(hass, "en", "config_subentries", [DOMAIN])
    assert f"{prefix}.entry_type" in strings
    for reason in ("entry_not_loaded", "reconfigure_successful"):
        assert f"{prefix}.abort.{reason}" in strings
    for step, fields in (
        ("user", (CONF_NAME, CONF_THINKING, CONF_MAX_TOOL_ROUNDS)),
        ("reconfigure", (CONF_THINKING, CONF_MAX_TOOL_ROUNDS)),
    ):
        assert f"{prefix}.step.{step}.title" in strings
        for field in fields:
            assert f"{prefix}.step.{step}.data.{field}" in strings
            assert f"{prefix}.step.{step}.data_description.{field}" in strings
