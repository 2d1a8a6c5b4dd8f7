"""Validation of ``chat`` requests into typed objects; every problem is a clear ProtocolError."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from jsonschema import SchemaError
from jsonschema.validators import validator_for

from ..protocol import ProtocolError
from . import chat_protocol
from .chat_protocol import BAD_REQUEST

ROLES = ("system", "user", "assistant", "tool")
MAX_MESSAGES = 256
MAX_TOOLS = 64


def _bad(text: str) -> ProtocolError:
    return ProtocolError(BAD_REQUEST, text)


@dataclass(frozen=True)
class ToolCall:
    """A call the model made: a tool name and its JSON arguments."""

    id: str
    name: str
    arguments: dict[str, Any]

    def to_dict(self) -> chat_protocol.ToolCall:
        """The wire form used in ``chat-delta``/``chat-stop`` and in assistant messages."""
        return {"id": self.id, "name": self.name, "arguments": self.arguments}


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: str
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    def to_template(self) -> dict[str, Any]:
        """The shape Hugging Face-style chat templates expect."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in self.tool_calls
            ]
        if self.tool_call_id:
            out["tool_call_id"] = self.tool_call_id
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class Tool:
    """A tool the model may call, described by a JSON schema."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_template(self) -> dict[str, Any]:
        """OpenAI-style function definition, as chat templates expect."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


ToolChoice = Literal["auto", "none", "required"] | str


@dataclass(frozen=True)
class ChatRequest:
    """A validated ``chat`` request."""

    messages: tuple[Message, ...]
    id: str = ""
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice = "auto"
    response_schema: dict[str, Any] | None = None
    think: bool = False
    max_tokens: int = 512
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    seed: int | None = None
    stop: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def grammar_schema(self) -> dict[str, Any] | None:
        """The JSON schema the output is constrained to, if any."""
        if self.response_schema is not None:
            return self.response_schema
        forced = self.forced_tools
        if not forced:
            return None
        variants = [
            {
                "type": "object",
                "properties": {"name": {"const": t.name}, "arguments": t.parameters},
                "required": ["name", "arguments"],
            }
            for t in forced
        ]
        return variants[0] if len(variants) == 1 else {"oneOf": variants}

    @property
    def forced_tools(self) -> tuple[Tool, ...]:
        """Tools the model must call (``required`` or a named tool), else empty."""
        if not self.tools or self.tool_choice in ("auto", "none"):
            return ()
        if self.tool_choice == "required":
            return self.tools
        return tuple(t for t in self.tools if t.name == self.tool_choice)

    @property
    def offered_tools(self) -> tuple[Tool, ...]:
        """Tools shown to the model in the prompt."""
        return () if self.tool_choice == "none" else self.tools


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _bad(f"'{key}' must be a string")
    return value


def _number(
    data: dict[str, Any], key: str, default: float, low: float, high: float, *, integer: bool
) -> float:
    value = data.get(key, default)
    if value is None:
        return default
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        raise _bad(f"'{key}' must be {kind} between {low:g} and {high:g}")
    return float(value)


@functools.lru_cache(maxsize=512)
def _schema_problem(schema_json: str) -> str | None:
    """Why a JSON schema is invalid, or None. A pure function of the schema: clients send the
    same tool schemas with every request, and checking them costs milliseconds."""
    schema = json.loads(schema_json)
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as err:
        return str(err.message)
    return None


def _check_schema(schema: Any, where: str) -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise ProtocolError("invalid_schema", f"{where} must be a JSON schema object")
    problem = _schema_problem(json.dumps(schema, sort_keys=True))
    if problem is not None:
        raise ProtocolError("invalid_schema", f"{where} is not a valid JSON schema: {problem}")
    return schema


def _tool_call(raw: Any, where: str) -> ToolCall:
    if not isinstance(raw, dict):
        raise _bad(f"{where} must be an object")
    name = _str(raw, "name")
    if not name:
        raise _bad(f"{where} needs a 'name'")
    args = raw.get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError as err:
            raise _bad(f"{where}.arguments is not JSON: {err}") from err
    if not isinstance(args, dict):
        raise _bad(f"{where}.arguments must be an object")
    return ToolCall(id=_str(raw, "id") or f"call_{name}", name=name, arguments=args)


