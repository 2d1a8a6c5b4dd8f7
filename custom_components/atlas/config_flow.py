"""Config flow: one entry per GPU box, one subentry per conversation agent or AI Task entity."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import probatio
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_LLM_HASS_API, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import llm
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TemplateSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .box.client import AtlasClient, AtlasConnectionError, AtlasInfo, NotAtlasError
from .cloud.claude import async_validate_api_key
from .cloud.settings import cloud_settings, options_error, options_section, suggested_options
from .const import (
    CONF_MAX_HISTORY_TOKENS,
    CONF_MAX_SPOKEN_SENTENCES,
    CONF_MAX_SPOKEN_WORDS,
    CONF_MAX_TOOL_ROUNDS,
    CONF_PROMPT,
    CONF_REMINDER_NOTIFY_ENTITY,
    CONF_REWORD_SKILL_REPLIES,
    CONF_THINKING,
    DEFAULT_AI_TASK_NAME,
    DEFAULT_CONVERSATION_NAME,
    DEFAULT_MAX_HISTORY_TOKENS,
    DEFAULT_MAX_SPOKEN_SENTENCES,
    DEFAULT_MAX_SPOKEN_WORDS,
    DEFAULT_MAX_TOOL_ROUNDS,
    DEFAULT_PORT,
    DEFAULT_PROMPT,
    DEFAULT_THINKING,
    DOMAIN,
    LOGGER,
    SUBENTRY_AI_TASK,
    SUBENTRY_CONVERSATION,
    THINKING_MODES,
    THINKING_OFF,
    THINKING_ON,
)
from .runtime import AtlasConfigEntry
from .skills import quick_answers, recovery, workouts
from .skills.api import ATLAS_API_ID

CONNECT_TIMEOUT = 10.0

DEFAULT_CONVERSATION_OPTIONS: dict[str, Any] = {
    CONF_PROMPT: DEFAULT_PROMPT,
    CONF_LLM_HASS_API: [llm.LLM_API_ASSIST, ATLAS_API_ID],
    CONF_THINKING: DEFAULT_THINKING,
    CONF_MAX_HISTORY_TOKENS: DEFAULT_MAX_HISTORY_TOKENS,
    CONF_MAX_TOOL_ROUNDS: DEFAULT_MAX_TOOL_ROUNDS,
    CONF_MAX_SPOKEN_SENTENCES: DEFAULT_MAX_SPOKEN_SENTENCES,
    CONF_MAX_SPOKEN_WORDS: DEFAULT_MAX_SPOKEN_WORDS,
}
# An AI task has no prompt or LLM API of its own: Home Assistant's AI Task integration brings
# both (the task's instructions, and the API its caller passes, if any).
DEFAULT_AI_TASK_OPTIONS: dict[str, Any] = {
    CONF_THINKING: THINKING_OFF,
    CONF_MAX_TOOL_ROUNDS: DEFAULT_MAX_TOOL_ROUNDS,
}


def _box_schema(host: str | None = None, port: int = DEFAULT_PORT) -> probatio.Schema:
    host_key = (
        probatio.Required(CONF_HOST) if host is None else probatio.Required(CONF_HOST, default=host)
    )
    return probatio.Schema(
        {
            host_key: TextSelector(),
            probatio.Required(CONF_PORT, default=port): cv.port,
        }
    )


API_KEY_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


async def _async_check_api_key(hass: HomeAssistant, entry: ConfigEntry, api_key: str) -> str | None:
    """Try a Claude API key against the entry's Anthropic endpoint: the form error, if any."""
    try:
        return await async_validate_api_key(hass, api_key, cloud_settings(entry).base_url)
    except Exception:
        LOGGER.exception("Unexpected error while checking the Claude API key")
        return "unknown"


def _unique_id(host: str, port: int) -> str:
    return f"{host}:{port}"


def _title(info: AtlasInfo) -> str:
    return f"ATLAS ({info.model or 'unknown model'})"


