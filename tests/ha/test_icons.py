"""Icon translations (``icons.json``): one icon per entity translation key and per action."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import probatio
import pytest
import yaml
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.icon import async_get_icons

from custom_components.atlas.const import DOMAIN

from .conftest import box_entry
from .scripted_llm import ScriptedLLM

pytestmark = pytest.mark.usefixtures("ha_core")

INTEGRATION_DIR = Path(__file__).resolve().parents[2] / "custom_components" / DOMAIN
ICON = re.compile(r"mdi:[a-z0-9]+(?:-[a-z0-9]+)*")
KEY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


def _icons_file() -> dict[str, Any]:
    icons: dict[str, Any] = json.loads((INTEGRATION_DIR / "icons.json").read_text())
    return icons


def _icon(value: Any) -> str:
    if not isinstance(value, str) or ICON.fullmatch(value) is None:
        raise probatio.Invalid(f"{value!r} is not a Material Design Icon (mdi:...)")
    return value


def _key(value: Any) -> str:
    if not isinstance(value, str) or KEY.fullmatch(value) is None:
        raise probatio.Invalid(f"{value!r} is not a translation key")
    return value


def test_icons_file_follows_hassfest_rules() -> None:
    """The parts of hassfest's icons schema this integration uses."""
    entity_icons = {
        probatio.Required("default"): _icon,
        probatio.Optional("state"): {_key: _icon},
    }
    schema = probatio.Schema(
        {
            probatio.Optional("entity"): {_key: {_key: entity_icons}},
            probatio.Optional("services"): {_key: {probatio.Required("service"): _icon}},
        }
    )
    schema(_icons_file())


async def test_every_entity_and_action_has_an_icon(
    hass: HomeAssistant, box: ScriptedLLM, entity_registry: er.EntityRegistry
) -> None:
    entry = box_entry(box.port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    registered = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    keyed = {(e.domain, e.translation_key) for e in registered if e.translation_key}
    assert ("sensor", "workout_streak") in keyed
    assert ("sensor", "cloud_spend_month") in keyed
    assert ("todo", "reminders") in keyed
    # What HA reads from icons.json (and sends to the frontend) …
    entity_icons = (await async_get_icons(hass, "entity", [DOMAIN]))[DOMAIN]
    with_icon = {(domain, key) for domain, keys in entity_icons.items() for key in keys}
    # … covers every entity translation key, and has no icon for a key no entity uses.
    assert with_icon == keyed
    # Nothing hard-codes an icon over the translations.
    for e in registered:
        assert e.original_icon is None, e.entity_id
        state = hass.states.get(e.entity_id)
        assert state is not None
        assert "icon" not in state.attributes, e.entity_id
    # Each icon key names an entity translation.
    translations = json.loads((INTEGRATION_DIR / "translations" / "en.json").read_text())
    for domain, key in with_icon:
        assert key in translations["entity"][domain], (domain, key)

    services = yaml.safe_load((INTEGRATION_DIR / "services.yaml").read_text())
    assert set(hass.services.async_services_for_domain(DOMAIN)) == set(services)
    service_icons = (await async_get_icons(hass, "services", [DOMAIN]))[DOMAIN]
    assert set(service_icons) == set(services)
    assert all(ICON.fullmatch(icons["service"]) for icons in service_icons.values())
