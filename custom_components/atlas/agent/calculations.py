"""Quick calculations from the words of a request, answered in one speakable sentence.

``calculation(text)`` says which one a request asks for (BMI, calories burned, pace, a
percentage, a unit conversion) or None; ``answer`` computes it from the quantities said
(``quantities``), falling back to the user's stored height and weight, and speaks it in the
user's units unless the question used others. A value that cannot be right (0 cm, 900 kg) gets
a plain sentence saying so. Standard library only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from .numbers import NUM, SHORT_HUNDREDS, minutes, number
from .quantities import (
    COUNTERPART,
    LENGTH,
    MASS,
    TIME,
    UNITS,
    VOLUME,
    Percentage,
    Quantity,
    amount,
    convert,
    degrees,
    first,
    percentage,
    quantities,
    say,
    say_quantity,
    target_unit,
)

# Metabolic equivalents (Compendium of Physical Activities, typical values).
MET: Final = {"walking": 3.5, "running": 9.8, "cycling": 7.5, "swimming": 6.0, "yoga": 2.5,
              "calisthenics": 8.0, "strength": 5.0, "hiit": 8.0, "mobility": 2.5,
              "stretching": 2.3, "hiking": 6.0, "rowing": 7.0, "dancing": 5.0,
              "tennis": 7.3}  # fmt: skip
# Typical speeds (km/h), for calories from a distance without a duration.
_SPEED: Final = {"walking": 5.0, "running": 10.0, "cycling": 20.0, "swimming": 2.5,
                 "hiking": 4.0}  # fmt: skip
_ACTIVITY_NOUN: Final = {"strength": "strength training", "hiit": "HIIT",
                         "mobility": "mobility work"}  # fmt: skip
# WHO adult BMI classes: upper bounds.
BMI_CLASSES: Final = ((18.5, "underweight"), (25.0, "a healthy weight"), (30.0, "overweight"),
                      (math.inf, "obese"))  # fmt: skip
HEIGHT_CM: Final = (50.0, 272.0)  # what a person can measure
WEIGHT_KG: Final = (10.0, 400.0)
REFERENCE_KG: Final = 70.0  # calories for someone whose weight is unknown

BAD_HEIGHT: Final = (
    "That height doesn't look right. Tell me again in centimetres, or in feet and inches."
)
BAD_WEIGHT: Final = "That weight doesn't look right. Tell me again in kilos or pounds."
BAD_DISTANCE: Final = "That distance doesn't look right. Tell me again with its unit."
BAD_TIME: Final = "That time doesn't look right. Tell me again in minutes."
ZERO_PERCENT: Final = "I can't take a percentage of zero."
ASK_BODY: Final = "I need your height and weight for that. How tall are you, and what do you weigh?"
ASK_HEIGHT: Final = "I need your height for that. How tall are you?"
ASK_WEIGHT: Final = "I need your weight for that. What do you weigh?"

_ACTIVITY_WORDS: Final = (
    ("running", r"run(?:s|ning)?|ran|jog(?:s|ging)?|\d+k"),
    ("walking", r"walk(?:s|ing)?|stroll"),
    ("hiking", r"hik(?:e|es|ing)"),
    ("cycling", r"cycl(?:e|es|ing)|bik(?:e|es|ing)|ride|riding|spin(?:ning)?"),
    ("swimming", r"swim(?:s|ming)?|swam|laps"),
    ("yoga", r"yoga"),
    ("hiit", r"hiit|intervals?|tabata"),
    ("strength", r"weights?|lifting|strength|kettlebells?"),
    ("calisthenics", r"calisthenics|push ?ups|pull ?ups|burpees"),
    ("stretching", r"stretch(?:es|ing)?"),
    ("mobility", r"mobility"),
    ("rowing", r"row(?:s|ing)?|rower"),
    ("dancing", r"danc(?:e|es|ing)|zumba"),
    ("tennis", r"tennis"),
)
_BMI: Final = re.compile(r"\b(?:bmi|b m i|body mass(?: index)?)\b")
_CALORIES: Final = re.compile(r"\b(?:calories?|kcals?|kilocalories?|burn(?:s|ed|t)?)\b")
_PACE: Final = re.compile(
    r"\bpace\b|\bper\s+(?:k|km|kilomet(?:er|re)|mile)\b|\bminute\s+(?:miles?|kms?|k|kilomet\w+)\b"
    r"|\bhow\s+fast\b|\b(?:what|average)\s+speed\b|\bhow\s+long\s+(?:will|would|does|to)\b"
)
_CONVERT: Final = re.compile(r"\b(?:convert|conversion|how\s+(?:many|much))\b")
# "at 5 minutes per km", "a 9 minute mile", "5:30 per kilometre", "5 min k pace".
_GIVEN_PACE: Final = re.compile(
    rf"(?:(?P<clock>\d{{1,2}}:\d{{2}})|(?P<min>{NUM})[\s-]*(?:minutes?|mins?)"
    rf"(?:\s+(?:and\s+)?(?P<sec>{NUM})\s*(?:seconds?|secs?))?)"
    r"\s*(?:per|a|an|/|every)?\s*(?P<unit>kilomet(?:er|re)|km|k|mile)s?\b(?:\s+pace)?"
)
# A pace said the short way: "five thirty a kilometre" (5:30), "nine fifteen per mile".
_SPOKEN_PACE: Final = re.compile(
    r"\b(?P<min>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?P<sec>(?:oh\s+)?(?:one|two|three|four|five|six|seven|eight|nine)|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|(?:twenty|thirty|forty|fifty)(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?)"
    r"\s*(?:per|a|an|/|every)\s*(?P<unit>kilomet(?:er|re)|km|k|mile)s?\b"
)
# A speed said: "four miles an hour", "5 k an hour", "12 kph".
_GIVEN_SPEED: Final = re.compile(
    rf"(?P<value>{NUM})\s*(?:(?P<unit>miles?|k|km|kms|kilomet(?:er|re)s?)\s+(?:an|a|per)\s+hour"
    r"|(?P<short>mph|kph|km/h|kmh))\b"
)
_BARE_TIME: Final = re.compile(
    rf"\b(?:sub|under|below|in)\s+{NUM}(?![\w.])"
    r"(?!\s*(?:k|km|kms|kilomet\w*|miles?|mi|m|met(?:er|re)s?|%|percent|hours?|minutes?)\b)"
)
_SPEED_ASKED: Final = re.compile(
    r"\b(?:speed|how\s+fast|mph|kph|km/h|kilomet(?:er|re)s\s+per\s+hour|miles\s+per\s+hour)\b"
)
_OPERATIONS: Final = {
    "times": "times", "multiplied by": "times", "x": "times", "plus": "plus", "add": "plus",
    "minus": "minus", "take away": "minus", "less": "minus",
    "divided by": "divided by", "over": "divided by",
}  # fmt: skip
_ARITHMETIC: Final = re.compile(
    rf"\b(?:what(?:'s|\s+is)|whats|how\s+much\s+is|calculate|work\s+out)\s+{NUM}\s+"
    r"(times|multiplied\s+by|x|plus|add|minus|take\s+away|less|divided\s+by|over)\s+"
    rf"{NUM}(?![\w.])(?!\s*(?:%|percent|per\s*cent))"
)
_BARE_NUMBER: Final = re.compile(rf"(?<![\w.])(minus\s+|-)?{NUM}(?![\w.])")
_CLOCK_DURATION: Final = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_PER_MILE: Final = re.compile(r"\bper\s+mile\b|\bminute\s+miles?\b|\bmile\s+pace\b|\bmph\b")
_PER_KM: Final = re.compile(r"\bper\s+(?:k|km|kilomet(?:er|re))\b|\b(?:km|k)\s+pace\b")
_FEET_INCHES: Final = re.compile(
    r"(?<![\w.])(four|five|six|seven)\s+"
    r"(one|two|three|four|five|six|seven|eight|nine|ten|eleven)\b(?!\s+(?:and\s+a|point)\b)"
)
_BARE_HEIGHT: Final = re.compile(rf"(?<![\w.]){SHORT_HUNDREDS}|(?<![\w.])(1\d\d)\b")


@dataclass(frozen=True)
class Body:
    """The user's stored body data and units: the fallbacks of BMI and calories."""

    height_cm: float | None = None
    weight_kg: float | None = None
    metric: bool = True


