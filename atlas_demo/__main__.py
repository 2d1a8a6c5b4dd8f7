"""``atlas-demo``: start the GPU box and a real Home Assistant, speak the morning request through
its Assist pipeline (atlas-stt → ATLAS agent → atlas-tts), print what happened, shut down.

``--direct`` runs the servers-only demo of :mod:`wyoming_servers.demo` instead (no Home
Assistant; for a GPU box without it).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wyoming_servers.cli import default_data_dir
from wyoming_servers.demo import MORNING, Box, speak, start_box, wait_box_ready
from wyoming_servers.processes import free_port

if TYPE_CHECKING:
    from .hass import HassProcess

TIMEOUT = 600.0
MORNING_INTENT = "prepare_workout"  # what the agent must understand of MORNING


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atlas-demo", description=__doc__)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="models directory for atlas-box (default: $ATLAS_DATA_DIR or ~/.local/share/atlas)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("atlas-demo-reply.wav"),
        help="reply audio file; the suffix follows what Home Assistant serves (.mp3 or .wav)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="give up after this many seconds (600)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary Home Assistant config dir"
    )
    parser.add_argument(
        "--direct", action="store_true", help="talk to the servers without Home Assistant"
    )
    parser.add_argument(
        "--say", default=MORNING, help="what the satellite says (default: the morning request)"
    )
    parser.add_argument(
        "--expect",
        default=MORNING_INTENT,
        help=f"the intent the turn must be understood as (default {MORNING_INTENT}); any other "
        "outcome exits 1",
    )
    return parser


async def _demo(
    deadline: float, box: Box, hass: HassProcess, out: Path, *, said: str, expect: str
) -> dict[str, Any]:
    """Wait for both, wire the box into Home Assistant, run the spoken turn."""
    import aiohttp  # noqa: PLC0415

    from .api import HassApi  # noqa: PLC0415
    from .assist import add_box, create_pipeline, failed_stage, run_voice_turn  # noqa: PLC0415

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        await wait_box_ready(box, deadline)
        await hass.wait_http(session, deadline)
        token = await hass.create_token(session)
        await hass.wait_running(session, token, deadline)
        hass.check_loopback_only()
        api = HassApi(session, hass.url, token)
        await api.connect()
        try:
            engines = await add_box(api, box.ports, deadline)
            pipeline = await create_pipeline(api, engines)
            pcm, rate, _ = await speak(box.ports["tts"], said)
            ready = time.monotonic() - started
            result = await run_voice_turn(api, pipeline["id"], pcm, rate, out)
            hass.check_loopback_only()
        finally:
            await api.close()
    summary = {
        "said": said,
        **result,
        "pipeline": {
            "stt": engines.stt,
            "conversation": engines.conversation,
            "tts": engines.tts,
            "tts_language": pipeline["tts_language"],
            "tts_voice": pipeline["tts_voice"],
        },
        "model": engines.model,
        "startup_s": round(ready, 1),
    }
    if (problem := failed_stage(summary, expect)) is not None:
        raise TurnFailed(problem, summary)
    return summary


class TurnFailed(Exception):
    """The spoken turn ran but did not do its job; ``result`` is what came back."""

    def __init__(self, problem: str, result: dict[str, Any]) -> None:
        super().__init__(problem)
        self.result = result


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _print(result: dict[str, Any]) -> None:
    latency = result["latency_s"]
    atlas = result["atlas_timings_ms"]
    rows = [
        ("model", result["model"]),
        ("pipeline", " → ".join(result["pipeline"][k] for k in ("stt", "conversation", "tts"))),
        ("said", result["said"]),
        ("transcript", result["transcript"]),
        ("intent", f"{result['intent']} (confidence {result['confidence']}, understood by "
                   f"{result['understood_by']})"),
        ("slots", json.dumps(result["slots"])),
        ("route", f"{result['route']} ({result['route_reason']}), answered by "
                  f"{result['answered_by']}"),
        ("tools", ", ".join(result["tools"]) or "none"),
        ("speech guard", result.get("speech") or "nothing cut"),
        ("reply", result["reply"]),
        ("reply audio", f"{result['reply_audio']} ({result['reply_audio_mime']}, "
                        f"{result['reply_audio_seconds']} s)"),
        ("latency (s)", f"STT {latency['stt']} · LLM first token {latency['llm_ttft']} · "
                        f"first audio {latency['first_audio']} · total {latency['total']}"),
        ("", f"agent turn {latency['agent']} (structured pass {atlas.get('structured')} ms, "
             f"agent first token {atlas.get('ttft')} ms)"),
        ("start-up (s)", result["startup_s"]),
    ]  # fmt: skip
    for label, value in rows:
        print(f"{label:<13}{value}")


def _run_with_hass(args: argparse.Namespace) -> dict[str, Any] | None:
    """The demo with a temporary Home Assistant; everything stopped and removed afterwards."""
    from .hass import DemoError, HassProcess  # noqa: PLC0415

    workdir = Path(tempfile.mkdtemp(prefix="atlas-demo-"))
    box: Box | None = None
    hass: HassProcess | None = None
    try:
        hass = HassProcess(workdir / "config", free_port())
        box = start_box(args.data_dir.resolve(), workdir / "atlas-box.log")
        hass.start()
        demo = _demo(
            time.monotonic() + args.timeout,
            box,
            hass,
            args.out.resolve(),
            said=args.say,
            expect=args.expect,
        )
        return asyncio.run(asyncio.wait_for(demo, args.timeout))
    except Exception as err:  # one clear line, then the logs that explain it
        if isinstance(err, TimeoutError):
            message = f"timed out after {args.timeout:.0f} s"
        elif isinstance(err, DemoError):
            message = str(err)
        elif isinstance(err, TurnFailed):
            message = f"the spoken turn failed at {err}"
            if args.json:
                print(json.dumps(err.result, indent=2, ensure_ascii=False))
        else:
            message = f"{type(err).__name__}: {err}"
        print(f"atlas-demo: error: {message}", file=sys.stderr)
        for name, path in (("Home Assistant", workdir / "config" / "hass.out"),
                           ("atlas-box", workdir / "atlas-box.log")):  # fmt: skip
            if tail := _tail(path):
                print(f"--- {name} log, last lines ---\n{tail}", file=sys.stderr)
        return None
    finally:
        if hass is not None:
            hass.stop()
        if box is not None:
            box.stop()
        if args.keep:
            print(f"atlas-demo: kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``atlas-demo``."""
    args = _parser().parse_args(argv)
    if args.direct:
        from wyoming_servers import demo  # noqa: PLC0415

        demo.main(
            ["--data-dir", str(args.data_dir), "--out", str(args.out)]
            + (["--json"] if args.json else [])
        )
        return
    if importlib.util.find_spec("homeassistant") is None:
        sys.exit(
            "atlas-demo: Home Assistant is not installed here (Python 3.14 + homeassistant; "
            "scripts/atlas demo sets it up); --direct runs the servers without it"
        )
    result = _run_with_hass(args)
    if result is None:
        sys.exit(1)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print(result)


if __name__ == "__main__":
    main()
