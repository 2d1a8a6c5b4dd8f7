"""atlas-llm's CPU thread governor: counters, decisions, and the engine following them."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from wyoming_servers.llm import __main__ as llm_main
from wyoming_servers.llm.__main__ import build_parser, cpu_threads
from wyoming_servers.llm.cpu_threads import (
    CpuSample,
    ThreadGovernor,
    cpu_quota,
    free_threads,
    other_busy_cores,
    physical_cores,
    read_sample,
    usable_cores,
)

from ..cpu_load import busy_neighbours
from .wyoming_io import DATA_DIR

PROC_STAT = "cpu  100 5 50 1000 7 3 2 1 40 0\ncpu0 50 2 25 500 3 1 1 0 20 0\nintr 1 2 3\n"
# The command name may hold spaces and parentheses; utime (40) and stime (10) follow it.
SELF_STAT = "4242 (atlas (llm) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 40 10 0 0 20 0 9 0\n"


def _proc(tmp_path: Path, stat: str = PROC_STAT, self_stat: str = SELF_STAT) -> Path:
    (tmp_path / "self").mkdir()
    (tmp_path / "stat").write_text(stat)
    (tmp_path / "self" / "stat").write_text(self_stat)
    return tmp_path


def test_read_sample_counts_busy_and_own_ticks(tmp_path: Path) -> None:
    sample = read_sample(_proc(tmp_path))
    assert sample is not None
    # user + nice + system + irq + softirq + steal; idle, iowait and guest (inside user) are not.
    assert sample.busy_ticks == 100 + 5 + 50 + 3 + 2 + 1
    assert sample.own_ticks == 40 + 10


def test_read_sample_sums_the_given_processes(tmp_path: Path) -> None:
    proc = _proc(tmp_path)
    (proc / "77").mkdir()
    (proc / "77" / "stat").write_text("77 (peer) S 1 77 77 0 -1 0 0 0 0 0 5 2 0 0 20 0 1 0\n")
    sample = read_sample(proc, pids=("self", 77, 99999))  # 99999 is gone: it counts 0
    assert sample is not None
    assert sample.own_ticks == 40 + 10 + 5 + 2


@pytest.mark.parametrize(
    ("stat", "self_stat"),
    [("cpu 1 2\n", SELF_STAT), (PROC_STAT, "4242 (x) S 1\n"), ("cpu a b c d e f g h\n", SELF_STAT)],
)
def test_read_sample_rejects_malformed_counters(tmp_path: Path, stat: str, self_stat: str) -> None:
    assert read_sample(_proc(tmp_path, stat, self_stat)) is None


def test_read_sample_without_proc_is_none(tmp_path: Path) -> None:
    assert read_sample(tmp_path / "missing") is None


def test_other_busy_cores_excludes_this_process() -> None:
    before = CpuSample(at=10.0, busy_ticks=1000, own_ticks=400)
    after = CpuSample(at=10.5, busy_ticks=1150, own_ticks=450)  # 150 ticks, 50 of them ours
    assert other_busy_cores(before, after, ticks_per_s=100) == pytest.approx(2.0)
    assert other_busy_cores(after, after, ticks_per_s=100) == 0.0  # no time passed
    # Counters of exited threads can make the difference negative: never below zero.
    assert other_busy_cores(before, CpuSample(11.0, 1000, 500), ticks_per_s=100) == 0.0


@pytest.mark.parametrize(
    ("cores", "other", "max_threads", "expected"),
    [
        (2, 0.0, 2, 2),
        (2, 0.3, 2, 2),  # a light neighbour (Home Assistant idling) leaves both cores
        (2, 0.5, 2, 1),
        (2, 1.0, 2, 1),
        (2, 2.5, 2, 1),  # never below one thread
        (8, 3.0, 6, 5),
        (8, 0.0, 6, 6),  # never above the configured threads
    ],
)
def test_free_threads(cores: int, other: float, max_threads: int, expected: int) -> None:
    assert free_threads(cores, other, max_threads) == expected


def _topology(tmp_path: Path, siblings: dict[int, str]) -> Path:
    for cpu, text in siblings.items():
        topology = tmp_path / f"cpu{cpu}" / "topology"
        topology.mkdir(parents=True)
        (topology / "thread_siblings_list").write_text(text + "\n")
    return tmp_path


def test_physical_cores_count_smt_siblings_once(tmp_path: Path) -> None:
    sys_cpu = _topology(tmp_path, {0: "0,2", 1: "1,3", 2: "0,2", 3: "1,3"})
    assert physical_cores({0, 1, 2, 3}, sys_cpu) == 2
    assert physical_cores({0, 2}, sys_cpu) == 1  # two hyperthreads of one core
    assert physical_cores({0, 7}, sys_cpu) is None  # cpu7 has no topology: unknown


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "200000 100000\n"}, 2.0),  # cgroup v2, docker --cpus 2
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "150000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1.5),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
)
def test_cpu_quota(tmp_path: Path, files: dict[str, str], expected: float | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cpu_quota(tmp_path) == expected


def test_usable_cores_respects_a_quota() -> None:
    assert usable_cores(quota=0.5) == 1  # never zero
    assert usable_cores(quota=1.5) == 1  # a second thread would be throttled
    assert usable_cores(quota=1000.0) == len(os.sched_getaffinity(0))  # above the affinity


@pytest.mark.parametrize(
    ("physical", "usable", "expected"),
    [(2, 2, 2), (4, 8, 4), (8, 2, 2), (None, 3, 3)],  # SMT; a cgroup quota; unknown topology
)
def test_default_threads_one_per_physical_core_on_the_cpu(
    monkeypatch: pytest.MonkeyPatch, physical: int | None, usable: int, expected: int
) -> None:
    monkeypatch.setattr(llm_main, "physical_cores", lambda: physical)
    monkeypatch.setattr(llm_main, "usable_cores", lambda: usable)
    parser = build_parser()
    assert cpu_threads(parser.parse_args([]), n_gpu_layers=0) == expected
    assert cpu_threads(parser.parse_args(["--threads", "3"]), n_gpu_layers=0) == 3
    # Pinned or offloaded: llama.cpp's own default.
    assert cpu_threads(parser.parse_args(["--no-adaptive-threads"]), n_gpu_layers=0) is None
    assert cpu_threads(parser.parse_args([]), n_gpu_layers=99) is None


def _scripted(samples: list[CpuSample | None]) -> Callable[[], CpuSample | None]:
    queue = iter(samples)
    return lambda: next(queue, None)


def _scripted_governor(samples: list[CpuSample | None]) -> ThreadGovernor:
    return ThreadGovernor(cores=2, period_s=0.001, sampler=_scripted(samples), ticks_per_s=100)


def _run_to_end(governor: ThreadGovernor) -> None:
    governor.start()
    assert governor._thread is not None
    governor._thread.join(timeout=5)
    governor.stop()


def test_governor_gives_a_core_away_at_once_and_takes_it_back_after_two_quiet_windows() -> None:
    busy = [CpuSample(0.0, 0, 0), CpuSample(0.25, 50, 0)]  # a neighbour on both cores
    governor = _scripted_governor(busy)
    _run_to_end(governor)
    assert governor.other_cores == pytest.approx(2.0)
    assert governor.threads(2) == 1

    one_quiet = [*busy, CpuSample(0.5, 50, 0)]
    governor = _scripted_governor(one_quiet)
    _run_to_end(governor)
    assert governor.threads(2) == 1

    two_quiet = [*one_quiet, CpuSample(0.75, 60, 10)]  # our own ticks do not count
    governor = _scripted_governor(two_quiet)
    _run_to_end(governor)
    assert governor.other_cores == 0.0
    assert governor.threads(2) == 2


def test_governor_without_counters_is_unavailable() -> None:
    governor = ThreadGovernor(cores=2, sampler=lambda: None)
    assert not governor.available
    _run_to_end(governor)  # the thread ends by itself
    assert governor.threads(2) == 2


# --- real load ------------------------------------------------------------------------------------

needs_two_cores = pytest.mark.skipif(
    read_sample() is None or usable_cores() < 2, reason="needs Linux /proc and two cores"
)
NEIGHBOURS = min(usable_cores(), 16)  # one per usable core


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@needs_two_cores
def test_governor_measures_real_neighbours() -> None:
    governor = ThreadGovernor(period_s=0.1)
    governor.start()
    try:
        with busy_neighbours(NEIGHBOURS, seconds=20):
            assert wait_for(lambda: governor.other_cores >= 0.6 * NEIGHBOURS, timeout=5)
            assert governor.threads(governor.cores) < governor.cores
        assert wait_for(lambda: governor.other_cores < NEIGHBOURS - 0.5, timeout=5)
    finally:
        governor.stop()


@needs_two_cores
@pytest.mark.real_model
def test_engine_runs_llama_on_the_free_cores() -> None:
    import llama_cpp

    from wyoming_servers.llm.engine import EngineConfig, LlamaEngine
    from wyoming_servers.llm.request import parse_chat_request
    from wyoming_servers.models import embedded_llm

    config = EngineConfig(embedded_llm(DATA_DIR), "smollm2-135m", n_ctx=1024, n_threads=2)
    engine = LlamaEngine(config)
    governor = engine._governor
    assert governor is not None
    request = parse_chat_request(
        {"messages": [{"role": "user", "content": "Count to five."}], "max_tokens": 4,
         "temperature": 0},
        max_tokens_cap=64,
    )  # fmt: skip
    cancel = threading.Event()

    def generate_threads() -> tuple[int, int]:
        engine.generate(request, lambda *_: None, cancel)
        return engine.threads

    try:
        with busy_neighbours(NEIGHBOURS, seconds=20):
            assert wait_for(lambda: governor.threads(2) == 1, timeout=5)
            assert generate_threads() == (1, 1)
            assert llama_cpp.llama_n_threads(engine.session.ctx) == 1
            assert llama_cpp.llama_n_threads_batch(engine.session.ctx) == 1
        assert wait_for(lambda: governor.threads(2) == 2, timeout=10), governor.other_cores
        assert generate_threads() == (2, 2)
        assert llama_cpp.llama_n_threads(engine.session.ctx) == 2
    finally:
        engine.close()
    assert governor._thread is None  # stopped with the engine
