"""The English text of a :class:`~custom_components.atlas.agent.spoken.Spoken`, for asserts."""

from __future__ import annotations

import json
from pathlib import Path

from custom_components.atlas.agent.spoken import Spoken

_EN = Path(__file__).resolve().parents[2] / "custom_components" / "atlas" / "translations"


def in_language(spoken: Spoken, language: str = "en") -> str:
    """What ``spoken`` says in ``language``, read straight from ``translations/<language>.json``."""
    strings = json.loads((_EN / f"{language}.json").read_text(encoding="utf-8"))
    return str(strings["exceptions"][spoken.key]["message"]).format(**spoken.placeholders)


def english(spoken: Spoken) -> str:
    """What ``spoken`` says in English."""
    return in_language(spoken)
