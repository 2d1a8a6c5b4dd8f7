"""hassfest's checks of a custom integration, applied by tests.

hassfest is ``script/hassfest`` in Home Assistant's source repository: the ``homeassistant`` wheel
does not ship it, and CI reaches no GitHub to fetch it. ``python -m script.hassfest
--integration-path custom_components/atlas`` runs these plugins on a custom integration, and this
module applies their rules (the schemas encoded with probatio, Home Assistant's validation
library, from hassfest's source; the validators they call imported from Home Assistant):

- manifest: the custom-integration manifest schema, keys sorted (domain, name, then
  alphabetical), the domain is the folder's and no core integration's, an IoT class, a valid
  version; requirements in hassfest's format, valid PEP 508 and within HA's package constraints;
  HA's loader accepts the integration and resolves its dependencies, and its zeroconf matchers
  reach HA's discovery table.
- config_flow: ``config_flow: true`` has a ``config_flow.py``; a discoverable flow sets a unique
  ID; each discovery key of the manifest has its ``async_step_<source>``.
- config_schema: an integration with ``async_setup`` defines ``CONFIG_SCHEMA``.
- dependencies: every ``homeassistant.components.<x>`` import is of a platform, an allowed
  internal integration, a dependency or after-dependency, or a discovery the manifest declares.
- json: every JSON file parses.
- translations: hassfest's strings schema for ``translations/en.json`` (HA's
  ``cv.string_with_no_html``, slug and key validators; no leading or trailing spaces, no
  single-quoted placeholders, no combined or ``[%key:...%]`` references, which only core's
  ``strings.json`` resolves), every ``data_description`` beside a ``data`` label; and what the
  flows use: every step, error and abort reason in the flows' source (followed through the
  helpers that return them) is translated, and every form the flows show has a label for each
  field and section, the placeholders its texts use, and option labels for its translated
  selectors. Translation keys and placeholders used in the code (exceptions, issues, devices,
  entities, selectors) exist too.
- services: hassfest's custom-integration ``services.yaml`` schema (HA's selector and filter
  validators), names and descriptions in the translations, selector translation keys, an icon
  per action, the registered actions and their schemas' fields match ``services.yaml``, and HA
  loads the descriptions.
- icons: hassfest's ``icons.json`` schema for a ``service`` integration.
- quality_scale: hassfest's ``quality_scale.yaml`` schema and rule names, and its validators of
  the rules marked done (config-flow, runtime-data with strict-typing's typed entries,
  test-before-setup, unique-config-entry, config-entry-unloading, parallel-updates, diagnostics,
  discovery, reconfiguration-flow, reauthentication-flow, action-setup, has-entity-name).
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import string
from collections.abc import Iterator, Mapping
from functools import cache
from ipaddress import ip_address
from pathlib import Path
from typing import Any, NamedTuple

import homeassistant.components
import probatio
import pytest
import yaml
from awesomeversion import AwesomeVersion, AwesomeVersionException, AwesomeVersionStrategy
from homeassistant import config_entries
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    SOURCE_ZEROCONF,
    ConfigFlow,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import selector
from homeassistant.helpers import service as service_helper
from homeassistant.helpers.icon import convert_shorthand_service_icon
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.helpers.translation import async_get_translations
from homeassistant.loader import (
    async_get_custom_components,
    async_get_integration,
    async_get_integrations,
    async_get_zeroconf,
)
from homeassistant.requirements import DISCOVERY_INTEGRATIONS
from homeassistant.setup import async_setup_component
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.atlas import config_flow as atlas_config_flow
from custom_components.atlas.const import DOMAIN, SUBENTRY_AI_TASK, SUBENTRY_CONVERSATION

from .conftest import HOST, box_entry
from .scripted_llm import ScriptedLLM

INTEGRATION = Path(__file__).resolve().parents[2] / "custom_components" / DOMAIN
PACKAGE = f"custom_components.{DOMAIN}"


def _json(name: str) -> dict[str, Any]:
    data = json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def _yaml(name: str) -> dict[str, Any]:
    data = yaml.safe_load((INTEGRATION / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def _manifest() -> dict[str, Any]:
    return _json("manifest.json")


def _strings() -> dict[str, Any]:
    return _json("translations/en.json")


@cache
def _module_ast(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _python_files() -> list[Path]:
    return sorted(INTEGRATION.rglob("*.py"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _function(module: ast.Module, name: str) -> ast.AsyncFunctionDef | ast.FunctionDef | None:
    """A module-level function."""
    for item in module.body:
        if isinstance(item, ast.AsyncFunctionDef | ast.FunctionDef) and item.name == name:
            return item
    return None


def _defines_async(module: ast.AST, names: set[str], *, top_level: bool = False) -> bool:
    nodes = module.body if top_level and isinstance(module, ast.Module) else ast.walk(module)
    return any(isinstance(node, ast.AsyncFunctionDef) and node.name in names for node in nodes)


def _calls(module: ast.AST, attr: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attr
    ]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


# --- manifest (hassfest manifest.py) ----------------------------------------------------------

SUPPORTED_IOT_CLASSES = [
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
]
INTEGRATION_TYPES = ["device", "entity", "hardware", "helper", "hub", "service", "system"]
QUALITY_SCALES = ["bronze", "gold", "internal", "legacy", "platinum", "silver"]


def _documentation_url(value: str) -> str:
    """hassfest's ``documentation_url``: https, and www.home-assistant.io only under
    /integrations/."""
    if not value.startswith("https://"):
        raise probatio.Invalid("Documentation url is not prefixed with https")
    if value.startswith("https://www.home-assistant.io/") and not value.startswith(
        "https://www.home-assistant.io/integrations/"
    ):
        raise probatio.Invalid(
            "Documentation url does not begin with www.home-assistant.io/integrations"
        )
    return value


def _lowercase(value: str) -> str:
    if value.lower() != value:
        raise probatio.Invalid("Value needs to be lowercase")
    return value


def _uppercase(value: str) -> str:
    if value.upper() != value:
        raise probatio.Invalid("Value needs to be uppercase")
    return value


def _wildcard(value: str) -> str:
    if "*" not in value:
        raise probatio.Invalid(f"'{value}' needs to contain a wildcard matcher")
    return value


def _verify_version(value: str) -> str:
    """The strategies HA's loader accepts for a custom integration's version."""
    try:
        AwesomeVersion(
            value,
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException as err:
        raise probatio.Invalid(f"'{value}' is not a valid version.") from err
    return value


# hassfest's CUSTOM_INTEGRATION_MANIFEST_SCHEMA (extra keys refused).
MANIFEST_SCHEMA = probatio.Schema(
    {
        probatio.Required("domain"): str,
        probatio.Required("name"): str,
        probatio.Optional("integration_type"): probatio.In(INTEGRATION_TYPES),
        probatio.Optional("config_flow"): bool,
        probatio.Optional("mqtt"): [str],
        probatio.Optional("zeroconf"): [
            probatio.Any(
                str,
                probatio.Schema(
                    {
                        probatio.Required("type"): str,
                        probatio.Optional("macaddress"): probatio.All(str, _uppercase, _wildcard),
                        probatio.Optional("manufacturer"): probatio.All(str, _lowercase),
                        probatio.Optional("model"): probatio.All(str, _lowercase),
                        probatio.Optional("name"): probatio.All(str, _lowercase),
                        probatio.Optional("properties"): probatio.Schema({str: _lowercase}),
                    }
                ),
            )
        ],
        probatio.Optional("ssdp"): [
            probatio.All(probatio.Schema({}, extra=probatio.ALLOW_EXTRA), probatio.Length(min=1))
        ],
        probatio.Optional("bluetooth"): [
            probatio.Schema(
                {
                    probatio.Optional("connectable"): bool,
                    probatio.Optional("service_uuid"): probatio.All(str, _lowercase),
                    probatio.Optional("service_data_uuid"): probatio.All(str, _lowercase),
                    probatio.Optional("local_name"): str,
                    probatio.Optional("manufacturer_id"): int,
                    probatio.Optional("manufacturer_data_start"): [int],
                }
            )
        ],
        probatio.Optional("homekit"): probatio.Schema({probatio.Optional("models"): [str]}),
        probatio.Optional("dhcp"): [
            probatio.Schema(
                {
                    probatio.Optional("macaddress"): probatio.All(str, _uppercase, _wildcard),
                    probatio.Optional("hostname"): probatio.All(str, _lowercase),
                    probatio.Optional("registered_devices"): cv.boolean,
                }
            )
        ],
        probatio.Optional("usb"): [
            probatio.Schema(
                {
                    probatio.Optional("vid"): probatio.All(str, _uppercase),
                    probatio.Optional("pid"): probatio.All(str, _uppercase),
                    probatio.Optional("serial_number"): probatio.All(str, _lowercase),
                    probatio.Optional("manufacturer"): probatio.All(str, _lowercase),
                    probatio.Optional("description"): probatio.All(str, _lowercase),
                    probatio.Optional("known_devices"): [str],
                }
            )
        ],
        probatio.Required("documentation"): probatio.All(probatio.Url(), _documentation_url),
        probatio.Optional("issue_tracker"): probatio.Url(),
        probatio.Optional("quality_scale"): probatio.In(QUALITY_SCALES),
        probatio.Optional("requirements"): [str],
        probatio.Optional("dependencies"): [str],
        probatio.Optional("after_dependencies"): [str],
        probatio.Required("codeowners"): [str],
        probatio.Optional("loggers"): [str],
        probatio.Optional("disabled"): str,
        probatio.Optional("iot_class"): probatio.In(SUPPORTED_IOT_CLASSES),
        probatio.Optional("single_config_entry"): bool,
        # Custom integrations only.
        probatio.Optional("version"): probatio.All(str, _verify_version),
        probatio.Optional("import_executor"): bool,
    }
)


def test_manifest_schema() -> None:
    MANIFEST_SCHEMA(_manifest())


def test_manifest_keys_are_sorted() -> None:
    """hassfest: "Manifest keys are not sorted correctly: domain, name, then alphabetical"."""
    keys = list(_manifest())
    order = {"domain": ".domain", "name": ".name"}
    assert keys == sorted(keys, key=lambda key: order.get(key, key))


def test_domain_is_the_folder_and_not_a_core_integration() -> None:
    manifest = _manifest()
    assert manifest["domain"] == INTEGRATION.name == DOMAIN
    core = [Path(path) / DOMAIN for path in homeassistant.components.__path__]
    assert not any(path.exists() for path in core), "Domain collides with built-in integration"


def test_version_and_iot_class() -> None:
    manifest = _manifest()
    assert manifest.get("version"), "No 'version' key in the manifest file."
    # Only platforms and HA's internal integrations go without an IoT class.
    assert DOMAIN not in {platform.value for platform in Platform}
    assert "iot_class" in manifest, "Domain is missing an IoT Class"


# hassfest requirements.py: the format check it applies to every integration.
PACKAGE_REGEX = re.compile(r"^(?:--.+\s)?([-_,\.\w\d\[\]]+)(==|>=|<=|~=|!=|<|>|===)*(.*)$")
FORBIDDEN_PACKAGES = {
    "async-timeout",
    "codecov",
    "pyserial-asyncio",
    "pytest",
    "setuptools",
    "wheel",
}


def _requirements() -> list[Requirement]:
    return [Requirement(req) for req in _manifest().get("requirements", [])]


def test_requirements_format() -> None:
    for req in _manifest().get("requirements", []):
        assert " " not in req, f'Requirement "{req}" contains a space'
        assert PACKAGE_REGEX.match(req), f'Requirement "{req}" does not match package regex'
        try:
            parsed = Requirement(req)
        except InvalidRequirement as err:
            pytest.fail(f"{req!r} is not a PEP 508 requirement: {err}")
        assert parsed.name.lower() not in FORBIDDEN_PACKAGES, req
        assert parsed.url is None, f"{req}: HA installs requirements from the package index"


@cache
def _constraint_pins() -> dict[str, set[str]]:
    """The versions HA's ``package_constraints.txt`` pins, by normalised package name."""
    ha = Path(homeassistant.components.__file__).parent.parent
    pins: dict[str, set[str]] = {}
    for raw in (ha / "package_constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "==" not in line or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        for spec in req.specifier:
            if spec.operator == "==":
                pins.setdefault(canonicalize_name(req.name), set()).add(spec.version)
    return pins


def test_requirements_allow_home_assistants_package_constraints() -> None:
    """HA installs an integration's requirements under its ``package_constraints.txt``: a
    requirement that excludes a constrained version cannot be installed. (The pins of HA core's
    integrations and the installed versions are checked by test_requirements.py.)"""
    assert _constraint_pins(), "no package constraints found"
    for req in _requirements():
        for pinned in sorted(_constraint_pins().get(canonicalize_name(req.name), ())):
            assert req.specifier.contains(pinned, prereleases=True), (
                f"{req} excludes {req.name}=={pinned}, which HA's package constraints pin"
            )


async def test_home_assistants_loader_accepts_the_integration(hass: HomeAssistant) -> None:
    """HA's loader reads the manifest as HA does at start: the custom integration is not
    blocked (a missing or invalid version blocks it), and its dependencies resolve."""
    manifest = _manifest()
    custom = await async_get_custom_components(hass)
    assert DOMAIN in custom, "HA's loader blocked the custom integration"
    integration = await async_get_integration(hass, DOMAIN)
    assert not integration.is_built_in
    assert str(integration.version) == manifest["version"]
    assert integration.config_flow is manifest.get("config_flow", False)
    assert integration.integration_type == manifest.get("integration_type", "hub")
    assert integration.iot_class == manifest.get("iot_class")
    dependencies = set(manifest.get("dependencies", []))
    after = set(manifest.get("after_dependencies", []))
    assert not dependencies & after, "a dependency is also an after-dependency"
    found = await async_get_integrations(hass, dependencies | after)
    missing = {domain for domain, item in found.items() if isinstance(item, Exception)}
    assert not missing, f"Dependencies {missing} do not exist"
    assert await integration.resolve_dependencies() is not None


async def test_zeroconf_matchers_reach_home_assistants_discovery(hass: HomeAssistant) -> None:
    zeroconf = await async_get_zeroconf(hass)
    for matcher in _manifest().get("zeroconf", []):
        service_type = matcher if isinstance(matcher, str) else matcher["type"]
        assert re.fullmatch(r"_[\w-]+\._(tcp|udp)\.local\.", service_type), service_type
        assert any(m["domain"] == DOMAIN for m in zeroconf.get(service_type, [])), service_type


# --- config flow, config schema, dependencies, JSON ---------------------------------------------

DISCOVERY_STEPS = {
    "async_step_bluetooth",
    "async_step_dhcp",
    "async_step_discovery",
    "async_step_hassio",
    "async_step_homekit",
    "async_step_mqtt",
    "async_step_ssdp",
    "async_step_usb",
    "async_step_zeroconf",
}


def test_config_flow_file_matches_the_manifest() -> None:
    has_file = (INTEGRATION / "config_flow.py").is_file()
    assert has_file is _manifest().get("config_flow", False), (
        "Config flows need to be defined in the file config_flow.py (and the manifest says so)"
    )


def test_discoverable_config_flow_sets_a_unique_id() -> None:
    source = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    if not any(step in source for step in DISCOVERY_STEPS):
        pytest.skip("the config flow is not discoverable")
    assert any(
        marker in source
        for marker in (
            "self.async_set_unique_id",
            "self._async_handle_discovery_without_unique_id",
            "register_discovery_flow",
            "AbstractOAuth2FlowHandler",
        )
    ), "Config flows that are discoverable need to set a unique ID"


def test_each_discovery_of_the_manifest_has_its_step() -> None:
    """HA starts a flow with the discovery's source: the flow needs that step."""
    config_flow = _module_ast(INTEGRATION / "config_flow.py")
    for key in ("bluetooth", "dhcp", "homekit", "mqtt", "ssdp", "usb", "zeroconf"):
        if key in _manifest():
            assert _defines_async(config_flow, {f"async_step_{key}"}), f"no async_step_{key}"


def _has_assignment(module: ast.Module, name: str) -> bool:
    for item in module.body:
        targets: list[ast.expr] = []
        if isinstance(item, ast.Assign):
            targets = item.targets
        elif isinstance(item, ast.AnnAssign | ast.AugAssign):
            targets = [item.target]
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return True
    return False


def test_async_setup_comes_with_a_config_schema() -> None:
    """hassfest config_schema.py: an integration set up from YAML (``async_setup``) defines
    ``CONFIG_SCHEMA`` (``cv.config_entry_only_config_schema`` when it has no YAML)."""
    init = _module_ast(INTEGRATION / "__init__.py")
    if _function(init, "async_setup") is None and _function(init, "setup") is None:
        pytest.skip("no async_setup")
    assert any(_has_assignment(init, name) for name in ("CONFIG_SCHEMA", "PLATFORM_SCHEMA")) or any(
        isinstance(item, ast.ImportFrom | ast.Import)
        and any((alias.asname or alias.name) == "CONFIG_SCHEMA" for alias in item.names)
        for item in init.body
    )


# hassfest dependencies.py: internal integrations any integration may import.
ALLOWED_USED_COMPONENTS = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
    "mjpeg",
    "stream",
}


