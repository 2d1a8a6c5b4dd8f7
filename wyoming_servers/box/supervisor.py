"""Run child servers, restart the ones that die, and stop them all cleanly.

Each child runs in its own session (so a terminal's Ctrl-C reaches only the box, which then
forwards SIGTERM), its output is copied to the box's stderr with a ``[name]`` prefix, and a probe
logs when it first answers Wyoming ``describe``. A child that exits while the box is not stopping
is restarted after 1, 2, 4 ... seconds (at most ``backoff_max``); after ``max_restarts`` quick
failures in a row (a run longer than ``stable_after`` seconds resets the count) it is given up.
A child killed by a native crash signal (SIGSEGV, SIGABRT ...) ``crash_limit`` times in a row is
given up too, with one :class:`~.crash_report.CrashReport` logged (signal, count, the last lines
of its log, the spec's hint); a spec with ``report_uri`` then has a stand-in serve that report on
its port until the box stops. Everything is asyncio: no call blocks the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wyoming.event import async_read_event, async_write_event
from wyoming.info import Describe, Info

from ..cli import WyomingServer
from ..protocol import KIB, Limits
from .crash_report import CrashReport, CrashReportHandler, crash_signal

_LOGGER = logging.getLogger("atlas-box")
_PROBE_LIMIT = 1 << 24
_LINE_LIMIT = 1 << 20  # longest child output line kept (progress bars end lines with \r)
LOG_TAIL_LINES = 20  # child output lines kept for a crash report
_REPORT_LIMITS = Limits(max_header_bytes=64 * KIB, max_data_bytes=2 << 20, max_payload_bytes=0)


@dataclass(frozen=True)
class ChildSpec:
    """How to run one server."""

    name: str
    argv: tuple[str, ...]
    probe_host: str | None = None
    probe_port: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    title: str = ""  # the program's name in reports (atlas-llm); ``name`` when empty
    crash_hint: str = ""  # what to try when it keeps crashing
    report_uri: str | None = None  # where a crash report is served in its place (tcp://host:port)


def write_stderr(text: str) -> None:
    """Default sink for child output."""
    sys.stderr.write(text)
    sys.stderr.flush()


async def describe_once(host: str, port: int, time_limit: float = 5) -> Info | None:
    """Send ``describe`` to ``host:port`` and return the ``info`` answer."""
    async with asyncio.timeout(time_limit):
        reader, writer = await asyncio.open_connection(host, port, limit=_PROBE_LIMIT)
        try:
            await async_write_event(Describe().event(), writer)
            event = await async_read_event(reader)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    return Info.from_event(event) if event is not None and Info.is_type(event.type) else None


class Supervisor:
    """Keeps a set of child processes running until :meth:`request_stop`."""

    def __init__(
        self,
        specs: list[ChildSpec],
        *,
        stop_timeout: float = 10.0,
        max_restarts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        stable_after: float = 60.0,
        crash_limit: int = 3,
        ready_timeout: float = 3600.0,
        output: Callable[[str], None] = write_stderr,
    ) -> None:
        self.specs = specs
        self.stop_timeout = stop_timeout
        self.max_restarts = max_restarts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.crash_limit = crash_limit
        self.ready_timeout = ready_timeout
        self._output = output
        self._stop = asyncio.Event()
        self._procs: dict[str, asyncio.subprocess.Process] = {}
        self.restarts: dict[str, int] = {spec.name: 0 for spec in specs}
        self.crash_reports: dict[str, CrashReport] = {}
        self._tails: dict[str, deque[str]] = {
            spec.name: deque(maxlen=LOG_TAIL_LINES) for spec in specs
        }

    def request_stop(self) -> None:
        """Begin a clean shutdown (safe to call from a signal handler)."""
        if not self._stop.is_set():
            _LOGGER.info("Stopping all servers")
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once a stop was requested."""
        return self._stop.is_set()

    def pids(self) -> dict[str, int]:
        """The pid of every running child."""
        return {name: proc.pid for name, proc in self._procs.items() if proc.returncode is None}

    async def run(self) -> int:
        """Run until stopped (exit code 0) or until every child was given up (1)."""
        tasks = [asyncio.create_task(self._keep_running(s), name=s.name) for s in self.specs]
        children = asyncio.gather(*tasks, return_exceptions=True)
        stop_wait = asyncio.create_task(self._stop.wait())
        waiters: list[asyncio.Future[Any]] = [stop_wait, children]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            requested = self.stopping
            self._stop.set()
            await self._stop_children()
            # Let each task see its child's exit and flush the last output lines.
            _done, pending = await asyncio.wait(tasks, timeout=self.stop_timeout + 5)
            await self._stop_children()  # a child started while the stop began
            for task in pending:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await children
            stop_wait.cancel()
        return 0 if requested else 1

    async def _stop_children(self) -> None:
        """SIGTERM every child, wait ``stop_timeout`` s, then SIGKILL the rest."""
        live = {name: p for name, p in self._procs.items() if p.returncode is None}
        for name, proc in live.items():
            _LOGGER.info("Sending SIGTERM to %s (pid %d)", name, proc.pid)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        if not live:
            return
        waits = {name: asyncio.create_task(p.wait()) for name, p in live.items()}
        _done, pending = await asyncio.wait(waits.values(), timeout=self.stop_timeout)
        for name, proc in live.items():
            if waits[name] in pending:
                _LOGGER.warning(
                    "%s (pid %d) ignored SIGTERM for %.0f s: SIGKILL",
                    name,
                    proc.pid,
                    self.stop_timeout,
                )
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
        if pending:
            await asyncio.wait(pending, timeout=10)
        for name, proc in live.items():
            _LOGGER.info("%s (pid %d) stopped with code %s", name, proc.pid, proc.returncode)

    async def _keep_running(self, spec: ChildSpec) -> bool:
        """Run one child, restarting it on unexpected exits; False when given up."""
        try:
            return await self._restart_loop(spec)
        except Exception:
            _LOGGER.exception("Supervising %s failed", spec.name)
            return False

    async def _restart_loop(self, spec: ChildSpec) -> bool:
        failures = 0
        crashes = 0
        while not self.stopping:
            started = time.monotonic()
            code = await self._run_once(spec)
            if self.stopping:
                break
            ran = time.monotonic() - started
            sig = crash_signal(code)
            crashes = crashes + 1 if sig is not None else 0
            if sig is not None and crashes >= self.crash_limit:
                tail = tuple(self._tails[spec.name])
                report = CrashReport(
                    spec.title or spec.name, sig.name, crashes, tail, spec.crash_hint
                )
                await self._give_up_crashed(spec, report)
                return False
            failures = 1 if ran >= self.stable_after else failures + 1
            if failures > self.max_restarts:
                _LOGGER.error(
                    "%s failed %d times in a row (last exit code %s): giving up on it",
                    spec.name,
                    failures,
                    code,
                )
                return False
            delay = min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))
            _LOGGER.error(
                "%s exited unexpectedly with code %s after %.1f s; restarting in %.0f s "
                "(attempt %d of %d)",
                spec.name,
                code,
                ran,
                delay,
                failures,
                self.max_restarts,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if not self.stopping:
                self.restarts[spec.name] += 1
        return True

    async def _give_up_crashed(self, spec: ChildSpec, report: CrashReport) -> None:
        """Log the report once; serve it on the child's port until the box stops."""
        self.crash_reports[spec.name] = report
        _LOGGER.error("%s", report.text())
        if spec.report_uri is None:
            return
        server = WyomingServer(
            spec.report_uri,
            lambda reader, writer: CrashReportHandler(
                reader, writer, _REPORT_LIMITS, report=report
            ),
            _REPORT_LIMITS,
        )
        try:
            await server.start()
        except OSError as err:
            _LOGGER.warning("Cannot serve %s's crash report on %s: %s", spec.name,
                            spec.report_uri, err)  # fmt: skip
            return
        _LOGGER.info("Serving %s's crash report on %s", spec.name, spec.report_uri)
        try:
            await self._stop.wait()
        finally:
            await server.stop()

    async def _run_once(self, spec: ChildSpec) -> int | None:
        """Start the child and wait for it to exit; its exit code (None if it never started)."""
        self._tails[spec.name].clear()  # a crash report shows the last run's output
        try:
            proc = await asyncio.create_subprocess_exec(
                *spec.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                limit=_LINE_LIMIT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **spec.env},
            )
        except OSError as err:
            _LOGGER.error("Cannot start %s: %s", spec.name, err)  # noqa: TRY400 - no traceback
            return None
        self._procs[spec.name] = proc
        if self.stopping:  # the stop began while it was starting
            proc.send_signal(signal.SIGTERM)
        _LOGGER.info("Started %s (pid %d): %s", spec.name, proc.pid, " ".join(spec.argv))
        pump = asyncio.create_task(self._pump(spec.name, proc))
        probe = asyncio.create_task(self._probe(spec, proc))
        try:
            code = await proc.wait()
        finally:
            probe.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(pump), 5)
            pump.cancel()
            await asyncio.gather(probe, pump, return_exceptions=True)
        return code

    async def _pump(self, name: str, proc: asyncio.subprocess.Process) -> None:
        """Copy the child's output, line by line, prefixed with its name."""
        assert proc.stdout is not None
        prefix = f"[{name}] "
        while True:
            try:
                line = await proc.stdout.readline()
            except ValueError:  # a line longer than the stream limit: its start is dropped
                continue
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\n")
            self._tails[name].append(text.rsplit("\r", 1)[-1])
            self._output(prefix + text + "\n")

    async def _probe(self, spec: ChildSpec, proc: asyncio.subprocess.Process) -> None:
        """Log when the child first answers ``describe``."""
        if spec.probe_host is None or spec.probe_port is None:
            return
        started = time.monotonic()
        while proc.returncode is None and time.monotonic() - started < self.ready_timeout:
            try:
                info = await describe_once(spec.probe_host, spec.probe_port)
            except (OSError, TimeoutError, ValueError):
                info = None
            if info is not None:
                _LOGGER.info(
                    "%s (pid %d) ready on %s:%d after %.1f s",
                    spec.name,
                    proc.pid,
                    spec.probe_host,
                    spec.probe_port,
                    time.monotonic() - started,
                )
                return
            await asyncio.sleep(0.5)
