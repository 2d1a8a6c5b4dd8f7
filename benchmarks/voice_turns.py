"""Voice turns end to end: ``atlas-demo`` (GPU box + a real Home Assistant), 13 requests.

Each scenario runs ``atlas-demo --json --say TEXT --expect INTENT`` once (a fresh box and Home
Assistant each time, as a user's first request of the day) and the table compares the latency
breakdown with the voice targets: first audio ≤ 1.5 s after the end of speech and the whole
reply ≤ 3 s. A scenario whose turn fails (wrong intent, an apology) is reported as such.

Usage: ``.venv/bin/python -m benchmarks.voice_turns [--data-dir DIR] [--only NAME ...]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from wyoming_servers.cli import default_data_dir
from wyoming_servers.demo import MORNING

SCENARIOS: dict[str, tuple[str, str]] = {
    "morning workout": (MORNING, "prepare_workout"),
    "reminder": ("Remind me to stretch at 5 pm.", "set_reminder"),
    "workout log": ("I did 20 push-ups this morning.", "log_workout"),
    "status": ("Am I on track with my workouts today?", "workout_status"),
    "clarifying question": ("Remind me on Friday to renew the gym membership.", "set_reminder"),
    "cancel": ("Cancel my reminder about the bins.", "cancel_reminder"),
    "quick answer": ("What's fifteen percent of eighty?", "quick_answer"),
    "run log": ("I ran five kilometres in twenty eight minutes.", "log_workout"),
    "week status": ("How many workouts have I done this week?", "workout_status"),
    "next workout": ("When is my next run?", "next_workout"),
    "recovery": ("How is my body battery this morning?", "recovery_status"),
    "sore shoulder plan": (
        "My shoulder is a bit sore, give me a twenty minute workout for today.",
        "prepare_workout",
    ),
    "reminder list": ("What reminders have I got?", "list_reminders"),
}
# What the reply must contain (any one of the words), for the scenarios where a wrong answer
# could still pass the intent check; a reply without it fails the scenario.
MUST_SAY: dict[str, tuple[str, ...]] = {
    "clarifying question": ("?",),
    "quick answer": ("12",),
    "run log": ("kilomet", "km"),
    "sore shoulder plan": ("sparing your shoulder",),
}
FIRST_AUDIO_TARGET_S = 1.5
TOTAL_TARGET_S = 3.0


def run_scenario(said: str, expect: str, data_dir: Path, timeout: float) -> dict[str, Any]:
    """One ``atlas-demo`` run; its JSON result, or ``{"error": ...}``."""
    with tempfile.TemporaryDirectory(prefix="atlas-voice-bench-") as tmp:
        run = subprocess.run(
            [sys.executable, "-m", "atlas_demo", "--json", "--data-dir", str(data_dir),
             "--say", said, "--expect", expect, "--out", str(Path(tmp) / "reply.wav"),
             "--timeout", str(timeout)],
            capture_output=True, text=True, check=False, timeout=timeout + 60,
        )  # fmt: skip
    try:
        result: dict[str, Any] = json.loads(run.stdout)
    except json.JSONDecodeError:
        result = {}
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines()
        result["failed"] = lines[0] if lines else f"exit {run.returncode}"
    return result


def _s(value: Any) -> str:
    return "n/a" if not isinstance(value, int | float) else f"{value:.2f}"


def table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: one row per scenario, with the measured/target ratios."""
    rows = [
        "| scenario | understood by | tools | STT s | agent s | first audio s (÷1.5) "
        "| total s (÷3) | reply audio s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        if "failed" in result:
            rows.append(f"| {name} | failed: {result['failed']} | | | | | | |")
            continue
        latency = result.get("latency_s", {})
        first, total = latency.get("first_audio"), latency.get("total")
        ratio_first = f" ({first / FIRST_AUDIO_TARGET_S:.2f}x)" if first else ""
        ratio_total = f" ({total / TOTAL_TARGET_S:.2f}x)" if total else ""
        rows.append(
            f"| {name} | {result.get('understood_by')} | {', '.join(result.get('tools', []))} "
            f"| {_s(latency.get('stt'))} | {_s(latency.get('agent'))} | {_s(first)}{ratio_first} "
            f"| {_s(total)}{ratio_total} | {_s(result.get('reply_audio_seconds'))} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the table; exit 1 when a turn failed."""
    parser = argparse.ArgumentParser(prog="benchmarks.voice_turns", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), help="some scenarios")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per scenario")
    args = parser.parse_args(argv)
    results = {}
    for name in args.only or SCENARIOS:
        said, expect = SCENARIOS[name]
        print(f"{name}: {said!r}", flush=True)
        results[name] = result = run_scenario(said, expect, args.data_dir, args.timeout)
        print(f"  heard: {result.get('transcript')!r}", flush=True)
        print(f"  reply: {result.get('reply', result.get('failed'))!r}", flush=True)
        reply = str(result.get("reply") or "").lower()
        words = MUST_SAY.get(name, ())
        if "failed" not in result and words and not any(w in reply for w in words):
            result["failed"] = f"the reply says none of {words}"
    print()
    print(table(results))
    return 1 if any("failed" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
