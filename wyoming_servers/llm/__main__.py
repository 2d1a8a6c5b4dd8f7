"""``atlas-llm``: a GGUF model over Wyoming (stock HA ``handle`` and the ATLAS chat extension)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from functools import partial
from typing import TYPE_CHECKING

from .. import models
from ..cli import WyomingServer, add_common_arguments, limits_from_args, setup_logging
from ..protocol import KIB, MIB, Limits
from .cpu_threads import physical_cores, usable_cores
from .prompts import DEFAULT_SYSTEM_PROMPT
from .weight_repack import CHOICES as REPACK_CHOICES

if TYPE_CHECKING:
    from .engine import LlamaEngine

# llama_cpp is imported only after --omp-wait-policy is applied (OpenMP reads it at load time).
KV_CACHE_TYPES = ("f16", "q4_0", "q8_0")

_LOGGER = logging.getLogger("atlas-llm")
DEFAULT_LIMITS = Limits(max_header_bytes=64 * KIB, max_data_bytes=2 * MIB, max_payload_bytes=0)


def build_parser() -> argparse.ArgumentParser:
    """Command-line flags of ``atlas-llm``."""
    parser = argparse.ArgumentParser(prog="atlas-llm", description=__doc__)
    add_common_arguments(
        parser, default_port=10400, zeroconf_name="atlas-llm", limits=DEFAULT_LIMITS
    )
    parser.add_argument(
        "--model",
        help="model name (qwen3-4b, llama-3.2-3b, gemma-3-270m) or GGUF path; default: qwen3-4b "
        "when downloaded, else the embedded Gemma 3 270M",
    )
    parser.add_argument(
        "--n-gpu-layers",
        type=int,
        default=-1,
        help="layers offloaded to the GPU; -1 (default): all (99) for a downloaded model on a GPU "
        "build of llama.cpp, 0 on CPU or for the embedded model",
    )
    parser.add_argument("--ctx", type=int, default=4096, help="context size in tokens (4096)")
    parser.add_argument(
        "--flash-attn",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="flash attention (default on; needed for a quantized KV cache)",
    )
    parser.add_argument(
        "--kv-cache",
        choices=("auto", *KV_CACHE_TYPES),
        default="auto",
        help="KV cache type; auto (default): q8_0 when layers run on the GPU (saves VRAM), f16 "
        "on the CPU (RAM is plentiful there and f16 attention is faster)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads; default: one per physical core with --adaptive-threads on the CPU, "
        "else llama.cpp's choice",
    )
    parser.add_argument(
        "--max-queue", type=int, default=8, help="requests that may wait; more get an error event"
    )
    parser.add_argument(
        "--prefix-snapshots",
        type=int,
        default=3,
        help="KV snapshots of recent long prompts kept in RAM (0 disables)",
    )
    parser.add_argument(
        "--max-tokens", type=int, default=2048, help="cap on max_tokens per request"
    )
    parser.add_argument(
        "--system-prompt", default=DEFAULT_SYSTEM_PROMPT, help="system prompt for plain transcripts"
    )
    parser.add_argument("--no-download", action="store_true", help="never download a missing model")
    parser.add_argument(
        "--adaptive-threads",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="on CPU, run llama.cpp on the cores other processes (STT, TTS, Home Assistant) "
        "leave free, re-checked four times a second (default on)",
    )
    parser.add_argument(
        "--cpu-weight-repack",
        choices=REPACK_CHOICES,
        default="auto",
        help="repack CPU-resident weights for llama.cpp's faster kernels (AMX, interleaved "
        "Q4_0); auto (default): off where the CPU reports AMX, whose kernels crash "
        "(SIGSEGV) in this llama.cpp, on elsewhere",
    )
    parser.add_argument(
        "--omp-wait-policy",
        choices=("default", "passive", "active"),
        default="default",
        help="how llama.cpp's CPU threads wait for work (OMP_WAIT_POLICY): default leaves the "
        "environment as it is (OpenMP spins briefly, then sleeps: fastest with "
        "--adaptive-threads); passive always sleeps; active always spins",
    )
    return parser


def resolve_model(args: argparse.Namespace) -> models.ResolvedModel:
    """The model to load; downloads a named catalogue model when it is missing."""
    try:
        return models.resolve(models.Kind.LLM, args.model, args.data_dir)
    except models.ModelError:
        spec = models.lookup(args.model) if args.model else None
        if spec is None or args.no_download:
            raise
        _LOGGER.info("Downloading %s into %s", spec.name, args.data_dir)
        models.download(spec.name, args.data_dir)
        return models.resolve(models.Kind.LLM, args.model, args.data_dir)


def kv_cache_type(requested: str, n_gpu_layers: int) -> str:
    """Apply the ``auto`` rule for ``--kv-cache``."""
    if requested != "auto":
        return requested
    return "q8_0" if n_gpu_layers > 0 else "f16"


def cpu_threads(args: argparse.Namespace, n_gpu_layers: int) -> int | None:
    """``--threads``, else one per physical core (within a cgroup quota) on a shared CPU."""
    threads: int | None = args.threads
    if threads is not None or not args.adaptive_threads or n_gpu_layers > 0:
        return threads
    usable = usable_cores()
    return min(physical_cores() or usable, usable)


def gpu_layers(requested: int, model: models.ResolvedModel) -> int:
    """Apply the ``-1`` (auto) rule for ``--n-gpu-layers``."""
    if requested >= 0:
        return requested
    import llama_cpp  # noqa: PLC0415 - heavy import, only when serving

    if model.embedded or not llama_cpp.llama_supports_gpu_offload():
        return 0
    return 99


async def serve(args: argparse.Namespace, engine: LlamaEngine, model_name: str) -> None:
    """Run the Wyoming server until SIGINT/SIGTERM."""
    from .handler import LlmEventHandler, LlmService  # noqa: PLC0415 - after the wait policy
    from .scheduler import Scheduler  # noqa: PLC0415

    scheduler = Scheduler(engine, max_queue=args.max_queue)
    scheduler.start()
    service = LlmService(
        scheduler, model_name, system_prompt=args.system_prompt, max_tokens_cap=args.max_tokens
    )
    limits = limits_from_args(args)
    server = WyomingServer(
        args.uri,
        partial(LlmEventHandler, limits=limits, service=service),
        limits,
        zeroconf_name=args.zeroconf,
        zeroconf_role="llm",
    )
    try:
        await server.serve_until_signalled()
    finally:
        await scheduler.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``atlas-llm``."""
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    if args.omp_wait_policy != "default":
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy.upper()
    from .engine import EngineConfig, LlamaEngine  # noqa: PLC0415 - after the wait policy

    try:
        model = resolve_model(args)
    except models.ModelError as err:
        print(f"atlas-llm: error: {err}", file=sys.stderr)
        sys.exit(2)
    n_gpu_layers = gpu_layers(args.n_gpu_layers, model)
    config = EngineConfig(
        model_path=model.path,
        model_name=model.name,
        n_ctx=args.ctx,
        n_gpu_layers=n_gpu_layers,
        flash_attn=args.flash_attn,
        kv_cache=kv_cache_type(args.kv_cache, n_gpu_layers),
        n_threads=cpu_threads(args, n_gpu_layers),
        prefix_snapshots=args.prefix_snapshots,
        adaptive_threads=args.adaptive_threads,
        cpu_weight_repack=args.cpu_weight_repack,
    )
    engine = LlamaEngine(config)
    try:
        asyncio.run(serve(args, engine, model.name))
    finally:
        engine.close()


if __name__ == "__main__":
    main()
