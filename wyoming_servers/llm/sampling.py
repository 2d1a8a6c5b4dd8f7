"""Token sampling with a lazily applied grammar.

llama-cpp-python runs the grammar over the whole vocabulary on every token (262K candidates for
Gemma 3), which makes JSON-constrained decoding several times slower than plain decoding. Here the
plain sampler chain picks a token first and the grammar only checks that one token; the full
grammar pass runs just when the pick is rejected — the strategy llama.cpp's own CLI uses. With
greedy sampling (every schema request) a rejected pick is replaced by the best-scoring token of a
short list the grammar allows, which is exactly what the full pass would pick; the full pass is
left for the rare case where no token of the list is allowed.
"""

from __future__ import annotations

import ctypes
import math
import random
from dataclasses import dataclass

import llama_cpp
import numpy as np


class GrammarError(ValueError):
    """The grammar could not be compiled."""


@dataclass(frozen=True)
class SamplingParams:
    """Sampling settings of one request."""

    temperature: float = 0.7
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    seed: int | None = None


SHORTLIST = 256  # candidates checked one by one before the full-vocabulary grammar pass
_TOKEN_DTYPE = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)


class TokenSampler:
    """Samples one token at a time from a llama.cpp context; owns its llama.cpp samplers."""

    def __init__(
        self,
        model: llama_cpp.llama_model_p,
        vocab: llama_cpp.llama_vocab_p,
        n_vocab: int,
        params: SamplingParams,
        grammar: str | None = None,
        *,
        shortlist: int = SHORTLIST,
    ) -> None:
        self.n_vocab = n_vocab
        self.full_passes = 0
        self.shortlist = min(shortlist, n_vocab) if params.temperature <= 0 else 0
        self._chain = llama_cpp.llama_sampler_chain_init(
            llama_cpp.llama_sampler_chain_default_params()
        )
        add = llama_cpp.llama_sampler_chain_add
        if params.temperature <= 0:
            add(self._chain, llama_cpp.llama_sampler_init_greedy())
        else:
            seed = params.seed if params.seed is not None else random.getrandbits(32)
            if params.top_k > 0:
                add(self._chain, llama_cpp.llama_sampler_init_top_k(params.top_k))
            add(self._chain, llama_cpp.llama_sampler_init_top_p(params.top_p, 1))
            add(self._chain, llama_cpp.llama_sampler_init_min_p(params.min_p, 1))
            add(self._chain, llama_cpp.llama_sampler_init_temp(params.temperature))
            add(self._chain, llama_cpp.llama_sampler_init_dist(seed))
        self._grammar: llama_cpp.llama_sampler_p | None = None
        if grammar is not None:
            handle = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
            if not handle:
                self.close()
                raise GrammarError("the JSON schema could not be turned into a grammar")
            self._grammar = handle
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_array = llama_cpp.llama_token_data_array(
            data=self._one, size=1, selected=-1, sorted=False
        )
        self._all: ctypes.Array[llama_cpp.llama_token_data] | None = None

    def _grammar_allows(self, token: int) -> bool:
        assert self._grammar is not None
        self._one[0].id = token  # type: ignore[assignment]
        self._one[0].logit = 0.0
        self._one[0].p = 0.0
        self._one_array.data = self._one
        self._one_array.size = 1
        self._one_array.selected = -1
        self._one_array.sorted = False
        llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(self._one_array))
        return not math.isinf(self._one[0].logit)

    def _best_allowed(self, ctx: llama_cpp.llama_context_p) -> int | None:
        """Greedy only: the highest-scoring token of the shortlist the grammar allows, if any.

        Ties go to the lower token id, as in llama.cpp's greedy sampler.
        """
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, -1), (self.n_vocab,))
        top = np.sort(np.argpartition(logits, -self.shortlist)[-self.shortlist :])
        for token in top[np.argsort(-logits[top], kind="stable")]:
            if self._grammar_allows(int(token)):
                return int(token)
        return None

    def _full_pass(self, ctx: llama_cpp.llama_context_p) -> int:
        """Grammar over the whole vocabulary, then the chain: always a valid token."""
        assert self._grammar is not None
        self.full_passes += 1
        if self._all is None:
            self._all = (llama_cpp.llama_token_data * self.n_vocab)()
        view = np.frombuffer(self._all, dtype=_TOKEN_DTYPE)
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, -1), (self.n_vocab,))
        view["id"] = np.arange(self.n_vocab, dtype=np.int32)
        view["logit"] = logits
        view["p"] = 0.0
        array = llama_cpp.llama_token_data_array(
            data=self._all, size=self.n_vocab, selected=-1, sorted=False
        )
        llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(array))
        llama_cpp.llama_sampler_apply(self._chain, ctypes.byref(array))
        token = int(array.data[array.selected].id)
        llama_cpp.llama_sampler_accept(self._chain, token)
        return token

    def sample(self, ctx: llama_cpp.llama_context_p) -> int:
        """Pick the next token from the last decoded position's logits."""
        token = int(llama_cpp.llama_sampler_sample(self._chain, ctx, -1))
        if self._grammar is None:
            return token
        if not self._grammar_allows(token):
            best = self._best_allowed(ctx) if self.shortlist else None
            if best is None:
                token = self._full_pass(ctx)
            else:
                token = best
                llama_cpp.llama_sampler_accept(self._chain, token)
        llama_cpp.llama_sampler_accept(self._grammar, token)
        return token

    def close(self) -> None:
        """Free the llama.cpp samplers."""
        if self._chain is not None:
            llama_cpp.llama_sampler_free(self._chain)
            self._chain = None
        if self._grammar is not None:
            llama_cpp.llama_sampler_free(self._grammar)
            self._grammar = None

    def __enter__(self) -> TokenSampler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
