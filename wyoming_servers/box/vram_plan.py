"""The VRAM planner: which llama.cpp settings fit a GPU of a given size, and why.

Everything is in bytes; the formulas (documented in ``docs/vram-planner.md``):

- **weights**: the GGUF tensor bytes llama.cpp puts on the GPU. ``--n-gpu-layers N`` offloads the
  *last* ``N`` repeating layers; ``N > n_layer`` also offloads the output layer (``output.weight``
  and ``output_norm``, or a second copy of ``token_embd`` when the model ties them). The input
  embeddings always stay in CPU memory.
- **KV cache**: for each offloaded layer ``kv_ctx x (n_embd_k_gqa + n_embd_v_gqa) x bytes per
  element``, with ``n_embd_k_gqa = kv_heads x key_length``, ``kv_ctx`` the context rounded up to
  256 and f16 = 2, q8_0 = 34/32, q4_0 = 18/32 bytes.
- **compute buffer** (estimate): ``4 B x n_ubatch x max(n_vocab + n_embd, 3 n_embd + 2 n_ff
  [+ n_head x kv_ctx without flash attention])`` with ``n_ubatch = min(512, ctx)``: the f32 logits
  of one micro-batch, or a layer's activations (plus the attention score matrix when flash
  attention is off), whichever is larger.
- **CUDA context**: ~300 MiB per process that uses the GPU.
- **STT on GPU**: the faster-whisper model (int8) plus that process's own CUDA context.
- **headroom**: 256 MiB by default, for fragmentation and other programs.

When the request does not fit with every layer on the GPU the planner, in this order, lowers the
KV cache type (f16 -> q8_0 -> q4_0), offloads fewer layers, then halves the context (not below
512); every step is recorded as a reason.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .gguf_info import ModelMeta

MIB = 1 << 20
KV_TYPES = ("f16", "q8_0", "q4_0")
# (elements per block, bytes per block), as ggml stores them.
KV_BLOCK: dict[str, tuple[int, int]] = {"f16": (1, 2), "q8_0": (32, 34), "q4_0": (32, 18)}
CUDA_CONTEXT_BYTES = 300 * MIB
DEFAULT_HEADROOM_BYTES = 256 * MIB
N_UBATCH = 512
KV_PAD = 256
MIN_CTX = 512
# faster-whisper int8 on CUDA: weights plus working buffers, MiB (estimates).
STT_GPU_MIB: dict[str, int] = {
    "tiny": 100, "base": 150, "small": 350, "medium": 800,
    "large-v2": 1600, "large-v3": 1600, "large-v3-turbo": 900,
}  # fmt: skip
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNIT = {"": MIB, "k": 1 << 10, "m": MIB, "g": 1 << 30, "t": 1 << 40}


class PlanError(ValueError):
    """The request itself is invalid (not: it does not fit)."""


def parse_size(text: str) -> int:
    """Bytes in ``4GiB``, ``4 GB``, ``3.5G``, ``4096MiB`` or ``4096`` (MiB).

    GB and GiB both mean 1024**3 here, as on GPU spec sheets and in ``nvidia-smi``.
    """
    match = _SIZE.match(text)
    if match is None:
        raise PlanError(f"not a memory size: {text!r} (try 4GiB, 6GB or 4096MiB)")
    return int(float(match.group(1)) * _UNIT[match.group(2).lower()])


def mib(n_bytes: int) -> float:
    """Bytes as MiB."""
    return n_bytes / MIB


def kv_ctx(ctx: int) -> int:
    """The number of KV cells llama.cpp allocates: the context rounded up to 256."""
    return -(-ctx // KV_PAD) * KV_PAD


def _gpu_layers(meta: ModelMeta, n_gpu_layers: int) -> range:
    """Indexes of the repeating layers on the GPU: llama.cpp offloads the last ones."""
    return range(max(meta.n_layer - n_gpu_layers, 0), meta.n_layer)


def weights_bytes(meta: ModelMeta, n_gpu_layers: int) -> int:
    """GGUF tensor bytes on the GPU with ``--n-gpu-layers n_gpu_layers``."""
    if n_gpu_layers <= 0:
        return 0
    total = sum(meta.layer_bytes[il] for il in _gpu_layers(meta, n_gpu_layers)) + meta.other_bytes
    if n_gpu_layers > meta.n_layer:
        total += meta.output_bytes
    return total


def kv_cache_bytes(meta: ModelMeta, ctx: int, kv_type: str, n_gpu_layers: int) -> int:
    """KV cache bytes on the GPU: K and V of every offloaded layer for ``kv_ctx(ctx)`` cells."""
    block, size = KV_BLOCK[kv_type]
    cells = kv_ctx(ctx)
    return sum(
        cells * ((meta.n_embd_k_gqa(il) + meta.n_embd_v_gqa(il)) * size // block)
        for il in _gpu_layers(meta, n_gpu_layers)
    )


def compute_buffer_bytes(meta: ModelMeta, ctx: int, flash_attn: bool) -> int:
    """Estimated CUDA compute buffer: the larger of the logits and one layer's activations."""
    ubatch = min(N_UBATCH, ctx)
    logits = meta.n_vocab + meta.n_embd
    layer = 3 * meta.n_embd + 2 * meta.n_ff
    if not flash_attn:
        layer += meta.n_head * kv_ctx(ctx)
    return 4 * ubatch * max(logits, layer)


