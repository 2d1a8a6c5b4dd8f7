"""Client for the ATLAS chat extension of Wyoming spoken by ``atlas-llm`` (docs/protocol.md).

No Home Assistant imports: the same client serves the integration, the tests and the tools.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from wyoming.event import Event, async_read_event, async_write_event

from .chat_protocol import (
    CHAT,
    CHAT_DELTA,
    CHAT_START,
    CHAT_STOP,
    ERROR,
    INFO_KEY,
    PROTOCOL,
    SERVER_CRASHED,
    ChatRequest,
)

CONNECT_TIMEOUT = 2.5  # an unreachable box must still get a spoken apology within 3 s
# A box that is down or drops the connection is noticed at once; this only bounds a box that
# accepted the request but stays silent. A cold ~3K-token prompt (tools included) on a CPU-only
# box can take tens of seconds before the first event, so be patient.
IDLE_TIMEOUT = 90.0


class AtlasError(Exception):
    """Base class of client errors."""


class AtlasConnectionError(AtlasError):
    """The GPU box cannot be reached, or the connection broke."""


class NotAtlasError(AtlasError):
    """The server answers Wyoming but is not an atlas-llm."""


class AtlasRequestError(AtlasError):
    """The server refused a request with an ``error`` event."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


class AtlasServerCrashedError(AtlasRequestError):
    """atlas-box stopped atlas-llm after repeated crashes; ``text`` says how and what to try."""

    def __init__(self, text: str) -> None:
        super().__init__(SERVER_CRASHED, text)


@dataclass(frozen=True)
class AtlasInfo:
    """What ``describe`` says about an atlas-llm."""

    model: str
    n_ctx: int
    version: str | None
    extension: dict[str, Any] = field(default_factory=dict)

    @property
    def crash(self) -> str | None:
        """The box's crash report when atlas-box stopped a crashing atlas-llm, else None."""
        crashed = self.extension.get("crashed")
        if not isinstance(crashed, dict):
            return None
        return str(crashed.get("summary") or "atlas-llm kept crashing and was stopped")

    @property
    def parameters(self) -> int | None:
        """The model's parameter count (None: an older atlas-llm, or it does not know)."""
        value = self.extension.get("parameters")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            return None
        return int(value)

    @property
    def native_tools(self) -> bool | None:
        """Whether the model's own chat template renders tools (None: not said)."""
        value = self.extension.get("native_tools")
        return value if isinstance(value, bool) else None


@dataclass(frozen=True)
class ChatEvent:
    """One event of a streamed reply: ``start``, ``delta`` or ``stop``."""

    kind: str
    data: dict[str, Any]


class AtlasClient:
    """Talks to one atlas-llm; every request uses its own short-lived TCP connection."""

    def __init__(self, host: str, port: int, *, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout

    @contextlib.asynccontextmanager
    async def _connect(self) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except (OSError, TimeoutError) as err:
            raise AtlasConnectionError(
                f"cannot connect to {self.host}:{self.port}: {err or type(err).__name__}"
            ) from err
        try:
            yield reader, writer
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read(self, reader: asyncio.StreamReader) -> Event:
        try:
            async with asyncio.timeout(self.idle_timeout):
                event = await async_read_event(reader)
        except TimeoutError as err:
            raise AtlasConnectionError(
                f"no answer from {self.host}:{self.port} in {self.idle_timeout:g} s"
            ) from err
        except (OSError, asyncio.IncompleteReadError) as err:
            raise AtlasConnectionError(f"connection to {self.host}:{self.port} broke") from err
        if event is None:
            raise AtlasConnectionError(f"{self.host}:{self.port} closed the connection")
        return event

    async def async_describe(self) -> AtlasInfo:
        """Ask the server what it is; raise :class:`NotAtlasError` if it is no atlas-llm."""
        async with self._connect() as (reader, writer):
            try:
                await async_write_event(Event("describe"), writer)
            except OSError as err:
                raise AtlasConnectionError(str(err)) from err
            event = await self._read(reader)
        ext = event.data.get(INFO_KEY) if event.type == "info" else None
        if not isinstance(ext, dict) or ext.get("protocol") != PROTOCOL:
            raise NotAtlasError(f"{self.host}:{self.port} is not an atlas-llm")
        handle = (event.data.get("handle") or [{}])[0]
        return AtlasInfo(
            model=str(ext.get("model", "")),
            n_ctx=int(ext.get("n_ctx", 4096)),
            version=handle.get("version"),
            extension=ext,
        )

    async def async_chat(self, request: ChatRequest) -> AsyncIterator[ChatEvent]:
        """Send one ``chat`` request and yield its ``start``/``delta``/``stop`` events.

        Leaving the iteration early closes the connection, which stops generation on the server
        within one token.
        """
        async with self._connect() as (reader, writer):
            try:
                await async_write_event(Event(CHAT, dict(request)), writer)
            except OSError as err:
                raise AtlasConnectionError(str(err)) from err
            while True:
                event = await self._read(reader)
                if event.type == ERROR:
                    code = str(event.data.get("code", "error"))
                    text = str(event.data.get("text", ""))
                    if code == SERVER_CRASHED:
                        raise AtlasServerCrashedError(text)
                    raise AtlasRequestError(code, text)
                if event.type == CHAT_START:
                    yield ChatEvent("start", event.data)
                elif event.type == CHAT_DELTA:
                    yield ChatEvent("delta", event.data)
                elif event.type == CHAT_STOP:
                    yield ChatEvent("stop", event.data)
                    return
