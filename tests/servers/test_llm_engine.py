"""atlas-llm's engine in-process with the real bundled SmolLM2-135M-Instruct: decoding details."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from wyoming_servers.llm.engine import EngineConfig, LlamaEngine
from wyoming_servers.llm.request import parse_chat_request
from wyoming_servers.llm.sampling import SamplingParams, TokenSampler
from wyoming_servers.llm.text_stream import complete_json
from wyoming_servers.models import embedded_llm

from .wyoming_io import DATA_DIR

pytestmark = pytest.mark.real_model

REPLY = {
    "type": "object",
    "properties": {
        "speech": {"type": "string", "maxLength": 80},
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"entity_id": {"type": "string"}, "value": {"type": "number"}},
                "required": ["entity_id", "value"],
            },
            "maxItems": 2,
        },
        "follow_up": {"type": "boolean"},
    },
    "required": ["speech", "actions", "follow_up"],
}
LABEL = {
    "type": "object",
    "properties": {
        "intent": {"enum": ["log_workout", "set_reminder", "device_control", "chat"]},
        "day": {"enum": ["monday", "tuesday", "today", None]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["intent", "day", "confidence"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def engine() -> Iterator[LlamaEngine]:
    engine = LlamaEngine(
        EngineConfig(embedded_llm(DATA_DIR), "smollm2-135m", n_ctx=2048, adaptive_threads=False)
    )
    yield engine
    engine.close()


def _request(text: str, **extra: Any) -> Any:
    data = {"messages": [{"role": "user", "content": text}], "temperature": 0, **extra}
    return parse_chat_request(data, max_tokens_cap=256)


def test_length_finish_skips_the_unused_forward_pass_of_the_last_token(
    engine: LlamaEngine,
) -> None:
    result = engine.generate(
        _request("Write a poem about the sea.", max_tokens=3), lambda *_: None, threading.Event()
    )
    assert result.finish_reason == "length"
    assert result.usage.completion_tokens == 3
    # The prompt and the first two tokens were evaluated; the third was only sampled.
    assert engine.session.n_evaluated == result.usage.prompt_tokens + 2
    assert 0 < result.usage.prefill_ms <= result.usage.ttft_ms


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        (REPLY, "Dim the kitchen light to 30 percent and say so. Reply as JSON."),
        (LABEL, "Remind me on Monday to stretch. Label it as JSON."),
        (REPLY, "Tell me a story about a lighthouse."),
    ],
)
def test_grammar_shortlist_picks_exactly_what_the_full_pass_picks(
    engine: LlamaEngine, schema: dict[str, Any], text: str
) -> None:
    """Greedy decoding: the shortlist shortcut and the full-vocabulary pass agree on every token."""
    _, tokens = engine.tokenize_prompt(_request(text))
    session = engine.session
    session.prefill(tokens, threading.Event())
    grammar = engine.grammar_for(schema)
    params = SamplingParams(temperature=0.0)
    args = (session.model_p, session.vocab, engine.n_vocab, params, grammar)
    ctx = session.ctx
    text_out = ""
    with TokenSampler(*args) as fast, TokenSampler(*args, shortlist=0) as reference:
        for _ in range(160):
            token = fast.sample(ctx)
            assert reference.sample(ctx) == token, f"diverged after {text_out!r}"
            if session.is_end(token):
                break
            text_out += session.piece(token).decode(errors="replace")
            if complete_json(text_out):
                break
            session.eval(token)
        # The reference really needed full passes where the fast sampler used its shortlist.
        assert reference.full_passes > fast.full_passes
    assert text_out.lstrip().startswith("{"), text_out
