"""What a loaded ATLAS config entry holds (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .client import AtlasClient, AtlasInfo
from .health import BoxHealth
from .skills import Skills

if TYPE_CHECKING:
    import anthropic

    from .budget import Budget


@dataclass
class AtlasRuntimeData:
    """The GPU box client, what it said about itself, and its health."""

    client: AtlasClient
    info: AtlasInfo
    health: BoxHealth
    skills: Skills = field(default_factory=Skills)
    budget: Budget | None = None  # the Claude budget
    claude_client: anthropic.AsyncAnthropic | None = None  # made on the first cloud call


type AtlasConfigEntry = ConfigEntry[AtlasRuntimeData]
