"""What atlas-llm tells its clients about the loaded model: its size and abilities.

The parameter count comes from llama.cpp (``llama_model_n_params``), else from the GGUF's
``general.size_label`` ("135M", "1.5B", "8x7B"); the integration sorts the model into a tier
with it (``custom_components/atlas/agent/tiers.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import llama_cpp

if TYPE_CHECKING:
    from .engine import LlamaEngine

_LABEL = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+(?:\.\d+)?)\s*([KMBT])\s*$", re.IGNORECASE)
_SCALE = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


@dataclass(frozen=True)
class ModelFacts:
    """The model's size and abilities, for the ``atlas`` info extension."""

    parameters: int | None  # None: neither llama.cpp nor the GGUF says
    native_tools: bool  # the model's own chat template renders tool definitions

    def as_extension(self) -> dict[str, Any]:
        """The keys added to the ``atlas`` info extension."""
        return {"parameters": self.parameters, "native_tools": self.native_tools}


def size_from_label(label: object) -> int | None:
    """Parameters from a GGUF size label ("135M" → 135000000, "8x7B" → 56e9); None if unclear."""
    if not isinstance(label, str) or (match := _LABEL.match(label)) is None:
        return None
    experts, size, unit = match.groups()
    return int(float(size) * _SCALE[unit.upper()] * int(experts or 1))


def parameter_count(model: Any, metadata: Mapping[str, Any]) -> int | None:
    """The parameter count of a loaded llama.cpp ``model``, else its GGUF size label's."""
    try:
        counted = int(llama_cpp.llama_model_n_params(model))
    except (AttributeError, TypeError, ValueError, OSError):  # an older llama-cpp-python
        counted = 0
    return counted if counted > 0 else size_from_label(metadata.get("general.size_label"))


def read_facts(engine: LlamaEngine) -> ModelFacts:
    """The facts of ``engine``'s loaded model."""
    session = engine.session
    return ModelFacts(
        parameters=parameter_count(session.model_p, session.metadata),
        native_tools=engine.template.native_tools,
    )
