"""The agent's own understanding stages and client, imported from the integration.

atlas-eval runs in the project's development environment (``scripts/atlas``: Python 3.14 with
Home Assistant), so it imports the integration's modules as they are: the rules, the request and
the parser of the structured pass and the client the agent uses, nothing copied or re-read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from custom_components.atlas.agent import intent_rules, structured
from custom_components.atlas.box import client as box_client

IDLE_TIMEOUT = 120.0  # a big model on a CPU may be slow; the agent's 30 s is for live turns


Extraction = structured.Extraction
ChatEvent = box_client.ChatEvent
Info = box_client.AtlasInfo


class Client(Protocol):
    """``client.AtlasClient``."""

    async def async_describe(self) -> Info:
        """What the server is."""

    def async_chat(self, request: dict[str, Any]) -> AsyncIterator[ChatEvent]:
        """Stream one chat request."""


@dataclass(frozen=True)
class Agent:
    """What the evaluation uses from the agent."""

    schema: Mapping[str, Any]
    intents: tuple[str, ...]
    build_request: Callable[[str, str | None], dict[str, Any]]
    parse: Callable[[str], Extraction]
    client_class: Callable[..., Client]
    error: type[Exception]  # AtlasError: every client failure
    request_error: type[Exception]  # AtlasRequestError: the server refused one request
    context_turns: int = 2  # structured.STRUCTURED_CONTEXT_TURNS: earlier user turns it sees

    def client(self, host: str, port: int) -> Client:
        """An :class:`~client.AtlasClient` for ``host:port``."""
        return self.client_class(host, port, idle_timeout=IDLE_TIMEOUT)


@dataclass(frozen=True)
class Rules:
    """The deterministic first stage (``intent_rules.py``)."""

    understand: Callable[[str, Extraction | None], Extraction]
    confident: float  # CONFIDENT: at or above, the agent skips the model's structured pass
    combine: Callable[[str, Extraction, Extraction], Extraction]  # unsure rules + the model


def load_agent() -> Agent:
    """The agent's structured pass (``agent/structured.py``) and client (``box/client.py``)."""
    return Agent(
        schema=structured.SCHEMA,
        intents=tuple(structured.INTENTS),
        build_request=structured.build_request,
        parse=structured.parse,
        client_class=box_client.AtlasClient,
        error=box_client.AtlasError,
        request_error=box_client.AtlasRequestError,
        context_turns=structured.STRUCTURED_CONTEXT_TURNS,
    )


def load_rules() -> Rules:
    """The rules stage (``agent/intent_rules.py``)."""
    return Rules(
        understand=intent_rules.understand,
        confident=float(intent_rules.CONFIDENT),
        combine=intent_rules.combine,
    )
