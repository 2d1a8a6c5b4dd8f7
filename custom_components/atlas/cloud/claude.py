"""Claude escalation: the Anthropic client, budgeted streaming calls, and whole cloud turns.

Cloud turns use the conversation's chat log and tools (HA Assist and the ATLAS skills): Claude's
text streams into the chat log as it arrives (so TTS starts early) and its tool calls run in HA.
Every call is budgeted (:mod:`.budget`). Failures raise :class:`CloudUnavailable` with a reason,
so the agent can fall back to the local model with a short spoken note. What a round sends is
built by :mod:`.messages`; the rounds are the agent's one tool loop (:mod:`..agent.loop`).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any, Final

import anthropic
from anthropic.types import CacheControlEphemeralParam, MessageParam, TextBlockParam, ToolParam
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.helpers.httpx_client import HassHttpXAsyncClient, get_async_client
from homeassistant.util.ssl import client_context

from ..agent.loop import Speech, async_tool_loop
from ..agent.router import CLOUD_COMPLEX
from ..const import LOGGER
from .budget import Budget, MissingPriceError, ModelPrice, Usage
from .messages import build_claude_request, claude_tool_name, estimate_input_tokens
from .settings import cloud_settings

REQUEST_TIMEOUT: Final = 15.0  # seconds the API may stay silent: for its headers, between events
CONNECT_TIMEOUT: Final = 5.0
VERIFY_TIMEOUT: Final = 10.0
MAX_TOKENS_SIMPLE: Final = 512
MAX_TOKENS_COMPLEX: Final = 1024
DEFAULT_MAX_ROUNDS: Final = 4
CACHE_CONTROL: Final = CacheControlEphemeralParam(type="ephemeral")

REASON_DISABLED: Final = "disabled"  # cloud mode "never"
REASON_NO_KEY: Final = "no_key"
REASON_BUDGET: Final = "budget"
REASON_NO_PRICE: Final = "no_price"
REASON_TIMEOUT: Final = "timeout"
REASON_RATE_LIMITED: Final = "rate_limited"
REASON_OVERLOADED: Final = "overloaded"
REASON_SERVER_ERROR: Final = "server_error"
REASON_NETWORK: Final = "network"
REASON_AUTH: Final = "auth"
REASON_API_ERROR: Final = "api_error"  # any other refusal of the request (400, 403, 404, …)


class CloudUnavailable(Exception):
    """Claude cannot answer this turn; ``reason`` is one of the ``REASON_*`` constants.

    ``started`` tells whether some of the reply had already streamed into the chat log.
    """

    def __init__(self, reason: str, detail: str = "", *, started: bool = False) -> None:
        """Keep the reason, a detail for logs and traces, and whether the reply had started."""
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.started = started


class CloudAuthFailed(CloudUnavailable):
    """Anthropic rejected the API key (401); a reauth flow has been started."""


async def async_load_budget(hass: HomeAssistant, entry: ConfigEntry[Any]) -> Budget:
    """Load the entry's Claude budget (cap and prices from its options), saved at unload."""

    def limits() -> tuple[float, Mapping[str, ModelPrice]]:
        settings = cloud_settings(entry)
        return settings.monthly_budget_usd, settings.prices

    budget = Budget(hass, entry.entry_id, limits)
    await budget.async_load()
    entry.async_on_unload(budget.async_unload)
    return budget


# --- client --------------------------------------------------------------------------------


def _sdk_http_library() -> ModuleType:
    """The HTTP library the installed SDK is built on: ``httpx`` (SDK 0.x) or ``httpx2`` (2.x).

    Read off the SDK's own client class rather than imported by name: the library the SDK does
    not use need not be installed.
    """
    for cls in anthropic.DefaultAsyncHttpxClient.__mro__:
        if cls.__name__ == "AsyncClient":
            return sys.modules[cls.__module__.partition(".")[0]]
    raise ImportError("cannot tell which HTTP library the anthropic SDK uses")


_HTTP: Final = _sdk_http_library()
# Errors of that library that the SDK lets through unwrapped (while a stream is being read).
HTTP_ERROR: Final[type[Exception]] = _HTTP.HTTPError
HTTP_TIMEOUT_ERROR: Final[type[Exception]] = _HTTP.TimeoutException
HTTP_TRANSPORT_ERROR: Final[type[Exception]] = _HTTP.TransportError
# The SDK HA core pins (0.x) is built on httpx, as HA is: it takes HA's shared client. 2.x is
# built on httpx2 and needs a client of its own.
SHARES_HA_HTTP_CLIENT: Final[bool] = issubclass(HassHttpXAsyncClient, _HTTP.AsyncClient)


