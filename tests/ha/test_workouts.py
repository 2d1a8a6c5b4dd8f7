"""The workout log in a real HA test instance: tools through the agent loop, sensors, the
``atlas.log_workout`` action, goals from the options flow, the streak, restarts.

Time is frozen on Monday 4 May 2026, 09:00 in Berlin and moved with ``freezer`` plus
``async_fire_time_changed``; the tools run against a scripted atlas-llm.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import chat_session
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
)

from custom_components.atlas.const import DOMAIN, EVENT_TURN
from custom_components.atlas.skills.workouts import (
    CONF_GOAL_MINUTES,
    CONF_GOAL_REPS,
    EVENT_WORKOUT_LOGGED,
    storage_key,
)

from .conftest import box_entry, form_schema, move_to, restart, setup_atlas
from .scripted_llm import Reply, ScriptedLLM
from .test_agent import converse

SERVICES_YAML = Path(__file__).parents[2] / "custom_components" / DOMAIN / "services.yaml"
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, 9, 0, tzinfo=BERLIN)  # a Monday
REPS = "sensor.atlas_workouts_reps_today"
MINUTES = "sensor.atlas_workouts_active_minutes_today"
COUNT = "sensor.atlas_workouts_workouts_today"
STREAK = "sensor.atlas_workouts_workout_streak"


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A local time on the frozen Monday (or ``days`` later)."""
    return START.replace(hour=hour, minute=minute) + timedelta(days=days)


@pytest.fixture(autouse=True)
async def berlin_monday_morning(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)


def call(name: str, call_id: str = "call_1", **arguments: Any) -> Reply:
    """A scripted reply that calls the ATLAS tool ``name``."""
    return Reply(tool_calls=[{"id": call_id, "name": f"atlas__{name}", "arguments": arguments}])


def tool_results(scripted: ScriptedLLM) -> list[dict[str, Any]]:
    """The tool results the agent sent back to the model in the turn's last request."""
    messages = scripted.chat_requests[-1]["messages"]
    return [json.loads(m["content"]) for m in messages if m["role"] == "tool"]


async def ask(hass: HomeAssistant, scripted: ScriptedLLM, text: str, *replies: Reply) -> str:
    """One turn: the scripted model makes ``replies``; returns the spoken answer."""
    scripted.replies = [*replies, Reply(content="Done.")]
    result = await converse(hass, text)
    return str(result.response.speech["plain"]["speech"]).strip()


@dataclass
class SkillTurn:
    """A turn the skills answered directly: what was said, the tools run, the turn's trace."""

    speech: str
    calls: list[tuple[str, dict[str, Any]]]  # (tool name as offered, arguments), in order
    results: list[dict[str, Any]]  # {"tool", "error", "data"} per call, in order
    turn: dict[str, Any]  # the atlas_turn event's data


async def skill_turn(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, tools: list[str]
) -> SkillTurn:
    """One turn that the rules understand and the skills answer: ``tools`` run in that order
    through the chat log, and the model gets no request at all (no structured pass, no chat)."""
    turns = async_capture_events(hass, EVENT_TURN)
    before = len(scripted.requests)
    scripted.replies = [Reply(content="The model should not have been asked.")]
    result = await converse(hass, text)
    assert scripted.requests[before:] == []
    (turn,) = turns
    assert turn.data["understood_by"] == "rules"
    assert turn.data["answered_by"] == "skill"
    assert turn.data["tools"] == tools
    assert turn.data["rounds"] == 0
    assert turn.data["error"] is None
    with (
        chat_session.async_get_chat_session(hass, result.conversation_id) as session,
        conversation.async_get_chat_log(hass, session) as chat_log,
    ):
        content = list(chat_log.content)
    user = max(i for i, c in enumerate(content) if isinstance(c, conversation.UserContent))
    assert isinstance(asked := content[user], conversation.UserContent)
    assert asked.content == text
    this_turn = content[user + 1 :]
    calls = [
        (tool.tool_name, tool.tool_args)
        for c in this_turn
        if isinstance(c, conversation.AssistantContent) and c.tool_calls
        for tool in c.tool_calls
    ]
    results = [
        {"tool": c.tool_name, "error": c.result.error, "data": c.result.data}
        for c in this_turn
        if isinstance(c, conversation.ToolResultContent)
    ]
    assert [name for name, _ in calls] == [f"atlas__{tool}" for tool in tools]
    assert [r["tool"] for r in results] == [f"atlas__{tool}" for tool in tools]
    speech = str(result.response.speech["plain"]["speech"]).strip()
    last = this_turn[-1]
    assert isinstance(last, conversation.AssistantContent)
    assert last.tool_calls is None
    assert last.content == speech != ""
    return SkillTurn(speech, calls, results, dict(turn.data))


