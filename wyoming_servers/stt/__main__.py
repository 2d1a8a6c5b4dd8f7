"""``atlas-stt``: faster-whisper speech-to-text over Wyoming, for Home Assistant and satellites."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from functools import partial

import faster_whisper
from wyoming.info import AsrModel, AsrProgram, Attribution, Info

from .. import __version__, models
from ..cli import WyomingServer, add_common_arguments, limits_from_args, setup_logging
from ..protocol import KIB, MIB, Limits
from .engine import SETTLED_PAUSE_SECONDS, EngineConfig, SttEngine
from .handler import SttEventHandler, SttSettings

_LOGGER = logging.getLogger("atlas-stt")
# One audio chunk is small (HA sends ~1 KiB); 1 MiB leaves room for clients sending 1 s chunks.
DEFAULT_LIMITS = Limits(max_header_bytes=64 * KIB, max_data_bytes=64 * KIB, max_payload_bytes=MIB)


def build_parser() -> argparse.ArgumentParser:
    """Command-line flags of ``atlas-stt``."""
    parser = argparse.ArgumentParser(prog="atlas-stt", description=__doc__)
    add_common_arguments(
        parser, default_port=10300, zeroconf_name="atlas-stt", limits=DEFAULT_LIMITS
    )
    parser.add_argument(
        "--model",
        help="faster-whisper size (tiny, base, small, medium, large-v3, large-v3-turbo, …) or the "
        "path of a CTranslate2 model folder; default: the embedded whisper base",
    )
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    parser.add_argument(
        "--compute-type", default="int8", help="CTranslate2 compute type (default: int8)"
    )
    parser.add_argument("--beam-size", type=int, default=1, help="beam size (default: 1)")
    parser.add_argument(
        "--language",
        help="default language code (e.g. en) when the client sends none; default: detect",
    )
    parser.add_argument(
        "--cpu-threads",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="CPU threads per decode (default: min(4, CPU cores))",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="decodes that may run at the same time (default: 2)"
    )
    parser.add_argument(
        "--max-audio-seconds",
        type=float,
        default=60.0,
        help="longest utterance accepted; more gets an error event (default: 60)",
    )
    parser.add_argument(
        "--speculate-after",
        type=float,
        default=SETTLED_PAUSE_SECONDS,
        help="seconds of pause after speech before decoding speculatively, so the transcript is "
        f"ready at audio-stop (default: {SETTLED_PAUSE_SECONDS:g}, when the speech crop is final; "
        "the result is used only if the whole utterance crops the same; 0 disables)",
    )
    return parser


def build_info(engine: SttEngine) -> Info:
    """The ``info`` event: one ASR program with one model."""
    name = engine.config.model_name
    return Info(
        asr=[
            AsrProgram(
                name="atlas-stt",
                description="ATLAS speech-to-text (faster-whisper)",
                attribution=Attribution(
                    name="ATLAS", url="https://github.com/atlas-assistant/atlas"
                ),
                installed=True,
                version=__version__,
                supports_transcript_streaming=True,
                models=[
                    AsrModel(
                        name=name,
                        description=f"faster-whisper {name} ({engine.config.compute_type})",
                        attribution=Attribution(
                            name="OpenAI Whisper / Systran faster-whisper",
                            url="https://github.com/SYSTRAN/faster-whisper",
                        ),
                        installed=True,
                        languages=sorted(engine.languages),
                        version=faster_whisper.__version__,
                    )
                ],
            )
        ]
    )


async def serve(args: argparse.Namespace, engine: SttEngine) -> None:
    """Run the Wyoming server until SIGINT/SIGTERM."""
    settings = SttSettings(
        info=build_info(engine),
        max_audio_seconds=args.max_audio_seconds,
        speculate_after=args.speculate_after,
    )
    limits = limits_from_args(args)
    server = WyomingServer(
        args.uri,
        partial(SttEventHandler, limits=limits, engine=engine, settings=settings),
        limits,
        zeroconf_name=args.zeroconf,
        zeroconf_role="stt",
    )
    await server.serve_until_signalled()


def _fail(message: str) -> None:
    print(f"atlas-stt: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``atlas-stt``."""
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    if args.beam_size < 1 or args.workers < 1 or args.cpu_threads < 1:
        _fail("--beam-size, --workers and --cpu-threads must be at least 1")
    if args.max_audio_seconds <= 0:
        _fail("--max-audio-seconds must be positive")
    try:
        model = models.resolve(models.Kind.STT, args.model, args.data_dir)
    except models.ModelError as err:
        _fail(str(err))
    config = EngineConfig(
        model_path=model.path,
        model_name=model.name,
        device=args.device,
        compute_type=args.compute_type,
        beam_size=args.beam_size,
        cpu_threads=args.cpu_threads,
        workers=args.workers,
        language=args.language,
    )
    _LOGGER.info(
        "Loading %s from %s (%s, %s)", model.name, model.path, args.device, args.compute_type
    )
    try:
        engine = SttEngine(config)
        engine.warm_up()
    except (RuntimeError, ValueError, OSError) as err:
        _fail(f"cannot load the whisper model {model.path}: {str(err).strip().splitlines()[0]}")
    try:
        asyncio.run(serve(args, engine))
    finally:
        engine.close()


if __name__ == "__main__":
    main()