def _timeout() -> anthropic.Timeout:
    return anthropic.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT)


async def async_create_client(
    hass: HomeAssistant, api_key: str, base_url: str
) -> anthropic.AsyncAnthropic:
    """An Anthropic client; no retries (falling back is the retry).

    On HA's shared httpx client where the SDK takes it (SDK 0.x, as HA's Anthropic integration
    does); else (SDK 2.x, on httpx2) on a client of its own with HA's SSL context. Made in the
    executor, as HA's Anthropic integration does: the SDK's set-up may touch the file system.
    Close it with :func:`async_close_client`.
    """
    shared: Any = get_async_client(hass) if SHARES_HA_HTTP_CLIENT else None  # in the loop

    def create() -> anthropic.AsyncAnthropic:
        http_client = shared
        if http_client is None:
            http_client = anthropic.DefaultAsyncHttpxClient(verify=client_context())
        return anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=_timeout(),
            http_client=http_client,
        )

    return await hass.async_add_executor_job(create)


async def async_close_client(client: anthropic.AsyncAnthropic) -> None:
    """Close a client of :func:`async_create_client`, unless it is on HA's shared one."""
    if not SHARES_HA_HTTP_CLIENT:
        await client.close()


class ClaudeConnection:
    """What a cloud call of an entry needs: its settings' entry, its budget, and its Anthropic
    client (made on the first cloud call, closed when the entry unloads)."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], budget: Budget) -> None:
        """No client yet: a key-less entry never makes one."""
        self.hass = hass
        self.entry = entry
        self.budget = budget
        self.client: anthropic.AsyncAnthropic | None = None

    async def async_get(self) -> anthropic.AsyncAnthropic:
        """The client; :class:`CloudUnavailable` (``no_key``) without an API key."""
        if self.client is None:
            settings = cloud_settings(self.entry)
            if not settings.api_key:
                raise CloudUnavailable(REASON_NO_KEY)
            client = await async_create_client(self.hass, settings.api_key, settings.base_url)
            if self.client is not None:  # made meanwhile by a parallel turn
                await async_close_client(client)
            else:
                self.client = client
                self.entry.async_on_unload(partial(async_close_client, client))
        return self.client


async def async_validate_api_key(hass: HomeAssistant, api_key: str, base_url: str) -> str | None:
    """Check a key with a free call (list the models): ``None``, or the flow's error key."""
    client = await async_create_client(hass, api_key, base_url)
    try:
        await client.models.list(limit=1, timeout=VERIFY_TIMEOUT)
    except anthropic.AuthenticationError, anthropic.PermissionDeniedError:
        return "invalid_auth"
    except anthropic.APIConnectionError:
        return "claude_cannot_connect"
    except anthropic.APIStatusError as err:
        LOGGER.warning("Anthropic refused to list models: %s", err.status_code)
        return "claude_cannot_connect"
    finally:
        await async_close_client(client)
    return None


# --- streaming -----------------------------------------------------------------------------


@dataclass
class ClaudeStats:
    """What Claude calls of a turn did, filled in while they stream."""

    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    tools: list[str] = field(default_factory=list)
    stop_reason: str | None = None
    first_token_at: float | None = None  # time.perf_counter() of the first spoken text
    models: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        """Whether any reply reached the chat log."""
        return self.first_token_at is not None or bool(self.tools)

    def add(self, model: str, usage: Usage, cost_usd: float) -> None:
        """Count one settled call."""
        self.calls += 1
        self.models.append(model)
        self.cost_usd += cost_usd
        self.usage = Usage(
            self.usage.input_tokens + usage.input_tokens,
            self.usage.cache_read_input_tokens + usage.cache_read_input_tokens,
            self.usage.cache_creation_input_tokens + usage.cache_creation_input_tokens,
            self.usage.output_tokens + usage.output_tokens,
        )


def _error_type(err: anthropic.APIStatusError) -> str | None:
    body = err.body
    if isinstance(body, dict) and isinstance(error := body.get("error"), dict):
        kind = error.get("type")
        return str(kind) if kind else None
    return None