class _ImportCollector(ast.NodeVisitor):
    """hassfest's ImportCollector: the integrations a module imports (TYPE_CHECKING aside)."""

    def __init__(self) -> None:
        self.referenced: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module is None:
            return
        if node.module == "homeassistant.components.http.auth" and [
            alias.name for alias in node.names
        ] == ["async_sign_path"]:
            return
        if node.module.startswith("homeassistant.components."):
            self.referenced.add(node.module.split(".")[2])
        elif node.module == "homeassistant.components":
            self.referenced.update(alias.name for alias in node.names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith("homeassistant.components."):
                self.referenced.add(alias.name.split(".")[2])


def test_used_integrations_are_dependencies() -> None:
    manifest = _manifest()
    allowed = (
        ALLOWED_USED_COMPONENTS
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
    )
    for domain, keys in DISCOVERY_INTEGRATIONS.items():
        if any(key in manifest for key in keys):
            allowed.add(domain)
    problems = []
    for path in _python_files():
        collector = _ImportCollector()
        collector.visit(_module_ast(path))
        for ref in sorted(collector.referenced - allowed - {DOMAIN}):
            # A platform of that integration (diagnostics.py for diagnostics) may import it.
            if (INTEGRATION / f"{ref}.py").is_file() or (INTEGRATION / ref).is_dir():
                continue
            problems.append(f"{path.relative_to(INTEGRATION)}: uses component {ref}")
    assert problems == [], "not in 'dependencies' or 'after_dependencies'"


def test_json_files_parse() -> None:
    for path in sorted(INTEGRATION.rglob("*.json")):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            pytest.fail(f"Invalid JSON file {path.relative_to(INTEGRATION)}: {err}")


# --- translations (hassfest translations.py) ---------------------------------------------------

RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_REFERENCE = re.compile(r"\[%key:(.+)%\]")
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")


def _translation_key(value: Any) -> str:
    if not isinstance(value, str) or RE_TRANSLATION_KEY.match(value) is None:
        raise probatio.Invalid(
            f"Invalid translation key '{value}', need to be [a-z0-9-_]+ and cannot start or "
            "end with a hyphen or underscore."
        )
    return value


def _translation_value(value: Any) -> str:
    """hassfest's translation_value_validator, plus: a custom integration's translations are
    used as they are, so a ``[%key:...%]`` reference would be shown verbatim."""
    text = cv.string_with_no_html(value)
    if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(text):
        raise probatio.Invalid("the string should not contain placeholders inside single quotes")
    if RE_COMBINED_REFERENCE.search(text):
        raise probatio.Invalid("the string should not contain combined translations")
    if RE_REFERENCE.search(text):
        raise probatio.Invalid("references only resolve in core's strings.json")
    if text != text.strip():
        raise probatio.Invalid("the string should not contain leading or trailing spaces")
    if not text:
        raise probatio.Invalid("empty translation")
    return text


def _descriptions_have_labels(value: dict[str, Any]) -> dict[str, Any]:
    """hassfest: every ``data_description`` key has its ``data`` label (sections too)."""
    for step_id, step in value.get("step", {}).items():
        for where, block in [(step_id, step)] + [
            (f"{step_id}.sections.{name}", sub) for name, sub in step.get("sections", {}).items()
        ]:
            for key in block.get("data_description", {}):
                if key not in block.get("data", {}):
                    raise probatio.Invalid(f"data_description key {key} is not in data ({where})")
    return value


def _data_entry_schema(*, subentry: bool = False) -> Any:
    labels = {str: _translation_value}
    schema: dict[Any, Any] = {
        probatio.Optional("flow_title"): _translation_value,
        probatio.Required("step"): {
            str: {
                probatio.Optional("title"): _translation_value,
                probatio.Optional("description"): _translation_value,
                probatio.Optional("data"): labels,
                probatio.Optional("data_description"): labels,
                probatio.Optional("menu_options"): labels,
                probatio.Optional("submit"): _translation_value,
                probatio.Optional("sections"): {
                    str: {
                        probatio.Optional("data"): labels,
                        probatio.Optional("data_description"): labels,
                        probatio.Optional("description"): _translation_value,
                        probatio.Optional("name"): _translation_value,
                    }
                },
            }
        },
        probatio.Optional("error"): labels,
        probatio.Optional("abort"): labels,
        probatio.Optional("progress"): labels,
        probatio.Optional("create_entry"): labels,
    }
    if subentry:
        # The "Add ..." button and the name of the subentry type.
        schema[probatio.Required("entry_type")] = _translation_value
        schema[probatio.Required("initiate_flow")] = {
            probatio.Required("user"): _translation_value,
            str: _translation_value,
        }
    return probatio.All(probatio.Schema(schema), _descriptions_have_labels)


def _slug_keys(value_schema: Any, slug_validator: Any = _translation_key) -> Any:
    return cv.schema_with_slug_keys(value_schema, slug_validator=slug_validator)


_STATE = _slug_keys(_translation_value)
_ISSUE = probatio.All(
    cv.has_at_least_one_key("description", "fix_flow"),
    probatio.Schema(
        {
            probatio.Required("title"): _translation_value,
            probatio.Exclusive("description", "fixable"): _translation_value,
            probatio.Exclusive("fix_flow", "fixable"): _data_entry_schema(),
        }
    ),
)
# hassfest's gen_strings_schema (what a custom integration's translations/en.json may hold).
STRINGS_SCHEMA = probatio.Schema(
    {
        probatio.Optional("title"): _translation_value,
        probatio.Optional("config"): _data_entry_schema(),
        probatio.Optional("config_subentries"): _slug_keys(
            _data_entry_schema(subentry=True), probatio.Any("_", cv.slug)
        ),
        probatio.Optional("options"): _data_entry_schema(),
        probatio.Optional("selector"): _slug_keys({"options": _STATE}, probatio.Any("_", cv.slug)),
        probatio.Optional("device_automation"): {
            probatio.Optional(key): {str: _translation_value}
            for key in (
                "action_type",
                "condition_type",
                "trigger_type",
                "trigger_subtype",
                "extra_fields",
                "extra_fields_descriptions",
            )
        },
        probatio.Optional("system_health"): {probatio.Optional("info"): _STATE},
        probatio.Optional("config_panel"): _slug_keys(_STATE, probatio.Any("_", cv.slug)),
        probatio.Optional("application_credentials"): {
            probatio.Optional("description"): _translation_value
        },
        probatio.Optional("issues"): {str: _ISSUE},
        probatio.Optional("entity_component"): _slug_keys(
            {
                probatio.Optional("name"): str,
                probatio.Optional("state"): _STATE,
                probatio.Optional("state_attributes"): _slug_keys(
                    {probatio.Optional("name"): str, probatio.Optional("state"): _STATE}
                ),
            },
            probatio.Any("_", cv.slug),
        ),
        probatio.Optional("device"): _slug_keys({probatio.Optional("name"): _translation_value}),
        probatio.Optional("entity"): _slug_keys(
            _slug_keys(
                {
                    probatio.Optional("name"): _translation_value,
                    probatio.Optional("state"): _STATE,
                    probatio.Optional("state_attributes"): _slug_keys(
                        {
                            probatio.Optional("name"): _translation_value,
                            probatio.Optional("state"): _STATE,
                        }
                    ),
                    probatio.Optional("unit_of_measurement"): _translation_value,
                }
            ),
            cv.slug,
        ),
        probatio.Optional("exceptions"): _slug_keys(
            {probatio.Optional("message"): _translation_value}, cv.slug
        ),
        probatio.Optional("services"): _slug_keys(
            {
                probatio.Required("name"): _translation_value,
                probatio.Required("description"): _translation_value,
                probatio.Optional("fields"): _slug_keys(
                    {
                        probatio.Required("name"): str,
                        probatio.Required("description"): _translation_value,
                        probatio.Optional("example"): _translation_value,
                    }
                ),
                probatio.Optional("sections"): _slug_keys(
                    {
                        probatio.Required("name"): str,
                        probatio.Optional("description"): _translation_value,
                    }
                ),
            }
        ),
        probatio.Optional("conversation"): {
            probatio.Required("agent"): {probatio.Required("done"): _translation_value}
        },
        probatio.Optional("common"): probatio.Schema({cv.slug: _translation_value}),
    }
)


def test_translations_follow_hassfest_schema() -> None:
    STRINGS_SCHEMA(_strings())


def test_translations_directory() -> None:
    """hassfest: ``translations/`` (not the old ``.translations``), and English is complete."""
    assert not (INTEGRATION / ".translations").exists()
    assert (INTEGRATION / "translations" / "en.json").is_file()


def _texts(tree: Any) -> Iterator[str]:
    if isinstance(tree, Mapping):
        for value in tree.values():
            yield from _texts(value)
    else:
        yield str(tree)


def _leaves(tree: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in tree.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def _key_paths(tree: Mapping[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in tree.items():
        yield (*path, key)
        if isinstance(value, Mapping):
            yield from _key_paths(value, (*path, key))


def test_translation_keys_are_snake_case() -> None:
    """Stricter than hassfest (which lets keys have hyphens): every key is snake_case."""
    bad = [
        ".".join(path)
        for path in _key_paths(_strings())
        if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", path[-1])
    ]
    assert bad == []


async def test_home_assistant_loads_every_translation(hass: HomeAssistant) -> None:
    """HA's translation loader reads ``translations/en.json`` whole: every string of each
    category comes back as ``component.atlas.<category>.<key>``."""
    for category, tree in _strings().items():
        if not isinstance(tree, Mapping):
            continue
        loaded = await async_get_translations(hass, "en", category, [DOMAIN])
        expected = {f"component.{DOMAIN}.{category}.{leaf}" for leaf in _leaves(tree)}
        assert expected - set(loaded) == set(), category


def test_other_languages_translate_only_what_english_has() -> None:
    english = set(_leaves(_strings()))
    for path in sorted((INTEGRATION / "translations").glob("*.json")):
        if path.name == "en.json":
            continue
        STRINGS_SCHEMA(json.loads(path.read_text(encoding="utf-8")))
        extra = set(_leaves(json.loads(path.read_text(encoding="utf-8")))) - english
        assert not extra, f"{path.name} translates keys English does not have: {sorted(extra)}"


# --- what the flows use: steps, errors, aborts (static) -----------------------------------------

# Steps HA enters from a source: they delegate (reauth -> reauth_confirm) or abort.
SOURCE_STEPS = {step.removeprefix("async_step_") for step in DISCOVERY_STEPS} | {
    "import",
    "integration_discovery",
    "reauth",
}


class _Scope(NamedTuple):
    """A function and the module (and file) it is in."""

    func: ast.AsyncFunctionDef | ast.FunctionDef
    module: ast.Module
    path: Path


class _FlowSource:
    """The source of one flow handler (its class and the integration's classes it inherits),
    and the strings its steps, errors and aborts can take."""

    def __init__(self, handler: type) -> None:
        self.classes: list[tuple[ast.ClassDef, ast.Module, Path]] = []
        for cls in inspect.getmro(handler):
            if not cls.__module__.startswith(PACKAGE):
                continue
            path = Path(inspect.getsourcefile(cls) or "")
            module = _module_ast(path)
            node = next(
                n
                for n in ast.walk(module)
                if isinstance(n, ast.ClassDef) and n.name == cls.__name__
            )
            self.classes.append((node, module, path))
        self.unresolved: list[str] = []

    def functions(self) -> Iterator[_Scope]:
        for node, module, path in self.classes:
            for item in node.body:
                if isinstance(item, ast.AsyncFunctionDef | ast.FunctionDef):
                    yield _Scope(item, module, path)

    def method(self, name: str) -> _Scope | None:
        return next((scope for scope in self.functions() if scope.func.name == name), None)

    def step_methods(self) -> set[str]:
        return {
            scope.func.name.removeprefix("async_step_")
            for scope in self.functions()
            if scope.func.name.startswith("async_step_")
        }

    # Following an expression to the string constants it can be: literals, ``a or "b"``,
    # variables, a method's parameters (what the class passes), and what the integration's
    # helpers return (``index`` picks an element of the tuples they return).

    def strings(
        self, expr: ast.expr | None, scope: _Scope, *, index: int | None = None, depth: int = 0
    ) -> set[str]:
        if expr is None or depth > 6:
            return set()
        match expr:
            case ast.Constant(value=str() as value):
                return {value}
            case ast.Constant(value=None):
                return set()
            case ast.BoolOp(values=values):
                return {s for v in values for s in self.strings(v, scope, index=index, depth=depth)}
            case ast.IfExp(body=body, orelse=orelse):
                return self.strings(body, scope, index=index, depth=depth) | self.strings(
                    orelse, scope, index=index, depth=depth
                )
            case ast.Await(value=value):
                return self.strings(value, scope, index=index, depth=depth)
            case ast.Tuple(elts=elts) if index is not None and index < len(elts):
                return self.strings(elts[index], scope, depth=depth)
            case ast.Name(id=name):
                return self._name(name, scope, index=index, depth=depth + 1)
            case ast.Call(func=ast.Name(id=name)):
                return self._returns_of(name, scope, index=index, depth=depth + 1)
            case ast.Call(func=ast.Attribute(value=ast.Name(id="self"), attr=name)):
                if (found := self.method(name)) is not None:
                    return self._returns(found, index=index, depth=depth + 1)
        if not (isinstance(expr, ast.Call) and index is not None):
            self.unresolved.append(f"{scope.path.name}:{expr.lineno}: {ast.unparse(expr)}")
        return set()

    def _name(self, name: str, scope: _Scope, *, index: int | None, depth: int) -> set[str]:
        found: set[str] = set()
        assigned = False
        for node in ast.walk(scope.func):
            if not isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
                continue
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name) and target.id == name:
                    assigned = True
                    found |= self.strings(node.value, scope, index=index, depth=depth)
                elif isinstance(target, ast.Tuple):
                    for position, element in enumerate(target.elts):
                        if isinstance(element, ast.Name) and element.id == name:
                            assigned = True
                            found |= self.strings(node.value, scope, index=position, depth=depth)
        params = [arg.arg for arg in scope.func.args.args]
        if not assigned and name in params:
            # A parameter: what the class's calls of this method pass.
            position = params.index(name) - (1 if params[0] == "self" else 0)
            for caller in self.functions():
                for call in _calls(caller.func, scope.func.name):
                    arg = _keyword(call, name)
                    if arg is None and position < len(call.args):
                        arg = call.args[position]
                    found |= self.strings(arg, caller, depth=depth)
        elif not assigned:
            self.unresolved.append(f"{scope.path.name}: {name} in {scope.func.name}")
        return found

    def _returns_of(self, name: str, scope: _Scope, *, index: int | None, depth: int) -> set[str]:
        """The strings a module-level function (here or imported from the integration)
        returns; functions from outside the integration are not followed."""
        if (func := _function(scope.module, name)) is not None:
            return self._returns(_Scope(func, scope.module, scope.path), index=index, depth=depth)
        for item in scope.module.body:
            if (
                isinstance(item, ast.ImportFrom)
                and item.level == 1
                and item.module
                and any(alias.name == name and alias.asname is None for alias in item.names)
            ):
                other = scope.path.parent / (item.module.replace(".", "/") + ".py")
                if (func := _function(module := _module_ast(other), name)) is not None:
                    return self._returns(_Scope(func, module, other), index=index, depth=depth)
        return set()

    def _returns(self, scope: _Scope, *, index: int | None, depth: int) -> set[str]:
        return {
            s
            for node in ast.walk(scope.func)
            if isinstance(node, ast.Return)
            for s in self.strings(node.value, scope, index=index, depth=depth)
        }

    # What the flow's steps use.

    def _collect(self, call_attr: str, keyword: str) -> set[str]:
        return {
            s
            for scope in self.functions()
            for call in _calls(scope.func, call_attr)
            for s in self.strings(_keyword(call, keyword), scope)
        }

    def step_ids(self) -> set[str]:
        return self._collect("async_show_form", "step_id") | self._collect(
            "async_show_menu", "step_id"
        )

    def errors(self) -> set[str]:
        found: set[str] = set()
        for scope in self.functions():
            for node in ast.walk(scope.func):
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(target := node.targets[0], ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "errors"
                ):
                    found |= self.strings(node.value, scope)
            for call in _calls(scope.func, "async_show_form"):
                if isinstance(errors := _keyword(call, "errors"), ast.Dict):
                    for value in errors.values:
                        found |= self.strings(value, scope)
        return found

    def aborts(self, *, subentry: bool) -> set[str]:
        """Reasons given to ``async_abort``, and those HA's helpers abort with."""
        found = self._collect("async_abort", "reason")
        for scope in self.functions():
            if _calls(scope.func, "_abort_if_unique_id_configured") or _calls(
                scope.func, "_async_abort_entries_match"
            ):
                found.add("already_configured")
            for attr in ("async_update_and_abort", "async_update_reload_and_abort"):
                for call in _calls(scope.func, attr):
                    if (reason := _keyword(call, "reason")) is not None:
                        found |= self.strings(reason, scope)
                    elif subentry or "reauth" not in scope.func.name:
                        found.add("reconfigure_successful")
                    else:
                        found.add("reauth_successful")
        return found


def _flows() -> list[tuple[str, type, bool]]:
    """Each flow handler of the integration (registered by importing ``config_flow``), the
    translation section of its strings, and whether it is a subentry flow."""
    handler = config_entries.HANDLERS[DOMAIN]
    assert issubclass(handler, ConfigFlow)
    entry = MockConfigEntry(domain=DOMAIN)
    flows: list[tuple[str, type, bool]] = [("config", handler, False)]
    if handler.async_supports_options_flow(entry):
        options = handler.async_get_options_flow(entry)
        assert isinstance(options, OptionsFlow)
        flows.append(("options", type(options), False))
    for subentry_type, flow in handler.async_get_supported_subentry_types(entry).items():
        assert issubclass(flow, ConfigSubentryFlow)
        flows.append((f"config_subentries.{subentry_type}", flow, True))
    return flows


def _section(strings: Mapping[str, Any], dotted: str) -> Mapping[str, Any]:
    for part in dotted.split("."):
        strings = strings.get(part, {})
    return strings


@pytest.mark.parametrize("where", [name for name, _, _ in _flows()])
def test_flow_steps_errors_and_aborts_are_translated(where: str) -> None:
    _, handler, subentry = next(flow for flow in _flows() if flow[0] == where)
    source = _FlowSource(handler)
    strings = _section(_strings(), where)
    steps = (source.step_methods() - SOURCE_STEPS) | source.step_ids()
    translated_steps = set(strings.get("step", {}))
    assert steps - translated_steps == set(), f"{where}: steps without translations"
    assert translated_steps - steps == set(), f"{where}: translated steps no flow has"
    errors = source.errors() - set(strings.get("error", {}))
    assert errors == set(), f"{where}: errors without translations"
    aborts = source.aborts(subentry=subentry) - set(strings.get("abort", {}))
    assert aborts == set(), f"{where}: abort reasons without translations"
    assert source.unresolved == [], (
        f"{where}: step ids, errors or reasons the check cannot follow to string constants "
        "(use literals, or helpers that return them)"
    )


# --- what the flows show: forms (dynamic) -------------------------------------------------------


def _selectors(value: Any) -> Iterator[Any]:
    if isinstance(value, selector.Selector):
        yield value
    for inner in getattr(value, "validators", ()):
        yield from _selectors(inner)


def _form_problems(strings: Mapping[str, Any], result: Mapping[str, Any], where: str) -> list[str]:
    """What a form shows untranslated: the step, a field or section label, a placeholder its
    texts use, a selector option, an error."""
    step_id = result["step_id"]
    step = strings.get("step", {}).get(step_id)
    if step is None:
        return [f"{where}.step.{step_id}: no translation"]
    problems = []
    provided = set(result.get("description_placeholders") or {})
    for key in ("title", "description"):
        if missing := _placeholders(step.get(key, "")) - provided:
            problems.append(f"{where}.step.{step_id}.{key}: placeholders {missing} not given")
    blocks: list[tuple[str, Mapping[str, Any], Any]] = []
    schema = result.get("data_schema")
    for marker, value in schema.schema.items() if schema is not None else ():
        if isinstance(value, section):
            sub = step.get("sections", {}).get(str(marker), {})
            if "name" not in sub:
                problems.append(f"{where}.step.{step_id}.sections.{marker}: no name")
            blocks.extend(
                (f"sections.{marker}.data", sub, (k, v)) for k, v in value.schema.schema.items()
            )
        else:
            blocks.append(("data", step, (marker, value)))
    for label_path, block, (marker, value) in blocks:
        if str(marker) not in block.get("data", {}):
            problems.append(f"{where}.step.{step_id}.{label_path}.{marker}: no label")
        for found in _selectors(value):
            if (key := found.config.get("translation_key")) is None:
                continue
            labels = _strings().get("selector", {}).get(key, {}).get("options", {})
            for option in found.config.get("options", []):
                name = option["value"] if isinstance(option, Mapping) else option
                if name not in labels:
                    problems.append(f"selector.{key}.options.{name}: no label ({marker})")
    for error in (result.get("errors") or {}).values():
        if error not in strings.get("error", {}):
            problems.append(f"{where}.error.{error}: no translation")
    return problems


def _zeroconf(port: int) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address(HOST),
        ip_addresses=[ip_address(HOST)],
        port=port,
        hostname="atlas-box.local.",
        type="_wyoming._tcp.local.",
        name="atlas-llm._wyoming._tcp.local.",
        properties={},
    )


async def test_config_flow_forms_are_translated(
    hass: HomeAssistant, ha_core: None, box: ScriptedLLM, closed_port: int
) -> None:
    strings = _strings()["config"]
    problems: list[str] = []
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    problems += _form_problems(strings, result, "config")
    # An error shown on the form.
    result = await flow.async_configure(result["flow_id"], {"host": HOST, "port": closed_port})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]
    problems += _form_problems(strings, result, "config")
    flow.async_abort(result["flow_id"])
    # Discovery: the confirmation form and the flow's title.
    result = await flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(box.port)
    )
    assert result["type"] is FlowResultType.FORM, result
    problems += _form_problems(strings, result, "config")
    context = next(p["context"] for p in flow.async_progress() if p["flow_id"] == result["flow_id"])
    if missing := _placeholders(strings.get("flow_title", "")) - set(
        context.get("title_placeholders", {})
    ):
        problems.append(f"config.flow_title: placeholders {missing} not given")
    flow.async_abort(result["flow_id"])
    # An entry's reconfigure and reauth forms.
    entry = box_entry(closed_port)
    entry.add_to_hass(hass)
    for start in (entry.start_reconfigure_flow, entry.start_reauth_flow):
        result = await start(hass)
        assert result["type"] is FlowResultType.FORM, result
        problems += _form_problems(strings, result, "config")
        flow.async_abort(result["flow_id"])
    assert problems == []


