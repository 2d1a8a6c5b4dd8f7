"""Helpers that build the router's regular expressions, and words shared by languages."""

from __future__ import annotations

import re
from typing import Final

WORD_START: Final = r"(?<![\w'])"  # matches only start at a word: correct, and much faster


def rx(*alternatives: str, word_start: bool = True) -> re.Pattern[str]:
    """Compile the alternatives as one pattern that matches at a word start."""
    pattern = "|".join(alternatives)
    return re.compile(f"{WORD_START}(?:{pattern})" if word_start else pattern)


def any_of(*words: str) -> str:
    """One non-capturing group of alternatives."""
    return "(?:" + "|".join(words) + ")"


# "¿Es grave?", "c'est grave ?", "rien de grave"; not an English grave.
GRAVE: Final = (  # Spanish and French
    r"(?:es|sera|seria|est|ce|serait|pas|algo|nada|rien\s+de|quelque\s+chose\s+de)\s+"
    r"(?:\w+\s+)?graves?\b"
)