def stt_gpu_bytes(stt_model: str, cuda_context: int = CUDA_CONTEXT_BYTES) -> int:
    """GPU memory of the STT server on CUDA: the whisper model plus its own CUDA context."""
    size = stt_model.removesuffix(".en")
    return STT_GPU_MIB.get(size, STT_GPU_MIB["base"]) * MIB + cuda_context


@dataclass(frozen=True)
class PlanRequest:
    """What the user asks for."""

    gpu_mem: int
    ctx: int = 4096
    kv_cache: str = "q8_0"
    flash_attn: bool = True
    stt_device: str | None = None  # None: on the GPU when it fits after the LLM
    stt_model: str = "base"
    headroom: int = DEFAULT_HEADROOM_BYTES
    cuda_context: int = CUDA_CONTEXT_BYTES

    def validate(self) -> None:
        """Raise :class:`PlanError` for impossible values."""
        if self.gpu_mem <= 0:
            raise PlanError("--gpu-mem must be positive")
        if self.ctx < 1:
            raise PlanError("--ctx must be at least 1")
        if self.kv_cache not in KV_TYPES:
            raise PlanError(f"--kv-cache must be one of {', '.join(KV_TYPES)}")
        if self.stt_device not in (None, "cpu", "cuda"):
            raise PlanError("--stt-device must be cpu or cuda")


@dataclass(frozen=True)
class Budget:
    """GPU memory by use, bytes."""

    weights: int
    kv_cache: int
    compute: int
    cuda_context: int
    stt: int
    headroom: int

    @property
    def total(self) -> int:
        """Everything together."""
        return (
            self.weights
            + self.kv_cache
            + self.compute
            + self.cuda_context
            + self.stt
            + self.headroom
        )


