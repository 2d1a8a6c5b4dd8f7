"""``atlas-tts``: the Piper text-to-speech Wyoming server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from functools import partial

from ..cli import (
    WyomingServer,
    add_common_arguments,
    limits_from_args,
    setup_logging,
)
from ..models import EMBEDDED_TTS, Kind, ModelError, resolve
from ..protocol import KIB, Limits
from .engine import PiperEngine, VoiceOptions
from .handler import TtsEventHandler, TtsSettings

_LOGGER = logging.getLogger("atlas-tts")
DEFAULT_PORT = 10200
ZEROCONF_NAME = "atlas-tts"
# Text arrives in event data; a TTS client never sends a payload.
DEFAULT_LIMITS = Limits(max_payload_bytes=64 * KIB)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {number}")
    return number


def default_workers() -> int:
    """One Piper run at a time per eight cores (each run uses several), between 1 and 4."""
    return max(1, min(4, (os.cpu_count() or 1) // 8))


def build_parser() -> argparse.ArgumentParser:
    """The ``atlas-tts`` command line."""
    parser = argparse.ArgumentParser(
        prog="atlas-tts", description="Piper text to speech over Wyoming, sentence by sentence."
    )
    add_common_arguments(
        parser, default_port=DEFAULT_PORT, zeroconf_name=ZEROCONF_NAME, limits=DEFAULT_LIMITS
    )
    parser.add_argument(
        "--voice",
        help=f"Piper voice name (e.g. en_US-lessac-medium, downloaded into --data-dir) or path "
        f"to a .onnx with its .onnx.json beside it (default: the bundled {EMBEDDED_TTS})",
    )
    parser.add_argument("--speaker", help="speaker name or id for a multi-speaker voice")
    parser.add_argument("--length-scale", type=float, help="phoneme length (>1 is slower)")
    parser.add_argument("--noise-scale", type=float, help="generator noise")
    parser.add_argument("--noise-w-scale", "--noise-w", type=float, help="phoneme width noise")
    parser.add_argument(
        "--samples-per-chunk", type=_positive, default=1024, help="samples per audio-chunk event"
    )
    parser.add_argument(
        "--max-text-chars",
        type=_positive,
        default=5000,
        help="longest text accepted per synthesize request or stream (default: 5000)",
    )
    parser.add_argument(
        "--first-fragment-words",
        type=_non_negative,
        default=3,
        help="in a stream, speak the first words before the first sentence is complete: at a "
        "comma or after this many words (0: wait for the end of the sentence; default: 3)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=default_workers(),
        help="Piper runs at once across all connections; each run already uses several cores, "
        "waiting sentences are served earliest-deadline-first (default: CPU cores / 8, 1 to 4: "
        f"{default_workers()} here)",
    )
    parser.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="ONNX Runtime device; auto uses CUDA when onnxruntime-gpu offers it (default: auto)",
    )
    return parser


def _use_cuda(device: str) -> bool:
    if device == "cpu":
        return False
    import onnxruntime  # noqa: PLC0415 - only needed to pick the device

    available = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    if device == "cuda" and not available:
        raise ModelError("--device cuda: this onnxruntime has no CUDA provider (onnxruntime-gpu)")
    return available


def main(argv: list[str] | None = None) -> None:
    """Load the voice and serve until SIGINT/SIGTERM."""
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    try:
        model = resolve(Kind.TTS, args.voice, args.data_dir)
        cuda = _use_cuda(args.device)
        _LOGGER.info("Loading Piper voice %s from %s (%s)", model.name, model.path,
                     "cuda" if cuda else "cpu")  # fmt: skip
        engine = PiperEngine.load(
            model.name,
            model.path,
            VoiceOptions(args.speaker, args.length_scale, args.noise_scale, args.noise_w_scale),
            workers=args.workers,
            cuda=cuda,
        )
    except ModelError as err:
        sys.exit(f"atlas-tts: {err}")

    limits = limits_from_args(args)
    settings = TtsSettings(
        samples_per_chunk=args.samples_per_chunk,
        max_text_chars=args.max_text_chars,
        first_fragment_words=args.first_fragment_words,
    )
    server = WyomingServer(
        args.uri,
        partial(_handler, limits=limits, engine=engine, settings=settings),
        limits,
        zeroconf_name=args.zeroconf,
        zeroconf_role="tts",
    )
    try:
        asyncio.run(server.serve_until_signalled())
    except KeyboardInterrupt:
        pass
    finally:
        engine.close()


def _handler(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    limits: Limits,
    engine: PiperEngine,
    settings: TtsSettings,
) -> TtsEventHandler:
    return TtsEventHandler(reader, writer, limits, engine, settings)


if __name__ == "__main__":
    main()
