"""Chat log → Anthropic Messages API: instructions, messages and tools of a Claude round.

Claude's rules are stricter than the chat log's: tool names match ``^[a-zA-Z0-9_-]{1,64}$``,
tool_use ids are unique, every tool call is answered in the next message (and every result
answers one), roles alternate, and the conversation starts with the user.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

import probatio
from anthropic.types import MessageParam, ToolParam
from homeassistant.components import conversation
from homeassistant.helpers import llm

from ..agent.history import estimate_tokens

DEFAULT_HISTORY_TOKENS: Final = 4000
# Bound of the tokens a request adds beyond its JSON bytes (Anthropic's tool-use prompt, framing).
REQUEST_OVERHEAD_TOKENS: Final = 600
MESSAGE_OVERHEAD_TOKENS: Final = 10

_TOOL_NAME: Final = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_NOT_NAME_CHARS: Final = re.compile(r"[^a-zA-Z0-9_-]")


def claude_tool_name(name: str) -> str:
    """An HA tool name as Claude accepts it (``^[a-zA-Z0-9_-]{1,64}$``); stable and unique."""
    if _TOOL_NAME.match(name):
        return name
    digest = hashlib.blake2s(name.encode(), digest_size=4).hexdigest()
    return f"{_NOT_NAME_CHARS.sub('_', name)[:55]}_{digest}"


def _claude_id(tool_call_id: str) -> str:
    return _NOT_NAME_CHARS.sub("_", tool_call_id) or "tool"


def format_claude_tool(tool: llm.Tool, custom_serializer: Any) -> ToolParam:
    """An HA LLM tool as a Messages API tool."""
    schema = probatio.to_openapi(
        tool.parameters, custom_serializer=custom_serializer, openapi_version="3.1.0"
    )
    schema = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "allOf")}
    schema.setdefault("type", "object")
    return ToolParam(
        name=claude_tool_name(tool.name), description=tool.description or "", input_schema=schema
    )


@dataclass(frozen=True, slots=True)
class ClaudeRequest:
    """What one Claude round sends: instructions, messages and tools."""

    system: str
    messages: list[MessageParam]
    tools: list[ToolParam]


def _content_tokens(content: conversation.Content) -> int:
    if isinstance(content, conversation.ToolResultContent):
        return estimate_tokens(json.dumps(content.result.data, default=str))
    text = content.content or ""
    if isinstance(content, conversation.AssistantContent) and content.tool_calls:
        text += json.dumps([c.tool_args for c in content.tool_calls], default=str)
    return estimate_tokens(text)


def _newest_turns(
    contents: Sequence[conversation.Content], budget: int
) -> list[conversation.Content]:
    """The newest whole turns (each starting at a user message) that fit ``budget`` tokens."""
    kept_from = len(contents)
    for index in range(len(contents) - 1, -1, -1):
        budget -= _content_tokens(contents[index])
        if isinstance(contents[index], conversation.UserContent):
            if budget < 0 and kept_from < len(contents):
                break
            kept_from = index
    return list(contents[kept_from:])


type _Blocks = list[dict[str, Any]]
type _Messages = list[tuple[str, _Blocks]]


def _raw_messages(contents: Sequence[conversation.Content]) -> _Messages:
    """Chat-log entries as (role, blocks); tool call ids made valid and unique."""
    messages: _Messages = []
    ids: dict[str, str] = {}  # tool call id in the log → id sent to Claude
    used: set[str] = set()
    for content in contents:
        if isinstance(content, conversation.UserContent):
            messages.append(("user", [{"type": "text", "text": content.content}]))
        elif isinstance(content, conversation.AssistantContent):
            blocks: _Blocks = []
            if content.content:
                blocks.append({"type": "text", "text": content.content})
            for call in content.tool_calls or []:
                if call.external:
                    continue
                claude_id = base = _claude_id(call.id)
                suffix = 1
                while claude_id in used:
                    suffix += 1
                    claude_id = f"{base}_{suffix}"
                used.add(claude_id)
                ids[call.id] = claude_id
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": claude_id,
                        "name": claude_tool_name(call.tool_name),
                        "input": call.tool_args,
                    }
                )
            if blocks:
                messages.append(("assistant", blocks))
        elif isinstance(content, conversation.ToolResultContent):
            block: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": ids.get(content.tool_call_id, _claude_id(content.tool_call_id)),
                "content": json.dumps(content.result.data, default=str),
            }
            if content.result.error:
                block["is_error"] = True
            messages.append(("user", [block]))
    return messages


def _merged(messages: _Messages) -> _Messages:
    """Consecutive messages of one role as one; tool results first in a user message."""
    merged: _Messages = []
    for role, blocks in messages:
        if not blocks:
            continue
        if merged and merged[-1][0] == role:
            merged[-1][1].extend(blocks)
        else:
            merged.append((role, list(blocks)))
    for role, blocks in merged:
        if role == "user":
            blocks.sort(key=lambda block: block["type"] != "tool_result")
    return merged


def _paired(messages: _Messages) -> _Messages:
    """Only tool calls answered in the next message, and only results of the message before."""
    paired: _Messages = []
    for index, (role, blocks) in enumerate(messages):
        if role == "assistant":
            after = messages[index + 1][1] if index + 1 < len(messages) else []
            answered = {b["tool_use_id"] for b in after if b["type"] == "tool_result"}
            kept = [b for b in blocks if b["type"] != "tool_use" or b["id"] in answered]
        else:
            before_role, before = messages[index - 1] if index else ("user", [])
            asked = {
                b["id"] for b in before if before_role == "assistant" and b["type"] == "tool_use"
            }
            kept = [b for b in blocks if b["type"] != "tool_result" or b["tool_use_id"] in asked]
        paired.append((role, kept))
    return paired


def convert_messages(contents: Sequence[conversation.Content]) -> list[MessageParam]:
    """Chat-log entries (no system entry) as valid Messages API messages.

    Tool calls without results (and results without calls) are left out, consecutive messages
    of one role are merged, and the conversation starts with a user message.
    """
    messages = _merged(_paired(_merged(_raw_messages(contents))))
    while messages and messages[0][0] != "user":
        messages.pop(0)
    return [cast(MessageParam, {"role": role, "content": blocks}) for role, blocks in messages]


def build_claude_request(
    chat_log: conversation.ChatLog,
    *,
    minimal_context: bool,
    extra_system: str | None = None,
    max_history_tokens: int = DEFAULT_HISTORY_TOKENS,
) -> ClaudeRequest:
    """The request for the next Claude round of ``chat_log``'s current turn.

    With ``minimal_context`` only the instructions and the newest user message leave the
    house: no earlier turns, no tools (so no tool results), and not the LLM APIs' prompt
    (which may list the home's entities and their states).
    """
    system_entry, *rest = chat_log.content
    system = system_entry.content if isinstance(system_entry, conversation.SystemContent) else ""
    llm_api = chat_log.llm_api
    if minimal_context:
        if llm_api is not None and llm_api.api_prompt:
            system = system.replace(llm_api.api_prompt, "").strip()
        newest = [c for c in rest if isinstance(c, conversation.UserContent)][-1:]
        messages = convert_messages([conversation.UserContent(c.content) for c in newest])
        tools: list[ToolParam] = []
    else:
        messages = convert_messages(_newest_turns(rest, max_history_tokens))
        tools = (
            [format_claude_tool(t, llm_api.custom_serializer) for t in llm_api.tools]
            if llm_api
            else []
        )
    if extra_system:
        system = f"{system}\n\n{extra_system}"
    return ClaudeRequest(system=system, messages=messages, tools=tools)


def estimate_input_tokens(
    system: str, messages: Sequence[MessageParam], tools: Sequence[ToolParam]
) -> int:
    """An upper bound of a request's input tokens: a token is never less than a byte."""
    body = json.dumps({"system": system, "messages": messages, "tools": tools}, default=str)
    return len(body.encode()) + REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS * len(messages)
