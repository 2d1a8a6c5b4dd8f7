"""ATLAS's own LLM API ("atlas"): the skills' tools, offered to the agent beside Assist.

HA merges the selected APIs and prefixes each tool with the slug of its API's name, so the
model sees ``atlas__set_reminder``, ``atlas__log_workout``… next to
``assist__intent__HassTurnOn``.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import probatio
import voluptuous as vol
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import llm
from homeassistant.util.json import JsonObjectType

from ..agent.activities import article
from ..const import DOMAIN

ATLAS_API_ID = "atlas"
API_PROMPT = (
    "ATLAS skills: use the atlas tools for reminders, workouts (log, status, plans) and recovery "
    "data. Never invent tool results; if a tool reports an error, tell the user its message "
    "briefly, in your own words."
)
# Shown where nothing better can be said; the details stay in ``error_text`` for the model.
_SORRY: Final = "Sorry, I couldn't {action} that."
# A refusal the user may hear as it is: no argument names, formats or markup in it.
_UNSPEAKABLE: Final = re.compile(r"[`_{}\[\]<>]|\bISO\b|HH:MM|\d{4}-\d{2}-\d{2}")


class SkillError(Exception):
    """A skill refused a request.

    The message is for the model (``error_text``); ``spoken`` is the sentence a person hears
    (``message``), where the message itself is not one.
    """

    def __init__(self, message: str, *, spoken: str | None = None) -> None:
        """Keep the model's message and the spoken sentence."""
        super().__init__(message)
        self.spoken = spoken


def error_result(kind: str, error_text: str, message: str) -> JsonObjectType:
    """A tool error: ``message`` to say, ``error_text`` with the details for the model."""
    return {"error": kind, "message": message, "error_text": error_text}


class AtlasTool(llm.Tool):
    """Base of ATLAS tools: validates arguments and turns failures into tool errors that carry
    a sentence to say (``message``) beside the details for the model (``error_text``)."""

    integration = DOMAIN
    # What the tool does, to say "I can only log up to …", "Sorry, I couldn't log that."
    action: ClassVar[str] = "do"
    # Arguments as a person names them ("duration_minutes": "minutes").
    argument_words: ClassVar[Mapping[str, str]] = {}
    # A sentence per argument that replaces the generic one when that argument is invalid.
    argument_errors: ClassVar[Mapping[str, str]] = {}

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
            message = self.spoken_invalid(err, tool_input.tool_args)
            return llm.ToolResult(
                error_result("invalid_arguments", f"{self.name}: {err}", message), error=True
            )
        try:
            return llm.ToolResult(await self.async_run(hass, args, llm_context))
        except SkillError as err:
            text = str(err)
            message = err.spoken or (
                text if text and not _UNSPEAKABLE.search(text) else self.sorry()
            )
            return llm.ToolResult(error_result("refused", text, message), error=True)

    def sorry(self) -> str:
        """The sentence said when nothing more precise can be."""
        return _SORRY.format(action=self.action)

    def spoken_invalid(self, err: vol.Invalid | probatio.Invalid, args: Mapping[str, Any]) -> str:
        """An invalid argument as a person would say it: "I can only log up to 10,000 reps
        at a time.", never the validator's words."""
        first = (getattr(err, "errors", None) or [err])[0]
        path = [str(part) for part in first.path if isinstance(part, str)]
        if not path:
            return self.sorry()
        name = path[0]
        if name in self.argument_errors:
            return self.argument_errors[name]
        word = self.argument_words.get(name, name.replace("_", " "))
        said = args.get(name)
        if isinstance(said, list) and first.path and isinstance(first.path[-1], int):
            said = said[first.path[-1]] if first.path[-1] < len(said) else None
        error = type(first).__name__
        if error == "ExtraKeysInvalid":
            return f"I didn't understand the {word} part of that."
        if error == "RequiredFieldInvalid":
            return f"I need the {word} to {self.action} that."
        if match := re.search(r"at most ([\d.]+)", first.msg):
            return f"I can only {self.action} up to {_amount(match[1])} {word} at a time."
        if match := re.search(r"(?:at least|higher than) ([\d.]+)", first.msg):
            least = "more than" if "higher" in first.msg else "at least"
            return f"The {word} needs to be {least} {_amount(match[1])}."
        if error in ("InInvalid", "LiteralInvalid") and isinstance(said, str):
            return f"I don't know {said!r} as {article(word)}."
        if error in ("CoerceInvalid", "TypeInvalid", "ScalarInvalid") and said is not None:
            return f"I didn't understand {str(said)!r} as the {word}."
        return f"I didn't understand the {word}."


def _amount(text: str) -> str:
    value = float(text)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,g}"


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
