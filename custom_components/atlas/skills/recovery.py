"""Recovery from HA entities, by default those of the Garmin Connect integration (HACS).

Thresholds of the recovery level (each metric scores low 0, moderate 1 or high 2 points):

* body battery and training readiness (0-100): high from 70, moderate from 40, else low;
* sleep score (0-100): high from 80, moderate from 60, else low;
* HRV status: balanced is high, unbalanced moderate, low or poor low;
* resting heart rate is reported but not scored (what is normal depends on the person).

The level is high when the mean of the scored metrics is above 1.5, low when it is below 0.5,
moderate otherwise. With no scored metric the level is unknown, and plans assume moderate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.helpers.selector import EntitySelector, EntitySelectorConfig
from homeassistant.util.json import JsonObjectType

from .api import AtlasTool

LOW: Final = "low"
MODERATE: Final = "moderate"
HIGH: Final = "high"
LEVELS: Final = (LOW, MODERATE, HIGH)
DEFAULT_LEVEL: Final = MODERATE
FALLBACK_NOTE: Final = "Garmin data unavailable, planned for moderate recovery"

METRICS: Final = (
    "body_battery",
    "training_readiness",
    "hrv_status",
    "sleep_score",
    "resting_heart_rate",
)
DEFAULT_ENTITIES: Final = {metric: f"sensor.garmin_connect_{metric}" for metric in METRICS}
# Lower bounds of (high, moderate) for the numeric metrics that are scored.
THRESHOLDS: Final = {
    "body_battery": (70, 40),
    "training_readiness": (70, 40),
    "sleep_score": (80, 60),
}
HRV_LEVELS: Final = {"balanced": HIGH, "unbalanced": MODERATE, "low": LOW, "poor": LOW}
_POINTS: Final = {LOW: 0, MODERATE: 1, HIGH: 2}
_SPOKEN: Final = {
    "body_battery": "body battery",
    "training_readiness": "training readiness",
    "hrv_status": "HRV status",
    "sleep_score": "sleep score",
    "resting_heart_rate": "resting heart rate",
}


def option_key(metric: str) -> str:
    """The entry option that maps ``metric`` to an entity."""
    return f"{metric}_entity"


def options_fields() -> dict[str, Any]:
    """Option form fields: one entity per metric (Garmin Connect's when not set)."""
    selector = EntitySelector(EntitySelectorConfig(domain="sensor"))
    return {option_key(metric): selector for metric in METRICS}


def option_defaults() -> dict[str, str]:
    """The Garmin Connect entities, as suggested option values."""
    return {option_key(metric): entity for metric, entity in DEFAULT_ENTITIES.items()}


def metric_level(metric: str, value: float | str) -> str | None:
    """The level one metric's value stands for, or None if it is not scored."""
    if metric == "hrv_status":
        return HRV_LEVELS.get(str(value).strip().lower())
    if metric not in THRESHOLDS or isinstance(value, str):
        return None
    high, moderate = THRESHOLDS[metric]
    return HIGH if value >= high else MODERATE if value >= moderate else LOW


def combine(levels: list[str]) -> str | None:
    """The overall level of the scored metrics' levels (see the module's thresholds)."""
    if not levels:
        return None
    mean = sum(_POINTS[level] for level in levels) / len(levels)
    return HIGH if mean > 1.5 else LOW if mean < 0.5 else MODERATE


@dataclass(frozen=True)
class RecoveryReport:
    """What the recovery entities say now."""

    values: dict[str, float | str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # metric → entity id
    unavailable: dict[str, str] = field(default_factory=dict)
    level: str | None = None

    @property
    def planning_level(self) -> str:
        """The level a plan should use: the measured one, else moderate."""
        return self.level or DEFAULT_LEVEL

    @property
    def note(self) -> str | None:
        """What the reply must say about absent data, if anything is absent."""
        if self.level is None:
            return FALLBACK_NOTE
        absent = [*self.missing, *self.unavailable]
        if absent:
            names = ", ".join(_SPOKEN[metric] for metric in absent)
            return f"Some Garmin data unavailable ({names}); level from the rest"
        return None

    def summary(self) -> str:
        """One speakable sentence."""
        parts = [f"{_SPOKEN[metric]} {_format(value)}" for metric, value in self.values.items()]
        if self.level is None:
            head = "No Garmin recovery level right now"
            absent = [*self.missing, *self.unavailable]
            tail = ", ".join(_SPOKEN[metric] for metric in absent)
            return f"{head}; not available: {tail}."
        return f"Recovery is {self.level}: {', '.join(parts)}."

    def as_dict(self) -> JsonObjectType:
        """The tool result's form."""
        result: JsonObjectType = {
            "level": self.level,
            "values": dict(self.values),
            "missing": dict(self.missing),
            "unavailable": dict(self.unavailable),
            "summary": self.summary(),
        }
        if (note := self.note) is not None:
            result["recovery_note"] = note
        return result


def _format(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower()


class RecoveryReader:
    """Reads the mapped recovery entities' states."""

    def __init__(self, hass: HomeAssistant, entities: dict[str, str]) -> None:
        """Read ``entities`` (metric → entity id)."""
        self.hass = hass
        self.entities = entities

    @classmethod
    def from_options(cls, hass: HomeAssistant, options: dict[str, Any]) -> RecoveryReader:
        """The mapping of the entry's options, Garmin Connect's entities by default."""
        entities = {
            metric: str(options.get(option_key(metric), default))
            for metric, default in DEFAULT_ENTITIES.items()
        }
        return cls(hass, entities)

    def read(self) -> RecoveryReport:
        """The values present, which entities are missing or unavailable, and the level."""
        values: dict[str, float | str] = {}
        missing: dict[str, str] = {}
        unavailable: dict[str, str] = {}
        for metric, entity_id in self.entities.items():
            state = self.hass.states.get(entity_id)
            if state is None:
                missing[metric] = entity_id
            elif (value := _parse(metric, state.state)) is None:
                unavailable[metric] = entity_id
            else:
                values[metric] = value
        scored = [
            level for metric, value in values.items() if (level := metric_level(metric, value))
        ]
        return RecoveryReport(values, missing, unavailable, combine(scored))


def _parse(metric: str, state: str) -> float | str | None:
    if state in (STATE_UNAVAILABLE, STATE_UNKNOWN, ""):
        return None
    if metric == "hrv_status":
        return state
    try:
        return float(state)
    except ValueError:
        return None


class RecoveryStatusTool(AtlasTool):
    """``recovery_status``: recovery values and level from the recovery entities."""

    name = "recovery_status"
    description = (
        "Read today's recovery from Garmin (body battery, training readiness, HRV, sleep score, "
        "resting heart rate) and the recovery level (low, moderate or high). Says which data "
        "is missing."
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )

    def __init__(self, reader: RecoveryReader) -> None:
        """Read through ``reader``."""
        self.reader = reader

    @override
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        return self.reader.read().as_dict()


async def async_setup_skill(hass: HomeAssistant, entry: ConfigEntry) -> RecoveryReader:
    """The recovery entities mapped from the entry's options."""
    return RecoveryReader.from_options(hass, dict(entry.options))


def tools(reader: RecoveryReader) -> list[llm.Tool]:
    """``recovery_status``."""
    return [RecoveryStatusTool(reader)]