def value(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def log(hass: HomeAssistant, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, "log_workout", data, blocking=True, return_response=True
    )


# --- the tools through the agent loop ----------------------------------------------------------


async def test_log_20_pushups_through_the_agent(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)
    logged = async_capture_events(hass, EVENT_WORKOUT_LOGGED)

    turn = await skill_turn(hass, scripted, "Log 20 pushups", ["log_workout"])

    assert turn.turn["intent"] == "log_workout"
    assert turn.calls == [("atlas__log_workout", {"reps": 20, "exercise": "pushups"})]
    (result,) = turn.results
    assert result["error"] is False
    assert result["data"]["logged"]["exercise"] == "Push-up"  # the library's name
    assert result["data"]["logged"]["reps"] == 20
    assert result["data"]["today"] == {"reps": 20, "active_minutes": 0.0, "workouts": 1}
    # Said from the tool's result (the library's name, today's count).
    assert turn.speech == "Logged 20 push-ups. That's 1 workout today."
    assert scripted.chat_requests == []
    (event,) = logged
    assert event.data["exercise"] == "Push-up"
    assert event.data["total_reps"] == 20
    assert datetime.fromisoformat(event.data["time"]) == START
    assert value(hass, REPS) == "20"
    assert value(hass, COUNT) == "1"
    assert value(hass, STREAK) == "1"


async def test_log_sets_and_a_run_by_the_skill(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)

    squats = await skill_turn(hass, scripted, "Log 3 sets of 12 squats", ["log_workout"])
    run = await skill_turn(hass, scripted, "I ran for 25 minutes", ["log_workout"])

    assert squats.calls == [("atlas__log_workout", {"sets": 3, "reps": 12, "exercise": "squats"})]
    assert squats.results[0]["data"]["logged"]["exercise"] == "Bodyweight squat"
    assert squats.speech == "Logged 3 sets of 12 bodyweight squats. That's 1 workout today."
    assert run.calls == [("atlas__log_workout", {"duration_minutes": 25.0, "exercise": "run"})]
    assert run.results[0]["data"]["today"] == {"reps": 36, "active_minutes": 25.0, "workouts": 2}
    assert run.results[0]["data"]["logged"]["duration_minutes"] == 25.0
    assert run.results[0]["data"]["logged"]["exercise"] == "running"  # filed under its activity
    assert run.speech == "Logged 25 minutes of running. That's 2 workouts today."
    assert scripted.requests == []
    assert value(hass, REPS) == "36"
    assert value(hass, MINUTES) == "25.0"
    assert value(hass, COUNT) == "2"


async def test_log_sets_duration_and_an_earlier_time(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    """Two workouts and a clock time in one sentence: two logs, the time with the one it was
    said with."""
    await setup_atlas(hass, scripted.port)

    turn = await skill_turn(
        hass,
        scripted,
        "Log 3 sets of 12 squats at 7:30 am and then a 25 minute run",
        ["log_workout", "log_workout"],
    )

    assert turn.calls == [
        ("atlas__log_workout", {"exercise": "squats", "sets": 3, "reps": 12, "time": "07:30"}),
        ("atlas__log_workout", {"exercise": "run", "duration_minutes": 25.0}),
    ]
    squats, run = (result["data"] for result in turn.results)
    assert squats["logged"]["exercise"] == "Bodyweight squat"
    assert datetime.fromisoformat(squats["logged"]["time"]) == at(7, 30)
    assert datetime.fromisoformat(run["logged"]["time"]) == START
    assert run["today"] == {"reps": 36, "active_minutes": 25.0, "workouts": 2}
    assert turn.speech == (
        "Logged 3 sets of 12 bodyweight squats and 25 minutes of running. That's 2 workouts today."
    )
    assert value(hass, REPS) == "36"
    assert value(hass, MINUTES) == "25.0"
    assert value(hass, COUNT) == "2"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"exercise": "pushups", "reps": "many"}, "reps"),
        ({"exercise": "pushups", "reps": 0}, "reps"),
        ({"reps": 20}, "exercise"),
        ({"exercise": "plank"}, "give the reps or the duration_minutes"),
        ({"exercise": "pushups", "reps": 5, "time": "soonish"}, "not an ISO date-time"),
        ({"exercise": "pushups", "reps": 5, "time": "2026-05-05T08:00"}, "in the future"),
        ({"exercise": "pushups", "reps": 5, "colour": "red"}, "colour"),
    ],
)
async def test_bad_log_arguments_are_clear_errors_for_the_model(
    hass: HomeAssistant, scripted: ScriptedLLM, arguments: dict[str, Any], message: str
) -> None:
    await setup_atlas(hass, scripted.port)
    await ask(hass, scripted, "Log it", call("log_workout", **arguments))
    (result,) = tool_results(scripted)
    assert result["error"] is True
    assert message in result["data"]["error_text"]
    assert value(hass, COUNT) == "0"