async def test_options_and_subentry_forms_are_translated(
    hass: HomeAssistant, ha_core: None, box: ScriptedLLM
) -> None:
    strings = _strings()
    subentries = [
        {
            "subentry_type": SUBENTRY_CONVERSATION,
            "data": dict(atlas_config_flow.DEFAULT_CONVERSATION_OPTIONS),
            "title": "Conversation",
            "unique_id": None,
        },
        {
            "subentry_type": SUBENTRY_AI_TASK,
            "data": dict(atlas_config_flow.DEFAULT_AI_TASK_OPTIONS),
            "title": "AI task",
            "unique_id": None,
        },
    ]
    entry = box_entry(box.port, subentries_data=subentries)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    problems: list[str] = []

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM, result
    problems += _form_problems(strings["options"], result, "options")
    hass.config_entries.options.async_abort(result["flow_id"])

    manager = hass.config_entries.subentries
    for subentry in entry.subentries.values():
        where = f"config_subentries.{subentry.subentry_type}"
        for context in (
            {"source": SOURCE_USER},
            {"source": SOURCE_RECONFIGURE, "subentry_id": subentry.subentry_id},
        ):
            result = await manager.async_init(
                (entry.entry_id, subentry.subentry_type),
                context=context,
            )
            assert result["type"] is FlowResultType.FORM, result
            problems += _form_problems(_section(strings, where), result, where)
            manager.async_abort(result["flow_id"])
    assert {s.subentry_type for s in entry.subentries.values()} == set(strings["config_subentries"])
    assert problems == []


