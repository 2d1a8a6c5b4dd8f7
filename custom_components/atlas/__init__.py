"""ATLAS: a voice-first conversation agent served by the ATLAS GPU box (``atlas-llm``)."""

from __future__ import annotations

import asyncio

from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .client import AtlasClient, AtlasConnectionError, NotAtlasError
from .const import DOMAIN
from .health import BoxHealth
from .llm import async_register_api
from .runtime import AtlasConfigEntry, AtlasRuntimeData

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the ``atlas`` LLM API (the skills' tools) once for all entries."""
    async_register_api(hass)
    return True


PLATFORMS: tuple[Platform, ...] = (Platform.CONVERSATION,)
SETUP_TIMEOUT = 10.0


async def async_setup_entry(hass: HomeAssistant, entry: AtlasConfigEntry) -> bool:
    """Connect to the GPU box, then set up one conversation agent per subentry."""
    host: str = entry.data[CONF_HOST]
    port: int = entry.data[CONF_PORT]
    client = AtlasClient(host, port)
    placeholders = {"host": host, "port": str(port)}
    try:
        async with asyncio.timeout(SETUP_TIMEOUT):
            info = await client.async_describe()
    except (AtlasConnectionError, TimeoutError) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders=placeholders,
        ) from err
    except NotAtlasError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="not_atlas",
            translation_placeholders=placeholders,
        ) from err

    health = BoxHealth(hass, client, entry.entry_id, entry.title)
    entry.runtime_data = AtlasRuntimeData(client, info, health)
    entry.async_on_unload(health.async_shutdown)
    # The box answered: an unreachable-box issue left from before is stale.
    ir.async_delete_issue(hass, DOMAIN, health.issue_id)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: AtlasConfigEntry) -> bool:
    """Unload the agents, stop probing the box and clear its repair issue."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    ir.async_delete_issue(hass, DOMAIN, entry.runtime_data.health.issue_id)
    return True


async def _async_update_listener(hass: HomeAssistant, entry: AtlasConfigEntry) -> None:
    """Reload when the entry or one of its agent subentries changes."""
    hass.config_entries.async_schedule_reload(entry.entry_id)
