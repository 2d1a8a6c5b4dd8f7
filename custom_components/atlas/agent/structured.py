"""The fast structured pass: intent, slots and confidence as grammar-constrained JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from ..box.chat_protocol import ChatRequest
from .intents import INTENTS as REGISTRY
from .intents import NAMES, PLANNING_INTENTS

INTENTS: Final = NAMES
DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
               "today", "tomorrow")  # fmt: skip
TIMES_OF_DAY: Final = ("morning", "afternoon", "evening", "night")
WORKOUT_TYPES: Final = ("yoga", "calisthenics", "running", "strength", "mobility", "cycling",
                        "swimming", "hiit", "walking", "stretching")  # fmt: skip
BODY_PARTS: Final = ("shoulder", "knee", "back", "wrist", "ankle", "hip", "neck", "elbow")
DATA_SOURCES: Final = ("garmin",)

SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "intent": {"enum": list(INTENTS)},
        "day": {"enum": [*DAYS, None]},
        "time_of_day": {"enum": [*TIMES_OF_DAY, None]},
        "types": {"type": "array", "items": {"enum": list(WORKOUT_TYPES)}, "maxItems": 4},
        "injury": {"enum": [*BODY_PARTS, None]},
        "data_source": {"enum": [*DATA_SOURCES, None]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["intent", "day", "time_of_day", "types", "injury", "data_source", "confidence"],
    "additionalProperties": False,
}

STRUCTURED_CONTEXT_TURNS: Final = 2  # earlier user turns the structured pass sees

PROMPT: Final = (
    "You label one turn of the user of a home fitness assistant. Reply with JSON only.\n"
    "intent, what the user wants:\n"
    + "".join(f"{intent.name}: {intent.meaning}\n" for intent in REGISTRY)
    + "Slots come only from words in the turn, else null. day: a weekday, today or tomorrow. "
    "time_of_day: only if morning, afternoon, evening, night or tonight is said. injury: a "
    "hurt or sore body part. data_source: garmin if Garmin or the watch is named. types: "
    "each sport or exercise word in the turn, also in a reminder or question (pushups: "
    "calisthenics, 5k: running, bike: cycling, weights: strength, hike: walking); [] if none.\n"
    'After "Earlier:" turns, keep their intent and slots unless "Now:" changes them.\n'
    "confidence: 0 to 1, how sure you are of the intent.\n"
    'Examples: "my wrist aches after cycling today, should I ice it?" -> {"intent": '
    '"health_question", "day": "today", "time_of_day": null, "types": ["cycling"], "injury": '
    '"wrist", "data_source": null, "confidence": 0.9}\n'
    '"switch the hall lamp off" -> {"intent": "device_control", "day": null, '
    '"time_of_day": null, "types": [], "injury": null, "data_source": null, "confidence": 0.9}\n'
    '"is there a swim planned for friday evening" -> {"intent": "next_workout", '
    '"day": "friday", "time_of_day": "evening", "types": ["swimming"], "injury": null, '
    '"data_source": null, "confidence": 0.9}\n'
    '"thanks, you are a star" -> {"intent": "chat", "day": null, "time_of_day": null, '
    '"types": [], "injury": null, "data_source": null, "confidence": 0.9}'
)


@dataclass(frozen=True)
class Extraction:
    """What the structured pass found in one user turn."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    valid: bool = True

    @property
    def needs_planning(self) -> bool:
        """Whether the answer benefits from thinking."""
        return self.intent in PLANNING_INTENTS

    def as_dict(self) -> dict[str, Any]:
        """Trace/event form."""
        return {"intent": self.intent, "slots": self.slots, "confidence": self.confidence,
                "valid": self.valid}  # fmt: skip


def build_request(text: str, context: str | None = None) -> ChatRequest:
    """The ``chat`` request of the structured pass (thinking off, grammar on)."""
    user = text if not context else f"Earlier: {context}\nNow: {text}"
    return {
        "messages": [{"role": "system", "content": PROMPT}, {"role": "user", "content": user}],
        "response_format": {"schema": SCHEMA},
        "think": False,
        "temperature": 0,
        "max_tokens": 120,
    }


def parse(content: str) -> Extraction:
    """Turn the pass's JSON into an :class:`Extraction`; anything malformed is ``valid=False``."""
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return Extraction("chat", valid=False)
    if not isinstance(data, dict) or data.get("intent") not in INTENTS:
        return Extraction("chat", valid=False)
    confidence = data.get("confidence")
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        return Extraction(str(data["intent"]), valid=False)
    slots = {
        key: value
        for key in ("day", "time_of_day", "types", "injury", "data_source")
        if (value := data.get(key)) not in (None, [], "")
    }
    return Extraction(str(data["intent"]), slots, float(confidence))
