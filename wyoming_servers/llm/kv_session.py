"""The loaded model and its KV context: every use of llama-cpp-python's internals is here.

``llama_cpp.Llama`` is used for loading, tokenizing and batched evaluation; the sampler and the
prefix snapshots need the raw model, vocabulary and context pointers, and prefix re-use needs the
evaluated token list. Keeping those private attributes in this one class is what lets the rest
of the server follow a llama-cpp-python upgrade by reading one file.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from pathlib import Path
from typing import Any

import llama_cpp

from .generation import Cancelled
from .prefix_cache import PrefixStateCache, common_prefix
from .weight_repack import RepackDecision, model_params

_LOGGER = logging.getLogger(__name__)

KV_TYPES = {
    "f16": llama_cpp.GGML_TYPE_F16,
    "q8_0": llama_cpp.GGML_TYPE_Q8_0,
    "q4_0": llama_cpp.GGML_TYPE_Q4_0,
}
RESTORE_MIN_GAIN = 32  # tokens a snapshot must save over the live context to be restored


class KVSession:
    """One model, one context, one evaluated token sequence. Call from one thread."""

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int,
        n_batch: int,
        n_gpu_layers: int,
        flash_attn: bool,
        kv_cache: str,
        n_threads: int | None,
        repack: RepackDecision,
        prefix_snapshots: int,
    ) -> None:
        if kv_cache not in KV_TYPES:
            raise ValueError(f"--kv-cache must be one of {', '.join(KV_TYPES)}")
        kv_type = KV_TYPES[kv_cache]
        self.n_batch = n_batch
        with model_params(use_extra_bufts=repack.enabled):
            self._llm = llama_cpp.Llama(
                str(model_path),
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_gpu_layers=n_gpu_layers,
                flash_attn=flash_attn or kv_cache != "f16",
                type_k=kv_type,
                type_v=kv_type,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                swa_full=True,  # keeps prefix re-use possible on sliding-window models (Gemma 3)
                verbose=False,
            )
        model = self._llm._model
        self.model_p = model.model
        self.vocab = llama_cpp.llama_model_get_vocab(self.model_p)
        self.n_vocab = self._llm.n_vocab()
        self.n_ctx = self._llm.n_ctx()
        self.metadata: dict[str, Any] = dict(self._llm.metadata)
        self.bos_text = model.token_get_text(model.token_bos()) if model.token_bos() >= 0 else ""
        self.eos_text = model.token_get_text(model.token_eos()) if model.token_eos() >= 0 else ""
        self._add_bos = bool(model.add_bos_token())
        params = self._llm.context_params
        self.max_threads = (int(params.n_threads), int(params.n_threads_batch))
        self.prefixes = PrefixStateCache(capacity=prefix_snapshots)
        self._pieces: dict[int, bytes] = {}

    @property
    def ctx(self) -> llama_cpp.llama_context_p:
        """The raw context pointer (for the sampler)."""
        ctx: llama_cpp.llama_context_p = self._llm._ctx.ctx
        return ctx

    @property
    def n_evaluated(self) -> int:
        """Tokens whose KV entries are in the context."""
        return int(self._llm.n_tokens)

    def tokenize(self, text: str) -> list[int]:
        """Tokens of a rendered prompt (special tokens parsed), with BOS when the model wants it."""
        tokens = self._llm.tokenize(text.encode(), add_bos=False, special=True)
        bos = self._llm.token_bos()
        if self._add_bos and bos >= 0 and (not tokens or tokens[0] != bos):
            tokens.insert(0, bos)
        return tokens

    def prefill(self, tokens: list[int], cancel: threading.Event) -> int:
        """Evaluate the prompt, re-using the live prefix or a snapshot; the cached token count."""
        llm = self._llm
        live = llm._input_ids.tolist()
        cached = common_prefix(live, tokens)
        if cached < len(live) * 0.9:
            self.prefixes.save(self.ctx, live)  # about to be evicted: keep it warm
        best = self.prefixes.best(tokens)
        if (
            best is not None
            and best[1] > cached + RESTORE_MIN_GAIN
            and self.prefixes.restore(self.ctx, best[0])
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
        for start in range(0, len(rest), self.n_batch):
            if cancel.is_set():
                raise Cancelled  # the cache stays consistent with what was evaluated
            llm.eval(rest[start : start + self.n_batch])
        return cached

    def eval(self, token: int) -> None:
        """Evaluate one sampled token (its logits are the next step's)."""
        self._llm.eval([token])

    def set_threads(self, threads: tuple[int, int]) -> None:
        """llama.cpp's (decode, batch) thread counts from the next evaluation on."""
        llama_cpp.llama_set_n_threads(self.ctx, *threads)

    def is_end(self, token: int) -> bool:
        """Whether ``token`` ends generation (EOS, EOT …)."""
        return bool(llama_cpp.llama_vocab_is_eog(self.vocab, token))

    def piece(self, token: int) -> bytes:
        """The bytes of one token (special tokens rendered), cached."""
        piece = self._pieces.get(token)
        if piece is None:
            buf = ctypes.create_string_buffer(64)
            size = llama_cpp.llama_token_to_piece(self.vocab, token, buf, 64, 0, True)
            if size < 0:
                buf = ctypes.create_string_buffer(-size)
                size = llama_cpp.llama_token_to_piece(self.vocab, token, buf, -size, 0, True)
            piece = buf.raw[: max(size, 0)]
            self._pieces[token] = piece
        return piece

    def close(self) -> None:
        """Free the model and the context."""
        self._llm.close()
