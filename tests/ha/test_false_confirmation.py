"""No false confirmations, and the speech guard on both backends, in a real HA test instance.

A turn whose intent needs a tool may only confirm once that tool succeeded (agent/confirmation.py):
a scripted model that lies (claims without a call, or after a failed call) is replaced by the
honest sentence, and nothing of the lie reaches the chat log, which is what Home Assistant
speaks. A real success still streams sentence by sentence. The model's text goes through the
speech guard once, in the tool loop, whichever backend wrote it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import chat_session
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.atlas.agent.confirmation import needed
from custom_components.atlas.agent.intents import SKILL_INTENTS
from custom_components.atlas.agent.spoken import UNSPEAKABLE, not_done
from custom_components.atlas.config_flow import DEFAULT_CONVERSATION_OPTIONS
from custom_components.atlas.const import CONF_MAX_SPOKEN_SENTENCES, EVENT_TURN

from .conftest import setup_atlas
from .fake_anthropic import ClaudeReply, FakeAnthropic, claude_data
from .scripted_llm import Reply, ScriptedLLM
from .spoken import english, in_language

AGENT = "conversation.atlas_conversation"
REMINDERS = "todo.atlas_reminders"
# Words the rules and the learned stage are unsure about: the structured pass reads them as a
# reminder below the confidence of a direct dispatch, so the model takes the turn.
BINS = "The bins, Friday evening, do not let me forget"
SET_REMINDER: dict[str, Any] = {"intent": "set_reminder", "day": "friday", "time_of_day": "evening",
                "types": [], "injury": None, "data_source": None, "confidence": 0.75}  # fmt: skip
CHAT = {**SET_REMINDER, "intent": "chat", "day": None, "time_of_day": None, "confidence": 0.9}
HONEST = english(not_done("set_reminder"))


@dataclass
class Turn:
    """What a user heard of one turn: the speech, the streamed text deltas (with the time each
    arrived), and the ``atlas_turn`` event."""

    speech: str
    deltas: list[tuple[float, str]] = field(default_factory=list)
    trace: dict[str, Any] = field(default_factory=dict)

    @property
    def streamed(self) -> str:
        return "".join(text for _, text in self.deltas)


async def converse(hass: HomeAssistant, text: str) -> Turn:
    """One turn as a voice pipeline runs it: the chat log's deltas are what TTS would speak."""
    turns = async_capture_events(hass, EVENT_TURN)
    heard = Turn("")

    def listener(_chat_log: conversation.ChatLog, delta: dict[str, Any]) -> None:
        if content := delta.get("content"):
            heard.deltas.append((time.monotonic(), content))

    user_input = conversation.ConversationInput(
        text=text, context=Context(), conversation_id=None, device_id=None,
        satellite_id=None, language="en", agent_id=AGENT,
    )  # fmt: skip
    with (
        chat_session.async_get_chat_session(hass) as session,
        conversation.async_get_chat_log(
            hass, session, user_input, chat_log_delta_listener=listener
        ),
    ):
        result = await conversation.async_converse(
            hass, text, session.conversation_id, Context(), language="en", agent_id=AGENT
        )
    heard.speech = result.response.speech["plain"]["speech"]
    heard.trace = turns[-1].data
    return heard


def tool_call(name: str, call_id: str = "call_1", **arguments: Any) -> Reply:
    return Reply(tool_calls=[{"id": call_id, "name": f"atlas__{name}", "arguments": arguments}])


def reminders(hass: HomeAssistant) -> int:
    state = hass.states.get(REMINDERS)
    assert state is not None
    return int(state.state)


@pytest.fixture
async def reminder_model(hass: HomeAssistant, scripted: ScriptedLLM) -> ScriptedLLM:
    """The agent with ATLAS's tools, and a model that reads :data:`BINS` as a reminder."""
    scripted.extraction = SET_REMINDER
    await setup_atlas(hass, scripted.port)
    return scripted


# --- no false confirmations ------------------------------------------------------------------


async def test_a_claim_without_a_tool_call_is_replaced(
    hass: HomeAssistant, reminder_model: ScriptedLLM
) -> None:
    reminder_model.replies = [Reply(content="Done, reminder set for Friday evening.")]

    turn = await converse(hass, BINS)

    assert turn.speech == HONEST
    assert turn.streamed == HONEST  # nothing of the lie was streamed to TTS first
    assert reminders(hass) == 0
    assert turn.trace["intent"] == "set_reminder"
    assert turn.trace["answered_by"] == "llm"
    assert turn.trace["tools"] == []
    assert turn.trace["speech"] == "not_done"  # the trace says the reply was replaced
    assert len(reminder_model.chat_requests) == 1  # the model did answer: it was not believed


