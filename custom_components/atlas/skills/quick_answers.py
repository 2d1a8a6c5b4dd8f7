"""Quick answers: BMI, pace and calories (tool ``calculate``), and answers given without the
LLM when the understanding already has the request (:func:`quick_answer`): the calculations of
``agent.calculations`` (BMI, calories burned, pace, percentages, arithmetic, unit conversions)
in the user's units, the time (in the language's clock), dates ("how many days until
Saturday") and a status summary."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from itertools import batched
from typing import Any, Final, override

import probatio
from homeassistant.const import UnitOfMass
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType

from ..agent.calculations import BMI_CLASSES, MET, Body, answer, bmi, calories, pace
from ..agent.structured import Extraction
from . import Skills
from .api import AtlasTool, SkillError
from .clock_answers import clock_answer
from .plans import next_workout_result
from .time_parse import spoken_clock, spoken_time, twelve_hour_clock

CONF_HEIGHT_CM: Final = "height_cm"
CONF_WEIGHT_KG: Final = "weight_kg"
# Below this confidence of the structured pass, the LLM answers instead.
MIN_CONFIDENCE: Final = 0.6
KINDS: Final = ("bmi", "pace", "calories")

_TIME = re.compile(r"\b(what time|time is it|the time|current time)\b")
_DATE = re.compile(r"\b(what day|which day|day is it|day is today|the date|todays? date)\b")
_STATUS = re.compile(r"\b(status|summary|overview|how am i doing)\b")
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NAMED_DAY: Final = (
    rf"(?:(next|this|on|for)\s+)?({'|'.join(_WEEKDAYS)}|tomorrow|yesterday|the weekend)"
)
_DAYS_UNTIL = re.compile(
    rf"\bhow\s+(?:many\s+days|long|many\s+sleeps)\s+(?:is\s+it\s+)?(?:until|till|til|to|before)"
    rf"\s+{_NAMED_DAY}\b"
)
_DATE_OF = re.compile(
    rf"\b(?:date|day)\b.*?\b{_NAMED_DAY}\b|\b{_NAMED_DAY}(?:'s|s)?\s+date\b"
    rf"|\bwhat\s+(?:date|day)\s+is\s+{_NAMED_DAY}\b"
)


def options_fields() -> dict[str, Any]:
    """Option form fields: the user's height and weight (for BMI and calories)."""
    return {
        CONF_HEIGHT_CM: NumberSelector(
            NumberSelectorConfig(
                min=100, max=250, step=1, unit_of_measurement="cm", mode=NumberSelectorMode.BOX
            )
        ),
        CONF_WEIGHT_KG: NumberSelector(
            NumberSelectorConfig(
                min=20, max=300, step=0.1, unit_of_measurement="kg", mode=NumberSelectorMode.BOX
            )
        ),
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def speak_bmi(height_cm: float, weight_kg: float) -> str:
    """A spoken BMI answer."""
    value, name = bmi(height_cm, weight_kg)
    return (
        f"At {_number(height_cm)} cm and {_number(weight_kg)} kg your BMI is {value}, "
        f"which counts as {name}."
    )


def speak_pace(minutes_per_km: float, km_per_hour: float) -> str:
    """A spoken pace."""
    minutes, seconds = divmod(round(minutes_per_km * 60), 60)
    return f"{minutes} minutes {seconds} seconds per kilometre, or {km_per_hour:.1f} km/h."


class CalculateTool(AtlasTool):
    """``calculate``: BMI, running pace or calories burnt, computed exactly."""

    name = "calculate"
    description = (
        "Compute exactly instead of estimating: kind=bmi (height_cm, weight_kg; the user's "
        "stored values if not given), kind=pace (distance_km, duration_minutes) or "
        "kind=calories (activity, duration_minutes, weight_kg or the stored weight)."
    )
    parameters = probatio.Schema(
        {
            probatio.Required("kind"): probatio.In(KINDS),
            probatio.Optional("height_cm"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=50, max=272)
            ),
            probatio.Optional("weight_kg"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=10, max=400)
            ),
            probatio.Optional("distance_km"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False, max=1000)
            ),
            probatio.Optional("duration_minutes"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False, max=6000)
            ),
            probatio.Optional("activity"): probatio.In(tuple(MET)),
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )

    def __init__(self, options: dict[str, Any]) -> None:
        """Default to the height and weight in the entry's ``options``."""
        self.options = options

    def _need(self, args: dict[str, Any], *names: str) -> list[float]:
        stored = {"height_cm": CONF_HEIGHT_CM, "weight_kg": CONF_WEIGHT_KG}
        values: dict[str, Any] = {
            name: args.get(name, self.options.get(stored.get(name, ""))) for name in names
        }
        if missing := [name for name, value in values.items() if value is None]:
            hint = " (or set them in the ATLAS options)" if set(missing) & set(stored) else ""
            raise SkillError(f"{args['kind']} needs {', '.join(missing)}{hint}")
        return [float(value) for value in values.values()]

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        if args["kind"] == "bmi":
            height, weight = self._need(args, "height_cm", "weight_kg")
            value, name = bmi(height, weight)
            return {"bmi": value, "class": name, "height_cm": height, "weight_kg": weight,
                    "summary": speak_bmi(height, weight)}  # fmt: skip
        if args["kind"] == "pace":
            distance, minutes = self._need(args, "distance_km", "duration_minutes")
            per_km, per_hour = pace(distance, minutes)
            return {"minutes_per_km": round(per_km, 2), "km_per_hour": round(per_hour, 1),
                    "summary": speak_pace(per_km, per_hour)}  # fmt: skip
        if "activity" not in args:
            raise SkillError(f"calories needs activity, one of {', '.join(MET)}")
        minutes, weight = self._need(args, "duration_minutes", "weight_kg")
        kcal = calories(args["activity"], minutes, weight)
        return {"kcal": kcal, "met": MET[args["activity"]],
                "summary": f"About {kcal} kilocalories."}  # fmt: skip


