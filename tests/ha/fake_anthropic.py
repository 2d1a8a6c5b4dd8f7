"""A fake Anthropic Messages API on 127.0.0.1 for the real ``anthropic`` SDK.

``POST /v1/messages`` answers from a queue of scripted replies: real SSE streams (message_start
with usage, text and tool_use content blocks, message_delta, message_stop), error responses
(401, 429, 529, …) with Anthropic's JSON error bodies, slow starts, stalls and dropped
connections. ``GET /v1/models`` checks the API key. Every request is recorded.

    server = FakeAnthropic()
    await server.start()
    server.add(ClaudeReply.tool("HassTurnOn", {"name": "Kitchen light"}), ClaudeReply("Done."))
    ...  # the entry's data include ``claude_data(server.base_url)``
    await server.stop()
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiohttp import web
from homeassistant.const import CONF_API_KEY

from custom_components.atlas.cloud.settings import CONF_CLAUDE_BASE_URL

API_KEY = "sk-ant-api03-fake-test-key-0123456789"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_ids = count(1)


@dataclass
class ToolUse:
    """A tool call Claude makes."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: f"toolu_{next(_ids):024d}")


@dataclass
class ClaudeReply:
    """One scripted answer to ``POST /v1/messages``.

    ``text`` streams word by word; then each of ``tool_uses`` as a tool_use block whose input
    JSON arrives in pieces. ``status`` other than 200 answers with an error of ``error_type``
    (by default the one Anthropic sends for that status).
    """

    text: str = ""
    tool_uses: list[ToolUse] = field(default_factory=list)
    status: int = 200
    error_type: str | None = None
    delay: float = 0.0  # seconds before the response starts
    stall: float = 0.0  # seconds of silence after the first text delta (or message_start)
    stream_error: str | None = None  # an SSE ``error`` event of this type after message_start
    drop: bool = False  # close the connection after message_start, without message_stop
    input_tokens: int = 100
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    output_tokens: int | None = None  # by default one per word and tool
    stop_reason: str | None = None  # by default tool_use or end_turn

    @classmethod
    def tool(
        cls, name: str, tool_input: dict[str, Any] | None = None, **kwargs: Any
    ) -> ClaudeReply:
        """A reply that only calls one tool."""
        return cls(tool_uses=[ToolUse(name, tool_input or {})], **kwargs)

    @classmethod
    def error(cls, status: int, **kwargs: Any) -> ClaudeReply:
        """An HTTP error reply (401, 429, 529, …)."""
        return cls(status=status, **kwargs)

    @property
    def words(self) -> list[str]:
        """The text as streamed pieces."""
        return [w + " " for w in self.text.split(" ")[:-1]] + [self.text.split(" ")[-1]]

    def usage_out(self) -> int:
        """Output tokens reported at the end."""
        if self.output_tokens is not None:
            return self.output_tokens
        return len(self.text.split()) + 10 * len(self.tool_uses) + 1


@dataclass
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any]

    @property
    def api_key(self) -> str | None:
        """The key sent: ``x-api-key`` (SDK 0.x) or ``Authorization: Bearer`` (SDK 2.x)."""
        bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
        return self.headers.get("x-api-key", bearer or None)


