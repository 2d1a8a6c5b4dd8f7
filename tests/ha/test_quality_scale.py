"""quality_scale.yaml is true to the code: each claim below is checked against what it names.

A rule marked done fails here when the code stops doing it; a rule marked todo fails when the
gap it describes is gone (then the YAML is out of date the other way).
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component

from custom_components.atlas.const import DOMAIN

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "atlas"
REPO = PACKAGE.parents[1]
RULES: dict[str, Any] = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text())["rules"]
SERVICES: dict[str, Any] = yaml.safe_load((PACKAGE / "services.yaml").read_text()) or {}
TRANSLATIONS: dict[str, Any] = json.loads((PACKAGE / "translations" / "en.json").read_text())
PLATFORM_MODULES = ("conversation", "ai_task", "sensor", "todo")


def status(rule: str) -> str:
    """A rule's status, whether written as a string or with a comment."""
    value = RULES[rule]
    return str(value["status"] if isinstance(value, dict) else value)


def comment(rule: str) -> str:
    value = RULES[rule]
    return str(value.get("comment", "")) if isinstance(value, dict) else ""


def source(name: str) -> str:
    return (PACKAGE / f"{name}.py").read_text()


def test_no_exemption_denies_the_actions_that_exist() -> None:
    assert SERVICES, "services.yaml lists atlas.log_workout"
    for rule in RULES:
        if status(rule) == "exempt":
            assert "no service actions" not in comment(rule), rule


async def test_action_setup_registers_the_actions_without_an_entry(
    hass: HomeAssistant, ha_core: None
) -> None:
    assert status("action-setup") == "done"
    assert await async_setup_component(hass, DOMAIN, {})
    for name in SERVICES:
        assert hass.services.has_service(DOMAIN, name), name


async def test_action_exceptions_are_service_validation_errors(
    hass: HomeAssistant, ha_core: None
) -> None:
    assert status("action-exceptions") == "done"
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError):  # no ATLAS entry is loaded
        await hass.services.async_call(
            DOMAIN, "log_workout", {"exercise": "push-ups", "reps": 10}, blocking=True
        )
    # Every translation key the service raises has an English message.
    tree = ast.parse(source("services") + source("skills/workouts"))
    keys = {
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword)
        and node.arg == "translation_key"
        and isinstance(node.value, ast.Constant)
    }
    keys |= {
        node.value
        for node in ast.walk(ast.parse(source("skills/workouts")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in TRANSLATIONS["exceptions"]
    }
    assert keys
    assert keys <= set(TRANSLATIONS["exceptions"]), keys - set(TRANSLATIONS["exceptions"])


def test_docs_actions_document_every_action() -> None:
    assert status("docs-actions") == "done"
    docs = (REPO / "docs" / "automations.md").read_text()
    for name, spec in SERVICES.items():
        assert f"`atlas.{name}`" in docs, name
        for field in spec.get("fields", {}):
            assert f"`{field}`" in docs, (name, field)


def test_entity_category_and_device_classes_are_set() -> None:
    assert status("entity-category") == "done"
    assert status("entity-device-class") == "done"
    from custom_components.atlas import sensor

    # (tests/ha/test_budget.py reads the category from the entity registry.)
    assert "_attr_entity_category = EntityCategory.DIAGNOSTIC" in source("cloud/budget_sensor")
    classes = {d.key: d.device_class for d in sensor.SENSORS}
    assert classes["workout_streak"] is not None
    assert classes["active_minutes_today"] is not None


def test_entity_translations_name_every_entity() -> None:
    assert status("entity-translations") == "done"
    from custom_components.atlas import sensor
    from custom_components.atlas.cloud import budget_sensor

    names = TRANSLATIONS["entity"]
    for description in (*sensor.SENSORS, *budget_sensor.BUDGET_SENSORS):
        assert description.translation_key in names["sensor"], description.key
    assert "reminders" in names["todo"]


def test_icon_translations_exist() -> None:
    assert status("icon-translations") == "done"
    icons = json.loads((PACKAGE / "icons.json").read_text())
    assert icons["entity"]["sensor"]
    assert set(icons["services"]) == set(SERVICES)


def test_inject_websession_uses_home_assistants_client() -> None:
    assert status("inject-websession") == "done"
    assert "get_async_client(hass)" in source("cloud/claude")


def test_parallel_updates_is_declared_by_every_platform() -> None:
    assert status("parallel-updates") == "done"
    for name in PLATFORM_MODULES:
        module = importlib.import_module(f"custom_components.atlas.{name}")
        assert isinstance(module.PARALLEL_UPDATES, int), name


def test_discovery_reconfiguration_diagnostics_and_repairs_exist() -> None:
    manifest = json.loads((PACKAGE / "manifest.json").read_text())
    flow = source("config_flow")
    assert status("discovery") == "done"
    assert manifest["zeroconf"]
    assert "async def async_step_zeroconf" in flow
    assert status("reconfiguration-flow") == "done"
    assert "async def async_step_reconfigure" in flow
    assert status("diagnostics") == "done"
    assert "async def async_get_config_entry_diagnostics" in source("diagnostics")
    assert status("repair-issues") == "done"
    assert {"box_unreachable", "box_crashed"} <= set(TRANSLATIONS["issues"])


def test_strict_typing_runs_in_the_test_command() -> None:
    assert status("strict-typing") == "done"
    assert "mypy wyoming_servers custom_components" in (REPO / "scripts" / "atlas").read_text()
    assert "strict = true" in (REPO / "pyproject.toml").read_text()


def test_exception_translations_cover_what_the_agent_says() -> None:
    """Done: every spoken failure is a translation key, and no module speaks an English literal."""
    from custom_components.atlas.agent import spoken

    assert status("exception-translations") == "done"
    keys = (
        {value.key for value in vars(spoken).values() if isinstance(value, spoken.Spoken)}
        | {spoken.fallback_note(r).key for r in (*spoken.FALLBACK_REASONS, "other")}
        | {spoken.safe_medical_answer().key}
        | {spoken.emergency_answer(c).key for c in (None, "US")}
    )
    exceptions = TRANSLATIONS["exceptions"]
    assert keys - set(exceptions) == set()
    for language in ("de", "es", "fr"):
        other = json.loads((PACKAGE / "translations" / f"{language}.json").read_text())
        assert keys - set(other["exceptions"]) == set(), language
    for module in ("entity", "conversation", "ai_task", "agent/policy", "cloud/claude"):
        assert "Sorry" not in source(module), module
