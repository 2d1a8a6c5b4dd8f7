"""Set-up and unload of a GPU box entry, and the integration's packaging (manifest, brand)."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

import probatio
import pytest
import yaml
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.atlas.config_flow import DEFAULT_CONVERSATION_OPTIONS
from custom_components.atlas.const import DOMAIN, ISSUE_BOX_UNREACHABLE, RECONNECT_INTERVAL
from tests.servers.wyoming_io import ServerProcess

from .conftest import MODEL, box_entry, state_of
from .scripted_llm import ScriptedLLM

INTEGRATION_DIR = Path(__file__).resolve().parents[2] / "custom_components" / DOMAIN
REPO = INTEGRATION_DIR.parents[1]
IOT_CLASSES = (
    "assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling", "local_push",
)  # fmt: skip


@pytest.mark.usefixtures("ha_core")
async def test_setup_and_unload(hass: HomeAssistant, atlas_box: ServerProcess) -> None:
    entry = box_entry(atlas_box.port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(entry) is ConfigEntryState.LOADED
    runtime = entry.runtime_data
    assert runtime.info.model == MODEL
    assert runtime.info.n_ctx == 4096
    assert runtime.client.port == atlas_box.port
    assert runtime.health.available

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.NOT_LOADED


async def test_one_agent_entity_per_subentry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    def agents() -> set[str | None]:
        entities = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
        return {e.config_subentry_id for e in entities if e.domain == "conversation"}

    assert agents() == set(loaded_entry.subentries)

    # Adding an agent reloads the entry through its update listener.
    hass.config_entries.async_add_subentry(
        loaded_entry,
        ConfigSubentry(
            data=MappingProxyType(dict(DEFAULT_CONVERSATION_OPTIONS)),
            subentry_type="conversation",
            title="Second agent",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done()
    assert state_of(loaded_entry) is ConfigEntryState.LOADED
    assert len(loaded_entry.subentries) == 2
    assert agents() == set(loaded_entry.subentries)


def agent_state(hass: HomeAssistant) -> str:
    state = hass.states.get("conversation.atlas_conversation")
    assert state is not None
    return state.state


@pytest.mark.usefixtures("ha_core")
async def test_box_down_sets_up_unavailable_until_it_answers(
    hass: HomeAssistant, closed_port: int, issue_registry: ir.IssueRegistry
) -> None:
    """A box that is down does not block set-up (reminders work without it)."""
    entry = box_entry(closed_port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED
    assert not entry.runtime_data.health.available
    assert entry.runtime_data.info.model == "unknown"
    assert agent_state(hass) == "unavailable"
    issue = issue_registry.async_get_issue(DOMAIN, f"{ISSUE_BOX_UNREACHABLE}_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": entry.title, "host": "127.0.0.1", "port": str(closed_port),
    }  # fmt: skip

    # The box comes up on that port: the periodic probe finds it and the entry reloads.
    box = ScriptedLLM()
    await box.start(port=closed_port)
    try:
        async_fire_time_changed(hass, dt_util.utcnow() + RECONNECT_INTERVAL)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert state_of(entry) is ConfigEntryState.LOADED
        assert entry.runtime_data.health.available
        assert entry.runtime_data.info.model == "scripted"
        assert agent_state(hass) != "unavailable"
        assert issue_registry.async_get_issue(DOMAIN, issue.issue_id) is None
    finally:
        await box.stop()


@pytest.mark.usefixtures("ha_core")
async def test_not_an_atlas_box_means_not_ready(hass: HomeAssistant, plain_wyoming: int) -> None:
    entry = box_entry(plain_wyoming)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert state_of(entry) is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "not_atlas"


@pytest.mark.usefixtures("ha_core")
async def test_repair_issue_cleared_on_setup_and_unload(
    hass: HomeAssistant, atlas_box: ServerProcess, issue_registry: ir.IssueRegistry
) -> None:
    entry = box_entry(atlas_box.port)
    entry.add_to_hass(hass)
    issue_id = f"{ISSUE_BOX_UNREACHABLE}_{entry.entry_id}"
    # Left over from a previous run when the box was down.
    ir.async_create_issue(
        hass, DOMAIN, issue_id, is_fixable=False, severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_BOX_UNREACHABLE,
        translation_placeholders={"name": entry.title, "host": "h", "port": "1"},
    )  # fmt: skip
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    # The box drops while loaded: an issue and a reconnect probe; unloading clears both.
    health = entry.runtime_data.health
    health.mark_lost("test")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert health._unsub_probe is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert health._unsub_probe is None


# --- packaging ---------------------------------------------------------------------------------


def _manifest() -> dict[str, object]:
    data: dict[str, object] = json.loads((INTEGRATION_DIR / "manifest.json").read_text())
    return data


def test_manifest_follows_hassfest_rules() -> None:
    """The custom-integration rules of HA's hassfest, restated for this manifest."""

    def https_outside_core_docs(url: str) -> str:
        if not url.startswith("https://") or url.startswith(
            "https://www.home-assistant.io/integrations"
        ):
            raise probatio.Invalid(f"bad documentation URL {url}")
        return url

    def version(value: str) -> str:
        if AwesomeVersion(value).strategy is AwesomeVersionStrategy.UNKNOWN:
            raise probatio.Invalid(f"'{value}' is not a valid version")
        return value

    schema = probatio.Schema(
        {
            probatio.Required("domain"): DOMAIN,
            probatio.Required("name"): str,
            probatio.Required("codeowners"): [str],
            probatio.Optional("config_flow"): bool,
            probatio.Optional("dependencies"): [str],
            probatio.Required("documentation"): probatio.All(str, https_outside_core_docs),
            probatio.Optional("integration_type"): probatio.In(
                ["device", "entity", "hardware", "helper", "hub", "service", "system"]
            ),
            probatio.Required("iot_class"): probatio.In(IOT_CLASSES),
            probatio.Optional("issue_tracker"): probatio.Url(),
            probatio.Optional("loggers"): [str],
            probatio.Optional("requirements"): [str],
            probatio.Required("version"): probatio.All(str, version),
            probatio.Optional("zeroconf"): [
                probatio.Any(
                    str,
                    {probatio.Required("type"): str, probatio.Optional("properties"): {str: str}},
                )
            ],
        }
    )
    manifest = _manifest()
    schema(manifest)
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "hassfest wants domain, name, then alphabetical keys"
    assert manifest["version"] == "0.1.0"
    assert manifest["iot_class"] == "local_push"
    assert manifest["integration_type"] == "service"
    assert manifest["dependencies"] == ["conversation"]
    assert manifest["zeroconf"] == [
        {"type": "_wyoming._tcp.local.", "properties": {"atlas": "llm"}}
    ]
    assert manifest["requirements"] == ["anthropic>=0.125.0,<3", "numpy>=2.0", "wyoming>=1.8.0"]


