"""Claude escalation with the real ``anthropic`` SDK against a fake Messages API on loopback.

Real SSE streams (text, tool_use, usage), HTTP errors (401, 429, 529, 500), slow and broken
streams, the budget, the reauth and reconfigure flows, the options, and the API key kept out
of logs and diagnostics.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx
import pytest
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_RECONFIGURE, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import chat_session, llm
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util.json import JsonObjectType
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.atlas.agent.spoken import (
    emergency_answer,
    fallback_note,
    safe_medical_answer,
)
from custom_components.atlas.cloud import claude
from custom_components.atlas.cloud.budget import (
    DEFAULT_PRICES,
    NANOS_PER_USD,
    Budget,
    worst_case_nanos,
)
from custom_components.atlas.cloud.claude import (
    MAX_TOKENS_SIMPLE,
    REASON_BUDGET,
    REASON_DISABLED,
    REASON_NETWORK,
    REASON_NO_KEY,
    REASON_OVERLOADED,
    REASON_RATE_LIMITED,
    REASON_SERVER_ERROR,
    REASON_TIMEOUT,
    ClaudeStats,
    CloudAuthFailed,
    CloudUnavailable,
    async_claude_turn,
    async_stream_claude,
)
from custom_components.atlas.cloud.messages import (
    build_claude_request,
    claude_tool_name,
    convert_messages,
    estimate_input_tokens,
)
from custom_components.atlas.cloud.settings import (
    CONF_CLOUD,
    CONF_CLOUD_MODE,
    CONF_CONTEXT_SHARING,
    CONF_MODEL_COMPLEX,
    CONF_MODEL_SIMPLE,
    CONF_MONTHLY_BUDGET,
    CONF_PRICES,
    cloud_settings,
)
from custom_components.atlas.const import DOMAIN
from custom_components.atlas.skills.api import ATLAS_API_ID
from tests.servers.wyoming_io import free_port

from .conftest import form_schema, setup_atlas
from .fake_anthropic import API_KEY, ClaudeReply, FakeAnthropic, ToolUse, claude_data
from .scripted_llm import ScriptedLLM
from .spoken import english, in_language

AGENT = "conversation.atlas_conversation"
NEW_KEY = "sk-ant-api03-renewed-test-key-9876543210"
PROMPT = "You are ATLAS, a voice assistant."
# Tool names as Claude sees them (the agent merges the assist and atlas APIs).
TURN_ON = "assist__intent__HassTurnOn"
LIVE_CONTEXT = "assist__homeassistant__GetLiveContext"


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    server = FakeAnthropic()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API may stay silent for 0.3 s before the client gives up."""
    monkeypatch.setattr(claude, "REQUEST_TIMEOUT", 0.3)


async def entry_for(
    hass: HomeAssistant,
    box: ScriptedLLM,
    fake: FakeAnthropic,
    *,
    api_key: str | None = API_KEY,
    **entry: Any,
) -> MockConfigEntry:
    return await setup_atlas(hass, box.port, data=claude_data(fake.base_url, api_key), **entry)


def budget_of(entry: MockConfigEntry) -> Budget:
    budget: Budget | None = entry.runtime_data.budget
    assert budget is not None
    return budget


def user_input(text: str, conversation_id: str | None = None) -> conversation.ConversationInput:
    return conversation.ConversationInput(
        text=text,
        context=Context(),
        conversation_id=conversation_id,
        device_id=None,
        satellite_id=None,
        language="en",
        agent_id=AGENT,
    )


async def cloud_turn(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    text: str,
    *,
    route: str = "cloud-simple",
    conversation_id: str | None = None,
    deltas: list[dict[str, Any]] | None = None,
    apis: list[str] | None = None,
) -> tuple[conversation.ChatLog, ClaudeStats]:
    """One cloud turn in a real chat log (the agent's ``assist`` and ``atlas`` APIs)."""
    turn = user_input(text, conversation_id)

    def listener(_chat_log: conversation.ChatLog, delta: dict[str, Any]) -> None:
        if deltas is not None:
            deltas.append(delta)

    with (
        chat_session.async_get_chat_session(hass, conversation_id) as session,
        conversation.async_get_chat_log(
            hass, session, turn, chat_log_delta_listener=listener
        ) as chat_log,
    ):
        await chat_log.async_provide_llm_data(
            turn.as_llm_context(DOMAIN),
            apis or [llm.LLM_API_ASSIST, ATLAS_API_ID],
            PROMPT,
            None,
        )
        stats = await async_claude_turn(entry.runtime_data.claude, chat_log, AGENT, route=route)
    return chat_log, stats