# --- translation keys used in the code ----------------------------------------------------------


def _constants() -> dict[str, str]:
    """Module-level string constants of the integration (``DOMAIN``, ``ISSUE_...``)."""
    found: dict[str, str] = {}
    for path in _python_files():
        for item in _module_ast(path).body:
            target = item.target if isinstance(item, ast.AnnAssign) else None
            if isinstance(item, ast.Assign) and len(item.targets) == 1:
                target = item.targets[0]
            value = item.value if isinstance(item, ast.Assign | ast.AnnAssign) else None
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                found.setdefault(target.id, value.value)
    return found


def _literal(expr: ast.expr | None, constants: Mapping[str, str]) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        return constants.get(expr.id)
    return None


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _code_translation_uses() -> list[tuple[str, str, str, set[str] | None, str]]:
    """(category, key, where, placeholder keys or None when not literal, callee) for each
    ``translation_key=`` of this integration the code passes as a literal or constant."""
    constants = _constants()
    uses = []
    for path in _python_files():
        for node in ast.walk(_module_ast(path)):
            where = f"{path.relative_to(INTEGRATION)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == "_attr_translation_key"
                        and (key := _literal(stmt.value, constants)) is not None
                    ):
                        uses.append(("entity", key, where, None, node.name))
            if not isinstance(node, ast.Call):
                continue
            if (key := _literal(_keyword(node, "translation_key"), constants)) is None:
                continue
            callee = _callee(node)
            domain = _keyword(node, "translation_domain")
            if callee == "async_create_issue" and len(node.args) > 1:
                domain = node.args[1]
            if domain is not None and _literal(domain, constants) != DOMAIN:
                continue  # another integration's translations
            placeholders = _keyword(node, "translation_placeholders")
            keys = (
                {k.value for k in placeholders.keys if isinstance(k, ast.Constant)}
                if isinstance(placeholders, ast.Dict) and None not in placeholders.keys
                else None
            )
            if keys is None and placeholders is None:
                keys = set()
            if callee == "async_create_issue":
                category = "issues"
            elif callee == "DeviceInfo":
                category = "device"
            elif callee.endswith("EntityDescription"):
                category = "entity"
            elif callee.endswith("SelectorConfig"):
                category = "selector"
            elif domain is not None:
                category = "exceptions"
            else:
                category = "unknown"
            uses.append((category, key, where, keys, callee))
    return uses


