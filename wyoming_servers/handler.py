"""The shared Wyoming connection handler: safe reading, ``describe``, error events."""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod

from wyoming.event import Event, async_write_event
from wyoming.info import Describe, Info
from wyoming.server import AsyncEventHandler

from .protocol import Limits, ProtocolError, error_event, read_event

_LOGGER = logging.getLogger(__name__)


class UnknownEventError(ProtocolError):
    """An event type this server does not handle."""

    def __init__(self, event_type: str) -> None:
        super().__init__("unknown_event", f"this server does not handle '{event_type}' events")


class BaseEventHandler(AsyncEventHandler):
    """One instance per connection.

    Subclasses implement :meth:`info` and :meth:`handle`; this class answers ``describe``, turns
    every malformed event or handler failure into a Wyoming ``error`` event and keeps the
    connection (and the server) alive whenever the byte stream allows it.
    """

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limits: Limits
    ) -> None:
        super().__init__(reader, writer)
        self.limits = limits
        self.peer = str(writer.get_extra_info("peername") or "local")
        self._closed = asyncio.Event()

    @abstractmethod
    def info(self) -> Info:
        """Describe the programs this server offers."""

    @abstractmethod
    async def handle(self, event: Event) -> bool:
        """Handle one non-``describe`` event; return False to close the connection.

        Raise :class:`ProtocolError` for input the client got wrong.
        """

    def info_event(self) -> Event:
        """The ``info`` event answering ``describe``; servers may add extension fields."""
        return self.info().event()

    async def handle_event(self, event: Event) -> bool:
        """Dispatch one event (the :class:`AsyncEventHandler` entry point)."""
        if Describe.is_type(event.type):
            await self.write_event(self.info_event())
            return True
        return await self.handle(event)

    @property
    def closed(self) -> bool:
        """True once the client has gone away."""
        return self._closed.is_set()

    async def write_event(self, event: Event) -> None:
        """Send an event; a vanished client is not an error."""
        if self.closed:
            return
        try:
            await async_write_event(event, self.writer)
        except (ConnectionError, RuntimeError) as err:
            _LOGGER.debug("Client %s went away while writing: %s", self.peer, err)
            self._closed.set()

    async def send_error(self, code: str, text: str) -> None:
        """Send a Wyoming ``error`` event."""
        await self.write_event(error_event(code, text))

    async def run(self) -> None:
        """Read events until the client disconnects or a fatal protocol error occurs."""
        try:
            while not self.closed:
                try:
                    event = await read_event(self.reader, self.limits)
                    if event is None:
                        break
                    if not await self.handle_event(event):
                        break
                except ProtocolError as err:
                    _LOGGER.debug("Protocol error from %s: %s", self.peer, err.text)
                    await self.write_event(err.to_event())
                    if err.fatal:
                        break
                except (ConnectionError, asyncio.IncompleteReadError):
                    break
                except Exception:
                    _LOGGER.exception("Unexpected error while handling an event from %s", self.peer)
                    await self.send_error("internal", "internal server error; see the server log")
        finally:
            self._closed.set()
            await self.disconnect()
            self.writer.close()
