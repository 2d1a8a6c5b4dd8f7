"""Quick answers: the ``calculate`` tool through the agent loop, and ``quick_answer``
(answers given without the LLM when the structured pass already has what it needs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.atlas.agent.calculations import ASK_BODY, BAD_HEIGHT, BAD_TIME, BAD_WEIGHT
from custom_components.atlas.agent.structured import Extraction
from custom_components.atlas.const import EVENT_TURN
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
from .scripted_llm import Reply, ScriptedLLM, is_structured_pass, is_warm_up
from .test_agent import converse
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
    assert spoken(entry, quick, "What time is it?") == "It's 9 AM."  # English: 12-hour
    assert spoken(entry, quick, "What day is it today?") == ("Today is Monday 4 May 2026.")
    assert spoken(entry, quick, "What's the date?") == ("Today is Monday 4 May 2026.")
    assert spoken(entry, quick, "What's the date tomorrow?") == "Tomorrow is Tuesday 5 May."
    assert spoken(entry, quick, "what date is next monday") == "Next Monday is 11 May."
    assert spoken(entry, quick, "how many days till the weekend") == "The weekend is in 5 days."
    assert spoken(entry, quick, "Tell me a joke") is None
    assert scripted.requests == []  # the LLM was never asked
    await hass.config.async_update(language="de")  # a 24-hour locale
    assert spoken(entry, quick, "What time is it?") == "It's 09:00."


async def test_bmi_from_the_words_or_the_options(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    quick = extraction("quick_answer")
    assert spoken(entry, quick, "What's my BMI?") == ASK_BODY
    assert spoken(entry, quick, "My BMI at 170 cm and 80 kg?") == (
        "At 170 centimetres and 80 kilograms your BMI is 27.7, which counts as overweight."
    )
    entry = await setup_atlas(hass, scripted.port, options=BODY)
    assert spoken(entry, quick, "what's my body mass index") == (
        "At 180 centimetres and 75.5 kilograms your BMI is 23.3, which counts as a healthy weight."
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

    await ask(hass, scripted, "Plan tomorrow evening")  # the rules and skills plan it directly
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
        "You're behind pace. Next reminder: Stretch, today at 5:30 PM. Recovery is low."
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


# --- whole turns: conversation.async_converse, answered without the model ---------------------

QUICK: dict[str, Any] = {"intent": "quick_answer", "day": None, "time_of_day": None, "types": [],
         "injury": None, "data_source": None, "confidence": 0.9}  # fmt: skip


@dataclass
class QuickTurn:
    """A turn that ``quick_answer`` answered: what was said and whether HA keeps listening."""

    speech: str
    continues: bool


async def quick_turn(hass: HomeAssistant, scripted: ScriptedLLM, text: str) -> QuickTurn:
    """One turn through ``conversation.async_converse`` that must be understood as a quick
    answer and answered by ATLAS's own code: no model request writes the reply (a structured
    pass may run where the rules do not know the phrasing; it says ``quick_answer``)."""
    scripted.extraction = dict(QUICK)
    scripted.replies = [Reply(content="The model should not have answered.")]
    before = len(scripted.requests)
    turns = async_capture_events(hass, EVENT_TURN)
    result = await converse(hass, text)
    answers = [r for r in scripted.requests[before:] if not is_structured_pass(r)]
    assert [r for r in answers if not is_warm_up(r)] == []
    (turn,) = turns
    assert turn.data["intent"] == "quick_answer"
    assert turn.data["answered_by"] == "skill"
    assert turn.data["error"] is None
    return QuickTurn(
        str(result.response.speech["plain"]["speech"]).strip(), result.continue_conversation
    )


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("i'm one eighty centimetres and seventy five kilos what's my bmi",
         "At 180 centimetres and 75 kilograms your BMI is 23.1, which counts as a healthy weight."),
        ("bmi for 6 foot 2 and 180 pounds",
         "At 6 feet 2 inches and 180 pounds your BMI is 23.1, which counts as a healthy weight."),
        ("what is my bmi at 1.8 m 75 kg",
         "At 1.8 metres and 75 kilograms your BMI is 23.1, which counts as a healthy weight."),
        ("what's fifteen percent of eighty", "15 percent of 80 is 12."),
        ("what's 20% of 45", "20 percent of 45 is 9."),
        ("whats twenty percent off of forty five dollars",
         "$45 with 20 percent off is $36, a saving of $9."),
        ("how many miles is ten k", "10 kilometres is 6.21 miles."),
        ("convert 5 miles to km", "5 miles is 8.05 kilometres."),
        ("how many pounds is 70 kg", "70 kilograms is 154.3 pounds."),
        ("what's 180 cm in feet and inches", "180 centimetres is 5 feet 11 inches."),
        ("convert seventy two fahrenheit to celsius",
         "72 degrees Fahrenheit is 22.2 degrees Celsius."),
        ("how many calories does a thirty minute run burn for someone who weighs 70 kg",
         "30 minutes of running burns about 343 calories."),
        ("i ran five k in twenty five minutes what pace is that",
         "That's 5 minutes per kilometre, or 12 kilometres per hour."),
        ("what pace is 3 miles in 27 minutes", "That's 9 minutes per mile, or 6.7 miles per hour."),
        # Frozen on Monday 4 May 2026, 09:00 in Berlin.
        ("what time is it", "It's 9 AM."),
        ("how many days until saturday", "Saturday is in 5 days."),
        ("what's the date on saturday", "Saturday is 9 May."),
        ("what's the date today", "Today is Monday 4 May 2026."),
    ],
)  # fmt: skip
async def test_quick_answers_in_a_whole_turn(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, answer: str
) -> None:
    await setup_atlas(hass, scripted.port)
    turn = await quick_turn(hass, scripted, text)
    assert turn.speech == answer
    assert turn.continues is False


async def test_a_missing_height_is_asked_for(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)
    asked = await quick_turn(hass, scripted, "what's my bmi")
    assert asked.speech == ASK_BODY


async def test_the_stored_height_and_weight(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port, options=BODY)
    answered = await quick_turn(hass, scripted, "um what's my bmi")
    assert answered.speech == (
        "At 180 centimetres and 75.5 kilograms your BMI is 23.3, which counts as a healthy weight."
    )
    burned = await quick_turn(hass, scripted, "how many calories does an hour of cycling burn")
    kcal = calories("cycling", 60, BODY[CONF_WEIGHT_KG])
    assert burned.speech == f"An hour of cycling burns about {kcal} calories."


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("what's my bmi at 0 cm and 70 kg", BAD_HEIGHT),
        ("what's my bmi at 180 cm and 0 kg", BAD_WEIGHT),
        ("bmi for 180 cm and 900 kilos", BAD_WEIGHT),
        ("what pace is 5k in 0 minutes", BAD_TIME),
    ],
)
async def test_bad_values_are_plain_sentences(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, answer: str
) -> None:
    await setup_atlas(hass, scripted.port, options=BODY)
    turn = await quick_turn(hass, scripted, text)
    assert turn.speech == answer
    assert "must be" not in turn.speech  # no validation text


async def test_us_customary_units(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await hass.config.async_update(unit_system="us_customary")
    await setup_atlas(hass, scripted.port, options=BODY)
    stored = await quick_turn(hass, scripted, "what's my bmi")
    assert stored.speech == (
        "At 5 feet 11 inches and 166.4 pounds your BMI is 23.3, which counts as a healthy weight."
    )
    # A question asked in kilometres is answered in kilometres.
    paced = await quick_turn(hass, scripted, "what pace is 5k in 25 minutes")
    assert paced.speech == "That's 5 minutes per kilometre, or 12 kilometres per hour."
    # Without a target unit, a metric quantity is said in the other system.
    converted = await quick_turn(hass, scripted, "how much is 70 kg")
    assert converted.speech == "70 kilograms is 154.3 pounds."