def last_reply(chat_log: conversation.ChatLog) -> str | None:
    content = chat_log.content[-1]
    assert isinstance(content, conversation.AssistantContent)
    return content.content


# --- streaming ----------------------------------------------------------------------------------


async def test_text_streams_as_deltas_and_its_usage_is_billed(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake)
    fake.add(
        ClaudeReply(
            "Your squat went up ten kilos this month.",
            input_tokens=1000,
            cache_read_input_tokens=2000,
            cache_creation_input_tokens=500,
            output_tokens=50,
        )
    )
    deltas: list[dict[str, Any]] = []

    chat_log, stats = await cloud_turn(hass, entry, "How did my squat progress?", deltas=deltas)

    assert last_reply(chat_log) == "Your squat went up ten kilos this month."
    pieces = [d["content"] for d in deltas if d.get("content")]
    assert len(pieces) == 8  # word by word, as they arrived
    assert "".join(pieces) == "Your squat went up ten kilos this month."
    (request,) = fake.message_requests
    assert request["model"] == "claude-haiku-4-5"
    assert request["stream"] is True
    assert request["max_tokens"] == claude.MAX_TOKENS_SIMPLE
    (system,) = request["system"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert system["text"].startswith(PROMPT)
    assert request["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "How did my squat progress?"}]}
    ]
    names = {tool["name"] for tool in request["tools"]}
    assert any(name.startswith("atlas__") for name in names)  # the ATLAS skills
    assert any(name.endswith("HassTurnOn") for name in names)  # HA Assist
    assert all(claude_tool_name(name) == name for name in names)
    # 1000 x $1 + 2000 x $0.10 + 500 x $1.25 + 50 x $5 per million tokens on Haiku.
    assert stats.cost_usd == pytest.approx(0.002075)
    assert stats.calls == 1
    assert stats.first_token_at is not None
    budget = budget_of(entry)
    assert budget.spend_usd == pytest.approx(0.002075)
    assert budget.calls == 1
    assert budget.reserved_usd == 0


async def test_claude_tool_calls_run_in_home_assistant(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake)
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen light"})
    async_expose_entity(hass, conversation.DOMAIN, "light.kitchen", True)
    calls = async_mock_service(hass, "light", "turn_on")
    turn_on = ToolUse(TURN_ON, {"name": "Kitchen light"})
    fake.add(ClaudeReply("Sure.", tool_uses=[turn_on]), ClaudeReply("The kitchen light is on."))

    chat_log, stats = await cloud_turn(
        hass, entry, "Turn on the kitchen light", route="cloud-complex"
    )

    assert [c.data["entity_id"] for c in calls] == [["light.kitchen"]]
    assert last_reply(chat_log) == "The kitchen light is on."
    assert stats.tools == [TURN_ON]
    assert stats.calls == 2
    first, second = fake.message_requests
    assert first["model"] == second["model"] == "claude-sonnet-4-5"
    assert any(tool["name"] == TURN_ON for tool in first["tools"])
    assistant, results = second["messages"][-2:]
    assert assistant == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Sure."},
            {
                "type": "tool_use",
                "id": turn_on.id,
                "name": TURN_ON,
                "input": {"name": "Kitchen light"},
            },
        ],
    }
    (result,) = results["content"]
    assert result["type"] == "tool_result"
    assert result["tool_use_id"] == turn_on.id
    assert "Kitchen light" in result["content"]
    tool_calls = [
        c for c in chat_log.content if isinstance(c, conversation.AssistantContent) and c.tool_calls
    ]
    assert tool_calls[0].tool_calls == [
        llm.ToolInput(id=turn_on.id, tool_name=TURN_ON, tool_args={"name": "Kitchen light"})
    ]


