"""Quick answers: BMI, pace and calories (tool ``calculate``), and answers given without the
LLM when the structured pass already understood the request (:func:`quick_answer`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final, override

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType

from ..agent.structured import Extraction
from . import Skills
from .api import AtlasTool, SkillError
from .plans import next_workout_result
from .time_parse import spoken_time

CONF_HEIGHT_CM: Final = "height_cm"
CONF_WEIGHT_KG: Final = "weight_kg"
# Below this confidence of the structured pass, the LLM answers instead.
MIN_CONFIDENCE: Final = 0.6
KINDS: Final = ("bmi", "pace", "calories")
# Metabolic equivalents (Compendium of Physical Activities, typical values).
MET: Final = {"walking": 3.5, "running": 9.8, "cycling": 7.5, "swimming": 6.0, "yoga": 2.5,
              "calisthenics": 8.0, "strength": 5.0, "hiit": 8.0, "mobility": 2.5,
              "stretching": 2.3}  # fmt: skip
# WHO adult BMI classes: upper bounds.
BMI_CLASSES: Final = ((18.5, "underweight"), (25.0, "a healthy weight"), (30.0, "overweight"),
                      (math.inf, "obese"))  # fmt: skip

_BMI = re.compile(r"\b(bmi|body mass)\b")
_TIME = re.compile(r"\b(what time|time is it|the time|current time)\b")
_DATE = re.compile(r"\b(what day|which day|day is it|day is today|the date|today's date)\b")
_STATUS = re.compile(r"\b(status|summary|overview|how am i doing)\b")
_HEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:cm|centimet(?:er|re)s?)\b")
_WEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:kg|kilos?|kilograms?)\b")


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


def _bmi_answer(options: Mapping[str, Any], text: str) -> str | None:
    height = match.group(1) if (match := _HEIGHT.search(text)) else options.get(CONF_HEIGHT_CM)
    weight = match.group(1) if (match := _WEIGHT.search(text)) else options.get(CONF_WEIGHT_KG)
    if height is None or weight is None:
        return None  # the model asks for what is missing
    return speak_bmi(float(height), float(weight))


def _status_answer(skills: Skills) -> str:
    parts = [str(skills.workouts.status()["summary"])]
    if upcoming := skills.reminders.upcoming():
        reminder = upcoming[0]
        assert reminder.due is not None
        parts.append(
            f"Next reminder: {reminder.summary}, {spoken_time(reminder.due, dt_util.now())}."
        )
    level = skills.recovery.read().level
    parts.append(f"Recovery is {level}." if level else "No recovery data from Garmin.")
    return " ".join(parts)


def quick_answer(
    skills: Skills, options: Mapping[str, Any], extraction: Extraction, text: str
) -> str | None:
    """A spoken answer for a request code can answer alone, or None to let the LLM answer.

    Answers ``workout_status``, ``next_workout`` and, for ``quick_answer``, BMI (with a known
    height and weight), the time, the date and a status summary.
    """
    if not extraction.valid or extraction.confidence < MIN_CONFIDENCE:
        return None
    if extraction.intent == "workout_status":
        return str(skills.workouts.status()["summary"])
    if extraction.intent == "next_workout":
        return str(next_workout_result(skills.plans, dt_util.now().date())["summary"])
    if extraction.intent != "quick_answer":
        return None
    spoken = text.lower()
    now = dt_util.now()
    if _BMI.search(spoken):
        return _bmi_answer(options, spoken)
    if _TIME.search(spoken):
        return f"It's {now:%H:%M}."
    if _DATE.search(spoken):
        return f"Today is {now:%A} {now.day} {now:%B} {now.year}."
    if _STATUS.search(spoken):
        return _status_answer(skills)
    return None
