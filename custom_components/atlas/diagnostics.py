"""Diagnostics: the entry, its agents, what the GPU box said about itself, and its health."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import CONF_PROMPT
from .runtime import AtlasConfigEntry
from .skills.quick_answers import CONF_HEIGHT_CM, CONF_WEIGHT_KG

# Secrets (the Claude key will live in the entry), the prompts, which may be personal, and the
# user's body data (height and weight, in the entry's options).
TO_REDACT = {
    CONF_API_KEY,
    CONF_TOKEN,
    CONF_PASSWORD,
    "access_token",
    CONF_PROMPT,
    CONF_HEIGHT_CM,
    CONF_WEIGHT_KG,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AtlasConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for one GPU box entry."""
    diagnostics: dict[str, Any] = {
        "title": entry.title,
        "entry_version": f"{entry.version}.{entry.minor_version}",
        "state": entry.state.value,
        "data": async_redact_data(entry.data, TO_REDACT),
        "options": async_redact_data(entry.options, TO_REDACT),
        "subentries": {
            subentry.subentry_id: {
                "title": subentry.title,
                "subentry_type": subentry.subentry_type,
                "data": async_redact_data(subentry.data, TO_REDACT),
            }
            for subentry in entry.subentries.values()
        },
        "entities": {
            entity.entity_id: {
                "subentry_id": entity.config_subentry_id,
                "disabled_by": entity.disabled_by,
            }
            for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        },
    }
    if entry.state is ConfigEntryState.LOADED:
        runtime = entry.runtime_data
        diagnostics["box"] = {
            "model": runtime.info.model,
            "n_ctx": runtime.info.n_ctx,
            "version": runtime.info.version,
            "extension": async_redact_data(runtime.info.extension, TO_REDACT),
        }
        diagnostics["health"] = {"available": runtime.health.available}
    return diagnostics