def test_translation_keys_in_the_code_exist() -> None:
    strings = _strings()
    entity_keys = {key for platform in strings.get("entity", {}).values() for key in platform}
    problems = []
    for category, key, where, placeholders, callee in _code_translation_uses():
        if category == "unknown":
            problems.append(f"{where}: {callee}(translation_key={key!r}) is of no known kind")
            continue
        if category == "entity":
            if key not in entity_keys:
                problems.append(f"{where}: entity translation key {key!r} not translated")
            continue
        text = strings.get(category, {}).get(key)
        if text is None:
            problems.append(f"{where}: {category}.{key} not translated")
            continue
        if placeholders is None:
            continue  # built at run time
        used = {name for value in _texts(text) for name in _placeholders(value)}
        if used != placeholders:
            problems.append(
                f"{where}: {category}.{key} uses placeholders {sorted(used)}, "
                f"the code gives {sorted(placeholders)}"
            )
    assert problems == []


# --- services (hassfest services.py) ------------------------------------------------------------


def _exists(value: Any) -> Any:
    if value is None:
        raise probatio.Invalid("Value cannot be None")
    return value


def _unique_fields(fields: Any) -> Any:
    seen: set[str] = set()
    for key, value in fields.items():
        for name in value["fields"] if value and "fields" in value else [key]:
            if name in seen:
                raise probatio.Invalid(f"Duplicate use of field {name} in service.")
            seen.add(name)
    return fields


