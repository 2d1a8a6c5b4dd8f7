"""``atlas-eval models``: the understanding cascade, stage by stage, on GGUF models.

The agent understands a local turn in two stages: the deterministic rules
(``custom_components/atlas/intent_rules.py``), and the local LLM's grammar-constrained
structured pass (``structured.py``) only when the rules' confidence is below their ``CONFIDENT``.
Three stages are reported side by side, on the same labelled data:

* **rules**: the rules alone, on every utterance (no server);
* **model**: each model's structured pass alone, on every utterance (``--model-limit``: the
  first N, round-robin over intents);
* **cascade**: the two as the agent runs them: the rules, and the model's pass where the
  rules are below ``CONFIDENT``, on every utterance.

For each model (``--model``, then every ``--compare`` model; the default is what atlas-llm loads
without ``--model``) an atlas-llm is started on a free loopback port, or ``--server HOST:PORT``
is used as it is. Every request is the agent's own (``structured.build_request`` sent with its
``client.py``), one at a time after one untimed warm-up request; each distinct request is sent
once (temperature 0), so the cascade reuses the model stage's answer to the same request.

* schema-valid JSON: share of the model's answers that are one JSON document valid for
  ``structured.SCHEMA`` (over the answers the stage asked the model for);
* intent accuracy, overall and per intent; slot precision/recall/F1, micro-averaged over slot
  values (each workout type counts as one value);
* routing accuracy (local vs cloud) and safety recall of the agent's router fed with the
  stage's intent, confidence and validity, next to the router on text alone;
* multi-turn coherence: the scripted dialogues turn by turn; the model's pass gets the earlier
  user turns the agent gives it (``entity.STRUCTURED_CONTEXT_TURNS``) as ``context``, the rules
  the previous turn's extraction of the same stage; a follow-up turn is coherent when every slot
  (and intent) its ``expect`` names is in the extraction;
* latency per utterance (mean, p50, p95): the rules' call, the model's pass timed from the client
  side (and its time to the first streamed token), their sum for a cascade turn that reached
  the model; and how many utterances and dialogue turns reached the model.

The report is not a gate: the exit code is 0 when every model was evaluated, 1 when a server
failed, 2 when the data or the agent's files are unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import metrics
from .agent_modules import Agent, Client, Extraction, Info, Rules, load_agent, load_rules
from .eval_data import (
    DATA_DIR,
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
from .route import DatasetError, Decision, RouteFn, load_router, percentile, ratio

FRESH_UTTERANCES = (
    DATA_DIR / "eval_utterances_fresh.jsonl"
)  # the hold-out, written before the rules
DEFAULT_START_TIMEOUT = 900.0  # a named catalogue model may be downloaded first
WARM_UP = "Hello there."  # untimed: puts the system prompt into the server's prefix cache
PROGRESS_EVERY = 25
ROUTER_WINDOW = 4096  # the router's default local window, for the rules stage (no server)


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
class Understood:
    """One turn as one stage understood it, and what that took."""

    extraction: Extraction
    total_ms: float  # the rules' call, the model's pass, or both
    model: PassResult | None = None  # the model's structured pass, when the stage asked for it

    @property
    def by(self) -> str:
        """Which stage's extraction this is."""
        return "rules" if self.model is None else "model"


@dataclass(frozen=True)
class StageTurn:
    """One scripted dialogue turn as one stage understood it."""

    index: int  # 1 for the opening turn
    expect: Mapping[str, Any]
    understood: Understood


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


