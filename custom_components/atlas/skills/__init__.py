"""ATLAS skills: HA-native features first (entities, services, events), LLM tools second.

Each skill module exposes ``async_setup_skill(hass, entry, skills)``, which stores its manager on
:class:`Skills` and appends its tools to ``skills.tools``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.helpers import llm

if TYPE_CHECKING:
    from .plans import PlanBook
    from .recovery import RecoveryReader
    from .reminders import ReminderManager
    from .workouts import WorkoutLog


@dataclass
class Skills:
    """The skills of one ATLAS entry and the LLM tools they offer."""

    tools: list[llm.Tool] = field(default_factory=list)
    reminders: ReminderManager | None = None
    workouts: WorkoutLog | None = None
    plans: PlanBook | None = None
    recovery: RecoveryReader | None = None
