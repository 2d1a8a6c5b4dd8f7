"""The spoken answer of a direct dispatch (``agent.replies``) and the sentences ATLAS's tools
give for invalid arguments (``skills.api``): never a validator's words."""

from __future__ import annotations

from typing import Any

import probatio
import pytest

from custom_components.atlas.agent.dispatch import SkillCall
from custom_components.atlas.agent.replies import SORRY, spoken_reply
from custom_components.atlas.skills.plans import NextWorkoutTool, PrepareWorkoutTool
from custom_components.atlas.skills.workouts import LogWorkoutTool, WorkoutStatusTool

LOG = SkillCall("log_workout")


def logged(today: int = 1, when: str = "today", **workout: Any) -> dict[str, Any]:
    """A ``log_workout`` result as the tool returns it."""
    return {"logged": {"sets": 1, **workout}, "when": when, "today": {"workouts": today}}


@pytest.mark.parametrize(
    ("workout", "said"),
    [
        ({"exercise": "running", "distance": 5.0, "distance_unit": "km",
          "duration_minutes": 28.0}, "Logged a 5 kilometre run in 28 minutes."),
        ({"exercise": "Push-up", "sets": 3, "reps": 12}, "Logged 3 sets of 12 push-ups."),
        ({"exercise": "spin"}, "Logged your spin class."),
        ({"exercise": "cycling", "duration_minutes": 40.0}, "Logged 40 minutes of cycling."),
        ({"exercise": "Push-up", "reps": 1}, "Logged 1 push-up."),
    ],
)  # fmt: skip
def test_a_log_names_the_activity_and_its_amount(workout: dict[str, Any], said: str) -> None:
    reply = spoken_reply([(LOG, logged(**workout))])
    assert reply == f"{said} That's 1 workout today."
    assert "1 reps" not in reply


def test_two_logs_are_one_sentence() -> None:
    reply = spoken_reply(
        [
            (LOG, logged(exercise="cycling", duration_minutes=20.0)),
            (LOG, logged(2, exercise="pull ups", sets=3, reps=10)),
        ]
    )
    assert (
        reply == "Logged 20 minutes of cycling and 3 sets of 10 pull ups. That's 2 workouts today."
    )


def test_a_log_of_another_day_says_when() -> None:
    reply = spoken_reply(
        [(LOG, logged(0, "yesterday", exercise="running", distance=10.0, distance_unit="km"))]
    )
    assert reply == "Logged a 10 kilometre run yesterday."


def test_errors_are_said_as_their_message_never_their_details() -> None:
    error = {
        "error": "invalid_arguments",
        "message": "I can only log up to 10,000 reps at a time.",
        "error_text": "log_workout: value must be at most 10000 at 'reps'",
    }
    assert spoken_reply([(LOG, error)]) == "I can only log up to 10,000 reps at a time."
    bare = {"error": "refused", "error_text": "day 'x' is not an ISO date (2026-05-04)"}
    assert spoken_reply([(SkillCall("prepare_workout"), bare)]) == SORRY


def test_a_plan_is_said_in_brief() -> None:
    result = {
        "recovery": {"level": "high"},
        "summary": "The whole plan, every exercise of it.",
        "spoken": "This morning: 30 minutes of yoga.",
    }
    reply = spoken_reply([(SkillCall("recovery_status"), {"summary": "Recovery is high."}),
                          (SkillCall("prepare_workout"), result)])  # fmt: skip
    assert reply == "Garmin says your recovery is high. This morning: 30 minutes of yoga."
    nxt = {"summary": "The whole plan.", "spoken": "Saturday morning: 40 minutes of running."}
    assert spoken_reply([(SkillCall("next_workout"), nxt)]) == nxt["spoken"]


def invalid(schema: probatio.Schema, args: dict[str, Any]) -> probatio.Invalid:
    with pytest.raises(probatio.Invalid) as err:
        schema(args)
    return err.value


@pytest.mark.parametrize(
    ("tool", "args", "said"),
    [
        (LogWorkoutTool, {"exercise": "pushups", "reps": 20000},
         "I can only log up to 10,000 reps at a time."),
        (LogWorkoutTool, {"exercise": "pushups", "reps": "many"},
         "I didn't understand 'many' as the reps."),
        (LogWorkoutTool, {"reps": 5}, "Which exercise did you do?"),
        (LogWorkoutTool, {"exercise": "run", "distance": 5, "distance_unit": "furlongs"},
         "I can log distances in kilometres, miles or metres."),
        (LogWorkoutTool, {"exercise": "run", "colour": "red"},
         "I didn't understand the colour part of that."),
        (PrepareWorkoutTool, {"injuries": ["toe"]}, "I don't know 'toe' as a body part to spare."),
        (PrepareWorkoutTool, {"time_of_day": "brunch"},
         "I don't know 'brunch' as a time of day."),
        (PrepareWorkoutTool, {"types": ["rowing"]}, "I don't know 'rowing' as a workout type."),
        (PrepareWorkoutTool, {"minutes": "long"}, "How many minutes should the session be?"),
        (WorkoutStatusTool, {"period": "decade"}, "I don't know 'decade' as a period."),
        (NextWorkoutTool, {"types": ["chess"]}, "I don't know 'chess' as a workout type."),
    ],
)  # fmt: skip
def test_an_invalid_argument_is_a_sentence(tool: Any, args: dict[str, Any], said: str) -> None:
    sentence = tool.spoken_invalid(tool, invalid(tool.parameters, args), args)
    assert sentence == said
    assert "value must" not in sentence
    assert tool.name not in sentence
