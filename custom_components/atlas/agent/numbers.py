"""Numbers and durations as a request says them: digits, "seventy five", "one hundred and
twenty", "two and a half", "five point five", "a dozen", "forty five minutes", "an hour and a
half". Standard library only."""

from __future__ import annotations

import re
from typing import Final

_UNITS: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS: Final = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
# Whole phrases worth a fixed amount ("a" and "an" as in "an hour", "a mile").
_PHRASES: Final = {
    "a dozen": 12, "half a dozen": 6, "a couple of": 2, "a couple": 2, "couple of": 2,
    "a hundred": 100, "a thousand": 1000, "half an": 0.5, "half a": 0.5,
    "a quarter of an": 0.25, "a quarter of a": 0.25, "quarter of an": 0.25,
    "three quarters of an": 0.75, "three quarters of a": 0.75, "an": 1, "a": 1,
}  # fmt: skip
_FRACTIONS: Final = {"a half": 0.5, "half": 0.5, "a quarter": 0.25, "three quarters": 0.75}
# Every single number word and fixed phrase with its value (the compounds parse in ``number``).
NUMBER_WORDS: Final[dict[str, float]] = {
    **_UNITS, **_TEENS, **_TENS, "twenty five": 25, "forty five": 45, **_PHRASES,
}  # fmt: skip


def _words(*tables: dict[str, float] | dict[str, int]) -> str:
    names = sorted((name for table in tables for name in table), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names) + r")\b"


_UNIT: Final = _words({k: v for k, v in _UNITS.items() if k != "zero"})
_BELOW_100: Final = rf"(?:{_words(_TENS)}(?:[\s-]+{_UNIT})?|{_words(_TEENS)}|{_words(_UNITS)})"
_HUNDREDS: Final = rf"(?:(?:{_BELOW_100}|a)\s+hundred\b(?:\s+(?:and\s+)?{_BELOW_100})?)"
_INTEGER: Final = (
    rf"(?:(?:{_HUNDREDS}|{_BELOW_100}|a)\s+thousand\b(?:\s+(?:and\s+)?(?:{_HUNDREDS}|{_BELOW_100}))?"
    rf"|{_HUNDREDS}|{_BELOW_100})"
)
_DIGIT_WORD: Final = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b"
_SPOKEN: Final = (
    rf"(?:{_INTEGER}(?:\s+point(?:\s+{_DIGIT_WORD})+|\s+and\s+{_words(_FRACTIONS)})?"
    rf"|point(?:\s+{_DIGIT_WORD})+)"
)
_LEADING_PHRASES: Final = {
    k: 0 for k in _PHRASES if k not in ("a", "an", "a hundred", "a thousand")
}
# One number, in digits or words, as a single regex group (no other groups inside).
NUM: Final = (
    rf"(\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?|{_words(_LEADING_PHRASES)}|{_SPOKEN}|an?\b)"
)
# "one eighty" (180), "two twenty five" (225): a height or weight said the short way.
SHORT_HUNDREDS: Final = rf"({_UNIT}\s+(?:{_words(_TENS)}(?:[\s-]+{_UNIT})?|{_words(_TEENS)}))"
_MINUTE_UNIT: Final = r"(?:minutes?|mins?)"
# A duration: group 1 the number, group 2 the unit; after hours, group 3 "a half"/"a quarter"
# ("an hour and a half") or group 4 the extra minutes ("1 hour 30 minutes").
MINUTES: Final = re.compile(
    rf"\b{NUM}[\s-]*(minutes?|mins?|hours?|hrs?)\b"
    rf"(?:(?:(?<=r)|(?<=rs))(?:\s+and\s+(a\s+half|a\s+quarter)\b"
    rf"|,?\s+(?:and\s+)?{NUM}[\s-]*{_MINUTE_UNIT}\b))?"
)
_SPACES: Final = re.compile(r"[\s-]+")
_VALUES: Final[dict[str, int]] = {**_UNITS, **_TEENS, **_TENS}


def number(word: str) -> float:
    """The value of a number written in digits or words (anything :data:`NUM` matches, and
    the short hundreds of :data:`SHORT_HUNDREDS`); ``ValueError`` for anything else."""
    said = _SPACES.sub(" ", word.strip().lower())
    if said[:1].isdigit():
        return float(said.replace(",", ""))
    if said in NUMBER_WORDS:
        return float(NUMBER_WORDS[said])
    if " point" in f" {said}":
        whole, _, digits = f" {said}".partition(" point ")
        decimals = "".join(str(_UNITS.get(d, 0)) for d in digits.split())
        return (_integer(whole.strip()) if whole.strip() else 0.0) + float(f"0.{decimals}")
    for name, value in _FRACTIONS.items():
        if said.endswith(f" and {name}"):
            return _integer(said.removesuffix(f" and {name}")) + value
    return _integer(said)


def _integer(said: str) -> float:
    if not said.replace("and", "").strip():
        raise ValueError(f"not a number: {said!r}")
    total = current = 0
    previous: int | None = None
    for word in said.split():
        if word == "and":
            continue
        if word == "hundred":
            current, previous = max(current, 1) * 100, None
            continue
        if word == "thousand":
            total, current, previous = total + max(current, 1) * 1000, 0, None
            continue
        value = 1 if word == "a" else _VALUES.get(word)
        if value is None:
            raise ValueError(f"not a number: {said!r}")
        if previous is not None and 1 <= previous <= 9 and value >= 10 and current < 10:
            current = current * 100 + value  # "one eighty": 180
        else:
            current += value
        previous = value
    return float(total + current)


def minutes(text: str) -> float | None:
    """The first duration said in lower-case ``text``, in minutes ("an hour and a half": 90)."""
    match = MINUTES.search(text)
    if match is None:
        return None
    value = number(match.group(1))
    if not match.group(2).startswith("h"):
        return value
    extra = number(match.group(4)) if match.group(4) else 0.0
    if match.group(3):
        extra = 60 * _FRACTIONS[_SPACES.sub(" ", match.group(3))]
    return value * 60 + extra