async def test_home_assistant_loads_the_integration(hass: HomeAssistant) -> None:
    integration = await loader.async_get_integration(hass, DOMAIN)
    assert not integration.is_built_in
    assert integration.version == AwesomeVersion("0.1.0")
    assert integration.config_flow
    assert integration.dependencies == ["conversation"]
    assert integration.has_branding
    matchers = await loader.async_get_zeroconf(hass)
    assert {"domain": DOMAIN, "properties": {"atlas": "llm"}} in matchers["_wyoming._tcp.local."]


async def test_translations_cover_the_flows(hass: HomeAssistant) -> None:
    """Every reason, error and exception key the code uses has English text."""
    prefix = f"component.{DOMAIN}"
    config = await async_get_translations(hass, "en", "config", [DOMAIN])
    for key in ("cannot_connect", "not_atlas", "unknown"):
        assert f"{prefix}.config.error.{key}" in config
    for key in ("already_configured", "not_atlas", "cannot_connect", "unknown"):
        assert f"{prefix}.config.abort.{key}" in config
    for step in ("user", "discovery_confirm", "reconfigure"):
        assert f"{prefix}.config.step.{step}.title" in config
    subentries = await async_get_translations(hass, "en", "config_subentries", [DOMAIN])
    agent = f"{prefix}.config_subentries.conversation"
    assert f"{agent}.abort.entry_not_loaded" in subentries
    for step in ("user", "reconfigure"):
        for field in ("prompt", "llm_hass_api", "thinking", "max_history_tokens"):
            assert f"{agent}.step.{step}.data.{field}" in subentries
    exceptions = await async_get_translations(hass, "en", "exceptions", [DOMAIN])
    assert f"{prefix}.exceptions.cannot_connect.message" in exceptions
    assert f"{prefix}.exceptions.not_atlas.message" in exceptions
    issues = await async_get_translations(hass, "en", "issues", [DOMAIN])
    description = issues[f"{prefix}.issues.{ISSUE_BOX_UNREACHABLE}.description"]
    assert all(p in description for p in ("{name}", "{host}", "{port}"))
    selectors = await async_get_translations(hass, "en", "selector", [DOMAIN])
    for mode in ("auto", "on", "off"):
        assert f"{prefix}.selector.thinking.options.{mode}" in selectors