class OddNamesAPI(llm.API):
    """An LLM API whose tool name Claude would refuse as it is."""

    async def async_get_api_instance(self, llm_context: llm.LLMContext) -> llm.APIInstance:
        return llm.APIInstance(self, "Odd tools.", llm_context, [OddTool()])


class OddTool(llm.Tool):
    name = "odd.tool name"
    description = "A tool with dots and spaces in its name."
    integration = DOMAIN

    async def async_call(
        self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext
    ) -> JsonObjectType:
        return {"ok": True}


async def test_stream_gives_tool_inputs_under_their_ha_names(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake)
    llm.async_register_api(hass, OddNamesAPI(hass=hass, id="odd", name="Odd"))
    sent_name = claude_tool_name("odd.tool name")
    assert sent_name.startswith("odd_tool_name_")
    assert sent_name == claude_tool_name("odd.tool name")  # stable
    odd = ToolUse(sent_name, {"level": 3})
    fake.add(ClaudeReply(tool_uses=[odd]))
    turn = user_input("Do the odd thing")
    with (
        chat_session.async_get_chat_session(hass) as session,
        conversation.async_get_chat_log(hass, session, turn) as chat_log,
    ):
        await chat_log.async_provide_llm_data(turn.as_llm_context(DOMAIN), ["odd"], PROMPT, None)
        request = build_claude_request(chat_log, minimal_context=False)
        assert [t["name"] for t in request.tools] == [sent_name]
        deltas = [
            delta
            async for delta in async_stream_claude(
                entry.runtime_data.claude,
                chat_log,
                model="claude-haiku-4-5",
                system=request.system,
                messages=request.messages,
                tools=request.tools,
                max_tokens=100,
            )
        ]
    assert deltas == [
        {"role": "assistant"},
        {
            "tool_calls": [
                llm.ToolInput(id=odd.id, tool_name="odd.tool name", tool_args={"level": 3})
            ]
        },
    ]


# --- the HTTP client ----------------------------------------------------------------------------


