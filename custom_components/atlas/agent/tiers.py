"""How much the local model may do, by its size (atlas-llm's describe says it).

A tiny model (under about 1B parameters, such as the bundled SmolLM2-135M) cannot call tools
or read an intent reliably: it speaks tool instructions back, writes code, confirms what it never
did. So it gets no tools, no skill intent and no structured pass; it only makes small talk. The
rules, the learned stage and the skills' direct routes need no model and work as with any other.
An unknown size (an older atlas-llm) counts as capable: nothing changes for it.

Standard library only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# Below this many parameters a model is tiny.
TINY_BELOW: Final = 1_000_000_000


class Tier(StrEnum):
    """The local model's tier."""

    TINY = "tiny"
    CAPABLE = "capable"

    @property
    def gets_tools(self) -> bool:
        """Whether the model's rounds are offered tools."""
        return self is Tier.CAPABLE

    @property
    def reads_intents(self) -> bool:
        """Whether the model takes the structured pass, hears the understood intent and words
        the skills' results."""
        return self is Tier.CAPABLE


def model_tier(parameters: int | None) -> Tier:
    """The tier of a model with ``parameters`` (None: unknown, taken as capable)."""
    if parameters is not None and 0 < parameters < TINY_BELOW:
        return Tier.TINY
    return Tier.CAPABLE
