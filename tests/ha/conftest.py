"""Fixtures of the integration tests: a real atlas-llm, a plain Wyoming server, config entries."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import probatio
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigSubentryData
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from wyoming.event import async_read_event, async_write_event
from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info

from custom_components.atlas.config_flow import DEFAULT_CONVERSATION_OPTIONS
from custom_components.atlas.const import (
    DEFAULT_AI_TASK_NAME,
    DEFAULT_CONVERSATION_NAME,
    DOMAIN,
    SUBENTRY_AI_TASK,
    SUBENTRY_CONVERSATION,
)
from tests.servers.wyoming_io import ServerProcess, allow_loopback, free_port, start_server

from .scripted_llm import ScriptedLLM

HOST = "127.0.0.1"
MODEL = "smollm2-135m"


@pytest.fixture(autouse=True)
def _loopback_sockets() -> None:
    allow_loopback()


def start_llm(log_dir: Path, port: int | None = None) -> ServerProcess:
    """A real atlas-llm child process (on ``port``, or a free one), logging to ``log_dir``."""
    return start_server("wyoming_servers.llm", "--threads", "2", log_dir=log_dir, port=port)


@pytest.fixture(scope="session")
def atlas_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The real atlas-llm (bundled SmolLM2-135M-Instruct) on a loopback port, shared by every HA
    test that needs the real model; tests that kill or restart a box start their own."""
    allow_loopback()
    server = start_llm(tmp_path_factory.mktemp("atlas-llm"))
    yield server
    assert server.stop() == 0, server.log()[-2000:]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.fixture
async def plain_wyoming() -> AsyncIterator[int]:
    """A real Wyoming server that is no atlas-llm: it describes itself as speech-to-text."""
    info = Info(
        asr=[
            AsrProgram(
                name="some-stt",
                description="A Wyoming speech-to-text server",
                attribution=Attribution(name="test", url="https://example.com"),
                installed=True,
                version="1.0",
                models=[
                    AsrModel(
                        name="tiny",
                        description="tiny",
                        attribution=Attribution(name="test", url="https://example.com"),
                        installed=True,
                        languages=["en"],
                        version="1.0",
                    )
                ],
            )
        ]
    )

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while (event := await async_read_event(reader)) is not None:
                if Describe.is_type(event.type):
                    await async_write_event(info.event(), writer)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    server = await asyncio.start_server(serve, HOST, 0)
    yield int(server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()


def state_of(entry: ConfigEntry) -> ConfigEntryState:
    """The entry's state, read afresh (keeps mypy from narrowing it across awaits)."""
    return entry.state


def form_schema(result: Mapping[str, Any]) -> probatio.Schema:
    """The data schema of a form result."""
    schema = result["data_schema"]
    assert isinstance(schema, probatio.Schema)
    return schema


def box_entry(
    port: int,
    *,
    host: str = HOST,
    data: Mapping[str, Any] | None = None,
    agent: Mapping[str, Any] | None = DEFAULT_CONVERSATION_OPTIONS,
    ai_task: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> MockConfigEntry:
    """The ATLAS config entry of the tests: the box at ``host:port`` (``data`` added).

    Its subentries: a conversation agent with the ``agent`` options and an AI Task with the
    ``ai_task`` options, each under its default title (``None``: no such subentry); an explicit
    ``subentries_data`` replaces both. Other keywords (``options``, ``entry_id``) go to
    ``MockConfigEntry``.
    """
    subentries: list[ConfigSubentryData] = []
    if agent is not None:
        subentries.append(
            ConfigSubentryData(
                data=dict(agent),
                subentry_type=SUBENTRY_CONVERSATION,
                title=DEFAULT_CONVERSATION_NAME,
                unique_id=None,
            )
        )
    if ai_task is not None:
        subentries.append(
            ConfigSubentryData(
                data=dict(ai_task),
                subentry_type=SUBENTRY_AI_TASK,
                title=DEFAULT_AI_TASK_NAME,
                unique_id=None,
            )
        )
    kwargs.setdefault("subentries_data", subentries)
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"ATLAS ({MODEL})",
        data={CONF_HOST: host, CONF_PORT: port, **(data or {})},
        unique_id=f"{host}:{port}",
        **kwargs,
    )


async def setup_atlas(hass: HomeAssistant, port: int, **entry: Any) -> MockConfigEntry:
    """Add ``box_entry(port, **entry)``, set it up with HA's core integration and ``intent``, and
    check it loaded."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "intent", {})
    config_entry = box_entry(port, **entry)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(config_entry) is ConfigEntryState.LOADED
    return config_entry


@pytest.fixture
async def ha_core(hass: HomeAssistant) -> None:
    """HA's core integration: ``conversation`` (ATLAS's dependency) needs its exposed entities."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, ha_core: None, atlas_box: ServerProcess
) -> MockConfigEntry:
    """The box entry, set up against the real atlas-llm."""
    return await setup_atlas(hass, atlas_box.port)


@pytest.fixture
async def scripted(socket_enabled: None) -> AsyncIterator[ScriptedLLM]:
    """A scripted atlas-llm on a loopback port (exact tool calls, for the agent's loop)."""
    server = ScriptedLLM()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def box(scripted: ScriptedLLM) -> ScriptedLLM:
    """A scripted GPU box for tests that only need the entry set up (``describe``)."""
    return scripted


async def restart(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Unload the entry and set it up again (what an HA restart does to it)."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: datetime) -> None:
    """Travel to ``moment`` and let every timer due by then fire."""
    freezer.move_to(moment)
    async_fire_time_changed(hass, moment)
    await hass.async_block_till_done()
