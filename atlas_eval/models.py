"""``atlas-eval models``: how well GGUF models served by atlas-llm do ATLAS's structured pass.

For each model (``--model``, then every ``--compare`` model; the default is what atlas-llm loads
without ``--model``) an atlas-llm is started on a free loopback port, or ``--server HOST:PORT``
is used as it is. Every request is the agent's own (``custom_components/atlas/structured.py``,
sent with its ``client.py``), one at a time after one untimed warm-up request.

* schema-valid JSON: share of answers that are one JSON document valid for ``structured.SCHEMA``;
* intent accuracy, overall and per intent; slot precision/recall/F1, micro-averaged over slot
  values (each workout type counts as one value);
* routing accuracy (local vs cloud) and safety recall of the agent's router fed with the
  model's intent, confidence and validity (the cascade), next to the router on text alone;
* multi-turn coherence: the scripted dialogues are sent turn by turn, each with the earlier user
  turns as ``context`` of ``build_request``; a follow-up turn is coherent when every slot (and
  intent) its ``expect`` names is in the extraction;
* client-side latency of the utterance passes: time to the first streamed token and to the end.

The report is not a gate: the exit code is 0 when every model was evaluated, 1 when a server
failed, 2 when the data or the agent's files are unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import metrics
from .agent_modules import Agent, Client, Extraction, Info, load_agent
from .eval_data import (
    DIALOGUES,
    UTTERANCES,
    Dialogue,
    SlotRules,
    Utterance,
    load_dialogues,
    load_utterances,
    spread,
)
from .llm_process import LlmProcess, ServerError
from .route import DatasetError, Decision, RouteFn, load_router

DEFAULT_START_TIMEOUT = 900.0  # a named catalogue model may be downloaded first
WARM_UP = "Hello there."  # untimed: puts the system prompt into the server's prefix cache
PROGRESS_EVERY = 25


@dataclass(frozen=True)
class PassResult:
    """One structured-pass request and what came back."""

    content: str
    schema_valid: bool
    extraction: Extraction
    ttft_ms: float | None
    total_ms: float
    error: str | None = None


@dataclass(frozen=True)
class Target:
    """A model to start, or a running server to use."""

    model: str | None = None
    server: tuple[str, int] | None = None

    @property
    def label(self) -> str:
        """How the command line named it."""
        if self.server:
            return f"{self.server[0]}:{self.server[1]}"
        return self.model or "(atlas-llm default)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``models`` subcommand."""
    parser = subparsers.add_parser(
        "models",
        help="evaluate GGUF models on the structured pass, routing and multi-turn coherence",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", metavar="NAME_OR_PATH", help="model atlas-llm loads")
    which.add_argument("--server", metavar="HOST:PORT", type=_host_port, help="a running atlas-llm")
    parser.add_argument(
        "--compare", nargs="+", default=[], metavar="NAME_OR_PATH", help="more models, side by side"
    )
    parser.add_argument("--data-dir", type=Path, help="atlas-llm --data-dir (models)")
    parser.add_argument("--threads", type=int, help="atlas-llm --threads")
    parser.add_argument("--limit", type=int, help="first N utterances, round-robin over intents")
    parser.add_argument("--dialogue-limit", type=int, help="first N dialogues")
    parser.add_argument("--utterances", type=Path, default=UTTERANCES, metavar="FILE.jsonl")
    parser.add_argument("--dialogues", type=Path, default=DIALOGUES, metavar="FILE.jsonl")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the full report here")
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=DEFAULT_START_TIMEOUT,
        help="seconds to wait for a started atlas-llm (download included)",
    )
    parser.set_defaults(func=run)


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {value!r}")
    return host, int(port)


def targets(args: argparse.Namespace) -> list[Target]:
    """``--server`` or ``--model`` (default: atlas-llm's own choice), then ``--compare``."""
    first = []
    if args.server:
        first = [Target(server=args.server)]
    elif args.model or not args.compare:
        first = [Target(model=args.model)]
    return first + [Target(model=name) for name in args.compare]


def dialogue_context(previous: Sequence[str]) -> str | None:
    """The ``context`` of a dialogue turn: the earlier user turns, one a line."""
    return "\n".join(previous) or None


async def structured_pass(
    agent: Agent, client: Client, text: str, context: str | None = None
) -> PassResult:
    """Send the agent's structured-pass request for ``text``; time it from the client side."""
    started = time.perf_counter()
    ttft_ms: float | None = None
    content = ""
    try:
        async for event in client.async_chat(agent.build_request(text, context)):
            if event.kind == "delta" and ttft_ms is None:
                ttft_ms = (time.perf_counter() - started) * 1000
            elif event.kind == "stop":
                content = str(event.data.get("content", ""))
    except agent.request_error as err:  # one refused request; a broken server still raises
        total_ms = (time.perf_counter() - started) * 1000
        return PassResult("", False, agent.parse(""), None, total_ms, str(err))
    total_ms = (time.perf_counter() - started) * 1000
    valid = metrics.schema_valid(content, agent.schema)
    return PassResult(content, valid, agent.parse(content), ttft_ms, total_ms)