def bmi(height_cm: float, weight_kg: float) -> tuple[float, str]:
    """Body mass index (one decimal) and its WHO class."""
    value = round(weight_kg / (height_cm / 100) ** 2, 1)
    return value, next(name for bound, name in BMI_CLASSES if value < bound)


def pace(distance_km: float, duration_minutes: float) -> tuple[float, float]:
    """Minutes per kilometre and kilometres per hour."""
    return duration_minutes / distance_km, distance_km / (duration_minutes / 60)


def calories(activity: str, duration_minutes: float, weight_kg: float) -> int:
    """Rough energy use in kcal: MET times weight (kg) times hours."""
    return round(MET[activity] * weight_kg * duration_minutes / 60)


def calculation(text: str, types: list[str] | None = None) -> str | None:
    """Which calculation a request asks for: ``bmi``, ``calories``, ``pace``, ``percent``,
    ``arithmetic``, ``convert``, or None (no calculation, or not one these answers can make).
    ``types``: the workout types understood, for calories when the words name no activity."""
    spoken = _normal(text)
    if _BMI.search(spoken):
        return "bmi"
    found = quantities(spoken)
    active = _activity(spoken) or any(kind in MET for kind in types or [])
    if (
        _CALORIES.search(spoken)
        and active
        and not _food(spoken)
        and (minutes(spoken) is not None or first(found, LENGTH))
    ):
        return "calories"
    if _PACE.search(spoken) and first(found, LENGTH) and _pace_inputs(spoken, found):
        return "pace"
    if percentage(spoken) is not None:
        return "percent"
    if (_ARITHMETIC.search(spoken) or _POWER.search(spoken)) and not found:
        return "arithmetic"
    if _conversion(spoken, found, metric=True) is not None:
        return "convert"
    return None


