"""``workout_status`` and ``next_workout`` arguments from a request and its slots
(``agent.status_args``)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.atlas.agent.status_args import next_args, status_args


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("am I on track today", "today"),
        ("how am I doing", "today"),
        ("so far today how many reps", "today"),
        ("how many workouts have I done this week", "week"),
        ("so far this week", "week"),
        ("what did I do over the past seven days", "week"),
        ("how far have I run so far this month", "month"),
        ("monthly total please", "month"),
        ("what's my streak", "streak"),
        ("how many days in a row have I trained", "streak"),
        ("how many consecutive days is that", "streak"),
        ("how many push ups have I done in total", "all"),
        ("what's my all-time distance", "all"),
        ("have I ever run a marathon", "all"),
        ("whats my total workout count", "all"),
        ("what's my total for today", "today"),
        ("what exercise have i logged so far", "all"),
        ("what workouts did i do in march", "month"),
    ],
)
def test_period(text: str, period: str) -> None:
    assert status_args(text, {}) == {"period": period}


def test_types_come_from_the_slots() -> None:
    assert status_args("how far have I run this month", {"types": ["running"]}) == {
        "period": "month",
        "types": ["running"],
    }


@pytest.mark.parametrize(
    ("text", "slots", "args"),
    [
        ("what's my next workout", {}, {}),
        ("when's my next run", {"types": ["running"]}, {"types": ["running"]}),
        ("what's on tomorrow", {"day": "tomorrow"}, {"day": "tomorrow"}),
        ("anything planned for thursday", {"day": "thursday"}, {"day": "thursday"}),
        ("what's on tonight", {"time_of_day": "night"}, {"day": "today"}),
        ("is there a ride this evening", {"types": ["cycling"], "time_of_day": "evening"},
         {"day": "today", "types": ["cycling"]}),
        ("what have I got this weekend", {}, {"day": "saturday"}),
    ],
)  # fmt: skip
def test_next_args(text: str, slots: dict[str, Any], args: dict[str, Any]) -> None:
    assert next_args(text, slots) == args
