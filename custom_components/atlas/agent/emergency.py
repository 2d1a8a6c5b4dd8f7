"""Whether a turn describes a real emergency now, in any declared language.

A narrower test than the router's safety families: a health question gets "talk to a
professional", an emergency gets the country's emergency number first. Some signs are an
emergency whenever they are reported ("he isn't breathing", "her face is drooping"); others
only when they are happening now ("crushing pain in my chest right now", not "chest pain when I
run"). A sign that is negated, past, habitual or hypothetical ("no chest pain today", "I fainted
last year", "what should I do if someone collapses") is a health question, not an emergency.
It reads the folded turn (lower case, no accents, French elisions split).
"""

from __future__ import annotations

import re
from typing import Final

from .lang import de, en, es, fr
from .lang.patterns import fold, rx

_LANGUAGES: Final = (en, de, es, fr)
_ACUTE_RE: Final = rx(*(p for lang in _LANGUAGES for p in lang.EMERGENCY))
_IF_NOW_RE: Final = rx(*(p for lang in _LANGUAGES for p in lang.EMERGENCY_IF_NOW))
_NOW_RE: Final = rx(
    r"(?:right\s+)?now\b", r"at\s+the\s+moment", r"currently", r"just\b", r"suddenly", r"help\b",
    r"(?:i'?m|he'?s|she'?s|they'?re|is|are)\s+(?:\w+\s+)?(?:having|getting|feeling)\b",
    r"(?:i'?ve|he'?s|she'?s)\s+got\b", r"won'?t\s+stop", r"getting\s+worse", r"sweat\w*",
    r"jetzt\b", r"gerade\b", r"sofort\b", r"hilfe\b", r"ahora\b", r"ayuda\b", r"de\s+repente",
    r"maintenant\b", r"en\s+ce\s+moment", r"au\s+secours", r"aidez",
    r"tout\s+(?:a\s+coup|de\s+suite)",
)  # fmt: skip
# Past, habitual or hypothetical: a question about it, not an emergency now.
_NOT_NOW_RE: Final = rx(
    r"yesterday", r"last\s+(?:week|month|year|night|time)", r"ago\b", r"nearly", r"almost",
    r"used\s+to", r"in\s+the\s+past", r"what\s+(?:should|do|can)\s+(?:i|you|we)\s+do\s+if",
    r"if\s+(?:someone|somebody|i|you)", r"when(?:ever)?\s+i\b", r"every\s+time", r"always",
    r"gestern", r"letzte[nrs]?\b", r"wenn\s+ich",
    # German "fast" (almost), not English "help fast": only before what nearly happened.
    r"fast\s+(?:\w+\s+)?(?:ohnma\w*|umgekippt|gestorben|zusammengebrochen|erstickt|ertrunken"
    r"|bewusstlos|gefallen|keine\s+luft)", r"ayer\b", r"casi\b", r"cuando",
    r"hier\b", r"failli", r"quand\s+je",
)  # fmt: skip
_NEGATION_RE: Final = re.compile(
    r"\b(?:no|not|never|without|remind|reminder|log|logged|keine?[nrs]?|kein|nicht|pas\s+de"
    r"|pas\s+d|sans|sin|ningun\w*)\b[^.?!]{0,25}$"
)


def emergency(text: str) -> str | None:
    """The words that make ``text`` an emergency now, or None."""
    folded = fold(text)
    if _NOT_NOW_RE.search(folded):
        return None
    for pattern, needs_now in ((_ACUTE_RE, False), (_IF_NOW_RE, True)):
        for match in pattern.finditer(folded):
            if _NEGATION_RE.search(folded, 0, match.start()):
                continue
            if needs_now and not _NOW_RE.search(folded):
                continue
            return " ".join(match.group(0).split())
    return None
