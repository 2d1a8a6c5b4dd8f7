"""The reminders skill in a real HA test instance: the to-do list, firing, restarts, the tools.

Time is frozen on Monday 4 May 2026, 09:00 in Berlin and moved with ``freezer`` plus
``async_fire_time_changed``; the tools run through the agent loop against a scripted atlas-llm,
or directly (the skills' own route). HA's language is English: times are said "5 PM". The time
parsing itself is tested in ``tests/test_time_parse.py``, the request words in
``tests/test_reminder_args.py``, the clarifying question in ``test_clarify.py``.
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

from .conftest import move_to, restart, setup_atlas, state_of
from .scripted_llm import Reply, ScriptedLLM
from .test_agent import AGENT, converse
from .test_workouts import skill_turn

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, 9, 0, tzinfo=BERLIN)  # a Monday
LIST = "todo.atlas_reminders"
NOTIFY = "notify.phone"
# A turn the rules leave to the model (chat), so the scripted model makes the tool calls.
MODEL_TURN = "Sort that out for me"


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A local time on the frozen Monday (or ``days`` later)."""
    return START.replace(hour=hour, minute=minute) + timedelta(days=days)


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


async def ask(hass: HomeAssistant, scripted: ScriptedLLM, call: Reply) -> Any:
    """One user turn in which the model makes one tool call, then answers; the tool's result
    as the agent sent it back to the model."""
    scripted.replies = [call, Reply(content="Done.")]
    result = await converse(hass, MODEL_TURN)
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
    assert turn.calls == [
        ("atlas__set_reminder", {"text": "stretch", "due": {"day": "today", "time": "17:00"}})
    ]
    (result,) = turn.results
    assert result["error"] is False
    reminder = result["data"]["reminder"]
    assert reminder["text"] == "stretch"
    assert reminder["due"] == "2026-05-04T17:00:00+02:00"
    assert reminder["when"] == "today at 5 PM"
    assert turn.speech == "OK, I'll remind you to stretch today at 5 PM."
    assert scripted.requests == []
    (item,) = await items(hass)
    assert (item["summary"], item["due"]) == ("stretch", "2026-05-04T17:00:00+02:00")
    assert item["uid"] == reminder["uid"]

    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await move_to(hass, freezer, at(17))
    assert [e.data["summary"] for e in due] == ["stretch"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("remind me at eight tomorrow night to put the bins out",
         (1, {"due": {"day": "tomorrow", "time": "20:00"}}, "tomorrow at 8 PM")),
        ("remind me on friday at 6 to call mum",
         (4, {"due": {"day": "friday", "time": "18:00"}}, "on Friday at 6 PM")),
        ("remind me at half nine to lock up",
         (0, {"due": {"day": "today", "time": "09:30"}}, "today at 9:30 AM")),
        ("remind me in an hour and a half to move the car",
         (0, {"in_minutes": 90}, "in an hour and a half, today at 10:30 AM")),
    ],
)  # fmt: skip
async def test_spoken_times_set_directly(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, expected: tuple[int, Any, str]
) -> None:
    """Spoken times reach the skill without the model and are said back 12-hour (English)."""
    day, calls, speech = expected
    await setup_atlas(hass, scripted.port)
    turn = await skill_turn(hass, scripted, text, ["set_reminder"])
    ((_, args),) = turn.calls
    assert {k: v for k, v in args.items() if k != "text"} == calls
    reminder = turn.results[0]["data"]["reminder"]
    assert datetime.fromisoformat(reminder["due"]).date() == at(9, days=day).date()
    assert turn.speech == f"OK, I'll remind you to {args['text']} {speech}."
    assert "Today morning" not in turn.speech


