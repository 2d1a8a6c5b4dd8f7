"""The ATLAS agent loop: structured pass, then streamed tool rounds against the GPU box."""

from __future__ import annotations

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

from .client import AtlasClient, AtlasConnectionError, AtlasError, AtlasRequestError
from .const import (
    CONF_MAX_HISTORY_TOKENS,
    CONF_MAX_TOOL_ROUNDS,
    CONF_THINKING,
    DEFAULT_MAX_HISTORY_TOKENS,
    DEFAULT_MAX_TOOL_ROUNDS,
    DEFAULT_THINKING,
    DOMAIN,
    LOGGER,
    THINKING_AUTO,
    THINKING_ON,
)
from .history import build_messages
from .runtime import AtlasConfigEntry
from .speech import speakable
from .structured import Extraction, build_request, parse

APOLOGY_UNREACHABLE = "Sorry, I can't reach the ATLAS server right now. Please try again soon."
APOLOGY_DROPPED = "Sorry, I lost the connection to the ATLAS server in the middle of that."
APOLOGY_BUSY = "Sorry, I'm busy with another request. Please ask again in a moment."
APOLOGY_FAILED = "Sorry, something went wrong while I was answering."
REPLY_MAX_TOKENS = 400


@dataclass
class TurnTrace:
    """What happened in one turn: for the conversation trace and the ``atlas_turn`` event."""

    extraction: Extraction | None = None
    route: str = "local"
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
            "route": self.route,
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

    async def _async_structured_pass(self, text: str, trace: TurnTrace) -> Extraction:
        started = time.perf_counter()
        content = ""
        async for event in self._client.async_chat(build_request(text)):
            if event.kind == "stop":
                content = str(event.data.get("content", ""))
        trace.structured_ms = (time.perf_counter() - started) * 1000
        return parse(content)

    async def _async_stream(
        self, request: dict[str, Any], trace: TurnTrace, started: float
    ) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
        """atlas-llm events → chat-log deltas; thinking stays out of the spoken content."""
        yield {"role": "assistant"}
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
        try:
            trace.extraction = await self._async_structured_pass(user_text, trace)
            await self._async_tool_rounds(chat_log, trace, started)
        except AtlasError as err:
            self._apologise(chat_log, err, trace)
        trace.total_ms = (time.perf_counter() - started) * 1000
        return trace

    async def _async_tool_rounds(
        self, chat_log: conversation.ChatLog, trace: TurnTrace, started: float
    ) -> None:
        settings = self.subentry.data
        extraction = trace.extraction
        assert extraction is not None
        trace.think = self._think(extraction)
        tools = (
            [format_tool(t, chat_log.llm_api.custom_serializer) for t in chat_log.llm_api.tools]
            if chat_log.llm_api
            else []
        )
        hint = None
        if extraction.valid:
            hint = f"The user's request was understood as: {extraction.intent} {extraction.slots}"
        rounds = int(settings.get(CONF_MAX_TOOL_ROUNDS, DEFAULT_MAX_TOOL_ROUNDS))
        budget = int(settings.get(CONF_MAX_HISTORY_TOKENS, DEFAULT_MAX_HISTORY_TOKENS))
        for round_index in range(rounds):
            trace.rounds = round_index + 1
            messages, _ = build_messages(chat_log, budget, hint)
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
                self.entity_id, self._async_stream(request, trace, started)
            ):
                pass
            if not chat_log.unresponded_tool_results:
                break

    def _apologise(self, chat_log: conversation.ChatLog, err: AtlasError, trace: TurnTrace) -> None:
        trace.error = str(err)
        if isinstance(err, AtlasConnectionError):
            spoken = APOLOGY_DROPPED if trace.ttft_ms is not None else APOLOGY_UNREACHABLE
            self.entry.runtime_data.health.mark_lost(str(err))
        elif isinstance(err, AtlasRequestError) and err.code == "queue_full":
            spoken = APOLOGY_BUSY
        else:
            LOGGER.warning("ATLAS turn failed: %s", err)
            spoken = APOLOGY_FAILED
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=spoken)
        )