@dataclass(frozen=True)
class Plan:
    """The settings chosen for one GPU, the memory they use and why they were chosen."""

    model: ModelMeta
    request: PlanRequest
    fits: bool
    n_gpu_layers: int
    ctx: int
    kv_cache: str
    flash_attn: bool
    stt_device: str
    budget: Budget
    reasons: tuple[str, ...] = field(default=())

    @property
    def layers_on_gpu(self) -> int:
        """Repeating layers on the GPU."""
        return min(max(self.n_gpu_layers, 0), self.model.n_layer)

    @property
    def full_offload(self) -> bool:
        """Every layer and the output layer on the GPU."""
        return self.n_gpu_layers > self.model.n_layer

    @property
    def spare(self) -> int:
        """GPU bytes left over (negative when it does not fit)."""
        return self.request.gpu_mem - self.budget.total

    def llm_args(self) -> list[str]:
        """``atlas-llm`` flags for this plan."""
        return [
            "--n-gpu-layers",
            str(self.n_gpu_layers if self.fits else 0),
            "--ctx",
            str(self.ctx),
            "--kv-cache",
            self.kv_cache,
            "--flash-attn" if self.flash_attn else "--no-flash-attn",
        ]

    def stt_args(self) -> list[str]:
        """``atlas-stt`` flags for this plan."""
        return ["--device", self.stt_device]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (sizes in bytes and MiB)."""
        budget = asdict(self.budget)
        budget["total"] = self.budget.total
        meta = self.model
        return {
            "fits": self.fits,
            "model": {
                "name": meta.name,
                "source": meta.source,
                "from_file": meta.from_file,
                "arch": meta.arch,
                "n_layer": meta.n_layer,
                "n_head": meta.n_head,
                "n_head_kv": max(meta.n_head_kv),
                "head_dim_k": meta.head_dim_k,
                "head_dim_v": meta.head_dim_v,
                "n_embd": meta.n_embd,
                "n_ff": meta.n_ff,
                "n_vocab": meta.n_vocab,
                "file_bytes": meta.file_bytes,
            },
            "gpu_mem_bytes": self.request.gpu_mem,
            "settings": {
                "n_gpu_layers": self.n_gpu_layers,
                "layers_on_gpu": self.layers_on_gpu,
                "output_on_gpu": self.full_offload,
                "ctx": self.ctx,
                "kv_cache": self.kv_cache,
                "flash_attn": self.flash_attn,
                "stt_device": self.stt_device,
            },
            "budget_bytes": budget,
            "budget_mib": {k: round(mib(v), 2) for k, v in budget.items()},
            "spare_bytes": self.spare,
            "llm_args": self.llm_args(),
            "stt_args": self.stt_args(),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Setting:
    """One candidate llama.cpp configuration."""

    n_gpu_layers: int
    ctx: int
    kv_cache: str


def budget_for(meta: ModelMeta, request: PlanRequest, setting: Setting, stt: int) -> Budget:
    """The GPU memory of one candidate setting (``stt``: bytes reserved for the STT)."""
    on_gpu = setting.n_gpu_layers > 0
    return Budget(
        weights=weights_bytes(meta, setting.n_gpu_layers),
        kv_cache=kv_cache_bytes(meta, setting.ctx, setting.kv_cache, setting.n_gpu_layers),
        compute=compute_buffer_bytes(meta, setting.ctx, request.flash_attn) if on_gpu else 0,
        cuda_context=request.cuda_context if on_gpu else 0,
        stt=stt,
        headroom=request.headroom,
    )


def _kv_chain(request: PlanRequest, reasons: list[str]) -> tuple[str, ...]:
    """The KV cache types to try, from the requested one down to q4_0."""
    if request.flash_attn:
        return KV_TYPES[KV_TYPES.index(request.kv_cache) :]
    if request.kv_cache != "f16":
        reasons.append(
            "without flash attention llama.cpp cannot quantize the V cache: KV cache f16"
        )
    return ("f16",)


def make_plan(meta: ModelMeta, request: PlanRequest) -> Plan:
    """Choose llama.cpp settings that fit ``request.gpu_mem``, reducing step by step."""
    request.validate()
    gpu = request.gpu_mem
    reasons: list[str] = []
    if meta.n_ctx_train is not None and request.ctx > meta.n_ctx_train:
        reasons.append(
            f"note: ctx {request.ctx} is beyond the {meta.n_ctx_train} tokens the model was "
            "trained for"
        )
    stt = 0
    if request.stt_device == "cuda":
        stt = stt_gpu_bytes(request.stt_model, request.cuda_context)
        reasons.append(
            f"STT on the GPU as asked: {mib(stt):.0f} MiB reserved (whisper model + its own "
            "CUDA context)"
        )
    kv_chain = _kv_chain(request, reasons)

    def plan(setting: Setting, fits: bool, device: str) -> Plan:
        return Plan(
            model=meta,
            request=request,
            fits=fits,
            n_gpu_layers=setting.n_gpu_layers,
            ctx=setting.ctx,
            kv_cache=setting.kv_cache,
            flash_attn=request.flash_attn,
            stt_device=device,
            budget=budget_for(meta, request, setting, stt),
            reasons=tuple(reasons),
        )

    ctx = request.ctx
    for step, kv in enumerate(kv_chain, start=1):
        full = Setting(meta.n_layer + 1, ctx, kv)
        total = budget_for(meta, request, full, stt).total
        if total <= gpu:
            return _place_stt(plan(full, True, request.stt_device or "cpu"))
        then = f"trying KV cache {kv_chain[step]}" if step < len(kv_chain) else "fewer layers"
        reasons.append(
            f"all {meta.n_layer} layers + output with ctx {ctx} and KV {kv} need "
            f"{mib(total):.0f} MiB > {mib(gpu):.0f} MiB: {then}"
        )
    kv = kv_chain[-1]
    device = request.stt_device or "cpu"
    while True:
        for n_gpu in range(meta.n_layer, 0, -1):
            partial = Setting(n_gpu, ctx, kv)
            if budget_for(meta, request, partial, stt).total <= gpu:
                reasons.append(
                    f"partial offload: {n_gpu} of {meta.n_layer} layers on the GPU, the rest and "
                    "the output layer on the CPU (slower generation)"
                )
                if request.stt_device is None:
                    reasons.append("STT on the CPU: the LLM needs the whole GPU")
                return plan(partial, True, device)
        smallest = Setting(1, ctx, kv)
        one = budget_for(meta, request, smallest, stt)
        if ctx <= MIN_CTX:
            reasons.append(_does_not_fit(one, ctx, gpu))
            return plan(smallest, False, device)
        new_ctx = max(MIN_CTX, ctx // 2)
        reasons.append(
            f"not even 1 layer fits with ctx {ctx} ({mib(one.total):.0f} MiB > {mib(gpu):.0f} "
            f"MiB): reducing the context to {new_ctx}"
        )
        ctx = new_ctx


def _does_not_fit(one: Budget, ctx: int, gpu: int) -> str:
    fixed = one.cuda_context + one.compute + one.headroom + one.stt
    stt = f" + STT {mib(one.stt):.0f}" if one.stt else ""
    return (
        f"does not fit: even 1 layer at ctx {ctx} needs {mib(one.total):.0f} MiB > "
        f"{mib(gpu):.0f} MiB (fixed costs: CUDA context {mib(one.cuda_context):.0f} + compute "
        f"{mib(one.compute):.0f} + headroom {mib(one.headroom):.0f}{stt} = {mib(fixed):.0f} "
        "MiB); run the LLM on the CPU (--n-gpu-layers 0) or free GPU memory"
    )


def _place_stt(plan: Plan) -> Plan:
    """With the LLM fully on the GPU, put the STT there too when it fits (unless told)."""
    request = plan.request
    if request.stt_device is not None:
        return plan
    need = stt_gpu_bytes(request.stt_model, request.cuda_context)
    if plan.spare >= need:
        reason = (
            f"STT on the GPU: its {mib(need):.0f} MiB (whisper {request.stt_model} int8 + CUDA "
            f"context) fit in the {mib(plan.spare):.0f} MiB left"
        )
        return replace(
            plan,
            stt_device="cuda",
            budget=replace(plan.budget, stt=need),
            reasons=(*plan.reasons, reason),
        )
    reason = (
        f"STT on the CPU: it would need {mib(need):.0f} MiB on the GPU, "
        f"{mib(plan.spare):.0f} MiB are left"
    )
    return replace(plan, stt_device="cpu", reasons=(*plan.reasons, reason))


def render_text(plan: Plan) -> str:
    """The plan as a human-readable table."""
    meta, budget, gpu = plan.model, plan.budget, plan.request.gpu_mem
    kv_heads = max(meta.n_head_kv)
    out = f"all {meta.n_layer}" if plan.full_offload else f"{plan.layers_on_gpu} of {meta.n_layer}"
    rows = [
        (
            f"weights ({out} layers{' + output' if plan.full_offload else ''})",
            budget.weights,
        ),
        (f"KV cache (ctx {plan.ctx}, {plan.kv_cache})", budget.kv_cache),
        ("compute buffer (estimate)", budget.compute),
        ("CUDA context", budget.cuda_context),
        (
            f"STT on GPU (whisper {plan.request.stt_model} int8 + CUDA context)"
            if plan.stt_device == "cuda"
            else "STT (on the CPU)",
            budget.stt,
        ),
        ("headroom", budget.headroom),
    ]
    lines = [
        f"VRAM plan for {meta.name} on a {mib(gpu):.0f} MiB GPU",
        f"  source: {meta.source}",
        f"  model: {meta.arch}, {meta.n_layer} layers, {meta.n_head} heads, {kv_heads} KV heads x "
        f"{meta.head_dim_k} head dim, embedding {meta.n_embd}, vocab {meta.n_vocab}",
        "",
    ]
    lines += [f"  {label:<58}{mib(size):>10.1f} MiB" for label, size in rows]
    lines.append(f"  {'total':<58}{mib(budget.total):>10.1f} MiB")
    verdict = (
        f"fits, {mib(plan.spare):.0f} MiB spare"
        if plan.fits
        else f"DOES NOT FIT: {mib(-plan.spare):.0f} MiB over"
    )
    lines += ["", f"  {verdict}"]
    if plan.fits:
        lines.append(f"  atlas-llm {' '.join(plan.llm_args())}")
        lines.append(f"  atlas-stt {' '.join(plan.stt_args())}")
    if plan.reasons:
        lines.append("  why:")
        lines += [f"    - {reason}" for reason in plan.reasons]
    return "\n".join(lines)
