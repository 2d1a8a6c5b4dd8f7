"""Quick answers: the ``calculate`` tool through the agent loop, and ``quick_answer``
(answers given without the LLM when the structured pass already has what it needs)."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.atlas.agent.structured import Extraction
from custom_components.atlas.skills.quick_answers import (
    CONF_HEIGHT_CM,
    CONF_WEIGHT_KG,
    bmi,
    calories,
    pace,
    quick_answer,
)
from custom_components.atlas.skills.workouts import CONF_GOAL_MINUTES, CONF_GOAL_REPS

from .conftest import setup_atlas
from .scripted_llm import ScriptedLLM
from .test_workouts import START, ask, at, call, log, tool_results

BODY = {CONF_HEIGHT_CM: 180, CONF_WEIGHT_KG: 75.5}


@pytest.fixture(autouse=True)
async def berlin_monday_morning(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)


def test_formulas() -> None:
    assert bmi(180, 75.5) == (23.3, "a healthy weight")
    assert bmi(160, 45) == (17.6, "underweight")
    assert bmi(170, 80) == (27.7, "overweight")
    assert bmi(170, 95) == (32.9, "obese")
    assert pace(10, 50) == (5.0, 12.0)
    assert calories("running", 30, 70) == 343  # 9.8 MET x 70 kg x 0.5 h


# --- calculate through the agent loop ----------------------------------------------------------


async def calculate(hass: HomeAssistant, scripted: ScriptedLLM, **arguments: Any) -> Any:
    await ask(hass, scripted, "Calculate it", call("calculate", **arguments))
    (result,) = tool_results(scripted)
    return result


async def test_bmi_from_the_stored_height_and_weight(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, options=BODY)
    result = await calculate(hass, scripted, kind="bmi")
    assert result["error"] is False
    assert result["data"]["bmi"] == 23.3
    assert result["data"]["summary"] == (
        "At 180 cm and 75.5 kg your BMI is 23.3, which counts as a healthy weight."
    )


async def test_bmi_from_given_values(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port, options=BODY)
    result = await calculate(hass, scripted, kind="bmi", height_cm=170, weight_kg=80)
    assert (result["data"]["bmi"], result["data"]["class"]) == (27.7, "overweight")


async def test_pace_and_calories(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port, options=BODY)
    result = await calculate(hass, scripted, kind="pace", distance_km=5, duration_minutes=27.5)
    assert result["data"]["minutes_per_km"] == 5.5
    assert result["data"]["summary"] == "5 minutes 30 seconds per kilometre, or 10.9 km/h."
    result = await calculate(hass, scripted, kind="calories", activity="yoga", duration_minutes=60)
    assert result["data"]["kcal"] == 189  # 2.5 MET x 75.5 kg x 1 h


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "bmi"}, "bmi needs height_cm, weight_kg (or set them in the ATLAS options)"),
        ({"kind": "pace", "distance_km": 5}, "pace needs duration_minutes"),
        ({"kind": "pace", "distance_km": 0, "duration_minutes": 20}, "distance_km"),
        ({"kind": "calories", "duration_minutes": 30}, "calories needs activity"),
        ({"kind": "calories", "duration_minutes": 30, "activity": "chess"}, "activity"),
        ({"kind": "horoscope"}, "kind"),
        ({"kind": "bmi", "height_cm": "tall", "weight_kg": 70}, "height_cm"),
    ],
)
async def test_bad_calculate_arguments_are_clear_errors_for_the_model(
    hass: HomeAssistant, scripted: ScriptedLLM, arguments: dict[str, Any], message: str
) -> None:
    await setup_atlas(hass, scripted.port)  # no stored height or weight
    result = await calculate(hass, scripted, **arguments)
    assert result["error"] is True
    assert message in result["data"]["error_text"]


# --- answers without the LLM -------------------------------------------------------------------


def extraction(intent: str, confidence: float = 0.9, *, valid: bool = True) -> Extraction:
    return Extraction(intent, {}, confidence, valid)


def spoken(entry: MockConfigEntry, understood: Extraction, text: str) -> str | None:
    """The entry's quick answer to ``text``, understood as ``understood``."""
    return quick_answer(entry.runtime_data.skills, entry.options, understood, text)


async def test_time_and_date(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    entry = await setup_atlas(hass, scripted.port)
    quick = extraction("quick_answer")
    assert spoken(entry, quick, "What time is it?") == "It's 09:00."
    assert spoken(entry, quick, "What day is it today?") == ("Today is Monday 4 May 2026.")
    assert spoken(entry, quick, "What's the date?") == ("Today is Monday 4 May 2026.")
    assert spoken(entry, quick, "Tell me a joke") is None
    assert scripted.requests == []  # the LLM was never asked


async def test_bmi_only_when_height_and_weight_are_known(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    quick = extraction("quick_answer")
    assert spoken(entry, quick, "What's my BMI?") is None
    assert spoken(entry, quick, "My BMI at 170 cm and 80 kg?") == (
        "At 170 cm and 80 kg your BMI is 27.7, which counts as overweight."
    )
    entry = await setup_atlas(hass, scripted.port, options=BODY)
    assert spoken(entry, quick, "what's my body mass index") == (
        "At 180 cm and 75.5 kg your BMI is 23.3, which counts as a healthy weight."
    )


async def test_workout_status_and_next_workout(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    entry = await setup_atlas(
        hass, scripted.port, options={CONF_GOAL_REPS: 50, CONF_GOAL_MINUTES: 0}
    )
    await log(hass, exercise="Pushups", reps=20)
    assert spoken(entry, extraction("workout_status"), "On track?") == (
        "So far today: 20 of 50 reps; 30 reps to go. You're on track."
    )
    answer = spoken(entry, extraction("next_workout"), "Next workout?")
    assert answer == "No workout is planned yet. Ask me to prepare one."

    await ask(
        hass,
        scripted,
        "Plan tomorrow",
        call("prepare_workout", day="tomorrow", time_of_day="evening", types=["yoga"]),
    )
    answer = spoken(entry, extraction("next_workout"), "Next workout?")
    assert answer is not None
    assert answer.startswith("Tomorrow evening: about")


async def test_status_summary_with_reminders_and_recovery(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    quick = extraction("quick_answer")
    assert spoken(entry, quick, "Give me a status summary") == (
        "So far today: 0 of 100 reps and 0 of 30 active minutes; 100 reps and 30 minutes to go. "
        "You're behind pace. No recovery data from Garmin."
    )

    hass.states.async_set("sensor.garmin_connect_body_battery", "35")
    reminders = entry.runtime_data.skills.reminders
    assert reminders is not None
    await reminders.async_create("Stretch", at(17, 30))
    await log(hass, exercise="Squats", reps=100)
    assert spoken(entry, quick, "what's my status") == (
        "So far today: 100 of 100 reps and 0 of 30 active minutes; 30 minutes to go. "
        "You're behind pace. Next reminder: Stretch, today at 17:30. Recovery is low."
    )


@pytest.mark.parametrize(
    "understood",
    [
        extraction("workout_status", confidence=0.3),  # not sure enough
        extraction("workout_status", valid=False),
        extraction("chat"),
        extraction("prepare_workout"),
        extraction("log_workout"),
    ],
)
async def test_left_to_the_llm(
    hass: HomeAssistant, scripted: ScriptedLLM, understood: Extraction
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    assert spoken(entry, understood, "What time is it?") is None
