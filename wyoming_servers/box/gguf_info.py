"""What the VRAM planner needs to know about a GGUF model: shapes and tensor sizes.

:func:`read_gguf` reads a real file with :class:`gguf.GGUFReader`; :func:`catalogue_meta` gives
the same facts for catalogue models that are not downloaded yet, from a small table of their
published metadata, so users can plan before a 2 GB download.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import models

_LAYER_TENSOR = re.compile(r"^blk\.(\d+)\.")
_INPUT_PREFIXES = ("token_embd", "position_embd", "token_types")
_OUTPUT_PREFIXES = ("output.", "output_norm.", "cls.")
# Q6_K, which llama.cpp's Q4_K_M quantization uses for a tied token-embedding/output matrix.
_Q6_K_BLOCK, _Q6_K_BYTES = 256, 210


class ModelInfoError(Exception):
    """A file is not a GGUF model the planner understands; the message is one line."""


@dataclass(frozen=True)
class ModelMeta:
    """Shapes and tensor sizes of a decoder-only GGUF model, as llama.cpp would place them."""

    name: str
    source: str
    from_file: bool
    arch: str
    n_layer: int
    n_head: int
    n_head_kv: tuple[int, ...]
    head_dim_k: int
    head_dim_v: int
    n_embd: int
    n_ff: int
    n_vocab: int
    n_ctx_train: int | None
    layer_bytes: tuple[int, ...]
    input_bytes: int
    output_bytes: int
    output_tied: bool
    other_bytes: int
    file_bytes: int

    def n_embd_k_gqa(self, layer: int) -> int:
        """Key elements per token in one layer: KV heads x key length."""
        return self.n_head_kv[layer] * self.head_dim_k

    def n_embd_v_gqa(self, layer: int) -> int:
        """Value elements per token in one layer: KV heads x value length."""
        return self.n_head_kv[layer] * self.head_dim_v


@dataclass(frozen=True)
class _Known:
    arch: str
    n_layer: int
    n_head: int
    n_head_kv: int
    head_dim: int
    n_embd: int
    n_ff: int
    n_vocab: int
    n_ctx_train: int
    file_bytes: int
    file_name: str


# Published metadata of the catalogue's Q4_K_M files (both tie the output to the embeddings).
KNOWN_MODELS: dict[str, _Known] = {
    "qwen3-4b": _Known(
        "qwen3", 36, 32, 8, 128, 2560, 9728, 151936, 40960, 2_497_280_256, "Qwen3-4B-Q4_K_M.gguf"
    ),
    "llama-3.2-3b": _Known(
        "llama", 28, 24, 8, 128, 3072, 8192, 128256, 131072, 2_019_377_696,
        "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
    ),
}  # fmt: skip


def catalogue_meta(name: str) -> ModelMeta:
    """Metadata of a catalogue model from :data:`KNOWN_MODELS`, tensor sizes estimated.

    The tied embedding matrix is Q6_K (``n_vocab x n_embd x 210/256`` bytes); the rest of the
    file is split evenly over the layers (metadata and norms are counted as layer weights).
    """
    known = KNOWN_MODELS.get(name)
    if known is None:
        raise ModelInfoError(f"no built-in metadata for '{name}'; known: {', '.join(KNOWN_MODELS)}")
    embd = known.n_vocab * known.n_embd * _Q6_K_BYTES // _Q6_K_BLOCK
    norm = known.n_embd * 4
    per_layer, rest = divmod(known.file_bytes - embd - norm, known.n_layer)
    return ModelMeta(
        name=name,
        source=f"built-in metadata for {known.file_name} (not downloaded)",
        from_file=False,
        arch=known.arch,
        n_layer=known.n_layer,
        n_head=known.n_head,
        n_head_kv=(known.n_head_kv,) * known.n_layer,
        head_dim_k=known.head_dim,
        head_dim_v=known.head_dim,
        n_embd=known.n_embd,
        n_ff=known.n_ff,
        n_vocab=known.n_vocab,
        n_ctx_train=known.n_ctx_train,
        layer_bytes=(per_layer,) * known.n_layer,
        input_bytes=embd,
        output_bytes=embd + norm,
        output_tied=True,
        other_bytes=rest,
        file_bytes=known.file_bytes,
    )


def _per_layer(value: Any, n_layer: int, key: str) -> tuple[int, ...]:
    """A hyper-parameter that is either one integer or one integer per layer."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        values = tuple(int(v) for v in value)
        if len(values) != n_layer:
            raise ModelInfoError(f"{key} has {len(values)} values for {n_layer} layers")
        return values
    return (int(value),) * n_layer


