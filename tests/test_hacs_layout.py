"""HACS's rules for this repository, checked offline: ``hacs.json``, the layout, the manifest and
the brand images.

HACS (``hacs/action``) validates a repository against GitHub; CI has no GitHub, so the rules that
read files are applied here:

- ``hacs.json``: HACS's ``HACS_MANIFEST_JSON_SCHEMA`` (``name`` required, no unknown keys,
  ``zip_release`` needs ``filename``); ``homeassistant`` and ``hacs`` are versions, ``country`` is
  ISO 3166 (Home Assistant's own country list).
- Layout (``content_in_root: false``): ``custom_components/`` holds exactly one integration, in a
  folder named after its domain, with its ``manifest.json``; an information file (README) and a
  LICENSE at the root.
- ``manifest.json``: HACS's ``INTEGRATION_MANIFEST_JSON_SCHEMA`` (``codeowners``,
  ``documentation`` and ``issue_tracker`` URLs checked with Home Assistant's ``cv.url``,
  ``domain``, ``name``, ``version``).
- Brand images (``custom_components/atlas/brand/``, which Home Assistant's ``brands`` integration
  serves for custom integrations): the file names Home Assistant serves, and the checks of the
  home-assistant/brands repository (``.github/workflows/validate/validate.sh`` and its README):
  PNG, RGB(A), ``icon.png`` 256x256, ``icon@2x.png`` 512x512, a logo's shortest side 128-256 px
  (256-512 for @2x), an @2x image only beside its normal one, no image identical to the one it
  would fall back to, and trimmed edges.

What HACS checks through the GitHub API (the repository's description, topics, issues being
enabled, the domain being listed at brands.home-assistant.io) cannot be checked here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import probatio
import pytest
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.components.brands.const import ALLOWED_IMAGES, IMAGE_FALLBACKS
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.generated.countries import COUNTRIES
from homeassistant.helpers import config_validation as cv
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CUSTOM_COMPONENTS = ROOT / "custom_components"


def _load_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.relative_to(ROOT)} is not a JSON object"
    return data


def _hacs_json() -> dict[str, Any]:
    return _load_json(ROOT / "hacs.json")


def _integration_dirs() -> list[Path]:
    """The folders under ``custom_components/`` (what HACS would pick its integration from)."""
    return sorted(
        path
        for path in CUSTOM_COMPONENTS.iterdir()
        if path.is_dir() and not path.name.startswith((".", "__"))
    )


def _integration_dir() -> Path:
    dirs = _integration_dirs()
    assert len(dirs) == 1, f"HACS installs one integration per repository, found {dirs}"
    return dirs[0]


def _version(value: Any) -> str:
    if not isinstance(value, str) or AwesomeVersion(value).strategy is (
        AwesomeVersionStrategy.UNKNOWN
    ):
        raise probatio.Invalid(f"{value!r} is not a version")
    return value


def _countries(value: Any) -> list[str]:
    """HACS's ``country``: one ISO 3166 alpha-2 code or a list of them (any case)."""
    codes = [value] if isinstance(value, str) else value
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise probatio.Invalid(f"{value!r} is not a country code or a list of them")
    if unknown := [code for code in codes if code.upper() not in COUNTRIES]:
        raise probatio.Invalid(f"{unknown} are not ISO 3166 country codes")
    return [code.upper() for code in codes]


# HACS's custom_components/hacs/utils/validate.py, HACS_MANIFEST_JSON_SCHEMA (extra keys refused).
HACS_JSON_SCHEMA = probatio.Schema(
    {
        probatio.Required("name"): str,
        probatio.Optional("content_in_root"): bool,
        probatio.Optional("country"): _countries,
        probatio.Optional("filename"): str,
        probatio.Optional("hacs"): probatio.All(str, _version),
        probatio.Optional("hide_default_branch"): bool,
        probatio.Optional("homeassistant"): probatio.All(str, _version),
        probatio.Optional("persistent_directory"): str,
        probatio.Optional("render_readme"): bool,
        probatio.Optional("zip_release"): bool,
    },
    extra=probatio.PREVENT_EXTRA,
)

# HACS's INTEGRATION_MANIFEST_JSON_SCHEMA: what HACS reads from the integration's manifest.
HACS_MANIFEST_SCHEMA = probatio.Schema(
    {
        probatio.Required("codeowners"): list,
        probatio.Required("documentation"): cv.url,
        probatio.Required("domain"): str,
        probatio.Required("issue_tracker"): cv.url,
        probatio.Required("name"): str,
        probatio.Required("version"): _version,
    },
    extra=probatio.ALLOW_EXTRA,
)


# --- hacs.json ---------------------------------------------------------------------------------


def test_hacs_json_follows_hacs_schema() -> None:
    hacs = _hacs_json()
    HACS_JSON_SCHEMA(hacs)
    assert hacs["name"].strip() == hacs["name"]
    assert hacs["name"]


def test_zip_release_names_its_file() -> None:
    hacs = _hacs_json()
    if hacs.get("zip_release"):
        assert hacs.get("filename"), "zip_release is true, but filename is not set"
    if "filename" in hacs:
        assert hacs.get("zip_release"), "filename only applies to zip releases of an integration"


def test_minimum_home_assistant_is_one_the_tests_run() -> None:
    """``homeassistant`` is the oldest HA that HACS offers the integration to: the tests run on
    that one or a newer one, never an older one."""
    minimum = _hacs_json().get("homeassistant")
    if minimum is None:
        pytest.skip("hacs.json sets no minimum Home Assistant version")
    assert AwesomeVersion(minimum) <= AwesomeVersion(HA_VERSION), (minimum, HA_VERSION)


