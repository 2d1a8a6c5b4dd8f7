"""What a loaded ATLAS config entry holds (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .client import AtlasClient, AtlasInfo
from .health import BoxHealth
from .skills import Skills


@dataclass
class AtlasRuntimeData:
    """The GPU box client, what it said about itself, and its health."""

    client: AtlasClient
    info: AtlasInfo
    health: BoxHealth
    skills: Skills = field(default_factory=Skills)


type AtlasConfigEntry = ConfigEntry[AtlasRuntimeData]
