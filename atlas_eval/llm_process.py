"""An ``atlas-llm`` child process on a free loopback port, for one model under evaluation."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path

from wyoming_servers.processes import free_port

from .agent_modules import Agent, Info

STOP_TIMEOUT = 15.0


class ServerError(Exception):
    """The server did not start, or died."""


class LlmProcess:
    """``python -m wyoming_servers.llm`` serving one model on 127.0.0.1; its log goes to a file."""

    def __init__(
        self, model: str | None, log_path: Path, *, data_dir: Path | None, threads: int | None
    ) -> None:
        self.model = model
        self.log_path = log_path
        self.port = free_port()
        self.args = ["--uri", f"tcp://127.0.0.1:{self.port}"]
        if model:
            self.args += ["--model", model]
        if data_dir is not None:
            self.args += ["--data-dir", str(data_dir)]
        if threads:
            self.args += ["--threads", str(threads)]
        self._proc: asyncio.subprocess.Process | None = None

    def log_tail(self, size: int = 2000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    async def start(self, agent: Agent, wait_s: float) -> Info:
        """Start the server and wait until ``describe`` answers; its info."""
        with self.log_path.open("wb") as log:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "wyoming_servers.llm", *self.args,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        client = agent.client("127.0.0.1", self.port)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self._proc.returncode is not None:
                raise ServerError(f"atlas-llm exited with {self._proc.returncode}")
            try:
                return await client.async_describe()
            except agent.error:
                await asyncio.sleep(0.5)
        raise ServerError(f"atlas-llm did not answer in {wait_s:g} s")

    async def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT`; the exit code."""
        proc = self._proc
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await proc.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        return proc.returncode