@pytest.mark.parametrize(("name", "size"), [("icon.png", (256, 256)), ("icon@2x.png", (512, 512))])
def test_brand_icons(name: str, size: tuple[int, int]) -> None:
    with Image.open(INTEGRATION_DIR / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.size == size
        assert image.mode == "RGBA"


@pytest.mark.parametrize("name", ["logo.png", "dark_logo.png"])
def test_brand_logos(name: str) -> None:
    with Image.open(INTEGRATION_DIR / "brand" / name) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert 128 <= min(width, height) <= 256
        assert width >= height


def test_hacs_manifest() -> None:
    hacs = json.loads((REPO / "hacs.json").read_text())
    assert hacs["name"] == "ATLAS"
    assert hacs["homeassistant"] == "2026.10.4"
    assert hacs["render_readme"] is True
    assert not hacs.get("content_in_root", False)
    # HACS installs the single folder under custom_components/ whose name is the domain.
    folders = [p.name for p in (REPO / "custom_components").iterdir() if p.is_dir()]
    assert [f for f in folders if f != "__pycache__"] == [DOMAIN]


QUALITY_RULES = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules config-flow "
        "config-flow-test-coverage dependency-transparency docs-actions docs-conditions "
        "docs-high-level-description docs-installation-instructions docs-removal-instructions "
        "docs-triggers entity-event-setup entity-unique-id has-entity-name runtime-data "
        "test-before-configure test-before-setup unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters "
        "docs-installation-parameters entity-unavailable integration-owner log-when-unavailable "
        "parallel-updates reauthentication-flow test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery discovery-update-info docs-data-update docs-examples "
        "docs-known-limitations docs-supported-devices docs-supported-functions "
        "docs-troubleshooting docs-use-cases dynamic-devices entity-category entity-device-class "
        "entity-disabled-by-default entity-translations exception-translations icon-translations "
        "reconfiguration-flow repair-issues stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}


def test_quality_scale_lists_every_rule() -> None:
    rules = yaml.safe_load((INTEGRATION_DIR / "quality_scale.yaml").read_text())["rules"]
    expected = {rule for tier in QUALITY_RULES.values() for rule in tier.split()}
    assert set(rules) == expected
    for name, rule in rules.items():
        if isinstance(rule, str):
            assert rule == "done", name
        else:
            assert rule["status"] in {"done", "todo", "exempt"}, name
            assert rule.get("comment"), f"{name}: a {rule['status']} rule needs a comment"


def test_hacs_minimum_is_the_tested_home_assistant() -> None:
    """HACS offers the integration from the HA release the tests run (the harness's pin)."""
    hacs = json.loads((REPO / "hacs.json").read_text())
    assert hacs["homeassistant"] == HA_VERSION
    license_file = REPO / "LICENSE"
    assert license_file.is_file()
    assert license_file.read_text().strip()


async def test_zeroconf_offers_only_atlas_llm(hass: HomeAssistant) -> None:
    """HA matches ATLAS's discovery on the TXT property atlas-llm advertises (atlas=llm), so
    atlas-stt, atlas-tts and other Wyoming servers are not offered as ATLAS boxes."""
    from homeassistant.components.zeroconf.discovery import _match_against_props
    from homeassistant.loader import async_get_zeroconf

    matchers = [m for m in (await async_get_zeroconf(hass))["_wyoming._tcp.local."]
                if m["domain"] == DOMAIN]  # fmt: skip
    assert [m["properties"] for m in matchers] == [{"atlas": "llm"}]
    (props,) = (m["properties"] for m in matchers)
    assert _match_against_props(props, {"atlas": "llm"})
    for other in ({"atlas": "stt"}, {"atlas": "tts"}, {}):
        assert not _match_against_props(props, other)
