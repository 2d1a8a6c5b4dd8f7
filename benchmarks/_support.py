"""What the benchmarks (and the tests) share: Wyoming servers as child processes on 127.0.0.1,
a Wyoming connection, and CPU-spinning neighbours.

Run the benchmarks as modules from the repository root (``python -m benchmarks.stt``), so this
package imports without touching ``sys.path``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from wyoming.event import Event, async_read_event, async_write_event
from wyoming.info import Describe, Info

from wyoming_servers.processes import free_port, stop_process

__all__ = [
    "DATA_DIR",
    "REPO",
    "Conn",
    "ServerProcess",
    "busy_neighbours",
    "connect",
    "describe",
    "free_port",
    "running",
    "start_command",
]

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("ATLAS_TEST_DATA_DIR", REPO / ".atlas-data"))
SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"


@dataclass
class ServerProcess:
    """A Wyoming server running as a child process."""

    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def uri(self) -> str:
        """Where it listens."""
        return f"tcp://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Everything it logged so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, then SIGKILL if it does not exit in ``timeout`` seconds."""
        return stop_process(self.proc, timeout)


def start_command(
    name: str, cmd: list[str], port: int, log_path: Path, ready_timeout: float = 180
) -> ServerProcess:
    """Start any Wyoming server command listening on ``port``; wait until ``describe`` answers."""
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO)
    server = ServerProcess(proc, port, log_path)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{server.log()[-3000:]}")
        try:
            info = asyncio.run(describe(port, timeout=2))
        except (OSError, TimeoutError):
            time.sleep(0.3)
            continue
        if info is not None:
            return server
    server.stop()
    raise RuntimeError(
        f"{name} did not answer describe in {ready_timeout}s:\n{server.log()[-3000:]}"
    )


@contextlib.contextmanager
def running(
    name: str, cmd: list[str], port: int, log_path: Path, ready_timeout: float = 180
) -> Iterator[ServerProcess]:
    """:func:`start_command` for the duration of the block."""
    server = start_command(name, cmd, port, log_path, ready_timeout)
    try:
        yield server
    finally:
        server.stop()


class Conn:
    """One Wyoming TCP connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, event: Event) -> None:
        """Write one event."""
        await async_write_event(event, self.writer)

    async def send_raw(self, data: bytes) -> None:
        """Write bytes as they are."""
        self.writer.write(data)
        await self.writer.drain()

    async def recv(self, timeout: float = 60) -> Event | None:  # noqa: ASYNC109
        """The next event, ``None`` when the server closed the connection."""
        return await asyncio.wait_for(async_read_event(self.reader), timeout)

    async def recv_until(self, event_type: str, timeout: float = 120) -> list[Event]:  # noqa: ASYNC109
        """Every event up to and including the first of ``event_type``."""
        return await self.recv_until_any((event_type,), timeout)

    async def recv_until_any(
        self,
        types: tuple[str, ...],
        timeout: float = 120,  # noqa: ASYNC109
    ) -> list[Event]:
        """Every event up to and including the first whose type is in ``types``."""
        events: list[Event] = []
        async with asyncio.timeout(timeout):
            while True:
                event = await async_read_event(self.reader)
                if event is None:
                    raise ConnectionError(f"closed before {types}; got {events}")
                events.append(event)
                if event.type in types:
                    return events

    async def close(self) -> None:
        """Close, ignoring a connection that is already gone."""
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


@contextlib.asynccontextmanager
async def connect(port: int, timeout: float = 5) -> AsyncIterator[Conn]:  # noqa: ASYNC109
    """Open a Wyoming connection to 127.0.0.1:port."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, limit=2**24), timeout
    )
    conn = Conn(reader, writer)
    try:
        yield conn
    finally:
        await conn.close()


async def describe(port: int, timeout: float = 10) -> Info | None:  # noqa: ASYNC109
    """Send ``describe`` and return the ``info`` answer."""
    async with connect(port, timeout) as conn:
        await conn.send(Describe().event())
        event = await conn.recv(timeout)
        return Info.from_event(event) if event is not None and Info.is_type(event.type) else None


@contextlib.contextmanager
def busy_neighbours(count: int, seconds: float = 3600) -> Iterator[None]:
    """``count`` CPU-spinning processes (what STT, TTS or Home Assistant do to atlas-llm) for
    the duration of the block; they end by themselves after ``seconds`` anyway."""
    code = SPIN.format(seconds=seconds)
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
