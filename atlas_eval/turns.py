"""``atlas-eval turns --data FILE``: everyday requests through the real ATLAS agent.

Every line of a JSONL file (the turns data format) goes through ``conversation.async_converse``
to the ATLAS agent in a real Home Assistant test instance, in-process, with the rules and
skills alone: the GPU box is a scripted one, whose structured pass says "chat" and whose answers
say "Okay.". Each line starts from the same fixed world (Wednesday 11 March 2026, 09:30 in New
York; reminders, logged and planned workouts, Garmin sensors), seeded through ATLAS's tools. A
clarify line's answer is said next in the same conversation.

Reported, overall and per intent: answered correctly (intent, tools with their key arguments
and reply all right), intent accuracy, slot F1, tools and arguments right, reply right, and how
many requests reached the model (a structured pass or an answer), skill requests apart (those
with a direct route, which should never need it); then every failing line, expected against
got. Markdown on stdout; ``--json OUT`` writes the full report (``-``: JSON on stdout instead).

The report is a measurement, not a gate: the exit code is 0 for a completed run, 2 for a bad
input file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from .route import DatasetError
from .turns_data import TurnLine, TurnRecord, load_lines
from .turns_report import build_report, markdown
from .turns_score import score_line

PROGRESS_EVERY = 50


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``turns`` subcommand."""
    parser = subparsers.add_parser(
        "turns",
        help="run labelled everyday requests through the real agent in Home Assistant",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data", type=Path, action="append", required=True, metavar="FILE",
        help="a JSONL file of lines (repeat for more)",
    )  # fmt: skip
    parser.add_argument("--json", metavar="OUT", help="write the JSON report to OUT (- stdout)")
    parser.add_argument("--limit", type=int, metavar="N", help="the first N lines only")
    parser.add_argument("--lang", metavar="xx", help="only the lines in this language")
    parser.add_argument("--verbose", action="store_true", help="show Home Assistant's warnings")
    parser.add_argument(
        "--no-learned",
        action="store_true",
        help="the cascade without its learned stage (rules, then the model), to compare",
    )
    parser.set_defaults(func=run)


def select(lines: list[TurnLine], limit: int | None, lang: str | None) -> list[TurnLine]:
    """The lines of ``lang`` (all when ``None``), the first ``limit`` of them."""
    chosen = [line for line in lines if lang is None or line.lang == lang.lower()]
    return chosen if limit is None else chosen[: max(0, limit)]


def run(args: argparse.Namespace) -> int:
    """Run the lines and print the report."""
    try:
        lines = select(load_lines(args.data), args.limit, args.lang)
    except DatasetError as err:
        print(f"atlas-eval turns: error: {err}", file=sys.stderr)
        return 2
    if not lines:
        print(f"atlas-eval turns: error: no lines in language {args.lang!r}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING if args.verbose else logging.CRITICAL)
    # Home Assistant is imported only now, and the clock patch first (turns_run's first import).
    from . import turns_run, world  # noqa: PLC0415

    records = turns_run.run_lines(lines, _progress(len(lines)), learned=not args.no_learned)
    scores = [
        score_line(line, turns, world.NOW) for line, turns in zip(lines, records, strict=True)
    ]
    header: dict[str, Any] = {
        "files": [str(path) for path in args.data],
        "world": {
            "now": world.NOW.isoformat(),
            "time_zone": world.TIME_ZONE,
            "box": "scripted box (rules and skills alone)",
            "stages": "rules, model" if args.no_learned else "rules, learned, model",
        },
    }
    report = build_report(scores, header)
    if args.json == "-":
        print(json.dumps(report, indent=2, default=str))
        return 0
    print(markdown(report), end="")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n", "utf-8")
    return 0


def _progress(total: int) -> Any:
    def report(index: int, _line: TurnLine, _turns: list[TurnRecord]) -> None:
        if (index + 1) % PROGRESS_EVERY == 0 or index + 1 == total:
            print(f"atlas-eval turns: {index + 1}/{total} lines", file=sys.stderr, flush=True)

    return report
