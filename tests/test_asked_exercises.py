"""The exercises a session request names go first in its plan (agent/asked_exercises.py)."""

from __future__ import annotations

from datetime import date

import pytest

from custom_components.atlas.agent.asked_exercises import ASKED_KEYS, asked_exercises
from custom_components.atlas.skills.exercises import EXERCISES
from custom_components.atlas.skills.plans import build_plan

DAY = date(2026, 3, 11)


def test_every_asked_key_is_a_library_exercise() -> None:
    assert ASKED_KEYS.issubset(EXERCISES)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("workout for friday please, something with pull ups and dips", ["chair_dips"]),
        ("i'd like a leg workout with squats and deadlifts for tomorrow", ["squat"]),
        ("can you do me a core workout for sunday", ["plank", "dead_bug"]),
        ("legs today?", ["squat", "reverse_lunge"]),
        ("my legs are sore, something gentle", []),
        ("prepare a yoga session", []),
    ],
)
def test_named_exercises(text: str, first: list[str]) -> None:
    assert asked_exercises(text)[: len(first)] == first


@pytest.mark.parametrize(
    ("types", "asked", "expected"),
    [
        (("calisthenics",), ["chair_dips"], "chair_dips"),
        (("strength",), ["squat", "reverse_lunge"], "squat"),
        (("cycling",), ["run_intervals", "bike_intervals"], "bike_intervals"),
    ],
)
def test_a_plan_starts_with_the_exercises_asked(
    types: tuple[str, ...], asked: list[str], expected: str
) -> None:
    plan = build_plan(DAY, types=types, exercises=asked)
    main = next(block for block in plan.blocks if block.phase == "main")
    assert main.items[0].key == expected


def test_an_asked_exercise_that_loads_an_injury_is_left_out() -> None:
    plan = build_plan(DAY, types=("calisthenics",), injuries=("shoulder",), exercises=["push_up"])
    keys = [item.key for block in plan.blocks for item in block.items]
    assert "push_up" not in keys
