"""The intent registry: every intent has a rule, every skill intent a route, a tool and a reply.

Adding an intent is one entry in ``agent/intents.py`` plus its rule, route and reply (see
docs/architecture.md, "How to add an intent"); these tests fail when one of them is missing.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from custom_components.atlas.agent import dispatch, intent_rules, intents, router, structured
from custom_components.atlas.agent.dispatch import plan_calls
from custom_components.atlas.agent.replies import spoken_reply

SKILLS = Path(__file__).resolve().parents[1] / "custom_components" / "atlas" / "skills"
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)  # a Wednesday morning: no test reads the clock
NAMES = [intent.name for intent in intents.INTENTS]
SKILL = [intent for intent in intents.INTENTS if intent.skill]


def _offered_tools() -> set[str]:
    """The names of the LLM tools the skills define (``name = "..."`` on a Tool class)."""
    names: set[str] = set()
    for path in SKILLS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and [getattr(t, "id", None) for t in stmt.targets] == ["name"]
                        and isinstance(stmt.value, ast.Constant)
                    ):
                        names.add(str(stmt.value.value))
    return names


def test_every_stage_reads_the_one_registry() -> None:
    assert structured.INTENTS == intents.NAMES
    assert structured.SCHEMA["properties"]["intent"]["enum"] == list(intents.NAMES)
    assert structured.PLANNING_INTENTS == intents.PLANNING_INTENTS
    for intent in intents.INTENTS:
        assert f"{intent.name}: {intent.meaning}" in structured.PROMPT
    assert {i for i in intents.NAMES if dispatch.handles(i)} == intents.SKILL_INTENTS
    assert router.REMINDER_INTENTS is intents.REMINDER_INTENTS


@pytest.mark.parametrize("name", NAMES)
def test_every_intent_has_a_rule(name: str) -> None:
    ruled = {intent for intent, _pattern, _confidence in intent_rules.RULES}
    assert name in ruled, f"no rule in intent_rules.RULES reads {name}"
    intent = intents.BY_NAME[name]
    understood = intent_rules.understand(intent.example)
    assert understood.intent == name, (intent.example, understood)
    assert understood.confidence >= intent_rules.CONFIDENT


@pytest.mark.parametrize("intent", SKILL, ids=lambda intent: intent.name)
def test_every_skill_intent_has_a_route_a_tool_and_a_reply(intent: intents.Intent) -> None:
    calls = plan_calls(intent_rules.understand(intent.example), intent.example, NOW)
    assert calls is not None, f"no direct route for {intent.example!r}"
    assert tuple(call.tool for call in calls) == intent.tools
    assert set(intent.tools) <= _offered_tools()
    # A reply from a plain result of each tool: a sentence, never markup or a raw value.
    results = [(call, {"summary": f"The {call.tool} result."}) for call in calls]
    reply = spoken_reply(results)
    assert reply
    assert reply.strip()[-1] in ".!?", reply
    assert not set(reply) & set("{}[]<>`*#"), reply


def test_an_unknown_intent_has_no_route() -> None:
    assert not dispatch.handles("no_such_intent")
    assert plan_calls(structured.Extraction("no_such_intent", {}, 0.99), "hello") is None
