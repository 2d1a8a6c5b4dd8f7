"""Diagnostics of a GPU box entry, fetched through HA's diagnostics HTTP API."""

from __future__ import annotations

import pytest
from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.atlas.const import CONF_PROMPT, CONF_THINKING
from custom_components.atlas.skills.quick_answers import CONF_HEIGHT_CM, CONF_WEIGHT_KG
from custom_components.atlas.skills.workouts import CONF_GOAL_REPS
from tests.servers.wyoming_io import ServerProcess

from .conftest import HOST, MODEL, box_entry
from .scripted_llm import ScriptedLLM

pytestmark = pytest.mark.usefixtures("ha_core")

SECRET = "sk-ant-api03-not-a-real-key"


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, atlas_box: ServerProcess
) -> None:
    entry = box_entry(atlas_box.port, data={CONF_API_KEY: SECRET})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert SECRET not in str(diagnostics)
    assert diagnostics["data"] == {
        CONF_HOST: HOST,
        CONF_PORT: atlas_box.port,
        CONF_API_KEY: REDACTED,
    }
    assert diagnostics["state"] == "loaded"
    (agent,) = diagnostics["subentries"].values()
    assert agent["subentry_type"] == "conversation"
    assert agent["data"][CONF_PROMPT] == REDACTED
    assert agent["data"][CONF_THINKING] == "auto"
    box = diagnostics["box"]
    assert box["model"] == MODEL
    assert box["n_ctx"] == 4096
    assert box["extension"]["protocol"] == "atlas-chat/1"
    assert diagnostics["health"] == {"available": True}
    agents = {e["subentry_id"] for e in diagnostics["entities"].values() if e["subentry_id"]}
    assert agents == set(entry.subentries)  # one agent per subentry, beside the skills' entities


async def test_diagnostics_follow_box_health(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, atlas_box: ServerProcess
) -> None:
    entry = box_entry(atlas_box.port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entry.runtime_data.health.mark_lost("test")

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["health"] == {"available": False}

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_diagnostics_redact_body_data(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, box: ScriptedLLM
) -> None:
    """The user's height and weight (entry options) are personal: redacted like the key."""
    options = {CONF_HEIGHT_CM: 187, CONF_WEIGHT_KG: 81.7, CONF_GOAL_REPS: 50}
    entry = box_entry(box.port, options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["options"] == {
        CONF_HEIGHT_CM: REDACTED,
        CONF_WEIGHT_KG: REDACTED,
        CONF_GOAL_REPS: 50,
    }
    assert "81.7" not in str(diagnostics)
    assert entry.options[CONF_WEIGHT_KG] == 81.7  # redacted in the copy only
