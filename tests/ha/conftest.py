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
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from wyoming.event import async_read_event, async_write_event
from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info

from custom_components.atlas.config_flow import DEFAULT_CONVERSATION_OPTIONS
from custom_components.atlas.const import DEFAULT_CONVERSATION_NAME, DOMAIN
from tests.servers.wyoming_io import ServerProcess, allow_loopback, free_port, start_server

from .scripted_llm import ScriptedLLM

HOST = "127.0.0.1"
MODEL = "smollm2-135m"


@pytest.fixture(autouse=True)
def _loopback_sockets() -> None:
    allow_loopback()


@pytest.fixture(scope="session")
def atlas_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real atlas-llm (bundled SmolLM2-135M-Instruct) on a loopback port, for every HA test."""
    allow_loopback()
    log_dir: Path = tmp_path_factory.mktemp("atlas-llm")
    server = start_server("wyoming_servers.llm", "--threads", "2", log_dir=log_dir)
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
    port: int, *, host: str = HOST, data: dict[str, Any] | None = None, **kwargs: Any
) -> MockConfigEntry:
    """A config entry for the box at ``host:port`` with the default conversation agent."""
    kwargs.setdefault(
        "subentries_data",
        [
            {
                "subentry_type": "conversation",
                "data": dict(DEFAULT_CONVERSATION_OPTIONS),
                "title": DEFAULT_CONVERSATION_NAME,
                "unique_id": None,
            }
        ],
    )
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"ATLAS ({MODEL})",
        data={CONF_HOST: host, CONF_PORT: port, **(data or {})},
        unique_id=f"{host}:{port}",
        **kwargs,
    )


@pytest.fixture
async def ha_core(hass: HomeAssistant) -> None:
    """HA's core integration: ``conversation`` (ATLAS's dependency) needs its exposed entities."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, ha_core: None, atlas_box: ServerProcess
) -> MockConfigEntry:
    """The box entry, set up against the real atlas-llm."""
    entry = box_entry(atlas_box.port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


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