async def test_a_failed_tool_then_a_claim_is_replaced(
    hass: HomeAssistant, reminder_model: ScriptedLLM
) -> None:
    reminder_model.replies = [
        tool_call("set_reminder", text="bins"),  # no time: the tool refuses
        Reply(content="All set! I'll remind you about the bins on Friday evening."),
    ]

    turn = await converse(hass, BINS)

    assert turn.speech == HONEST
    assert turn.streamed == HONEST
    assert reminders(hass) == 0
    assert turn.trace["tools"] == ["atlas__set_reminder"]
    tool_message = reminder_model.chat_requests[-1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert '"error": true' in tool_message["content"]


async def test_another_tool_succeeding_confirms_nothing(
    hass: HomeAssistant, reminder_model: ScriptedLLM
) -> None:
    reminder_model.replies = [
        tool_call("list_reminders"),
        Reply(content="Your reminder for Friday evening is set."),
    ]

    turn = await converse(hass, BINS)

    assert turn.speech == HONEST
    assert reminders(hass) == 0


async def test_a_real_success_streams_and_confirms(
    hass: HomeAssistant, reminder_model: ScriptedLLM
) -> None:
    said = "Done, I'll remind you about the bins in twenty minutes. Anything else for today?"
    reminder_model.replies = [
        tool_call("set_reminder", text="bins", in_minutes=20),
        Reply(content=said, delay=0.05),
    ]

    turn = await converse(hass, BINS)

    assert turn.speech == said
    assert reminders(hass) == 1
    assert turn.trace["tools"] == ["atlas__set_reminder"]
    assert turn.trace["speech"] is None  # spoken as the model said it
    # Sentence by sentence, as the model wrote them: the first was heard while the second was
    # still being written (seven more words at 50 ms each).
    (first_at, first), (last_at, last) = turn.deltas
    assert (first, last) == (said[: said.index("minutes.") + 8], " Anything else for today?")
    assert last_at - first_at > 0.2


async def test_a_question_without_a_tool_is_asked(
    hass: HomeAssistant, reminder_model: ScriptedLLM
) -> None:
    reminder_model.replies = [Reply(content="What time on Friday evening?")]
    turn = await converse(hass, BINS)
    assert turn.speech == "What time on Friday evening?"


async def test_a_turn_that_needs_no_tool_streams_at_once(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    scripted.extraction = CHAT
    await setup_atlas(hass, scripted.port)
    scripted.replies = [Reply(content="Happy to help. What's next?")]
    turn = await converse(hass, "Hmm, what do you reckon about all that")
    assert turn.trace["intent"] == "chat"
    assert turn.speech == "Happy to help. What's next?"
    assert [text for _, text in turn.deltas] == ["Happy to help.", " What's next?"]


def test_every_honest_sentence_is_translated() -> None:
    intents = [i for i in (*SKILL_INTENTS, "device_control") if needed(i) is not None]
    assert len(intents) == len(SKILL_INTENTS) + 1
    for language in ("en", "de", "es", "fr"):
        for intent in intents:
            assert in_language(not_done(intent), language)
        assert in_language(UNSPEAKABLE, language)


# --- the speech guard, on both backends ------------------------------------------------------


async def test_the_box_reply_is_guarded_across_chunks(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    """The scripted box streams word by word: "5 " then "- " must not lose the number."""
    scripted.extraction = CHAT
    await setup_atlas(hass, scripted.port)
    scripted.replies = [
        Reply(content="**Warm up** for 5 - 10 minutes 💪. Then call atlas__log_workout(). Rest.")
    ]
    turn = await converse(hass, "Hmm, what do you reckon about all that")
    assert turn.speech == "Warm up for 5 - 10 minutes. Rest."
    assert turn.streamed == turn.speech


async def test_unspeakable_replies_get_the_fallback_sentence(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    scripted.extraction = CHAT
    await setup_atlas(hass, scripted.port)
    scripted.replies = [
        Reply(content='To call a tool, reply with only <tool_call>{"name": "x"}</tool_call>')
    ]
    turn = await converse(hass, "Hmm, what do you reckon about all that")
    assert turn.speech == english(UNSPEAKABLE)


class HangUpTolerantLLM(ScriptedLLM):
    """The scripted box, taking it calmly when the agent stops reading and hangs up (as the
    real atlas-llm does: it stops generating)."""

    async def _answer(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        try:
            return await super()._answer(request, writer)
        except ConnectionError:
            return False


async def test_a_looping_model_is_not_read_to_the_end(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    box = HangUpTolerantLLM(extraction=CHAT)
    loop = "Stretch your legs. " + "And then you can" + " and then you can" * 49  # 200 words
    box.replies = [Reply(content=loop, delay=0.02)]  # 4 s to the end
    await box.start()
    try:
        await setup_atlas(hass, box.port)
        started = time.monotonic()
        turn = await converse(hass, "Hmm, what do you reckon about all that")
    finally:
        await box.stop()
    assert turn.speech == "Stretch your legs."
    assert time.monotonic() - started < 2.5  # stopped once the loop showed, not at its end


async def test_the_spoken_length_is_an_option(hass: HomeAssistant, scripted: ScriptedLLM) -> None:
    scripted.extraction = CHAT
    await setup_atlas(
        hass, scripted.port, agent={**DEFAULT_CONVERSATION_OPTIONS, CONF_MAX_SPOKEN_SENTENCES: 1}
    )
    scripted.replies = [Reply(content="Good question. Here is more. And more.")]
    turn = await converse(hass, "Hmm, what do you reckon about all that")
    assert turn.speech == "Good question."


@pytest.fixture
async def claude(socket_enabled: None) -> AsyncIterator[FakeAnthropic]:
    server = FakeAnthropic()
    await server.start()
    yield server
    await server.stop()


async def test_the_cloud_reply_is_guarded_too(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(
        ClaudeReply(
            text="## Plateaus\n- Sleep more\n- Eat for 5 - 10 % more protein\n```\ncode\n```\n"
            "Change one thing at a time. That is all for now."
        )
    )
    turn = await converse(hass, "Why am I plateauing on my squats?")
    assert turn.trace["answered_by"] == "cloud"
    assert turn.speech == "Plateaus. Sleep more. Eat for 5 - 10 % more protein."
    assert scripted.chat_requests == []