async def test_client_is_on_home_assistants_shared_httpx_client_where_the_sdk_takes_it(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    # HA core's pin (SDK 0.x) is built on httpx, as HA is; SDK 2.x is built on httpx2.
    shares = issubclass(anthropic.DefaultAsyncHttpxClient, httpx.AsyncClient)
    assert claude.SHARES_HA_HTTP_CLIENT is shares
    entry = await entry_for(hass, box, fake)
    fake.add(ClaudeReply("Hello."))
    chat_log, _ = await cloud_turn(hass, entry, "Hi")
    assert last_reply(chat_log) == "Hello."
    client = entry.runtime_data.claude.client
    assert isinstance(client, anthropic.AsyncAnthropic)
    http_client = client._client  # the SDK keeps it here in 0.x and 2.x
    assert (http_client is get_async_client(hass)) is shares
    assert client.max_retries == 0
    assert client.timeout == anthropic.Timeout(claude.REQUEST_TIMEOUT, connect=5.0)

    assert await hass.config_entries.async_unload(entry.entry_id)
    # HA's shared client stays open for everyone else; a client of its own is closed.
    assert http_client.is_closed is not shares


# --- falling back -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A failing reply, the reason it gives, whether the reply had started, whether billed."""

    reply: ClaudeReply
    reason: str
    started: bool = False
    billed: bool = False


FAILURES = {
    "429": Failure(ClaudeReply.error(429), REASON_RATE_LIMITED),
    "529": Failure(ClaudeReply.error(529), REASON_OVERLOADED),
    "500": Failure(ClaudeReply.error(500), REASON_SERVER_ERROR),
    "overloaded-mid-stream": Failure(
        ClaudeReply(stream_error="overloaded_error"), REASON_OVERLOADED, billed=True
    ),
    "slow-start": Failure(ClaudeReply("Too late.", delay=2), REASON_TIMEOUT),
    "stalled": Failure(
        ClaudeReply("Half an answer.", stall=2), REASON_TIMEOUT, started=True, billed=True
    ),
    "dropped": Failure(ClaudeReply("Dropped.", drop=True), REASON_NETWORK, billed=True),
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
@pytest.mark.usefixtures("short_timeout")
async def test_failures_raise_cloud_unavailable(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic, failure: Failure
) -> None:
    entry = await entry_for(hass, box, fake)
    fake.add(failure.reply)
    with pytest.raises(CloudUnavailable) as caught:
        await cloud_turn(hass, entry, "Plan my next training block")
    assert not isinstance(caught.value, CloudAuthFailed)
    assert caught.value.reason == failure.reason
    assert caught.value.started is failure.started
    # Each failure is spoken as itself: slow, busy, or else unreachable.
    expected = {REASON_TIMEOUT: "taking too long", REASON_RATE_LIMITED: "busy right now",
                REASON_OVERLOADED: "busy right now"}.get(failure.reason, "can't reach")  # fmt: skip
    assert expected in english(fallback_note(failure.reason))
    budget = budget_of(entry)
    assert budget.reserved_usd == 0
    if failure.billed:  # the input as reported, the output at its worst case
        assert budget.spend_usd == pytest.approx((100 * 1 + 512 * 5) / 1e6)
        assert budget.calls == 1
    else:
        assert budget.spend_usd == 0
        assert budget.calls == 0
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_connection_refused_is_a_network_failure(
    hass: HomeAssistant, box: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, box.port, data=claude_data(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(CloudUnavailable) as caught:
        await cloud_turn(hass, entry, "Plan my next training block")
    assert caught.value.reason == REASON_NETWORK
    assert budget_of(entry).spend_usd == 0


async def test_rejected_key_starts_reauth_and_a_new_key_restores_claude(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = await entry_for(hass, box, fake, api_key="sk-ant-api03-revoked-key")
    with pytest.raises(CloudAuthFailed) as caught:
        await cloud_turn(hass, entry, "Plan my week")
    assert caught.value.reason == "auth"
    assert english(fallback_note("auth")) == (
        "I couldn't sign in to the cloud assistant, so I'll answer myself."
    )
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_KEY: "sk-ant-api03-still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    fake.api_keys.add(NEW_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_KEY: f" {NEW_KEY} "}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_API_KEY] == NEW_KEY

    fake.add(ClaudeReply("Back online."))
    chat_log, _ = await cloud_turn(hass, entry, "Plan my week")
    assert last_reply(chat_log) == "Back online."
    assert fake.requests[-1].api_key == NEW_KEY
    for key in ("sk-ant-api03-revoked-key", "sk-ant-api03-still-wrong", NEW_KEY):
        assert key not in caplog.text


async def test_reauth_of_an_unloaded_entry_survives_a_broken_check_and_reloads_it(
    hass: HomeAssistant,
    box: ScriptedLLM,
    fake: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from custom_components.atlas import config_flow

    entry = await entry_for(hass, box, fake, api_key="sk-ant-api03-revoked-key")
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"

    real_check = config_flow.async_validate_api_key

    async def broken(*args: Any) -> str | None:
        raise RuntimeError("the SDK blew up")

    monkeypatch.setattr(config_flow, "async_validate_api_key", broken)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    assert result["errors"] == {"base": "unknown"}  # a form error, not a crashed flow
    assert "Unexpected error while checking the Claude API key" in caplog.text
    assert NEW_KEY not in caplog.text

    monkeypatch.setattr(config_flow, "async_validate_api_key", real_check)
    fake.api_keys.add(NEW_KEY)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_API_KEY] == NEW_KEY
    assert entry.state is ConfigEntryState.LOADED  # the unloaded entry was set up again


async def test_a_call_that_could_exceed_the_budget_is_not_made(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    # The worst case of a Haiku call (512 tokens out alone: $0.00256) exceeds $0.002.
    entry = await entry_for(hass, box, fake, options={CONF_CLOUD: {CONF_MONTHLY_BUDGET: 0.002}})
    with pytest.raises(CloudUnavailable) as caught:
        await cloud_turn(hass, entry, "Plan my week")
    assert caught.value.reason == REASON_BUDGET
    assert english(fallback_note(REASON_BUDGET)) == (
        "This month's cloud budget is used up, so I'll answer myself."
    )
    assert fake.message_requests == []


async def test_budget_runs_out_between_tool_rounds(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    text = "What's going on at home?"
    entry = await entry_for(hass, box, fake)
    turn = user_input(text)
    with (
        chat_session.async_get_chat_session(hass) as session,
        conversation.async_get_chat_log(hass, session, turn) as chat_log,
    ):
        await chat_log.async_provide_llm_data(
            turn.as_llm_context(DOMAIN), [llm.LLM_API_ASSIST, ATLAS_API_ID], PROMPT, None
        )
        first = build_claude_request(chat_log, minimal_context=False)
    estimate = estimate_input_tokens(first.system, first.messages, first.tools)
    worst = worst_case_nanos(DEFAULT_PRICES["claude-haiku-4-5"], estimate, MAX_TOKENS_SIMPLE)
    # Room for one and a half worst cases of the first round.
    hass.config_entries.async_update_entry(
        entry, options={CONF_CLOUD: {CONF_MONTHLY_BUDGET: 1.5 * worst / NANOS_PER_USD}}
    )
    await hass.async_block_till_done()
    fake.add(
        ClaudeReply(tool_uses=[ToolUse(LIVE_CONTEXT)], input_tokens=estimate),
        ClaudeReply("Never sent."),
    )

    with pytest.raises(CloudUnavailable) as caught:
        await cloud_turn(hass, entry, text)

    assert caught.value.reason == REASON_BUDGET
    assert caught.value.started  # the first round's tool call is in the chat log
    assert len(fake.message_requests) == 1
    budget = budget_of(entry)
    assert budget.calls == 1
    assert budget.spend_usd <= budget.cap_usd


async def test_cloud_off_or_without_key_is_unavailable(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake, options={CONF_CLOUD: {CONF_CLOUD_MODE: "never"}})
    assert not cloud_settings(entry).enabled
    with pytest.raises(CloudUnavailable) as caught:
        await cloud_turn(hass, entry, "Plan my week")
    assert caught.value.reason == REASON_DISABLED
    assert await hass.config_entries.async_unload(entry.entry_id)

    keyless = await setup_atlas(hass, box.port, data=claude_data(fake.base_url, api_key=None))
    with pytest.raises(CloudUnavailable) as caught:
        await cloud_turn(hass, keyless, "Plan my week")
    assert caught.value.reason == REASON_NO_KEY
    assert fake.message_requests == []


def test_safe_answer_points_to_professionals_and_an_emergency_to_its_number() -> None:
    answer = english(safe_medical_answer())
    assert "doctor" in answer
    assert not any(number in answer for number in ("112", "911", "999"))  # no false alarm
    assert english(emergency_answer("us")).startswith("Call 911 now.")
    assert english(emergency_answer("AU")).startswith("Call 000 now.")
    assert english(emergency_answer()).startswith("Call your local emergency number now")
    assert in_language(emergency_answer("DE"), "de").startswith("Ruf jetzt die 112 an.")


# --- what leaves the house ----------------------------------------------------------------------


async def test_history_goes_along_and_local_tool_calls_are_paired(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake)
    fake.add(
        ClaudeReply(tool_uses=[ToolUse(LIVE_CONTEXT)]),
        ClaudeReply("Everything is quiet."),
        ClaudeReply("You asked about home."),
    )
    first_log, _ = await cloud_turn(hass, entry, "What's going on at home?")
    await cloud_turn(hass, entry, "What did I ask?", conversation_id=first_log.conversation_id)

    messages = fake.message_requests[-1]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[1]["content"][0]["type"] == "tool_use"
    assert messages[2]["content"][0]["type"] == "tool_result"
    assert messages[3]["content"] == [{"type": "text", "text": "Everything is quiet."}]
    assert messages[4]["content"] == [{"type": "text", "text": "What did I ask?"}]


async def test_minimal_context_sends_only_the_request_and_instructions(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(
        hass, box, fake, options={CONF_CLOUD: {CONF_CONTEXT_SHARING: "minimal"}}
    )
    hass.states.async_set("light.kitchen", "on", {"friendly_name": "Kitchen light"})
    async_expose_entity(hass, conversation.DOMAIN, "light.kitchen", True)
    fake.add(ClaudeReply("First."), ClaudeReply("Second."))
    first_log, _ = await cloud_turn(hass, entry, "Secret first question")
    chat_log, _ = await cloud_turn(
        hass, entry, "Second question", conversation_id=first_log.conversation_id
    )

    request = fake.message_requests[-1]
    assert request["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Second question"}]}
    ]
    assert "tools" not in request
    system = request["system"][0]["text"]
    assert system.startswith(PROMPT)
    assert chat_log.llm_api is not None
    assert chat_log.llm_api.api_prompt not in system
    assert "Secret" not in str(request)
    assert "Kitchen" not in str(request)


def test_conversion_keeps_only_answered_tool_calls_with_unique_ids() -> None:
    agent = "conversation.atlas"
    contents: list[conversation.Content] = [
        conversation.AssistantContent(agent, "Hello, I'm ATLAS."),  # before any user message
        conversation.UserContent("Turn on the light"),
        conversation.AssistantContent(
            agent, tool_calls=[llm.ToolInput("HassTurnOn", {"name": "x"}, id="call 1")]
        ),
        conversation.ToolResultContent(agent, "call 1", "HassTurnOn", llm.ToolResult({"ok": 1})),
        conversation.AssistantContent(agent, "Done."),
        conversation.UserContent("And the fan"),
        conversation.AssistantContent(
            agent,
            tool_calls=[
                llm.ToolInput("HassTurnOn", {"name": "fan"}, id="call 1"),  # the same id again
                llm.ToolInput("HassTurnOff", {"name": "tv"}, id="never-answered"),
            ],
        ),
        conversation.ToolResultContent(
            agent, "call 1", "HassTurnOn", llm.ToolResult({"error": "no fan"}, error=True)
        ),
        conversation.ToolResultContent(agent, "stray", "HassTurnOn", llm.ToolResult({})),
        conversation.UserContent("Never mind"),
    ]
    messages = convert_messages(contents)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3 + ["user"]
    assert messages[0]["content"] == [{"type": "text", "text": "Turn on the light"}]
    assert messages[1]["content"] == [
        {"type": "tool_use", "id": "call_1", "name": "HassTurnOn", "input": {"name": "x"}}
    ]
    assert messages[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "call_1", "content": '{"ok": 1}'}
    ]
    assert messages[3]["content"] == [{"type": "text", "text": "Done."}]
    assert messages[5]["content"] == [
        {"type": "tool_use", "id": "call_1_2", "name": "HassTurnOn", "input": {"name": "fan"}}
    ]
    assert messages[6]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "call_1_2",
            "content": '{"error": "no fan"}',
            "is_error": True,
        },
        {"type": "text", "text": "Never mind"},
    ]


# --- flows --------------------------------------------------------------------------------------


async def reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, box: ScriptedLLM, api_key: str
) -> Any:
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert CONF_API_KEY in result["data_schema"].schema
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: box.port, CONF_API_KEY: api_key}
    )


