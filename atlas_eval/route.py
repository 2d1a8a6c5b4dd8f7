"""``atlas-eval route FILE.jsonl``: accuracy, safety recall and decision time of the router.

Each line is ``{"text": ..., "route": "local" | "cloud"}``, optionally ``"safety": true`` and
the router's other inputs: ``context_tokens`` (int), ``confidence`` (number),
``structured_valid`` (bool), ``intent`` (string). ``cloud-simple`` and ``cloud-complex`` both
count as ``cloud``. Decision time: every line is routed once untimed, then ``--repeat`` times,
each call timed alone by wall clock and by thread CPU time (the CPU figure leaves out time the
OS gave to other processes, which dominates wall-clock p99 on a busy machine). The report is
not a gate: the exit code is 0 unless the file is malformed (2).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from custom_components.atlas.agent import router

LABELS = ("local", "cloud")
ROUTES = ("local", "cloud-simple", "cloud-complex")
OPTIONAL_INPUTS: dict[str, tuple[type, ...]] = {
    "context_tokens": (int,),
    "confidence": (int, float),
    "structured_valid": (bool,),
    "intent": (str,),
}
DEFAULT_REPEAT = 20


class DatasetError(Exception):
    """A malformed dataset line (or file)."""


class Decision(Protocol):
    """What the router returns (``RouteDecision``)."""

    route: str
    reason: str
    safety: bool


class RouteFn(Protocol):
    """The router's ``route`` function."""

    def __call__(self, text: str, **kwargs: Any) -> Decision:
        """Route one turn."""


@dataclass(frozen=True)
class Example:
    """One labelled line."""

    line: int
    text: str
    label: str
    safety: bool
    inputs: dict[str, Any] = field(default_factory=dict)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``route`` subcommand."""
    parser = subparsers.add_parser(
        "route",
        help="evaluate the local/cloud router on a labelled JSONL file",
        description=__doc__,
    )
    parser.add_argument("file", type=Path, metavar="FILE.jsonl")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="timed decisions per line (default 20)"
    )
    parser.set_defaults(func=run)


def load_router() -> RouteFn:
    """The agent's router (``custom_components/atlas/agent/router.py``)."""
    return cast(RouteFn, router.route)


