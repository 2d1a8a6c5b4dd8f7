"""``atlas-box``: the whole ATLAS GPU box from one command.

``atlas-box [run]`` starts atlas-stt (port 10300), atlas-tts (10200) and atlas-llm (10400) as
supervised child processes, from flags or a TOML file (``--config``; flags win; the format is in
:mod:`wyoming_servers.box.config` and ``docs/vram-planner.md``). ``atlas-box plan`` prints the
GPU memory budget and the llama.cpp settings that fit; ``atlas-box download`` fetches models.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from .. import __version__, models
from ..cli import default_data_dir, setup_logging
from ..llm.weight_repack import CHOICES as REPACK_CHOICES
from .config import BoxConfig, ConfigError, gpu_mem_bytes, load_config
from .downloads import catalogue_text, download_models
from .gguf_info import ModelInfoError, load_model_meta
from .runner import run_box
from .vram_plan import (
    DEFAULT_HEADROOM_BYTES,
    KV_TYPES,
    PlanError,
    PlanRequest,
    make_plan,
    parse_size,
    render_text,
)

COMMANDS = ("run", "plan", "download")


def _add_data_dir(parser: argparse.ArgumentParser, default: Path | None) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="directory holding downloaded models (default: $ATLAS_DATA_DIR or "
        "~/.local/share/atlas)",
    )


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="start and supervise the servers (the default command)")
    run.add_argument("--config", type=Path, help="TOML settings file (flags override it)")
    run.add_argument("--host", help="address every server listens on (default 0.0.0.0)")
    run.add_argument("--stt-port", type=int, help="atlas-stt port (default 10300)")
    run.add_argument("--tts-port", type=int, help="atlas-tts port (default 10200)")
    run.add_argument("--llm-port", type=int, help="atlas-llm port (default 10400)")
    run.add_argument(
        "--zeroconf",
        action="store_true",
        default=None,
        help="advertise each server over zeroconf (atlas-stt, atlas-tts, atlas-llm)",
    )
    _add_data_dir(run, None)
    run.add_argument("--gpu-mem", help="plan the LLM's GPU offload for this much VRAM, e.g. 4GiB")
    run.add_argument("--model", help="LLM: catalogue name or GGUF path")
    run.add_argument("--ctx", type=int, help="LLM context size (default 4096)")
    run.add_argument("--kv-cache", choices=KV_TYPES, help="LLM KV cache type (default q8_0)")
    run.add_argument(
        "--cpu-weight-repack",
        choices=REPACK_CHOICES,
        help="LLM: repack CPU weights for llama.cpp's fast kernels; auto (default) turns it "
        "off on AMX CPUs, where it crashes",
    )
    run.add_argument("--stt-model", help="STT: faster-whisper size or model folder")
    run.add_argument("--stt-device", choices=("cpu", "cuda"), help="STT device")
    run.add_argument("--voice", help="TTS: Piper voice name or .onnx path")
    for name in ("llm", "stt", "tts"):
        run.add_argument(f"--no-{name}", action="store_true", help=f"do not run atlas-{name}")
    run.add_argument(
        "--stop-timeout", type=float, help="seconds from SIGTERM to SIGKILL on stop (default 10)"
    )
    run.add_argument(
        "--max-restarts", type=int, help="quick crashes in a row before giving a server up (5)"
    )
    run.add_argument("--debug", action="store_true", default=None, help="log at DEBUG level")


def _add_plan(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = sub.add_parser(
        "plan",
        help="print the VRAM budget and the LLM settings that fit a GPU",
        description="Exit code 0 when the plan fits, 1 when it does not.",
    )
    plan.add_argument("--gpu-mem", required=True, help="GPU memory, e.g. 4GiB, 6GB, 8192MiB")
    plan.add_argument(
        "--model",
        default=models.DEFAULT_LLM,
        help=f"catalogue name or GGUF path (default {models.DEFAULT_LLM}; a catalogue model "
        "need not be downloaded)",
    )
    plan.add_argument("--ctx", type=int, default=4096, help="context size (default 4096)")
    plan.add_argument("--kv-cache", choices=KV_TYPES, default="q8_0", help="KV cache type")
    plan.add_argument(
        "--flash-attn",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="flash attention (default on; needed for a quantized KV cache)",
    )
    plan.add_argument(
        "--stt-device",
        choices=("cpu", "cuda"),
        help="where the STT runs (default: on the GPU if it fits after the LLM)",
    )
    plan.add_argument("--stt-model", default=models.EMBEDDED_STT, help="faster-whisper size")
    plan.add_argument(
        "--headroom",
        default=f"{DEFAULT_HEADROOM_BYTES >> 20}MiB",
        help="memory kept free (default 256MiB)",
    )
    plan.add_argument("--json", action="store_true", help="print JSON")
    _add_data_dir(plan, default_data_dir())


def _add_download(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    download = sub.add_parser("download", help="download models into the data directory")
    download.add_argument("names", nargs="*", metavar="NAME", help="catalogue model names")
    download.add_argument("--list", action="store_true", help="show the catalogue")
    _add_data_dir(download, default_data_dir())


def build_parser() -> argparse.ArgumentParser:
    """``atlas-box`` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="atlas-box",
        description="Run the ATLAS GPU box (atlas-stt, atlas-tts, atlas-llm) from one command, "
        "plan its GPU memory, and download models. Without a command: run.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", metavar="{run,plan,download}")
    _add_run(sub)
    _add_plan(sub)
    _add_download(sub)
    return parser


