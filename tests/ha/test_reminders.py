"""The reminders skill in a real HA test instance: the to-do list, firing, restarts, the tools.

Time is frozen on Monday 4 May 2026, 09:00 in Berlin and moved with ``freezer`` plus
``async_fire_time_changed``; the tools run through the agent loop against a scripted atlas-llm.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.atlas.const import (
    CONF_REMINDER_NOTIFY_ENTITY,
    DOMAIN,
    EVENT_REMINDER_DUE,
    EVENT_TURN,
    ISSUE_BOX_UNREACHABLE,
)
from custom_components.atlas.skills.time_parse import (
    TimeParseError,
    parse_time,
    relative_time,
    spoken_time,
)

from .conftest import move_to, restart, setup_atlas, state_of
from .scripted_llm import Reply, ScriptedLLM
from .test_agent import AGENT, converse
from .test_workouts import skill_turn

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, 9, 0, tzinfo=BERLIN)  # a Monday
LIST = "todo.atlas_reminders"
NOTIFY = "notify.phone"


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A local time on the frozen Monday (or ``days`` later)."""
    return START.replace(hour=hour, minute=minute) + timedelta(days=days)


# --- time parsing (no HA instance) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 pm", at(17)),
        ("5pm", at(17)),
        ("5:30 p.m.", at(17, 30)),
        ("17:30", at(17, 30)),
        ("at 17:30 today", at(17, 30)),
        ("8 am", at(8, days=1)),  # already past today: tomorrow
        ("09:00", at(9, days=1)),  # exactly now is not the future
        ("tomorrow 7am", at(7, days=1)),
        ("tomorrow at 07:15", at(7, 15, days=1)),
        ("7am tomorrow", at(7, days=1)),
        ("noon", at(12)),
        ("midnight", at(0, days=1)),
        ("friday 6 pm", at(18, days=4)),
        ("monday 10:00", at(10, days=7)),  # a weekday means the next one
        ("in 20 minutes", at(9, 20)),
        ("in an hour", at(10)),
        ("in 1 hour and 30 minutes", at(10, 30)),
        ("in 2h", at(11)),
        ("2026-05-04T17:00", at(17)),
        ("2026-05-04 17:00:00", at(17)),
        ("2026-05-04T15:00:00Z", at(17)),
        ("2026-05-05T17:00:00+02:00", at(17, days=1)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    due = parse_time(text, START)
    assert due == expected
    assert due.tzinfo == BERLIN  # local: what the user hears


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "No time given"),
        ("soon", "Cannot read the time in 'soon'"),
        ("5", "ambiguous"),
        ("13 pm", "not a valid 12-hour"),
        ("25:00", "not a valid time of day"),
        ("today 8 am", "08:00 today has already passed"),
        ("in 3 fortnights", "Cannot read 'in 3 fortnights'"),
        ("2026-05-04", "no time of day"),
        ("2026-02-30T10:00", "not a valid ISO date-time"),
        ("2026-05-01T10:00", "in the past"),
        ("2028-05-01T10:00", "more than a year ahead"),
    ],
)
def test_parse_time_errors_say_why(text: str, error: str) -> None:
    with pytest.raises(TimeParseError, match=error):
        parse_time(text, START)


def test_relative_and_spoken_times() -> None:
    assert relative_time(START, minutes=90) == at(10, 30)
    assert relative_time(START, hours=0.5) == at(9, 30)
    with pytest.raises(TimeParseError, match="more than zero"):
        relative_time(START)
    assert spoken_time(at(17), START) == "today at 17:00"
    assert spoken_time(at(7, days=1), START) == "tomorrow at 07:00"
    assert spoken_time(at(7, days=4), START) == "on Friday 8 May at 07:00"


def test_spring_forward_gap_moves_to_a_real_time() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    due = parse_time("tomorrow 2:30 am", before_change)  # 02:30 does not exist that night
    assert due == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
async def berlin_monday_morning(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)