def answer(text: str, body: Body, types: list[str] | None = None) -> str | None:
    """The spoken answer to the calculation ``text`` asks for, or None when it asks none (or
    lacks what it needs: a BMI without a height, a pace without a time)."""
    spoken = _normal(text)
    kind = calculation(spoken, types)
    if kind == "bmi":
        return _bmi_answer(spoken, body)
    if kind == "calories":
        return _calories_answer(spoken, body, types or [])
    if kind == "pace":
        return _pace_answer(spoken)
    if kind == "percent":
        found = percentage(spoken)
        return None if found is None else _percent_answer(found)
    if kind == "arithmetic":
        return _arithmetic(spoken)
    if kind == "convert":
        return _conversion(spoken, quantities(spoken), metric=body.metric)
    return None


def _sentence(text: str) -> str:
    """``text`` with its first letter in capitals."""
    return text[:1].upper() + text[1:]


_UNIT_WORD: Final = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TENS_WORD: Final = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"


def _normal(text: str) -> str:
    """Lower case, one space; a number said the short way ("two fifty": 250, "one forty four":
    144) in digits, as heights and percentages say them (not a clock time: "two fifty pm")."""
    spoken = " ".join(text.lower().replace("\u2019", "'").replace("?", " ").split())
    return _SHORT.sub(lambda m: f"{number(m.group(1)):.0f}", spoken)


_SHORT: Final = re.compile(  # tens only: "five eleven" is a height in feet and inches
    rf"(?<![\w.])({_UNIT_WORD}\s+{_TENS_WORD}(?:[\s-]+{_UNIT_WORD})?)(?![\w.])"
    r"(?!\s*(?:[ap]\.?m\b|o'?clock|(?:a|an|per|every|/)\s*(?:k|km|kilomet\w*|miles?)\b))"
)