def _unavailable(err: Exception, started: bool) -> CloudUnavailable:
    """A client error as the reason to fall back."""
    if isinstance(err, anthropic.AuthenticationError):
        return CloudAuthFailed(REASON_AUTH, "the API key was rejected", started=started)
    if isinstance(err, anthropic.APITimeoutError | HTTP_TIMEOUT_ERROR):
        return CloudUnavailable(REASON_TIMEOUT, "no answer in time", started=started)
    if isinstance(err, anthropic.APIConnectionError | HTTP_TRANSPORT_ERROR):
        return CloudUnavailable(REASON_NETWORK, type(err).__name__, started=started)
    if isinstance(err, anthropic.APIStatusError):
        kind = _error_type(err)
        detail = f"{err.status_code} {kind or ''}".strip()
        if isinstance(err, anthropic.RateLimitError) or kind == "rate_limit_error":
            return CloudUnavailable(REASON_RATE_LIMITED, detail, started=started)
        if err.status_code == 529 or kind == "overloaded_error":
            return CloudUnavailable(REASON_OVERLOADED, detail, started=started)
        if err.status_code >= 500 or kind == "api_error":
            return CloudUnavailable(REASON_SERVER_ERROR, detail, started=started)
        LOGGER.warning("Anthropic refused a request: %s", detail)
        return CloudUnavailable(REASON_API_ERROR, detail, started=started)
    LOGGER.warning("Unexpected error from the Anthropic client: %s", type(err).__name__)
    return CloudUnavailable(REASON_API_ERROR, type(err).__name__, started=started)


@dataclass
class _Call:
    """The usage and tool blocks of one streaming call."""

    usage: Usage | None = None  # set at message_start: from then on the call is billed
    complete: bool = False
    tool: dict[str, Any] | None = None
    tool_json: list[str] = field(default_factory=list)

    def update_usage(self, raw: Any) -> None:
        previous = self.usage or Usage()

        def pick(name: str, old: int) -> int:
            value = getattr(raw, name, None)
            return old if value is None else int(value)

        self.usage = Usage(
            pick("input_tokens", previous.input_tokens),
            pick("cache_read_input_tokens", previous.cache_read_input_tokens),
            pick("cache_creation_input_tokens", previous.cache_creation_input_tokens),
            pick("output_tokens", previous.output_tokens),
        )


def _tool_input(call: _Call, llm_api: llm.APIInstance | None) -> llm.ToolInput:
    """The finished tool_use block as an HA tool call (under the tool's HA name)."""
    assert call.tool is not None
    raw = "".join(call.tool_json)
    try:
        args = json.loads(raw) if raw else dict(call.tool.get("input") or {})
    except json.JSONDecodeError:
        args = {}
        LOGGER.warning("Claude sent invalid arguments for %s", call.tool["name"])
    names = {claude_tool_name(t.name): t.name for t in llm_api.tools} if llm_api else {}
    name = str(call.tool["name"])
    return llm.ToolInput(
        id=str(call.tool["id"]),
        tool_name=names.get(name, name),
        tool_args=args if isinstance(args, dict) else {"value": args},
    )


async def async_stream_claude(
    cloud: ClaudeConnection,
    chat_log: conversation.ChatLog,
    *,
    model: str,
    system: str,
    messages: list[MessageParam],
    tools: list[ToolParam],
    max_tokens: int,
    tool_choice: str | None = None,
    stats: ClaudeStats | None = None,
) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
    """One budgeted Claude call as chat-log deltas (for ``async_add_delta_content_stream``).

    Text streams as it arrives; each tool_use block becomes an ``llm.ToolInput`` once complete,
    which HA runs. The call's worst case is reserved first and its real usage settled at the
    end. Raises :class:`CloudUnavailable` (:class:`CloudAuthFailed` after starting a reauth
    flow) when the call is refused or fails.
    """
    stats = stats if stats is not None else ClaudeStats()
    budget = cloud.budget
    client = await cloud.async_get()
    try:
        reservation = budget.reserve(
            model, estimate_input_tokens(system, messages, tools), max_tokens
        )
    except MissingPriceError as err:
        raise CloudUnavailable(REASON_NO_PRICE, str(err), started=stats.started) from err
    if reservation is None:
        raise CloudUnavailable(REASON_BUDGET, started=stats.started)

    call = _Call()
    args: dict[str, Any] = {
        "model": model,
        "max_tokens": max_tokens,
        "system": [TextBlockParam(type="text", text=system, cache_control=CACHE_CONTROL)],
        "messages": messages,
        "stream": True,
        "timeout": _timeout(),
    }
    if tools:
        args["tools"] = tools
        if tool_choice:
            args["tool_choice"] = {"type": tool_choice}
    try:
        stream = await client.messages.create(**args)
        async with stream:
            yield {"role": "assistant"}  # only once Claude answers: a refusal leaves no trace
            async for event in stream:
                for delta in _event_deltas(event, call, stats, chat_log.llm_api):
                    yield delta
    except anthropic.AuthenticationError as err:
        LOGGER.warning("Anthropic rejected the API key; starting re-authentication")
        cloud.entry.async_start_reauth(cloud.hass)
        raise _unavailable(err, stats.started) from err
    except (anthropic.AnthropicError, HTTP_ERROR) as err:
        raise _unavailable(err, stats.started) from err
    finally:
        if call.usage is None:
            budget.release(reservation)
        else:
            usage = call.usage
            if not call.complete:  # broken off: bill the worst case of the output
                usage = Usage(
                    usage.input_tokens,
                    usage.cache_read_input_tokens,
                    usage.cache_creation_input_tokens,
                    max(usage.output_tokens, max_tokens),
                )
            stats.add(model, usage, budget.settle(reservation, usage))