async def _async_probe(host: str, port: int) -> tuple[AtlasInfo | None, str | None]:
    """Ask the box to describe itself: its info, or the form error to show."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            return await AtlasClient(host, port).async_describe(), None
    except AtlasConnectionError, TimeoutError:
        return None, "cannot_connect"
    except NotAtlasError:
        return None, "not_atlas"
    except Exception:
        LOGGER.exception("Unexpected error while contacting %s:%s", host, port)
        return None, "unknown"


class AtlasConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an ATLAS GPU box: by hand, or when zeroconf finds its atlas-llm."""

    VERSION = 1

    def __init__(self) -> None:
        """Initialise the discovery state."""
        self._discovered: tuple[str, int, AtlasInfo] | None = None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Host and port of the box's atlas-llm, tested before the entry is made."""
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            port = int(user_input[CONF_PORT])
            await self.async_set_unique_id(_unique_id(host, port))
            self._abort_if_unique_id_configured()
            info, error = await _async_probe(host, port)
            if info is not None:
                return self._async_create_box_entry(host, port, info)
            errors["base"] = error or "unknown"
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_box_schema(), user_input),
            errors=errors,
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A ``_wyoming._tcp`` service appeared: keep it only if it is an atlas-llm."""
        host, port = discovery_info.host, discovery_info.port
        if port is None:
            return self.async_abort(reason="not_atlas")
        # A box already added under its mDNS name is the same box as its address.
        for known_host in {host, discovery_info.hostname.rstrip(".")}:
            self._async_abort_entries_match({CONF_HOST: known_host, CONF_PORT: port})
        await self.async_set_unique_id(_unique_id(host, port))
        # Known box: abort (an entry waiting to retry its set-up is reloaded now).
        self._abort_if_unique_id_configured()
        info, error = await _async_probe(host, port)
        if info is None:
            return self.async_abort(reason=error or "unknown")
        self._discovered = (host, port, info)
        self.context["title_placeholders"] = {"name": _title(info)}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before adding the discovered box."""
        assert self._discovered is not None
        host, port, info = self._discovered
        if user_input is not None:
            return self._async_create_box_entry(host, port, info)
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "model": info.model,
                "host": host,
                "port": str(port),
                "n_ctx": str(info.n_ctx),
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the entry to another host or port (the box must answer there), or set the
        Claude API key (Anthropic must accept it)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            port = int(user_input[CONF_PORT])
            api_key = str(user_input.pop(CONF_API_KEY, "")).strip()
            unique_id = _unique_id(host, port)
            if unique_id != entry.unique_id:
                await self.async_set_unique_id(unique_id, raise_on_progress=False)
                self._abort_if_unique_id_configured()
            info, error = None, None
            if api_key:
                error = await _async_check_api_key(self.hass, entry, api_key)
            if error is None:
                info, error = await _async_probe(host, port)
            if info is not None:
                data = {CONF_HOST: host, CONF_PORT: port}
                if api_key:
                    data[CONF_API_KEY] = api_key
                if entry.state is ConfigEntryState.LOADED:
                    # The entry's update listener reloads it.
                    return self.async_update_and_abort(
                        entry, unique_id=unique_id, data_updates=data
                    )
                return self.async_update_reload_and_abort(
                    entry, unique_id=unique_id, data_updates=data
                )
            errors["base"] = error or "unknown"
        schema = _box_schema(entry.data[CONF_HOST], entry.data[CONF_PORT]).extend(
            {probatio.Optional(CONF_API_KEY): API_KEY_SELECTOR}
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Anthropic rejected the Claude API key: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new Claude API key, checked with Anthropic before it replaces the old one."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            api_key = str(user_input[CONF_API_KEY]).strip()
            if (error := await _async_check_api_key(self.hass, entry, api_key)) is None:
                data = {CONF_API_KEY: api_key}
                if entry.state is ConfigEntryState.LOADED:
                    # The entry's update listener reloads it.
                    return self.async_update_and_abort(entry, data_updates=data)
                return self.async_update_reload_and_abort(entry, data_updates=data)
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=probatio.Schema({probatio.Required(CONF_API_KEY): API_KEY_SELECTOR}),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    @callback
    def _async_create_box_entry(self, host: str, port: int, info: AtlasInfo) -> ConfigFlowResult:
        return self.async_create_entry(
            title=_title(info),
            data={CONF_HOST: host, CONF_PORT: port},
            subentries=[
                {
                    "subentry_type": SUBENTRY_CONVERSATION,
                    "data": dict(DEFAULT_CONVERSATION_OPTIONS),
                    "title": DEFAULT_CONVERSATION_NAME,
                    "unique_id": None,
                },
                {
                    "subentry_type": SUBENTRY_AI_TASK,
                    "data": dict(DEFAULT_AI_TASK_OPTIONS),
                    "title": DEFAULT_AI_TASK_NAME,
                    "unique_id": None,
                },
            ],
        )

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Conversation agents and AI Task entities are subentries of the box entry."""
        return {
            SUBENTRY_CONVERSATION: ConversationSubentryFlowHandler,
            SUBENTRY_AI_TASK: AITaskSubentryFlowHandler,
        }

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: AtlasConfigEntry) -> OptionsFlow:
        """The box entry's options (where reminders are sent)."""
        return AtlasOptionsFlow()


class AtlasOptionsFlow(OptionsFlow):
    """Options of a box entry: where reminders go, the daily workout goals, the user's height
    and weight, the entities recovery is read from, and what may go to Claude."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Every option is optional; goals and recovery entities suggest their defaults."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if (error := options_error(user_input)) is None:
                return self.async_create_entry(data=user_input)
            errors["base"] = error
        fields: dict[str, Any] = {
            CONF_REMINDER_NOTIFY_ENTITY: EntitySelector(EntitySelectorConfig(domain="notify")),
            **workouts.options_fields(),
            **quick_answers.options_fields(),
            **recovery.options_fields(),
            **options_section(),
        }
        schema = probatio.Schema({probatio.Optional(key): field for key, field in fields.items()})
        suggested = {
            **workouts.option_defaults(),
            **recovery.option_defaults(),
            **self.config_entry.options,
            **suggested_options(user_input or self.config_entry.options),
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
        )


class ConversationSubentryFlowHandler(ConfigSubentryFlow):
    """Add or change one ATLAS conversation agent."""

    defaults: Mapping[str, Any] = DEFAULT_CONVERSATION_OPTIONS

    def _schema(self) -> probatio.Schema:
        return conversation_options_schema(self.hass, is_new=self._is_new)

    @property
    def _is_new(self) -> bool:
        return self.source == SOURCE_USER

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A new agent: its name and options."""
        return await self._async_step_options("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change an agent's options."""
        return await self._async_step_options("reconfigure", user_input)

    async def _async_step_options(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        if self._get_entry().state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        if user_input is not None:
            options = dict(user_input)
            if self._is_new:
                name = str(options.pop(CONF_NAME))
                return self.async_create_entry(title=name, data=options)
            return self.async_update_and_abort(
                self._get_entry(), self._get_reconfigure_subentry(), data=options
            )
        current: Mapping[str, Any] = (
            self.defaults if self._is_new else self._get_reconfigure_subentry().data
        )
        schema = self._schema()
        suggested = {
            **current,
            CONF_LLM_HASS_API: valid_llm_apis(self.hass, current.get(CONF_LLM_HASS_API, [])),
        }
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
        )


class AITaskSubentryFlowHandler(ConversationSubentryFlowHandler):
    """Add or change one ATLAS AI Task entity (the same steps, fewer options)."""

    defaults = DEFAULT_AI_TASK_OPTIONS

    def _schema(self) -> probatio.Schema:
        return ai_task_options_schema(is_new=self._is_new)


def valid_llm_apis(hass: HomeAssistant, selected: list[str]) -> list[str]:
    """The selected LLM API ids that still exist."""
    available = {api.id for api in llm.async_get_apis(hass)}
    return [api for api in selected if api in available]


def conversation_options_schema(hass: HomeAssistant, *, is_new: bool) -> probatio.Schema:
    """The form of an agent's options (with a name when the agent is new)."""
    schema: dict[Any, Any] = {}
    if is_new:
        schema[probatio.Required(CONF_NAME, default=DEFAULT_CONVERSATION_NAME)] = str
    schema.update(
        {
            probatio.Optional(CONF_PROMPT): TemplateSelector(),
            probatio.Optional(CONF_LLM_HASS_API): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(label=api.name, value=api.id)
                        for api in llm.async_get_apis(hass)
                    ],
                    multiple=True,
                )
            ),
            probatio.Required(CONF_THINKING, default=DEFAULT_THINKING): SelectSelector(
                SelectSelectorConfig(
                    options=list(THINKING_MODES),
                    translation_key=CONF_THINKING,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            probatio.Required(CONF_REWORD_SKILL_REPLIES, default=False): BooleanSelector(),
            probatio.Required(
                CONF_MAX_HISTORY_TOKENS, default=DEFAULT_MAX_HISTORY_TOKENS
            ): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(min=256, max=3000, step=1, mode=NumberSelectorMode.BOX)
                ),
                probatio.Coerce(int),
            ),
            probatio.Required(CONF_MAX_TOOL_ROUNDS, default=DEFAULT_MAX_TOOL_ROUNDS): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(min=1, max=8, step=1, mode=NumberSelectorMode.SLIDER)
                ),
                probatio.Coerce(int),
            ),
            # How much of a model's reply is spoken (agent/speech_guard.py).
            probatio.Required(
                CONF_MAX_SPOKEN_SENTENCES, default=DEFAULT_MAX_SPOKEN_SENTENCES
            ): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(min=1, max=10, step=1, mode=NumberSelectorMode.SLIDER)
                ),
                probatio.Coerce(int),
            ),
            probatio.Required(
                CONF_MAX_SPOKEN_WORDS, default=DEFAULT_MAX_SPOKEN_WORDS
            ): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(min=10, max=300, step=1, mode=NumberSelectorMode.BOX)
                ),
                probatio.Coerce(int),
            ),
        }
    )
    return probatio.Schema(schema)


def ai_task_options_schema(*, is_new: bool) -> probatio.Schema:
    """The form of an AI Task entity's options (with a name when it is new).

    Thinking is on or off: there is no intent to decide on (``auto`` would mean off). Tool rounds
    matter only for tasks whose caller hands over an LLM API.
    """
    schema: dict[Any, Any] = {}
    if is_new:
        schema[probatio.Required(CONF_NAME, default=DEFAULT_AI_TASK_NAME)] = str
    schema.update(
        {
            probatio.Required(CONF_THINKING, default=THINKING_OFF): SelectSelector(
                SelectSelectorConfig(
                    options=[THINKING_OFF, THINKING_ON],
                    translation_key=CONF_THINKING,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            probatio.Required(CONF_MAX_TOOL_ROUNDS, default=DEFAULT_MAX_TOOL_ROUNDS): probatio.All(
                NumberSelector(
                    NumberSelectorConfig(min=1, max=8, step=1, mode=NumberSelectorMode.SLIDER)
                ),
                probatio.Coerce(int),
            ),
        }
    )
    return probatio.Schema(schema)
