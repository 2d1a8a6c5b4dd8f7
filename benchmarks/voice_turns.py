"""Voice turns end to end: ``atlas-demo`` (GPU box + a real Home Assistant), 16 requests.

Each scenario runs ``atlas-demo --json --say TEXT --expect INTENT`` once (a fresh box and Home
Assistant each time, as a user's first request of the day) and the table compares the latency
breakdown with the voice targets: first audio ≤ 1.5 s after the end of speech and the whole
reply ≤ 3 s. Thirteen requests are ATLAS's skills, understood by the rules; three
(:data:`MODEL_SCENARIOS`: small talk, an open question, a plan the rules hand to the model) are
answered by the local model. A scenario fails when its turn fails the demo's checks (wrong
intent, an apology, a skill without its tool, a false confirmation, an unspeakable reply, over
20 s of audio: ``atlas_demo/judge.py``) or its reply lacks what it must say (:data:`MUST_SAY`).

Usage: ``.venv/bin/python -m benchmarks.voice_turns [--data-dir DIR] [--only NAME ...|--model]``
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
    "small talk": ("Hi ATLAS, how are you today?", "chat"),
    "open question": ("What's the capital of Australia?", "quick_answer"),
    "plan by the model": (
        "Build me an eight week plan for my first half marathon.",
        "plan_program",
    ),
}
# Answered by the local model (chat, a question no skill computes, a plan the rules route on).
MODEL_SCENARIOS: tuple[str, ...] = ("small talk", "open question", "plan by the model")
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
    """One ``atlas-demo`` run: its JSON result (also when the turn failed), with ``failed``
    (the demo's one-line reason) when it exited non-zero."""
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
        failed = lines[0] if lines else f"exit {run.returncode}"
        result["failed"] = failed.removeprefix("atlas-demo: error: ")
    return result


def _s(value: Any) -> str:
    return "n/a" if not isinstance(value, int | float) else f"{value:.2f}"


def _ratio(value: Any, target: float) -> str:
    return f"{_s(value)} ({value / target:.2f}x)" if isinstance(value, int | float) else "n/a"


def within_targets(result: dict[str, Any]) -> bool:
    """Whether first audio and the whole reply came within the voice targets."""
    latency = result.get("latency_s", {})
    first, total = latency.get("first_audio"), latency.get("total")
    return (
        isinstance(first, int | float)
        and isinstance(total, int | float)
        and first <= FIRST_AUDIO_TARGET_S
        and total <= TOTAL_TARGET_S
    )


def table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown: one row per scenario, with the measured/target ratios and the verdict."""
    rows = [
        "| scenario | understood by | answered by | tools | STT s | agent s "
        "| first audio s (÷1.5) | total s (÷3) | reply audio s | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        latency = result.get("latency_s", {})
        if "failed" in result:
            verdict = f"failed: {result['failed']}"
        else:
            verdict = "ok" if within_targets(result) else "ok, over target"
        first = _ratio(latency.get("first_audio"), FIRST_AUDIO_TARGET_S)
        total = _ratio(latency.get("total"), TOTAL_TARGET_S)
        rows.append(
            f"| {name} | {result.get('understood_by', '')} | {result.get('answered_by', '')} "
            f"| {', '.join(result.get('tools', []))} | {_s(latency.get('stt'))} "
            f"| {_s(latency.get('agent'))} | {first} | {total} "
            f"| {_s(result.get('reply_audio_seconds'))} | {verdict} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the table; exit 1 when a turn failed."""
    parser = argparse.ArgumentParser(prog="benchmarks.voice_turns", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), help="some scenarios")
    group.add_argument(
        "--model", action="store_true", help="only the scenarios the local model answers"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per scenario")
    args = parser.parse_args(argv)
    results = {}
    for name in args.only or (MODEL_SCENARIOS if args.model else SCENARIOS):
        said, expect = SCENARIOS[name]
        print(f"{name}: {said!r}", flush=True)
        results[name] = result = run_scenario(said, expect, args.data_dir, args.timeout)
        print(f"  heard: {result.get('transcript')!r}", flush=True)
        print(f"  reply: {result.get('reply')!r}", flush=True)
        if "failed" in result:
            print(f"  failed: {result['failed']}", flush=True)
        reply = str(result.get("reply") or "").lower()
        words = MUST_SAY.get(name, ())
        if "failed" not in result and words and not any(w in reply for w in words):
            result["failed"] = f"the reply says none of {words}"
    print()
    print(table(results))
    return 1 if any("failed" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
