"""Helpers that build the router's regular expressions, and words shared by languages."""

from __future__ import annotations

import re
from typing import Final

WORD_START: Final = r"(?<![\w'])"  # matches only start at a word: correct, and much faster


def rx(*alternatives: str, word_start: bool = True) -> re.Pattern[str]:
    """Compile the alternatives as one pattern that matches at a word start."""
    pattern = "|".join(alternatives)
    return re.compile(f"{WORD_START}(?:{pattern})" if word_start else pattern)


PUNCT: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2013": "-", "\u2014": "-"})
_ACCENTED: Final = "àáâãäåāçčèéêëēěìíîïīñńòóôõöøōùúûüūůýÿ"
_PLAIN: Final = "aaaaaaacceeeeeeiiiiinnooooooouuuuuuyy"
_FOLD: Final = str.maketrans(
    {**dict(zip(_ACCENTED, _PLAIN, strict=True)), "ß": "ss", "œ": "oe", "æ": "ae"}
)
_ELISION_RE: Final = re.compile(r"(?<![\w'])(qu|[cdjlmnst])'(?=\w)")


def fold(text: str) -> str:
    """The turn lower-cased, without accents or umlauts, French elisions split, for the safety
    words of every language: "Übelkeit" -> "ubelkeit", "médico" -> "medico", "Fuß" -> "fuss",
    "l'eau" -> "l eau"."""
    return _ELISION_RE.sub(r"\1 ", text.lower().translate(PUNCT).translate(_FOLD))


def any_of(*words: str) -> str:
    """One non-capturing group of alternatives."""
    return "(?:" + "|".join(words) + ")"


# "¿Es grave?", "c'est grave ?", "rien de grave"; not an English grave.
GRAVE: Final = (  # Spanish and French
    r"(?:es|sera|seria|est|ce|serait|pas|algo|nada|rien\s+de|quelque\s+chose\s+de)\s+"
    r"(?:\w+\s+)?graves?\b"
)
