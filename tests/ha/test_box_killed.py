"""Reliability: the GPU box is killed (SIGKILL) in the middle of an answer.

A real atlas-llm runs as a child process; ATLAS streams a long answer from it, the process is
killed after the first words, and the agent must apologise at once, show itself unavailable with
a repair issue, come back when a new atlas-llm listens on the same port, and lose nothing: the
logged workout, the reminder and the conversation all survive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import ATTR_ENTITY_ID, CONF_LLM_HASS_API, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.atlas.agent.spoken import BOX_DROPPED, BOX_UNREACHABLE
from custom_components.atlas.box.client import AtlasClient, ChatEvent
from custom_components.atlas.const import DOMAIN, RECONNECT_INTERVAL

from ..servers.wyoming_io import ServerProcess
from .conftest import setup_atlas, start_llm
from .spoken import english
from .test_agent import AGENT, AGENT_OPTIONS, converse

LIST = "todo.atlas_reminders"
WORKOUTS_TODAY = "sensor.atlas_workouts_workouts_today"
# Small talk the rules read as chat: the tiny embedded model may answer it (agent/tiers.py).
LONG_QUESTION = "Tell me a long joke about a dragon and a knight, with lots of detail."
STREAMED_DELTAS = 5  # content deltas of the answer received before the box is killed


@pytest.fixture
def llm_box(socket_enabled: None, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real atlas-llm child process (killed by the test, stopped here in any case)."""
    server = start_llm(tmp_path)
    yield server
    server.stop()


class StreamWatch:
    """Records the requests the agent sends and counts the content deltas it receives."""

    def __init__(self, client: AtlasClient) -> None:
        self.requests: list[dict[str, Any]] = []
        self.deltas = 0
        self.streaming = asyncio.Event()
        original = client.async_chat

        async def watched(request: dict[str, Any]) -> AsyncIterator[ChatEvent]:
            self.requests.append(request)
            answer = "response_format" not in request  # not the structured pass
            async for event in original(request):
                if answer and event.kind == "delta" and event.data.get("content"):
                    self.deltas += 1
                    if self.deltas >= STREAMED_DELTAS:
                        self.streaming.set()
                yield event

        client.async_chat = watched  # type: ignore[method-assign]


async def todo_items(hass: HomeAssistant) -> list[str]:
    response: Any = await hass.services.async_call(
        "todo", "get_items", {}, target={ATTR_ENTITY_ID: LIST}, blocking=True,
        return_response=True,
    )  # fmt: skip
    return [item["summary"] for item in response[LIST]["items"]]


def box_issue(hass: HomeAssistant) -> bool:
    return any(domain == DOMAIN for domain, _ in ir.async_get(hass).issues)


def speech(result: Any) -> str:
    return str(result.response.speech["plain"]["speech"]).strip()


async def test_box_killed_mid_answer_recovers_and_loses_nothing(
    hass: HomeAssistant, llm_box: ServerProcess, tmp_path: Path
) -> None:
    entry = await setup_atlas(hass, llm_box.port, agent={**AGENT_OPTIONS, CONF_LLM_HASS_API: []})
    await hass.services.async_call(
        DOMAIN, "log_workout", {"exercise": "Push-ups", "reps": 20}, blocking=True,
        return_response=True,
    )  # fmt: skip
    due = (dt_util.now() + timedelta(days=1)).replace(microsecond=0)
    await hass.services.async_call(
        "todo", "add_item",
        {"item": "Stretch", "due_datetime": due.strftime("%Y-%m-%d %H:%M:%S")},
        target={ATTR_ENTITY_ID: LIST}, blocking=True,
    )  # fmt: skip
    await hass.async_block_till_done()
    watch = StreamWatch(entry.runtime_data.client)

    turn = hass.async_create_task(converse(hass, LONG_QUESTION))
    async with asyncio.timeout(120):
        await watch.streaming.wait()
    assert not turn.done(), "the answer ended before the box could be killed"
    llm_box.proc.kill()
    killed_at, streamed = time.monotonic(), watch.deltas
    async with asyncio.timeout(5):
        result = await turn
    apology_s = time.monotonic() - killed_at

    assert speech(result) == english(BOX_DROPPED)
    assert apology_s < 5
    assert llm_box.proc.wait(5) is not None
    state = hass.states.get(AGENT)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    assert box_issue(hass)

    # Still down: a probe changes nothing, a turn gets the other apology at once.
    async_fire_time_changed(hass, dt_util.utcnow() + RECONNECT_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)  # the probe still fails
    down = await converse(hass, "Are you there?", result.conversation_id)
    assert speech(down) in (english(BOX_UNREACHABLE), english(BOX_DROPPED))

    # A new atlas-llm on the same port: the periodic probe brings the agent back.
    back = await hass.async_add_executor_job(start_llm, tmp_path, llm_box.port)
    try:
        async_fire_time_changed(hass, dt_util.utcnow() + 2 * RECONNECT_INTERVAL)
        await hass.async_block_till_done(wait_background_tasks=True)
        state = hass.states.get(AGENT)
        assert state is not None
        assert state.state != STATE_UNAVAILABLE
        assert not box_issue(hass)

        follow_up = await converse(hass, "Hello!", result.conversation_id)
        assert speech(follow_up)
        assert speech(follow_up) not in (english(BOX_DROPPED), english(BOX_UNREACHABLE))
        assert follow_up.conversation_id == result.conversation_id

        # Nothing lost: the workout, the reminder and the earlier turns of the conversation.
        workouts = hass.states.get(WORKOUTS_TODAY)
        assert workouts is not None
        assert workouts.state == "1"
        assert await todo_items(hass) == ["Stretch"]
        chat = [r for r in watch.requests if "response_format" not in r][-1]
        said = [m["content"] for m in chat["messages"] if m["role"] == "user"]
        # The newest message carries the turn's notes (clock, structured pass) in front.
        assert said[-3:-1] == [LONG_QUESTION, "Are you there?"]
        assert said[-1].rsplit("\n\n", 1)[-1] == "Hello!"
    finally:
        await hass.async_add_executor_job(back.stop)
    print(f"apology {apology_s:.3f} s after SIGKILL, {streamed} answer deltas streamed")
