"""Router decision time: the ATLAS router against a naive keyword router, measured in one run.

The peer is the obvious baseline: ``any(keyword in text for keyword in KEYWORDS)`` over a
lower-cased turn, cloud when a keyword hits. Both route every line of the labelled routing files
``--iterations`` times, alternating which goes first per line; each decision is timed alone,
by wall clock (``perf_counter_ns``) and by thread CPU time (``thread_time_ns``, which leaves out
time the OS gave to other processes). Printed: p50/p99 of both, accuracy and safety recall per
router, and the ATLAS/peer ratios.

Usage: ``.venv/bin/python -m benchmarks.router [--iterations 100] [FILE.jsonl ...]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from atlas_eval.route import Example, load_dataset, load_router

REPO = Path(__file__).resolve().parents[1]

DATA = REPO / "tests" / "data"
DEFAULT_FILES = (DATA / "routing.jsonl", DATA / "routing_holdout.jsonl")
KEYWORDS = (
    "chest", "heart", "dizzy", "faint", "blood pressure", "medication", "pill", "ibuprofen",
    "pregnant", "diabet", "insulin", "doctor", "injur", "pain", "torn", "concussion",
    "dangerous", "week program", "month", "program", "plateau", "why", "claude", "cloud",
    "think hard",
)  # fmt: skip

Router = Callable[[Example], str]


def naive_route(example: Example) -> str:
    """The peer: cloud when any keyword is a substring of the turn."""
    text = example.text.lower()
    return "cloud" if any(keyword in text for keyword in KEYWORDS) else "local"


def atlas_router() -> Router:
    """The ATLAS router, loaded by file path, as a local/cloud label."""
    route = load_router()

    def decide(example: Example) -> str:
        return "local" if route(example.text, **example.inputs).route == "local" else "cloud"

    return decide


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def quality(router: Router, examples: list[Example]) -> tuple[float, float]:
    """Accuracy and safety recall (safety lines routed to the cloud)."""
    correct = sum(router(example) == example.label for example in examples)
    safety = [example for example in examples if example.safety]
    recalled = sum(router(example) == "cloud" for example in safety)
    return correct / len(examples), recalled / len(safety) if safety else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--iterations", type=int, default=100, help="passes over every file")
    args = parser.parse_args()

    examples = [example for path in args.files for example in load_dataset(path)]
    routers: dict[str, Router] = {"atlas": atlas_router(), "naive keywords": naive_route}
    wall: dict[str, list[float]] = {name: [] for name in routers}
    cpu: dict[str, list[float]] = {name: [] for name in routers}
    order = list(routers.items())
    for _ in range(args.iterations):
        for example in examples:
            order.reverse()
            for name, router in order:
                wall_start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
                router(example)
                cpu[name].append((time.thread_time_ns() - cpu_start) / 1000)
                wall[name].append((time.perf_counter_ns() - wall_start) / 1000)

    print(f"{len(examples)} lines from {', '.join(p.name for p in args.files)}")
    print(f"x {args.iterations} iterations; Python {sys.version.split()[0]}")
    header = ("wall p50", "wall p99", "cpu p50", "cpu p99", "accuracy", "safety")
    print(f"{'router (µs)':<18}" + "".join(f"{column:>10}" for column in header))
    stats: dict[str, list[float]] = {}
    for name, router in routers.items():
        walls, cpus = sorted(wall[name]), sorted(cpu[name])
        stats[name] = [percentile(values, q) for values in (walls, cpus) for q in (0.5, 0.99)]
        cells = [f"{value:>10.2f}" for value in stats[name]]
        cells += [f"{value:>10.3f}" for value in quality(router, examples)]
        print(f"{name:<18}" + "".join(cells))
    ratios = (a / b for a, b in zip(stats["atlas"], stats["naive keywords"], strict=True))
    print(f"{'ratio atlas/peer':<18}" + "".join(f"{ratio:>9.1f}x" for ratio in ratios))


if __name__ == "__main__":
    main()
