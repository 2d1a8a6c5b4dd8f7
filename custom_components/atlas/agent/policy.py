"""Who answers a turn, and what is said when that fails.

The turn, as the entity runs it (``entity.AtlasBaseLLMEntity._async_handle_chat_log``):

1. the router on the text and the rules' reading of it (:func:`first_route`): an emergency is
   answered at once with the country's emergency number (:func:`emergency_answer`); a safety,
   planning or long question goes to Claude without the cascade;
2. else the cascade understands it (rules, the local model's pass when they are unsure) and
   the router decides again with what it understood (:func:`final_route`);
3. a cloud route that Claude cannot take (:func:`after_cloud_failure`): a safety question gets
   the fixed safe answer, never the small model; any other falls back to the local model, with
   a spoken note unless the user has no cloud on purpose;
4. locally: a confident skill intent runs its skills directly (``dispatch.py``), a quick answer
   is computed, else the local model's tool rounds (``loop.py``); a tiny model (``tiers.py``)
   takes only small talk, anything else gets :func:`small_model_refusal`'s honest sentence;
5. a box failure on the way ends the turn with :func:`box_failure`'s translated sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..box.chat_protocol import QUEUE_FULL
from ..box.client import (
    AtlasConnectionError,
    AtlasError,
    AtlasRequestError,
    AtlasServerCrashedError,
)
from .intent_rules import CONFIDENT, understand
from .router import RouteDecision, route
from .spoken import (
    BOX_BUSY,
    BOX_CRASHED,
    BOX_DROPPED,
    BOX_UNREACHABLE,
    SMALL_MODEL,
    TURN_FAILED,
    Spoken,
    TurnFailed,
    fallback_note,
    safe_medical_answer,
)
from .structured import Extraction
from .tiers import Tier

# The user has no cloud on purpose (``cloud.claude.REASON_DISABLED`` / ``REASON_NO_KEY``).
NO_CLOUD_CHOSEN = frozenset({"disabled", "no_key"})


def first_route(
    text: str, context_tokens: int, n_ctx: int, language: str | None = None
) -> RouteDecision:
    """The router on the text and the rules' confident intent, before the cascade runs.

    The rules (< 1 ms) tell a workout request with a sore knee from a health question, so a
    constraint on a request is not routed as one.
    """
    ruled = understand(text, language=language)
    intent = ruled.intent if ruled.confidence >= CONFIDENT else None
    return route(text, context_tokens=context_tokens, local_window=n_ctx, intent=intent)


def final_route(
    text: str, context_tokens: int, n_ctx: int, extraction: Extraction
) -> RouteDecision:
    """The router again, with the cascade's intent, confidence and validity."""
    return route(
        text,
        context_tokens=context_tokens,
        local_window=n_ctx,
        confidence=extraction.confidence,
        structured_valid=extraction.valid,
        intent=extraction.intent,
    )


@dataclass(frozen=True)
class CloudFallback:
    """What a turn routed to the cloud gets when Claude cannot take it."""

    safe_answer: Spoken | None = None  # said instead of any model's answer
    note: Spoken | None = None  # said before the local model's answer (None: nothing)


def after_cloud_failure(reason: str, *, safety: bool) -> CloudFallback:
    """A safety question: the safe answer; else the local model, with a note for the user."""
    if safety:
        return CloudFallback(safe_answer=safe_medical_answer())
    if reason in NO_CLOUD_CHOSEN:
        return CloudFallback()
    return CloudFallback(note=fallback_note(reason))


def small_model_refusal(tier: Tier, extraction: Extraction | None) -> Spoken | None:
    """What a turn that reached the local model says instead, when the model may not take it:
    a tiny model answers only confident small talk (greetings, thanks); a request or question
    nobody understood gets an honest sentence with what to say instead. None: the model answers.
    """
    if tier.reads_intents:
        return None
    small_talk = (
        extraction is not None
        and extraction.intent == "chat"
        and extraction.valid
        and extraction.confidence >= CONFIDENT
    )
    return None if small_talk else SMALL_MODEL


def box_failure(err: AtlasError, *, reply_started: bool) -> TurnFailed:
    """The turn's failure for a GPU-box error (``reply_started``: some reply was spoken)."""
    if isinstance(err, AtlasConnectionError):
        spoken = BOX_DROPPED if reply_started else BOX_UNREACHABLE
    elif isinstance(err, AtlasServerCrashedError):
        spoken = BOX_CRASHED
    elif isinstance(err, AtlasRequestError) and err.code == QUEUE_FULL:
        spoken = BOX_BUSY
    else:
        spoken = TURN_FAILED
    return TurnFailed(spoken, str(err))