# --- repository layout -------------------------------------------------------------------------


def test_one_integration_under_custom_components() -> None:
    hacs = _hacs_json()
    assert not hacs.get("content_in_root", False), "the integration lives in custom_components/"
    integration = _integration_dir()
    assert (integration / "manifest.json").is_file()
    assert (integration / "__init__.py").is_file()
    # HACS installs the folder as custom_components/<domain>: its name is the domain.
    assert _load_json(integration / "manifest.json")["domain"] == integration.name


def test_nothing_but_the_integration_is_installed() -> None:
    """HACS copies only ``custom_components/<domain>/``; the package marker beside it (for the
    tests' imports) is the only other file, and it is empty."""
    others = sorted(
        path.name
        for path in CUSTOM_COMPONENTS.iterdir()
        if path.is_file() and not path.name.startswith(".")
    )
    assert others in ([], ["__init__.py"]), others
    marker = CUSTOM_COMPONENTS / "__init__.py"
    if marker.exists():
        assert marker.read_text(encoding="utf-8").strip() == ""


def test_information_file_and_license() -> None:
    names = {path.name.lower(): path for path in ROOT.iterdir() if path.is_file()}
    info = next((names[n] for n in ("readme", "readme.md", "info", "info.md") if n in names), None)
    assert info is not None, "HACS needs an information file (README.md or info.md)"
    if _hacs_json().get("render_readme"):
        assert "readme.md" in names or "readme" in names, "render_readme shows the README"
    assert info.read_text(encoding="utf-8").strip()
    license_file = next(
        (names[n] for n in ("license", "license.md", "license.txt") if n in names), None
    )
    assert license_file is not None, "no LICENSE file at the root"
    assert license_file.read_text(encoding="utf-8").strip()


def test_manifest_has_what_hacs_reads() -> None:
    manifest = _load_json(_integration_dir() / "manifest.json")
    HACS_MANIFEST_SCHEMA(manifest)
    assert manifest["codeowners"], "HACS lists the code owners as the authors"
    assert all(re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", owner) for owner in manifest["codeowners"])


# --- brand images ------------------------------------------------------------------------------

BRAND = CUSTOM_COMPONENTS / "atlas" / "brand"


def _brand_images() -> list[Path]:
    return sorted(BRAND.iterdir()) if BRAND.is_dir() else []


def test_brand_folder_is_the_integrations() -> None:
    assert BRAND.parent == _integration_dir()


def test_brand_folder_has_an_icon() -> None:
    """Every brands domain folder has at least ``icon.png``; the rest falls back to it."""
    assert (BRAND / "icon.png").is_file()


def test_brand_files_are_the_ones_home_assistant_serves() -> None:
    names = {path.name for path in _brand_images()}
    assert names <= ALLOWED_IMAGES, names - ALLOWED_IMAGES
    assert all(path.is_file() for path in _brand_images())


@pytest.mark.parametrize("name", sorted(ALLOWED_IMAGES))
def test_brand_image(name: str) -> None:
    path = BRAND / name
    if not path.is_file():
        pytest.skip(f"no {name} (Home Assistant falls back to {IMAGE_FALLBACKS.get(name)})")
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG", f"{name} is {image.format}, not PNG"
        assert image.mode in {"RGB", "RGBA", "P", "LA", "L"}, f"{name}: colour mode {image.mode}"
        width, height = image.size
        if "icon" in name:
            size = 512 if "@2x" in name else 256
            assert (width, height) == (size, size), f"{name} is {width}x{height}, not {size}px"
        else:
            low, high = (256, 512) if "@2x" in name else (128, 256)
            assert low <= min(width, height) <= high, (
                f"{name} is {width}x{height}: its shortest side must be {low}-{high} px"
            )
        # Trimmed: no fully transparent row or column along the edges.
        if "A" in image.getbands():
            bbox = image.getchannel("A").getbbox()
            assert bbox == (0, 0, width, height), f"{name} is not trimmed: content in {bbox}"
    if "@2x" in name:
        assert (BRAND / name.replace("@2x", "")).is_file(), f"{name} without its normal version"


def test_brand_images_are_not_duplicates() -> None:
    """The brands repository refuses an image identical to its fallback (logo = icon, dark =
    light, @2x = normal): Home Assistant serves the fallback anyway."""
    images = {path.name: path.read_bytes() for path in _brand_images()}
    pairs = [
        ("icon.png", "logo.png"),
        ("icon@2x.png", "logo@2x.png"),
        ("dark_icon.png", "dark_logo.png"),
        ("dark_icon@2x.png", "dark_logo@2x.png"),
        ("icon.png", "dark_icon.png"),
        ("icon@2x.png", "dark_icon@2x.png"),
        ("logo.png", "dark_logo.png"),
        ("logo@2x.png", "dark_logo@2x.png"),
        ("icon.png", "icon@2x.png"),
        ("logo.png", "logo@2x.png"),
        ("dark_icon.png", "dark_icon@2x.png"),
        ("dark_logo.png", "dark_logo@2x.png"),
    ]
    same = [(a, b) for a, b in pairs if a in images and b in images and images[a] == images[b]]
    assert same == []


def test_hdpi_images_double_their_normal_version() -> None:
    """An @2x image is the normal one at twice the resolution (same aspect ratio)."""
    for path in _brand_images():
        if "@2x" not in path.name or not (normal := BRAND / path.name.replace("@2x", "")).is_file():
            continue
        with Image.open(path) as hdpi, Image.open(normal) as image:
            assert hdpi.size == (2 * image.width, 2 * image.height), (path.name, hdpi.size)
