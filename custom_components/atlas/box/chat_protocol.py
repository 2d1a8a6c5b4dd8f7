"""The ATLAS chat extension to Wyoming (docs/protocol.md): its names and message shapes.

One file in two places: ``wyoming_servers/llm/chat_protocol.py`` (atlas-llm, atlas-box, the
eval) and ``custom_components/atlas/box/chat_protocol.py`` (the integration, which HACS installs
on its own). A test keeps the two byte-identical, so both sides speak exactly one protocol.
Standard library only; no ``from __future__ import annotations``, so the TypedDicts know
which keys are required at run time.
"""

from typing import Any, Final, Literal, NotRequired, TypedDict

PROTOCOL: Final = "atlas-chat/1"
INFO_KEY: Final = "atlas"  # the top-level object of ``info`` that names the protocol

# Event types.
CHAT: Final = "chat"
CHAT_CANCEL: Final = "chat-cancel"
CHAT_START: Final = "chat-start"
CHAT_DELTA: Final = "chat-delta"
CHAT_STOP: Final = "chat-stop"
ERROR: Final = "error"

# Error codes the integration reacts to (the full list: docs/protocol.md).
BAD_REQUEST: Final = "bad_request"
QUEUE_FULL: Final = "queue_full"
SERVER_CRASHED: Final = "server_crashed"  # atlas-box stopped atlas-llm after repeated crashes

FinishReason = Literal["stop", "length", "tool_calls", "cancelled"]


class ToolCall(TypedDict):
    """One tool call the model made: ``arguments`` is an object."""

    id: str
    name: str
    arguments: dict[str, Any]


class Message(TypedDict):
    """One message of a ``chat`` request."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: NotRequired[list[ToolCall]]
    tool_call_id: NotRequired[str]
    name: NotRequired[str]


class Tool(TypedDict):
    """A tool offered to the model: ``parameters`` is a JSON schema."""

    name: str
    description: str
    parameters: dict[str, Any]


class ResponseFormat(TypedDict):
    """Output constrained by grammar to JSON valid for ``schema``."""

    schema: dict[str, Any]


class ChatRequest(TypedDict):
    """The data of a ``chat`` event (client → server)."""

    messages: list[Message]
    id: NotRequired[str]
    tools: NotRequired[list[Tool]]
    tool_choice: NotRequired[str | dict[str, str]]
    response_format: NotRequired[ResponseFormat]
    think: NotRequired[bool]
    max_tokens: NotRequired[int]
    temperature: NotRequired[float]
    top_p: NotRequired[float]
    top_k: NotRequired[int]
    seed: NotRequired[int]
    stop: NotRequired[list[str]]


class ChatStart(TypedDict):
    """``chat-start``: the prompt is evaluated, the first token comes next."""

    id: str
    model: str
    prompt_tokens: int
    cached_prompt_tokens: int


class ChatDelta(TypedDict):
    """``chat-delta``: exactly one of ``content``, ``thinking`` and ``tool_call``."""

    id: str
    content: NotRequired[str]
    thinking: NotRequired[str]
    tool_call: NotRequired[ToolCall]


class Usage(TypedDict):
    """The figures of one finished request."""

    prompt_tokens: int
    cached_prompt_tokens: int
    completion_tokens: int
    ttft_ms: NotRequired[float]
    prefill_ms: NotRequired[float]
    tokens_per_second: NotRequired[float]
    total_ms: NotRequired[float]
    queue_ms: NotRequired[float]


class ChatStop(TypedDict):
    """``chat-stop``: the last event of a response that did not fail.

    A request cancelled before its first token gets only ``id`` and ``finish_reason``.
    """

    id: str
    finish_reason: FinishReason
    content: NotRequired[str]
    thinking: NotRequired[str]
    tool_calls: NotRequired[list[ToolCall]]
    invalid_tool_calls: NotRequired[list[str]]
    usage: NotRequired[Usage]


class ErrorData(TypedDict):
    """``error``: a one-line ``text`` and a ``code``; ``id`` names the failed request."""

    code: str
    text: str
    id: NotRequired[str]
