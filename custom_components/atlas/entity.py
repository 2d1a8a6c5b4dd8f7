"""The ATLAS agent loop: structured pass, then streamed tool rounds against the GPU box."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import probatio
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import llm
from homeassistant.helpers.entity import Entity

from .claude import CloudUnavailable, async_claude_turn, fallback_note, safe_medical_answer
from .client import (
    AtlasClient,
    AtlasConnectionError,
    AtlasError,
    AtlasRequestError,
    AtlasServerCrashedError,
)
from .cloud_settings import cloud_settings
from .const import (
    CONF_MAX_HISTORY_TOKENS,
    CONF_MAX_TOOL_ROUNDS,
    CONF_REWORD_SKILL_REPLIES,
    CONF_THINKING,
    DEFAULT_MAX_HISTORY_TOKENS,
    DEFAULT_MAX_TOOL_ROUNDS,
    DEFAULT_THINKING,
    DOMAIN,
    LOGGER,
    THINKING_AUTO,
    THINKING_ON,
)
from .dispatch import SkillCall, handles, plan_calls, spoken_reply
from .history import build_messages, convert, estimate_tokens
from .intent_rules import CONFIDENT, understand
from .router import LOCAL as ROUTE_LOCAL
from .router import route
from .runtime import AtlasConfigEntry
from .skills.quick_answers import async_quick_answer
from .speech import speakable
from .structured import Extraction, build_request, parse

APOLOGY_UNREACHABLE = "Sorry, I can't reach the ATLAS server right now. Please try again soon."
APOLOGY_DROPPED = "Sorry, I lost the connection to the ATLAS server in the middle of that."
APOLOGY_BUSY = "Sorry, I'm busy with another request. Please ask again in a moment."
APOLOGY_FAILED = "Sorry, something went wrong while I was answering."
APOLOGY_CRASHED = (
    "Sorry, the language model on the ATLAS GPU box keeps crashing, so I can't answer that. "
    "Home Assistant's Repairs page says what to try."
)
REPLY_MAX_TOKENS = 400
STRUCTURED_CONTEXT_TURNS = 2  # earlier user turns the structured pass sees
WARM_UP_MAX_TOKENS = 1
MAX_REMEMBERED_CONVERSATIONS = 32


@dataclass
class TurnTrace:
    """What happened in one turn: for the conversation trace and the ``atlas_turn`` event."""

    extraction: Extraction | None = None
    understood_by: str | None = None  # "rules", "llm" (structured pass) or None (not needed)
    route: str = "local"
    route_reason: str = ""
    safety: bool = False
    answered_by: str = "llm"  # "skill" (quick answer), "cloud", "safety" (fixed safe answer)
    fallback: str | None = None  # why a cloud route was answered locally
    cloud: dict[str, Any] = field(default_factory=dict)
    think: bool = False
    tools: list[str] = field(default_factory=list)
    rounds: int = 0
    structured_ms: float = 0.0
    ttft_ms: float | None = None
    total_ms: float = 0.0
    error: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        extraction = self.extraction.as_dict() if self.extraction else {}
        return {
            "intent": extraction.get("intent"),
            "slots": extraction.get("slots", {}),
            "confidence": extraction.get("confidence"),
            "structured_valid": extraction.get("valid"),
            "understood_by": self.understood_by,
            "route": self.route,
            "route_reason": self.route_reason,
            "safety": self.safety,
            "answered_by": self.answered_by,
            "fallback": self.fallback,
            "cloud": self.cloud,
            "think": self.think,
            "tools": self.tools,
            "rounds": self.rounds,
            "timings_ms": {
                "structured": round(self.structured_ms, 1),
                "ttft": None if self.ttft_ms is None else round(self.ttft_ms, 1),
                "total": round(self.total_ms, 1),
            },
            "usage": self.usage,
            "error": self.error,
        }


def _offered_name(tool: str, offered: set[str]) -> str | None:
    """The name under which the agent's merged LLM APIs offer ATLAS's ``tool``."""
    for name in (tool, f"atlas__{tool}"):
        if name in offered:
            return name
    return None


def format_tool(tool: llm.Tool, custom_serializer: Any) -> dict[str, Any]:
    """An HA LLM tool as a protocol tool definition."""
    return {
        "name": tool.name,
        "description": tool.description or "",
        "parameters": probatio.to_openapi(
            tool.parameters, custom_serializer=custom_serializer, openapi_version="3.1.0"
        ),
    }


class AtlasBaseLLMEntity(Entity):
    """Shared base of ATLAS's LLM entities: device, availability and the chat-log loop."""

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: AtlasConfigEntry, subentry: ConfigSubentry) -> None:
        """Initialise from the box entry and the agent's subentry."""
        self.entry = entry
        self.subentry = subentry
        self._attr_unique_id = subentry.subentry_id
        # The stable head of the latest answer request (system prompt + tools), for warm-ups.
        self._answer_prefix: dict[str, Any] | None = None
        self._warming = False
        # The latest understanding per conversation: follow-ups keep what they don't change.
        self._extractions: dict[str, Extraction] = {}
        info = entry.runtime_data.info
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="ATLAS",
            model=info.model,
            sw_version=info.version,
            entry_type=dr.DeviceEntryType.SERVICE,
        )

    @property
    def available(self) -> bool:
        """Unavailable while the GPU box does not answer."""
        return self.entry.runtime_data.health.available

    async def async_added_to_hass(self) -> None:
        """Follow the box's availability."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entry.runtime_data.health.async_add_listener(self.async_write_ha_state)
        )

    @property
    def _client(self) -> AtlasClient:
        return self.entry.runtime_data.client

    async def _async_warm_up(self) -> None:
        """Have the box evaluate this agent's stable prompt prefixes before the turn arrives.

        Home Assistant prepares the agent when a voice pipeline starts listening, while the user
        is still speaking. The box then evaluates, or restores from a KV snapshot, the answer
        prompt's system prompt and tools, then the structured pass's prompt and grammar, so the
        turn pays only for the user's words, even on the first turn after the box restarted.
        A failure is left for the turn itself to report.
        """
        if self._warming or not self.available:
            return
        self._warming = True
        started = time.perf_counter()
        try:
            for request in self._warm_up_requests():
                async for _event in self._client.async_chat(request):
                    pass
        except AtlasError as err:
            LOGGER.debug("Warm-up skipped: %s", err)
        else:
            LOGGER.debug("Warm-up took %.0f ms", (time.perf_counter() - started) * 1000)
        finally:
            self._warming = False

    def _warm_up_requests(self) -> list[dict[str, Any]]:
        """The answer prefix first (the box keeps it as a snapshot), the structured pass last."""
        requests = []
        if self._answer_prefix is not None:
            requests.append(
                {**self._answer_prefix, "max_tokens": WARM_UP_MAX_TOKENS, "temperature": 0}
            )
        structured = build_request("")
        structured["max_tokens"] = WARM_UP_MAX_TOKENS
        requests.append(structured)
        return requests

    async def _async_understand(
        self, text: str, trace: TurnTrace, chat_log: conversation.ChatLog
    ) -> Extraction:
        """The cascade's first stages: the rules (< 1 ms), the LLM's pass only when unsure."""
        previous = self._extractions.get(chat_log.conversation_id)
        ruled = understand(text, previous)
        if ruled.confidence >= CONFIDENT:
            trace.understood_by = "rules"
            extraction = ruled
        else:
            extraction = await self._async_structured_pass(text, trace, chat_log)
            trace.understood_by = "llm"
        self._extractions[chat_log.conversation_id] = extraction
        while len(self._extractions) > MAX_REMEMBERED_CONVERSATIONS:
            self._extractions.pop(next(iter(self._extractions)))
        return extraction

    async def _async_structured_pass(
        self, text: str, trace: TurnTrace, chat_log: conversation.ChatLog
    ) -> Extraction:
        """Intent and slots of ``text``; earlier user turns carry slots over (context)."""
        started = time.perf_counter()
        content = ""
        earlier = [
            c.content for c in chat_log.content[:-1] if isinstance(c, conversation.UserContent)
        ][-STRUCTURED_CONTEXT_TURNS:]
        request = build_request(text, "\n".join(earlier) or None)
        async for event in self._client.async_chat(request):
            if event.kind == "stop":
                content = str(event.data.get("content", ""))
        trace.structured_ms = (time.perf_counter() - started) * 1000
        return parse(content)

    async def _async_stream(
        self, request: dict[str, Any], trace: TurnTrace, started: float, note: str | None = None
    ) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
        """atlas-llm events → chat-log deltas; thinking stays out of the spoken content.

        ``note`` (a fallback notice) is spoken first, as part of the same message.
        """
        yield {"role": "assistant"}
        if note:
            yield {"content": f"{note} "}
        async for event in self._client.async_chat(request):
            if event.kind == "delta":
                data = event.data
                if (text := data.get("content")) and (text := speakable(text)):
                    if trace.ttft_ms is None:
                        trace.ttft_ms = (time.perf_counter() - started) * 1000
                    yield {"content": text}
                elif thinking := data.get("thinking"):
                    yield {"thinking_content": thinking}
                elif call := data.get("tool_call"):
                    trace.tools.append(call["name"])
                    yield {
                        "tool_calls": [
                            llm.ToolInput(
                                id=call["id"], tool_name=call["name"], tool_args=call["arguments"]
                            )
                        ]
                    }
            elif event.kind == "stop":
                trace.usage = event.data.get("usage", {})

    def _think(self, extraction: Extraction) -> bool:
        mode = self.subentry.data.get(CONF_THINKING, DEFAULT_THINKING)
        return mode == THINKING_ON or (mode == THINKING_AUTO and extraction.needs_planning)

    async def _async_handle_chat_log(
        self, chat_log: conversation.ChatLog, user_text: str
    ) -> TurnTrace:
        """Answer the newest user message in ``chat_log``; never raises for box failures."""
        trace = TurnTrace()
        started = time.perf_counter()
        runtime = self.entry.runtime_data
        try:
            # Text-only rules first: a safety or planning question skips the structured pass.
            context = estimate_tokens(json.dumps([convert(c) for c in chat_log.content]))
            decision = route(user_text, context_tokens=context, local_window=runtime.info.n_ctx)
            if decision.route == ROUTE_LOCAL:
                trace.extraction = await self._async_understand(user_text, trace, chat_log)
                decision = route(
                    user_text,
                    context_tokens=context,
                    local_window=runtime.info.n_ctx,
                    confidence=trace.extraction.confidence,
                    structured_valid=trace.extraction.valid,
                    intent=trace.extraction.intent,
                )
            trace.route, trace.route_reason, trace.safety = (
                decision.route, decision.reason, decision.safety
            )  # fmt: skip
            note = None
            if decision.route != ROUTE_LOCAL:
                note = await self._async_cloud_turn(chat_log, trace, started)
                if trace.answered_by in ("cloud", "safety"):
                    return trace
                if trace.extraction is None:  # answered locally after all: understand it first
                    trace.extraction = await self._async_understand(user_text, trace, chat_log)
            await self._async_local_answer(chat_log, user_text, trace, started, note)
        except AtlasError as err:
            self._apologise(chat_log, err, trace)
        finally:
            trace.total_ms = (time.perf_counter() - started) * 1000
            answered = trace.route if trace.answered_by == "cloud" else ROUTE_LOCAL
            if runtime.budget is not None:
                runtime.budget.record_turn(answered)
        return trace

    async def _async_local_answer(
        self,
        chat_log: conversation.ChatLog,
        user_text: str,
        trace: TurnTrace,
        started: float,
        note: str | None,
    ) -> None:
        """The skills directly, or a quick answer, else the local LLM's tool rounds."""
        if (
            trace.extraction is not None
            and note is None
            and await self._async_dispatch(chat_log, user_text, trace, started)
        ):
            return
        if trace.extraction is not None and note is None:
            answer = await async_quick_answer(self.hass, self.entry, trace.extraction, user_text)
            if answer is not None:
                trace.answered_by = "skill"
                trace.ttft_ms = (time.perf_counter() - started) * 1000
                chat_log.async_add_assistant_content_without_tools(
                    conversation.AssistantContent(agent_id=self.entity_id, content=answer)
                )
                return
        await self._async_tool_rounds(chat_log, trace, started, note)

    async def _async_dispatch(
        self, chat_log: conversation.ChatLog, user_text: str, trace: TurnTrace, started: float
    ) -> bool:
        """Run a confident skill intent's tools in order and speak their results.

        False (nothing done) when the intent has no direct route, the request lacks what the
        tools need, or the agent does not offer ATLAS's tools.
        """
        extraction = trace.extraction
        if (
            extraction is None
            or chat_log.llm_api is None
            or extraction.confidence < CONFIDENT
            or not handles(extraction.intent)
            or (calls := plan_calls(extraction, user_text)) is None
        ):
            return False
        offered = {tool.name for tool in chat_log.llm_api.tools}
        names = [name for call in calls if (name := _offered_name(call.tool, offered))]
        if len(names) < len(calls):
            return False
        results: list[tuple[SkillCall, dict[str, Any]]] = []
        for call, name in zip(calls, names, strict=True):
            trace.tools.append(call.tool)
            content = conversation.AssistantContent(
                agent_id=self.entity_id,
                tool_calls=[llm.ToolInput(tool_name=name, tool_args=call.args)],
            )
            async for tool_result in chat_log.async_add_assistant_content(content):
                results.append((call, dict(tool_result.result.data)))
        trace.answered_by = "skill"
        if self.subentry.data.get(CONF_REWORD_SKILL_REPLIES, False):
            try:
                await self._async_tool_rounds(chat_log, trace, started, answer_only=True)
            except AtlasError as err:  # the skills ran: say their results, not an apology
                LOGGER.warning("Rewording the skill reply failed: %s", err)
            else:
                return True
        trace.ttft_ms = (time.perf_counter() - started) * 1000
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=spoken_reply(results))
        )
        return True

    async def _async_cloud_turn(
        self, chat_log: conversation.ChatLog, trace: TurnTrace, started: float
    ) -> str | None:
        """Answer with Claude; on failure return the spoken note for the local fallback.

        A safety question that cannot reach Claude gets a fixed, safe answer instead of the
        small model's (``answered_by == "safety"``).
        """
        settings = cloud_settings(self.entry)
        reason = None
        if settings.enabled:
            try:
                stats = await async_claude_turn(
                    self.hass, self.entry, chat_log, self.entity_id, route=trace.route
                )
            except CloudUnavailable as err:
                reason = err.reason
                LOGGER.info("Cloud turn fell back to local: %s", err.reason)
            else:
                trace.answered_by = "cloud"
                trace.tools.extend(stats.tools)
                if stats.first_token_at is not None:
                    trace.ttft_ms = (stats.first_token_at - started) * 1000
                trace.cloud = {"models": stats.models, "calls": stats.calls,
                               "cost_usd": round(stats.cost_usd, 6)}  # fmt: skip
                return None
        else:
            reason = "disabled" if settings.api_key else "no_key"
        trace.fallback = reason
        if trace.safety:
            trace.answered_by = "safety"
            chat_log.async_add_assistant_content_without_tools(
                conversation.AssistantContent(
                    agent_id=self.entity_id,
                    content=safe_medical_answer(self.hass.config.country),
                )
            )
            return None
        # No cloud configured, or switched off: a local answer is what the user chose.
        return None if reason in ("disabled", "no_key") else fallback_note(reason)

    async def _async_tool_rounds(
        self,
        chat_log: conversation.ChatLog,
        trace: TurnTrace,
        started: float,
        note: str | None = None,
        *,
        answer_only: bool = False,
    ) -> None:
        """The local LLM's rounds: tool calls until it answers (``answer_only``: one round that
        may not call tools, to word results already in the chat log)."""
        settings = self.subentry.data
        extraction = trace.extraction or Extraction("chat", valid=False)
        trace.think = self._think(extraction)
        tools = (
            [format_tool(t, chat_log.llm_api.custom_serializer) for t in chat_log.llm_api.tools]
            if chat_log.llm_api
            else []
        )
        hint = None
        if extraction.valid:
            hint = f"The user's request was understood as: {extraction.intent} {extraction.slots}"
        rounds = (
            1 if answer_only else int(settings.get(CONF_MAX_TOOL_ROUNDS, DEFAULT_MAX_TOOL_ROUNDS))
        )
        budget = int(settings.get(CONF_MAX_HISTORY_TOKENS, DEFAULT_MAX_HISTORY_TOKENS))
        for round_index in range(rounds):
            trace.rounds = round_index + 1
            messages, _ = build_messages(chat_log, budget, hint)
            if round_index == 0:
                self._answer_prefix = {
                    "messages": [messages[0], {"role": "user", "content": ""}],
                    **({"tools": tools} if tools else {}),
                }
            last = round_index == rounds - 1
            request: dict[str, Any] = {
                "messages": messages,
                "think": trace.think,
                "max_tokens": REPLY_MAX_TOKENS,
                "temperature": 0.6,
            }
            if tools:
                request["tools"] = tools
                request["tool_choice"] = "none" if last else "auto"
            async for _content in chat_log.async_add_delta_content_stream(
                self.entity_id,
                self._async_stream(request, trace, started, note if round_index == 0 else None),
            ):
                pass
            if not chat_log.unresponded_tool_results:
                break

    def _note_box_failure(self, err: AtlasError) -> None:
        """Tell the box's health what a failed request showed: the box is gone, or crashing."""
        if isinstance(err, AtlasConnectionError):
            self.entry.runtime_data.health.mark_lost(str(err))
        elif isinstance(err, AtlasServerCrashedError):
            self.entry.runtime_data.health.mark_crashed(err.text)

    def _apologise(self, chat_log: conversation.ChatLog, err: AtlasError, trace: TurnTrace) -> None:
        trace.error = str(err)
        self._note_box_failure(err)
        if isinstance(err, AtlasConnectionError):
            spoken = APOLOGY_DROPPED if trace.ttft_ms is not None else APOLOGY_UNREACHABLE
        elif isinstance(err, AtlasServerCrashedError):
            spoken = APOLOGY_CRASHED
        elif isinstance(err, AtlasRequestError) and err.code == "queue_full":
            spoken = APOLOGY_BUSY
        else:
            LOGGER.warning("ATLAS turn failed: %s", err)
            spoken = APOLOGY_FAILED
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=spoken)
        )
