"""Recovery from Garmin Connect's entities (or others mapped in the options): present, missing
and unavailable entities, the level's thresholds, and ``recovery_status`` through the agent."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.atlas.skills.recovery import (
    FALLBACK_NOTE,
    RecoveryReader,
    combine,
    metric_level,
    option_key,
)

from .conftest import form_schema, setup_atlas
from .scripted_llm import ScriptedLLM
from .test_workouts import skill_turn

GARMIN = "sensor.garmin_connect_"


def set_states(hass: HomeAssistant, **states: str) -> None:
    for metric, state in states.items():
        hass.states.async_set(f"{GARMIN}{metric}", state)


async def recovery_status(hass: HomeAssistant, scripted: ScriptedLLM) -> dict[str, Any]:
    """Ask by voice: the rules understand it and the skill answers with its summary, no model."""
    turn = await skill_turn(hass, scripted, "How recovered am I?", ["recovery_status"])
    assert turn.turn["intent"] == "recovery_status"
    assert turn.calls == [("atlas__recovery_status", {})]
    (result,) = turn.results
    assert result["error"] is False
    data: dict[str, Any] = result["data"]
    assert turn.speech.startswith(data["summary"])
    assert scripted.requests == []
    return data


@pytest.mark.parametrize(
    ("metric", "value", "level"),
    [
        ("body_battery", 70.0, "high"),
        ("body_battery", 69.0, "moderate"),
        ("body_battery", 40.0, "moderate"),
        ("body_battery", 39.0, "low"),
        ("training_readiness", 75.0, "high"),
        ("training_readiness", 10.0, "low"),
        ("sleep_score", 80.0, "high"),
        ("sleep_score", 60.0, "moderate"),
        ("sleep_score", 59.0, "low"),
        ("hrv_status", "BALANCED", "high"),
        ("hrv_status", "Unbalanced", "moderate"),
        ("hrv_status", "low", "low"),
        ("hrv_status", "poor", "low"),
        ("hrv_status", "none", None),
        ("resting_heart_rate", 45.0, None),  # reported, not scored
    ],
)
def test_metric_thresholds(metric: str, value: float | str, level: str | None) -> None:
    assert metric_level(metric, value) == level


@pytest.mark.parametrize(
    ("levels", "overall"),
    [
        ([], None),
        (["high"], "high"),
        (["high", "moderate"], "moderate"),  # mean 1.5 is not above 1.5
        (["high", "high", "moderate"], "high"),
        (["high", "high", "high", "low"], "moderate"),
        (["low", "moderate"], "moderate"),
        (["low", "low", "moderate"], "low"),
        (["low"], "low"),
    ],
)
def test_levels_combine_by_their_mean(levels: list[str], overall: str | None) -> None:
    assert combine(levels) == overall


async def test_all_present(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)
    set_states(
        hass,
        body_battery="85",
        training_readiness="78",
        hrv_status="BALANCED",
        sleep_score="88",
        resting_heart_rate="48",
    )

    data = await recovery_status(hass, scripted)

    assert data["level"] == "high"
    assert data["values"] == {
        "body_battery": 85.0,
        "training_readiness": 78.0,
        "hrv_status": "BALANCED",
        "sleep_score": 88.0,
        "resting_heart_rate": 48.0,
    }
    assert data["missing"] == {}
    assert data["unavailable"] == {}
    assert "recovery_note" not in data
    assert data["summary"] == (
        "Recovery is high: body battery 85, training readiness 78, HRV status balanced, "
        "sleep score 88, resting heart rate 48."
    )


async def test_some_missing_and_unavailable(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)
    set_states(
        hass,
        body_battery="30",
        sleep_score="unavailable",
        hrv_status="unknown",
        training_readiness="not a number",
    )

    data = await recovery_status(hass, scripted)

    assert data["level"] == "low"  # from the body battery alone
    assert data["values"] == {"body_battery": 30.0}
    assert data["missing"] == {"resting_heart_rate": f"{GARMIN}resting_heart_rate"}
    assert data["unavailable"] == {
        "sleep_score": f"{GARMIN}sleep_score",
        "hrv_status": f"{GARMIN}hrv_status",
        "training_readiness": f"{GARMIN}training_readiness",
    }
    assert data["recovery_note"] == (
        "Some Garmin data unavailable (resting heart rate, training readiness, HRV status, "
        "sleep score); level from the rest"
    )


async def test_none_present_says_which_and_falls_back(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    set_states(hass, body_battery="unavailable", resting_heart_rate="52")

    data = await recovery_status(hass, scripted)

    assert data["level"] is None  # the resting heart rate alone is not scored
    assert data["values"] == {"resting_heart_rate": 52.0}
    assert set(data["missing"]) == {"training_readiness", "hrv_status", "sleep_score"}
    assert data["unavailable"] == {"body_battery": f"{GARMIN}body_battery"}
    assert data["recovery_note"] == FALLBACK_NOTE
    assert data["summary"].startswith("No Garmin recovery level right now; not available:")
    assert "sleep score" in data["summary"]
    assert "body battery" in data["summary"]


async def test_state_changes_are_read_at_each_call(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    reader = entry.runtime_data.skills.recovery
    assert isinstance(reader, RecoveryReader)
    set_states(hass, body_battery="20")
    assert reader.read().level == "low"
    set_states(hass, body_battery="90")
    assert reader.read().level == "high"
    set_states(hass, body_battery="unavailable")
    assert reader.read().level is None


async def test_mapping_is_edited_in_the_options(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    entry = await setup_atlas(hass, scripted.port)
    hass.states.async_set("sensor.my_readiness", "82")
    hass.states.async_set("sensor.my_sleep", "85")

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    suggested = {
        str(key): key.description["suggested_value"]
        for key in form_schema(result).schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested[option_key("body_battery")] == f"{GARMIN}body_battery"  # Garmin by default
    # The user maps two metrics to other sensors and clears the rest (Garmin's again).
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            option_key("training_readiness"): "sensor.my_readiness",
            option_key("sleep_score"): "sensor.my_sleep",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert option_key("body_battery") not in entry.options

    data = await recovery_status(hass, scripted)

    assert data["level"] == "high"
    assert data["values"] == {"training_readiness": 82.0, "sleep_score": 85.0}
    assert set(data["missing"]) == {"body_battery", "hrv_status", "resting_heart_rate"}
    assert data["missing"]["body_battery"] == f"{GARMIN}body_battery"
