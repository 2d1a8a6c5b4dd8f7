"""What a loaded ATLAS config entry holds (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .agent.learned import LearnedStage
from .box.client import AtlasClient, AtlasInfo
from .box.health import BoxHealth
from .skills import Skills

if TYPE_CHECKING:
    from .cloud.budget import Budget
    from .cloud.claude import ClaudeConnection


@dataclass
class AtlasRuntimeData:
    """Everything an entry runs on, complete once built: the box, the skills and the cloud."""

    client: AtlasClient
    info: AtlasInfo
    health: BoxHealth
    skills: Skills
    claude: ClaudeConnection  # the Claude budget, and the client made on the first cloud call
    learned: LearnedStage | None = None  # the learned stage of the cascade (None: not loaded)

    @property
    def budget(self) -> Budget:
        """The entry's Claude budget."""
        return self.claude.budget


type AtlasConfigEntry = ConfigEntry[AtlasRuntimeData]
