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
    # Said from the tool's result (the library's name, today's count), however it is worded.
    assert turn.speech.startswith("Logged push-up, 20 reps.")
    assert turn.speech.endswith("That's 1 workout today.")
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
    assert squats.speech.startswith("Logged bodyweight squat, 3 sets of 12.")
    assert squats.speech.endswith("That's 1 workout today.")
    assert run.calls == [("atlas__log_workout", {"duration_minutes": 25.0, "exercise": "running"})]
    assert run.results[0]["data"]["today"] == {"reps": 36, "active_minutes": 25.0, "workouts": 2}
    assert run.results[0]["data"]["logged"]["duration_minutes"] == 25.0
    assert run.speech.lower() == "logged running, 25 minutes. that's 2 workouts today."
    assert scripted.requests == []
    assert value(hass, REPS) == "36"
    assert value(hass, MINUTES) == "25.0"
    assert value(hass, COUNT) == "2"


async def test_log_sets_duration_and_an_earlier_time(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    """Two workouts and a clock time in one sentence: the rules are unsure, so the structured
    pass runs and the model picks the tools' arguments."""
    await setup_atlas(hass, scripted.port)
    turns = async_capture_events(hass, EVENT_TURN)
    await ask(
        hass,
        scripted,
        "Earlier at 7:30 I did 3 sets of 12 squats, and later ran 25 minutes",
        call("log_workout", "c1", exercise="squats", reps=12, sets=3, time="07:30"),
        call("log_workout", "c2", exercise="running", duration_minutes=25),
    )
    (turn,) = turns
    assert (turn.data["understood_by"], turn.data["answered_by"]) == ("llm", "llm")
    assert turn.data["tools"] == ["atlas__log_workout", "atlas__log_workout"]
    assert len(scripted.requests) - len(scripted.chat_requests) == 1  # the structured pass
    squats, run = tool_results(scripted)
    assert squats["data"]["logged"]["exercise"] == "Bodyweight squat"
    assert datetime.fromisoformat(squats["data"]["logged"]["time"]) == at(7, 30)
    assert run["data"]["today"] == {"reps": 36, "active_minutes": 25.0, "workouts": 2}
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
    assert turn.calls == [("atlas__workout_status", {})]
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
    assert turn.speech == status["summary"]

    await log(hass, exercise="Squats", reps=60)
    await log(hass, exercise="Walk", duration_minutes=25)
    turn = await skill_turn(hass, scripted, "Am I on track now?", ["workout_status"])
    (result,) = turn.results
    assert result["data"]["goals_met"] == {"reps": True, "minutes": True}
    assert result["data"]["on_track"] is True
    assert result["data"]["summary"] == (
        "You've hit today's goals: 100 of 100 reps and 35 of 30 active minutes."
    )
    assert turn.speech == result["data"]["summary"]
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
        "Today: 1 workouts, 10 reps and 0 active minutes. No daily goals are set."
    )


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
