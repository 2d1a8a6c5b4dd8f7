"""Streaming split of raw model text into content, thinking and tool calls.

Thinking (``<think>…</think>``) never reaches content. Tool calls are recognised in the
``<tool_call>{json}</tool_call>`` form (Qwen, Hermes and ATLAS's fallback prompt) and as a bare
``{"name": …, "parameters": …}`` object (Llama 3.x). Text that could be the start of a marker is
held back until it is decided, so no marker ever leaks into a delta.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from .chat_template import TOOL_CALL_CLOSE, TOOL_CALL_OPEN
from .request import ToolCall

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

Channel = Literal["content", "thinking"]


@dataclass(frozen=True)
class TextDelta:
    """A piece of content or thinking text."""

    channel: Channel
    text: str


Delta = TextDelta | ToolCall


def partial_marker_len(text: str, markers: tuple[str, ...]) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of a marker: the part
    to hold back until the next piece shows whether the marker (or stop string) follows."""
    best = 0
    for marker in markers:
        for size in range(min(len(marker) - 1, len(text)), best, -1):
            if text.endswith(marker[:size]):
                best = size
                break
    return best


def make_tool_call(name: str, arguments: dict[str, Any]) -> ToolCall:
    """A tool call with a fresh id."""
    return ToolCall(id=f"call_{uuid.uuid4().hex[:12]}", name=name, arguments=arguments)


def parse_tool_json(text: str, tool_names: frozenset[str]) -> ToolCall | None:
    """Parse ``{"name": …, "arguments"|"parameters": {…}}`` naming a known tool."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(obj, dict) or obj.get("name") not in tool_names:
        return None
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return None
    if not isinstance(args, dict):
        return None
    return make_tool_call(str(obj["name"]), args)


class OutputParser:
    """Feed decoded text in; get content/thinking deltas and tool calls out."""

    def __init__(
        self,
        tool_names: frozenset[str] = frozenset(),
        *,
        forced_tool: bool = False,
        start_thinking: bool = False,
    ) -> None:
        self.tool_names = tool_names
        self.forced_tool = forced_tool
        self._mode: Literal["content", "thinking", "tool"] = (
            "thinking" if start_thinking else "content"
        )
        self._buffer = ""
        self._content_started = False
        self._bare_json = False
        self._json_text = ""
        self.content = ""
        self.thinking = ""
        self.tool_calls: list[ToolCall] = []
        self.invalid_tool_calls: list[str] = []

    def _emit(self, channel: Channel, text: str) -> list[Delta]:
        if channel == "content" and not self._content_started:
            text = text.lstrip()
            if not text:
                return []
            self._content_started = True
            if self.tool_names and text.startswith("{"):
                self._bare_json = True
        if not text:
            return []
        if channel == "content" and self._bare_json:
            self._json_text += text
            return []
        if channel == "content":
            self.content += text
        else:
            self.thinking += text
        return [TextDelta(channel, text)]

    def feed(self, text: str) -> list[Delta]:
        """Consume newly decoded text."""
        if self.forced_tool:
            self._buffer += text
            return []
        self._buffer += text
        out: list[Delta] = []
        while True:
            if self._mode == "content":
                markers = (THINK_OPEN, TOOL_CALL_OPEN) if self.tool_names else (THINK_OPEN,)
                hits = [(self._buffer.find(m), m) for m in markers if m in self._buffer]
                if hits:
                    pos, marker = min(hits)
                    out += self._emit("content", self._buffer[:pos])
                    self._buffer = self._buffer[pos + len(marker) :]
                    self._mode = "thinking" if marker == THINK_OPEN else "tool"
                    continue
                keep = partial_marker_len(self._buffer, markers)
                out += self._emit("content", self._buffer[: len(self._buffer) - keep])
                self._buffer = self._buffer[len(self._buffer) - keep :]
                return out
            close = THINK_CLOSE if self._mode == "thinking" else TOOL_CALL_CLOSE
            pos = self._buffer.find(close)
            if pos >= 0:
                inner, self._buffer = self._buffer[:pos], self._buffer[pos + len(close) :]
                if self._mode == "thinking":
                    out += self._emit("thinking", inner)
                else:
                    out += self._tool_block(inner)
                self._mode = "content"
                continue
            if self._mode == "thinking":
                keep = partial_marker_len(self._buffer, (close,))
                out += self._emit("thinking", self._buffer[: len(self._buffer) - keep])
                self._buffer = self._buffer[len(self._buffer) - keep :]
            return out

    def _tool_block(self, inner: str) -> list[Delta]:
        call = parse_tool_json(inner.strip(), self.tool_names)
        if call is None:
            # Not speakable and not executable: kept aside for the client, never in content.
            self.invalid_tool_calls.append(inner.strip())
            return []
        self.tool_calls.append(call)
        return [call]

    def finish(self) -> list[Delta]:
        """Flush what is left at the end of generation."""
        rest, self._buffer = self._buffer, ""
        if self.forced_tool:
            call = parse_tool_json(rest.strip(), self.tool_names)
            if call is not None:
                self.tool_calls.append(call)
                return [call]
            if rest.strip():  # cut off (max_tokens) or malformed: kept aside, never spoken
                self.invalid_tool_calls.append(rest.strip())
            return []
        out: list[Delta] = []
        if self._mode == "thinking":
            out += self._emit("thinking", rest)
        elif self._mode == "tool":
            out += self._tool_block(rest)
        else:
            out += self._emit("content", rest)
        if self._bare_json:
            text, self._json_text = self._json_text, ""
            self._bare_json = False
            call = parse_tool_json(text.strip(), self.tool_names)
            if call is not None:
                self.tool_calls.append(call)
                out.append(call)
            else:
                out += self._emit("content", text)
        return out