async def test_reconfigure_checks_and_saves_the_key(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake, api_key=None)

    result = await reconfigure(hass, entry, box, "sk-ant-api03-wrong")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert fake.requests[-1].path == "/v1/models"
    assert CONF_API_KEY not in entry.data

    result = await reconfigure(hass, entry, box, API_KEY)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_API_KEY] == API_KEY

    # Leaving the key empty keeps it.
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: box.port}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_API_KEY] == API_KEY


async def test_reconfigure_reports_an_unreachable_anthropic(
    hass: HomeAssistant, box: ScriptedLLM
) -> None:
    entry = await setup_atlas(
        hass, box.port, data=claude_data(f"http://127.0.0.1:{free_port()}", api_key=None)
    )
    result = await reconfigure(hass, entry, box, API_KEY)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "claude_cannot_connect"}
    assert hass.config_entries.flow.async_get(result["flow_id"])["context"]["source"] == (
        SOURCE_RECONFIGURE
    )


async def test_options_flow_sets_the_cloud_options(
    hass: HomeAssistant, box: ScriptedLLM, fake: FakeAnthropic
) -> None:
    entry = await entry_for(hass, box, fake)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    section = form_schema(result).schema["cloud"]
    suggested = {
        str(key): key.description["suggested_value"]
        for key in section.schema.schema
        if key.description
    }
    assert suggested[CONF_CLOUD_MODE] == "auto"
    assert suggested[CONF_CONTEXT_SHARING] == "conversation"
    assert suggested[CONF_MODEL_SIMPLE] == "claude-haiku-4-5"
    assert suggested[CONF_MODEL_COMPLEX] == "claude-sonnet-4-5"
    assert suggested[CONF_MONTHLY_BUDGET] == 20.0
    assert suggested[CONF_PRICES]["claude-sonnet-4-5"]["output"] == 15.0

    prices = {
        "claude-opus-4-1": {"input": 15, "cached_input": 1.5, "cache_write": 18.75, "output": 75}
    }
    cloud = {
        CONF_CLOUD_MODE: "auto",
        CONF_CONTEXT_SHARING: "minimal",
        CONF_MODEL_SIMPLE: "claude-opus-4-1",
        CONF_MODEL_COMPLEX: "claude-opus-4-1",
        CONF_MONTHLY_BUDGET: 5,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CLOUD: {**cloud, CONF_PRICES: {"claude-opus-4-1": {"input": 1}}}}
    )
    assert result["errors"] == {"base": "invalid_prices"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CLOUD: cloud}
    )
    assert result["errors"] == {"base": "missing_price"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CLOUD: {**cloud, CONF_PRICES: prices}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    settings = cloud_settings(entry)
    assert settings.minimal_context
    assert settings.model_for("cloud-simple") == "claude-opus-4-1"
    assert settings.monthly_budget_usd == 5.0
    assert budget_of(entry).cap_usd == 5.0
    assert "claude-opus-4-1" in settings.prices


# --- the key stays secret -----------------------------------------------------------------------


async def test_api_key_is_never_logged_nor_in_diagnostics(
    hass: HomeAssistant,
    box: ScriptedLLM,
    fake: FakeAnthropic,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = await entry_for(hass, box, fake)
    fake.add(ClaudeReply("Fine."), ClaudeReply.error(401))
    await cloud_turn(hass, entry, "Hello")
    with pytest.raises(CloudAuthFailed):
        await cloud_turn(hass, entry, "Hello again")
    await hass.async_block_till_done()
    settings_repr = repr(cloud_settings(entry))

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert fake.requests[0].api_key == API_KEY  # it was sent
    assert any(record.name.startswith("anthropic") for record in caplog.records)
    assert API_KEY not in caplog.text
    assert API_KEY[-12:] not in caplog.text
    assert API_KEY not in str(diagnostics)
    assert diagnostics["data"][CONF_API_KEY] == "**REDACTED**"
    assert API_KEY not in settings_repr


async def test_translations_cover_the_cloud_settings(hass: HomeAssistant) -> None:
    prefix = f"component.{DOMAIN}"
    options = await async_get_translations(hass, "en", "options", [DOMAIN])
    cloud = f"{prefix}.options.step.init.sections.cloud"
    assert options[f"{cloud}.name"] == "Claude (cloud)"
    for key in (
        CONF_CLOUD_MODE,
        CONF_CONTEXT_SHARING,
        CONF_MODEL_SIMPLE,
        CONF_MODEL_COMPLEX,
        CONF_MONTHLY_BUDGET,
        CONF_PRICES,
    ):
        assert options[f"{cloud}.data.{key}"]
        assert options[f"{cloud}.data_description.{key}"]
    for error in ("invalid_prices", "missing_price"):
        assert options[f"{prefix}.options.error.{error}"]
    config = await async_get_translations(hass, "en", "config", [DOMAIN])
    for key in ("error.invalid_auth", "error.claude_cannot_connect", "abort.reauth_successful"):
        assert config[f"{prefix}.config.{key}"]
    assert "{name}" in config[f"{prefix}.config.step.reauth_confirm.description"]
    assert config[f"{prefix}.config.step.reconfigure.data.api_key"] == "Claude API key"
    selector = await async_get_translations(hass, "en", "selector", [DOMAIN])
    for key in ("cloud_mode.options.auto", "cloud_mode.options.never"):
        assert selector[f"{prefix}.selector.{key}"]
    for key in ("context_sharing.options.conversation", "context_sharing.options.minimal"):
        assert selector[f"{prefix}.selector.{key}"]
