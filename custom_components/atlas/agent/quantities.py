"""Quantities as a request says them: heights, weights, distances, temperatures, percentages.

``quantities(text)`` finds every number with its unit ("one eighty centimetres", "6 foot 2",
"5'10", "11 stone 4", "ten k", "70 kilos", "100 fahrenheit"); ``target_unit`` finds the unit a
conversion asks for ("… in feet and inches"); ``convert`` and ``say`` turn one into the other,
speakably. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .numbers import NUM, SHORT_HUNDREDS, number

LENGTH: Final = "length"
MASS: Final = "mass"
TEMPERATURE: Final = "temperature"
VOLUME: Final = "volume"
SPEED: Final = "speed"
TIME: Final = "time"


@dataclass(frozen=True)
class Unit:
    """A unit: its dimension, its size in the dimension's base unit (m, kg, l, km/h; none for
    temperatures), its spoken names, and whether it is metric."""

    key: str
    dimension: str
    factor: float
    singular: str
    plural: str
    metric: bool


UNITS: Final = {unit.key: unit for unit in (
    Unit("mm", LENGTH, 0.001, "millimetre", "millimetres", True),
    Unit("cm", LENGTH, 0.01, "centimetre", "centimetres", True),
    Unit("m", LENGTH, 1.0, "metre", "metres", True),
    Unit("km", LENGTH, 1000.0, "kilometre", "kilometres", True),
    Unit("in", LENGTH, 0.0254, "inch", "inches", False),
    Unit("ft", LENGTH, 0.3048, "foot", "feet", False),
    Unit("yd", LENGTH, 0.9144, "yard", "yards", False),
    Unit("mi", LENGTH, 1609.344, "mile", "miles", False),
    Unit("g", MASS, 0.001, "gram", "grams", True),
    Unit("kg", MASS, 1.0, "kilogram", "kilograms", True),
    Unit("oz", MASS, 0.028349523125, "ounce", "ounces", False),
    Unit("lb", MASS, 0.45359237, "pound", "pounds", False),
    Unit("st", MASS, 6.35029318, "stone", "stone", False),
    Unit("ml", VOLUME, 0.001, "millilitre", "millilitres", True),
    Unit("l", VOLUME, 1.0, "litre", "litres", True),
    Unit("floz", VOLUME, 0.0295735295625, "fluid ounce", "fluid ounces", False),
    Unit("cup", VOLUME, 0.2365882365, "cup", "cups", False),
    Unit("gal", VOLUME, 3.785411784, "gallon", "gallons", False),
    Unit("tsp", VOLUME, 0.00492892159375, "teaspoon", "teaspoons", False),
    Unit("tbsp", VOLUME, 0.01478676478125, "tablespoon", "tablespoons", False),
    Unit("sec", TIME, 1 / 60, "second", "seconds", True),
    Unit("min", TIME, 1.0, "minute", "minutes", True),
    Unit("hour", TIME, 60.0, "hour", "hours", True),
    Unit("day", TIME, 1440.0, "day", "days", True),
    Unit("week", TIME, 10080.0, "week", "weeks", True),
    Unit("kmh", SPEED, 1.0, "kilometre per hour", "kilometres per hour", True),
    Unit("mph", SPEED, 1.609344, "mile per hour", "miles per hour", False),
    Unit("c", TEMPERATURE, 1.0, "degree Celsius", "degrees Celsius", True),
    Unit("f", TEMPERATURE, 1.0, "degree Fahrenheit", "degrees Fahrenheit", False),
)}  # fmt: skip
# The counterpart in the other system, for a conversion that names no target.
COUNTERPART: Final = {
    "mm": "in", "cm": "in", "m": "ft", "km": "mi", "in": "cm", "ft": "m", "yd": "m", "mi": "km",
    "g": "oz", "kg": "lb", "oz": "g", "lb": "kg", "st": "kg", "ml": "floz", "l": "gal",
    "floz": "ml", "cup": "ml", "gal": "l", "kmh": "mph", "mph": "kmh", "c": "f", "f": "c",
    "tsp": "ml", "tbsp": "ml",
}  # fmt: skip
_M: Final = r"met(?:er|re)s?"
_KM_WORD: Final = rf"kilo{_M}"
# How each unit is said after a number, longest first where one alias starts another.
_AFTER_NUMBER: Final = {
    "kmh": rf"(?:{_KM_WORD}|km|k)\s+(?:per|an|a)\s+hour|km/h|kph|kmh",
    "mph": r"miles?\s+(?:per|an|a)\s+hour|mph",
    "mm": rf"milli{_M}|mm",
    "cm": rf"centi{_M}|cms?",
    "km": rf"{_KM_WORD}|kms?|k|klicks?",
    "m": rf"{_M}|m",
    "in": 'inch(?:es)?|"|\u2033',
    "ft": "feet|foot|ft|'|\u2032",
    "yd": r"yards?|yds?",
    "mi": r"miles?|mi",
    "kg": r"kilo(?:gram(?:me)?)?s?|kgs?",
    "g": r"gram(?:me)?s?|g",
    "floz": r"fluid\s+ounces?|fl\.?\s*oz",
    "oz": r"ounces?|oz",
    "lb": r"pounds?|lbs?",
    "st": r"stones?|(?<=\s)st",
    "ml": r"millilit(?:er|re)s?|mls?",
    "l": r"lit(?:er|re)s?|l",
    "cup": r"cups?",
    "gal": r"gallons?|gal",
    "tsp": r"teaspoons?|tsps?",
    "tbsp": r"tablespoons?|tbsps?",
    "sec": r"seconds?|secs?",
    "min": r"minutes?|mins?",
    "hour": r"hours?|hrs?",
    "day": r"days?",
    "week": r"weeks?",
    "c": r"(?:degrees?\s+)?(?:celsius|centigrade|c)|°\s*c",
    "f": r"(?:degrees?\s+)?(?:fahrenheit|f)|°\s*f",
}
# How a unit is named on its own, as a conversion's target ("in feet", "how many miles").
_NAMED: Final = {
    "kmh": rf"{_KM_WORD}\s+(?:per|an)\s+hour|km/h|kph",
    "mph": r"miles\s+(?:per|an)\s+hour|mph",
    "mm": rf"milli{_M}|mm",
    "cm": rf"centi{_M}|cms?",
    "km": rf"{_KM_WORD}|kms?",
    "m": _M,
    "in": r"inch(?:es)?",
    "ft": r"feet|foot|ft",
    "yd": r"yards?",
    "mi": r"miles?",
    "kg": r"kilo(?:gram(?:me)?)?s?|kgs?",
    "g": r"gram(?:me)?s?",
    "floz": r"fluid\s+ounces?",
    "oz": r"ounces?",
    "lb": r"pounds?|lbs?",
    "st": r"stones?",
    "ml": r"millilit(?:er|re)s?|mls?",
    "l": r"lit(?:er|re)s?",
    "cup": r"cups?",
    "gal": r"gallons?",
    "tsp": r"teaspoons?",
    "tbsp": r"tablespoons?",
    "sec": r"seconds",
    "min": r"minutes",
    "hour": r"hours",
    "day": r"days",
    "week": r"weeks",
    "c": r"celsius|centigrade|(?<=\bin )c|(?<=\bto )c|(?<=\binto )c",
    "f": r"fahrenheit|(?<=\bin )f|(?<=\bto )f|(?<=\binto )f",
}
_ANY_UNIT: Final = "|".join(f"(?:{alias})" for alias in _AFTER_NUMBER.values())
# A number said before a unit: "one eighty" counts as 180 only right before the unit.
_AMOUNT: Final = rf"(?:{SHORT_HUNDREDS}|{NUM})"
_NOT_A_UNIT: Final = rf"(?![\s-]*(?:{_ANY_UNIT}|percent|per\s+cent|%)(?!\w))"
# "6 foot 2", "six feet two inches", "11 stone 4", "1 metre 80": a second, smaller part.
_TAILS: Final = {
    unit: re.compile(pattern)
    for unit, pattern in (
        (
            "ft",
            rf"[\s,]+(?:and\s+)?(?P<tail>{NUM})"
            rf"(?:\s*(?:inch(?:es)?\b|in\b|\"|\u2033)|{_NOT_A_UNIT})",
        ),
        ("st", rf"[\s,]+(?:and\s+)?(?P<tail>{NUM})(?:\s*(?:pounds?|lbs?)\b|{_NOT_A_UNIT})"),
        ("m", rf"[\s,]+(?:and\s+)?(?P<tail>{NUM})(?:\s*(?:centi{_M}|cms?)\b|{_NOT_A_UNIT})"),
    )
}
_TAIL_LIMIT: Final = {"ft": (12, 12), "st": (14, 14), "m": (100, 100)}
_QUANTITY: Final = re.compile(
    r"(?<![\w.])(?P<minus>minus\s+|-)?(?P<amount>"
    + _AMOUNT
    + r")[\s-]*(?:"
    + "|".join(f"(?P<{key}>{alias})" for key, alias in _AFTER_NUMBER.items())
    + r")(?!\w)"
)
_PRIME: Final = re.compile(r"(?<![\w.])(\d)\s*['\u2032]\s*(\d{1,2}(?:\.\d+)?)\s*(?:\"|\u2033|'')?")
_TARGET: Final = re.compile(
    r"\b(?:(?P<ftin>feet\s+and\s+inch(?:es)?)|(?P<stlb>stones?\s+and\s+pounds))\b|"
    + "|".join(f"(?<![\\w/])(?P<{key}>{alias})(?!\\w)" for key, alias in _NAMED.items())
)
_MARATHON: Final = re.compile(r"\b(half\s+)?marathons?\b")
_DEGREES: Final = re.compile(rf"(?<![\w.])(?P<minus>minus\s+|-)?{NUM}\s*(?:degrees?|°)(?!\w)")
MARATHON_KM: Final = 42.195


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, where it was said; ``compound`` when said in two parts (6 foot
    2, 11 stone 4)."""

    value: float
    unit: Unit
    start: int
    end: int
    compound: bool = False
    name: str = ""  # how it was named without a number ("a marathon")

    def to(self, key: str) -> float:
        """The value in the unit ``key`` of the same dimension."""
        return convert(self.value, self.unit.key, key)