@pytest.fixture
def notifications(hass: HomeAssistant) -> dict[str, dict[str, Any]]:
    """The persistent notifications currently shown, by id."""
    shown: dict[str, dict[str, Any]] = {}

    @callback
    def update(kind: persistent_notification.UpdateType, items: dict[str, Any]) -> None:
        if kind is persistent_notification.UpdateType.REMOVED:
            for key in items:
                shown.pop(key, None)
        else:
            shown.update(items)

    persistent_notification.async_register_callback(hass, update)
    return shown


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None
    return current.state


async def todo(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        "todo", service, data, target={ATTR_ENTITY_ID: LIST}, blocking=True,
        return_response=service == "get_items",
    )  # fmt: skip


async def items(hass: HomeAssistant) -> list[dict[str, Any]]:
    response = await todo(hass, "get_items")
    listed: list[dict[str, Any]] = response[LIST]["items"]
    return listed


def stored(hass_storage: dict[str, Any], entry: MockConfigEntry) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = hass_storage[f"{DOMAIN}.{entry.entry_id}.reminders"]["data"][
        "items"
    ]
    return data


# --- the to-do list entity ---------------------------------------------------------------------


async def test_todo_list_create_update_move_delete(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    entity_registry: er.EntityRegistry,
    hass_storage: dict[str, Any],
    hass_ws_client: WebSocketGenerator,
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    registered = entity_registry.async_get(LIST)
    assert registered is not None
    assert registered.unique_id == f"{entry.entry_id}_reminders"
    list_state = hass.states.get(LIST)
    assert list_state is not None
    assert list_state.attributes["friendly_name"] == "ATLAS reminders"
    assert list_state.state == "0"

    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-04 17:00:00",
               description="Hamstrings and hips")  # fmt: skip
    await todo(hass, "add_item", item="Water the plants", due_datetime="2026-05-05 08:00:00")
    listed = await items(hass)
    assert [(i["summary"], i["due"], i["status"]) for i in listed] == [
        ("Stretch", "2026-05-04T17:00:00+02:00", "needs_action"),
        ("Water the plants", "2026-05-05T08:00:00+02:00", "needs_action"),
    ]
    assert listed[0]["description"] == "Hamstrings and hips"
    assert state(hass, LIST) == "2"
    saved = stored(hass_storage, entry)
    assert saved[0]["due"] == "2026-05-04T15:00:00+00:00"
    assert saved[0]["fired"] is None

    await todo(hass, "update_item", item="Stretch", rename="Stretch well",
               due_datetime="2026-05-04 18:30:00")  # fmt: skip
    stretch = (await items(hass))[0]
    assert (stretch["summary"], stretch["due"]) == ("Stretch well", "2026-05-04T18:30:00+02:00")

    uids = [i["uid"] for i in await items(hass)]
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "todo/item/move", "entity_id": LIST, "uid": uids[1]})
    assert (await client.receive_json())["success"]
    assert [i["uid"] for i in await items(hass)] == uids[::-1]
    await client.send_json_auto_id(
        {"type": "todo/item/move", "entity_id": LIST, "uid": uids[1], "previous_uid": uids[0]}
    )
    assert (await client.receive_json())["success"]
    assert [i["uid"] for i in await items(hass)] == uids

    await todo(hass, "update_item", item="Stretch well", status="completed")
    assert state(hass, LIST) == "1"
    await todo(hass, "remove_item", item=["Stretch well", "Water the plants"])
    assert await items(hass) == []
    assert stored(hass_storage, entry) == []

    with pytest.raises(ServiceValidationError):
        await todo(hass, "remove_item", item="Nothing")
    # A due date without a time is not offered: reminders fire at a time.
    with pytest.raises(ServiceValidationError):
        await todo(hass, "add_item", item="Dateless", due_date="2026-05-05")


# --- firing ------------------------------------------------------------------------------------


