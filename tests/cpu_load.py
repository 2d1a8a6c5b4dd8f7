"""Busy neighbours on the CPU (what STT, TTS or Home Assistant do to atlas-llm): spinning
processes that are killed with the block and end by themselves anyway."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"


@contextmanager
def busy_neighbours(count: int, seconds: float = 3600) -> Iterator[None]:
    """``count`` CPU-spinning processes for the duration of the block (at most ``seconds``)."""
    code = SPIN.format(seconds=seconds)
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