_HOW_MANY_K: Final = re.compile(r"\bhow\s+many\s+(?:k|ks|kays)\b")
_HOW_MANY: Final = re.compile(r"\bhow\s+(?:many|much)\s+")
_PERCENT_WORD: Final = re.compile(r"percent|%")


def convert(value: float, source: str, target: str) -> float:
    """``value`` in unit ``source`` as unit ``target`` (same dimension)."""
    units = UNITS[source], UNITS[target]
    if units[0].dimension != units[1].dimension:
        raise ValueError(f"cannot convert {source} to {target}")
    if units[0].dimension == TEMPERATURE:
        celsius = value if source == "c" else (value - 32) * 5 / 9
        return celsius if target == "c" else celsius * 9 / 5 + 32
    return value * units[0].factor / units[1].factor


def quantities(text: str) -> list[Quantity]:
    """Every number said with a unit in lower-case ``text``, in order."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for match in _PRIME.finditer(text):  # 5'10"
        feet, inches = float(match.group(1)), float(match.group(2))
        if inches < 12:
            found.append(Quantity(feet + inches / 12, UNITS["ft"], *match.span(), compound=True))
            taken.append(match.span())
    for match in _QUANTITY.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        key = next(key for key in _AFTER_NUMBER if match.group(key) is not None)
        try:
            value = number(match.group("amount"))
        except ValueError:
            continue
        if match.group("minus"):
            value = -value
        quantity = _with_tail(text, Quantity(value, UNITS[key], *match.span()))
        found.append(quantity)
        taken.append((quantity.start, quantity.end))
    for match in _MARATHON.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            half = bool(match.group(1))
            km, name = (MARATHON_KM / 2, "a half marathon") if half else (MARATHON_KM, "a marathon")
            found.append(Quantity(km, UNITS["km"], *match.span(), name=name))
    return sorted(found, key=lambda quantity: quantity.start)


def _with_tail(text: str, quantity: Quantity) -> Quantity:
    """``quantity`` with its second part ("6 foot" + " 2"), when one follows."""
    tail = _TAILS.get(quantity.unit.key)
    if tail is None or quantity.value < 0 or not float(quantity.value).is_integer():
        return quantity
    match = tail.match(text, quantity.end)
    if match is None:
        return quantity
    if match.group("tail") in ("a", "an"):
        return quantity  # "5 foot and a half"
    try:
        part = number(match.group("tail"))
    except ValueError:
        return quantity
    limit, per = _TAIL_LIMIT[quantity.unit.key]
    if not 0 <= part < limit:
        return quantity
    return Quantity(
        quantity.value + part / per, quantity.unit, quantity.start, match.end(), compound=True
    )


def first(found: list[Quantity], dimension: str) -> Quantity | None:
    """The first of ``found`` in ``dimension``."""
    return next((q for q in found if q.unit.dimension == dimension), None)


def target_unit(text: str, found: list[Quantity]) -> str | None:
    """The unit a conversion asks for, outside the quantities ``found``: a unit key, or
    ``"ftin"`` (feet and inches) or ``"stlb"`` (stone and pounds)."""
    if _HOW_MANY_K.search(text):
        return "km"  # "how many k is a half marathon"
    targets: list[tuple[int, str]] = []
    for match in _TARGET.finditer(text):
        if any(q.start <= match.start() < q.end for q in found):
            continue
        key = next(name for name, value in match.groupdict().items() if value is not None)
        targets.append((match.start(), key))
    if not targets:
        return None
    asked = _HOW_MANY.search(text)
    if asked is not None:  # "how many miles is ten k": the unit right after "how many"
        after = [key for start, key in targets if start == asked.end()]
        if after:
            return after[0]
    return targets[-1][1]


def degrees(text: str) -> tuple[float, int, int] | None:
    """A temperature said without its scale ("30 degrees"): value and span."""
    match = _DEGREES.search(text)
    if match is None:
        return None
    value = number(match.group(2))
    return (-value if match.group("minus") else value), match.start(), match.end()


def amount(value: float) -> str:
    """A number to speak: whole when it is, else 2 decimals under 10, 1 under 1000."""
    if abs(value) >= 1000:
        text = str(round(abs(value)))
    else:
        text = f"{abs(value):.{2 if abs(value) < 10 else 1}f}".rstrip("0").rstrip(".")
    return f"minus {text}" if value < 0 and text != "0" else text


def say(value: float, key: str) -> str:
    """``value`` of unit ``key`` as words: "6.21 miles", "5 feet 11 inches", "1 kilometre"."""
    if key == "ftin":
        feet, inches = divmod(round(value / 2.54), 12)  # value in cm
        return f"{_count(feet, 'foot', 'feet')}{_count(inches, ' inch', ' inches', skip=True)}"
    if key == "stlb":
        stone, pounds = divmod(round(value / 0.45359237), 14)  # value in kg
        return f"{_count(stone, 'stone', 'stone')}{_count(pounds, ' pound', ' pounds', skip=True)}"
    unit = UNITS[key]
    spoken = amount(value)
    return f"{spoken} {unit.singular if spoken == '1' else unit.plural}"


def _count(count: int, one: str, many: str, *, skip: bool = False) -> str:
    """ "5 feet", " 1 inch" (leading space kept), or nothing for 0 when ``skip``."""
    if skip and count == 0:
        return ""
    space = " " if one.startswith(" ") else ""
    return f"{space}{count} {(one if count == 1 else many).strip()}"


def say_quantity(quantity: Quantity) -> str:
    """A quantity as the user said it: "6 feet 2 inches", "11 stone 4 pounds", "10 kilometres"."""
    if quantity.name:
        return quantity.name
    if quantity.compound and quantity.unit.key == "ft":
        return say(quantity.to("cm"), "ftin")
    if quantity.compound and quantity.unit.key == "st":
        return say(quantity.to("kg"), "stlb")
    return say(quantity.value, quantity.unit.key)


_PERCENT: Final = r"(?:\s*%|\s*per\s*cent\b|\s*percent\b)"
_MONEY: Final = rf"(?P<cur>[$£€])?\s*(?P<base>{NUM})(?:\s+(?P<word>dollars?|bucks|quid|euros?))?"
_PERCENTS: Final = (
    (
        "tip",
        re.compile(
            rf"(?P<pct>{NUM}){_PERCENT}\s+(?:tip|tax|vat|service(?:\s+charge)?|gratuity)"
            rf"\s+(?:on|for|of|with)\s+(?:a\s+|the\s+)?(?:bill\s+of\s+)?{_MONEY}"
        ),
    ),
    (
        "tip",
        re.compile(
            rf"(?:tip|tax|vat|gratuity)\s+(?:on|for|of)\s+(?:a\s+|the\s+)?{_MONEY}"
            rf"(?:\s+(?:bill|meal|check|tab))?\s+(?:at|with|is|of)\s+(?P<pct>{NUM}){_PERCENT}"
        ),
    ),
    ("off", re.compile(rf"(?P<pct>{NUM}){_PERCENT}\s+(?:off|discount\s+on)\s+(?:of\s+)?{_MONEY}")),
    (
        "off",
        re.compile(
            rf"{_MONEY}\s+(?:with|at|minus|less)\s+(?P<pct>{NUM}){_PERCENT}\s+(?:off|discount)"
        ),
    ),
    ("plus", re.compile(rf"(?:increase|raise)\s+{_MONEY}\s+by\s+(?P<pct>{NUM}){_PERCENT}")),
    ("plus", re.compile(rf"{_MONEY}\s+plus\s+(?P<pct>{NUM}){_PERCENT}")),
    (
        "minus",
        re.compile(rf"(?:decrease|reduce|lower|cut)\s+{_MONEY}\s+by\s+(?P<pct>{NUM}){_PERCENT}"),
    ),
    ("minus", re.compile(rf"{_MONEY}\s+minus\s+(?P<pct>{NUM}){_PERCENT}")),
    ("of", re.compile(rf"(?P<pct>{NUM}){_PERCENT}\s+(?:of|on)\s+(?:a\s+|the\s+)?{_MONEY}")),
    (
        "ratio",
        re.compile(
            rf"what\s+percent(?:age)?\s+(?:is|of)\s+(?P<pct>{NUM})\s+(?:out\s+of|of|from)\s+{_MONEY}"
        ),
    ),
    (
        "ratio",
        re.compile(rf"(?P<pct>{NUM})\s+(?:is\s+what\s+percent(?:age)?\s+of|out\s+of)\s+{_MONEY}"),
    ),
)


@dataclass(frozen=True)
class Percentage:
    """A percentage question: ``kind`` (of, off, tip, plus, minus, ratio), the percent (for a
    ratio: the part), the base, and the currency said with the base."""

    kind: str
    percent: float
    base: float
    currency: str = ""


def percentage(text: str) -> Percentage | None:
    """The percentage a lower-case request asks about ("fifteen percent of eighty")."""
    for kind, pattern in _PERCENTS:
        match = pattern.search(text)
        if match is None:
            continue
        found = match.groupdict()
        if kind == "ratio" and not _PERCENT_WORD.search(text):
            continue  # "12 out of 15" alone is no percentage question
        try:
            value, base = number(match.group("pct")), number(match.group("base"))
        except ValueError:
            continue
        word = found.get("word") or ""
        currency = found.get("cur") or ("$" if word.startswith(("dollar", "buck")) else "")
        currency = currency or ("€" if word.startswith("euro") else "£" if word == "quid" else "")
        return Percentage(kind, value, base, currency)
    return None
