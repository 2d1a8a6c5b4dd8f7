"""ATLAS: a voice-first conversation agent served by the ATLAS GPU box (``atlas-llm``)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .agent.learned import LearnedStage, load_stage
from .box.client import AtlasClient, AtlasConnectionError, AtlasInfo, NotAtlasError
from .box.health import BoxHealth
from .cloud.budget import storage_key as budget_storage_key
from .cloud.claude import ClaudeConnection, async_load_budget
from .const import DOMAIN, LOGGER
from .runtime import AtlasConfigEntry, AtlasRuntimeData
from .services import async_setup_services
from .skills import plans, workouts
from .skills.api import async_register_api
from .skills.setup import async_setup_skills

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the ``atlas`` LLM API (the skills' tools) once for all entries."""
    async_register_api(hass)
    async_setup_services(hass)
    return True


PLATFORMS: tuple[Platform, ...] = (
    Platform.AI_TASK,
    Platform.CONVERSATION,
    Platform.SENSOR,
    Platform.TODO,
)
SETUP_TIMEOUT = 10.0
# What the entry knows of a box that did not answer at set-up (until it does).
UNKNOWN_INFO = AtlasInfo(model="unknown", n_ctx=4096, version=None)


async def async_setup_entry(hass: HomeAssistant, entry: AtlasConfigEntry) -> bool:
    """Connect to the GPU box, then set up the skills and one agent per subentry.

    A box that does not answer does not block set-up (reminders work without it): the agents
    start unavailable, a repair issue is raised, and the entry reloads once the box is back.
    """
    host: str = entry.data[CONF_HOST]
    port: int = entry.data[CONF_PORT]
    client = AtlasClient(host, port)
    placeholders = {"host": host, "port": str(port)}
    lost: str | None = None
    try:
        async with asyncio.timeout(SETUP_TIMEOUT):
            info = await client.async_describe()
    except (AtlasConnectionError, TimeoutError) as err:
        info, lost = UNKNOWN_INFO, str(err) or "no answer"
    except NotAtlasError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="not_atlas",
            translation_placeholders=placeholders,
        ) from err

    health = BoxHealth(hass, client, entry.entry_id, entry.title)
    entry.async_on_unload(health.async_shutdown)
    if lost is None:
        # The box answered: issues left from before are stale, unless it still reports a crash.
        ir.async_delete_issue(hass, DOMAIN, health.issue_id)
        ir.async_delete_issue(hass, DOMAIN, health.crash_issue_id)
        if info.crash is not None:
            health.mark_crashed(info.crash)
    else:
        health.mark_lost(lost)
    if not health.healthy:
        entry.async_on_unload(health.async_add_listener(partial(_async_box_back, hass, entry)))

    skills = await async_setup_skills(hass, entry)
    budget = await async_load_budget(hass, entry)
    entry.runtime_data = AtlasRuntimeData(
        client=client,
        info=info,
        health=health,
        skills=skills,
        claude=ClaudeConnection(hass, entry, budget),
        learned=await _async_load_learned(hass),
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    return True


async def _async_load_learned(hass: HomeAssistant) -> LearnedStage | None:
    """The cascade's learned stage (shipped fitted; milliseconds), or None when it cannot be
    read: the rules and the model then understand every turn, as before."""
    try:
        return await hass.async_add_executor_job(load_stage)
    except (OSError, ValueError, KeyError) as err:
        LOGGER.warning("The learned intent stage is not available: %s", err)
        return None


@callback
def _async_box_back(hass: HomeAssistant, entry: AtlasConfigEntry) -> None:
    """The box answers at last (its model loaded): reload to learn what it serves."""
    if entry.runtime_data.health.healthy:
        hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: AtlasConfigEntry) -> bool:
    """Unload the agents, stop probing the box and clear its repair issue."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    ir.async_delete_issue(hass, DOMAIN, entry.runtime_data.health.issue_id)
    ir.async_delete_issue(hass, DOMAIN, entry.runtime_data.health.crash_issue_id)
    return True


async def _async_update_listener(hass: HomeAssistant, entry: AtlasConfigEntry) -> None:
    """Reload when the entry or one of its agent subentries changes."""
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_remove_entry(hass: HomeAssistant, entry: AtlasConfigEntry) -> None:
    """Delete what the entry stored in ``.storage``: its reminders, workout log, saved plans
    and Claude budget (HA has unloaded the entry, so nothing writes them again)."""
    for key in (
        f"{DOMAIN}.{entry.entry_id}.reminders",  # reminders.ReminderManager's key
        workouts.storage_key(entry.entry_id),
        plans.storage_key(entry.entry_id),
        budget_storage_key(entry.entry_id),
    ):
        # The version only matters for reading; removing deletes the file whatever it holds.
        await Store[dict[str, Any]](hass, 1, key).async_remove()