def jsonl_objects(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """``(line number, "path:line", object)`` for every non-blank line of a JSONL file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(f"{path}: cannot read: {err}") from err
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as err:
            raise DatasetError(f"{where}: invalid JSON: {err.msg}") from err
        if not isinstance(item, dict):
            raise DatasetError(f"{where}: expected a JSON object")
        yield number, where, item


def load_dataset(path: Path) -> list[Example]:
    """Parse and validate every line; blank lines are skipped."""
    examples = [_parse(*line) for line in jsonl_objects(path)]
    if not examples:
        raise DatasetError(f"{path}: no examples")
    return examples


def _parse(number: int, where: str, item: dict[str, Any]) -> Example:
    text, label, safety = item.get("text"), item.get("route"), item.get("safety", False)
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f'{where}: "text" must be a non-empty string')
    if label not in LABELS:
        raise DatasetError(f'{where}: "route" must be "local" or "cloud", not {label!r}')
    if not isinstance(safety, bool):
        raise DatasetError(f'{where}: "safety" must be true or false')
    if safety and label != "cloud":
        raise DatasetError(f'{where}: a "safety" line must have "route": "cloud"')
    inputs: dict[str, Any] = {}
    for key, types in OPTIONAL_INPUTS.items():
        if key not in item:
            continue
        value = item[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise DatasetError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
        inputs[key] = value
    return Example(number, text, label, safety, inputs)


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def evaluate(
    route: RouteFn, examples: list[Example], repeat: int = DEFAULT_REPEAT
) -> dict[str, Any]:
    """Run the router on every example; the report as a JSON-friendly dict."""
    wall: list[float] = []
    cpu: list[float] = []
    confusion = {label: dict.fromkeys(ROUTES, 0) for label in LABELS}
    misrouted: list[dict[str, Any]] = []
    correct = safety_lines = safety_cloud = safety_flagged = 0
    true_cloud = predicted_cloud = 0
    for example in examples:
        decision = route(example.text, **example.inputs)  # warm-up, and the decision reported
        for _ in range(max(1, repeat)):
            wall_start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
            route(example.text, **example.inputs)
            cpu.append((time.thread_time_ns() - cpu_start) / 1000)
            wall.append((time.perf_counter_ns() - wall_start) / 1000)
        got = "local" if decision.route == "local" else "cloud"
        confusion[example.label][decision.route] += 1
        correct += got == example.label
        predicted_cloud += got == "cloud"
        true_cloud += got == example.label == "cloud"
        if example.safety:
            safety_lines += 1
            safety_cloud += got == "cloud"
            safety_flagged += decision.safety
        if got != example.label:
            misrouted.append({
                "line": example.line,
                "text": example.text,
                "expected": example.label,
                "route": decision.route,
                "reason": decision.reason,
                "safety": example.safety,
            })  # fmt: skip
    cloud_lines = sum(example.label == "cloud" for example in examples)
    wall.sort()
    cpu.sort()
    return {
        "lines": len(examples),
        "correct": correct,
        "accuracy": ratio(correct, len(examples)),
        "safety": {
            "lines": safety_lines,
            "routed_to_cloud": safety_cloud,
            "recall": ratio(safety_cloud, safety_lines),
            "flagged_safety": safety_flagged,
        },
        "cloud": {
            "lines": cloud_lines,
            "precision": ratio(true_cloud, predicted_cloud),
            "recall": ratio(true_cloud, cloud_lines),
        },
        "decision_us": {
            "p50": round(percentile(wall, 0.5), 2),
            "p99": round(percentile(wall, 0.99), 2),
            "max": round(wall[-1], 2),
            "cpu_p50": round(percentile(cpu, 0.5), 2),
            "cpu_p99": round(percentile(cpu, 0.99), 2),
            "calls": len(wall),
        },
        "confusion": confusion,
        "misrouted": misrouted,
    }


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_report(path: Path, report: dict[str, Any]) -> str:
    """The human-readable report."""
    safety, cloud, timing = report["safety"], report["cloud"], report["decision_us"]
    out = [
        f"{path}: {report['lines']} lines",
        f"accuracy         {_fmt(report['accuracy'])} ({report['correct']}/{report['lines']})",
        f"safety recall    {_fmt(safety['recall'])} ({safety['routed_to_cloud']}/{safety['lines']}"
        f" safety lines routed to cloud; {safety['flagged_safety']} flagged safety)",
        f"cloud precision  {_fmt(cloud['precision'])}",
        f"cloud recall     {_fmt(cloud['recall'])} ({cloud['lines']} cloud lines)",
        f"decision time    p50 {timing['p50']:.1f} µs, p99 {timing['p99']:.1f} µs, "
        f"max {timing['max']:.1f} µs wall clock; thread CPU p50 {timing['cpu_p50']:.1f} µs, "
        f"p99 {timing['cpu_p99']:.1f} µs ({timing['calls']} calls)",
        "confusion (expected -> routed):",
    ]
    for label, routes in report["confusion"].items():
        counts = ", ".join(f"{name} {count}" for name, count in routes.items())
        out.append(f"  {label:<5} -> {counts}")
    out.append(f"misrouted: {len(report['misrouted'])}")
    out.extend(
        f"  line {item['line']}: expected {item['expected']}, routed {item['route']}"
        f"{' [safety]' if item['safety'] else ''}: {item['text']!r} ({item['reason']})"
        for item in report["misrouted"]
    )
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """``atlas-eval route``: print the report; 2 on a malformed file or a missing router."""
    try:
        route = load_router()
        examples = load_dataset(args.file)
    except DatasetError as err:
        print(f"atlas-eval route: error: {err}", file=sys.stderr)
        return 2
    report = evaluate(route, examples, args.repeat)
    if args.json:
        print(json.dumps({"file": str(args.file), **report}, ensure_ascii=False))
    else:
        print(format_report(args.file, report))
    return 0