def config_from_args(args: argparse.Namespace) -> BoxConfig:
    """Defaults, then ``--config``, then flags."""
    config = BoxConfig.defaults()
    if args.config is not None:
        config = load_config(args.config, config)
    if args.host is not None:
        config.host = args.host
    if args.data_dir is not None:
        config.data_dir = args.data_dir
    if args.gpu_mem is not None:
        config.gpu_mem = gpu_mem_bytes(args.gpu_mem)
    if args.debug:
        config.debug = True
    if args.stop_timeout is not None:
        config.stop_timeout = args.stop_timeout
    if args.max_restarts is not None:
        config.max_restarts = args.max_restarts
    servers = config.servers
    for name in ("stt", "tts", "llm"):
        port = getattr(args, f"{name}_port")
        if port is not None:
            if not 0 < port < 65536:
                raise ConfigError(f"--{name}-port must be 1-65535")
            servers[name].port = port
        if getattr(args, f"no_{name}"):
            servers[name].enabled = False
        if args.zeroconf:
            servers[name].zeroconf = servers[name].zeroconf_name
    flag_options = (
        ("llm", "model", args.model),
        ("llm", "ctx", args.ctx),
        ("llm", "kv_cache", args.kv_cache),
        ("llm", "cpu_weight_repack", args.cpu_weight_repack),
        ("stt", "model", args.stt_model),
        ("stt", "device", args.stt_device),
        ("tts", "voice", args.voice),
    )
    for server, key, value in flag_options:
        if value is not None:
            servers[server].options[key] = value
    return config


def _plan(args: argparse.Namespace) -> int:
    try:
        request = PlanRequest(
            gpu_mem=parse_size(args.gpu_mem),
            ctx=args.ctx,
            kv_cache=args.kv_cache,
            flash_attn=args.flash_attn,
            stt_device=args.stt_device,
            stt_model=args.stt_model,
            headroom=parse_size(args.headroom),
        )
        meta = load_model_meta(args.model, args.data_dir)
        plan = make_plan(meta, request)
    except (PlanError, ModelInfoError, models.ModelError) as err:
        print(f"atlas-box plan: error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(plan.to_json(), indent=2) if args.json else render_text(plan))
    return 0 if plan.fits else 1


def _download(args: argparse.Namespace) -> int:
    if args.list:
        print(catalogue_text(args.data_dir))
        return 0
    if not args.names:
        print("atlas-box download: give model names or --list", file=sys.stderr)
        return 2
    return download_models(args.names, args.data_dir)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``atlas-box`` arguments; without a sub-command, ``run`` is meant."""
    argv = list(argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "run")
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``atlas-box``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "plan":
        sys.exit(_plan(args))
    if args.command == "download":
        sys.exit(_download(args))
    try:
        config = config_from_args(args)
        setup_logging(config.debug)
        code = asyncio.run(run_box(config))
    except ConfigError as err:
        print(f"atlas-box: error: {err}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:  # before the servers started: nothing to stop
        sys.exit(130)
    sys.exit(code)


if __name__ == "__main__":
    main()
