"""Workout plans: the builder's rules for every injury by type by recovery combination (and
random ones), ``validate_plan``, and the ``prepare_workout``/``next_workout`` tools through the
agent loop with plans saved in a Store."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.atlas.agent.structured import BODY_PARTS, WORKOUT_TYPES
from custom_components.atlas.const import EVENT_TURN
from custom_components.atlas.skills.api import ATLAS_API_ID, SkillError
from custom_components.atlas.skills.exercises import (
    EXERCISES,
    HARD,
    LIBRARY,
    PHASES,
    SUPPORTED_TYPES,
    check_library,
    find_exercise,
)
from custom_components.atlas.skills.plans import (
    Block,
    Plan,
    PlanError,
    PlanItem,
    build_plan,
    day_phrase,
    resolve_day,
    speak_plan,
    speak_plan_briefly,
    storage_key,
    validate_plan,
)
from custom_components.atlas.skills.recovery import FALLBACK_NOTE, LEVELS

from .conftest import box_entry, move_to, restart, setup_atlas
from .scripted_llm import ScriptedLLM
from .test_agent import MORNING
from .test_workouts import (
    START,
    ask,
    at,
    call,
    skill_turn,
    tool_results,
    value,
)

MONDAY = START.date()
NEXT = "sensor.atlas_workouts_next_planned_workout"
GARMIN_HIGH = {
    "sensor.garmin_connect_body_battery": "85",
    "sensor.garmin_connect_training_readiness": "78",
    "sensor.garmin_connect_hrv_status": "BALANCED",
    "sensor.garmin_connect_sleep_score": "88",
    "sensor.garmin_connect_resting_heart_rate": "48",
}


@pytest.fixture(autouse=True)
async def berlin_monday_morning(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)


# --- the builder's rules -----------------------------------------------------------------------


def assert_follows_the_rules(
    plan: Plan, injuries: set[str], types: tuple[str, ...], recovery: str
) -> None:
    """What every plan must be, whatever it was asked for."""
    validate_plan(plan)
    assert tuple(block.phase for block in plan.blocks) == PHASES  # warm-up → main → cool-down
    assert all(block.items for block in plan.blocks)
    for block in plan.blocks:
        for item in block.items:
            exercise = EXERCISES[item.key]
            assert not exercise.loads & injuries, (item.name, injuries)
            assert recovery != "low" or exercise.intensity < HARD, item.name
            assert block.phase in exercise.phases
            assert item.sets >= 1
            assert (item.reps or 0) > 0 or (item.seconds or 0) > 0
    main = plan.blocks[1].items
    for kind in types:
        honoured = any(kind in EXERCISES[item.key].types for item in main)
        noted = any(note.startswith(f"No {kind} exercise") for note in plan.notes)
        assert honoured != noted, (kind, plan.notes)
    assert plan.recovery == recovery
    assert Plan.from_dict(plan.as_dict()) == plan


def test_library() -> None:
    check_library()
    assert SUPPORTED_TYPES == WORKOUT_TYPES  # a plan for every type the understanding extracts
    assert 40 <= len(LIBRARY) <= 90
    for phase in PHASES:  # a gentle exercise always remains, whatever the injury
        assert any(phase in e.phases and not e.loads and e.intensity == 1 for e in LIBRARY)
    assert find_exercise("pushups") is EXERCISES["push_up"]
    assert find_exercise("Mountain climbers") is EXERCISES["mountain_climber"]
    assert find_exercise("underwater basket weaving") is None


def test_every_injury_type_and_recovery_combination() -> None:
    """Exhaustive: one injury (or none) by up to two types by the three recovery levels."""
    type_sets = [c for size in range(3) for c in itertools.combinations(SUPPORTED_TYPES, size)]
    count = 0
    for injury in (None, *BODY_PARTS):
        injuries = {injury} if injury else set()
        for types in type_sets:
            for recovery in LEVELS:
                plan = build_plan(MONDAY, types=types, injuries=injuries, recovery=recovery)
                assert_follows_the_rules(
                    plan, injuries, types or ("calisthenics", "mobility"), recovery
                )
                count += 1
    kinds = len(SUPPORTED_TYPES)
    assert count == 9 * (1 + kinds + kinds * (kinds - 1) // 2) * 3


@settings(max_examples=300, deadline=None)
@given(
    injuries=st.sets(st.sampled_from(BODY_PARTS)),
    types=st.lists(st.sampled_from(SUPPORTED_TYPES), min_size=1, max_size=4, unique=True),
    recovery=st.sampled_from(LEVELS),
    minutes=st.integers(min_value=10, max_value=120),
    time_of_day=st.sampled_from([None, "morning", "afternoon", "evening", "night"]),
)
def test_random_combinations_follow_the_rules(
    injuries: set[str], types: list[str], recovery: str, minutes: int, time_of_day: str | None
) -> None:
    plan = build_plan(
        MONDAY,
        time_of_day=time_of_day,
        types=types,
        injuries=injuries,
        recovery=recovery,
        minutes=minutes,
    )
    assert_follows_the_rules(plan, injuries, tuple(types), recovery)
    opening = {None: "Today:", "morning": "This morning:", "afternoon": "This afternoon:",
               "evening": "This evening:", "night": "Tonight:"}[time_of_day]  # fmt: skip
    assert speak_plan(plan, MONDAY).startswith(opening)
    assert speak_plan_briefly(plan, MONDAY).startswith(opening)


def test_sore_shoulder_swaps_push_ups_and_handstands() -> None:
    plan = build_plan(MONDAY, types=["calisthenics"], injuries=["shoulder"])
    names = {item.name for block in plan.blocks for item in block.items}
    assert not names & {"Push-up", "Pike push-up", "Wall handstand hold", "Arm circles"}
    assert "Glute bridge instead of Push-up to spare your shoulder." in plan.notes
    main = plan.blocks[1].items
    assert any(item.replaces == "Push-up" for item in main)


def test_recovery_scales_volume_and_intensity() -> None:
    plans = {level: build_plan(MONDAY, types=["calisthenics"], recovery=level) for level in LEVELS}
    sets = {level: {i.key: i.sets for i in p.blocks[1].items} for level, p in plans.items()}
    for key in sets["low"].keys() & sets["moderate"].keys() & sets["high"].keys():
        assert sets["low"][key] <= sets["moderate"][key] <= sets["high"][key]
    assert [plans[level].as_dict()["intensity"] for level in LEVELS] == ["easy", "moderate", "hard"]
    assert all(EXERCISES[i.key].intensity < HARD for i in plans["low"].blocks[1].items)
    assert any(EXERCISES[i.key].intensity == HARD for i in plans["high"].blocks[1].items)
    push_up = {
        level: next(i for i in p.blocks[1].items if i.key == "push_up")
        for level, p in plans.items()
    }
    assert (push_up["low"].reps, push_up["moderate"].reps, push_up["high"].reps) == (8, 10, 12)
    assert (push_up["low"].rest_seconds, push_up["high"].rest_seconds) == (60, 30)


def test_running_with_a_sore_knee_becomes_a_walk() -> None:
    plan = build_plan(MONDAY, types=["running"], injuries=["knee"])
    (walk,) = plan.blocks[1].items
    assert (walk.name, walk.replaces, walk.seconds) == ("Brisk walk", "Easy run", 1200)
    summary = speak_plan(plan, MONDAY - timedelta(days=3))
    assert summary.startswith("Monday: about")
    assert "Nothing in it loads your knee." in summary


def test_a_type_no_exercise_can_serve_falls_back_and_says_so() -> None:
    plan = build_plan(MONDAY, types=["walking"], injuries=["ankle", "hip"])
    assert "No walking exercise spares your ankle and hip, so other exercises replace it." in (
        plan.notes
    )
    assert "No walking exercise" in speak_plan(plan, MONDAY)


def test_build_plan_rejects_bad_input() -> None:
    with pytest.raises(PlanError, match="unsupported types"):
        build_plan(MONDAY, types=["rowing"])
    with pytest.raises(PlanError, match="recovery"):
        build_plan(MONDAY, recovery="excellent")
    with pytest.raises(PlanError, match="minutes"):
        build_plan(MONDAY, minutes=5)


@pytest.mark.parametrize("kind", WORKOUT_TYPES)
@pytest.mark.parametrize("minutes", [10, 20, 45, 90, 120])
def test_every_type_fills_the_asked_length(kind: str, minutes: int) -> None:
    for recovery in LEVELS:
        for injuries in ((), ("knee",), ("shoulder",), ("back", "hip")):
            plan = build_plan(MONDAY, types=[kind], injuries=injuries, recovery=recovery,
                              minutes=minutes)  # fmt: skip
            assert_follows_the_rules(plan, set(injuries), (kind,), recovery)
            assert plan.minutes == minutes
            assert abs(plan.estimated_minutes - minutes) <= max(2, 0.2 * minutes), (
                kind, recovery, injuries, plan.estimated_minutes,
            )  # fmt: skip


def test_a_bike_or_a_pool_only_in_their_own_sessions() -> None:
    for kinds in itertools.combinations(SUPPORTED_TYPES, 2):
        for injury in (None, *BODY_PARTS):
            plan = build_plan(MONDAY, types=kinds, injuries=[injury] if injury else [])
            for block in plan.blocks:
                for item in block.items:
                    own = set(EXERCISES[item.key].types)
                    assert not own <= {"cycling", "swimming"} or own & set(kinds), (kinds, item)
    ride = build_plan(MONDAY, types=["cycling"], minutes=45)
    assert ride.blocks[1].items[0].name == "Steady ride"
    assert "Nothing" not in speak_plan(ride, MONDAY)
    swim = build_plan(MONDAY, types=["swimming"], injuries=["shoulder"])
    assert [item.name for item in swim.blocks[1].items][:1] == ["Kick drill, with a float"]


@pytest.mark.parametrize(
    ("day", "time_of_day", "said"),
    [
        (0, None, "Today"), (0, "morning", "This morning"), (0, "afternoon", "This afternoon"),
        (0, "evening", "This evening"), (0, "night", "Tonight"),
        (1, "morning", "Tomorrow morning"), (4, None, "Friday"),
        (15, "evening", "Tuesday May 19 evening"),
    ],
)  # fmt: skip
def test_the_day_is_said_as_people_say_it(day: int, time_of_day: str | None, said: str) -> None:
    assert day_phrase(MONDAY + timedelta(days=day), time_of_day, MONDAY) == said


def test_a_spoken_plan_is_short() -> None:
    """Whatever it holds, a plan is said in about 12 seconds (35 words); the rest is saved."""
    for kinds in [(), *itertools.combinations(SUPPORTED_TYPES, 2)]:
        for injuries in ((), ("shoulder", "knee")):
            plan = build_plan(MONDAY + timedelta(days=9), time_of_day="afternoon", types=kinds,
                              injuries=injuries, minutes=60)  # fmt: skip
            assert len(speak_plan_briefly(plan, MONDAY).split()) <= 37, kinds


def _replace_block(plan: Plan, index: int, block: Block) -> Plan:
    blocks = list(plan.blocks)
    blocks[index] = block
    return replace(plan, blocks=tuple(blocks))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda p: _swap(p, (p.blocks[1], p.blocks[0], p.blocks[2])), "must be warm_up, main"),
        (lambda p: _swap(p, p.blocks[:2]), "must be warm_up, main, cool_down"),
        (lambda p: _replace_block(p, 1, Block("main", ())), "main block is empty"),
        (
            lambda p: _replace_block(p, 1, Block("main", (PlanItem("push_up", "Push-up", 3, 10),))),
            "Push-up is excluded to spare your shoulder",
        ),
        (
            lambda p: _replace_block(p, 1, Block("main", (PlanItem("yoga_flip", "Flip", 1, 1),))),
            "not in the exercise library",
        ),
        (
            lambda p: _replace_block(p, 1, Block("main", (PlanItem("squat", "Bodyweight squat"),))),
            "at least one set of reps or of seconds",
        ),
        (
            lambda p: _replace_block(
                p, 0, Block("warm_up", (PlanItem("squat", "Bodyweight squat", 3, 10),))
            ),
            "does not belong in the warm_up block",
        ),
        (
            lambda p: _replace_block(p, 1, Block("main", (p.blocks[1].items[0],) * 2)),
            "repeats an exercise",
        ),
        (lambda p: _replace_block(p, 1, Block("main", p.blocks[1].items, 0)), "at least one round"),
    ],
)
def test_validate_plan_raises_for_broken_plans(change: Any, error: str) -> None:
    plan = build_plan(MONDAY, types=["calisthenics"], injuries=["shoulder"])
    validate_plan(plan)
    with pytest.raises(PlanError, match=error):
        validate_plan(change(plan))


def _swap(plan: Plan, blocks: tuple[Block, ...]) -> Plan:
    return replace(plan, blocks=blocks)


def test_low_recovery_plan_with_a_hard_exercise_is_invalid() -> None:
    plan = build_plan(MONDAY, types=["hiit"], recovery="low")
    burpee = PlanItem("burpee", "Burpee", 2, 6)
    broken = _swap(plan, (plan.blocks[0], Block("main", (burpee,)), plan.blocks[2]))
    with pytest.raises(PlanError, match="Burpee is excluded for low recovery"):
        validate_plan(broken)


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        (None, MONDAY),
        ("today", MONDAY),
        ("tomorrow", MONDAY + timedelta(days=1)),
        ("Monday", MONDAY),  # today is Monday
        ("friday", MONDAY + timedelta(days=4)),
        ("sunday", MONDAY + timedelta(days=6)),
        ("2026-05-20", date(2026, 5, 20)),
    ],
)
def test_resolve_day(spoken: str | None, expected: date) -> None:
    assert resolve_day(spoken, MONDAY) == expected


@pytest.mark.parametrize(
    ("spoken", "error"),
    [
        ("someday", "not today, tomorrow"),
        ("2026-05-01", "in the past"),
        ("2028-01-01", "more than a year ahead"),
    ],
)
def test_resolve_day_errors(spoken: str, error: str) -> None:
    with pytest.raises(SkillError, match=error):
        resolve_day(spoken, MONDAY)


# --- the tools through the agent loop ----------------------------------------------------------


def set_states(hass: HomeAssistant, states: dict[str, str]) -> None:
    for entity_id, state in states.items():
        hass.states.async_set(entity_id, state)


async def test_prepare_the_morning_workout_with_garmin_recovery(
    hass: HomeAssistant, scripted: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    set_states(hass, GARMIN_HIGH)

    turn = await skill_turn(hass, scripted, MORNING, ["recovery_status", "prepare_workout"])

    assert turn.turn["intent"] == "prepare_workout"
    assert turn.turn["slots"]["injury"] == "shoulder"
    assert turn.calls == [
        ("atlas__recovery_status", {}),
        ("atlas__prepare_workout", {
            "use_recovery": True, "day": "monday", "time_of_day": "morning",
            "types": ["yoga", "calisthenics"], "injuries": ["shoulder"],
        }),
    ]  # fmt: skip
    recovery, prepared = turn.results
    assert recovery["error"] is False
    assert recovery["data"]["level"] == "high"
    assert prepared["error"] is False
    data = prepared["data"]
    plan = data["plan"]
    assert (plan["day"], plan["weekday"], plan["time_of_day"]) == (
        "2026-05-04",
        "monday",
        "morning",
    )
    assert plan["recovery"] == "high"
    assert data["recovery"]["level"] == "high"
    assert "recovery_note" not in data
    assert [block["phase"] for block in plan["blocks"]] == ["warm_up", "main", "cool_down"]
    items = [item for block in plan["blocks"] for item in block["exercises"]]
    assert not any("shoulder" in EXERCISES[item["key"]].loads for item in items)
    assert data["summary"].startswith("This morning: about")
    assert "Nothing in it loads your shoulder." in data["summary"]
    # What is said: the recovery Garmin reported, then the plan in brief (no note to add) …
    assert turn.speech == f"Garmin says your recovery is high. {data['spoken']}"
    assert data["spoken"].startswith(
        f"This morning: {plan['estimated_minutes']} minutes of yoga and calisthenics at hard "
        "intensity, sparing your shoulder."
    )
    said = turn.speech.lower()
    blocks = {block["phase"]: block["exercises"] for block in plan["blocks"]}
    opening = [blocks["warm_up"][0], blocks["main"][0], blocks["cool_down"][0]]
    assert all(item["name"].lower() in said for item in opening)  # each phase's first move
    assert len(turn.speech.split()) <= 40  # about 12 seconds of speech …
    assert all(item["name"] in data["summary"] for item in blocks["main"])  # … the whole plan
    assert len(data["spoken"]) < len(data["summary"])  # is in the tool result
    # … and names no exercise that loads the sore shoulder.
    shoulder_moves = [e.name.lower() for e in LIBRARY if "shoulder" in e.loads]
    assert "push-up" in shoulder_moves
    assert not [name for name in shoulder_moves if name in said]
    assert scripted.requests == []  # neither the structured pass nor a chat request
    # Saved for that day.
    stored = hass_storage[storage_key(entry.entry_id)]["data"]["plans"]
    assert [p["day"] for p in stored] == ["2026-05-04"]
    assert value(hass, NEXT) == "2026-05-04"


async def test_without_garmin_the_plan_is_moderate_and_says_so(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    hass.states.async_set("sensor.garmin_connect_body_battery", "unavailable")

    turn = await skill_turn(
        hass, scripted, "Plan a yoga workout for Tuesday", ["recovery_status", "prepare_workout"]
    )

    assert turn.calls[1] == (
        "atlas__prepare_workout",
        {"use_recovery": True, "day": "tuesday", "types": ["yoga"]},
    )
    recovery, prepared = turn.results
    assert recovery["data"]["level"] is None
    data = prepared["data"]
    assert data["plan"]["recovery"] == "moderate"
    assert data["plan"]["day"] == "2026-05-05"
    assert data["plan"]["types"] == ["yoga"]
    assert data["recovery_note"] == FALLBACK_NOTE
    assert data["recovery"]["unavailable"] == {"body_battery": "sensor.garmin_connect_body_battery"}
    assert "sleep_score" in data["recovery"]["missing"]
    # The plan's summary, then why it is moderate; the bare recovery summary is not repeated.
    assert turn.speech.startswith(f"{data['spoken']} {FALLBACK_NOTE}")
    assert turn.speech.startswith("Tomorrow: 2")  # 20-odd minutes: moderate, no length asked
    assert recovery["data"]["summary"] not in turn.speech
    assert scripted.requests == []
    assert [p.day.isoformat() for p in entry.runtime_data.skills.plans.plans] == ["2026-05-05"]


async def test_next_workout_reads_the_saved_plans_back_after_a_restart(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    turn = await skill_turn(hass, scripted, "What's my next workout?", ["next_workout"])
    (result,) = turn.results
    assert result["data"] == {
        "plan": None,
        "summary": "No workout is planned yet. Ask me to prepare one.",
        "spoken": "No workout is planned yet. Ask me to prepare one.",
    }
    assert turn.speech == "No workout is planned yet. Ask me to prepare one."
    assert value(hass, NEXT) == "unknown"

    # Two plans in one sentence: the rules read a plan request, and with two days in it the
    # direct route steps aside: the model picks the calls.
    turns = async_capture_events(hass, EVENT_TURN)
    await ask(
        hass,
        scripted,
        "Plan Wednesday evening and Friday",
        call("prepare_workout", "c1", day="friday", types=["running"]),
        call(
            "prepare_workout",
            "c2",
            day="wednesday",
            time_of_day="evening",
            types=["yoga"],
            minutes=20,
        ),
    )
    (planned,) = turns
    assert (planned.data["understood_by"], planned.data["answered_by"]) == ("rules", "llm")
    assert planned.data["tools"] == ["atlas__prepare_workout", "atlas__prepare_workout"]
    await restart(hass, entry)
    assert value(hass, NEXT) == "2026-05-06"

    scripted.requests.clear()
    turn = await skill_turn(hass, scripted, "What's my next workout?", ["next_workout"])
    (result,) = turn.results
    assert result["data"]["plan"]["weekday"] == "wednesday"
    assert result["data"]["plan"]["types"] == ["yoga"]
    assert result["data"]["summary"].startswith("Wednesday evening: about")
    assert (
        turn.speech
        == result["data"]["spoken"]
        == (
            "Wednesday evening: 20 minutes of yoga at moderate intensity, starting with "
            f"{result['data']['plan']['blocks'][1]['exercises'][0]['name'].lower()}. Then "
            "Friday: 30 minutes of running."
        )
    )
    assert scripted.requests == []

    await move_to(hass, freezer, at(0, 0, days=3) + timedelta(seconds=1))  # Thursday
    assert value(hass, NEXT) == "2026-05-08"
    plan = entry.runtime_data.skills.plans.next_plan(MONDAY + timedelta(days=3))
    assert plan is not None
    assert plan.types == ("running",)


async def test_a_swim_of_the_asked_length(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    """Cycling and swimming have plans of their own, and an asked length is honoured."""
    await setup_atlas(hass, scripted.port)

    turn = await skill_turn(
        hass, scripted, "Plan a 20 minute swim for tomorrow", ["recovery_status", "prepare_workout"]
    )

    assert turn.calls[1] == ("atlas__prepare_workout", {
        "use_recovery": True, "day": "tomorrow", "types": ["swimming"], "minutes": 20,
    })  # fmt: skip
    prepared = turn.results[1]
    assert prepared["error"] is False
    plan = prepared["data"]["plan"]
    assert (plan["types"], plan["minutes"]) == (["swimming"], 20)
    assert 17 <= plan["estimated_minutes"] <= 23
    assert turn.speech.startswith(f"Tomorrow: {plan['estimated_minutes']} minutes of swimming")


async def test_every_type_the_understanding_extracts_is_planned(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    context = llm.LLMContext(platform="test", context=Context(), language="en",
                             assistant="conversation", device_id=None)  # fmt: skip
    api = await llm.async_get_api(hass, ATLAS_API_ID, context)
    for kind in WORKOUT_TYPES:
        for injuries in ([], ["knee"], ["shoulder"]):
            args = {"day": "friday", "types": [kind], "injuries": injuries, "minutes": 30}
            result = await api.async_call_tool(
                llm.ToolInput(tool_name="prepare_workout", tool_args=args)
            )
            assert result.error is False, (kind, result.data)
            plan = result.data["plan"]
            assert isinstance(plan, dict)
            assert plan["types"] == [kind]


async def test_a_length_out_of_range_is_planned_within_it_and_said(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    turn = await skill_turn(
        hass, scripted, "Plan a 5 minute stretch for today", ["recovery_status", "prepare_workout"]
    )
    data = turn.results[1]["data"]
    assert data["plan"]["minutes"] == 10
    assert turn.speech.startswith("The shortest session I plan is 10 minutes. Today: ")


async def test_next_workout_of_a_type_or_on_a_day(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    await ask(
        hass,
        scripted,
        "Plan Thursday and Saturday",
        call("prepare_workout", "c1", day="thursday", time_of_day="morning", types=["strength"],
             minutes=45),
        call("prepare_workout", "c2", day="saturday", time_of_day="morning", types=["running"],
             minutes=40),
    )  # fmt: skip
    asked = len(scripted.requests)

    run = await skill_turn(hass, scripted, "When's my next run?", ["next_workout"])
    assert run.calls == [("atlas__next_workout", {"types": ["running"]})]
    plan = run.results[0]["data"]["plan"]
    assert (plan["weekday"], plan["types"]) == ("saturday", ["running"])
    assert run.speech.startswith("Saturday morning: 40 minutes of running")  # as asked

    tomorrow = await skill_turn(hass, scripted, "What's on tomorrow?", ["next_workout"])
    assert tomorrow.calls == [("atlas__next_workout", {"day": "tomorrow"})]
    assert tomorrow.results[0]["data"]["plan"] is None
    assert tomorrow.speech == (
        "No workout is planned for tomorrow. Your next workout is Thursday morning."
    )

    thursday = await skill_turn(hass, scripted, "What's on thursday?", ["next_workout"])
    assert thursday.results[0]["data"]["plan"]["weekday"] == "thursday"
    assert thursday.speech.startswith("Thursday morning: ")

    swim = await skill_turn(hass, scripted, "When's my next swim?", ["next_workout"])
    assert (
        swim.speech == "No swimming workout is planned yet. Your next workout is Thursday morning."
    )
    assert len(scripted.requests) == asked  # the skills answered, the model was not asked


async def test_a_new_plan_replaces_the_same_slot(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    await ask(
        hass,
        scripted,
        "Plan Friday twice",
        call("prepare_workout", "c1", day="friday", time_of_day="morning", types=["running"]),
        call("prepare_workout", "c2", day="friday", time_of_day="morning", types=["yoga"]),
        call("prepare_workout", "c3", day="friday", time_of_day="evening", types=["hiit"]),
    )
    plans = entry.runtime_data.skills.plans.plans
    assert [(p.time_of_day, p.types) for p in plans] == [
        ("morning", ("yoga",)),
        ("evening", ("hiit",)),
    ]


async def test_a_stored_plan_that_breaks_the_rules_is_dropped(
    hass: HomeAssistant, scripted: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = box_entry(scripted.port)
    good = build_plan(MONDAY + timedelta(days=1), types=["yoga"], injuries=["knee"]).as_dict()
    bad = build_plan(MONDAY, types=["yoga"], injuries=["knee"]).as_dict()
    bad["blocks"][1]["exercises"].append(
        {"key": "squat", "name": "Bodyweight squat", "sets": 3, "reps": 12}
    )
    hass_storage[storage_key(entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key(entry.entry_id),
        "data": {"plans": [bad, good]},
    }
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert value(hass, NEXT) == "2026-05-05"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"types": ["rowing"]}, "types"),
        ({"injuries": ["toe"]}, "injuries"),
        ({"minutes": "long"}, "minutes"),
        ({"time_of_day": "brunch"}, "time_of_day"),
        ({"day": "someday"}, "not today, tomorrow, a weekday or an ISO date"),
        ({"day": "2026-05-01"}, "in the past"),
        ({"use_recovery": "maybe"}, "use_recovery"),
    ],
)
async def test_bad_plan_arguments_are_clear_errors_for_the_model(
    hass: HomeAssistant, scripted: ScriptedLLM, arguments: dict[str, Any], message: str
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    # Words neither the rules nor the learned stage read: the model picks the arguments.
    await ask(hass, scripted, "Go ahead with that", call("prepare_workout", **arguments))
    (result,) = tool_results(scripted)
    assert result["error"] is True
    assert message in result["data"]["error_text"]  # the details, for the model …
    said = result["data"]["message"]  # … and a sentence for people, without them
    assert said.endswith((".", "?"))
    assert not [word for word in ("_", "prepare_workout", "must", "ISO", "value") if word in said]
    assert entry.runtime_data.skills.plans.plans == []
