"""Root fixtures.

``custom_components.atlas`` is imported before Home Assistant's fixtures run, or HA reports
"Integration not found" for it. Only tests that use ``hass`` get custom integrations enabled, so
the server tests stay free of Home Assistant.
"""

from __future__ import annotations

import pytest

import custom_components.atlas  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let HA load ``custom_components/`` in every test that has a ``hass`` instance."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")
