"""KV snapshots of recent prompts, so prompts that take turns keep their prefixes warm.

The context holds one token sequence. ATLAS alternates between prompts (the structured pass and
the tool loop have different system prompts), and each switch would otherwise re-evaluate the
whole prefix. Before a long prompt is evicted its KV state is copied to host memory; a later
request that shares more of its prefix with a snapshot than with the live context restores it.
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass

import llama_cpp

SEQ = 0


def common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the shared prefix of two token lists."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class Snapshot:
    """The KV state of one evaluated token sequence."""

    tokens: list[int]
    state: ctypes.Array[ctypes.c_uint8]


class PrefixStateCache:
    """At most ``capacity`` snapshots (least recently used dropped first)."""

    def __init__(self, capacity: int = 3, min_tokens: int = 128) -> None:
        self.capacity = capacity
        self.min_tokens = min_tokens
        self._snapshots: OrderedDict[tuple[int, ...], Snapshot] = OrderedDict()
        self.saves = 0
        self.restores = 0

    def __len__(self) -> int:
        return len(self._snapshots)

    def save(self, ctx: llama_cpp.llama_context_p, tokens: list[int]) -> None:
        """Snapshot the live sequence (``tokens``) unless it is short or already kept."""
        if self.capacity <= 0 or len(tokens) < self.min_tokens:
            return
        key = tuple(tokens)
        if key in self._snapshots:
            self._snapshots.move_to_end(key)
            return
        size = llama_cpp.llama_state_seq_get_size(ctx, SEQ)
        buffer = (ctypes.c_uint8 * size)()
        if llama_cpp.llama_state_seq_get_data(ctx, buffer, size, SEQ) != size:
            return
        # A snapshot that is a prefix of this one is now redundant.
        for old in [k for k in self._snapshots if key[: len(k)] == k]:
            del self._snapshots[old]
        self._snapshots[key] = Snapshot(list(tokens), buffer)
        self.saves += 1
        while len(self._snapshots) > self.capacity:
            self._snapshots.popitem(last=False)

    def best(self, tokens: list[int]) -> tuple[Snapshot, int] | None:
        """The snapshot sharing the longest prefix with ``tokens``, and that length."""
        found: tuple[Snapshot, int] | None = None
        for snapshot in self._snapshots.values():
            match = common_prefix(snapshot.tokens, tokens)
            if found is None or match > found[1]:
                found = (snapshot, match)
        return found

    def restore(self, ctx: llama_cpp.llama_context_p, snapshot: Snapshot) -> bool:
        """Load ``snapshot`` into the live sequence."""
        memory = llama_cpp.llama_get_memory(ctx)
        llama_cpp.llama_memory_seq_rm(memory, SEQ, -1, -1)
        size = len(snapshot.state)
        if llama_cpp.llama_state_seq_set_data(ctx, snapshot.state, size, SEQ) == 0:
            return False
        self._snapshots.move_to_end(tuple(snapshot.tokens))
        self.restores += 1
        return True
