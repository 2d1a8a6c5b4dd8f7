"""A no-op stand-in for Home Assistant's ``analytics`` in the demo's throw-away instance.

The real one opens HA's shared HTTP client at set-up, whose mDNS resolver listens on port 5353
of every address; the demo listens on 127.0.0.1 only and sends no analytics anyway.
"""

from __future__ import annotations

from typing import Any


async def async_setup(hass: Any, config: Any) -> bool:
    """Nothing to set up."""
    return True
