"""AI Task platform: ``ai_task.generate_data`` on the GPU box, one entity per AI task subentry.

A task with a structure runs as one grammar-constrained request: atlas-llm turns the structure's
JSON schema into a grammar, so the answer is JSON valid for it by construction. It always runs
locally (that guarantee is the point) and offers no tools. A plain task follows the rules of a
conversation turn where they apply: the router may hand it to Claude (a safety question that
cannot reach Claude gets the fixed safe answer), the Claude budget bounds that, and otherwise
the local model answers, with the caller's LLM API tools if it passed one. No structured pass
and no skill shortcuts: a task has no intent to dispatch. Box failures raise translated errors.
"""

from __future__ import annotations

import json
import time
from typing import Any, override

import probatio
from homeassistant.components import ai_task, conversation
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .agent.history import build_messages, convert, estimate_tokens
from .agent.policy import first_route
from .agent.router import LOCAL as ROUTE_LOCAL
from .agent.trace import TurnTrace
from .box.chat_protocol import ChatRequest
from .box.client import AtlasConnectionError, AtlasError, AtlasRequestError, AtlasServerCrashedError
from .const import (
    CONF_MAX_HISTORY_TOKENS,
    DEFAULT_MAX_HISTORY_TOKENS,
    DOMAIN,
    LOGGER,
    SUBENTRY_AI_TASK,
)
from .entity import AtlasBaseLLMEntity
from .runtime import AtlasConfigEntry

# The GPU box queues requests itself (FIFO with a bound); HA need not serialise them.
PARALLEL_UPDATES = 0
STRUCTURED_MAX_TOKENS = 1024  # room for the JSON of a structured task
ROUTE_REASON_STRUCTURED = "structured task: grammar-constrained on the GPU box"


async def async_setup_entry(
    hass: HomeAssistant,
    config_entry: AtlasConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an AI Task entity for every AI task subentry."""
    for subentry in config_entry.subentries.values():
        if subentry.subentry_type == SUBENTRY_AI_TASK:
            async_add_entities(
                [AtlasTaskEntity(config_entry, subentry)],
                config_subentry_id=subentry.subentry_id,
            )


def task_schema(structure: probatio.Schema, llm_api: llm.APIInstance | None) -> dict[str, Any]:
    """A task's structure as the JSON schema of ``response_format`` (as core's AI agents do)."""
    schema: dict[str, Any] = probatio.to_openapi(
        structure,
        custom_serializer=llm_api.custom_serializer if llm_api else llm.selector_serializer,
        openapi_version="3.1.0",  # JSON Schema: ``anyOf`` with ``null``, not ``nullable``
    )
    return schema


class AtlasTaskEntity(ai_task.AITaskEntity, AtlasBaseLLMEntity):
    """Generates data with the ATLAS GPU box's model (attachments are not supported)."""

    _attr_supported_features = ai_task.AITaskEntityFeature.GENERATE_DATA

    @override
    async def _async_generate_data(
        self, task: ai_task.GenDataTask, chat_log: conversation.ChatLog
    ) -> ai_task.GenDataTaskResult:
        schema = None if task.structure is None else task_schema(task.structure, chat_log.llm_api)
        try:
            trace = await self._async_handle_task(chat_log, task.instructions, schema)
        except AtlasError as err:
            raise self._task_error(err) from err
        chat_log.async_trace({"atlas": trace.as_dict()})
        last = chat_log.content[-1]
        if not isinstance(last, conversation.AssistantContent):
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="no_answer")
        text = last.content or ""
        if schema is None:
            return ai_task.GenDataTaskResult(
                conversation_id=chat_log.conversation_id, data=text.strip()
            )
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            LOGGER.error("ATLAS's structured answer is not JSON (%s): %r", err, text)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="json_parse_error"
            ) from err
        return ai_task.GenDataTaskResult(conversation_id=chat_log.conversation_id, data=data)

    async def _async_handle_task(
        self, chat_log: conversation.ChatLog, text: str, schema: dict[str, Any] | None
    ) -> TurnTrace:
        """Answer the task in ``chat_log``; raises :class:`AtlasError` when the box fails."""
        trace = TurnTrace()
        started = time.perf_counter()
        runtime = self.entry.runtime_data
        try:
            if schema is not None:
                trace.route_reason = ROUTE_REASON_STRUCTURED
                await self._async_constrained_answer(chat_log, schema, trace, started)
                return trace
            context = estimate_tokens(json.dumps([convert(c) for c in chat_log.content]))
            decision = first_route(text, context, runtime.info.n_ctx)
            trace.route, trace.route_reason, trace.safety = (
                decision.route, decision.reason, decision.safety
            )  # fmt: skip
            if decision.route != ROUTE_LOCAL:
                # A task has no listener for the spoken fallback note: its answer is the data.
                await self._async_cloud_turn(chat_log, trace, started)
                if trace.answered_by in ("cloud", "safety"):
                    return trace
            await self._async_tool_rounds(chat_log, trace, started)
        except AtlasError as err:
            trace.error = str(err)
            self._note_box_failure(err)
            raise
        finally:
            trace.total_ms = (time.perf_counter() - started) * 1000
            runtime.budget.record_turn(trace.route if trace.answered_by == "cloud" else ROUTE_LOCAL)
        return trace

    async def _async_constrained_answer(
        self,
        chat_log: conversation.ChatLog,
        schema: dict[str, Any],
        trace: TurnTrace,
        started: float,
    ) -> None:
        """One request whose output atlas-llm's grammar keeps valid for ``schema``."""
        history_tokens = int(
            self.subentry.data.get(CONF_MAX_HISTORY_TOKENS, DEFAULT_MAX_HISTORY_TOKENS)
        )
        messages, _ = build_messages(chat_log, history_tokens)
        request: ChatRequest = {
            "messages": messages,
            "response_format": {"schema": schema},
            "think": False,
            "temperature": 0,
            "max_tokens": STRUCTURED_MAX_TOKENS,
        }
        trace.rounds = 1
        content = ""
        async for event in self._client.async_chat(request):
            if event.kind == "delta" and trace.ttft_ms is None:
                trace.ttft_ms = (time.perf_counter() - started) * 1000
            elif event.kind == "stop":
                content = str(event.data.get("content", ""))
                trace.usage = event.data.get("usage", {})
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.entity_id, content=content)
        )

    def _task_error(self, err: AtlasError) -> HomeAssistantError:
        """The translated error for a box failure."""
        placeholders = {
            "host": self._client.host,
            "port": str(self._client.port),
            "error": getattr(err, "text", "") or str(err),
        }
        if isinstance(err, AtlasConnectionError):
            key = "box_unavailable"
        elif isinstance(err, AtlasServerCrashedError):
            key = "box_crashed"
        elif isinstance(err, AtlasRequestError) and err.code == "invalid_schema":
            key = "invalid_schema"
        elif isinstance(err, AtlasRequestError) and err.code == "queue_full":
            key = "box_busy"
        else:
            LOGGER.warning("ATLAS AI task failed: %s", err)
            key = "task_failed"
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
