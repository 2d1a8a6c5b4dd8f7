"""The llama.cpp engine: one model, one request at a time, run in a worker thread.

The KV cache keeps the tokens of the previous request; the next request re-uses the longest
common prefix (system prompt + tools) and evaluates only its new tokens. Generation checks the
cancel flag before every token, so a cancel or disconnect stops it within one token.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp.llama_grammar import json_schema_to_gbnf

from ..protocol import ProtocolError
from .chat_template import ChatTemplate
from .cpu_threads import PERIOD_S, ThreadGovernor
from .json_grammar import UnsupportedSchema, schema_to_gbnf
from .output_parser import Delta, OutputParser, partial_marker_len
from .prefix_cache import PrefixStateCache, common_prefix
from .request import ChatRequest, ToolCall
from .sampling import GrammarError, SamplingParams, TokenSampler
from .weight_repack import cpu_flags, decide, model_params

_LOGGER = logging.getLogger(__name__)

KV_TYPES = {
    "f16": llama_cpp.GGML_TYPE_F16,
    "q8_0": llama_cpp.GGML_TYPE_Q8_0,
    "q4_0": llama_cpp.GGML_TYPE_Q4_0,
}


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


@dataclass
class Usage:
    """Token counts and timings of one request."""

    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float = 0.0
    prefill_ms: float = 0.0
    tokens_per_second: float = 0.0
    total_ms: float = 0.0
    queue_ms: float = 0.0
    grammar_full_passes: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The ``usage`` object of ``chat-stop``."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "cached_prompt_tokens": self.cached_prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "ttft_ms": round(self.ttft_ms, 1),
            "prefill_ms": round(self.prefill_ms, 1),
            "tokens_per_second": round(self.tokens_per_second, 2),
            "total_ms": round(self.total_ms, 1),
            "queue_ms": round(self.queue_ms, 1),
        }


@dataclass
class Result:
    """What a finished generation produced."""

    finish_reason: str
    content: str
    thinking: str
    tool_calls: list[ToolCall]
    usage: Usage = field(default_factory=Usage)
    invalid_tool_calls: list[str] = field(default_factory=list)


class Cancelled(Exception):
    """Generation stopped because the client cancelled or went away."""


Emit = Callable[[str, Any], None]
"""``emit("start", info)`` once, then ``emit("delta", Delta)`` for every piece of output."""


class LlamaEngine:
    """Owns the llama.cpp model and context. Not thread-safe: call from one worker thread."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        if config.kv_cache not in KV_TYPES:
            raise ValueError(f"--kv-cache must be one of {', '.join(KV_TYPES)}")
        kv_type = KV_TYPES[config.kv_cache]
        quantized_kv = config.kv_cache != "f16"
        self.repack = decide(config.cpu_weight_repack, cpu_flags())
        _LOGGER.info("%s", self.repack.describe())
        with model_params(use_extra_bufts=self.repack.enabled):
            self.llm = self._load(config, kv_type, quantized_kv)
        model = self.llm._model
        self._model_p = model.model
        self._vocab = llama_cpp.llama_model_get_vocab(self._model_p)
        self.n_vocab = self.llm.n_vocab()
        self.n_ctx = self.llm.n_ctx()
        meta = self.llm.metadata
        self.template = ChatTemplate(
            meta,
            bos_token=model.token_get_text(model.token_bos()) if model.token_bos() >= 0 else "",
            eos_token=model.token_get_text(model.token_eos()) if model.token_eos() >= 0 else "",
        )
        self._grammars: OrderedDict[str, str] = OrderedDict()
        self._pieces: dict[int, bytes] = {}
        self.prefixes = PrefixStateCache(capacity=config.prefix_snapshots)
        params = self.llm.context_params
        self.max_threads = (int(params.n_threads), int(params.n_threads_batch))
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
            meta.get("general.architecture", "?"),
            self.n_ctx,
            config.n_gpu_layers,
            config.kv_cache,
            self.template.name,
        )

    @staticmethod
    def _load(config: EngineConfig, kv_type: int, quantized_kv: bool) -> llama_cpp.Llama:
        """Load the model and create its context."""
        return llama_cpp.Llama(
            str(config.model_path),
            n_ctx=config.n_ctx,
            n_batch=config.n_batch,
            n_gpu_layers=config.n_gpu_layers,
            flash_attn=config.flash_attn or quantized_kv,
            type_k=kv_type,
            type_v=kv_type,
            n_threads=config.n_threads,
            n_threads_batch=config.n_threads,
            swa_full=True,  # keeps prefix re-use possible on sliding-window models (Gemma 3)
            verbose=False,
        )

    # --- prompt ---------------------------------------------------------------------------

    def tokenize_prompt(self, request: ChatRequest) -> tuple[str, list[int]]:
        """Render and tokenize the prompt of ``request``."""
        think = request.think and request.grammar_schema is None
        try:
            text = self.template.render(request.messages, request.offered_tools, think=think)
        except Exception as err:  # template errors come in many types
            raise ProtocolError(
                "bad_request", f"the chat template rejected the messages: {err}"
            ) from err
        tokens = self.llm.tokenize(text.encode(), add_bos=False, special=True)
        bos = self.llm.token_bos()
        if self.llm._model.add_bos_token() and bos >= 0 and (not tokens or tokens[0] != bos):
            tokens.insert(0, bos)
        return text, tokens

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
            llama_cpp.llama_set_n_threads(self.llm._ctx.ctx, *threads)
            _LOGGER.debug(
                "Threads %s -> %s (other processes: %.2f cores)",
                self.threads,
                threads,
                self._governor.other_cores,
            )
            self.threads = threads

    def _prefill(self, tokens: list[int], cancel: threading.Event) -> int:
        """Evaluate the prompt, re-using the cached prefix; return the cached token count."""
        llm = self.llm
        live = llm._input_ids.tolist()
        cached = common_prefix(live, tokens)
        if cached < len(live) * 0.9:
            self.prefixes.save(llm._ctx.ctx, live)  # about to be evicted: keep it warm
        best = self.prefixes.best(tokens)
        if (
            best is not None
            and best[1] > cached + 32
            and self.prefixes.restore(llm._ctx.ctx, best[0])
        ):
            restored = best[0].tokens
            llm.input_ids[: len(restored)] = restored
            llm.n_tokens = len(restored)
            cached = best[1]
        cached = min(cached, len(tokens) - 1)  # re-evaluate at least one token for fresh logits
        if cached <= 0 or not llm._ctx.kv_cache_seq_rm(-1, cached, -1):
            llm.reset()  # type: ignore[no-untyped-call]
            llm._ctx.kv_cache_clear()  # type: ignore[no-untyped-call]
            cached = 0
        llm.n_tokens = cached
        rest = tokens[cached:]
        step = self.config.n_batch
        for start in range(0, len(rest), step):
            if cancel.is_set():
                # Leave the cache consistent with what was evaluated.
                raise Cancelled
            llm.eval(rest[start : start + step])
        return cached

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
        params = SamplingParams(
            temperature=0.0 if schema is not None else request.temperature,
            top_k=request.top_k,
            top_p=request.top_p,
            seed=request.seed,
        )
        try:
            sampler = TokenSampler(self._model_p, self._vocab, self.n_vocab, params, grammar)
        except GrammarError as err:
            raise ProtocolError("invalid_schema", str(err)) from err

        finish = "length"
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text_so_far = ""
        fed = 0  # characters of text_so_far handed to the parser
        first_token_at = 0.0
        with sampler:
            try:
                self._fit_threads()
                prefill_started = time.perf_counter()
                usage.cached_prompt_tokens = self._prefill(tokens, cancel)
                usage.prefill_ms = (time.perf_counter() - prefill_started) * 1000
                emit(
                    "start",
                    {
                        "prompt_tokens": usage.prompt_tokens,
                        "cached_prompt_tokens": usage.cached_prompt_tokens,
                    },
                )
                ctx = self.llm._ctx.ctx
                for index in range(max_tokens):
                    if cancel.is_set():
                        finish = "cancelled"
                        break
                    token = sampler.sample(ctx)
                    if not first_token_at:
                        first_token_at = time.perf_counter()
                    if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                        finish = "stop"
                        break
                    usage.completion_tokens += 1
                    piece = decoder.decode(self._piece(token))
                    text_so_far += piece
                    cut = _stop_at(text_so_far, request.stop, fed)
                    if cut is not None:
                        self._emit_all(parser.feed(text_so_far[fed:cut]), emit)
                        fed = len(text_so_far)
                        finish = "stop"
                        break
                    # Hold back a tail that may be the start of a stop string.
                    safe = len(text_so_far) - partial_marker_len(text_so_far, request.stop)
                    if safe > fed:
                        self._emit_all(parser.feed(text_so_far[fed:safe]), emit)
                        fed = safe
                    if (
                        grammar is not None
                        and piece.endswith(("}", "]"))
                        and _complete_json(text_so_far)
                    ):
                        finish = "stop"
                        break
                    if index + 1 == max_tokens:
                        break  # the last token's own forward pass would go unused
                    if time.perf_counter() >= self._next_fit:
                        self._fit_threads()
                    self.llm.eval([token])
            except Cancelled:
                finish = "cancelled"
            if fed < len(text_so_far):  # a held-back tail that never became a stop string
                self._emit_all(parser.feed(text_so_far[fed:]), emit)
            self._emit_all(parser.finish(), emit)
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

    def _piece(self, token: int) -> bytes:
        """The bytes of one token (special tokens rendered), cached per engine."""
        piece = self._pieces.get(token)
        if piece is None:
            buf = ctypes.create_string_buffer(64)
            size = llama_cpp.llama_token_to_piece(self._vocab, token, buf, 64, 0, True)
            if size < 0:
                buf = ctypes.create_string_buffer(-size)
                size = llama_cpp.llama_token_to_piece(self._vocab, token, buf, -size, 0, True)
            piece = buf.raw[: max(size, 0)]
            self._pieces[token] = piece
        return piece

    @staticmethod
    def _emit_all(deltas: list[Delta], emit: Emit) -> None:
        for delta in deltas:
            emit("delta", delta)

    def close(self) -> None:
        """Stop the governor and free the model."""
        if self._governor is not None:
            self._governor.stop()
        self.llm.close()


def _complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _stop_at(text: str, stops: tuple[str, ...], fed: int) -> int | None:
    """Where the earliest stop string in ``text`` starts (searching from unsent text on)."""
    hits = [i for s in stops if (i := text.find(s, max(0, fed - len(s) + 1))) >= 0]
    return min(hits) if hits else None