_FIELD_SCHEMA = probatio.Schema(
    {
        probatio.Optional("description"): str,
        probatio.Optional("name"): str,
        probatio.Optional("example"): _exists,
        probatio.Optional("default"): _exists,
        probatio.Optional("required"): bool,
        probatio.Optional("advanced"): bool,
        probatio.Optional("selector"): selector.validate_selector,
        probatio.Optional("filter"): {
            probatio.Exclusive("attribute", "field_filter"): {
                probatio.Required(str): [
                    probatio.All(str, service_helper.validate_attribute_option)
                ],
            },
            probatio.Exclusive("supported_features", "field_filter"): [
                probatio.All(str, service_helper.validate_supported_feature)
            ],
        },
    }
)
_SECTION_SCHEMA = probatio.Schema(
    {
        probatio.Optional("description"): str,
        probatio.Optional("name"): str,
        probatio.Optional("collapsed"): bool,
        probatio.Required("fields"): probatio.Schema({str: _FIELD_SCHEMA}),
    }
)
# hassfest's CUSTOM_INTEGRATION_SERVICES_SCHEMA.
SERVICES_SCHEMA = probatio.Schema(
    {
        cv.slug: probatio.Any(
            probatio.Schema(
                {
                    probatio.Optional("description"): str,
                    probatio.Optional("name"): str,
                    probatio.Optional("target"): probatio.Any(
                        selector.TargetSelector.CONFIG_SCHEMA, None
                    ),
                    probatio.Optional("fields"): probatio.All(
                        probatio.Schema({str: probatio.Any(_FIELD_SCHEMA, _SECTION_SCHEMA)}),
                        _unique_fields,
                    ),
                }
            ),
            None,
        )
    }
)


def _services() -> dict[str, Any]:
    if not (INTEGRATION / "services.yaml").is_file():
        return {}
    return _yaml("services.yaml")