# --- BMI ----------------------------------------------------------------------------------------
def _bmi_answer(text: str, body: Body) -> str | None:
    found = quantities(text)
    height = first([q for q in found if q.unit.key in ("cm", "m", "ft", "in", "mm")], LENGTH)
    weight = first(found, MASS)
    height = height or _bare_height(text, found)
    height_cm = height.to("cm") if height else None
    weight_kg = weight.to("kg") if weight else body.weight_kg
    if height_cm is None:
        height_cm = body.height_cm
    if height_cm is None or weight_kg is None:
        return ASK_WEIGHT if height_cm else ASK_HEIGHT if weight_kg else ASK_BODY
    if not HEIGHT_CM[0] <= height_cm <= HEIGHT_CM[1]:
        return BAD_HEIGHT
    if not WEIGHT_KG[0] <= weight_kg <= WEIGHT_KG[1]:
        return BAD_WEIGHT
    value, name = bmi(height_cm, weight_kg)
    said_height = say_quantity(height) if height else _say_height(height_cm, body.metric)
    said_weight = say_quantity(weight) if weight else _say_weight(weight_kg, body.metric)
    return f"At {said_height} and {said_weight} your BMI is {value}, which counts as {name}."


def _bare_height(text: str, found: list[Quantity]) -> Quantity | None:
    """A height said without its unit in a BMI question: "five eleven" (feet and inches),
    "one eighty" or "172" (centimetres)."""
    for pattern in (_FEET_INCHES, _BARE_HEIGHT):
        for match in pattern.finditer(text):
            if any(q.start <= match.start() < q.end for q in found):
                continue
            if pattern is _FEET_INCHES:
                feet, inches = number(match.group(1)), number(match.group(2))
                return Quantity(feet + inches / 12, UNITS["ft"], *match.span(), compound=True)
            value = number(match.group(1) or match.group(2))
            if 120 <= value <= 230:
                return Quantity(value, UNITS["cm"], *match.span())
    return None


def _say_height(height_cm: float, metric: bool) -> str:
    return say(height_cm, "cm") if metric else say(height_cm, "ftin")


def _say_weight(weight_kg: float, metric: bool) -> str:
    return say(weight_kg, "kg") if metric else say(convert(weight_kg, "kg", "lb"), "lb")


# --- Calories -----------------------------------------------------------------------------------
_ACTIVITY_PATTERNS: Final = tuple(
    (name, re.compile(rf"\b(?:{words})\b")) for name, words in _ACTIVITY_WORDS
)
_CALORIES_IN: Final = re.compile(r"\bcalories?\s+(?:are\s+|is\s+)?in\b")
_BURN: Final = re.compile(r"\bburn")


def _activity(text: str) -> str | None:
    for name, pattern in _ACTIVITY_PATTERNS:
        if pattern.search(text):
            return name
    return None


def _food(text: str) -> bool:
    """Calories *in* a food, not burned by an activity."""
    return bool(_CALORIES_IN.search(text)) and not _BURN.search(text)


def _calories_answer(text: str, body: Body, types: list[str]) -> str | None:
    activity = next((t for t in types if t in MET), None) or _activity(text)
    if activity is None:
        return None
    found = quantities(text)
    weight = first(found, MASS)
    weight_kg = weight.to("kg") if weight else body.weight_kg
    if weight_kg is not None and not WEIGHT_KG[0] <= weight_kg <= WEIGHT_KG[1]:
        return BAD_WEIGHT
    duration = minutes(text)
    distance = first(found, LENGTH)
    if duration is None and distance is not None and activity in _SPEED:
        if distance.value <= 0:
            return BAD_DISTANCE
        duration = distance.to("km") / _SPEED[activity] * 60
    if duration is None:
        return None
    if not 0 < duration <= 24 * 60:
        return BAD_TIME
    noun = _ACTIVITY_NOUN.get(activity, activity)
    amount_said = (
        say_quantity(distance) if distance and minutes(text) is None else _say_minutes(duration)
    )
    kcal = calories(activity, duration, weight_kg or REFERENCE_KG)
    if weight_kg is None:
        reference = _say_weight(REFERENCE_KG, body.metric)
        return (
            f"{_sentence(amount_said)} of {noun} burns about {kcal} calories for someone "
            f"of {reference}; tell me your weight for your own figure."
        )
    return f"{_sentence(amount_said)} of {noun} burns about {kcal} calories."


