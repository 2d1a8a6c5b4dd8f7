"""Conversation platform: one streaming ATLAS agent per conversation subentry.

Languages (docs/ha-integration.md, "Languages"): the agent declares the languages whose safety
questions the router recognises (English, German, Spanish, French), not ``"*"``. The direct
skill replies and quick answers are English sentences, so a turn in another language skips
them and the model answers it, with the same tools.
"""

from __future__ import annotations

from typing import Any, Final, Literal, override

from homeassistant.components import conversation
from homeassistant.components.conversation.models import AbstractConversationAgent
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_LLM_HASS_API, CONF_PROMPT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .agent.intent_rules import CONFIDENT, understand
from .agent.trace import TurnTrace
from .const import DEFAULT_PROMPT, DOMAIN, EVENT_TURN
from .entity import AtlasBaseLLMEntity
from .runtime import AtlasConfigEntry

# The GPU box queues requests itself (FIFO with a bound); HA need not serialise them.
PARALLEL_UPDATES = 0

# The router's safety rules cover these (router.py); the skills' spoken replies are English.
SUPPORTED_LANGUAGES: Final = ["en", "de", "es", "fr"]
REPLY_LANGUAGE: Final = "en"

# Home Assistant's own intents that control a device: a device command tries them first, as a
# pipeline's "prefer handling commands locally" does, before any model is asked.
DEVICE_INTENTS: Final = frozenset(
    {
        "HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "HassSetPosition",
        "HassClimateSetTemperature", "HassMediaPause", "HassMediaUnpause", "HassMediaNext",
        "HassMediaPrevious", "HassSetVolume", "HassSetVolumeRelative", "HassMediaPlayerMute",
        "HassMediaPlayerUnmute", "HassFanSetSpeed", "HassVacuumStart", "HassVacuumReturnToBase",
        "HassLawnMowerStartMowing", "HassLawnMowerDock",
    }
)  # fmt: skip


def not_a_device_intent(result: Any) -> bool:
    """Filter for Home Assistant's intents (``result``: hassil's ``RecognizeResult``, which
    Home Assistant passes): True drops a match that controls no device."""
    return result.intent.name not in DEVICE_INTENTS


def reads_as_device_command(text: str, language: str | None) -> bool:
    """Whether the rules read ``text`` as a confident device command (in any language)."""
    extraction = understand(text, None, language)
    return extraction.intent == "device_control" and extraction.confidence >= CONFIDENT


def speaks_reply_language(language: str | None) -> bool:
    """Whether a turn in ``language`` ("en", "en-GB", None: HA's default) may get the English
    direct skill replies."""
    if not language:
        return True
    return language.replace("_", "-").split("-")[0].lower() == REPLY_LANGUAGE


async def async_setup_entry(
    hass: HomeAssistant,
    config_entry: AtlasConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an agent for every conversation subentry."""
    for subentry in config_entry.subentries.values():
        if subentry.subentry_type == "conversation":
            async_add_entities(
                [AtlasConversationEntity(config_entry, subentry)],
                config_subentry_id=subentry.subentry_id,
            )


class AtlasConversationEntity(
    conversation.ConversationEntity, AbstractConversationAgent, AtlasBaseLLMEntity
):
    """The ATLAS conversation agent."""

    _attr_supports_streaming = True

    def __init__(self, entry: AtlasConfigEntry, subentry: ConfigSubentry) -> None:
        """Initialise; device control when an LLM API is selected."""
        super().__init__(entry, subentry)
        if subentry.data.get(CONF_LLM_HASS_API):
            self._attr_supported_features = conversation.ConversationEntityFeature.CONTROL

    @property
    @override
    def supported_languages(self) -> list[str] | Literal["*"]:
        return list(SUPPORTED_LANGUAGES)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        conversation.async_set_agent(self.hass, self.entry, self)

    @override
    async def async_will_remove_from_hass(self) -> None:
        conversation.async_unset_agent(self.hass, self.entry)
        await super().async_will_remove_from_hass()

    @override
    async def async_prepare(self, language: str | None = None) -> None:
        """Warm the box's prompt cache while the user is still speaking."""
        await self._async_warm_up()

    @override
    async def _async_handle_message(
        self, user_input: conversation.ConversationInput, chat_log: conversation.ChatLog
    ) -> conversation.ConversationResult:
        settings = self.subentry.data
        try:
            await chat_log.async_provide_llm_data(
                user_input.as_llm_context(DOMAIN),
                settings.get(CONF_LLM_HASS_API),
                settings.get(CONF_PROMPT, DEFAULT_PROMPT),
                user_input.extra_system_prompt,
            )
        except conversation.ConverseError as err:
            return err.as_conversation_result()

        if settings.get(CONF_LLM_HASS_API) and reads_as_device_command(
            user_input.text, user_input.language
        ):
            response = await conversation.async_handle_intents(
                self.hass, user_input, chat_log, intent_filter=not_a_device_intent
            )
            if response is not None:
                return self._home_assistant_answered(user_input, chat_log, response)

        trace = await self._async_handle_chat_log(chat_log, user_input.text, user_input.language)
        details = trace.as_dict()
        chat_log.async_trace({"atlas": details})
        self.hass.bus.async_fire(
            EVENT_TURN,
            {**details, "conversation_id": chat_log.conversation_id, "agent_id": self.entity_id},
        )
        result = conversation.async_get_result_from_chat_log(user_input, chat_log)
        # A question ATLAS asked for a missing value keeps the conversation open; its other
        # direct replies never do (the model's replies keep HA's rule: a trailing "?").
        if trace.asked or trace.answered_by == "skill":
            result.continue_conversation = trace.asked
        return result

    def _home_assistant_answered(
        self,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
        response: intent.IntentResponse,
    ) -> conversation.ConversationResult:
        """Home Assistant's own intent did the device command: its words are the answer."""
        speech = response.speech.get("plain", {}).get("speech", "")
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=speech)
        )
        trace = TurnTrace(
            extraction=understand(user_input.text, None, user_input.language),
            understood_by="rules",
            answered_by="home_assistant",
        )
        details = trace.as_dict()
        chat_log.async_trace({"atlas": details})
        self.hass.bus.async_fire(
            EVENT_TURN,
            {**details, "conversation_id": chat_log.conversation_id, "agent_id": self.entity_id},
        )
        return conversation.ConversationResult(
            response=response, conversation_id=chat_log.conversation_id
        )

    @override
    async def _async_local_answer(
        self,
        chat_log: conversation.ChatLog,
        user_text: str,
        trace: TurnTrace,
        started: float,
        note: str | None,
        *,
        language: str | None = None,
    ) -> None:
        """In English, the skills directly or a quick answer first; in German, Spanish or French
        the model answers (the direct replies are English sentences), with the same tools."""
        if speaks_reply_language(language):
            await super()._async_local_answer(
                chat_log, user_text, trace, started, note, language=language
            )
        else:
            await self._async_tool_rounds(chat_log, trace, started, note)
