"""One clarifying question for a missing value, through ``conversation.async_converse``.

A reminder without an hour or a subject is asked about once; the reply keeps the conversation
open (``continue_conversation``) and the next turn in that conversation fills the value. Time is
frozen on Wednesday 11 March 2026, 09:30 in New York (the evaluation's world); the scripted box
answers anything that reaches the model, and most turns must not reach it at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import chat_session
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.atlas.agent.clarify import DISMISSED, WHAT, WHEN, WHICH
from custom_components.atlas.agent.reminder_args import TOO_FAR
from custom_components.atlas.const import EVENT_TURN

from .conftest import setup_atlas
from .scripted_llm import Reply, ScriptedLLM
from .test_agent import converse

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=NEW_YORK)  # a Wednesday
LIST = "todo.atlas_reminders"


@pytest.fixture(autouse=True)
async def wednesday_morning(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("America/New_York")
    freezer.move_to(NOW)


@dataclass
class Turn:
    """One turn as the user saw it, and what ran."""

    speech: str
    continued: bool
    conversation_id: str
    tools: list[tuple[str, dict[str, Any]]]  # (tool, arguments) that ran this turn
    trace: dict[str, Any]


async def turn(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, conversation_id: str | None = None
) -> Turn:
    """One turn in ``conversation_id``; the model must not be asked."""
    before = len(scripted.requests)
    events = async_capture_events(hass, EVENT_TURN)
    scripted.replies = [Reply(content="The model should not have been asked.")]
    result = await converse(hass, text, conversation_id)
    assert scripted.requests[before:] == []
    (event,) = events
    with (
        chat_session.async_get_chat_session(hass, result.conversation_id) as session,
        conversation.async_get_chat_log(hass, session) as chat_log,
    ):
        content = list(chat_log.content)
    user = max(i for i, c in enumerate(content) if isinstance(c, conversation.UserContent))
    tools = [
        (call.tool_name.removeprefix("atlas__"), call.tool_args)
        for c in content[user + 1 :]
        if isinstance(c, conversation.AssistantContent) and c.tool_calls
        for call in c.tool_calls
    ]
    speech = str(result.response.speech["plain"]["speech"]).strip()
    return Turn(speech, result.continue_conversation, result.conversation_id, tools, event.data)


async def due_times(hass: HomeAssistant) -> list[tuple[str, str]]:
    response = await hass.services.async_call(
        "todo", "get_items", {}, target={"entity_id": LIST}, blocking=True, return_response=True
    )
    listed: Any = response
    return [(i["summary"], i["due"]) for i in listed[LIST]["items"]]


@dataclass(frozen=True)
class Exchange:
    """A request, the question it gets, the answer, and what the answer leads to."""

    request: str
    question: str
    answer: str
    args: dict[str, Any]
    said: str
    due: str


EXCHANGES = [
    Exchange("Remind me on Wednesday to renew the gym membership", "What time on Wednesday?",
             "ten am", {"text": "renew the gym membership",
                        "due": {"day": "wednesday", "time": "10:00"}},
             "OK, I'll remind you to renew the gym membership today at 10 AM.",
             "2026-03-11T10:00:00-04:00"),
    Exchange("remind me on thursday to take the bins out", "What time on Thursday?", "at 7 pm",
             {"text": "take the bins out", "due": {"day": "thursday", "time": "19:00"}},
             "OK, I'll remind you to take the bins out tomorrow at 7 PM.",
             "2026-03-12T19:00:00-04:00"),
    Exchange("remind me to drink water", WHEN, "in twenty minutes",
             {"text": "drink water", "in_minutes": 20},
             "OK, I'll remind you to drink water in 20 minutes, today at 9:50 AM.",
             "2026-03-11T09:50:00-04:00"),
    Exchange("remind me tonight to take the bins out", "What time tonight?", "half eight",
             {"text": "take the bins out", "due": {"day": "today", "time": "20:30"}},
             "OK, I'll remind you to take the bins out today at 8:30 PM.",
             "2026-03-11T20:30:00-04:00"),
    Exchange("remind me this evening to stretch", "What time this evening?", "seven",
             {"text": "stretch", "due": {"day": "today", "time": "19:00"}},
             "OK, I'll remind you to stretch today at 7 PM.", "2026-03-11T19:00:00-04:00"),
    Exchange("remind me at 5 pm to", WHAT, "call mum",
             {"text": "call mum", "due": {"day": "today", "time": "17:00"}},
             "OK, I'll remind you to call mum today at 5 PM.", "2026-03-11T17:00:00-04:00"),
    Exchange("remind me in 99999999999999999999 minutes to stretch", f"{TOO_FAR} {WHEN}",
             "in an hour", {"text": "stretch", "in_minutes": 60},
             "OK, I'll remind you to stretch in an hour, today at 10:30 AM.",
             "2026-03-11T10:30:00-04:00"),
]  # fmt: skip


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.request)
async def test_one_question_then_the_answer_sets_the_reminder(
    hass: HomeAssistant, scripted: ScriptedLLM, exchange: Exchange
) -> None:
    await setup_atlas(hass, scripted.port)
    asked = await turn(hass, scripted, exchange.request)
    assert asked.speech == exchange.question
    assert asked.continued is True
    assert asked.tools == []
    assert (asked.trace["intent"], asked.trace["answered_by"]) == ("set_reminder", "skill")
    assert await due_times(hass) == []

    answered = await turn(hass, scripted, exchange.answer, asked.conversation_id)
    assert answered.tools == [("set_reminder", exchange.args)]
    assert answered.speech == exchange.said
    assert answered.continued is False
    assert (answered.trace["understood_by"], answered.trace["intent"]) == (
        "clarify", "set_reminder",
    )  # fmt: skip
    assert [d for _, d in await due_times(hass)] == [exchange.due]


async def test_replies_that_do_not_ask_never_continue(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    for text in ("remind me at 5 pm to stretch", "what reminders do i have",
                 "scrap the stretch reminder"):  # fmt: skip
        done = await turn(hass, scripted, text)
        assert done.tools
        assert done.continued is False, text
    # A question in the request is no question of ATLAS's.
    done = await turn(hass, scripted, "can you remind me at 6 pm to ask why?")
    assert done.speech == "OK, I'll remind you to ask why today at 6 PM."
    assert done.continued is False


async def test_a_new_request_instead_of_an_answer(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    asked = await turn(hass, scripted, "remind me tomorrow to call mum")
    listed = await turn(hass, scripted, "what reminders do i have", asked.conversation_id)
    assert listed.tools == [("list_reminders", {})]
    assert listed.trace["understood_by"] == "rules"
    # The question was closed by the new request: a later bare time is no answer to it.
    scripted.replies = [Reply(content="Ten AM what?")]
    result = await converse(hass, "ten am", asked.conversation_id)
    assert result.response.speech["plain"]["speech"].strip() == "Ten AM what?"
    assert await due_times(hass) == []


async def test_never_mind_drops_the_question(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)
    asked = await turn(hass, scripted, "remind me on friday to call mum")
    dropped = await turn(hass, scripted, "never mind", asked.conversation_id)
    assert (dropped.speech, dropped.continued, dropped.tools) == (DISMISSED, False, [])
    assert await due_times(hass) == []


async def test_the_question_belongs_to_its_conversation_and_expires(
    hass: HomeAssistant, scripted: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await setup_atlas(hass, scripted.port)
    asked = await turn(hass, scripted, "remind me on friday to call mum")
    scripted.replies = [Reply(content="Which ten?")]
    other = await converse(hass, "ten am")  # a new conversation: no question open there
    assert other.conversation_id != asked.conversation_id
    assert other.response.speech["plain"]["speech"].strip() == "Which ten?"

    freezer.move_to(NOW + timedelta(minutes=6))
    scripted.replies = [Reply(content="Ten what?")]
    late = await converse(hass, "ten am", asked.conversation_id)
    assert late.response.speech["plain"]["speech"].strip() == "Ten what?"
    assert await due_times(hass) == []


async def test_an_answer_can_need_the_next_question(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    first = await turn(hass, scripted, "remind me")
    assert (first.speech, first.continued) == (WHAT, True)
    second = await turn(hass, scripted, "to book a physio appointment", first.conversation_id)
    assert (second.speech, second.continued, second.tools) == (WHEN, True, [])
    third = await turn(hass, scripted, "on monday", first.conversation_id)
    assert (third.speech, third.continued) == ("What time on Monday?", True)
    done = await turn(hass, scripted, "9 am", first.conversation_id)
    assert done.tools == [
        ("set_reminder", {"text": "book a physio appointment",
                          "due": {"day": "monday", "time": "09:00"}}),
    ]  # fmt: skip
    assert done.speech == "OK, I'll remind you to book a physio appointment on Monday at 9 AM."


async def test_which_reminder_to_cancel(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    await setup_atlas(hass, scripted.port)
    await turn(hass, scripted, "remind me tomorrow at 7 pm to take the bins out")
    await turn(hass, scripted, "remind me on friday at 6 pm to call mum")
    asked = await turn(hass, scripted, "cancel my reminder")
    assert (asked.speech, asked.continued, asked.tools) == (WHICH, True, [])
    done = await turn(hass, scripted, "the bins one", asked.conversation_id)
    assert done.tools == [("cancel_reminder", {"text": "bins"})]
    assert done.speech == ("OK, I've cancelled the reminder to take the bins out tomorrow at 7 PM.")
    assert [s for s, _ in await due_times(hass)] == ["call mum"]


async def test_an_emergency_is_never_taken_for_an_answer(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port)
    asked = await turn(hass, scripted, "remind me")
    assert asked.speech == WHAT
    emergency = await turn(hass, scripted, "chest pain right now", asked.conversation_id)
    assert emergency.tools == []
    assert emergency.trace["answered_by"] == "safety"
    assert "911" in emergency.speech
    assert emergency.continued is False
    assert await due_times(hass) == []