def _say_minutes(duration: float) -> str:
    """A duration to speak: "30 minutes", "an hour", "1 hour 30 minutes", "4 minutes 30 seconds"."""
    total = round(duration * 60) if duration < 60 else round(duration) * 60
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append("an hour" if hours == 1 and not rest else f"{hours} hour{'s' * (hours > 1)}")
    if mins:
        parts.append(f"{mins} minute{'s' * (mins > 1)}")
    if secs:
        parts.append(f"{secs} second{'s' * (secs > 1)}")
    return " ".join(parts) or "0 minutes"


# --- Pace ---------------------------------------------------------------------------------------
def _given_pace(text: str) -> tuple[float, str, int, int] | None:
    """A pace said in the request: minutes per unit ("km" or "mi"), and where; a speed said
    ("four miles an hour") is its pace."""
    match = _GIVEN_PACE.search(text)
    if match is None and (spoken := _SPOKEN_PACE.search(text)) is not None:
        sec = spoken.group("sec").replace("oh ", "")
        value = number(spoken.group("min")) + number(sec) / 60
        unit = "mi" if spoken.group("unit") == "mile" else "km"
        return value, unit, spoken.start(), spoken.end()
    if match is None and (speed := _GIVEN_SPEED.search(text)) is not None:
        said = (speed.group("unit") or speed.group("short") or "").lower()
        per_hour = number(speed.group("value"))
        if per_hour <= 0:
            return None
        unit = "mi" if said.startswith(("mile", "mph")) else "km"
        return 60 / per_hour, unit, speed.start(), speed.end()
    if match is None:
        return None
    if match.group("clock"):
        mins, secs = match.group("clock").split(":")
        value = int(mins) + int(secs) / 60
    else:
        seconds = number(match.group("sec")) if match.group("sec") else 0.0
        value = number(match.group("min")) + seconds / 60
    unit = "mi" if match.group("unit") == "mile" else "km"
    return value, unit, match.start(), match.end()


def _duration(text: str, distance_km: float) -> float | None:
    """The time a request says: "25 minutes", "an hour and a half", "24:30", "1:45:00"."""
    if (said := minutes(text)) is not None:
        return said
    match = _CLOCK_DURATION.search(text)
    if match is None:
        return _bare_time(text)
    a, b = int(match.group(1)), int(match.group(2))
    if match.group(3):
        return a * 60 + b + int(match.group(3)) / 60
    return a * 60 + b if distance_km >= 15 and a < 10 else a + b / 60


def _bare_time(text: str) -> float | None:
    """A goal time without its unit: "a sub 50 10k" (minutes), "a sub 4 marathon" (hours)."""
    match = _BARE_TIME.search(text)
    if match is None or match.group(1) in ("a", "an"):
        return None
    value = number(match.group(1))
    return value * 60 if value <= 6 else value


def _pace_inputs(text: str, found: list[Quantity]) -> bool:
    distance = first(found, LENGTH)
    if distance is None:
        return False
    given = _given_pace(text)
    rest = text if given is None else text[: given[2]] + " " + text[given[3] :]
    return given is not None or _duration(rest, distance.to("km")) is not None


