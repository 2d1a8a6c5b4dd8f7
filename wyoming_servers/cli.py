"""Command-line flags and the server runner shared by every ATLAS Wyoming server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from . import __version__
from .discovery import WyomingAdvertisement, advertised_addresses
from .handler import BaseEventHandler
from .protocol import Limits

_LOGGER = logging.getLogger(__name__)

HandlerFactory = Callable[[asyncio.StreamReader, asyncio.StreamWriter], BaseEventHandler]


def default_data_dir() -> Path:
    """``$ATLAS_DATA_DIR``, else ``~/.local/share/atlas``."""
    env = os.environ.get("ATLAS_DATA_DIR")
    return Path(env) if env else Path.home() / ".local" / "share" / "atlas"


def add_common_arguments(
    parser: argparse.ArgumentParser,
    *,
    default_port: int,
    zeroconf_name: str,
    limits: Limits,
) -> None:
    """Add ``--uri``, ``--zeroconf``, ``--data-dir``, ``--debug`` and the size limits."""
    parser.add_argument(
        "--uri",
        default=f"tcp://0.0.0.0:{default_port}",
        help=f"tcp://HOST:PORT or unix://PATH to listen on (default: tcp://0.0.0.0:{default_port})",
    )
    parser.add_argument(
        "--zeroconf",
        nargs="?",
        const=zeroconf_name,
        metavar="NAME",
        help=f"advertise over zeroconf as _wyoming._tcp (default name: {zeroconf_name})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="directory holding downloaded models (default: $ATLAS_DATA_DIR or "
        "~/.local/share/atlas)",
    )
    parser.add_argument("--debug", action="store_true", help="log at DEBUG level")
    parser.add_argument(
        "--max-header-bytes",
        type=int,
        default=limits.max_header_bytes,
        help="largest event header line accepted",
    )
    parser.add_argument(
        "--max-data-bytes", type=int, default=limits.max_data_bytes, help="largest event data"
    )
    parser.add_argument(
        "--max-payload-bytes",
        type=int,
        default=limits.max_payload_bytes,
        help="largest event payload (e.g. one audio chunk)",
    )
    parser.add_argument("--version", action="version", version=__version__)


def limits_from_args(args: argparse.Namespace) -> Limits:
    """The :class:`Limits` set by the common flags."""
    return Limits(
        max_header_bytes=args.max_header_bytes,
        max_data_bytes=args.max_data_bytes,
        max_payload_bytes=args.max_payload_bytes,
    )


def setup_logging(debug: bool) -> None:
    """Log to stderr, DEBUG with ``--debug``."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@dataclass
class WyomingServer:
    """A listening Wyoming server: one handler per connection, optional zeroconf."""

    uri: str
    handler_factory: HandlerFactory
    limits: Limits
    zeroconf_name: str | None = None
    zeroconf_role: str = ""  # the TXT property atlas=<role> (stt, tts, llm)
    _server: asyncio.AbstractServer | None = field(default=None, init=False)
    _advert: WyomingAdvertisement | None = field(default=None, init=False)
    _handlers: set[BaseEventHandler] = field(default_factory=set, init=False)

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = self.handler_factory(reader, writer)
        self._handlers.add(handler)
        try:
            await handler.run()
        finally:
            self._handlers.discard(handler)

    async def start(self) -> None:
        """Bind and start accepting connections."""
        parsed = urlparse(self.uri)
        # The stream buffer bounds how long a header line may grow before it is rejected.
        limit = self.limits.max_header_bytes + 1
        if parsed.scheme == "tcp":
            if parsed.hostname is None or parsed.port is None:
                raise ValueError(f"a tcp:// URI needs a host and a port: {self.uri}")
            self._server = await asyncio.start_server(
                self._on_connect, host=parsed.hostname, port=parsed.port, limit=limit
            )
            if self.zeroconf_name:
                self._advert = WyomingAdvertisement(
                    self.zeroconf_name,
                    self.port,
                    advertised_addresses(parsed.hostname),
                    role=self.zeroconf_role,
                )
                await self._advert.start()
        elif parsed.scheme == "unix":
            await asyncio.to_thread(Path(parsed.path).unlink, missing_ok=True)
            self._server = await asyncio.start_unix_server(
                self._on_connect, path=parsed.path, limit=limit
            )
        else:
            raise ValueError(f"only tcp:// and unix:// URIs are supported, not {self.uri}")
        _LOGGER.info("Listening on %s", self.uri)

    @property
    def port(self) -> int:
        """The bound TCP port (useful with port 0)."""
        assert isinstance(self._server, asyncio.Server)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop advertising, stop accepting, and close every open connection."""
        if self._advert is not None:
            await self._advert.stop()
        if self._server is not None:
            self._server.close()
        for handler in list(self._handlers):
            await handler.stop()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)

    async def serve_until_signalled(self) -> None:
        """Run until SIGINT or SIGTERM, then stop cleanly."""
        await self.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            _LOGGER.info("Stopping %s", self.uri)
            await self.stop()
