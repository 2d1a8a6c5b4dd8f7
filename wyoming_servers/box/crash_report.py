"""A server that keeps crashing: the report, and a stand-in that serves it on the server's port.

When a child dies from a native crash signal several times in a row, the supervisor stops
restarting it, logs one :class:`CrashReport` and, for atlas-llm, listens on its port in its place
(:class:`CrashReportHandler`): ``describe`` carries the report in the ``atlas`` extension and
every request gets an ``error`` event with code ``server_crashed``, so Home Assistant can show
what happened and what to try instead of "the box is unreachable".
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any, Final

from wyoming.event import Event
from wyoming.info import Attribution, HandleModel, HandleProgram, Info

from .. import __version__
from ..handler import BaseEventHandler
from ..llm.chat_protocol import PROTOCOL, SERVER_CRASHED

# Native crashes: the process was killed by the kernel or aborted itself, not stopped.
CRASH_SIGNALS: Final = frozenset(
    {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT}
)
ERROR_CODE: Final = SERVER_CRASHED


def crash_signal(returncode: int | None) -> signal.Signals | None:
    """The crash signal that ended a child (``returncode`` -N), or None for any other exit."""
    if returncode is None or returncode >= 0:
        return None
    try:
        sig = signal.Signals(-returncode)
    except ValueError:
        return None
    return sig if sig in CRASH_SIGNALS else None


@dataclass(frozen=True)
class CrashReport:
    """Which server keeps crashing, how, how often, its last log lines and what to try."""

    server: str
    signal: str
    crashes: int
    log_tail: tuple[str, ...]
    hint: str

    def summary(self) -> str:
        """One sentence (the ``error`` event's text)."""
        return (
            f"{self.server} crashed with {self.signal} {self.crashes} times in a row and was "
            f"stopped. {self.hint}".strip()
        )

    def text(self) -> str:
        """The block the box logs once."""
        lines = [
            f"{self.server} keeps crashing: killed by {self.signal} {self.crashes} times in a row.",
            "It is no longer restarted; requests to it get a 'server_crashed' error until the "
            "box is restarted.",
        ]
        if self.hint:
            lines.append(f"What to try: {self.hint}")
        if self.log_tail:
            lines.append(f"Last lines of {self.server}'s log:")
            lines.extend(f"  | {line}" for line in self.log_tail)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The ``crashed`` object of the stand-in's ``info``."""
        return {
            "server": self.server,
            "signal": self.signal,
            "crashes": self.crashes,
            "hint": self.hint,
            "summary": self.summary(),
            "log_tail": list(self.log_tail),
        }


class CrashReportHandler(BaseEventHandler):
    """Answers on a crashed atlas-llm's port: ``describe`` with the report, requests with errors."""

    def __init__(self, *args: Any, report: CrashReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def info(self) -> Info:
        attribution = Attribution(name="ATLAS", url="https://github.com/atlas-assistant/atlas")
        return Info(
            handle=[
                HandleProgram(
                    name=self.report.server,
                    description=f"ATLAS: {self.report.server} stopped after repeated crashes",
                    attribution=attribution,
                    installed=False,
                    version=__version__,
                    models=[
                        HandleModel(
                            name="none",
                            description="no model loaded",
                            attribution=attribution,
                            installed=False,
                            version=None,
                            languages=[],
                        )
                    ],
                )
            ]
        )

    def info_event(self) -> Event:
        event = self.info().event()
        event.data["atlas"] = {
            "protocol": PROTOCOL,
            "model": "",
            "crashed": self.report.to_dict(),
        }
        return event

    async def handle(self, event: Event) -> bool:
        reply: dict[str, Any] = {"code": ERROR_CODE, "text": self.report.summary()}
        request_id = event.data.get("id")
        if isinstance(request_id, str):
            reply["id"] = request_id
        await self.write_event(Event("error", reply))
        return True