def tools(options: Mapping[str, Any]) -> list[llm.Tool]:
    """``calculate`` (BMI with the body data in ``options``)."""
    return [CalculateTool(dict(options))]


def _body(skills: Skills, options: Mapping[str, Any]) -> Body:
    """The stored height and weight, and whether HA's unit system is metric."""
    height, weight = options.get(CONF_HEIGHT_CM), options.get(CONF_WEIGHT_KG)
    return Body(
        height_cm=None if height is None else float(height),
        weight_kg=None if weight is None else float(weight),
        metric=skills.recovery.hass.config.units.mass_unit != UnitOfMass.POUNDS,
    )


def _named_day(today: date, word: str, lead: str | None) -> date:
    """The date ``word`` (a weekday, tomorrow, yesterday, the weekend) means from ``today``."""
    if word in ("tomorrow", "yesterday"):
        return today + timedelta(days=1 if word == "tomorrow" else -1)
    weekday = _WEEKDAYS.index("saturday" if word == "the weekend" else word)
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=7 if ahead == 0 and lead == "next" else ahead)


def _day_answer(spoken: str, today: date) -> str | None:
    """ "how many days until Saturday", "what's the date on Saturday", "tomorrow's date"."""
    if match := _DAYS_UNTIL.search(spoken):
        word = match.group(2)
        if word == "the weekend" and today.weekday() >= 5:
            return "It's the weekend already."
        days = (_named_day(today, word, match.group(1)) - today).days
        name = "The weekend" if word == "the weekend" else word.capitalize()
        if days <= 0:
            return f"{name} is today." if days == 0 else f"{name} was yesterday."
        return f"{name} is in {days} day{'s' * (days != 1)}."
    match = _DATE_OF.search(spoken)
    if match is None:
        return None
    lead, word = next(pair for pair in batched(match.groups(), 2, strict=True) if pair[1])
    day = _named_day(today, word, lead)
    if word in ("tomorrow", "yesterday"):
        verb = "is" if word == "tomorrow" else "was"
        return f"{word.capitalize()} {verb} {day:%A} {day.day} {day:%B}."
    if word == "the weekend":
        return f"The weekend starts on Saturday {day.day} {day:%B}."
    named = f"Next {day:%A}" if lead == "next" else f"{day:%A}"
    return f"{named} is {day.day} {day:%B}."


def _twelve_hour(skills: Skills) -> bool:
    """Whether the user's language says the 12-hour clock ("9:30 AM")."""
    return twelve_hour_clock(skills.recovery.hass.config.language)


def _status_answer(skills: Skills) -> str:
    parts = [str(skills.workouts.status()["summary"])]
    if upcoming := skills.reminders.upcoming():
        reminder = upcoming[0]
        assert reminder.due is not None
        when = spoken_time(reminder.due, dt_util.now(), twelve_hour=_twelve_hour(skills))
        parts.append(f"Next reminder: {reminder.summary}, {when}.")
    level = skills.recovery.read().level
    parts.append(f"Recovery is {level}." if level else "No recovery data from Garmin.")
    return " ".join(parts)


def quick_answer(
    skills: Skills, options: Mapping[str, Any], extraction: Extraction, text: str
) -> str | None:
    """A spoken answer for a request code can answer alone, or None to let the LLM answer.

    Answers ``workout_status``, ``next_workout`` and, for ``quick_answer``, a calculation
    (BMI, calories burned, pace, a percentage, a unit conversion; see ``agent.calculations``),
    the time, the date and a status summary.
    """
    if not extraction.valid or extraction.confidence < MIN_CONFIDENCE:
        return None
    if extraction.intent == "workout_status":
        return str(skills.workouts.status()["summary"])
    if extraction.intent == "next_workout":
        return str(next_workout_result(skills.plans, dt_util.now().date())["summary"])
    if extraction.intent != "quick_answer":
        return None
    types = [str(kind) for kind in extraction.slots.get("types") or []]
    if (calculated := answer(text, _body(skills, options), types)) is not None:
        return calculated
    spoken = text.lower().replace("\u2019", "'")
    now = dt_util.now()
    if (day := _day_answer(spoken, now.date())) is not None:
        return day
    twelve_hour = _twelve_hour(skills)
    if (clock := clock_answer(spoken, now, twelve_hour=twelve_hour)) is not None:
        return clock
    if _TIME.search(spoken):
        return f"It's {spoken_clock(now, twelve_hour=_twelve_hour(skills))}."
    if _DATE.search(spoken):
        return f"Today is {now:%A} {now.day} {now:%B} {now.year}."
    if _STATUS.search(spoken):
        return _status_answer(skills)
    return None


__all__ = [
    "BMI_CLASSES", "CONF_HEIGHT_CM", "CONF_WEIGHT_KG", "MET", "CalculateTool", "bmi", "calories",
    "options_fields", "pace", "quick_answer", "speak_bmi", "speak_pace", "tools",
]  # fmt: skip
