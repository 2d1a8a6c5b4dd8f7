"""The agent's own structured pass and client, loaded by file path from a source checkout.

``custom_components/atlas/__init__.py`` imports Home Assistant, so the package is never imported:
``structured.py`` (standard library only) and ``client.py`` (``wyoming`` only) are loaded as
standalone modules, which keeps the evaluation on exactly the requests the agent sends.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from .route import DatasetError

AGENT_DIR = Path(__file__).resolve().parents[1] / "custom_components" / "atlas"
IDLE_TIMEOUT = 120.0  # a big model on a CPU may be slow; the agent's 30 s is for live turns


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
    )