def _pace_answer(text: str) -> str | None:
    given = _given_pace(text)
    rest = text if given is None else text[: given[2]] + " " + text[given[3] :]
    found = [q for q in quantities(rest) if q.unit.dimension == LENGTH]
    if not found:
        return None
    distance = found[0]
    km = distance.to("km")
    if km <= 0 or km > 1000:
        return BAD_DISTANCE
    if given is not None:  # how long a distance takes at a pace
        per, unit = given[0], given[1]
        if per <= 0:
            return BAD_TIME
        took = per * (km if unit == "km" else distance.to("mi"))
        spoken_pace = f"{_say_pace(per)} per {UNITS[unit].singular}"
        return _sentence(f"{say_quantity(distance)} at {spoken_pace} takes {_say_minutes(took)}.")
    duration = _duration(rest, km)
    if duration is None:
        return None
    if not 0 < duration <= 100 * 60:
        return BAD_TIME
    unit = _pace_unit(text, distance)
    length = distance.to(unit)
    per = duration / length
    speed = length / (duration / 60)
    speed_words = "kilometres per hour" if unit == "km" else "miles per hour"
    if _SPEED_ASKED.search(text) and not (_PER_MILE.search(text) or _PER_KM.search(text)):
        return (
            f"That's {_one_decimal(speed)} {speed_words}, "
            f"or {_say_pace(per)} per {UNITS[unit].singular}."
        )
    return (
        f"That's {_say_pace(per)} per {UNITS[unit].singular}, "
        f"or {_one_decimal(speed)} {speed_words}."
    )


def _say_pace(per: float) -> str:
    """A pace as runners say it: "5 minutes", "5:41"."""
    mins, secs = divmod(round(per * 60), 60)
    return f"{mins} minute{'s' * (mins != 1)}" if secs == 0 else f"{mins}:{secs:02d}"


def _pace_unit(text: str, distance: Quantity) -> str:
    if _PER_MILE.search(text):
        return "mi"
    if _PER_KM.search(text):
        return "km"
    return "km" if distance.unit.metric else "mi"


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# --- Percentages --------------------------------------------------------------------------------
def _money(value: float, currency: str) -> str:
    if not currency:
        return amount(value)
    rounded = round(value, 2)
    text = str(round(rounded)) if rounded.is_integer() else f"{rounded:.2f}"
    return f"{currency}{text}"


def _percent_answer(found: Percentage) -> str:
    pct, base, cur = found.percent, found.base, found.currency
    share = base * pct / 100
    said_pct = f"{amount(pct)} percent"
    if found.kind == "ratio":
        if base == 0:
            return ZERO_PERCENT
        return f"{amount(pct)} out of {amount(base)} is {amount(pct / base * 100)} percent."
    if found.kind == "off":
        return (
            f"{_money(base, cur)} with {said_pct} off is {_money(base - share, cur)}, "
            f"a saving of {_money(share, cur)}."
        )
    if found.kind == "tip":
        return (
            f"A {said_pct} tip on {_money(base, cur)} is {_money(share, cur)}, "
            f"so {_money(base + share, cur)} in total."
        )
    if found.kind in ("plus", "minus"):
        result = base + share if found.kind == "plus" else base - share
        return f"{_money(base, cur)} {found.kind} {said_pct} is {_money(result, cur)}."
    return f"{said_pct.capitalize()} of {_money(base, cur)} is {_money(share, cur)}."


# --- Arithmetic ---------------------------------------------------------------------------------
_POWER: Final = re.compile(
    rf"\bsquare\s+root\s+of\s+{NUM}(?![\w.])|(?<![\w.]){NUM}\s+(?:to\s+the\s+power\s+of"
    rf"|to\s+the)\s+{NUM}(?:th|st|nd|rd)?(?![\w.])|(?<![\w.]){NUM}\s+(squared|cubed)\b"
)


def _power(text: str) -> str | None:
    """ "square root of one forty four", "two to the power of ten", "nine squared"."""
    match = _POWER.search(text)
    if match is None or "a" in match.groups():
        return None
    root, base, exponent, named_base, named = match.groups()
    if root is not None:
        value = number(root)
        return None if value < 0 else f"The square root of {amount(value)} is {_exact(value**0.5)}."
    if named is not None:
        value = number(named_base)
        return f"{amount(value)} {named} is {_exact(value ** (2 if named == 'squared' else 3))}."
    left, right = number(base), number(exponent)
    if abs(right) > 64 or abs(left) > 10**6:
        return None  # a number too long to say
    return f"{amount(left)} to the power of {amount(right)} is {_exact(left**right)}."


