"""One chat protocol: atlas-llm's module and the integration's copy are the same file."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

from custom_components.atlas.box import chat_protocol as integration
from wyoming_servers.llm import chat_protocol as server

REPO = Path(__file__).resolve().parents[1]
SERVER_FILE = REPO / "wyoming_servers" / "llm" / "chat_protocol.py"
INTEGRATION_FILE = REPO / "custom_components" / "atlas" / "box" / "chat_protocol.py"


def test_the_two_copies_are_byte_identical() -> None:
    """HACS installs the integration alone, so it carries a copy; it may never drift."""
    assert INTEGRATION_FILE.read_bytes() == SERVER_FILE.read_bytes()


def test_standard_library_only() -> None:
    imports = {
        node.module
        for node in ast.walk(ast.parse(SERVER_FILE.read_text()))
        if isinstance(node, ast.ImportFrom)
    }
    assert imports == {"typing"}
    assert not [
        n for n in ast.walk(ast.parse(SERVER_FILE.read_text())) if isinstance(n, ast.Import)
    ]


def test_names_and_shapes() -> None:
    assert server.PROTOCOL == integration.PROTOCOL == "atlas-chat/1"
    events = (server.CHAT, server.CHAT_CANCEL, server.CHAT_START, server.CHAT_DELTA,
              server.CHAT_STOP, server.ERROR)  # fmt: skip
    assert events == ("chat", "chat-cancel", "chat-start", "chat-delta", "chat-stop", "error")
    assert typing.get_args(server.FinishReason) == ("stop", "length", "tool_calls", "cancelled")
    assert server.ChatRequest.__required_keys__ == {"messages"}
    assert server.ChatDelta.__required_keys__ == {"id"}
    assert server.ChatStop.__required_keys__ == {"id", "finish_reason"}
    assert server.Usage.__required_keys__ == {
        "prompt_tokens", "cached_prompt_tokens", "completion_tokens"
    }  # fmt: skip


def test_no_protocol_literal_outside_the_module() -> None:
    """The version string is spelled once per copy: every module imports it (tests may assert
    the wire value itself)."""
    spelled = [
        path.relative_to(REPO).as_posix()
        for folder in ("wyoming_servers", "custom_components", "atlas_eval", "atlas_demo")
        for path in (REPO / folder).rglob("*.py")
        if '"atlas-chat/1"' in path.read_text(encoding="utf-8")
        and path not in (SERVER_FILE, INTEGRATION_FILE)
    ]
    assert spelled == []
