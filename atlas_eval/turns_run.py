"""Every ``atlas-eval turns`` line through the real ATLAS agent in a real Home Assistant.

In-process: Home Assistant's test instance (``pytest_homeassistant_custom_component``) outside
pytest, its storage in memory, the clock frozen at the world's now (asyncio keeps real time),
and ATLAS pointing at the scripted box, a real Wyoming server on 127.0.0.1. The world is seeded
once; before each line the entry is unloaded, its stores are put back as seeded and it is set
up again (a few milliseconds), so every line starts from the same world with a fresh agent.
"""

from __future__ import annotations

# isort: off
# Home Assistant's dt_util.utcnow is a partial freezegun cannot see: replace it before any
# other Home Assistant module binds it.
import pytest_homeassistant_custom_component.patch_time  # noqa: F401
# isort: on

import asyncio
import contextlib
import copy
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import freezegun
from homeassistant import loader
from homeassistant.components import conversation
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.helpers import chat_session, frame, translation
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
    mock_storage,
)

from custom_components.atlas.const import DOMAIN, EVENT_TURN

from .scripted_box import ScriptedLLM
from .turns_data import ToolRun, TurnLine, TurnRecord
from .world import COUNTRY, LANGUAGE, NOW, TIME_ZONE, agent_entity_id, async_seed, world_entry


def bare_name(tool: str) -> str:
    """``atlas__set_reminder`` → ``set_reminder`` (HA prefixes a merged API's tools)."""
    return tool.rsplit("__", 1)[-1]


class World:
    """Home Assistant with ATLAS on the scripted box, seeded with the world."""

    def __init__(
        self, hass: HomeAssistant, entry: MockConfigEntry, box: ScriptedLLM, storage: dict[str, Any]
    ) -> None:
        """Wrap a seeded instance; ``storage`` is the in-memory store data."""
        self.hass, self.entry, self.box, self.storage = hass, entry, box, storage
        self.agent_id = agent_entity_id(hass, entry)
        self._seeded = self._atlas_stores()
        self._turns: list[dict[str, Any]] = []
        hass.bus.async_listen(EVENT_TURN, self._on_turn)

    def _atlas_stores(self) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in self.storage.items() if k.startswith(f"{DOMAIN}.")})

    @callback
    def _on_turn(self, event: Event) -> None:
        self._turns.append(dict(event.data))

    async def reset(self) -> None:
        """Back to the seeded world with a fresh agent (nothing remembered of other lines)."""
        assert await self.hass.config_entries.async_unload(self.entry.entry_id)
        for key in [k for k in self.storage if k.startswith(f"{DOMAIN}.")]:
            del self.storage[key]
        self.storage.update(copy.deepcopy(self._seeded))
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done()
        self.box.requests.clear()

    async def run_line(self, line: TurnLine) -> list[TurnRecord]:
        """The line's turn, and for a clarify line the user's answer in the same conversation."""
        first = await self.converse(line.text, None, line.lang)
        if not line.clarify or line.answer is None or first.error is not None:
            return [first]
        return [first, await self.converse(line.answer, first.conversation_id, line.lang)]

    async def converse(self, text: str, conversation_id: str | None, language: str) -> TurnRecord:
        """One turn through ``conversation.async_converse``, and what it did."""
        self._turns.clear()
        asked = len(self.box.model_requests)
        record = TurnRecord(text, conversation_id)
        try:
            result = await conversation.async_converse(
                self.hass, text, conversation_id, Context(), language=language,
                agent_id=self.agent_id,
            )  # fmt: skip
            await self.hass.async_block_till_done()
        except Exception as err:  # a crashed turn is a wrong answer, not the end of the run
            record.error = f"{type(err).__name__}: {err}"
            return record
        record.conversation_id = result.conversation_id
        record.reply = str(result.response.speech.get("plain", {}).get("speech", "")).strip()
        record.continue_conversation = result.continue_conversation
        record.trace = self._turns[-1] if self._turns else {}
        record.tools = _tool_runs(self._turn_content(result.conversation_id or ""))
        record.model_requests = len(self.box.model_requests) - asked
        return record

    def _turn_content(self, conversation_id: str) -> list[conversation.Content]:
        """What the agent added to the chat log after the newest user message."""
        with (
            chat_session.async_get_chat_session(self.hass, conversation_id) as session,
            conversation.async_get_chat_log(self.hass, session) as chat_log,
        ):
            content = list(chat_log.content)
        users = [i for i, c in enumerate(content) if isinstance(c, conversation.UserContent)]
        return content[users[-1] + 1 :] if users else content


def _tool_runs(contents: list[conversation.Content]) -> list[ToolRun]:
    """The tool calls of a turn's chat-log content, each with its result."""
    runs: dict[str, ToolRun] = {}
    for content in contents:
        if isinstance(content, conversation.AssistantContent):
            for call in content.tool_calls or ():
                runs[call.id] = ToolRun(bare_name(call.tool_name), dict(call.tool_args))
        elif isinstance(content, conversation.ToolResultContent) and (
            run := runs.get(content.tool_call_id)
        ):
            run.result, run.error = dict(content.result.data), content.result.error
    return list(runs.values())


@contextlib.asynccontextmanager
async def running_world() -> AsyncIterator[World]:
    """Start the scripted box and Home Assistant, set ATLAS up and seed the world."""
    box = ScriptedLLM()
    await box.start()
    try:
        with (
            mock_storage() as storage,
            tempfile.TemporaryDirectory(prefix="atlas-eval-") as config_dir,
        ):
            async with async_test_home_assistant(config_dir=config_dir) as hass:
                yield await _async_setup(hass, box, storage)
                await hass.async_stop(force=True)
    finally:
        await box.stop()


async def _async_setup(hass: HomeAssistant, box: ScriptedLLM, storage: dict[str, Any]) -> World:
    frame.async_setup(hass)
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # let HA load custom_components.atlas
    await hass.config.async_update(time_zone=TIME_ZONE, country=COUNTRY, language=LANGUAGE)
    await translation.async_load_integrations(hass, {"homeassistant"})
    for component in ("homeassistant", "intent"):
        assert await async_setup_component(hass, component, {})
    entry = world_entry(box.port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id), "ATLAS did not set up"
    await hass.async_block_till_done()
    await async_seed(hass)
    return World(hass, entry, box, storage)


@contextlib.contextmanager
def frozen_clock() -> Iterator[None]:
    """The world's now for Home Assistant and ATLAS; asyncio keeps real monotonic time."""
    with freezegun.freeze_time(NOW, real_asyncio=True):
        yield


def run_lines(
    lines: list[TurnLine],
    progress: Callable[[int, TurnLine, list[TurnRecord]], None] | None = None,
    *,
    learned: bool = True,
) -> list[list[TurnRecord]]:
    """Every line's turns, each line from the seeded world (``progress`` after each;
    ``learned=False``: the cascade without its learned stage, rules then model)."""

    async def run_all() -> list[list[TurnRecord]]:
        done: list[list[TurnRecord]] = []
        async with running_world() as world:
            for index, line in enumerate(lines):
                await world.reset()
                if not learned:
                    world.entry.runtime_data.learned = None
                done.append(await world.run_line(line))
                if progress is not None:
                    progress(index, line, done[-1])
        return done

    with frozen_clock():
        return asyncio.run(run_all())