async def test_workout_status_compares_today_with_the_goals(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port, options={CONF_GOAL_REPS: 100, CONF_GOAL_MINUTES: 30})
    await log(hass, exercise="Push-ups", reps=20, sets=2)
    await log(hass, exercise="Yoga", duration_minutes=10)
    await move_to(hass, freezer, at(14))  # half of the active day (7:00 to 21:00) has passed

    turn = await skill_turn(hass, scripted, "Am I on track today?", ["workout_status"])

    assert turn.turn["intent"] == "workout_status"
    assert turn.calls == [("atlas__workout_status", {"period": "today"})]
    (result,) = turn.results
    status = result["data"]
    assert status["today"] == {"reps": 40, "active_minutes": 10.0, "workouts": 2}
    assert status["goals"] == {"reps": 100, "minutes": 30}
    assert status["remaining"] == {"reps": 60.0, "minutes": 20.0}
    assert status["goals_met"] == {"reps": False, "minutes": False}
    assert status["on_track"] is False  # 40% and 33% done at 50% of the day
    assert status["streak_days"] == 1
    assert status["summary"] == (
        "So far today: 40 of 100 reps and 10 of 30 active minutes; 60 reps and 20 minutes to "
        "go. You're behind pace."
    )
    # Said: what was done, then the goals.
    assert (
        turn.speech
        == status["spoken"]
        == (f"Today, 2 workouts: 2 sets of 20 push-ups and 10 minutes of yoga. {status['summary']}")
    )

    await log(hass, exercise="Squats", reps=60)
    await log(hass, exercise="Walk", duration_minutes=25)
    turn = await skill_turn(hass, scripted, "Am I on track now?", ["workout_status"])
    (result,) = turn.results
    assert result["data"]["goals_met"] == {"reps": True, "minutes": True}
    assert result["data"]["on_track"] is True
    assert result["data"]["summary"] == (
        "You've hit today's goals: 100 of 100 reps and 35 of 30 active minutes."
    )
    assert turn.speech.endswith(result["data"]["summary"])
    assert turn.speech.startswith("Today, 4 workouts: push-ups, yoga, bodyweight squats and ")
    assert scripted.requests == []