def _service_fields(spec: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    fields: dict[str, Mapping[str, Any]] = {}
    for name, field in ((spec or {}).get("fields") or {}).items():
        if field and "fields" in field:
            fields.update(field["fields"])
        else:
            fields[name] = field or {}
    return fields


def test_services_yaml_follows_hassfest_schema() -> None:
    if not (INTEGRATION / "services.yaml").is_file():
        registers = any(
            re.search(
                r"hass\.services\.(async_)?register|async_register_entity_service|"
                r"async_register_admin_service",
                path.read_text(encoding="utf-8"),
            )
            for path in _python_files()
        )
        assert not registers, "Registers services but has no services.yaml"
        pytest.skip("no services")
    SERVICES_SCHEMA(_services())


def test_services_are_named_and_described() -> None:
    """Each action, section and field has a name and a description (in ``services.yaml`` or,
    as hassfest requires of core, in the translations), and each selector translation key and
    icon exists."""
    strings = _strings()
    icons = (
        _json("icons.json").get("services", {}) if (INTEGRATION / "icons.json").is_file() else {}
    )
    problems = []
    for name, spec in _services().items():
        translated = strings.get("services", {}).get(name, {})
        for key in ("name", "description"):
            if key not in (spec or {}) and key not in translated:
                problems.append(f"{name}: no {key}")
        for field_name, field in ((spec or {}).get("fields") or {}).items():
            if (
                field
                and "fields" in field
                and "name" not in field
                and field_name not in translated.get("sections", {})
            ):
                problems.append(f"{name}: section {field_name} has no name")
        for field_name, field in _service_fields(spec).items():
            texts = translated.get("fields", {}).get(field_name, {})
            for key in ("name", "description"):
                if key not in field and key not in texts:
                    problems.append(f"{name}: field {field_name} has no {key}")
            key = ((field.get("selector") or {}).get("select") or {}).get("translation_key")
            if key is not None and key not in strings.get("selector", {}):
                problems.append(f"{name}.{field_name}: selector translation key {key} missing")
        extra = set(translated.get("fields", {})) - set(_service_fields(spec))
        if extra:
            problems.append(f"{name}: translated fields the action does not have: {extra}")
        if name not in icons:
            problems.append(f"{name}: no icon in icons.json")
    if stale := set(strings.get("services", {})) - set(_services()):
        problems.append(f"translated actions services.yaml does not have: {stale}")
    assert problems == []


async def test_registered_actions_match_services_yaml(hass: HomeAssistant, ha_core: None) -> None:
    """The actions ``async_setup`` registers are ``services.yaml``'s, with the same fields (and
    the same required ones), and HA loads their descriptions."""
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    services = _services()
    registered = hass.services.async_services_for_domain(DOMAIN)
    assert set(registered) == set(services)
    for name, service in registered.items():
        fields = _service_fields(services[name])
        schema = service.schema
        assert isinstance(schema, probatio.Schema), f"{name}: no schema to check the fields"
        keys = {str(marker): marker for marker in schema.schema}
        assert set(keys) == set(fields), f"{name}: schema fields {set(keys)} vs yaml {set(fields)}"
        for field_name, marker in keys.items():
            required = isinstance(marker, probatio.Required)
            assert bool(fields[field_name].get("required", False)) is required, (
                f"{name}.{field_name}: required in the schema is {required}"
            )
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    for name in services:
        assert set(descriptions[name].get("fields", {})) == set(
            (services[name] or {}).get("fields") or {}
        )


# --- icons (hassfest icons.py) ------------------------------------------------------------------


def _icon(value: Any) -> str:
    text = cv.string_with_no_html(value)
    if not text.startswith("mdi:"):
        raise probatio.Invalid("The icon needs to be a valid icon from Material Design Icons")
    return text


def _range_key(value: str) -> str:
    try:
        float(value)
    except (TypeError, ValueError) as err:
        raise probatio.Invalid(f"Invalid range key '{value}', needs to be numeric.") from err
    return value


def _not_same_as_default(value: dict[str, Any]) -> dict[str, Any]:
    for key, spec in value.items():
        if (default := spec.get("default")) and (states := spec.get("state")):
            for state, icon in states.items():
                if icon == default:
                    raise probatio.Invalid(f"{key}.{state}: the same icon as the default")
    return value


def _sorted_ranges(value: dict[str, Any]) -> dict[str, Any]:
    for key, spec in value.items():
        if (ranges := spec.get("range")) and [float(k) for k in ranges] != sorted(
            float(k) for k in ranges
        ):
            raise probatio.Invalid(f"Range values for `{key}` must be in ascending order")
    return value


_ICON_STATES = _slug_keys(_icon)
_DATA_ENTRY_ICONS = probatio.Schema({"step": {str: {"sections": {str: _icon}}}})
# hassfest's icon_schema for a custom integration whose type is not entity or system.
ICONS_SCHEMA = probatio.Schema(
    {
        probatio.Optional("config"): _DATA_ENTRY_ICONS,
        probatio.Optional("issues"): probatio.Schema({str: {"fix_flow": _DATA_ENTRY_ICONS}}),
        probatio.Optional("options"): _DATA_ENTRY_ICONS,
        probatio.Optional("services"): _slug_keys(
            probatio.All(
                convert_shorthand_service_icon,
                probatio.Schema(
                    {
                        probatio.Optional("service"): _icon,
                        probatio.Optional("sections"): _slug_keys(_icon),
                    }
                ),
            )
        ),
        probatio.Optional("entity"): probatio.All(
            _slug_keys(
                _slug_keys(
                    {
                        probatio.Optional("default"): _icon,
                        probatio.Optional("state"): _ICON_STATES,
                        probatio.Optional("range"): _slug_keys(_icon, _range_key),
                        probatio.Optional("state_attributes"): probatio.All(
                            _slug_keys(
                                {
                                    probatio.Optional("default"): _icon,
                                    probatio.Optional("state"): _ICON_STATES,
                                    probatio.Optional("range"): _slug_keys(_icon, _range_key),
                                }
                            ),
                            _not_same_as_default,
                            _sorted_ranges,
                        ),
                    }
                ),
                cv.slug,
            ),
            lambda platforms: {p: _not_same_as_default(v) for p, v in platforms.items()},
            lambda platforms: {p: _sorted_ranges(v) for p, v in platforms.items()},
        ),
    }
)


def test_icons_follow_hassfest_schema() -> None:
    if not (INTEGRATION / "icons.json").is_file():
        pytest.skip("no icons.json")
    assert _manifest().get("integration_type", "hub") not in {"entity", "system"}
    ICONS_SCHEMA(_json("icons.json"))


# --- quality scale (hassfest quality_scale.py and quality_scale_validation/) ----------------------

RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}
ALL_RULES = [rule for tier in RULES.values() for rule in tier]
QUALITY_SCALE_SCHEMA = probatio.Schema(
    {
        probatio.Required("rules"): probatio.Schema(
            {
                probatio.Optional(rule): probatio.Any(
                    probatio.In(["todo", "done"]),
                    probatio.Schema(
                        {
                            probatio.Required("status"): probatio.In(["todo", "done"]),
                            probatio.Optional("comment"): str,
                        }
                    ),
                    probatio.Schema(
                        {
                            probatio.Required("status"): "exempt",
                            probatio.Required("comment"): str,
                        }
                    ),
                )
                for rule in ALL_RULES
            }
        )
    }
)


def _quality_scale() -> dict[str, str]:
    """Each rule's status."""
    rules = _yaml("quality_scale.yaml")["rules"]
    return {
        name: value["status"] if isinstance(value, dict) else value for name, value in rules.items()
    }


def _done(rule: str) -> bool:
    return _quality_scale().get(rule) == "done"


def test_quality_scale_follows_hassfest_schema() -> None:
    if not (INTEGRATION / "quality_scale.yaml").is_file():
        pytest.skip("no quality_scale.yaml")
    QUALITY_SCALE_SCHEMA(_yaml("quality_scale.yaml"))


def test_quality_scale_lists_every_rule() -> None:
    """Each rule has a status (todo, done or exempt), so none is forgotten."""
    assert set(ALL_RULES) - set(_quality_scale()) == set()


def _module(name: str) -> ast.Module | None:
    path = INTEGRATION / f"{name}.py"
    return _module_ast(path) if path.is_file() else None


def _platform_modules() -> Iterator[tuple[str, ast.Module]]:
    for platform in Platform:
        if (module := _module(platform.value)) is not None:
            yield platform.value, module


