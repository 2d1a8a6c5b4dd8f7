"""The report of ``atlas-eval turns``: JSON-friendly, and Markdown for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .turns_data import TurnRecord
from .turns_score import LineScore, summarise

MAX_REPLY_CHARS = 240
ROWS = (
    ("answered correctly", "answered_correctly"),
    ("intent accuracy", "intent_accuracy"),
    ("tools and arguments right", "tools_right"),
    ("reply right", "reply_right"),
    ("reached the model (all lines)", "reached_model"),
    ("skill requests that reached the model", "skill_reached_model"),
)


def build_report(scores: Sequence[LineScore], header: dict[str, Any]) -> dict[str, Any]:
    """The whole report: ``header`` (files, world), the measures, and every line's outcome."""
    return {
        **header,
        **summarise(scores),
        "failures": [s.line.id for s in scores if not s.correct],
        "lines": [line_detail(s) for s in scores],
    }


def line_detail(score: LineScore) -> dict[str, Any]:
    """One line's expectation, outcome and problems."""
    line = score.line
    return {
        "id": line.id,
        "where": line.where,
        "text": line.text,
        "lang": line.lang,
        "correct": score.correct,
        "intent": {"want": line.intent, "got": score.intent, "ok": score.intent_ok},
        "slots": {
            "want": sorted(score.gold_pairs),
            "got": sorted(score.got_pairs),
        },
        "tools": {
            "want": [{"tool": c.tool, "args": c.args} for c in line.tools],
            "ok": score.tools_ok,
            "problems": score.tool_problems,
        },
        "reply": {"ok": score.reply_ok, "problems": score.reply_problems},
        "reached_model": score.reached_model,
        "model_words_unjudged": score.model_words,
        "turns": [_turn(t) for t in score.turns],
    }


def _turn(turn: TurnRecord) -> dict[str, Any]:
    trace = turn.trace
    return {
        "text": turn.text,
        "conversation_id": turn.conversation_id,
        "reply": turn.reply,
        "continue_conversation": turn.continue_conversation,
        "tools": [
            {"tool": r.tool, "args": r.args, **({"error": r.result} if r.error else {})}
            for r in turn.tools
        ],
        "model_requests": turn.model_requests,
        "understood_by": trace.get("understood_by"),
        "answered_by": trace.get("answered_by"),
        "route": trace.get("route"),
        "error": turn.error,
    }


def _share(measure: dict[str, Any]) -> str:
    if measure["rate"] is None:
        return "n/a"
    return f"{measure['rate']:.3f} ({measure['true']}/{measure['n']})"


def _f1(slots: dict[str, Any]) -> str:
    if slots["f1"] is None:
        return "n/a (no slots)"

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    return f"{slots['f1']:.3f} (P {share(slots['precision'])}, R {share(slots['recall'])})"


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: the overall table, the per-intent table, the failing lines."""
    overall = report["overall"]
    out = [
        f"# atlas-eval turns: {', '.join(report['files'])} ({overall['lines']} lines)",
        "",
        f"World: {report['world']['now']} ({report['world']['time_zone']}), "
        f"{report['world']['box']}, stages: {report['world'].get('stages', 'all')}.",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    out.extend(f"| {label} | {_share(overall[key])} |" for label, key in ROWS[:2])
    out.append(f"| slot F1 | {_f1(overall['slots'])} |")
    if overall["not_understood"]:
        out.append(
            f"| not understood (safety path first; no slots scored) | "
            f"{overall['not_understood']}/{overall['lines']} |"
        )
    out.extend(f"| {label} | {_share(overall[key])} |" for label, key in ROWS[2:])
    if overall["model_words_unjudged"]:
        out.append(
            "| model-answered lines whose facts were not judged (scripted words) | "
            f"{overall['model_words_unjudged']}/{overall['lines']} |"
        )
    out += [
        "",
        "## Per intent",
        "",
        "| intent | n | correct | intent | slot F1 | tools | reply | reached model |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for intent, m in report["per_intent"].items():
        f1 = "n/a" if m["slots"]["f1"] is None else f"{m['slots']['f1']:.3f}"
        cells = (
            [_rate(m[key]) for key in ("answered_correctly", "intent_accuracy")]
            + [f1]
            + [_rate(m[key]) for key in ("tools_right", "reply_right")]
        )
        reached = f"{m['reached_model']['true']}/{m['lines']}"
        out.append(f"| {intent} | {m['lines']} | {' | '.join(cells)} | {reached} |")
    failing = [d for d in report["lines"] if not d["correct"]]
    out += ["", f"## Failing lines ({len(failing)})", ""]
    for detail in failing:
        out.extend(_failure(detail))
    return "\n".join(out) + "\n"


def _rate(measure: dict[str, Any]) -> str:
    return "n/a" if measure["rate"] is None else f"{measure['rate']:.2f}"


def _failure(detail: dict[str, Any]) -> list[str]:
    intent = detail["intent"]
    what = [name for name in ("intent", "tools", "reply") if not detail[name]["ok"]]
    lines = [
        f"- **{detail['id']}** ({detail['lang']}, {intent['want']}; wrong: {', '.join(what)}) "
        f"`{detail['text']}`",
    ]
    if not intent["ok"]:
        lines.append(f"  - intent: expected {intent['want']}, got {intent['got']}")
    want, got = set(map(tuple, detail["slots"]["want"])), set(map(tuple, detail["slots"]["got"]))
    if want != got:
        lines.append(f"  - slots: expected {_pairs(want)}, got {_pairs(got)}")
    wanted = "; ".join(f"{c['tool']} {json.dumps(c['args'])}" for c in detail["tools"]["want"])
    ran = "; ".join(
        f"{t['tool']} {json.dumps(t['args'])}" for turn in detail["turns"] for t in turn["tools"]
    )
    if not detail["tools"]["ok"]:
        lines.append(f"  - tools: expected {wanted or 'none'}; ran {ran or 'none'}")
        lines.extend(f"    - {problem}" for problem in detail["tools"]["problems"])
    if not detail["reply"]["ok"]:
        lines.append(f"  - reply: {'; '.join(detail['reply']['problems'])}")
    for turn in detail["turns"]:
        reply = turn["reply"]
        if len(reply) > MAX_REPLY_CHARS:
            reply = reply[:MAX_REPLY_CHARS] + "…"
        lines.append(f"  - `{turn['text']}` → “{reply}” ({_how(turn)})")
    return lines


def _pairs(pairs: set[tuple[str, ...]]) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(pairs)) + "}" if pairs else "none"


def _how(turn: dict[str, Any]) -> str:
    parts = [f"understood by {turn['understood_by'] or '-'}", f"answered by {turn['answered_by']}"]
    if turn["model_requests"]:
        parts.append(f"{turn['model_requests']} model request(s)")
    if turn["error"]:
        parts.append(f"error {turn['error']}")
    return ", ".join(parts)
