"""The lines of ``atlas-eval turns`` (format: the turns data spec) and what their turns did.

One JSON object a line::

    {"id": "t-0001", "text": "...", "lang": "en", "intent": "log_workout",
     "slots": {"types": ["running"]},
     "tools": [{"tool": "log_workout", "args": {"exercise": "run", "distance": 5}}],
     "reply_must": [["5"], ["km", "kilomet"]], "reply_must_not": ["reps"],
     "clarify": false, "answer": null, "emergency": false, "note": "..."}

``slots`` lists only the non-null slots. A ``clarify`` line's first reply must ask a question
and run no tool; ``answer`` is what the user says next, and ``tools`` what that answer leads to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from custom_components.atlas.agent.structured import SCHEMA

from .eval_data import SlotRules
from .route import DatasetError, jsonl_objects

RULES = SlotRules(SCHEMA)


@dataclass(frozen=True)
class ToolCall:
    """A tool the correct outcome runs, with its key arguments."""

    tool: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TurnLine:
    """One labelled request and what a correct outcome is."""

    where: str  # "path:line"
    id: str
    text: str
    lang: str
    intent: str
    slots: dict[str, Any]  # every slot (None / [] when the line gives none)
    tools: tuple[ToolCall, ...]
    reply_must: tuple[tuple[str, ...], ...]
    reply_must_not: tuple[str, ...] = ()
    clarify: bool = False
    answer: str | None = None
    emergency: bool = False


def load_lines(paths: Iterable[Path]) -> list[TurnLine]:
    """Every line of every file, validated; :class:`DatasetError` names the first bad one."""
    lines: list[TurnLine] = []
    for path in paths:
        found = [_parse(where, item) for _number, where, item in jsonl_objects(path)]
        if not found:
            raise DatasetError(f"{path}: no lines")
        lines.extend(found)
    return lines


def _parse(where: str, item: dict[str, Any]) -> TurnLine:
    clarify = _flag(where, item, "clarify")
    answer = item.get("answer")
    if clarify and (not isinstance(answer, str) or not answer.strip()):
        raise DatasetError(f'{where}: a "clarify" line needs the user\'s "answer" (a string)')
    if answer is not None and not isinstance(answer, str):
        raise DatasetError(f'{where}: "answer" must be a string or null')
    lang = item.get("lang", "en")
    if not isinstance(lang, str) or not lang.strip():
        raise DatasetError(f'{where}: "lang" must be a language code such as "en"')
    return TurnLine(
        where=where,
        id=str(item.get("id") or where),
        text=_text(where, item.get("text"), "text"),
        lang=lang.strip().lower(),
        intent=RULES.intent(where, item.get("intent")),
        slots=RULES.slots(where, item.get("slots", {})),
        tools=_tools(where, item.get("tools", [])),
        reply_must=_groups(where, item.get("reply_must", [])),
        reply_must_not=_strings(where, item.get("reply_must_not", []), "reply_must_not"),
        clarify=clarify,
        answer=answer if clarify else None,
        emergency=_flag(where, item, "emergency"),
    )


def _text(where: str, value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f'{where}: "{key}" must be a non-empty string')
    return value


def _flag(where: str, item: dict[str, Any], key: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise DatasetError(f'{where}: "{key}" must be true or false')
    return value


def _tools(where: str, raw: object) -> tuple[ToolCall, ...]:
    if not isinstance(raw, list):
        raise DatasetError(f'{where}: "tools" must be a list of {{"tool": ..., "args": {{...}}}}')
    calls = []
    for call in raw:
        if not isinstance(call, dict) or not isinstance(call.get("tool"), str):
            raise DatasetError(f'{where}: each tool is {{"tool": "<name>", "args": {{...}}}}')
        args = call.get("args", {})
        if not isinstance(args, dict):
            raise DatasetError(f"{where}: the args of {call['tool']} must be an object")
        _check_times(f"{where}: {call['tool']}", args)
        calls.append(ToolCall(call["tool"], dict(args)))
    return tuple(calls)


_HH_MM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")


def _check_times(where: str, args: dict[str, Any]) -> None:
    """A reminder's time: ``in_minutes`` a number, ``due`` {day?, time: "HH:MM"}."""
    minutes = args.get("in_minutes")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int | float)):
        raise DatasetError(f'{where}: "in_minutes" must be a number, not {minutes!r}')
    due = args.get("due")
    if due is not None and (
        not isinstance(due, dict) or not _HH_MM.fullmatch(str(due.get("time", "")))
    ):
        raise DatasetError(f'{where}: "due" must be {{"day": ..., "time": "HH:MM"}}, not {due!r}')


def _strings(where: str, raw: object, key: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) and s for s in raw):
        raise DatasetError(f'{where}: "{key}" must be a list of non-empty strings')
    return tuple(raw)


def _groups(where: str, raw: object) -> tuple[tuple[str, ...], ...]:
    """``reply_must``: groups of alternatives (a bare string is a group of one)."""
    if not isinstance(raw, list):
        raise DatasetError(f'{where}: "reply_must" must be a list of groups of alternatives')
    groups = []
    for group in raw:
        alternatives = [group] if isinstance(group, str) else group
        if not alternatives:
            raise DatasetError(f'{where}: a "reply_must" group has no alternatives')
        groups.append(_strings(where, alternatives, "reply_must"))
    return tuple(groups)


@dataclass
class ToolRun:
    """A tool that ran in a turn: its bare name (no API prefix), arguments and result."""

    tool: str
    args: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    error: bool = False


@dataclass
class TurnRecord:
    """What one user turn did."""

    text: str
    conversation_id: str | None = None
    reply: str = ""
    continue_conversation: bool = False
    trace: dict[str, Any] = field(default_factory=dict)  # the atlas_turn event's data
    tools: list[ToolRun] = field(default_factory=list)
    model_requests: int = 0  # structured passes and answers the box got (warm-ups left out)
    error: str | None = None
