"""Chat-log → atlas-llm messages, bounded by a token budget with a summary of older turns."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.components import conversation

CHARS_PER_TOKEN = 4  # a conservative estimate for English with these tokenizers
SUMMARY_CHARS = 400


def estimate_tokens(text: str) -> int:
    """Rough token count of ``text``."""
    return len(text) // CHARS_PER_TOKEN + 1


def convert(content: conversation.Content) -> dict[str, Any]:
    """One chat-log entry as a protocol message."""
    if isinstance(content, conversation.ToolResultContent):
        return {
            "role": "tool",
            "tool_call_id": content.tool_call_id,
            "name": content.tool_name,
            "content": json.dumps(
                {"data": content.result.data, "error": content.result.error}, default=str
            ),
        }
    if isinstance(content, conversation.AssistantContent):
        message: dict[str, Any] = {"role": "assistant", "content": content.content or ""}
        if content.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "name": c.tool_name, "arguments": c.tool_args}
                for c in content.tool_calls
            ]
        return message
    if isinstance(content, conversation.UserContent):
        return {"role": "user", "content": content.content}
    return {"role": "system", "content": content.content}


def _first_sentence(text: str) -> str:
    head = text.strip().split(". ")[0]
    return head[:120]


def build_messages(
    chat_log: conversation.ChatLog, max_history_tokens: int, extra_system: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The system prompt plus the newest turns that fit ``max_history_tokens``.

    Older turns are replaced by a one-line running summary in the system prompt. Returns the
    messages and how many chat-log entries were summarised.
    """
    system, *rest = chat_log.content
    messages = [convert(c) for c in rest]
    system_text = convert(system)["content"]
    # Keep whole turns: cut only at user messages, newest first.
    kept_from = len(messages)
    budget = max_history_tokens
    for index in range(len(messages) - 1, -1, -1):
        budget -= estimate_tokens(json.dumps(messages[index]))
        if messages[index]["role"] == "user":
            if budget < 0 and kept_from < len(messages):
                break
            kept_from = index
    older = messages[:kept_from]
    if extra_system:
        system_text = f"{system_text}\n\n{extra_system}"
    if older:
        said = [
            f"{m['role']}: {_first_sentence(m['content'])}"
            for m in older
            if m["role"] in ("user", "assistant") and m["content"]
        ]
        summary = "; ".join(said)[-SUMMARY_CHARS:]
        system_text = f"{system_text}\n\nEarlier in this conversation: {summary}"
    return [{"role": "system", "content": system_text}, *messages[kept_from:]], len(older)
