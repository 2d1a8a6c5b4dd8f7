"""ATLAS's own LLM API ("atlas"): the skills' tools, offered to the agent beside Assist.

HA merges the selected APIs and prefixes each tool with the slug of its API's name, so the
model sees ``atlas__set_reminder``, ``atlas__log_workout``… next to
``assist__intent__HassTurnOn``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import probatio
import voluptuous as vol
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import llm
from homeassistant.util.json import JsonObjectType

from ..const import DOMAIN

ATLAS_API_ID = "atlas"
API_PROMPT = (
    "ATLAS skills: use the atlas tools for reminders, workouts (log, status, plans) and recovery "
    "data. Never invent tool results; if a tool reports an error, say so briefly."
)


class SkillError(Exception):
    """A skill refused a request; the message is shown to the model as the tool's error."""


class AtlasTool(llm.Tool):
    """Base of ATLAS tools: validates arguments and turns failures into clear tool errors."""

    integration = DOMAIN

    @abstractmethod
    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Do the work with validated arguments."""

    async def async_call(
        self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext
    ) -> llm.ToolResult:
        """Validate ``tool_input`` against :attr:`parameters`, then run."""
        try:
            args = self.parameters(tool_input.tool_args)
        except (vol.Invalid, probatio.Invalid) as err:
            return llm.ToolResult(
                {"error": "invalid_arguments", "error_text": f"{self.name}: {err}"}, error=True
            )
        try:
            return llm.ToolResult(await self.async_run(hass, args, llm_context))
        except SkillError as err:
            return llm.ToolResult({"error": "refused", "error_text": str(err)}, error=True)


class AtlasAPI(llm.API):
    """The tools of every loaded ATLAS entry's skills."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Register under the id ``atlas``."""
        # A merged API's tools are namespaced with its slugified name: "atlas__set_reminder".
        super().__init__(hass=hass, id=ATLAS_API_ID, name="ATLAS")

    async def async_get_api_instance(self, llm_context: llm.LLMContext) -> llm.APIInstance:
        """The tools of the loaded ATLAS entries."""
        tools: list[llm.Tool] = []
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            tools.extend(entry.runtime_data.skills.tools)
        return llm.APIInstance(api=self, api_prompt=API_PROMPT, llm_context=llm_context,
                               tools=tools)  # fmt: skip


@callback
def async_register_api(hass: HomeAssistant) -> CALLBACK_TYPE:
    """Make the ``atlas`` API selectable in agents' options."""
    return llm.async_register_api(hass, AtlasAPI(hass))
