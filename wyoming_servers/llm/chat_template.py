"""Prompt rendering: the model's own chat template from GGUF metadata, or a known fallback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .request import Message, Tool

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"


def _tool_instructions(tools: Sequence[Tool]) -> str:
    listing = "\n".join(json.dumps(t.to_template()["function"]) for t in tools)
    return (
        "You can call these tools:\n"
        f"{listing}\n"
        "To call a tool, reply with only "
        f'{TOOL_CALL_OPEN}{{"name": "<tool name>", "arguments": {{...}}}}{TOOL_CALL_CLOSE}'
    )


def _raise(message: str) -> None:
    raise TemplateError(message)


@dataclass(frozen=True)
class _Fallback:
    """A hand-written format for GGUF files that carry no chat template."""

    turn: str  # format with role and content
    generation: str
    bos: bool
    system_role: str | None  # None: fold the system prompt into the first user turn
    assistant_role: str = "assistant"

    def render(self, messages: Sequence[Message], tools: Sequence[Tool], bos_token: str) -> str:
        system = [m.content for m in messages if m.role == "system"]
        if tools:
            system.append(_tool_instructions(tools))
        system_text = "\n\n".join(s for s in system if s)
        parts = [bos_token] if self.bos else []
        pending_system = system_text
        if system_text and self.system_role:
            parts.append(self.turn.format(role=self.system_role, content=system_text))
            pending_system = ""
        for message in messages:
            if message.role == "system":
                continue
            if message.role == "assistant":
                content = message.content
                for call in message.tool_calls:
                    payload = json.dumps({"name": call.name, "arguments": call.arguments})
                    content += f"{TOOL_CALL_OPEN}{payload}{TOOL_CALL_CLOSE}"
                parts.append(self.turn.format(role=self.assistant_role, content=content))
                continue
            content = message.content
            if message.role == "tool":
                content = f"Tool result ({message.name or message.tool_call_id}): {content}"
            if pending_system:
                content = f"{pending_system}\n\n{content}"
                pending_system = ""
            parts.append(self.turn.format(role="user", content=content))
        parts.append(self.generation)
        return "".join(parts)


_FALLBACKS = {
    "gemma": _Fallback(
        "<start_of_turn>{role}\n{content}<end_of_turn>\n",
        "<start_of_turn>model\n",
        bos=True,
        system_role=None,
        assistant_role="model",
    ),
    "chatml": _Fallback(
        "<|im_start|>{role}\n{content}<|im_end|>\n",
        "<|im_start|>assistant\n",
        bos=False,
        system_role="system",
    ),
    "llama3": _Fallback(
        "<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>",
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
        bos=True,
        system_role="system",
    ),
}


def _fallback_for(architecture: str) -> _Fallback:
    if architecture.startswith("gemma"):
        return _FALLBACKS["gemma"]
    if architecture.startswith("llama"):
        return _FALLBACKS["llama3"]
    return _FALLBACKS["chatml"]


class ChatTemplate:
    """Renders messages and tools into the prompt text the model was trained on."""

    def __init__(self, metadata: dict[str, str], bos_token: str, eos_token: str) -> None:
        self.bos_token = bos_token
        self.eos_token = eos_token
        self.source = metadata.get("tokenizer.chat_template")
        self.architecture = metadata.get("general.architecture", "")
        self._fallback = _fallback_for(self.architecture)
        self._template = None
        if self.source:
            env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
            env.filters["tojson"] = lambda v, indent=None, **_: json.dumps(
                v, ensure_ascii=False, indent=indent
            )
            env.globals["raise_exception"] = _raise
            env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
            self._template = env.from_string(self.source)

    @property
    def name(self) -> str:
        """``gguf`` when the model's own template is used, else the fallback's name."""
        if self._template is not None:
            return "gguf"
        return next(k for k, v in _FALLBACKS.items() if v is self._fallback)

    @property
    def native_tools(self) -> bool:
        """True when the model's own template renders tool definitions."""
        return bool(self.source and "tools" in self.source)

    def render(self, messages: Sequence[Message], tools: Sequence[Tool], *, think: bool) -> str:
        """Render a prompt ending with the assistant's generation prompt."""
        if self._template is None:
            return self._fallback.render(messages, tools, self.bos_token)
        msgs: list[dict[str, Any]] = [m.to_template() for m in messages]
        if tools and not self.native_tools:
            msgs = _with_tool_instructions(msgs, tools)
        return self._template.render(
            messages=msgs,
            tools=[t.to_template() for t in tools] if tools and self.native_tools else None,
            add_generation_prompt=True,
            enable_thinking=think,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
        )


def _with_tool_instructions(
    msgs: list[dict[str, Any]], tools: Sequence[Tool]
) -> list[dict[str, Any]]:
    text = _tool_instructions(tools)
    if msgs and msgs[0]["role"] == "system":
        first = dict(msgs[0], content=f"{msgs[0]['content']}\n\n{text}")
        return [first, *msgs[1:]]
    return [{"role": "system", "content": text}, *msgs]
