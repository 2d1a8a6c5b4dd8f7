"""ATLAS's requirements coexist with HA core's, and cover everything ATLAS imports.

HA installs one version of each package for all integrations: a requirement of ATLAS that
excludes the version an HA core integration pins (``anthropic``, ``wyoming``) breaks one of the
two, or has pip fight at every start. And a module ATLAS imports that no requirement provides
(nor HA itself) may simply be missing on a user's install.
"""

from __future__ import annotations

import ast
import json
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import homeassistant
import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "atlas"
CORE_COMPONENTS = Path(homeassistant.__file__).parent / "components"


def atlas_requirements() -> list[Requirement]:
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    return [Requirement(line) for line in manifest["requirements"]]


@cache
def core_pins() -> dict[NormalizedName, dict[Version, list[str]]]:
    """Each package HA core's integrations pin (``==``): its versions, and the integrations."""
    pins: dict[NormalizedName, dict[Version, list[str]]] = {}
    for path in sorted(CORE_COMPONENTS.glob("*/manifest.json")):
        for line in json.loads(path.read_text(encoding="utf-8")).get("requirements", []):
            try:
                requirement = Requirement(line)
            except InvalidRequirement:  # a URL or some such: not a pin
                continue
            for spec in requirement.specifier:
                if spec.operator == "==" and "*" not in spec.version:
                    versions = pins.setdefault(canonicalize_name(requirement.name), {})
                    versions.setdefault(Version(spec.version), []).append(path.parent.name)
    return pins


@pytest.mark.parametrize("requirement", atlas_requirements(), ids=str)
def test_requirement_includes_home_assistant_cores_pin(requirement: Requirement) -> None:
    pinned = core_pins().get(canonicalize_name(requirement.name))
    if not pinned:
        pytest.skip(f"no HA core integration pins {requirement.name}")
    for version, integrations in pinned.items():
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement} excludes {requirement.name}=={version}, which HA core's "
            f"{', '.join(integrations)} integration pins"
        )


def test_core_pins_are_found() -> None:
    # The search works: HA core's Anthropic and Wyoming integrations pin their packages.
    pins = core_pins()
    assert "anthropic" in pins["anthropic"][max(pins["anthropic"])]
    assert "wyoming" in pins["wyoming"][max(pins["wyoming"])]


@pytest.mark.parametrize("requirement", atlas_requirements(), ids=str)
def test_installed_version_meets_the_requirement(requirement: Requirement) -> None:
    installed = metadata.version(requirement.name)
    assert requirement.specifier.contains(installed, prereleases=True), (
        f"{requirement.name} {installed} is installed, outside {requirement}"
    )


# --- imports ------------------------------------------------------------------------------------


def imported_modules(source: str) -> set[str]:
    """The top-level modules a source imports absolutely (relative imports are ATLAS's own)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.partition(".")[0])
    return modules - {"__future__"}


def _requirement_names(lines: list[str] | None) -> set[NormalizedName]:
    """The packages of the unconditional requirements among ``lines`` (no extras' ones)."""
    names: set[NormalizedName] = set()
    for line in lines or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.add(canonicalize_name(requirement.name))
    return names


@cache
def home_assistant_dependencies() -> frozenset[NormalizedName]:
    """``homeassistant`` and every package it installs, directly or not."""
    found: set[NormalizedName] = set()
    todo = [canonicalize_name("homeassistant")]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        try:
            todo.extend(_requirement_names(metadata.requires(name)))
        except metadata.PackageNotFoundError:
            continue
    return frozenset(found)


def unprovided_imports(sources: dict[str, str]) -> dict[str, list[str]]:
    """Modules imported by ``sources`` (name → text) that nothing ATLAS relies on provides.

    Provided are: the standard library, HA and what it installs, and the packages of the
    manifest's requirements (module → package by ``packages_distributions``).
    """
    allowed = home_assistant_dependencies() | {
        canonicalize_name(r.name) for r in atlas_requirements()
    }
    distributions = metadata.packages_distributions()
    missing: dict[str, list[str]] = {}
    for name, source in sources.items():
        for module in sorted(imported_modules(source)):
            if module in sys.stdlib_module_names or module == "custom_components":
                continue
            packages = {canonicalize_name(d) for d in distributions.get(module, [])}
            if not packages & allowed:
                missing.setdefault(module, []).append(name)
    return missing


def test_every_import_is_provided_by_home_assistant_or_a_requirement() -> None:
    sources = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(INTEGRATION.rglob("*.py"))
    }
    assert sources
    assert unprovided_imports(sources) == {}


def test_an_unlisted_import_is_caught() -> None:
    sources = {
        "claude.py": "import anthropic\nimport httpx2\nfrom homeassistant.core import callback\n",
        "llm.py": "import voluptuous as vol\nfrom probatio import x\nimport json\n",
        "box.py": "from . import client\nfrom wyoming.client import AsyncTcpClient\n",
        "http.py": "import aiohttp\nfrom custom_components.atlas import const\n",
        "odd.py": "import not_a_module_anywhere\n",
    }
    assert unprovided_imports(sources) == {
        "httpx2": ["claude.py"],
        "not_a_module_anywhere": ["odd.py"],
    }
