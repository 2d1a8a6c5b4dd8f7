"""The fixed world every ``atlas-eval turns`` line is judged in (the turns data spec).

Wednesday 11 March 2026, 09:30 in New York; four reminders, four workouts logged on the three
days before, two planned sessions, and Garmin's sensors. It is seeded the way a user would:
through ATLAS's own tools (the ``atlas`` LLM API) and Home Assistant states, never through the
skills' internals, so changes inside the skills do not break the evaluation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from homeassistant.components.conversation.const import DOMAIN as CONVERSATION_DOMAIN
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, CONF_HOST, CONF_PORT
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import llm
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.atlas.config_flow import DEFAULT_CONVERSATION_OPTIONS
from custom_components.atlas.const import (
    DEFAULT_CONVERSATION_NAME,
    DOMAIN,
    SUBENTRY_CONVERSATION,
)
from custom_components.atlas.skills.api import ATLAS_API_ID
from custom_components.atlas.skills.recovery import option_key

TIME_ZONE: Final = "America/New_York"
COUNTRY: Final = "US"
LANGUAGE: Final = "en"
NOW: Final = datetime(2026, 3, 11, 9, 30, tzinfo=ZoneInfo(TIME_ZONE))
HOST: Final = "127.0.0.1"

# (what, when): the reminders already set.
REMINDERS: Final = (
    ("take the bins out", "2026-03-12T19:00"),
    ("call mum", "2026-03-13T18:00"),
    ("renew the gym membership", "2026-03-14T10:00"),
    ("book a physio appointment", "2026-03-16T09:00"),
)
# log_workout arguments of the workouts already logged (a streak of three days, none today).
WORKOUTS: Final[tuple[dict[str, Any], ...]] = (
    {"exercise": "cycling", "duration_minutes": 40, "time": "2026-03-08T17:30:00"},
    {"exercise": "running", "distance": 5, "distance_unit": "km", "duration_minutes": 28,
     "time": "2026-03-09T07:00:00"},
    {"exercise": "push-ups", "sets": 3, "reps": 12, "time": "2026-03-10T07:30:00"},
    {"exercise": "yoga", "duration_minutes": 30, "time": "2026-03-10T18:30:00"},
)  # fmt: skip
# prepare_workout arguments of the sessions already planned.
PLANS: Final[tuple[dict[str, Any], ...]] = (
    {"day": "2026-03-12", "time_of_day": "morning", "types": ["strength"], "minutes": 45,
     "use_recovery": True},
    {"day": "2026-03-14", "time_of_day": "morning", "types": ["running"], "minutes": 40,
     "use_recovery": True},
)  # fmt: skip
# Garmin Connect's sensors: metric → (state, unit). Training readiness is not in the world.
GARMIN: Final = {
    "body_battery": ("62", "%"),
    "sleep_score": ("78", None),
    "hrv_status": ("balanced", None),
    "resting_heart_rate": ("52", "bpm"),
}


class SeedError(RuntimeError):
    """A tool refused part of the world: the evaluation cannot run."""


def garmin_entity(metric: str) -> str:
    """The Garmin sensor of ``metric``."""
    return f"sensor.garmin_connect_{metric}"


def world_entry(port: int) -> MockConfigEntry:
    """The ATLAS entry: the scripted box at ``port``, the Garmin sensors mapped in its options,
    and one conversation agent with the default options (Assist and ATLAS's tools)."""
    agent = ConfigSubentryData(
        data=dict(DEFAULT_CONVERSATION_OPTIONS),
        subentry_type=SUBENTRY_CONVERSATION,
        title=DEFAULT_CONVERSATION_NAME,
        unique_id=None,
    )
    return MockConfigEntry(
        domain=DOMAIN,
        title="ATLAS (scripted box)",
        data={CONF_HOST: HOST, CONF_PORT: port},
        options={option_key(metric): garmin_entity(metric) for metric in GARMIN},
        unique_id=f"{HOST}:{port}",
        subentries_data=[agent],
    )


def agent_entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The entity id of the entry's conversation agent."""
    registry = er.async_get(hass)
    for subentry_id in entry.subentries:
        if entity_id := registry.async_get_entity_id(CONVERSATION_DOMAIN, DOMAIN, subentry_id):
            return entity_id
    raise SeedError("the ATLAS entry has no conversation agent")


async def async_seed(hass: HomeAssistant) -> None:
    """Set the Garmin states, then the reminders, workouts and plans through ATLAS's tools."""
    for metric, (state, unit) in GARMIN.items():
        attributes = {ATTR_UNIT_OF_MEASUREMENT: unit} if unit else {}
        hass.states.async_set(garmin_entity(metric), state, attributes)
    context = llm.LLMContext(
        platform="atlas_eval", context=Context(), language=LANGUAGE, assistant="conversation",
        device_id=None,
    )  # fmt: skip
    api = await llm.async_get_api(hass, ATLAS_API_ID, context)
    known = {tool.name: {str(key) for key in tool.parameters.schema} for tool in api.tools}
    calls = [("set_reminder", {"text": text, "at": at}) for text, at in REMINDERS]
    calls += [("log_workout", args) for args in WORKOUTS]
    calls += [("prepare_workout", args) for args in PLANS]
    for tool, args in calls:
        if tool not in known:
            raise SeedError(f"ATLAS offers no {tool} tool")
        # Arguments the tool does not take yet (a distance) are left out, not refused.
        taken = {key: value for key, value in args.items() if key in known[tool]}
        result = await api.async_call_tool(llm.ToolInput(tool_name=tool, tool_args=taken))
        if result.error:
            raise SeedError(f"{tool}({taken}) failed: {result.data}")