def _arithmetic(text: str) -> str | None:
    """ "what's twelve times eight": one operation on two numbers."""
    if _ARITHMETIC.search(text) is None:
        return _power(text)
    match = _ARITHMETIC.search(text)
    if match is None or "a" in (match.group(1), match.group(3)):
        return None
    left, right = number(match.group(1)), number(match.group(3))
    operation = _OPERATIONS[" ".join(match.group(2).split())]
    if operation == "divided by" and right == 0:
        return "I can't divide by zero."
    result = {"times": left * right, "plus": left + right, "minus": left - right}.get(
        operation, left / right if right else 0.0
    )
    return f"{amount(left)} {operation} {amount(right)} is {_exact(result)}."


def _exact(value: float) -> str:
    """A result to speak: whole when it is, else up to 3 decimals ("0.333")."""
    if float(value).is_integer():
        return amount(value)
    text = f"{abs(value):.3f}".rstrip("0").rstrip(".")
    return f"minus {text}" if value < 0 else text


# --- Unit conversions ---------------------------------------------------------------------------
def _conversion(text: str, found: list[Quantity], *, metric: bool) -> str | None:
    target = target_unit(text, found)
    source = found[0] if found else None
    if source is None:
        return _degrees_conversion(text, target, metric=metric)
    if target is None and not _CONVERT.search(text):
        return None
    dimension = source.unit.dimension
    target = _fit(target or _default_target(source), dimension)
    if target is None:
        return None
    if dimension in (LENGTH, MASS, VOLUME) and source.value < 0:
        return BAD_DISTANCE if dimension == LENGTH else BAD_WEIGHT
    if target == "ft" and source.unit.metric and source.to("m") < 3:
        target = "ftin"  # a height: "5 feet 11 inches"
    if target == "ftin" and source.to("m") >= 3:
        target = "ft"
    if target == "st":
        target = "stlb"
    if target in ("ftin", "stlb"):
        result = say(source.to("cm" if target == "ftin" else "kg"), target)
    else:
        result = say(source.to(target), target)
    return _sentence(f"{say_quantity(source)} is {result}.")


def _default_target(source: Quantity) -> str | None:
    if source.unit.dimension == TIME:
        return None  # "how many calories a day": no conversion asked
    if source.unit.key in ("cm", "m") and source.to("m") < 3:
        return "ftin"
    if source.unit.key == "ft" and source.compound:
        return "cm"
    return COUNTERPART[source.unit.key]


def _fit(target: str | None, dimension: str) -> str | None:
    """``target`` if it measures ``dimension`` (ounces of a volume: fluid ounces), else None."""
    if target is None or target == "ftin":
        return target if dimension == LENGTH else None
    if target == "stlb":
        return target if dimension == MASS else None
    if UNITS[target].dimension == dimension:
        return target
    if target == "oz" and dimension == VOLUME:
        return "floz"
    return None


def _degrees_conversion(text: str, target: str | None, *, metric: bool) -> str | None:
    """ "30 degrees in fahrenheit", "98.6 in celsius": the scale not asked for is the one said."""
    said = degrees(text)
    if said is None and target in ("c", "f"):
        said = _bare_number(text)
    if said is None or target not in ("c", "f", None) or not (target or _CONVERT.search(text)):
        return None
    if target is None:
        target = "f" if metric else "c"
    source = "c" if target == "f" else "f"
    value = said[0]
    return _sentence(f"{say(value, source)} is {say(convert(value, source, target), target)}.")


def _bare_number(text: str) -> tuple[float, int, int] | None:
    """The first number said on its own ("a" and "an" are no numbers here)."""
    for match in _BARE_NUMBER.finditer(text):
        if match.group(2) not in ("a", "an"):
            value = number(match.group(2))
            return (-value if match.group(1) else value), match.start(), match.end()
    return None
