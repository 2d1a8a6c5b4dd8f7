"""Home Assistant's REST and websocket APIs, as a frontend or a satellite uses them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from typing import Any

import aiohttp

from .hass import DemoError

# One websocket event with the perf_counter time it was received.
TimedEvent = tuple[float, dict[str, Any]]


class HassApi:
    """An authenticated websocket connection plus REST calls with the same token."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Nothing connects until :meth:`connect`."""
        self.session = session
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}
        self._token = token
        self._ids = itertools.count(1)
        self._results: dict[int, asyncio.Future[Any]] = {}
        self._events: dict[int, asyncio.Queue[TimedEvent]] = {}
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the websocket and authenticate."""
        self._ws = await self.session.ws_connect(f"{self.url}/api/websocket", max_msg_size=0)
        await self._ws.receive_json()  # auth_required
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        reply = await self._ws.receive_json()
        if reply.get("type") != "auth_ok":
            raise DemoError(f"websocket authentication failed: {reply.get('message')}")
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        """Close the websocket."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._ws is not None:
            await self._ws.close()

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            received = time.perf_counter()
            data = message.json()
            for item in data if isinstance(data, list) else [data]:
                if item["type"] == "event" and item["id"] in self._events:
                    self._events[item["id"]].put_nowait((received, item["event"]))
                elif item["type"] == "result" and (future := self._results.pop(item["id"], None)):
                    if item["success"]:
                        future.set_result(item.get("result"))
                    else:
                        error = item.get("error", {})
                        future.set_exception(
                            DemoError(f"{error.get('code')}: {error.get('message')}")
                        )
        for future in self._results.values():
            if not future.done():
                future.set_exception(DemoError("Home Assistant closed the websocket"))

    async def call(self, command: str, **data: Any) -> Any:
        """Send one websocket command and return its result."""
        assert self._ws is not None
        message_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command, **data})
        return await future

    async def subscribe(self, command: str, **data: Any) -> asyncio.Queue[TimedEvent]:
        """Send a command whose events follow its result; the queue receives them."""
        assert self._ws is not None
        message_id = next(self._ids)
        queue: asyncio.Queue[TimedEvent] = asyncio.Queue()
        self._events[message_id] = queue
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command, **data})
        await future
        return queue

    async def send_binary(self, data: bytes) -> None:
        """One binary websocket frame (audio for a pipeline's STT handler)."""
        assert self._ws is not None
        await self._ws.send_bytes(data)

    async def rest(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """One REST call; the decoded JSON reply."""
        async with self.session.request(
            method, f"{self.url}{path}", json=payload, headers=self.headers
        ) as response:
            if response.status >= 400:
                raise DemoError(f"{method} {path}: HTTP {response.status} {await response.text()}")
            return await response.json()

    async def config_flow(self, handler: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Run a config flow's user step with ``user_input``: the created entry."""
        flow = await self.rest("POST", "/api/config/config_entries/flow", {"handler": handler})
        result = await self.rest(
            "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", user_input
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"adding {handler} failed: {result.get('errors') or result.get('reason')}"
            )
        entry: dict[str, Any] = result["result"]
        return entry
