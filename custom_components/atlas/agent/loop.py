"""The one tool loop: a backend streams a round into the chat log, HA runs its tool calls.

A backend (the GPU box, ``box/backend.py``; Claude, ``cloud/claude.py``) turns the chat log into
its own messages and yields chat-log deltas; :func:`async_tool_loop` drives either the same way:
round after round while the model calls tools, the last round with tool calls refused.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from homeassistant.components import conversation


class Backend(Protocol):
    """A model that answers the chat log in rounds."""

    def async_round(
        self, chat_log: conversation.ChatLog, *, first: bool, last: bool
    ) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
        """Stream one round as chat-log deltas (``last``: the model may not call tools)."""


async def async_tool_loop(
    chat_log: conversation.ChatLog, agent_id: str, backend: Backend, max_rounds: int
) -> int:
    """Rounds until the model answers without calling a tool, at most ``max_rounds``.

    Tool calls in a round's deltas are run by the chat log (HA's LLM API) as they arrive, and
    their results are in the chat log for the next round. Returns the rounds used.
    """
    for index in range(max_rounds):
        stream = backend.async_round(chat_log, first=index == 0, last=index == max_rounds - 1)
        async for _content in chat_log.async_add_delta_content_stream(agent_id, stream):
            pass
        if not chat_log.unresponded_tool_results:
            return index + 1
    return max_rounds