_TYPED_ENTRY = re.compile(r"^[A-Za-z]+ConfigEntry$")
_ENTRY_FUNCTIONS: dict[str, dict[str, int]] = {
    "__init__": {
        "async_migrate_entry": 2,
        "async_remove_config_entry_device": 2,
        "async_remove_entry": 2,
        "async_setup_entry": 2,
        "async_unload_entry": 2,
    },
    "diagnostics": {"async_get_config_entry_diagnostics": 2, "async_get_device_diagnostics": 2},
    **{platform.value: {"async_setup_entry": 2} for platform in Platform},
}


def _untyped_entries() -> list[str]:
    """runtime-data with strict-typing done: the entry arguments are typed ``XConfigEntry``."""
    problems = []

    def check(function: ast.AsyncFunctionDef | ast.FunctionDef, position: int, where: str) -> None:
        if len(function.args.args) < position:
            problems.append(f"{function.name} has incorrect signature in {where}")
            return
        annotation = function.args.args[position - 1].annotation
        if not (isinstance(annotation, ast.Name) and _TYPED_ENTRY.match(annotation.id)):
            problems.append(f"{function.name} does not use typed ConfigEntry in {where}")

    for name, functions in _ENTRY_FUNCTIONS.items():
        if (module := _module(name)) is None:
            continue
        for function_name, position in functions.items():
            if (function := _function(module, function_name)) is not None and isinstance(
                function, ast.AsyncFunctionDef
            ):
                check(function, position, f"{name}.py")
    for node in _module_ast(INTEGRATION / "config_flow.py").body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "async_get_options_flow":
                    check(item, 1, "config_flow.py")
    return problems


def _registers_services(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "async_register_entity_service":
            return True
        value = node.func.value
        if (
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id == "hass"
            and value.attr == "services"
            and node.func.attr in {"async_register", "register"}
        ):
            return True
    return False


def _entity_classes_without_has_entity_name() -> list[str]:
    classes: dict[str, tuple[list[str], bool]] = {}
    for path in sorted(INTEGRATION.glob("*.py")):
        for node in ast.walk(_module_ast(path)):
            if not isinstance(node, ast.ClassDef) or node.name in classes:
                continue
            bases = []
            for expr in node.bases:
                base = expr
                while isinstance(base, ast.Subscript | ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name):
                    bases.append(base.id)
            found = any(
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "_attr_has_entity_name"
                and isinstance(stmt.value, ast.Constant)
                and stmt.value.value is True
                for stmt in node.body
            )
            classes[node.name] = (bases, found)

    def has(name: str) -> bool:
        return name in classes and (classes[name][1] or any(has(b) for b in classes[name][0]))

    return [
        name
        for name, (bases, _) in classes.items()
        if (name.endswith("Entity") or any(b.endswith("Entity") for b in bases)) and not has(name)
    ]


def _exception_name(expr: ast.expr | None) -> str | None:
    if isinstance(expr, ast.Call):
        return _exception_name(expr.func)
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _rule_problems(rule: str) -> list[str]:
    """hassfest's validator of a rule marked done (and the brand folder for ``brands``)."""
    manifest = _manifest()
    init = _module_ast(INTEGRATION / "__init__.py")
    config_flow = _module("config_flow")
    setup_entry = _function(init, "async_setup_entry")
    if rule == "config-flow":
        if not manifest.get("config_flow"):
            return ["Integration does not set config_flow in its manifest"]
        return [] if config_flow else ["Integration does not implement config flow"]
    if rule in {"reconfiguration-flow", "reauthentication-flow"}:
        step = "async_step_reconfigure" if rule.startswith("reconf") else "async_step_reauth"
        ok = config_flow is not None and _defines_async(config_flow, {step})
        return [] if ok else [f"missing `{step}` in config_flow.py"]
    if rule == "discovery":
        if config_flow is None:
            return ["Integration is missing config_flow.py"]
        keys = ("bluetooth", "dhcp", "homekit", "mqtt", "ssdp", "usb", "zeroconf")
        if any(key in manifest for key in keys) or _defines_async(config_flow, DISCOVERY_STEPS):
            return []
        return ["no discovery in the manifest or the config flow"]
    if rule == "diagnostics":
        diagnostics = _module("diagnostics")
        names = {"async_get_config_entry_diagnostics", "async_get_device_diagnostics"}
        return [] if diagnostics and _defines_async(diagnostics, names) else ["no diagnostics"]
    if rule == "unique-config-entry":
        if manifest.get("single_config_entry"):
            return []
        assert config_flow is not None
        ok = bool(_calls(config_flow, "_async_abort_entries_match")) or (
            bool(_calls(config_flow, "async_set_unique_id"))
            and bool(_calls(config_flow, "_abort_if_unique_id_configured"))
        )
        return [] if ok else ["the same device or service can be set up twice"]
    if rule == "config-entry-unloading":
        ok = _defines_async(init, {"async_unload_entry"}, top_level=True)
        return [] if ok else ["missing `async_unload_entry` in __init__.py"]
    if rule == "runtime-data":
        if setup_entry is None or len(setup_entry.args.args) != 2:
            return ["Could not find `async_setup_entry(hass, entry)` in __init__.py"]
        entry_arg = setup_entry.args.args[1].arg
        sets = any(
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == entry_arg
            and node.attr == "runtime_data"
            and isinstance(node.ctx, ast.Store)
            for node in ast.walk(setup_entry)
        )
        problems = [] if sets else ["does not set entry.runtime_data in async_setup_entry"]
        return problems + (_untyped_entries() if _done("strict-typing") else [])
    if rule == "test-before-setup":
        if setup_entry is None:
            return ["Could not find `async_setup_entry` in __init__.py"]
        valid = {"ConfigEntryNotReady", "ConfigEntryAuthFailed", "ConfigEntryError"}
        raises = any(
            isinstance(node, ast.Raise) and _exception_name(node.exc) in valid
            for path in _python_files()
            for node in ast.walk(_module_ast(path))
        )
        refresh = bool(_calls(setup_entry, "async_config_entry_first_refresh"))
        return [] if raises or refresh else [f"Integration does not raise one of {valid}"]
    if rule == "parallel-updates":
        return [
            f"Integration does not set `PARALLEL_UPDATES` in {name}.py"
            for name, module in _platform_modules()
            if not _has_assignment(module, "PARALLEL_UPDATES")
        ]
    if rule == "action-setup":
        return [
            f"Integration registers services in {name}.py (async_setup_entry)"
            for name, module in [("__init__", init), *_platform_modules()]
            if (function := _function(module, "async_setup_entry"))
            and _registers_services(function)
        ]
    if rule == "has-entity-name":
        return [
            f"{name} does not define _attr_has_entity_name"
            for name in _entity_classes_without_has_entity_name()
        ]
    if rule == "brands":
        return [] if (INTEGRATION / "brand" / "icon.png").is_file() else ["no brand/icon.png"]
    if rule == "icon-translations":
        return [] if (INTEGRATION / "icons.json").is_file() else ["no icons.json"]
    return []


CHECKED_RULES = [
    "action-setup",
    "brands",
    "config-entry-unloading",
    "config-flow",
    "diagnostics",
    "discovery",
    "has-entity-name",
    "icon-translations",
    "parallel-updates",
    "reauthentication-flow",
    "reconfiguration-flow",
    "runtime-data",
    "test-before-setup",
    "unique-config-entry",
]


# What these checks found in files they do not fix (reported to their owners): the test is an
# expected failure while exactly these remain, and passes once they are fixed.
KNOWN_FINDINGS: dict[str, list[str]] = {}


@pytest.mark.parametrize("rule", CHECKED_RULES)
def test_quality_scale_rule_marked_done_holds(rule: str) -> None:
    if not _done(rule):
        pytest.skip(f"{rule} is {_quality_scale().get(rule)}")
    problems = _rule_problems(rule)
    if problems and problems == KNOWN_FINDINGS.get(rule):
        pytest.xfail(f"known, to be fixed in the integration: {problems}")
    assert problems == []