async def test_reminder_fires_at_its_time(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    freezer: FrozenDateTimeFactory,
    notifications: dict[str, dict[str, Any]],
    hass_storage: dict[str, Any],
) -> None:
    sent = async_mock_service(hass, "notify", "send_message")
    entry = await setup_atlas(hass, scripted.port, options={CONF_REMINDER_NOTIFY_ENTITY: NOTIFY})
    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-04 17:00:00",
               description="Hamstrings")  # fmt: skip
    uid = (await items(hass))[0]["uid"]

    await move_to(hass, freezer, at(16, 59))
    assert not due
    assert not notifications

    await move_to(hass, freezer, at(17))
    (event,) = due
    assert event.data == {"uid": uid, "summary": "Stretch", "due": "2026-05-04T17:00:00+02:00",
                          "description": "Hamstrings"}  # fmt: skip
    (notification,) = notifications.values()
    assert notification["title"] == "ATLAS reminder"
    assert notification["message"] == "Stretch\n\nHamstrings"
    (call,) = sent
    assert call.data == {ATTR_ENTITY_ID: NOTIFY, "message": "Stretch",
                         "title": "ATLAS reminder"}  # fmt: skip
    assert stored(hass_storage, entry)[0]["fired"] is not None
    # Still open on the list until the user ticks it off; ticking it off clears the notification.
    assert (await items(hass))[0]["status"] == "needs_action"

    await move_to(hass, freezer, at(18))
    assert len(due) == 1
    await todo(hass, "update_item", item=uid, status="completed")
    assert not notifications


async def test_without_notify_entity_only_notification_and_event(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    freezer: FrozenDateTimeFactory,
    notifications: dict[str, dict[str, Any]],
) -> None:
    sent = async_mock_service(hass, "notify", "send_message")
    await setup_atlas(hass, scripted.port)
    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-04 10:00:00")
    await move_to(hass, freezer, at(10))
    assert len(due) == 1
    assert len(notifications) == 1
    assert not sent


