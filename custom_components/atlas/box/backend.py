"""The GPU box as a backend of the agent's tool loop: chat log → atlas-llm request → deltas."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from homeassistant.components import conversation
from homeassistant.helpers import llm

from ..agent.history import build_messages
from ..agent.trace import TurnTrace
from .chat_protocol import ChatRequest, Tool
from .client import AtlasClient

REPLY_MAX_TOKENS = 400
REPLY_TEMPERATURE = 0.6


@dataclass
class LocalBackend:
    """atlas-llm answering one turn; what it did goes into ``trace``.

    ``prefix`` is the first round's stable part (system prompt and tools), for the agent's
    warm-up. The text streams as the model writes it: the tool loop's speech guard decides what
    is spoken.
    """

    client: AtlasClient
    trace: TurnTrace
    started: float  # time.perf_counter() at the start of the turn
    tools: list[Tool]
    history_tokens: int
    hint: str | None = None  # what the structured pass understood, for the newest user message
    prefix: ChatRequest | None = field(default=None, init=False)

    def request(self, chat_log: conversation.ChatLog, *, first: bool, last: bool) -> ChatRequest:
        """The ``chat`` request of one round."""
        messages, _ = build_messages(chat_log, self.history_tokens, self.hint)
        if first:
            self.prefix = {"messages": [messages[0], {"role": "user", "content": ""}]}
            if self.tools:
                self.prefix["tools"] = self.tools
        request: ChatRequest = {
            "messages": messages,
            "think": self.trace.think,
            "max_tokens": REPLY_MAX_TOKENS,
            "temperature": REPLY_TEMPERATURE,
        }
        if self.tools:
            request["tools"] = self.tools
            request["tool_choice"] = "none" if last else "auto"
        return request

    async def async_round(
        self, chat_log: conversation.ChatLog, *, first: bool, last: bool
    ) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
        """atlas-llm events → chat-log deltas; thinking stays out of the spoken content."""
        self.trace.rounds += 1
        request = self.request(chat_log, first=first, last=last)
        yield {"role": "assistant"}
        async for event in self.client.async_chat(request):
            if event.kind == "delta":
                data = event.data
                if text := data.get("content"):
                    if self.trace.ttft_ms is None:
                        self.trace.ttft_ms = (time.perf_counter() - self.started) * 1000
                    yield {"content": text}
                elif thinking := data.get("thinking"):
                    yield {"thinking_content": thinking}
                elif call := data.get("tool_call"):
                    self.trace.tools.append(call["name"])
                    yield {
                        "tool_calls": [
                            llm.ToolInput(
                                id=call["id"], tool_name=call["name"], tool_args=call["arguments"]
                            )
                        ]
                    }
            elif event.kind == "stop":
                self.trace.usage = event.data.get("usage", {})