def _event_deltas(
    event: Any, call: _Call, stats: ClaudeStats, llm_api: llm.APIInstance | None
) -> list[conversation.AssistantContentDeltaDict]:
    """One stream event: usage and tool blocks recorded in ``call``; deltas to yield."""
    match event.type:
        case "message_start":
            call.update_usage(event.message.usage)
        case "content_block_start" if event.content_block.type == "tool_use":
            block = event.content_block
            call.tool = {"id": block.id, "name": block.name, "input": block.input}
            call.tool_json = []
        case "content_block_start" if event.content_block.type == "text":
            return _text_delta(event.content_block.text, stats)
        case "content_block_delta" if event.delta.type == "text_delta":
            return _text_delta(event.delta.text, stats)
        case "content_block_delta" if event.delta.type == "input_json_delta":
            call.tool_json.append(event.delta.partial_json)
        case "content_block_stop" if call.tool is not None:
            tool_input = _tool_input(call, llm_api)
            call.tool = None
            stats.tools.append(tool_input.tool_name)
            return [{"tool_calls": [tool_input]}]
        case "message_delta":
            call.update_usage(event.usage)
            stats.stop_reason = event.delta.stop_reason
        case "message_stop":
            call.complete = True
    return []


def _text_delta(text: str, stats: ClaudeStats) -> list[conversation.AssistantContentDeltaDict]:
    """Claude's text as it streams (the tool loop's speech guard decides what is spoken)."""
    if not text:
        return []
    if stats.first_token_at is None:
        stats.first_token_at = time.perf_counter()
    return [{"content": text}]


# --- a whole cloud turn --------------------------------------------------------------------


async def async_claude_turn(
    cloud: ClaudeConnection,
    chat_log: conversation.ChatLog,
    agent_id: str,
    *,
    route: str,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
    extra_system: str | None = None,
    max_tokens: int | None = None,
    speech: Speech | None = None,
) -> ClaudeStats:
    """Answer the chat log's newest user message with Claude, running its tool calls in HA.

    ``route`` (``cloud-simple`` or ``cloud-complex``) picks the model. Rounds go on while
    Claude calls tools, up to ``max_rounds`` (the last offers no tool choice); its text is
    spoken through ``speech`` (the tool loop's guard). Raises
    :class:`CloudUnavailable` when Claude is off, has no key, or a call fails or is refused.
    """
    settings = cloud_settings(cloud.entry)
    if not settings.api_key:
        raise CloudUnavailable(REASON_NO_KEY)
    if not settings.enabled:
        raise CloudUnavailable(REASON_DISABLED)
    model = settings.model_for(route)
    if max_tokens is None:
        max_tokens = MAX_TOKENS_COMPLEX if route == CLOUD_COMPLEX else MAX_TOKENS_SIMPLE
    backend = ClaudeBackend(
        cloud, model=model, max_tokens=max_tokens, extra_system=extra_system,
        minimal_context=settings.minimal_context,
    )  # fmt: skip
    await async_tool_loop(chat_log, agent_id, backend, max_rounds, speech)
    return backend.stats


@dataclass
class ClaudeBackend:
    """Claude as a backend of the agent's tool loop: chat log → Messages API call → deltas."""

    cloud: ClaudeConnection
    model: str
    max_tokens: int
    extra_system: str | None = None
    minimal_context: bool = False
    stats: ClaudeStats = field(default_factory=ClaudeStats)

    def async_round(
        self, chat_log: conversation.ChatLog, *, first: bool, last: bool
    ) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
        """One budgeted call (``last``: tool choice none)."""
        request = build_claude_request(
            chat_log, minimal_context=self.minimal_context, extra_system=self.extra_system
        )
        return async_stream_claude(
            self.cloud,
            chat_log,
            model=self.model,
            system=request.system,
            messages=request.messages,
            tools=request.tools,
            max_tokens=self.max_tokens,
            tool_choice="none" if last else None,
            stats=self.stats,
        )