def _message(raw: Any, index: int) -> Message:
    where = f"messages[{index}]"
    if not isinstance(raw, dict):
        raise _bad(f"{where} must be an object")
    role = raw.get("role")
    if role not in ROLES:
        raise ProtocolError(
            "invalid_role", f"{where}.role is {role!r}; expected one of {', '.join(ROLES)}"
        )
    calls_raw = raw.get("tool_calls") or []
    if not isinstance(calls_raw, list):
        raise _bad(f"{where}.tool_calls must be a list")
    if calls_raw and role != "assistant":
        raise _bad(f"{where}: only assistant messages carry tool_calls")
    calls = tuple(_tool_call(c, f"{where}.tool_calls[{i}]") for i, c in enumerate(calls_raw))
    if role == "tool" and not _str(raw, "tool_call_id") and not _str(raw, "name"):
        raise _bad(f"{where}: a tool message needs 'tool_call_id' or 'name'")
    return Message(
        role=role,
        content=_str(raw, "content"),
        tool_calls=calls,
        tool_call_id=_str(raw, "tool_call_id") or None,
        name=_str(raw, "name") or None,
    )


def _tool(raw: Any, index: int) -> Tool:
    where = f"tools[{index}]"
    if not isinstance(raw, dict):
        raise _bad(f"{where} must be an object")
    name = _str(raw, "name")
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise _bad(f"{where}.name must be a non-empty identifier (letters, digits, _ and -)")
    params = raw.get("parameters") or {"type": "object", "properties": {}}
    return Tool(name, _str(raw, "description"), _check_schema(params, f"{where}.parameters"))


def parse_chat_request(data: dict[str, Any], *, max_tokens_cap: int) -> ChatRequest:
    """Validate the ``data`` of a ``chat`` event."""
    messages_raw = data.get("messages")
    if not isinstance(messages_raw, list) or not messages_raw:
        raise _bad("'messages' must be a non-empty list")
    if len(messages_raw) > MAX_MESSAGES:
        raise _bad(f"at most {MAX_MESSAGES} messages per request")
    messages = tuple(_message(m, i) for i, m in enumerate(messages_raw))

    tools_raw = data.get("tools") or []
    if not isinstance(tools_raw, list) or len(tools_raw) > MAX_TOOLS:
        raise _bad(f"'tools' must be a list of at most {MAX_TOOLS} tools")
    tools = tuple(_tool(t, i) for i, t in enumerate(tools_raw))
    names = [t.name for t in tools]
    if len(set(names)) != len(names):
        raise _bad("tool names must be unique")

    choice = data.get("tool_choice", "auto")
    if isinstance(choice, dict):
        choice = choice.get("name")
    if not isinstance(choice, str) or (
        choice not in ("auto", "none", "required") and choice not in names
    ):
        raise _bad("'tool_choice' must be auto, none, required or the name of a given tool")

    schema = None
    fmt = data.get("response_format")
    if fmt is not None:
        if not isinstance(fmt, dict) or "schema" not in fmt:
            raise _bad("'response_format' must be an object with a 'schema'")
        schema = _check_schema(fmt["schema"], "response_format.schema")
        if tools and choice not in ("auto", "none"):
            raise _bad("'response_format' cannot be combined with a forced tool call")

    stop = data.get("stop") or []
    if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
        raise _bad("'stop' must be a list of non-empty strings")

    think = data.get("think", False)
    if not isinstance(think, bool):
        raise _bad("'think' must be true or false")
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise _bad("'seed' must be a non-negative integer")

    return ChatRequest(
        messages=messages,
        id=_str(data, "id"),
        tools=tools,
        tool_choice=choice,
        response_schema=schema,
        think=think,
        max_tokens=int(
            _number(data, "max_tokens", min(512, max_tokens_cap), 1, max_tokens_cap, integer=True)
        ),
        temperature=float(_number(data, "temperature", 0.7, 0.0, 2.0, integer=False)),
        top_p=float(_number(data, "top_p", 0.95, 0.0, 1.0, integer=False)),
        top_k=int(_number(data, "top_k", 40, 0, 1000, integer=True)),
        seed=seed,
        stop=tuple(stop),
    )