def _error_body(status: int, error_type: str | None) -> dict[str, Any]:
    kind = error_type or ERROR_TYPES.get(status, "api_error")
    return {
        "type": "error",
        "error": {"type": kind, "message": f"fake {kind}"},
        "request_id": f"req_fake{next(_ids)}",
    }


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class FakeAnthropic:
    """The fake server; ``replies`` is the queue, ``requests`` what it received."""

    def __init__(
        self, *, api_keys: tuple[str, ...] = (API_KEY,), default: ClaudeReply | None = None
    ) -> None:
        """``api_keys`` are accepted; ``default`` answers when the queue is empty (else 500)."""
        self.api_keys = set(api_keys)
        self.default = default
        self.replies: list[ClaudeReply] = []
        self.requests: list[RecordedRequest] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """What the SDK's ``base_url`` must be."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def message_requests(self) -> list[dict[str, Any]]:
        """The bodies of the ``POST /v1/messages`` requests."""
        return [r.body for r in self.requests if r.path == "/v1/messages"]

    def add(self, *replies: ClaudeReply) -> None:
        """Queue replies."""
        self.replies.extend(replies)

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (a free port unless ``port``)."""
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server  # the only way to learn the bound port
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end the handlers still running."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _record(self, request: web.Request) -> RecordedRequest:
        body: dict[str, Any] = await request.json() if request.can_read_body else {}
        headers = {name.lower(): value for name, value in request.headers.items()}
        recorded = RecordedRequest(request.method, request.path, headers, body)
        self.requests.append(recorded)
        return recorded

    def _authorised(self, recorded: RecordedRequest) -> bool:
        return recorded.api_key in self.api_keys

    async def _models(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        if not self._authorised(recorded):
            return web.json_response(_error_body(401, None), status=401)
        model = {
            "type": "model",
            "id": "claude-haiku-4-5-20251001",
            "display_name": "Claude Haiku 4.5",
            "created_at": "2025-10-01T00:00:00Z",
        }
        return web.json_response(
            {"data": [model], "has_more": False, "first_id": model["id"], "last_id": model["id"]}
        )

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        if not self._authorised(recorded):
            return web.json_response(_error_body(401, None), status=401)
        if self.replies:
            reply = self.replies.pop(0)
        elif self.default is not None:
            reply = self.default
        else:
            reply = ClaudeReply.error(500, error_type="api_error")
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return web.json_response(
                _error_body(reply.status, reply.error_type),
                status=reply.status,
                headers={"x-should-retry": "false"},
            )
        message_id = f"msg_fake{next(_ids)}"
        if not recorded.body.get("stream"):
            return web.json_response(self._message(reply, message_id, recorded.body))
        return await self._stream(request, reply, message_id, recorded.body)

    def _message(self, reply: ClaudeReply, message_id: str, body: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if reply.text:
            content.append({"type": "text", "text": reply.text})
        content += [
            {"type": "tool_use", "id": t.id, "name": t.name, "input": t.input}
            for t in reply.tool_uses
        ]
        return {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": content,
            "stop_reason": reply.stop_reason or ("tool_use" if reply.tool_uses else "end_turn"),
            "stop_sequence": None,
            "usage": {
                "input_tokens": reply.input_tokens,
                "cache_read_input_tokens": reply.cache_read_input_tokens,
                "cache_creation_input_tokens": reply.cache_creation_input_tokens,
                "output_tokens": reply.usage_out(),
            },
        }

    async def _stream(
        self, request: web.Request, reply: ClaudeReply, message_id: str, body: dict[str, Any]
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        start = self._message(reply, message_id, body)
        start.update(content=[], stop_reason=None)
        start["usage"]["output_tokens"] = 1
        await response.write(_sse("message_start", {"type": "message_start", "message": start}))
        await response.write(_sse("ping", {"type": "ping"}))
        if reply.stream_error:
            await response.write(_sse("error", _error_body(200, reply.stream_error)))
            return response
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            return response
        index = 0
        if reply.text:
            await response.write(
                _sse(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            for number, word in enumerate(reply.words):
                await response.write(
                    _sse(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "text_delta", "text": word},
                        },
                    )
                )
                if number == 0 and reply.stall:
                    await asyncio.sleep(reply.stall)
            await response.write(
                _sse("content_block_stop", {"type": "content_block_stop", "index": index})
            )
            index += 1
        elif reply.stall:
            await asyncio.sleep(reply.stall)
        for tool in reply.tool_uses:
            await response.write(
                _sse(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {
                            "type": "tool_use",
                            "id": tool.id,
                            "name": tool.name,
                            "input": {},
                        },
                    },
                )
            )
            raw = json.dumps(tool.input)
            for piece in (raw[: len(raw) // 2], raw[len(raw) // 2 :]):
                await response.write(
                    _sse(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece},
                        },
                    )
                )
            await response.write(
                _sse("content_block_stop", {"type": "content_block_stop", "index": index})
            )
            index += 1
        await response.write(
            _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {
                        "stop_reason": reply.stop_reason
                        or ("tool_use" if reply.tool_uses else "end_turn"),
                        "stop_sequence": None,
                    },
                    "usage": {"output_tokens": reply.usage_out()},
                },
            )
        )
        await response.write(_sse("message_stop", {"type": "message_stop"}))
        await response.write_eof()
        return response


def claude_data(base_url: str, api_key: str | None = API_KEY) -> dict[str, Any]:
    """Entry data that point ATLAS's Claude client at ``base_url``, with ``api_key`` (``None``:
    no key)."""
    data: dict[str, Any] = {CONF_CLAUDE_BASE_URL: base_url}
    if api_key is not None:
        data[CONF_API_KEY] = api_key
    return data
