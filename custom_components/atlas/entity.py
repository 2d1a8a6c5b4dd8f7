"""The agent entity: a turn in the order of ``agent/policy.py``, over the one tool loop."""

from __future__ import annotations

import json
import time
from typing import Any

import probatio
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import llm
from homeassistant.helpers.entity import Entity
from homeassistant.util import dt as dt_util

from .agent.clarify import Dismissed, PendingQuestions, Question
from .agent.confirmation import needed
from .agent.dispatch import SkillCall, follow_up, handles, plan
from .agent.history import convert, estimate_tokens
from .agent.intent_rules import CONFIDENT, combine, speaks, understand
from .agent.learned import learned_reading
from .agent.loop import Speech, async_tool_loop
from .agent.policy import (
    after_cloud_failure,
    box_failure,
    final_route,
    first_route,
    small_model_refusal,
)
from .agent.replies import spoken_reply
from .agent.router import LOCAL as ROUTE_LOCAL
from .agent.speech_guard import SpeechGuard, VoiceLimits
from .agent.spoken import TURN_FAILED, UNSPEAKABLE, Spoken, emergency_answer
from .agent.structured import STRUCTURED_CONTEXT_TURNS, Extraction, build_request, parse
from .agent.tiers import Tier, model_tier
from .agent.trace import TurnTrace
from .box.backend import LocalBackend
from .box.chat_protocol import ChatRequest, Tool
from .box.client import AtlasClient, AtlasConnectionError, AtlasError, AtlasServerCrashedError
from .cloud.claude import REASON_DISABLED, REASON_NO_KEY, CloudUnavailable, async_claude_turn
from .cloud.settings import cloud_settings
from .const import (
    CONF_MAX_HISTORY_TOKENS,
    CONF_MAX_SPOKEN_SENTENCES,
    CONF_MAX_SPOKEN_WORDS,
    CONF_MAX_TOOL_ROUNDS,
    CONF_REWORD_SKILL_REPLIES,
    CONF_THINKING,
    DEFAULT_MAX_HISTORY_TOKENS,
    DEFAULT_MAX_SPOKEN_SENTENCES,
    DEFAULT_MAX_SPOKEN_WORDS,
    DEFAULT_MAX_TOOL_ROUNDS,
    DEFAULT_THINKING,
    DOMAIN,
    LOGGER,
    THINKING_AUTO,
    THINKING_ON,
)
from .runtime import AtlasConfigEntry
from .skills.quick_answers import quick_answer

WARM_UP_MAX_TOKENS = 1
MAX_REMEMBERED_CONVERSATIONS = 32


def _offered_name(tool: str, offered: set[str]) -> str | None:
    """The name under which the agent's merged LLM APIs offer ATLAS's ``tool``."""
    for name in (tool, f"atlas__{tool}"):
        if name in offered:
            return name
    return None


def format_tool(tool: llm.Tool, custom_serializer: Any) -> Tool:
    """An HA LLM tool as a protocol tool definition."""
    return {
        "name": tool.name,
        "description": tool.description or "",
        "parameters": probatio.to_openapi(
            tool.parameters, custom_serializer=custom_serializer, openapi_version="3.1.0"
        ),
    }


