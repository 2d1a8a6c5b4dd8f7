"""ATLAS skills: HA-native features first (entities, services, events), LLM tools second.

:func:`.setup.async_setup_skills` builds every skill of an entry in dependency order and
returns them as one complete :class:`Skills`; each skill module offers ``async_setup_skill``
(its manager, with its dependencies passed in) and ``tools`` (the LLM tools over it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeassistant.helpers import llm

    from .plans import PlanBook
    from .recovery import RecoveryReader
    from .reminders import ReminderManager
    from .workouts import WorkoutLog


@dataclass(frozen=True)
class Skills:
    """The skills of one ATLAS entry and the LLM tools they offer."""

    reminders: ReminderManager
    workouts: WorkoutLog
    recovery: RecoveryReader
    plans: PlanBook
    tools: tuple[llm.Tool, ...]