def read_gguf(path: Path, name: str | None = None) -> ModelMeta:
    """Read a GGUF file's hyper-parameters and tensor sizes (blocking; run it in a thread)."""
    try:
        from gguf import GGUFReader  # noqa: PLC0415 - optional dependency, heavy import
    except ImportError as err:
        raise ModelInfoError("reading GGUF needs the 'gguf' package: pip install gguf") from err
    try:
        reader = GGUFReader(path)
    except (OSError, ValueError, KeyError) as err:
        raise ModelInfoError(f"cannot read {path} as GGUF: {err}") from err

    def field(key: str, default: Any = None) -> Any:
        found = reader.get_field(key)
        return default if found is None else found.contents()

    arch = field("general.architecture")
    if not isinstance(arch, str):
        raise ModelInfoError(f"{path} has no general.architecture")
    n_layer = field(f"{arch}.block_count")
    n_embd = field(f"{arch}.embedding_length")
    n_head_raw = field(f"{arch}.attention.head_count")
    if n_layer is None or n_embd is None or n_head_raw is None:
        raise ModelInfoError(f"{path} ({arch}) lacks block_count/embedding_length/head_count")
    n_layer, n_embd = int(n_layer), int(n_embd)
    n_head = max(_per_layer(n_head_raw, n_layer, "head_count"))
    n_head_kv = _per_layer(
        field(f"{arch}.attention.head_count_kv", n_head), n_layer, "head_count_kv"
    )
    head_dim_k = int(field(f"{arch}.attention.key_length", n_embd // n_head))
    head_dim_v = int(field(f"{arch}.attention.value_length", n_embd // n_head))
    n_ff = max(_per_layer(field(f"{arch}.feed_forward_length", 4 * n_embd), n_layer, "ff"))

    layer_bytes = [0] * n_layer
    input_bytes = output_bytes = other_bytes = 0
    embd_bytes = 0
    embd_rows: int | None = None
    has_output = False
    for tensor in reader.tensors:
        size = int(tensor.n_bytes)
        match = _LAYER_TENSOR.match(tensor.name)
        if match is not None and int(match.group(1)) < n_layer:
            layer_bytes[int(match.group(1))] += size
        elif tensor.name.startswith(_INPUT_PREFIXES):
            input_bytes += size
            if tensor.name == "token_embd.weight":
                embd_bytes = size
                embd_rows = int(tensor.shape[-1])
        elif tensor.name.startswith(_OUTPUT_PREFIXES):
            output_bytes += size
            has_output = has_output or tensor.name == "output.weight"
        else:
            other_bytes += size
    if not has_output:  # tied: llama.cpp loads a second copy of token_embd as the output layer
        output_bytes += embd_bytes
    vocab = field(f"{arch}.vocab_size")
    if vocab is None:
        tokens = reader.get_field("tokenizer.ggml.tokens")
        vocab = embd_rows if embd_rows is not None else len(tokens.data) if tokens else 0
    ctx_train = field(f"{arch}.context_length")
    return ModelMeta(
        name=name or path.stem,
        source=str(path),
        from_file=True,
        arch=arch,
        n_layer=n_layer,
        n_head=n_head,
        n_head_kv=n_head_kv,
        head_dim_k=head_dim_k,
        head_dim_v=head_dim_v,
        n_embd=n_embd,
        n_ff=n_ff,
        n_vocab=int(vocab),
        n_ctx_train=None if ctx_train is None else int(ctx_train),
        layer_bytes=tuple(layer_bytes),
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        output_tied=not has_output,
        other_bytes=other_bytes,
        file_bytes=path.stat().st_size,
    )


def load_model_meta(name_or_path: str | None, data_dir: Path) -> ModelMeta:
    """Metadata of the LLM ``name_or_path`` would load (blocking; run it in a thread).

    A downloaded file (or a path, or the embedded model) is read with :func:`read_gguf`; a
    catalogue model that is not downloaded yet uses :data:`KNOWN_MODELS`. ``None`` means the
    model ``atlas-llm`` would pick. Raises :class:`ModelInfoError` or ``models.ModelError``.
    """
    if name_or_path is not None and name_or_path in KNOWN_MODELS:
        spec = models.lookup(name_or_path)
        if spec is not None and not models.is_present(spec, data_dir):
            return catalogue_meta(name_or_path)
    resolved = models.resolve(models.Kind.LLM, name_or_path, data_dir)
    if resolved.path.is_dir():
        raise ModelInfoError(f"{resolved.path} is a folder, not a GGUF file")
    return read_gguf(resolved.path, resolved.name)
