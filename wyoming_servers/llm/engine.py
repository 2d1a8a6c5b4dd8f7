"""The llama.cpp engine: one model, one request at a time, run in a worker thread.

The KV cache keeps the tokens of the previous request; the next request re-uses the longest
common prefix (system prompt + tools) and evaluates only its new tokens (:mod:`.kv_session`).
Generation checks the cancel flag before every token, so a cancel or disconnect stops it within
one token; decoded text goes through :mod:`.text_stream` (stop strings, the JSON end).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_cpp.llama_grammar import json_schema_to_gbnf

from ..protocol import ProtocolError
from .chat_protocol import BAD_REQUEST, FinishReason
from .chat_template import ChatTemplate
from .cpu_threads import PERIOD_S, ThreadGovernor
from .generation import Cancelled, Emit, Output, Result, Started, Usage
from .json_grammar import UnsupportedSchema, schema_to_gbnf
from .kv_session import KVSession
from .output_parser import OutputParser
from .request import ChatRequest
from .sampling import GrammarError, SamplingParams, TokenSampler
from .text_stream import TextStream
from .weight_repack import cpu_flags, decide

__all__ = ["Cancelled", "EngineConfig", "LlamaEngine", "Result", "Usage"]

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineConfig:
    """How the model is loaded."""

    model_path: Path
    model_name: str
    n_ctx: int = 4096
    n_gpu_layers: int = 0
    flash_attn: bool = True
    kv_cache: str = "q8_0"
    n_threads: int | None = None
    n_batch: int = 512
    prefix_snapshots: int = 3
    adaptive_threads: bool = True  # CPU inference: give cores to busy neighbours (cpu_threads)
    cpu_weight_repack: str = "auto"  # auto | on | off (see weight_repack: AMX CPUs crash with it)


class LlamaEngine:
    """Prompt rendering, sampling and the request's life; not thread-safe (one worker thread)."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.repack = decide(config.cpu_weight_repack, cpu_flags())
        _LOGGER.info("%s", self.repack.describe())
        self.session = KVSession(
            config.model_path,
            n_ctx=config.n_ctx,
            n_batch=config.n_batch,
            n_gpu_layers=config.n_gpu_layers,
            flash_attn=config.flash_attn,
            kv_cache=config.kv_cache,
            n_threads=config.n_threads,
            repack=self.repack,
            prefix_snapshots=config.prefix_snapshots,
        )
        session = self.session
        self.n_vocab = session.n_vocab
        self.n_ctx = session.n_ctx
        self.template = ChatTemplate(
            session.metadata, bos_token=session.bos_text, eos_token=session.eos_text
        )
        self._grammars: OrderedDict[str, str] = OrderedDict()
        self.max_threads = session.max_threads
        self.threads = self.max_threads
        self._governor: ThreadGovernor | None = None
        self._next_fit = 0.0
        if config.adaptive_threads and config.n_gpu_layers == 0 and max(self.max_threads) > 1:
            governor = ThreadGovernor()
            if governor.available:
                governor.start()
                self._governor = governor
        _LOGGER.info(
            "Loaded %s (%s, ctx %d, %d GPU layers, KV %s, template %s)",
            config.model_name,
            session.metadata.get("general.architecture", "?"),
            self.n_ctx,
            config.n_gpu_layers,
            config.kv_cache,
            self.template.name,
        )

    # --- prompt ---------------------------------------------------------------------------

    def tokenize_prompt(self, request: ChatRequest) -> tuple[str, list[int]]:
        """Render and tokenize the prompt of ``request``."""
        think = request.think and request.grammar_schema is None
        try:
            text = self.template.render(request.messages, request.offered_tools, think=think)
        except Exception as err:  # template errors come in many types
            raise ProtocolError(
                BAD_REQUEST, f"the chat template rejected the messages: {err}"
            ) from err
        return text, self.session.tokenize(text)

    def grammar_for(self, schema: dict[str, Any]) -> str:
        """GBNF for a JSON schema, cached per engine (schemas repeat across requests)."""
        key = json.dumps(schema)
        cached = self._grammars.get(key)
        if cached is not None:
            self._grammars.move_to_end(key)
            return cached
        try:
            gbnf = schema_to_gbnf(schema)
        except UnsupportedSchema as exact_err:
            _LOGGER.debug("Falling back to llama.cpp's schema converter: %s", exact_err)
            try:
                gbnf = json_schema_to_gbnf(key)
            except Exception as err:  # the converter raises bare exceptions
                raise ProtocolError("invalid_schema", f"unsupported JSON schema: {err}") from err
            # llama-cpp-python's string rule lets raw control characters through.
            gbnf = gbnf.replace('char ::= [^"\\\\] |', 'char ::= [^"\\\\\\x00-\\x1F\\x7F] |')
        self._grammars[key] = gbnf
        if len(self._grammars) > 64:
            self._grammars.popitem(last=False)
        return gbnf

    # --- generation -----------------------------------------------------------------------

    def _fit_threads(self) -> None:
        """Run llama.cpp on the cores the neighbours leave free (see :mod:`.cpu_threads`)."""
        if self._governor is None:
            return
        self._next_fit = time.perf_counter() + PERIOD_S
        threads = (
            self._governor.threads(self.max_threads[0]),
            self._governor.threads(self.max_threads[1]),
        )
        if threads != self.threads:
            self.session.set_threads(threads)
            _LOGGER.debug(
                "Threads %s -> %s (other processes: %.2f cores)",
                self.threads,
                threads,
                self._governor.other_cores,
            )
            self.threads = threads

    def generate(
        self, request: ChatRequest, emit: Emit, cancel: threading.Event, queue_ms: float = 0.0
    ) -> Result:
        """Run one request to completion (or cancellation), streaming through ``emit``."""
        started = time.perf_counter()
        usage = Usage(queue_ms=queue_ms)
        prompt_text, tokens = self.tokenize_prompt(request)
        usage.prompt_tokens = len(tokens)
        if len(tokens) >= self.n_ctx - 1:
            raise ProtocolError(
                "context_overflow",
                f"the prompt is {len(tokens)} tokens; the context holds {self.n_ctx}",
            )
        schema = request.grammar_schema
        grammar = self.grammar_for(schema) if schema is not None else None
        max_tokens = min(request.max_tokens, self.n_ctx - len(tokens) - 1)
        # A schema-constrained answer is the content itself, never a tool call.
        tool_names = (
            frozenset()
            if request.response_schema is not None
            else frozenset(t.name for t in request.offered_tools)
        )
        parser = OutputParser(
            tool_names,
            forced_tool=bool(request.forced_tools),
            start_thinking=prompt_text.rstrip().endswith("<think>"),
        )
        stream = TextStream(parser, request.stop, json_output=grammar is not None)
        params = SamplingParams(
            temperature=0.0 if schema is not None else request.temperature,
            top_k=request.top_k,
            top_p=request.top_p,
            seed=request.seed,
        )
        session = self.session
        try:
            sampler = TokenSampler(session.model_p, session.vocab, self.n_vocab, params, grammar)
        except GrammarError as err:
            raise ProtocolError("invalid_schema", str(err)) from err

        finish: FinishReason = "length"
        first_token_at = 0.0
        with sampler:
            try:
                self._fit_threads()
                prefill_started = time.perf_counter()
                usage.cached_prompt_tokens = session.prefill(tokens, cancel)
                usage.prefill_ms = (time.perf_counter() - prefill_started) * 1000
                emit(Started(usage.prompt_tokens, usage.cached_prompt_tokens))
                for index in range(max_tokens):
                    if cancel.is_set():
                        finish = "cancelled"
                        break
                    token = sampler.sample(session.ctx)
                    if not first_token_at:
                        first_token_at = time.perf_counter()
                    if session.is_end(token):
                        finish = "stop"
                        break
                    usage.completion_tokens += 1
                    deltas, done = stream.push(session.piece(token))
                    for delta in deltas:
                        emit(Output(delta))
                    if done:
                        finish = "stop"
                        break
                    if index + 1 == max_tokens:
                        break  # the last token's own forward pass would go unused
                    if time.perf_counter() >= self._next_fit:
                        self._fit_threads()
                    session.eval(token)
            except Cancelled:
                finish = "cancelled"
            for delta in stream.finish():
                emit(Output(delta))
            usage.grammar_full_passes = sampler.full_passes

        ended = time.perf_counter()
        usage.total_ms = (ended - started) * 1000
        if first_token_at:
            usage.ttft_ms = (first_token_at - started) * 1000
            decode_s = ended - first_token_at
            if usage.completion_tokens > 1 and decode_s > 0:
                usage.tokens_per_second = (usage.completion_tokens - 1) / decode_s
        if (parser.tool_calls and finish == "stop") or (
            parser.tool_calls and finish == "length" and request.forced_tools
        ):
            finish = "tool_calls"
        return Result(
            finish,
            parser.content,
            parser.thinking,
            parser.tool_calls,
            usage,
            parser.invalid_tool_calls,
        )

    def close(self) -> None:
        """Stop the governor and free the model."""
        if self._governor is not None:
            self._governor.stop()
        self.session.close()