def cascade(
    route: RouteFn, text: str, extraction: Extraction, n_ctx: int
) -> tuple[Decision, Decision]:
    """``(text-only, final)`` decisions, as the agent makes them: text rules, then the pass."""
    first = route(text, local_window=n_ctx)
    if first.route != "local":
        return first, first
    final = route(
        text,
        local_window=n_ctx,
        confidence=extraction.confidence,
        structured_valid=extraction.valid,
        intent=extraction.intent,
    )
    return first, final


async def evaluate(
    agent: Agent,
    client: Client,
    info: Info,
    *,
    route: RouteFn,
    utterances: Sequence[Utterance],
    dialogues: Sequence[Dialogue],
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Run everything against one server; the report as a JSON-friendly dict."""
    started = time.perf_counter()
    await structured_pass(agent, client, WARM_UP)
    passes: list[PassResult] = []
    results = []
    text_only, final = [], []
    for count, item in enumerate(utterances, 1):
        result = await structured_pass(agent, client, item.text)
        passes.append(result)
        first, decision = cascade(route, item.text, result.extraction, info.n_ctx)
        text_only.append(first.route)
        final.append(decision.route)
        results.append({
            "line": item.line, "text": item.text, "intent": item.intent,
            "predicted_intent": result.extraction.intent, "slots": result.extraction.slots,
            "confidence": result.extraction.confidence, "valid": result.extraction.valid,
            "schema_valid": result.schema_valid, "route_label": item.route,
            "route": decision.route, "route_reason": decision.reason,
            "ttft_ms": _ms(result.ttft_ms), "total_ms": _ms(result.total_ms),
            "content": result.content, "error": result.error,
        })  # fmt: skip
        if count % PROGRESS_EVERY == 0:
            progress(f"{count}/{len(utterances)} utterances")

    turns: list[tuple[int, int, int]] = []
    dialogue_results = []
    for dialogue in dialogues:
        said: list[str] = []
        for index, turn in enumerate(dialogue.turns, 1):
            result = await structured_pass(agent, client, turn.user, dialogue_context(said))
            said.append(turn.user)
            missing = metrics.expectation_met(
                turn.expect, result.extraction.intent, result.extraction.slots
            )
            wanted = len(metrics.slot_pairs(turn.expect)) + ("intent" in turn.expect)
            turns.append((index, wanted, wanted - len(missing)))
            dialogue_results.append({
                "dialogue": dialogue.name, "turn": index, "user": turn.user,
                "expect": turn.expect, "intent": result.extraction.intent,
                "slots": result.extraction.slots, "missing": missing, "error": result.error,
            })  # fmt: skip
    progress(f"{len(dialogues)} dialogues")

    labels = [item.route for item in utterances]
    safety = [item.safety for item in utterances]
    return {
        "model": info.model,
        "server": {
            key: info.extension.get(key)
            for key in ("n_ctx", "n_gpu_layers", "kv_cache", "chat_template")
        },
        "utterances": len(utterances),
        "schema_valid": metrics.share([result.schema_valid for result in passes]),
        "intent": metrics.intent_scores(
            [item.intent for item in utterances],
            [result.extraction.intent for result in passes],
            agent.intents,
        ),
        "slots": metrics.slot_scores(
            [metrics.slot_pairs(item.slots) for item in utterances],
            [metrics.slot_pairs(result.extraction.slots) for result in passes],
        ),
        "routing": {
            "cascade": metrics.routing_scores(labels, final, safety),
            "text_only": metrics.routing_scores(labels, text_only, safety),
        },
        "coherence": {"dialogues": len(dialogues), **metrics.coherence_scores(turns)},
        "latency_ms": {
            "ttft": metrics.latency_summary(result.ttft_ms for result in passes),
            "total": metrics.latency_summary(result.total_ms for result in passes),
        },
        "errors": sum(result.error is not None for result in passes),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "results": results,
        "dialogue_results": dialogue_results,
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _percentiles(summary: dict[str, Any]) -> str:
    return f"{_fmt(summary['p50'], 0)}/{_fmt(summary['p95'], 0)}"


def _rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    slots, routing, coherence = report["slots"], report["routing"], report["coherence"]
    cascade_, latency = routing["cascade"], report["latency_ms"]
    rows = [
        ("utterances", str(report["utterances"])),
        ("schema-valid JSON", _fmt(report["schema_valid"]["rate"])),
        ("intent accuracy", _fmt(report["intent"]["accuracy"])),
        ("slot precision", _fmt(slots["precision"])),
        ("slot recall", _fmt(slots["recall"])),
        ("slot F1", _fmt(slots["f1"])),
        ("routing accuracy", _fmt(cascade_["accuracy"])),
        ("  text rules only", _fmt(routing["text_only"]["accuracy"])),
        (
            "safety recall",
            f"{_fmt(cascade_['safety_recall'])} "
            f"({cascade_['safety_to_cloud']}/{cascade_['safety_lines']})",
        ),
        ("coherence", f"{_fmt(coherence['rate'])} ({coherence['coherent']}/{coherence['turns']})"),
        ("  slot carry-over", _fmt(coherence["item_recall"])),
        ("  opening turns", _fmt(coherence["opening_rate"])),
        ("TTFT p50/p95 ms", _percentiles(latency["ttft"])),
        ("total p50/p95 ms", _percentiles(latency["total"])),
        ("errors", str(report["errors"])),
        ("wall time s", f"{report['elapsed_s']:.0f}"),
    ]
    for intent, scores in report["intent"]["per_intent"].items():
        rows.append((f"intent {intent} ({scores['n']})", _fmt(scores["accuracy"])))
    return rows


def format_table(reports: Sequence[dict[str, Any]]) -> str:
    """The reports side by side: one column per model, one row per metric."""
    titles = [report.get("model") or report["target"] for report in reports]
    cells = [dict(_rows(report)) if "error" not in report else {} for report in reports]
    names = next(([name for name, _ in _rows(r)] for r in reports if "error" not in r), [])
    width = max([len(name) for name in names] + [len("metric")])
    widths = [max(16, len(title)) for title in titles]
    header = "metric".ljust(width) + "".join(
        f"  {title:>{w}}" for title, w in zip(titles, widths, strict=True)
    )
    out = [header, "-" * len(header)]
    for name in names:
        values = [cell.get(name, "error") for cell in cells]
        out.append(
            name.ljust(width) + "".join(f"  {v:>{w}}" for v, w in zip(values, widths, strict=True))
        )
    out.extend(f"{r['target']}: error: {r['error']}" for r in reports if "error" in r)
    return "\n".join(out)


def _progress(label: str) -> Callable[[str], None]:
    return lambda message: print(f"atlas-eval models: {label}: {message}", file=sys.stderr)


async def evaluate_target(
    target: Target,
    args: argparse.Namespace,
    agent: Agent,
    *,
    route: RouteFn,
    data: tuple[list[Utterance], list[Dialogue]],
    log_path: Path,
) -> dict[str, Any]:
    """Start (or reach) one server, evaluate it and stop it; failures become ``error``."""
    progress = _progress(target.label)
    process = None
    try:
        if target.server:
            host, port = target.server
            client = agent.client(host, port)
            info = await client.async_describe()
        else:
            process = LlmProcess(
                target.model, log_path, data_dir=args.data_dir, threads=args.threads
            )
            progress(f"starting atlas-llm on 127.0.0.1:{process.port}")
            info = await process.start(agent, args.start_timeout)
            client = agent.client("127.0.0.1", process.port)
        progress(f"evaluating {info.model}")
        report = await evaluate(
            agent,
            client,
            info,
            route=route,
            utterances=data[0],
            dialogues=data[1],
            progress=progress,
        )
    except (ServerError, agent.error) as err:
        if process is not None:
            print(process.log_tail(), file=sys.stderr)
        return {"target": target.label, "error": str(err)}
    finally:
        if process is not None:
            code = await process.stop()
            progress(f"atlas-llm stopped ({code})")
    return {"target": target.label, **report}


async def evaluate_all(
    args: argparse.Namespace,
    agent: Agent,
    route: RouteFn,
    data: tuple[list[Utterance], list[Dialogue]],
) -> list[dict[str, Any]]:
    """Every target in turn: one server at a time, so timings do not disturb each other.

    SIGTERM cancels the run like Ctrl-C does, so a started server is always stopped.
    """
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    with tempfile.TemporaryDirectory(prefix="atlas-eval-") as log_dir:
        return [
            await evaluate_target(
                target,
                args,
                agent,
                route=route,
                data=data,
                log_path=Path(log_dir) / f"atlas-llm-{index}.log",
            )
            for index, target in enumerate(targets(args))
        ]


def run(args: argparse.Namespace) -> int:
    """``atlas-eval models``: print the table, write ``--json``; see the module docstring."""
    try:
        import jsonschema  # noqa: F401, PLC0415 - atlas-eval route does not need it
    except ImportError:
        print("atlas-eval models: error: needs jsonschema (the llm extra)", file=sys.stderr)
        return 2
    try:
        agent = load_agent()
        route = load_router()
        rules = SlotRules(agent.schema)
        utterances = spread(load_utterances(args.utterances, rules), args.limit)
        dialogues = load_dialogues(args.dialogues, rules)[: args.dialogue_limit]
    except DatasetError as err:
        print(f"atlas-eval models: error: {err}", file=sys.stderr)
        return 2
    try:
        reports = asyncio.run(evaluate_all(args, agent, route, (utterances, dialogues)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("atlas-eval models: interrupted", file=sys.stderr)
        return 130
    print(format_table(reports))
    if args.json:
        document = {
            "utterances_file": str(args.utterances),
            "dialogues_file": str(args.dialogues),
            "limit": args.limit,
            "dialogue_limit": args.dialogue_limit,
            "models": reports,
        }
        args.json.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return 1 if any("error" in report for report in reports) else 0