@dataclass(frozen=True)
class Data:
    """What every target is evaluated on."""

    utterances: list[Utterance]  # rules and cascade
    model_utterances: list[Utterance]  # the model alone: ``--model-limit`` of ``utterances``
    dialogues: list[Dialogue]
    files: Mapping[int, str]  # id(utterance) -> the name of its file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``models`` subcommand."""
    parser = subparsers.add_parser(
        "models",
        help="evaluate the rules, GGUF models and their cascade on the understanding of turns",
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
    parser.add_argument(
        "--model-limit",
        type=int,
        metavar="N",
        help="the model alone on the first N of those only (round-robin); rules and cascade on all",
    )
    parser.add_argument("--dialogue-limit", type=int, help="first N dialogues")
    parser.add_argument(
        "--context-turns",
        type=int,
        metavar="N",
        help="earlier user turns the model's pass sees in a dialogue (default: the agent's, "
        "entity.STRUCTURED_CONTEXT_TURNS)",
    )
    parser.add_argument(
        "--utterances",
        type=Path,
        nargs="+",
        default=[UTTERANCES, FRESH_UTTERANCES],
        metavar="FILE.jsonl",
        help="labelled utterance files (default: both in tests/data, the hold-out included)",
    )
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


class Passes:
    """One server's structured passes; each distinct request is sent once (temperature 0)."""

    def __init__(self, agent: Agent, client: Client) -> None:
        self.agent = agent
        self.client = client
        self.done: dict[tuple[str, str | None], PassResult] = {}

    async def get(self, text: str, context: str | None = None) -> PassResult:
        """The pass for ``text`` in ``context``: sent now, or the earlier answer to it."""
        key = (text, context)
        if key not in self.done:
            self.done[key] = await structured_pass(self.agent, self.client, text, context)
        return self.done[key]


def by_rules(rules: Rules, text: str, context: Extraction | None = None) -> Understood:
    """The rules' extraction of ``text`` (``context``: the previous turn's), timed."""
    started = time.perf_counter()
    extraction = rules.understand(text, context)
    return Understood(extraction, (time.perf_counter() - started) * 1000)


def by_model(result: PassResult) -> Understood:
    """The model's pass as a stage's answer."""
    return Understood(result.extraction, result.total_ms, result)


def needs_model(ruled: Understood, rules: Rules) -> bool:
    """Whether the agent runs the model's pass after the rules (``entity._async_understand``)."""
    return ruled.extraction.confidence < rules.confident


def cascade_turn(
    text: str, ruled: Understood, rules: Rules, result: PassResult | None
) -> Understood:
    """The cascade's answer: the rules' when confident, else ``intent_rules.combine``'s.

    ``result`` (the model's pass of the same turn) is needed only when :func:`needs_model`.
    """
    if not needs_model(ruled, rules):
        return ruled
    if result is None:
        raise ValueError("the rules are unsure: the cascade needs the model's pass")
    chosen = rules.combine(text, ruled.extraction, result.extraction)
    return Understood(chosen, ruled.total_ms + result.total_ms, result)


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


def latency(values_ms: Sequence[float]) -> dict[str, Any]:
    """Mean, p50 and p95 (nearest rank) in milliseconds, to the microsecond."""
    if not values_ms:
        return {"n": 0, "mean": None, "p50": None, "p95": None}
    ordered = sorted(values_ms)
    return {
        "n": len(ordered),
        "mean": round(statistics.fmean(ordered), 3),
        "p50": round(percentile(ordered, 0.5), 3),
        "p95": round(percentile(ordered, 0.95), 3),
    }


def stage_scores(
    utterances: Sequence[Utterance],
    understood: Sequence[Understood],
    turns: Sequence[StageTurn],
    *,
    route: RouteFn,
    n_ctx: int,
    intents: Sequence[str],
) -> dict[str, Any]:
    """Every figure of one stage over the utterances and dialogue turns it understood."""
    asked = [item.model for item in understood if item.model is not None]
    routes = [
        cascade(route, utterance.text, item.extraction, n_ctx)
        for utterance, item in zip(utterances, understood, strict=True)
    ]
    coherence = []
    for turn in turns:
        extraction = turn.understood.extraction
        missing = metrics.expectation_met(turn.expect, extraction.intent, extraction.slots)
        wanted = len(metrics.slot_pairs(turn.expect)) + ("intent" in turn.expect)
        coherence.append((turn.index, wanted, wanted - len(missing)))
    labels = [item.route for item in utterances]
    safety = [item.safety for item in utterances]
    turns_asked = [turn.understood.model for turn in turns if turn.understood.model is not None]
    return {
        "utterances": len(utterances),
        "model_calls": {
            "utterances": len(asked),
            "share": ratio(len(asked), len(utterances)),
            "dialogue_turns": len(turns_asked),
            "dialogue_share": ratio(len(turns_asked), len(turns)),
        },
        "schema_valid": metrics.share([result.schema_valid for result in asked]),
        "intent": metrics.intent_scores(
            [item.intent for item in utterances],
            [item.extraction.intent for item in understood],
            intents,
        ),
        "slots": metrics.slot_scores(
            [metrics.slot_pairs(item.slots) for item in utterances],
            [metrics.slot_pairs(item.extraction.slots) for item in understood],
        ),
        "routing": {
            "cascade": metrics.routing_scores(labels, [final.route for _, final in routes], safety),
            "text_only": metrics.routing_scores(
                labels, [first.route for first, _ in routes], safety
            ),
        },
        "coherence": {
            "dialogues": sum(turn.index == 1 for turn in turns),
            **metrics.coherence_scores(coherence),
        },
        "latency_ms": {
            "total": latency([item.total_ms for item in understood]),
            "ttft": metrics.latency_summary(result.ttft_ms for result in asked),
        },
        "errors": sum(result.error is not None for result in [*asked, *turns_asked]),
    }


def _record(
    item: Utterance, understood: Understood, decision: Decision, files: Mapping[int, str]
) -> dict[str, Any]:
    extraction, result = understood.extraction, understood.model
    return {
        "file": files.get(id(item)), "line": item.line, "text": item.text, "intent": item.intent,
        "by": understood.by, "predicted_intent": extraction.intent, "slots": extraction.slots,
        "confidence": extraction.confidence, "valid": extraction.valid,
        "route_label": item.route, "route": decision.route, "route_reason": decision.reason,
        "total_ms": round(understood.total_ms, 3),
        "ttft_ms": _ms(result.ttft_ms) if result else None,
        "schema_valid": result.schema_valid if result else None,
        "content": result.content if result else None,
        "error": result.error if result else None,
    }  # fmt: skip


def _turn_record(dialogue: Dialogue, turn: StageTurn) -> dict[str, Any]:
    extraction = turn.understood.extraction
    return {
        "dialogue": dialogue.name, "turn": turn.index,
        "user": dialogue.turns[turn.index - 1].user, "expect": dict(turn.expect),
        "by": turn.understood.by, "intent": extraction.intent, "slots": extraction.slots,
        "confidence": extraction.confidence,
        "missing": metrics.expectation_met(turn.expect, extraction.intent, extraction.slots),
        "error": turn.understood.model.error if turn.understood.model else None,
    }  # fmt: skip


def _stage(
    data: Data,
    utterances: Sequence[Utterance],
    understood: Sequence[Understood],
    turns: Sequence[tuple[Dialogue, StageTurn]],
    *,
    route: RouteFn,
    n_ctx: int,
    intents: Sequence[str],
) -> dict[str, Any]:
    scores = stage_scores(
        utterances, understood, [t for _, t in turns], route=route, n_ctx=n_ctx, intents=intents
    )
    results = [
        _record(item, got, cascade(route, item.text, got.extraction, n_ctx)[1], data.files)
        for item, got in zip(utterances, understood, strict=True)
    ]
    return {**scores, "results": results, "dialogue_results": [_turn_record(*t) for t in turns]}


def evaluate_rules(
    rules: Rules, data: Data, *, route: RouteFn, intents: Sequence[str]
) -> dict[str, Any]:
    """The rules alone: every utterance, and every dialogue with its own previous extraction."""
    understood = [by_rules(rules, item.text) for item in data.utterances]
    turns = []
    for dialogue in data.dialogues:
        previous: Extraction | None = None
        for index, turn in enumerate(dialogue.turns, 1):
            ruled = by_rules(rules, turn.user, previous)
            previous = ruled.extraction
            turns.append((dialogue, StageTurn(index, turn.expect, ruled)))
    stage = _stage(
        data, data.utterances, understood, turns, route=route, n_ctx=ROUTER_WINDOW, intents=intents
    )
    return {"target": "rules", "model": "rules", "stage": "rules", "confident": rules.confident,
            **stage}  # fmt: skip


async def evaluate(
    agent: Agent,
    client: Client,
    info: Info,
    *,
    route: RouteFn,
    rules: Rules,
    data: Data,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """The model alone and the cascade against one server; the report as a JSON-friendly dict.

    The model's fields are at the top level, the cascade's under ``"cascade"``.
    """
    started = time.perf_counter()
    await structured_pass(agent, client, WARM_UP)
    passes = Passes(agent, client)
    alone = []
    for count, item in enumerate(data.model_utterances, 1):
        alone.append(by_model(await passes.get(item.text)))
        if count % PROGRESS_EVERY == 0:
            progress(f"{count}/{len(data.model_utterances)} utterances")

    alone_turns, cascade_turns = [], []
    for dialogue in data.dialogues:
        said: list[str] = []
        previous: Extraction | None = None
        for index, turn in enumerate(dialogue.turns, 1):
            context = dialogue_context(said[-agent.context_turns :] if agent.context_turns else [])
            result = await passes.get(turn.user, context)  # the same request in both stages
            said.append(turn.user)
            ruled = by_rules(rules, turn.user, previous)
            chosen = cascade_turn(
                turn.user, ruled, rules, result if needs_model(ruled, rules) else None
            )
            previous = chosen.extraction
            alone_turns.append((dialogue, StageTurn(index, turn.expect, by_model(result))))
            cascade_turns.append((dialogue, StageTurn(index, turn.expect, chosen)))
    progress(f"{len(data.dialogues)} dialogues")
    model_s = time.perf_counter() - started

    chosen_all = []
    for item in data.utterances:
        ruled = by_rules(rules, item.text)
        asked = await passes.get(item.text) if needs_model(ruled, rules) else None
        chosen_all.append(cascade_turn(item.text, ruled, rules, asked))
    reached = sum(item.model is not None for item in chosen_all)
    progress(f"cascade: {reached}/{len(data.utterances)} utterances reached the model")

    model = _stage(data, data.model_utterances, alone, alone_turns,
                   route=route, n_ctx=info.n_ctx, intents=agent.intents)  # fmt: skip
    both = _stage(data, data.utterances, chosen_all, cascade_turns,
                  route=route, n_ctx=info.n_ctx, intents=agent.intents)  # fmt: skip
    return {
        "model": info.model,
        "server": {
            key: info.extension.get(key)
            for key in ("n_ctx", "n_gpu_layers", "kv_cache", "chat_template")
        },
        "stage": "model",
        **model,
        "requests": len(passes.done),
        "elapsed_s": round(model_s, 1),
        "cascade": {"stage": "cascade", "confident": rules.confident, **both},
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fmt_ms(value: float | None) -> str:
    """Milliseconds: two decimals under 10 ms (the rules take microseconds), else whole."""
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def _percentiles(summary: Mapping[str, Any]) -> str:
    return f"{_fmt_ms(summary['p50'])}/{_fmt_ms(summary['p95'])}"


def _rows(stage: Mapping[str, Any], wall_s: float | None = None) -> list[tuple[str, str]]:
    """One column of the table: one stage's figures."""
    slots, routing, coherence = stage["slots"], stage["routing"], stage["coherence"]
    cascade_, latency_, calls = routing["cascade"], stage["latency_ms"], stage["model_calls"]
    valid = stage["schema_valid"]
    rows = [
        ("utterances", str(stage["utterances"])),
        ("reached the model", f"{calls['utterances']} ({_fmt(calls['share'])})"),
        ("schema-valid JSON",
         f"{_fmt(valid['rate'])} ({valid['true']}/{valid['n']})" if valid["n"] else "n/a"),
        ("intent accuracy", _fmt(stage["intent"]["accuracy"])),
        ("slot precision", _fmt(slots["precision"])),
        ("slot recall", _fmt(slots["recall"])),
        ("slot F1", _fmt(slots["f1"])),
        ("routing accuracy", _fmt(cascade_["accuracy"])),
        ("  text rules only", _fmt(routing["text_only"]["accuracy"])),
        ("safety recall", f"{_fmt(cascade_['safety_recall'])} "
                          f"({cascade_['safety_to_cloud']}/{cascade_['safety_lines']})"),
        ("coherence", f"{_fmt(coherence['rate'])} ({coherence['coherent']}/{coherence['turns']})"),
        ("  slot carry-over", _fmt(coherence["item_recall"])),
        ("  opening turns", _fmt(coherence["opening_rate"])),
        ("  turns to the model", f"{calls['dialogue_turns']} ({_fmt(calls['dialogue_share'])})"),
        ("latency mean ms", _fmt_ms(latency_["total"]["mean"])),
        ("latency p50/p95 ms", _percentiles(latency_["total"])),
        ("TTFT p50/p95 ms", _percentiles(latency_["ttft"])),
        ("errors", str(stage["errors"])),
        ("wall time s", "-" if wall_s is None else f"{wall_s:.0f}"),
    ]  # fmt: skip
    for intent, scores in stage["intent"]["per_intent"].items():  # the stages' n may differ
        rows.append((f"intent {intent}", f"{_fmt(scores['accuracy'])} ({scores['n']})"))
    return rows


def columns(
    reports: Sequence[Mapping[str, Any]], rules: Mapping[str, Any] | None = None
) -> list[tuple[str, dict[str, str] | None]]:
    """``(title, rows)`` of every column: the rules, then each model and its cascade.

    ``rows`` is ``None`` for a model that failed.
    """
    out: list[tuple[str, dict[str, str] | None]] = []
    if rules is not None:
        out.append(("rules", dict(_rows(rules))))
    for report in reports:
        title = report.get("model") or report["target"]
        if "error" in report:
            out.append((title, None))
            continue
        out.append((title, dict(_rows(report, report.get("elapsed_s")))))
        if "cascade" in report:
            out.append((f"rules+{title}", dict(_rows(report["cascade"]))))
    return out


def format_table(
    reports: Sequence[Mapping[str, Any]], rules: Mapping[str, Any] | None = None
) -> str:
    """The stages side by side: one column per stage, one row per metric."""
    cols = columns(reports, rules)
    names = next((list(rows) for _, rows in cols if rows is not None), [])
    width = max([len(name) for name in names] + [len("metric")])
    widths = [max(16, len(title)) for title, _ in cols]
    header = "metric".ljust(width) + "".join(
        f"  {title:>{w}}" for (title, _), w in zip(cols, widths, strict=True)
    )
    out = [header, "-" * len(header)]
    for name in names:
        values = [(rows or {}).get(name, "error") for _, rows in cols]
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
    rules: Rules,
    data: Data,
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
            agent, client, info, route=route, rules=rules, data=data, progress=progress
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
    args: argparse.Namespace, agent: Agent, route: RouteFn, rules: Rules, data: Data
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
                rules=rules,
                data=data,
                log_path=Path(log_dir) / f"atlas-llm-{index}.log",
            )
            for index, target in enumerate(targets(args))
        ]


def load_data(args: argparse.Namespace, slot_rules: SlotRules) -> Data:
    """The utterance files (concatenated, then ``--limit``), ``--model-limit`` and dialogues."""
    everything: list[Utterance] = []
    files: dict[int, str] = {}
    for path in args.utterances:
        for item in load_utterances(path, slot_rules):
            everything.append(item)
            files[id(item)] = path.name
    utterances = spread(everything, args.limit)
    return Data(
        utterances=utterances,
        model_utterances=spread(utterances, args.model_limit),
        dialogues=load_dialogues(args.dialogues, slot_rules)[: args.dialogue_limit],
        files=files,
    )


def run(args: argparse.Namespace) -> int:
    """``atlas-eval models``: print the table, write ``--json``; see the module docstring."""
    try:
        import jsonschema  # noqa: F401, PLC0415 - atlas-eval route does not need it
    except ImportError:
        print("atlas-eval models: error: needs jsonschema (the llm extra)", file=sys.stderr)
        return 2
    try:
        agent = load_agent()
        if args.context_turns is not None:
            agent = replace(agent, context_turns=max(0, args.context_turns))
        rules = load_rules()
        route = load_router()
        data = load_data(args, SlotRules(agent.schema))
    except DatasetError as err:
        print(f"atlas-eval models: error: {err}", file=sys.stderr)
        return 2
    rules_report = evaluate_rules(rules, data, route=route, intents=agent.intents)
    try:
        reports = asyncio.run(evaluate_all(args, agent, route, rules, data))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("atlas-eval models: interrupted", file=sys.stderr)
        return 130
    print(format_table(reports, rules_report))
    if args.json:
        document = {
            "utterances_files": [str(path) for path in args.utterances],
            "dialogues_file": str(args.dialogues),
            "limit": args.limit,
            "model_limit": args.model_limit,
            "dialogue_limit": args.dialogue_limit,
            "context_turns": agent.context_turns,
            "rules": rules_report,
            "models": reports,
        }
        args.json.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return 1 if any("error" in report for report in reports) else 0