async def test_the_reply_names_the_reminder_as_said(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    turn = await skill_turn(
        hass, scripted, "please remind me about the dentist appointment on thursday at 2",
        ["set_reminder"],
    )  # fmt: skip
    assert turn.speech == ("OK, I'll remind you about the dentist appointment on Thursday at 2 PM.")
    turn = await skill_turn(
        hass, scripted, "remind me tomorrow at 8 that i have a meeting", ["set_reminder"]
    )
    assert turn.speech == "OK, I'll remind you that i have a meeting tomorrow at 8 AM."


async def test_the_model_is_offered_the_reminder_tools(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    turns = async_capture_events(hass, EVENT_TURN)
    result = await ask(hass, scripted, tool_call("set_reminder", text="drink water", in_minutes=20))
    (turn,) = turns
    assert turn.data["answered_by"] == "llm"
    assert turn.data["tools"] == ["atlas__set_reminder"]
    tools = [t["name"] for t in scripted.chat_requests[0]["tools"]]
    assert {"atlas__set_reminder", "atlas__list_reminders", "atlas__cancel_reminder"} <= set(tools)
    assert result["data"]["reminder"]["due"] == "2026-05-04T09:20:00+02:00"
    assert [i["summary"] for i in await items(hass)] == ["drink water"]


@pytest.mark.parametrize(
    ("arguments", "expected_due", "when"),
    [
        ({"in_minutes": 20}, "2026-05-04T09:20:00+02:00", "today at 9:20 AM"),
        ({"in_hours": 1.5}, "2026-05-04T10:30:00+02:00", "today at 10:30 AM"),
        ({"in_hours": 1, "in_minutes": 15}, "2026-05-04T10:15:00+02:00", "today at 10:15 AM"),
        ({"at": "tomorrow 7am"}, "2026-05-05T07:00:00+02:00", "tomorrow at 7 AM"),
        ({"at": "8:00"}, "2026-05-05T08:00:00+02:00", "tomorrow at 8 AM"),
        ({"at": "in 45 minutes"}, "2026-05-04T09:45:00+02:00", "today at 9:45 AM"),
        ({"at": "2026-05-06T18:00:00"}, "2026-05-06T18:00:00+02:00", "on Wednesday at 6 PM"),
        ({"at": "2026-05-16T12:00:00"}, "2026-05-16T12:00:00+02:00",
         "on Saturday 16 May at noon"),
        ({"due": {"day": "friday", "time": "18:00"}}, "2026-05-08T18:00:00+02:00",
         "on Friday at 6 PM"),
        ({"due": {"day": "monday", "time": "10:00"}}, "2026-05-04T10:00:00+02:00",
         "today at 10 AM"),
        ({"due": {"time": "08:00"}}, "2026-05-05T08:00:00+02:00", "tomorrow at 8 AM"),
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
    result = await ask(hass, scripted, tool_call("set_reminder", text="drink water", **arguments))
    assert result["data"]["reminder"]["due"] == expected_due
    assert result["data"]["reminder"]["when"] == when
    assert [i["due"] for i in await items(hass)] == [expected_due]


async def test_times_are_24_hour_where_the_language_says_so(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    hass.config.language = "de"
    await setup_atlas(hass, scripted.port)
    result = await ask(hass, scripted, tool_call("set_reminder", text="dehnen", at="5 pm"))
    assert result["data"]["reminder"]["when"] == "today at 17:00"
    result = await ask(hass, scripted, tool_call("list_reminders", call_id="call_2"))
    assert [r["when"] for r in result["data"]["reminders"]] == ["today at 17:00"]


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
        ("Lunch", "today at 12:30 PM"), ("Evening walk", "today at 7 PM"),
    ]  # fmt: skip
    assert turn.speech == (
        "You have 2 reminders: Lunch today at 12:30 PM; Evening walk today at 7 PM."
    )
    assert scripted.requests == []


async def _world(hass: HomeAssistant) -> None:
    """The evaluation's reminders, on the days after the frozen Monday."""
    await todo(hass, "add_item", item="take the bins out", due_datetime="2026-05-07 19:00:00")
    await todo(hass, "add_item", item="call mum", due_datetime="2026-05-08 18:00:00")
    await todo(hass, "add_item", item="renew the gym membership",
               due_datetime="2026-05-09 10:00:00")  # fmt: skip
    await todo(hass, "add_item", item="book a physio appointment",
               due_datetime="2026-05-11 09:00:00")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "words", "cancelled"),
    [
        ("scrap the bins reminder", "bins", "take the bins out"),
        ("cancel my reminder about calling mum", "calling mum", "call mum"),
        ("i already called mum so you can drop that reminder", "called mum", "call mum"),
        ("please cancel the reminder to renew my gym membership", "renew my gym membership",
         "renew the gym membership"),
        ("forget about the physio reminder", "physio", "book a physio appointment"),
    ],
)  # fmt: skip
async def test_cancel_reminder_by_its_words_directly(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, words: str, cancelled: str
) -> None:
    await setup_atlas(hass, scripted.port)
    await _world(hass)
    turn = await skill_turn(hass, scripted, text, ["cancel_reminder"])
    assert turn.calls == [("atlas__cancel_reminder", {"text": words})]
    data = turn.results[0]["data"]
    assert data["cancelled"]["text"] == cancelled
    assert cancelled in turn.speech
    assert turn.speech.startswith("OK, I've cancelled the reminder to ")
    assert cancelled not in [i["summary"] for i in await items(hass)]
    assert len(await items(hass)) == 3


async def test_cancel_names_what_there_is_when_nothing_matches(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    await _world(hass)
    turn = await skill_turn(hass, scripted, "cancel my dentist reminder", ["cancel_reminder"])
    assert turn.results[0]["error"] is False  # the tool did its job: there is none to cancel
    assert turn.results[0]["data"]["cancelled"] is None
    assert len(turn.results[0]["data"]["reminders"]) == 4
    assert turn.speech.startswith("There's no reminder about dentist. You have 4 reminders: ")
    assert "take the bins out on Thursday at 7 PM" in turn.speech
    assert "book a physio appointment on Monday 11 May at 9 AM" in turn.speech
    assert len(await items(hass)) == 4

    await todo(hass, "remove_item", item=[i["uid"] for i in await items(hass)])
    turn = await skill_turn(hass, scripted, "scrap the bins reminder", ["cancel_reminder"])
    assert turn.speech == "There's no reminder about bins. You have no reminders set."


async def test_cancel_reminder_by_text_and_uid(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-04 17:00:00")
    await todo(hass, "add_item", item="Stretch", due_datetime="2026-05-05 17:00:00")
    await todo(hass, "add_item", item="Call mum", due_datetime="2026-05-04 18:00:00")

    result = await ask(hass, scripted, tool_call("cancel_reminder", text="call"))
    assert result["error"] is False
    assert result["data"]["cancelled"]["text"] == "Call mum"
    assert [i["summary"] for i in await items(hass)] == ["Stretch", "Stretch"]

    result = await ask(hass, scripted, tool_call("cancel_reminder", text="STRETCH"))
    assert result["error"] is False  # nothing cancelled: the two are named, with their uids
    data = result["data"]
    assert data["cancelled"] is None
    first_uid = (await items(hass))[0]["uid"]
    assert [(r["uid"], r["when"]) for r in data["matches"]] == [
        (first_uid, "today at 5 PM"), ((await items(hass))[1]["uid"], "tomorrow at 5 PM"),
    ]  # fmt: skip
    assert data["speech"] == (
        "2 reminders match: Stretch today at 5 PM and Stretch tomorrow at 5 PM. "
        "Say which one to cancel."
    )
    assert len(await items(hass)) == 2

    result = await ask(hass, scripted, tool_call("cancel_reminder", uid=first_uid))
    assert result["data"]["cancelled"]["when"] == "today at 5 PM"
    (left,) = await items(hass)
    assert left["due"] == "2026-05-05T17:00:00+02:00"

    due = async_capture_events(hass, EVENT_REMINDER_DUE)
    await move_to(hass, freezer, at(18))
    assert not due  # cancelled reminders never fire

    result = await ask(hass, scripted, tool_call("cancel_reminder", text="yoga"))
    assert result["data"]["cancelled"] is None
    assert result["data"]["speech"] == (
        "There's no reminder about yoga. You have 1 reminder: Stretch tomorrow at 5 PM."
    )
    assert len(await items(hass)) == 1


@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("set_reminder", {"text": "stretch"}, "Say when"),
        ("set_reminder", {"text": "stretch", "at": "whenever"}, "Cannot read the time"),
        ("set_reminder", {"text": "stretch", "at": "5"}, "ambiguous"),
        ("set_reminder", {"text": "stretch", "at": "2026-05-01T10:00"}, "in the past"),
        ("set_reminder", {"text": "stretch", "at": "5 pm", "in_minutes": 5}, "not both"),
        ("set_reminder", {"text": "stretch", "at": "5 pm", "due": {"time": "17:00"}},
         "not both"),
        ("set_reminder", {"text": "stretch", "due": {"day": "someday", "time": "10:00"}},
         "not a day"),
        ("set_reminder", {"text": "stretch", "due": {"day": "today", "time": "5 pm"}},
         "not a time of day"),
        ("set_reminder", {"text": "stretch", "due": {"day": "today"}}, "due"),
        ("set_reminder", {"text": "stretch", "in_minutes": "soon"}, "in_minutes"),
        ("set_reminder", {"text": "stretch", "in_minutes": -5}, "in_minutes"),
        ("set_reminder", {"text": "stretch", "in_minutes": 1e20}, "less than a year"),
        ("set_reminder", {"text": "stretch", "in_hours": "inf"}, "less than a year"),
        ("set_reminder", {"at": "5 pm"}, "text"),
        ("cancel_reminder", {}, "Say which reminder"),
        ("cancel_reminder", {"uid": "a", "text": "b"}, "which"),
        ("cancel_reminder", {"uid": "nope"}, "There's no reminder with uid nope"),
    ],
)  # fmt: skip
async def test_bad_arguments_give_the_model_clear_errors(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    name: str,
    arguments: dict[str, Any],
    error: str,
) -> None:
    await setup_atlas(hass, scripted.port)
    result = await ask(hass, scripted, tool_call(name, **arguments))
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
    assert turn.calls == [("atlas__set_reminder", {"text": "check the oven", "in_minutes": 5})]
    assert turn.results[0]["data"]["reminder"]["due"] == "2026-05-04T09:05:00+02:00"
    assert turn.speech == "OK, I'll remind you to check the oven in 5 minutes, today at 9:05 AM."
    assert scripted.requests == []
    assert any(e.data["entity_id"] == LIST and e.data["new_state"].state == "1" for e in changed)
    assert [(i["summary"], i["due"]) for i in await items(hass)] == [
        ("check the oven", "2026-05-04T09:05:00+02:00")
    ]


@pytest.mark.parametrize(
    ("text", "args", "speech"),
    [
        ("what reminders have i got", {},
         "You have 4 reminders: take the bins out on Thursday at 7 PM; call mum on Friday at "
         "6 PM; renew the gym membership on Saturday at 10 AM; book a physio appointment on "
         "Monday 11 May at 9 AM."),
        ("any reminders for friday", {"day": "friday"},
         "You have 1 reminder on Friday: call mum on Friday at 6 PM."),
        ("what am i supposed to remember this weekend", {"period": "weekend"},
         "You have 1 reminder this weekend: renew the gym membership on Saturday at 10 AM."),
        ("do i have any reminders set for tomorrow", {"day": "tomorrow"},
         "You have no reminders tomorrow."),
    ],
)  # fmt: skip
async def test_list_reminders_for_the_day_or_period_asked(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, args: dict[str, str], speech: str
) -> None:
    await setup_atlas(hass, scripted.port)
    await _world(hass)
    turn = await skill_turn(hass, scripted, text, ["list_reminders"])
    assert turn.calls == [("atlas__list_reminders", args)]
    assert turn.speech == speech


@pytest.mark.parametrize(
    ("text", "cancelled"),
    [
        ("cancel friday's reminder", "call mum"),
        ("the saturday reminder i don't want it anymore", "renew the gym membership"),
        ("you can forget about mum's call i spoke to her earlier", "call mum"),
        ("i rang my mother yesterday so there's no point in the reminder", "call mum"),
        ("nah forget the bin reminder", "take the bins out"),
    ],
)
async def test_cancel_by_the_day_or_the_words_the_user_used(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, cancelled: str
) -> None:
    await setup_atlas(hass, scripted.port)
    await _world(hass)
    turn = await skill_turn(hass, scripted, text, ["cancel_reminder"])
    assert turn.results[0]["data"]["cancelled"]["text"] == cancelled, turn.speech
    assert cancelled not in [i["summary"] for i in await items(hass)]
    assert len(await items(hass)) == 3


async def test_cancel_by_a_day_without_a_reminder_says_so(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    await _world(hass)
    turn = await skill_turn(hass, scripted, "scratch tomorrow's reminder", ["cancel_reminder"])
    assert turn.results[0]["data"]["cancelled"] is None
    assert turn.speech.startswith("There's no reminder tomorrow. You have 4 reminders: ")
    assert len(await items(hass)) == 4
