"""The agent's own understanding stages and client, loaded by file path from a source checkout.

``custom_components/atlas/__init__.py`` imports Home Assistant, so the package is never imported:
``structured.py`` and ``intent_rules.py`` (standard library only) and ``client.py`` (``wyoming``
only) are loaded as standalone modules, which keeps the evaluation on exactly the rules and the
requests the agent uses. ``entity.py`` imports Home Assistant, so the one number the evaluation
takes from it, how many earlier user turns the structured pass sees, is read from its source.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from .route import DatasetError

AGENT_DIR = Path(__file__).resolve().parents[1] / "custom_components" / "atlas"
IDLE_TIMEOUT = 120.0  # a big model on a CPU may be slow; the agent's 30 s is for live turns
_CONTEXT_TURNS = re.compile(r"^STRUCTURED_CONTEXT_TURNS\s*=\s*(\d+)\b", re.MULTILINE)


class Extraction(Protocol):
    """``structured.Extraction``."""

    intent: str
    slots: dict[str, Any]
    confidence: float
    valid: bool


class ChatEvent(Protocol):
    """``client.ChatEvent``."""

    kind: str
    data: dict[str, Any]


class Info(Protocol):
    """``client.AtlasInfo``."""

    model: str
    n_ctx: int
    extension: dict[str, Any]


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
    context_turns: int = 2  # entity.STRUCTURED_CONTEXT_TURNS: earlier user turns the pass sees

    def client(self, host: str, port: int) -> Client:
        """An :class:`~client.AtlasClient` for ``host:port``."""
        return self.client_class(host, port, idle_timeout=IDLE_TIMEOUT)


def load_source(name: str, path: Path) -> ModuleType:
    """Import one Python file as module ``name``."""
    if not path.is_file():
        raise DatasetError(f"{path} not found: atlas-eval needs a source checkout of ATLAS")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DatasetError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Rules:
    """The deterministic first stage (``intent_rules.py``)."""

    understand: Callable[[str, Extraction | None], Extraction]
    confident: float  # CONFIDENT: at or above, the agent skips the model's structured pass


def read_context_turns(entity: Path) -> int:
    """``STRUCTURED_CONTEXT_TURNS`` of the agent's ``entity.py``, read from its source."""
    try:
        match = _CONTEXT_TURNS.search(entity.read_text(encoding="utf-8"))
    except OSError as err:
        raise DatasetError(f"{entity}: cannot read: {err}") from err
    if match is None:
        raise DatasetError(f"{entity}: no STRUCTURED_CONTEXT_TURNS = <int>")
    return int(match.group(1))


def load_agent(agent_dir: Path = AGENT_DIR) -> Agent:
    """Load ``structured.py`` and ``client.py`` from ``agent_dir``."""
    structured = load_source("atlas_eval_structured", agent_dir / "structured.py")
    client = load_source("atlas_eval_client", agent_dir / "client.py")
    return Agent(
        schema=structured.SCHEMA,
        intents=tuple(structured.INTENTS),
        build_request=structured.build_request,
        parse=structured.parse,
        client_class=client.AtlasClient,
        error=client.AtlasError,
        request_error=client.AtlasRequestError,
        context_turns=read_context_turns(agent_dir / "entity.py"),
    )


def load_rules(agent_dir: Path = AGENT_DIR) -> Rules:
    """Load ``intent_rules.py`` from ``agent_dir`` (it loads its sibling ``structured.py``)."""
    rules = load_source("atlas_eval_intent_rules", agent_dir / "intent_rules.py")
    return Rules(understand=rules.understand, confident=float(rules.CONFIDENT))
