"""Chat-log → atlas-llm messages, bounded by a token budget with a summary of older turns."""

from __future__ import annotations

import json
import re

from homeassistant.components import conversation

from ..box.chat_protocol import Message

CHARS_PER_TOKEN = 4  # a conservative estimate for English with these tokenizers
SUMMARY_CHARS = 400
# Home Assistant ends the system prompt with the clock (``llm.DATE_TIME_PROMPT``, rendered in
# English) when no date tool is offered.
_CLOCK = re.compile(r"Current time is \d{1,2}:\d{2}:\d{2}\. Today's date is \d{4}-\d{2}-\d{2}\.\n?")


def estimate_tokens(text: str) -> int:
    """Rough token count of ``text``."""
    return len(text) // CHARS_PER_TOKEN + 1


def convert(content: conversation.Content) -> Message:
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
        message: Message = {"role": "assistant", "content": content.content or ""}
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


def _prepend(message: Message, note: str) -> None:
    message["content"] = f"{note}\n\n{message['content']}"


def build_messages(
    chat_log: conversation.ChatLog, max_history_tokens: int, turn_note: str | None = None
) -> tuple[list[Message], int]:
    """The system prompt plus the newest turns that fit ``max_history_tokens``.

    The system prompt stays the same from turn to turn, so atlas-llm re-uses its KV cache for it
    and for the tool schemas rendered after it. What changes every turn travels with the newest
    user message instead: Home Assistant's clock line and ``turn_note`` (what the structured pass
    understood). Older turns are replaced by a one-line running summary in front of the first
    kept user message. Returns the messages and how many chat-log entries were summarised.
    """
    system, *rest = chat_log.content
    messages = [convert(c) for c in rest]
    system_text = convert(system)["content"]
    clock = _CLOCK.search(system_text)
    if clock:
        system_text = (system_text[: clock.start()] + system_text[clock.end() :]).rstrip()
    # Keep whole turns: cut only at user messages, newest first.
    kept_from = len(messages)
    budget = max_history_tokens
    for index in range(len(messages) - 1, -1, -1):
        budget -= estimate_tokens(json.dumps(messages[index]))
        if messages[index]["role"] == "user":
            if budget < 0 and kept_from < len(messages):
                break
            kept_from = index
    older, kept = messages[:kept_from], messages[kept_from:]
    users = [m for m in kept if m["role"] == "user"]
    note = " ".join(part for part in (clock and clock.group().strip(), turn_note) if part)
    if note and users:
        _prepend(users[-1], note)
    elif note:
        system_text = f"{system_text}\n\n{note}"
    if older and users:  # the newest user message is always kept
        said = [
            f"{m['role']}: {_first_sentence(m['content'])}"
            for m in older
            if m["role"] in ("user", "assistant") and m["content"]
        ]
        summary = "; ".join(said)[-SUMMARY_CHARS:]
        _prepend(users[0], f"Earlier in this conversation: {summary}")
    return [{"role": "system", "content": system_text}, *kept], len(older)
