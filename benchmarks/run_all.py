"""Run every ATLAS benchmark and write their tables into docs/performance.md.

    .venv/bin/python -m benchmarks.run_all [--only NAME ...] [--out docs/performance.md]

Each benchmark measures ATLAS and its peer in the same run (llama-cpp-python's server,
wyoming-faster-whisper, wyoming-piper, a naive keyword router) and prints a ratio table; this
script runs them one after another (never concurrently: they share the CPU), captures their
output and writes the report with the exact commands, the machine and the date into the file's
generated section (between the BEGIN/END markers; the hand-written analysis around it stays). A
benchmark that fails is reported as failed, with its output tail, and the others still run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 3600
BEGIN = "<!-- BEGIN benchmarks.run_all: generated, do not edit by hand -->"
END = "<!-- END benchmarks.run_all -->"


@dataclass(frozen=True)
class Bench:
    """One benchmark: its title, command and what its numbers mean."""

    name: str
    title: str
    command: tuple[str, ...]
    note: str


BENCHES = (
    Bench(
        "llm", "atlas-llm vs llama-cpp-python's OpenAI-compatible server",
        ("-m", "benchmarks.llm_server"),
        "Same GGUF, prompts and threads; a ~1.5K-token system+tools prefix. Targets: warm TTFT "
        "≤ 0.3x the peer's, plain decode ≥ 0.95x the peer's, JSON-schema decode ≥ 0.8x plain.",
    ),
    Bench(
        "stt", "atlas-stt vs wyoming-faster-whisper 3.8.1",
        ("-m", "benchmarks.stt"),
        "Same whisper-base int8, beam 1; audio streamed in real time; audio-stop → transcript. "
        "Target ≤ 0.5x the peer's with equal or better WER.",
    ),
    Bench(
        "tts", "atlas-tts vs wyoming-piper 2.5.2",
        ("-m", "benchmarks.tts", "--reps", "11"),
        "Same voice; a 3-sentence reply streamed word by word at ~40 tokens/s; time to first "
        "audio chunk. Target ≤ 0.5x the peer's.",
    ),
    Bench(
        "router", "Router decision time and accuracy vs a keyword router",
        ("-m", "benchmarks.router"),
        "Deterministic routing of both labelled datasets; target p99 well under 1 ms.",
    ),
    Bench(
        "reliability", "8 concurrent clients x 20 requests per server",
        ("-m", "benchmarks.reliability"),
        "atlas-box on the bundled models; every request must succeed (0 errors).",
    ),
    Bench(
        "end-to-end", "The morning scenario through Home Assistant's Assist pipeline",
        ("-m", "atlas_demo"),
        "A real `hass` process: atlas-stt → ATLAS agent → atlas-tts, latency breakdown.",
    ),
)  # fmt: skip


def run(bench: Bench) -> tuple[bool, str, float]:
    """Run one benchmark; return success, its output and its duration."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, *bench.command],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        out = (err.stdout or "") if isinstance(err.stdout, str) else ""
        return False, out + f"\n(timed out after {TIMEOUT_S} s)", time.monotonic() - started
    return proc.returncode == 0, proc.stdout.strip(), time.monotonic() - started


def machine() -> str:
    """One line about where the numbers come from."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, load average {load:.1f}"
    )


def report(results: list[tuple[Bench, bool, str, float]]) -> str:
    """The Markdown report."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        BEGIN,
        "",
        "## Latest full run",
        "",
        f"Written by `python -m benchmarks.run_all` on {when}. Machine: {machine()}. Every "
        "benchmark measures ATLAS and its peer in the same run on the same machine with the same "
        "model files; absolute numbers depend on the machine, the ratios are the point.",
    ]
    for bench, ok, output, seconds in results:
        status = "" if ok else " — **FAILED**"
        parts += [
            "",
            f"### {bench.title}{status}",
            "",
            f"Command: `.venv/bin/python {' '.join(bench.command)}` ({seconds:.0f} s). "
            + bench.note,
            "",
            "```",
            output[-6000:] or "(no output)",
            "```",
        ]
    return "\n".join([*parts, "", END])


def write(out: Path, section: str) -> None:
    """Replace the generated section of ``out`` (or append one), keeping everything else."""
    text = out.read_text() if out.exists() else "# Performance\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text)


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance.md")
    args = parser.parse_args()
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    results = []
    for bench in chosen:
        print(f"running {bench.name} …", file=sys.stderr, flush=True)
        ok, output, seconds = run(bench)
        results.append((bench, ok, output, seconds))
        print(f"{bench.name}: {'ok' if ok else 'FAILED'} in {seconds:.0f} s", file=sys.stderr)
    write(args.out, report(results))
    print(f"wrote {args.out}", file=sys.stderr)
    sys.exit(0 if all(ok for _, ok, _, _ in results) else 1)


if __name__ == "__main__":
    main()