class AtlasBaseLLMEntity(Entity):
    """Shared base of ATLAS's LLM entities: device, availability and the chat-log loop."""

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: AtlasConfigEntry, subentry: ConfigSubentry) -> None:
        """Initialise from the box entry and the agent's subentry."""
        self.entry = entry
        self.subentry = subentry
        self._attr_unique_id = subentry.subentry_id
        # The stable head of the latest answer request (system prompt + tools), for warm-ups.
        self._answer_prefix: ChatRequest | None = None
        self._warming = False
        # The latest understanding per conversation: follow-ups keep what they don't change.
        self._extractions: dict[str, Extraction] = {}
        # The one open question per conversation ("What time on Wednesday?").
        self._questions = PendingQuestions()
        info = entry.runtime_data.info
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="ATLAS",
            model=info.model,
            sw_version=info.version,
            entry_type=dr.DeviceEntryType.SERVICE,
        )

    @property
    def available(self) -> bool:
        """Unavailable while the GPU box does not answer."""
        return self.entry.runtime_data.health.available

    async def async_added_to_hass(self) -> None:
        """Follow the box's availability."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entry.runtime_data.health.async_add_listener(self.async_write_ha_state)
        )

    @property
    def _client(self) -> AtlasClient:
        return self.entry.runtime_data.client

    @property
    def _tier(self) -> Tier:
        """The local model's tier, from the size the box described."""
        return model_tier(self.entry.runtime_data.info.parameters)

    async def _async_warm_up(self) -> None:
        """Have the box evaluate this agent's stable prompt prefixes before the turn arrives.

        Home Assistant prepares the agent when a voice pipeline starts listening, while the user
        is still speaking. The box then evaluates, or restores from a KV snapshot, the answer
        prompt's system prompt and tools, then the structured pass's prompt and grammar, so the
        turn pays only for the user's words, even on the first turn after the box restarted.
        A failure is left for the turn itself to report.
        """
        if self._warming or not self.available:
            return
        self._warming = True
        started = time.perf_counter()
        try:
            for request in self._warm_up_requests():
                async for _event in self._client.async_chat(request):
                    pass
        except AtlasError as err:
            LOGGER.debug("Warm-up skipped: %s", err)
        else:
            LOGGER.debug("Warm-up took %.0f ms", (time.perf_counter() - started) * 1000)
        finally:
            self._warming = False

    def _warm_up_requests(self) -> list[ChatRequest]:
        """The answer prefix first (the box keeps it as a snapshot), the structured pass last."""
        requests: list[ChatRequest] = []
        if self._answer_prefix is not None:
            requests.append(
                {**self._answer_prefix, "max_tokens": WARM_UP_MAX_TOKENS, "temperature": 0}
            )
        if self._tier.reads_intents:
            structured = build_request("")
            structured["max_tokens"] = WARM_UP_MAX_TOKENS
            requests.append(structured)
        return requests

    async def _async_understand(
        self,
        text: str,
        trace: TurnTrace,
        chat_log: conversation.ChatLog,
        language: str | None = None,
    ) -> Extraction:
        """The cascade's first stages: the rules (< 1 ms, in the languages they speak), the
        learned stage (< 1 ms, English) when they are unsure, the LLM's pass when both are
        (never a tiny model's: the rules' unsure reading stands)."""
        previous = self._extractions.get(chat_log.conversation_id)
        ruled = understand(text, previous, language)
        learned = None
        if ruled.confidence < CONFIDENT and speaks(language):
            learned = learned_reading(self.entry.runtime_data.learned, text, ruled)
        if ruled.confidence >= CONFIDENT or (learned is None and not self._tier.reads_intents):
            trace.understood_by = "rules"
            extraction = ruled
        elif learned is not None:
            trace.understood_by = "learned"
            extraction = learned
        else:
            modelled = await self._async_structured_pass(text, trace, chat_log)
            extraction = combine(text, ruled, modelled)
            trace.understood_by = "llm"
        self._extractions[chat_log.conversation_id] = extraction
        while len(self._extractions) > MAX_REMEMBERED_CONVERSATIONS:
            self._extractions.pop(next(iter(self._extractions)))
        return extraction

    async def _async_structured_pass(
        self, text: str, trace: TurnTrace, chat_log: conversation.ChatLog
    ) -> Extraction:
        """Intent and slots of ``text``; earlier user turns carry slots over (context)."""
        started = time.perf_counter()
        content = ""
        earlier = [
            c.content for c in chat_log.content[:-1] if isinstance(c, conversation.UserContent)
        ][-STRUCTURED_CONTEXT_TURNS:]
        request = build_request(text, "\n".join(earlier) or None)
        async for event in self._client.async_chat(request):
            if event.kind == "stop":
                content = str(event.data.get("content", ""))
        trace.structured_ms = (time.perf_counter() - started) * 1000
        return parse(content)

    def _think(self, extraction: Extraction) -> bool:
        mode = self.subentry.data.get(CONF_THINKING, DEFAULT_THINKING)
        return mode == THINKING_ON or (mode == THINKING_AUTO and extraction.needs_planning)

    async def _async_handle_chat_log(
        self, chat_log: conversation.ChatLog, user_text: str, language: str | None = None
    ) -> TurnTrace:
        """Answer the newest user message in ``chat_log`` (the order: ``agent/policy.py``).

        Never raises for box failures: the turn ends with a translated sentence instead.
        """
        trace = TurnTrace(tier=self._tier.value)
        started = time.perf_counter()
        runtime = self.entry.runtime_data
        try:
            context = estimate_tokens(json.dumps([convert(c) for c in chat_log.content]))
            decision = first_route(user_text, context, runtime.info.n_ctx, language)
            # The answer to last turn's question fills its value, whatever the router would
            # make of the bare words ("book a physio appointment"); an emergency never does.
            question = self._questions.take(chat_log.conversation_id, dt_util.now())
            if (
                question is not None
                and not decision.emergency
                and await self._async_follow_up(chat_log, user_text, question, trace, started)
            ):
                return trace
            if decision.route == ROUTE_LOCAL:
                trace.extraction = await self._async_understand(
                    user_text, trace, chat_log, language
                )
                decision = final_route(user_text, context, runtime.info.n_ctx, trace.extraction)
            trace.route, trace.route_reason, trace.safety = (
                decision.route, decision.reason, decision.safety
            )  # fmt: skip
            if decision.emergency:  # the emergency number first, before any model or cloud
                trace.answered_by = "safety"
                country = self.hass.config.country
                await self._async_say(chat_log, emergency_answer(country), language)
                return trace
            note = None
            if decision.route != ROUTE_LOCAL:
                note = await self._async_cloud_turn(chat_log, trace, started, language)
                if trace.answered_by in ("cloud", "safety"):
                    return trace
                if trace.extraction is None:  # answered locally after all: understand it first
                    trace.extraction = await self._async_understand(
                        user_text, trace, chat_log, language
                    )
            await self._async_local_answer(
                chat_log, user_text, trace, started, note, language=language
            )
        except AtlasError as err:
            self._note_box_failure(err)
            failure = box_failure(err, reply_started=trace.ttft_ms is not None)
            if failure.spoken is TURN_FAILED:
                LOGGER.warning("ATLAS turn failed: %s", err)
            trace.error = failure.detail
            await self._async_say(chat_log, failure.spoken, language)
        finally:
            trace.total_ms = (time.perf_counter() - started) * 1000
            answered = trace.route if trace.answered_by == "cloud" else ROUTE_LOCAL
            runtime.budget.record_turn(answered)
        return trace

    async def _async_say(
        self, chat_log: conversation.ChatLog, spoken: Spoken, language: str | None
    ) -> None:
        """Add ``spoken``, in the turn's language, as the assistant's answer."""
        text = await spoken.async_text(self.hass, language)
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=text)
        )

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
        """The skills directly, or a quick answer, else the local LLM's tool rounds."""
        if (
            trace.extraction is not None
            and note is None
            and await self._async_dispatch(chat_log, user_text, trace, started)
        ):
            return
        if trace.extraction is not None and note is None:
            answer = quick_answer(
                self.entry.runtime_data.skills, self.entry.options, trace.extraction, user_text
            )
            if answer is not None:
                trace.answered_by = "skill"
                trace.ttft_ms = (time.perf_counter() - started) * 1000
                chat_log.async_add_assistant_content_without_tools(
                    conversation.AssistantContent(agent_id=self.entity_id, content=answer)
                )
                return
        await self._async_tool_rounds(chat_log, trace, started, note, language=language)

    async def _async_dispatch(
        self, chat_log: conversation.ChatLog, user_text: str, trace: TurnTrace, started: float
    ) -> bool:
        """Run a confident skill intent's tools in order and speak their results, or ask the
        one question a missing value needs ("What time on Wednesday?").

        False (nothing done) when the intent has no direct route, the request lacks what the
        tools need, or the agent does not offer ATLAS's tools.
        """
        extraction = trace.extraction
        if (
            extraction is None
            or chat_log.llm_api is None
            or extraction.confidence < CONFIDENT
            or not handles(extraction.intent)
            or (planned := plan(extraction, user_text, dt_util.now())) is None
        ):
            return False
        if isinstance(planned, Question):
            return self._ask(chat_log, planned, trace, started)
        return await self._async_run_skills(chat_log, planned, trace, started)

    async def _async_follow_up(
        self,
        chat_log: conversation.ChatLog,
        user_text: str,
        question: Question,
        trace: TurnTrace,
        started: float,
    ) -> bool:
        """Answer the turn as the reply to the question asked last turn ("ten am" after "What
        time on Wednesday?"); False when it is no answer, so the turn is understood afresh."""
        outcome = follow_up(question, user_text, dt_util.now())
        if outcome is None or chat_log.llm_api is None:
            return False
        trace.understood_by = "clarify"
        trace.extraction = Extraction(question.intent, confidence=1.0)
        if isinstance(outcome, Question):
            return self._ask(chat_log, outcome, trace, started)
        if isinstance(outcome, Dismissed):
            trace.answered_by = "skill"
            trace.ttft_ms = (time.perf_counter() - started) * 1000
            chat_log.async_add_assistant_content_without_tools(
                conversation.AssistantContent(agent_id=self.entity_id, content=outcome.text)
            )
            return True
        return await self._async_run_skills(chat_log, outcome, trace, started)

    def _ask(
        self,
        chat_log: conversation.ChatLog,
        question: Question,
        trace: TurnTrace,
        started: float,
    ) -> bool:
        """Ask the one question a missing value needs and keep it open for the next turn
        (False when the tool it leads to is not offered: the model takes the turn)."""
        offered = {tool.name for tool in chat_log.llm_api.tools} if chat_log.llm_api else set()
        if _offered_name(question.intent, offered) is None:
            return False
        self._questions.ask(chat_log.conversation_id, question)
        trace.asked = True
        trace.answered_by = "skill"
        trace.ttft_ms = (time.perf_counter() - started) * 1000
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=question.text)
        )
        return True

    async def _async_run_skills(
        self,
        chat_log: conversation.ChatLog,
        calls: list[SkillCall],
        trace: TurnTrace,
        started: float,
    ) -> bool:
        """Run ``calls`` in order through the chat log and speak their results (False when the
        agent does not offer every tool they need)."""
        if chat_log.llm_api is None:
            return False
        offered = {tool.name for tool in chat_log.llm_api.tools}
        names = [name for call in calls if (name := _offered_name(call.tool, offered))]
        if len(names) < len(calls):
            return False
        results: list[tuple[SkillCall, dict[str, Any]]] = []
        for call, name in zip(calls, names, strict=True):
            trace.tools.append(call.tool)
            content = conversation.AssistantContent(
                agent_id=self.entity_id,
                tool_calls=[llm.ToolInput(tool_name=name, tool_args=call.args)],
            )
            async for tool_result in chat_log.async_add_assistant_content(content):
                results.append((call, dict(tool_result.result.data)))
        trace.answered_by = "skill"
        if self.subentry.data.get(CONF_REWORD_SKILL_REPLIES, False) and self._tier.reads_intents:
            try:
                await self._async_tool_rounds(chat_log, trace, started, answer_only=True)
            except AtlasError as err:  # the skills ran: say their results, not an apology
                LOGGER.warning("Rewording the skill reply failed: %s", err)
            else:
                return True
        trace.ttft_ms = (time.perf_counter() - started) * 1000
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=spoken_reply(results))
        )
        return True

    async def _async_cloud_turn(
        self,
        chat_log: conversation.ChatLog,
        trace: TurnTrace,
        started: float,
        language: str | None = None,
    ) -> str | None:
        """Answer with Claude; on failure return the spoken note for the local fallback.

        A safety question that cannot reach Claude gets a fixed, safe answer instead of the
        small model's (``answered_by == "safety"``).
        """
        settings = cloud_settings(self.entry)
        if settings.enabled:
            speech = await self._async_speech(chat_log, trace, language)
            try:
                stats = await async_claude_turn(
                    self.entry.runtime_data.claude,
                    chat_log,
                    self.entity_id,
                    route=trace.route,
                    speech=speech,
                )
            except CloudUnavailable as err:
                reason = err.reason
                LOGGER.info("Cloud turn fell back to local: %s", err.reason)
            else:
                trace.answered_by = "cloud"
                trace.speech = speech.outcome if speech is not None else None
                trace.tools.extend(stats.tools)
                if stats.first_token_at is not None:
                    trace.ttft_ms = (stats.first_token_at - started) * 1000
                trace.cloud = {"models": stats.models, "calls": stats.calls,
                               "cost_usd": round(stats.cost_usd, 6)}  # fmt: skip
                return None
        else:
            reason = REASON_DISABLED if settings.api_key else REASON_NO_KEY
        trace.fallback = reason
        fallback = after_cloud_failure(reason, safety=trace.safety)
        if fallback.safe_answer is not None:
            trace.answered_by = "safety"
            await self._async_say(chat_log, fallback.safe_answer, language)
            return None
        if fallback.note is None:
            return None
        return await fallback.note.async_text(self.hass, language)

    async def _async_tool_rounds(
        self,
        chat_log: conversation.ChatLog,
        trace: TurnTrace,
        started: float,
        note: str | None = None,
        *,
        answer_only: bool = False,
        language: str | None = None,
    ) -> None:
        """The local LLM's rounds: tool calls until it answers (``answer_only``: one round that
        may not call tools, to word results already in the chat log); ``note`` is said first.
        A tiny model gets no tools and no intent, and a conversation's turn only when it is
        small talk: anything else gets the honest sentence (``tiers.py``)."""
        tier = self._tier
        trace.tier = tier.value
        if not answer_only and await self._async_refused(chat_log, trace, started, language):
            return
        settings = self.subentry.data
        extraction = trace.extraction or Extraction("chat", valid=False)
        trace.think = self._think(extraction)
        tools = (
            [format_tool(t, chat_log.llm_api.custom_serializer) for t in chat_log.llm_api.tools]
            if chat_log.llm_api and tier.gets_tools
            else []
        )
        hint = None
        if extraction.valid and tier.reads_intents:
            hint = f"The user's request was understood as: {extraction.intent} {extraction.slots}"
        backend = LocalBackend(
            self._client,
            trace,
            started,
            tools,
            history_tokens=int(settings.get(CONF_MAX_HISTORY_TOKENS, DEFAULT_MAX_HISTORY_TOKENS)),
            hint=hint,
        )
        rounds = (
            1 if answer_only else int(settings.get(CONF_MAX_TOOL_ROUNDS, DEFAULT_MAX_TOOL_ROUNDS))
        )
        speech = await self._async_speech(chat_log, trace, language) or Speech()
        speech.preface = note
        try:
            await async_tool_loop(chat_log, self.entity_id, backend, rounds, speech)
        finally:
            trace.speech = speech.outcome
            if backend.prefix is not None:
                self._answer_prefix = backend.prefix

    async def _async_refused(
        self,
        chat_log: conversation.ChatLog,
        trace: TurnTrace,
        started: float,
        language: str | None,
    ) -> bool:
        """Say the honest sentence for a conversation turn the local model's tier may not take
        (``policy.small_model_refusal``); False when the model answers it."""
        refusal = small_model_refusal(self._tier, trace.extraction)
        if refusal is None or not isinstance(self, conversation.ConversationEntity):
            return False
        if language is None and chat_log.llm_api is not None:
            language = chat_log.llm_api.llm_context.language
        trace.answered_by = "tier"
        trace.ttft_ms = (time.perf_counter() - started) * 1000
        await self._async_say(chat_log, refusal, language)
        return True

    async def _async_speech(
        self, chat_log: conversation.ChatLog, trace: TurnTrace, language: str | None
    ) -> Speech | None:
        """How a model's text is spoken in this turn (``agent/loop.py``): the speech guard,
        and the confirmation the turn's intent waits for. None for an AI task, whose answer is
        data, not speech."""
        if not isinstance(self, conversation.ConversationEntity):
            return None
        if language is None and chat_log.llm_api is not None:
            language = chat_log.llm_api.llm_context.language
        settings = self.subentry.data
        limits = VoiceLimits(
            sentences=int(settings.get(CONF_MAX_SPOKEN_SENTENCES, DEFAULT_MAX_SPOKEN_SENTENCES)),
            words=int(settings.get(CONF_MAX_SPOKEN_WORDS, DEFAULT_MAX_SPOKEN_WORDS)),
        )
        prompts = [c.content for c in chat_log.content if isinstance(c, conversation.SystemContent)]
        guard = SpeechGuard(
            limits, fallback=await UNSPEAKABLE.async_text(self.hass, language), echoes=prompts
        )
        extraction = trace.extraction
        confirmation = needed(extraction.intent if extraction and extraction.valid else None)
        if confirmation is None:
            return Speech(guard)
        not_done = await confirmation.spoken.async_text(self.hass, language)
        return Speech(guard, confirmation, not_done)

    def _note_box_failure(self, err: AtlasError) -> None:
        """Tell the box's health what a failed request showed: the box is gone, or crashing."""
        if isinstance(err, AtlasConnectionError):
            self.entry.runtime_data.health.mark_lost(str(err))
        elif isinstance(err, AtlasServerCrashedError):
            self.entry.runtime_data.health.mark_crashed(err.text)
