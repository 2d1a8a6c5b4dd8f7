"""What happened in one turn: for the conversation trace and the ``atlas_turn`` event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .structured import Extraction


@dataclass
class TurnTrace:
    """What happened in one turn: for the conversation trace and the ``atlas_turn`` event."""

    extraction: Extraction | None = None
    understood_by: str | None = None  # "rules", "llm" (structured pass) or None (not needed)
    route: str = "local"
    route_reason: str = ""
    safety: bool = False
    answered_by: str = "llm"  # "skill" (quick answer), "cloud", "safety" (fixed safe answer),
    # "tier" (a request the tiny local model may not take: the honest sentence)
    tier: str | None = None  # the local model's tier (``tiers.py``): "tiny" or "capable"
    asked: bool = False  # the reply is a question for a missing value: listen again
    fallback: str | None = None  # why a cloud route was answered locally
    cloud: dict[str, Any] = field(default_factory=dict)
    think: bool = False
    tools: list[str] = field(default_factory=list)
    rounds: int = 0
    structured_ms: float = 0.0
    ttft_ms: float | None = None
    total_ms: float = 0.0
    error: str | None = None
    speech: str | None = None  # what the speech checks did: "not_done", "halted", "fallback"
    usage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        extraction = self.extraction.as_dict() if self.extraction else {}
        return {
            "intent": extraction.get("intent"),
            "slots": extraction.get("slots", {}),
            "confidence": extraction.get("confidence"),
            "structured_valid": extraction.get("valid"),
            "understood_by": self.understood_by,
            "route": self.route,
            "route_reason": self.route_reason,
            "safety": self.safety,
            "answered_by": self.answered_by,
            "tier": self.tier,
            "asked": self.asked,
            "fallback": self.fallback,
            "cloud": self.cloud,
            "think": self.think,
            "tools": self.tools,
            "rounds": self.rounds,
            "timings_ms": {
                "structured": round(self.structured_ms, 1),
                "ttft": None if self.ttft_ms is None else round(self.ttft_ms, 1),
                "total": round(self.total_ms, 1),
            },
            "usage": self.usage,
            "error": self.error,
            "speech": self.speech,
        }
