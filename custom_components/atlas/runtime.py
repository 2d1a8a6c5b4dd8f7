"""What a loaded ATLAS config entry holds (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .client import AtlasClient, AtlasInfo
from .health import BoxHealth


@dataclass
class AtlasRuntimeData:
    """The GPU box client, what it said about itself, and its health."""

    client: AtlasClient
    info: AtlasInfo
    health: BoxHealth


type AtlasConfigEntry = ConfigEntry[AtlasRuntimeData]