async def test_failing_notify_entity_does_not_stop_the_reminder(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_atlas(hass, scripted.port, options={CONF_REMINDER_NOTIFY_ENTITY: "notify.gone"})
    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-04 10:00:00")
    await move_to(hass, freezer, at(10))
    assert len(due) == 1
    assert "Cannot send an ATLAS reminder to notify.gone" in caplog.text


async def test_completing_cancels_and_new_due_time_reschedules(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await todo(hass, "add_item", item="Done early", due_datetime="2026-05-04 10:00:00")
    await todo(hass, "add_item", item="Moved", due_datetime="2026-05-04 10:00:00")
    await todo(hass, "add_item", item="Deleted", due_datetime="2026-05-04 10:00:00")
    await todo(hass, "update_item", item="Done early", status="completed")
    await todo(hass, "update_item", item="Moved", due_datetime="2026-05-04 11:00:00")
    await todo(hass, "remove_item", item="Deleted")

    await move_to(hass, freezer, at(10, 30))
    assert not due
    await move_to(hass, freezer, at(11))
    assert [e.data["summary"] for e in due] == ["Moved"]

    # Reopened with a new time, a completed reminder is armed again; a fired one that only
    # gets a new text does not fire twice.
    await todo(hass, "update_item", item="Done early", status="needs_action",
               due_datetime="2026-05-04 12:00:00")  # fmt: skip
    await todo(hass, "update_item", item="Moved", rename="Moved and renamed")
    await move_to(hass, freezer, at(12))
    assert [e.data["summary"] for e in due] == ["Moved", "Done early"]


async def test_restart_rearms_and_overdue_fires_exactly_once(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await todo(hass, "add_item", item="Missed while down", due_datetime="2026-05-04 10:00:00")
    await todo(hass, "add_item", item="Later", due_datetime="2026-05-04 12:00:00")

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await move_to(hass, freezer, at(11))
    assert not due  # nothing fires while the entry is unloaded
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert [e.data["summary"] for e in due] == ["Missed while down"]

    await restart(hass, entry)
    assert len(due) == 1  # the overdue one is marked as fired
    await move_to(hass, freezer, at(12))
    assert [e.data["summary"] for e in due] == ["Missed while down", "Later"]
    await restart(hass, entry)
    await move_to(hass, freezer, at(13))
    assert len(due) == 2
    assert all(r["fired"] for r in stored(hass_storage, entry))


async def test_reminders_load_from_storage(
    hass: HomeAssistant, scripted: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    """What a previous HA run stored: an overdue reminder fires, a fired one stays quiet."""
    entry_id = "01JATLASREMINDERS000000000"
    hass_storage[f"{DOMAIN}.{entry_id}.reminders"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{entry_id}.reminders",
        "data": {
            "items": [
                {"uid": "a", "summary": "Overdue", "due": "2026-05-04T06:00:00+00:00",
                 "description": None, "completed": None, "fired": None},
                {"uid": "b", "summary": "Already fired", "due": "2026-05-04T05:00:00+00:00",
                 "description": None, "completed": None, "fired": "2026-05-04T05:00:01+00:00"},
                {"uid": "c", "summary": "Done", "due": "2026-05-04T06:00:00+00:00",
                 "description": None, "completed": "2026-05-04T05:30:00+00:00", "fired": None},
            ]
        },
    }  # fmt: skip
    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await setup_atlas(hass, scripted.port, entry_id=entry_id)
    assert [e.data["uid"] for e in due] == ["a"]
    assert [(i["uid"], i["status"]) for i in await items(hass)] == [
        ("a", "needs_action"), ("b", "needs_action"), ("c", "completed"),
    ]  # fmt: skip


async def test_reminder_fires_while_the_box_is_down(
    hass: HomeAssistant,
    closed_port: int,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    notifications: dict[str, dict[str, Any]],
) -> None:
    entry = await setup_atlas(hass, closed_port)
    assert state(hass, AGENT) == "unavailable"
    assert issue_registry.async_get_issue(DOMAIN, f"{ISSUE_BOX_UNREACHABLE}_{entry.entry_id}")
    assert state(hass, LIST) == "0"

    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await todo(hass, "add_item", item="Take a break", due_datetime="2026-05-04 09:30:00")
    await move_to(hass, freezer, at(9, 30))
    assert [e.data["summary"] for e in due] == ["Take a break"]
    assert len(notifications) == 1


async def test_options_flow_picks_the_notify_entity(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    entry = await setup_atlas(hass, scripted.port)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_REMINDER_NOTIFY_ENTITY: NOTIFY}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_REMINDER_NOTIFY_ENTITY: NOTIFY}
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert entry.options == {}


async def test_translations_cover_reminders(hass: HomeAssistant) -> None:
    prefix = f"component.{DOMAIN}"
    entity = await async_get_translations(hass, "en", "entity", [DOMAIN])
    assert entity[f"{prefix}.entity.todo.reminders.name"] == "ATLAS reminders"
    exceptions = await async_get_translations(hass, "en", "exceptions", [DOMAIN])
    for key in ("reminder_not_found", "reminder_needs_time"):
        assert f"{prefix}.exceptions.{key}.message" in exceptions
    options = await async_get_translations(hass, "en", "options", [DOMAIN])
    assert f"{prefix}.options.step.init.data.{CONF_REMINDER_NOTIFY_ENTITY}" in options


# --- the tools, through the agent loop ---------------------------------------------------------


def tool_call(name: str, call_id: str = "call_1", **arguments: Any) -> Reply:
    return Reply(tool_calls=[{"id": call_id, "name": f"atlas__{name}", "arguments": arguments}])


async def ask(hass: HomeAssistant, scripted: ScriptedLLM, text: str, call: Reply) -> Any:
    """One user turn in which the model makes one tool call, then answers; the tool's result
    as the agent sent it back to the model."""
    scripted.replies = [call, Reply(content="Done.")]
    result = await converse(hass, text)
    assert result.response.speech["plain"]["speech"].strip() == "Done."
    tool_message = scripted.chat_requests[-1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == call.tool_calls[0]["id"]
    return json.loads(tool_message["content"])


async def test_set_reminder_at_a_clock_time(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    turn = await skill_turn(hass, scripted, "Remind me at 5 pm to stretch", ["set_reminder"])

    assert turn.turn["intent"] == "set_reminder"
    assert turn.calls == [("atlas__set_reminder", {"text": "stretch", "at": "5 pm"})]
    (result,) = turn.results
    assert result["error"] is False
    reminder = result["data"]["reminder"]
    assert reminder["text"] == "stretch"
    assert reminder["due"] == "2026-05-04T17:00:00+02:00"
    assert reminder["when"] == "today at 17:00"
    assert turn.speech == "OK, I'll remind you to stretch today at 17:00."
    assert scripted.requests == []
    (item,) = await items(hass)
    assert (item["summary"], item["due"]) == ("stretch", "2026-05-04T17:00:00+02:00")
    assert item["uid"] == reminder["uid"]

    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await move_to(hass, freezer, at(17))
    assert [e.data["summary"] for e in due] == ["stretch"]


async def test_set_reminder_without_a_time_leaves_it_to_the_model(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    """The words say no time: the skill cannot be called directly, the model is offered the
    reminder tools and asks (or picks the time) itself."""
    await setup_atlas(hass, scripted.port)
    turns = async_capture_events(hass, EVENT_TURN)
    result = await ask(hass, scripted, "Remind me to drink water",
                       tool_call("set_reminder", text="drink water", in_minutes=20))  # fmt: skip
    (turn,) = turns
    assert (turn.data["intent"], turn.data["understood_by"]) == ("set_reminder", "rules")
    assert turn.data["answered_by"] == "llm"
    assert turn.data["tools"] == ["atlas__set_reminder"]
    assert all("response_format" not in r for r in scripted.requests)  # no structured pass
    tools = [t["name"] for t in scripted.chat_requests[0]["tools"]]
    assert {"atlas__set_reminder", "atlas__list_reminders", "atlas__cancel_reminder"} <= set(tools)
    assert result["data"]["reminder"]["due"] == "2026-05-04T09:20:00+02:00"
    assert [i["summary"] for i in await items(hass)] == ["drink water"]


@pytest.mark.parametrize(
    ("arguments", "expected_due", "when"),
    [
        ({"in_minutes": 20}, "2026-05-04T09:20:00+02:00", "today at 09:20"),
        ({"in_hours": 1.5}, "2026-05-04T10:30:00+02:00", "today at 10:30"),
        ({"in_hours": 1, "in_minutes": 15}, "2026-05-04T10:15:00+02:00", "today at 10:15"),
        ({"at": "tomorrow 7am"}, "2026-05-05T07:00:00+02:00", "tomorrow at 07:00"),
        ({"at": "8:00"}, "2026-05-05T08:00:00+02:00", "tomorrow at 08:00"),
        ({"at": "in 45 minutes"}, "2026-05-04T09:45:00+02:00", "today at 09:45"),
        ({"at": "2026-05-06T18:00:00"}, "2026-05-06T18:00:00+02:00",
         "on Wednesday 6 May at 18:00"),
    ],
)  # fmt: skip
async def test_set_reminder_relative_and_other_times(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    arguments: dict[str, Any],
    expected_due: str,
    when: str,
) -> None:
    await setup_atlas(hass, scripted.port)
    result = await ask(hass, scripted, "Remind me to drink water",
                       tool_call("set_reminder", text="drink water", **arguments))  # fmt: skip
    assert result["data"]["reminder"]["due"] == expected_due
    assert result["data"]["reminder"]["when"] == when
    assert [i["due"] for i in await items(hass)] == [expected_due]


async def test_list_reminders_upcoming_soonest_first(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    await todo(hass, "add_item", item="Evening walk", due_datetime="2026-05-04 19:00:00")
    await todo(hass, "add_item", item="Fired already", due_datetime="2026-05-04 09:10:00")
    await todo(hass, "add_item", item="Lunch", due_datetime="2026-05-04 12:30:00")
    await todo(hass, "add_item", item="Completed", due_datetime="2026-05-04 11:00:00")
    await todo(hass, "add_item", item="No time")
    await todo(hass, "update_item", item="Completed", status="completed")
    await move_to(hass, freezer, at(9, 15))

    turn = await skill_turn(hass, scripted, "What reminders do I have?", ["list_reminders"])

    assert turn.turn["intent"] == "list_reminders"
    assert turn.calls == [("atlas__list_reminders", {})]
    (result,) = turn.results
    data = result["data"]
    assert data["count"] == 2
    assert [(r["text"], r["when"]) for r in data["reminders"]] == [
        ("Lunch", "today at 12:30"), ("Evening walk", "today at 19:00"),
    ]  # fmt: skip
    assert turn.speech == (
        "You have 2 reminders: Lunch today at 12:30; Evening walk today at 19:00."
    )
    assert scripted.requests == []


async def test_cancel_reminder_by_text_and_uid(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-04 17:00:00")
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-05 17:00:00")
    await todo(hass, "add_item", item="Call mum", due_datetime="2026-05-04 18:00:00")

    result = await ask(hass, scripted, "Cancel the call reminder",
                       tool_call("cancel_reminder", text="call"))  # fmt: skip
    assert result["error"] is False
    assert result["data"]["cancelled"]["text"] == "Call mum"
    assert [i["summary"] for i in await items(hass)] == ["Stretch", "Stretch"]

    result = await ask(hass, scripted, "Cancel the stretch reminder",
                       tool_call("cancel_reminder", text="STRETCH"))  # fmt: skip
    assert result["error"] is True
    text = result["data"]["error_text"]
    assert "Several reminders match 'STRETCH'" in text
    assert "today at 17:00" in text
    assert "tomorrow at 17:00" in text
    first_uid = (await items(hass))[0]["uid"]
    assert first_uid in text

    result = await ask(hass, scripted, "The one today",
                       tool_call("cancel_reminder", uid=first_uid))  # fmt: skip
    assert result["data"]["cancelled"]["when"] == "today at 17:00"
    (left,) = await items(hass)
    assert left["due"] == "2026-05-05T17:00:00+02:00"

    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await move_to(hass, freezer, at(18))
    assert not due  # cancelled reminders never fire

    result = await ask(hass, scripted, "Cancel yoga", tool_call("cancel_reminder", text="yoga"))
    assert result["error"] is True
    assert "No open reminder matches 'yoga'" in result["data"]["error_text"]


@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("set_reminder", {"text": "stretch"}, "Say when"),
        ("set_reminder", {"text": "stretch", "at": "whenever"}, "Cannot read the time"),
        ("set_reminder", {"text": "stretch", "at": "5"}, "ambiguous"),
        ("set_reminder", {"text": "stretch", "at": "2026-05-01T10:00"}, "in the past"),
        ("set_reminder", {"text": "stretch", "at": "5 pm", "in_minutes": 5}, "not both"),
        ("set_reminder", {"text": "stretch", "in_minutes": "soon"}, "in_minutes"),
        ("set_reminder", {"text": "stretch", "in_minutes": -5}, "in_minutes"),
        ("set_reminder", {"at": "5 pm"}, "text"),
        ("cancel_reminder", {}, "Say which reminder"),
        ("cancel_reminder", {"uid": "a", "text": "b"}, "which"),
    ],
)
async def test_bad_arguments_give_the_model_clear_errors(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    name: str,
    arguments: dict[str, Any],
    error: str,
) -> None:
    await setup_atlas(hass, scripted.port)
    result = await ask(hass, scripted, "Remind me", tool_call(name, **arguments))
    assert result["error"] is True
    assert "error" in result["data"]
    assert error in result["data"]["error_text"]
    assert await items(hass) == []


async def test_reminder_set_by_voice_updates_the_list(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    changed: list[Event] = async_capture_events(hass, "state_changed")
    turn = await skill_turn(
        hass, scripted, "Remind me in 5 minutes to check the oven", ["set_reminder"]
    )
    assert turn.calls == [("atlas__set_reminder", {"text": "check the oven", "in_minutes": 5.0})]
    assert turn.results[0]["data"]["reminder"]["due"] == "2026-05-04T09:05:00+02:00"
    assert turn.speech == "OK, I'll remind you to check the oven today at 09:05."
    assert scripted.requests == []
    assert any(e.data["entity_id"] == LIST and e.data["new_state"].state == "1" for e in changed)
    assert [(i["summary"], i["due"]) for i in await items(hass)] == [
        ("check the oven", "2026-05-04T09:05:00+02:00")
    ]
