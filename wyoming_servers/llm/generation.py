"""What one generation produces: usage, the result, and the events a job streams.

The engine thread emits :data:`JobEvent` values (a tagged union) to the event loop; the
connection handler matches on their types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..protocol import ProtocolError
from . import chat_protocol
from .output_parser import Delta
from .request import ToolCall


class Cancelled(Exception):
    """Generation stopped because the client cancelled or went away."""


@dataclass
class Usage:
    """Token counts and timings of one request."""

    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float = 0.0
    prefill_ms: float = 0.0
    tokens_per_second: float = 0.0
    total_ms: float = 0.0
    queue_ms: float = 0.0
    grammar_full_passes: int = 0

    def to_dict(self) -> chat_protocol.Usage:
        """The ``usage`` object of ``chat-stop``."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "cached_prompt_tokens": self.cached_prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "ttft_ms": round(self.ttft_ms, 1),
            "prefill_ms": round(self.prefill_ms, 1),
            "tokens_per_second": round(self.tokens_per_second, 2),
            "total_ms": round(self.total_ms, 1),
            "queue_ms": round(self.queue_ms, 1),
        }


@dataclass
class Result:
    """What a finished generation produced."""

    finish_reason: chat_protocol.FinishReason
    content: str
    thinking: str
    tool_calls: list[ToolCall]
    usage: Usage = field(default_factory=Usage)
    invalid_tool_calls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Started:
    """The prompt is evaluated; output follows."""

    prompt_tokens: int
    cached_prompt_tokens: int


@dataclass(frozen=True)
class Output:
    """One piece of output: text on a channel, or a complete tool call."""

    delta: Delta


@dataclass(frozen=True)
class Finished:
    """The generation ended (stop, length, tool calls or cancelled mid-way)."""

    result: Result


@dataclass(frozen=True)
class Dropped:
    """The job was cancelled before it produced a result."""


@dataclass(frozen=True)
class Failed:
    """The request could not be served; ``error`` says why."""

    error: ProtocolError


JobEvent = Started | Output | Finished | Dropped | Failed
Emit = Callable[[JobEvent], None]
