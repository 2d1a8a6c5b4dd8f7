"""atlas-box stopped a crashing atlas-llm and serves its crash report on the LLM port: Home
Assistant shows a repair issue saying what happened and what to try, not "unreachable"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.atlas.agent.spoken import BOX_CRASHED
from custom_components.atlas.const import DOMAIN, RECONNECT_INTERVAL
from wyoming_servers.box.crash_report import CrashReport, CrashReportHandler
from wyoming_servers.cli import WyomingServer
from wyoming_servers.protocol import KIB, Limits

from ..servers.wyoming_io import free_port
from .conftest import setup_atlas
from .scripted_llm import ScriptedLLM
from .spoken import english
from .test_agent import AGENT, AGENT_OPTIONS, converse

LIMITS = Limits(max_header_bytes=64 * KIB, max_data_bytes=1 << 20, max_payload_bytes=0)
REPORT = CrashReport(
    "atlas-llm",
    "SIGSEGV",
    3,
    ("llama_model_load: loaded", "ggml_backend_amx_mul_mat"),
    "run atlas-box with --cpu-weight-repack off",
)


@pytest.fixture
async def crashed_box(socket_enabled: None) -> AsyncIterator[WyomingServer]:
    """The box's real stand-in for a crashed atlas-llm, on a loopback port."""
    server = WyomingServer(
        f"tcp://127.0.0.1:{free_port()}",
        lambda reader, writer: CrashReportHandler(reader, writer, LIMITS, report=REPORT),
        LIMITS,
    )
    await server.start()
    yield server
    await server.stop()


async def test_crash_report_becomes_a_repair_issue_and_a_clear_answer(
    hass: HomeAssistant, crashed_box: WyomingServer
) -> None:
    entry = await setup_atlas(hass, crashed_box.port, agent=AGENT_OPTIONS)
    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, f"box_crashed_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "box_crashed"
    assert issue.severity == ir.IssueSeverity.ERROR
    details = issue.translation_placeholders["details"]
    assert "atlas-llm crashed with SIGSEGV 3 times in a row" in details
    assert "--cpu-weight-repack off" in details
    assert issues.async_get_issue(DOMAIN, f"box_unreachable_{entry.entry_id}") is None
    assert hass.states.get(AGENT).state != STATE_UNAVAILABLE  # the skills still answer

    result = await converse(hass, "Tell me a story about a lighthouse keeper.")
    assert result.response.speech["plain"]["speech"] == english(BOX_CRASHED)


async def test_the_issue_clears_when_the_real_model_answers_again(
    hass: HomeAssistant, crashed_box: WyomingServer
) -> None:
    port = crashed_box.port
    entry = await setup_atlas(hass, port, agent=AGENT_OPTIONS)
    issue_id = f"box_crashed_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    await crashed_box.stop()  # the user fixed the setting and restarted atlas-box
    fixed = ScriptedLLM()
    await fixed.start(port)
    try:
        async_fire_time_changed(hass, dt_util.utcnow() + RECONNECT_INTERVAL)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        await fixed.stop()