async def test_no_goals_set(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    entry = await setup_atlas(
        hass, scripted.port, options={CONF_GOAL_REPS: 0, CONF_GOAL_MINUTES: 0}
    )
    await log(hass, exercise="Burpees", reps=10)
    status = entry.runtime_data.skills.workouts.status()
    assert status["goals"] == {}
    assert status["on_track"] is None
    assert status["summary"] == (
        "Today: 1 workout, 10 reps and 0 active minutes. No daily goals are set."
    )


# --- logs in people's words ---------------------------------------------------------------------


async def test_a_run_with_its_distance_and_time(
    hass: HomeAssistant, scripted: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_atlas(hass, scripted.port)

    turn = await skill_turn(hass, scripted, "I ran 5k in 28 minutes", ["log_workout"])

    assert turn.calls == [("atlas__log_workout", {
        "exercise": "run", "distance": 5.0, "distance_unit": "km", "duration_minutes": 28.0,
    })]  # fmt: skip
    logged = turn.results[0]["data"]["logged"]
    assert (logged["exercise"], logged["distance"], logged["distance_unit"]) == ("running", 5, "km")
    assert logged["reps"] is None  # a distance is never reps of "k"
    assert turn.speech == "Logged a 5 kilometre run in 28 minutes. That's 1 workout today."
    stored = hass_storage[storage_key(entry.entry_id)]["data"]["workouts"][0]
    assert (stored["distance"], stored["distance_unit"]) == (5.0, "km")
    await restart(hass, entry)
    (workout,) = entry.runtime_data.skills.workouts.workouts
    assert (workout.distance_km, workout.kind) == (5.0, "running")


async def test_a_class_is_logged_without_a_count(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)

    turn = await skill_turn(hass, scripted, "I did a spin class", ["log_workout"])

    assert turn.calls == [("atlas__log_workout", {"exercise": "spin"})]
    logged = turn.results[0]["data"]["logged"]
    assert (logged["exercise"], logged["reps"], logged["duration_minutes"]) == ("spin", None, None)
    assert turn.speech == "Logged your spin class. That's 1 workout today."
    assert "reps" not in turn.speech
    assert value(hass, COUNT) == "1"


async def test_two_activities_in_one_sentence(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)

    turn = await skill_turn(
        hass,
        scripted,
        "I did 20 minutes on the bike and then 3 sets of 10 pull ups",
        ["log_workout", "log_workout"],
    )

    assert turn.calls == [
        ("atlas__log_workout", {"exercise": "bike", "duration_minutes": 20.0}),
        ("atlas__log_workout", {"exercise": "pull ups", "sets": 3, "reps": 10}),
    ]
    assert [r["data"]["logged"]["exercise"] for r in turn.results] == ["cycling", "pull ups"]
    assert turn.speech == (
        "Logged 20 minutes of cycling and 3 sets of 10 pull ups. That's 2 workouts today."
    )
    assert value(hass, REPS) == "30"
    assert value(hass, MINUTES) == "20.0"


async def test_a_run_yesterday_is_logged_on_yesterday(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)

    turn = await skill_turn(hass, scripted, "I ran 10k yesterday", ["log_workout"])

    assert turn.calls[0][1]["time"] == "yesterday"
    (workout,) = entry.runtime_data.skills.workouts.workouts
    assert workout.time == at(12, days=-1)
    assert turn.speech == "Logged a 10 kilometre run yesterday."
    assert value(hass, COUNT) == "0"
    assert value(hass, STREAK) == "1"


async def test_an_invalid_log_is_said_as_a_person_would(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)

    turn = await skill_turn(hass, scripted, "Log 20000 pushups", ["log_workout"])

    (result,) = turn.results
    assert result["error"] is True
    assert result["data"]["message"] == "I can only log up to 10,000 reps at a time."
    assert "at most 10000" in result["data"]["error_text"]  # the details, for a model
    assert turn.speech == "I can only log up to 10,000 reps at a time."
    assert value(hass, COUNT) == "0"

    turn = await skill_turn(hass, scripted, "Log my plank", ["log_workout"])
    assert turn.speech == "How many reps or minutes of forearm plank did you do?"


# --- status for a period ------------------------------------------------------------------------


async def seed_week(hass: HomeAssistant, entry: Any, freezer: FrozenDateTimeFactory) -> None:
    """The workouts of Sunday to Tuesday (a 3-day streak), and Wednesday morning now."""
    log = entry.runtime_data.skills.workouts
    await log.async_log("cycling", duration_minutes=40, when=at(17, 30, days=-1))
    await log.async_log("running", distance=5, distance_unit="km", duration_minutes=28,
                        when=at(7))  # fmt: skip
    await move_to(hass, freezer, at(9, 30, days=2))
    await log.async_log("push-ups", sets=3, reps=12, when=at(7, 30, days=1))
    await log.async_log("yoga", duration_minutes=30, when=at(18, 30, days=1))


async def test_status_answers_the_period_asked(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    await seed_week(hass, entry, freezer)

    week = await skill_turn(
        hass, scripted, "How many workouts have I done this week", ["workout_status"]
    )
    assert week.calls == [("atlas__workout_status", {"period": "week"})]
    data = week.results[0]["data"]
    assert (data["from"], data["to"]) == ("2026-05-04", "2026-05-06")  # Monday to today
    assert data["totals"] == {"workouts": 3, "active_minutes": 58.0, "distance_km": 5.0,
                              "reps": 36, "days": 2}  # fmt: skip
    assert week.speech == (  # each with its day, and the sets of a counted move added up
        "Since Monday, 3 workouts: a 5 kilometre run in 28 minutes on Monday, 3 sets of 12 "
        "push-ups yesterday, 36 in all and 30 minutes of yoga yesterday."
    )

    streak = await skill_turn(hass, scripted, "What's my streak?", ["workout_status"])
    assert streak.calls == [("atlas__workout_status", {"period": "streak"})]
    assert streak.results[0]["data"]["streak_days"] == 3
    assert streak.results[0]["data"]["since"] == "2026-05-03"
    assert streak.speech == "You're on a 3-day streak, up to yesterday. A workout today makes it 4."

    run = await skill_turn(hass, scripted, "How far have I run this month?", ["workout_status"])
    assert run.calls == [("atlas__workout_status", {"period": "month", "types": ["running"]})]
    assert run.results[0]["data"]["totals"]["distance_km"] == 5.0
    assert run.speech == "This month, 1 run: a 5 kilometre run in 28 minutes on Monday."

    total = await skill_turn(hass, scripted, "How much have I done in total?", ["workout_status"])
    assert total.results[0]["data"]["totals"]["workouts"] == 4
    assert total.speech == (
        "In total, 4 workouts on 3 days: cycling, running, push-ups and yoga; 98 active "
        "minutes, 5 kilometres and 36 reps."
    )

    today = await skill_turn(hass, scripted, "Have I worked out today?", ["workout_status"])
    assert today.results[0]["data"]["today"]["workouts"] == 0
    assert today.results[0]["data"]["summary"].endswith("Streak: 3 days.")
    assert today.speech == (
        "No workouts logged yet today. Today's goals: 100 reps and 30 active minutes. A workout "
        "today keeps your 3-day streak going."
    )
    assert scripted.requests == []


async def test_a_us_week_starts_on_sunday(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    hass.config.country = "US"
    entry = await setup_atlas(hass, scripted.port)
    await seed_week(hass, entry, freezer)
    status = entry.runtime_data.skills.workouts.status(period="week")
    assert status["from"] == "2026-05-03"
    assert status["summary"] == (
        "Since Sunday, 4 workouts on 3 days: cycling, running, push-ups and yoga; 98 active "
        "minutes, 5 kilometres and 36 reps."
    )
    nothing = entry.runtime_data.skills.workouts.status(period="week", types=("swimming",))
    assert nothing["summary"] == "No swims logged since Sunday yet."


async def test_the_streak_when_broken_or_done_today(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    log = entry.runtime_data.skills.workouts
    assert log.status(period="streak")["summary"] == "No workouts logged yet, so no streak."
    await log.async_log("yoga", duration_minutes=20, when=at(8, days=-3))
    assert log.status(period="streak")["summary"] == (
        "No streak right now: your last workout was on Friday."
    )
    await log.async_log("yoga", duration_minutes=20)
    streak = log.status(period="streak")
    assert (streak["streak_days"], streak["today_done"]) == (1, True)
    assert streak["summary"] == "You're on a 1-day streak, today included."


# --- sensors, midnight and the streak ----------------------------------------------------------


async def test_sensors_are_on_a_workouts_device(
    hass: HomeAssistant, scripted: ScriptedLLM, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    sensors = {
        e.entity_id: e
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.domain == "sensor" and "workouts" in e.entity_id
    }
    assert set(sensors) == {
        REPS,
        MINUTES,
        COUNT,
        STREAK,
        "sensor.atlas_workouts_next_planned_workout",
    }
    assert sensors[REPS].unique_id == f"{entry.entry_id}_reps_today"
    assert len({e.device_id for e in sensors.values()}) == 1
    minutes = hass.states.get(MINUTES)
    assert minutes is not None
    assert minutes.attributes["device_class"] == "duration"
    assert minutes.attributes["unit_of_measurement"] == "min"
    assert minutes.attributes["state_class"] == "total_increasing"
    assert value(hass, REPS) == "0"


async def test_streak_is_a_duration_in_days(
    hass: HomeAssistant, scripted: ScriptedLLM, entity_registry: er.EntityRegistry
) -> None:
    """The streak is described as HA core describes one (a total duration in days)."""
    entry = await setup_atlas(hass, scripted.port)
    await log(hass, exercise="Push-ups", reps=10)
    streak = hass.states.get(STREAK)
    assert streak is not None
    assert streak.state == "1"
    assert streak.attributes["device_class"] == "duration"
    assert streak.attributes["unit_of_measurement"] == "d"
    assert streak.attributes["state_class"] == "total"
    assert "last_reset" not in streak.attributes
    registered = entity_registry.async_get(STREAK)
    assert registered is not None
    assert registered.config_entry_id == entry.entry_id
    assert registered.original_device_class == "duration"
    assert registered.entity_category is None  # the workout sensors are primary entities
    assert registered.translation_key == "workout_streak"


async def test_midnight_starts_a_new_day_and_the_streak_runs_in_local_days(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    # 23:30 in Berlin is 21:30 UTC: still Monday for the user.
    await move_to(hass, freezer, at(23, 30))
    await log(hass, exercise="Plank", duration_minutes=5)
    assert value(hass, MINUTES) == "5.0"
    assert value(hass, STREAK) == "1"

    await move_to(hass, freezer, at(0, 0, days=1) + timedelta(seconds=1))
    assert value(hass, MINUTES) == "0.0"
    assert value(hass, COUNT) == "0"
    assert value(hass, STREAK) == "1"  # alive until Tuesday ends without a workout

    await log(hass, exercise="Lunges", reps=10, time=at(0, 0, days=1).isoformat())
    assert value(hass, STREAK) == "2"

    await move_to(hass, freezer, at(0, 0, days=2) + timedelta(seconds=1))  # Wednesday
    assert value(hass, STREAK) == "2"
    await move_to(hass, freezer, at(0, 0, days=3) + timedelta(seconds=1))  # Thursday
    assert value(hass, STREAK) == "0"  # Wednesday had none


# --- persistence -------------------------------------------------------------------------------


async def test_log_survives_a_restart(
    hass: HomeAssistant, scripted: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    await log(hass, exercise="Pushups", reps=15)
    stored = hass_storage[storage_key(entry.entry_id)]
    assert stored["version"] == 1
    assert stored["data"]["workouts"][0]["exercise"] == "Push-up"

    await restart(hass, entry)

    assert value(hass, REPS) == "15"
    assert [w.exercise for w in entry.runtime_data.skills.workouts.workouts] == ["Push-up"]


async def test_stored_log_is_read_at_start(
    hass: HomeAssistant, scripted: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = box_entry(scripted.port)
    days = [at(8, days=-d).astimezone(ZoneInfo("UTC")).isoformat() for d in (3, 2, 1, 0)]
    hass_storage[storage_key(entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key(entry.entry_id),
        "data": {
            "workouts": [
                {
                    "id": str(i),
                    "exercise": "Squat",
                    "time": t,
                    "reps": 10,
                    "sets": 2,
                    "duration_minutes": None,
                }
                for i, t in enumerate(days)
            ]
        },
    }
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert value(hass, REPS) == "20"
    assert value(hass, STREAK) == "4"


# --- the action --------------------------------------------------------------------------------


async def test_log_workout_action(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    entry = await setup_atlas(hass, scripted.port)
    logged = async_capture_events(hass, EVENT_WORKOUT_LOGGED)

    response = await log(
        hass,
        config_entry_id=entry.entry_id,
        exercise="Running",
        duration_minutes=30,
        time="2026-05-04 07:00:00",
    )

    assert response["workout"]["exercise"] == "Running"
    assert response["workout"]["duration_minutes"] == 30.0
    assert datetime.fromisoformat(response["workout"]["time"]) == at(7)
    assert logged[0].data["entry_id"] == entry.entry_id
    assert value(hass, MINUTES) == "30.0"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"exercise": "Plank"}, "nothing_to_log"),
        ({"exercise": "   ", "reps": 3}, "empty_exercise"),
        ({"exercise": "Plank", "reps": 3, "time": "2026-05-04 18:00:00"}, "workout_in_future"),
        (
            {"exercise": "Plank", "reps": 3, "config_entry_id": "nope"},
            "service_config_entry_not_found",
        ),
    ],
)
async def test_log_workout_action_errors_are_translated(
    hass: HomeAssistant, scripted: ScriptedLLM, data: dict[str, Any], key: str
) -> None:
    await setup_atlas(hass, scripted.port)
    with pytest.raises(ServiceValidationError) as err:
        await log(hass, **data)
    assert err.value.translation_key == key
    assert str(err.value)  # the translated message


# --- options -----------------------------------------------------------------------------------


async def test_goals_come_from_the_options_flow(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    entry = await setup_atlas(hass, scripted.port)
    assert entry.runtime_data.skills.workouts.goals.reps == 100  # the default

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    suggested = {
        str(key): key.description["suggested_value"]
        for key in form_schema(result).schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested[CONF_GOAL_REPS] == 100
    assert suggested[CONF_GOAL_MINUTES] == 30
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_GOAL_REPS: 50, CONF_GOAL_MINUTES: 20}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads with its new options

    assert entry.options[CONF_GOAL_REPS] == 50
    assert entry.runtime_data.skills.workouts.goals.reps == 50
    assert entry.runtime_data.skills.workouts.goals.minutes == 20


async def test_translations_and_action_description(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    prefix = f"component.{DOMAIN}"
    entity = await async_get_translations(hass, "en", "entity", [DOMAIN])
    for key in (
        "reps_today",
        "active_minutes_today",
        "workouts_today",
        "workout_streak",
        "next_workout",
    ):
        assert f"{prefix}.entity.sensor.{key}.name" in entity
    exceptions = await async_get_translations(hass, "en", "exceptions", [DOMAIN])
    for key in ("empty_exercise", "nothing_to_log", "workout_in_future", "invalid_time"):
        assert f"{prefix}.exceptions.{key}.message" in exceptions
    options = await async_get_translations(hass, "en", "options", [DOMAIN])
    for key in (
        "goal_reps",
        "goal_minutes",
        "height_cm",
        "weight_kg",
        "body_battery_entity",
        "training_readiness_entity",
        "hrv_status_entity",
        "sleep_score_entity",
        "resting_heart_rate_entity",
    ):
        assert f"{prefix}.options.step.init.data.{key}" in options
        assert f"{prefix}.options.step.init.data_description.{key}" in options
    services = await async_get_translations(hass, "en", "services", [DOMAIN])
    action = f"{prefix}.services.log_workout"
    assert services[f"{action}.name"] == "Log workout"
    described = yaml.safe_load(SERVICES_YAML.read_text())["log_workout"]["fields"]
    assert set(described) == {
        "config_entry_id",
        "exercise",
        "reps",
        "sets",
        "duration_minutes",
        "time",
    }
    for field in described:
        assert f"{action}.fields.{field}.name" in services
        assert f"{action}.fields.{field}.description" in services
