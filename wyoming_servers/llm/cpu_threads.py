"""CPU threads for llama.cpp that give way when other programs need the cores.

On a CPU-only box atlas-llm shares the cores with STT, TTS and Home Assistant. llama.cpp's
OpenMP threads decode fastest when they spin on an idle CPU, but when another program takes one
of their cores, every barrier waits for the thread that lost its core and decoding collapses
(measured on 2 cores: 72 tok/s idle, 24 tok/s with one busy neighbour). Sleeping threads
(``OMP_WAIT_POLICY=PASSIVE``) survive a busy neighbour but pay a wake-up on every barrier
(39 tok/s, idle or not), and a single thread beats them both ways (47-49 tok/s).

The governor measures how many cores *other* processes keep busy (``/proc/stat`` minus this
process's own ticks) a few times a second, and the engine runs llama.cpp on the cores that are
free: all configured threads on an idle machine, fewer as neighbours get busy.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

PROC = Path("/proc")
PERIOD_S = 0.25
# A neighbour that keeps more than this share of a core busy takes the core away from llama.cpp.
CORE_SHARE_TAKEN = 0.4


@dataclass(frozen=True)
class CpuSample:
    """CPU time counters at one moment, in clock ticks."""

    at: float  # time.monotonic()
    busy_ticks: int  # every process, every core
    own_ticks: int  # the measured processes (default: this one), all their threads


def read_sample(proc: Path = PROC, pids: Sequence[int | str] = ("self",)) -> CpuSample | None:
    """Read the counters (``own_ticks``: the processes ``pids``, a gone one counting 0);
    ``None`` where ``/proc`` is missing or unreadable (not Linux)."""
    try:
        total = (proc / "stat").read_text().split("\n", 1)[0].split()
        # cpu user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is
        # already counted in user.
        ticks = [int(value) for value in total[1:9]]
        busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        own_ticks = sum(_process_ticks(proc / str(pid) / "stat") for pid in pids)
    except (OSError, IndexError, ValueError):
        return None
    return CpuSample(time.monotonic(), busy, own_ticks)


def _process_ticks(stat: Path) -> int:
    """utime + stime of one process (all its threads); 0 when it is gone."""
    try:
        text = stat.read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    # The command name may hold spaces and parentheses: count fields after the last ")".
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15


def ticks_per_second() -> float:
    """The unit of the ``/proc`` counters."""
    return float(os.sysconf("SC_CLK_TCK"))


def other_busy_cores(before: CpuSample, after: CpuSample, ticks_per_s: float) -> float:
    """Cores kept busy by other processes between two samples."""
    wall = after.at - before.at
    if wall <= 0:
        return 0.0
    others = (after.busy_ticks - before.busy_ticks) - (after.own_ticks - before.own_ticks)
    return max(0.0, others / ticks_per_s / wall)


def free_threads(cores: int, other_cores: float, max_threads: int) -> int:
    """Threads that fit on the cores the neighbours leave free (at least one)."""
    free = math.floor(cores - other_cores + CORE_SHARE_TAKEN)
    return max(1, min(max_threads, free))


def cpu_quota(cgroup: Path = Path("/sys/fs/cgroup")) -> float | None:
    """Cores' worth of CPU time a cgroup quota allows (Docker's ``--cpus``); ``None``: no quota."""
    try:  # cgroup v2: "max 100000" or "200000 100000"
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota_us = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def usable_cores(quota: float | None = None) -> int:
    """Cores this process may run on: its CPU affinity, capped by a cgroup quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    quota = cpu_quota() if quota is None else quota
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))  # threads beyond the quota get throttled
    return cores


def physical_cores(
    cpus: set[int] | None = None, sys_cpu: Path = Path("/sys/devices/system/cpu")
) -> int | None:
    """Physical cores among ``cpus`` (default: those this process may use); SMT siblings count
    once. ``None`` where the topology cannot be read."""
    if cpus is None:
        try:
            cpus = set(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return None
    siblings = set()
    for cpu in cpus:
        try:
            path = sys_cpu / f"cpu{cpu}" / "topology" / "thread_siblings_list"
            siblings.add(path.read_text().strip())
        except OSError:
            return None
    return len(siblings) or None


class ThreadGovernor:
    """Samples the neighbours' CPU use in a background thread; :meth:`threads` answers at once.

    The decision uses the busiest of the last two sampling windows, so llama.cpp gives a core
    away within one period and takes it back only after two quiet ones.
    """

    def __init__(
        self,
        cores: int | None = None,
        period_s: float = PERIOD_S,
        sampler: Callable[[], CpuSample | None] = read_sample,
        ticks_per_s: float | None = None,
    ) -> None:
        self.cores = cores or usable_cores()
        self.period_s = period_s
        self._sampler = sampler
        self._ticks_per_s = ticks_per_s or ticks_per_second()
        self._windows: tuple[float, float] = (0.0, 0.0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        """Whether this system exposes the counters the governor needs."""
        return self._sampler() is not None

    @property
    def other_cores(self) -> float:
        """Cores the neighbours kept busy recently (the busier of the last two windows)."""
        return max(self._windows)

    def threads(self, max_threads: int) -> int:
        """How many of ``max_threads`` llama.cpp should use now."""
        return free_threads(self.cores, self.other_cores, max_threads)

    def start(self) -> None:
        """Start sampling."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cpu-governor", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        previous = self._sampler()
        while previous is not None and not self._stop.wait(self.period_s):
            current = self._sampler()
            if current is None:
                break
            window = other_busy_cores(previous, current, self._ticks_per_s)
            self._windows = (self._windows[1], window)
            previous = current
        _LOGGER.debug("CPU governor stopped")
