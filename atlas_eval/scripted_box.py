"""A scripted atlas-llm: speaks the real chat protocol over TCP, answers from a script.

Determinism is the point: it proves the agent's tool loop and error paths with exact tool calls
(the integration tests), and it stands in for the GPU box when ``atlas-eval turns`` measures the
rules and skills alone. It runs beside (never instead of) the tests against a real atlas-llm.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from wyoming.event import Event, async_read_event, async_write_event

from custom_components.atlas.agent.structured import SCHEMA as STRUCTURED_SCHEMA
from custom_components.atlas.box import chat_protocol as wire

WARM_UP_MAX_TOKENS = 1  # the agent's warm-ups ask for one token (entity.WARM_UP_MAX_TOKENS)
INFO = {
    "handle": [{"name": "atlas-llm", "description": "scripted", "installed": True,
                "version": "0.1.0", "attribution": {"name": "ATLAS", "url": ""},
                "models": [], "supports_handled_streaming": True}],
    wire.INFO_KEY: {"protocol": wire.PROTOCOL, "model": "scripted", "n_ctx": 4096},
}  # fmt: skip


def is_warm_up(request: dict[str, Any]) -> bool:
    """Whether ``request`` is a warm-up (one token, to fill the box's prompt cache)."""
    return bool(request.get("max_tokens") == WARM_UP_MAX_TOKENS)


@dataclass
class Reply:
    """One scripted answer: text streamed word by word, and/or tool calls."""

    content: str = ""
    thinking: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0  # seconds between streamed pieces
    drop_after: int | None = None  # close the connection after this many pieces
    error: tuple[str, str] | None = None  # answer with an error event (code, text)


def is_structured_pass(request: dict[str, Any]) -> bool:
    """Whether ``request`` is the agent's structured pass (its warm-up included)."""
    return bool(request.get("response_format", {}).get("schema") == STRUCTURED_SCHEMA)


@dataclass
class ScriptedLLM:
    """Serves ``describe`` and ``chat`` on 127.0.0.1 from ``replies`` (the structured pass
    gets ``extraction``; other grammar-constrained requests, such as AI tasks, take ``replies``
    like any other request)."""

    replies: list[Reply] = field(default_factory=list)
    extraction: dict[str, Any] = field(
        default_factory=lambda: {"intent": "chat", "day": None, "time_of_day": None,
                                 "types": [], "injury": None, "data_source": None,
                                 "confidence": 0.9}
    )  # fmt: skip
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Requests other than the structured pass."""
        return [r for r in self.requests if not is_structured_pass(r)]

    @property
    def model_requests(self) -> list[dict[str, Any]]:
        """Requests that ask the model for an answer: structured passes and answers, not
        warm-ups."""
        return [r for r in self.requests if not is_warm_up(r)]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while (event := await async_read_event(reader)) is not None:
                if event.type == "describe":
                    await async_write_event(Event("info", INFO), writer)
                elif event.type == wire.CHAT:
                    self.requests.append(event.data)
                    if not await self._answer(event.data, writer):
                        return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        rid = request.get("id", "r")
        if is_structured_pass(request):
            reply = Reply(content=json.dumps(self.extraction))
        elif is_warm_up(request):  # leave the scripted replies alone
            reply = Reply(content="Okay.")
        else:
            reply = self.replies.pop(0) if self.replies else Reply(content="Okay.")
        if reply.error:
            await async_write_event(
                Event(wire.ERROR, {"code": reply.error[0], "text": reply.error[1], "id": rid}),
                writer,
            )
            return True
        await async_write_event(Event(wire.CHAT_START, {"id": rid, "model": "scripted"}), writer)
        if reply.thinking:
            await async_write_event(
                Event(wire.CHAT_DELTA, {"id": rid, "thinking": reply.thinking}), writer
            )
        pieces = [p + " " for p in reply.content.split(" ")] if reply.content else []
        for index, piece in enumerate(pieces):
            if reply.drop_after is not None and index >= reply.drop_after:
                return False
            await async_write_event(Event(wire.CHAT_DELTA, {"id": rid, "content": piece}), writer)
            if reply.delay:
                await asyncio.sleep(reply.delay)
        for call in reply.tool_calls:
            await async_write_event(Event(wire.CHAT_DELTA, {"id": rid, "tool_call": call}), writer)
        await async_write_event(
            Event(wire.CHAT_STOP, {
                "id": rid,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                "content": "".join(pieces),
                "tool_calls": reply.tool_calls,
                "usage": {"prompt_tokens": 10, "completion_tokens": len(pieces)},
            }),
            writer,
        )  # fmt: skip
        return True
