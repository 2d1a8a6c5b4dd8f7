"""Streaming TTS latency: atlas-tts against wyoming-piper 2.5.2, same voice, same run.

Each reply (three sentences) is streamed to the server the way Home Assistant streams an LLM
answer: ``synthesize-start``, one ``synthesize-chunk`` per word every 25 ms (about 40 tokens/s),
the whole text again as a plain ``synthesize`` (HA does that for old servers), ``synthesize-stop``.
Measured from ``synthesize-start``: time to the first ``audio-chunk`` (TTFA) and to
``synthesize-stopped`` (total); also the playback stalls a player starting at the first chunk
would hear. Servers are measured one after another, interleaved per repetition; the first request
to each server is reported separately (cold). A last round streams ``--concurrent`` replies at
once to each server.

Three servers run from the same bundled ``en_US-joe-medium`` voice file:

* ``atlas``: ``python -m wyoming_servers.tts`` with its defaults (the first words of a stream are
  spoken before the first sentence is complete, ``--first-fragment-words 3``);
* ``atlas-sent``: the same with ``--first-fragment-words 0`` (whole sentences only);
* ``peer``: ``wyoming-piper==2.5.2``, installed into ``.peers/tts-venv`` on first use.

Usage: ``.venv/bin/python -m benchmarks.tts [--reps 7] [--interval 0.025] [--concurrent 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from wyoming_servers.models import embedded_piper

from ._support import DATA_DIR, REPO, connect, free_port, running

PEER_SPEC = "wyoming-piper==2.5.2"
PEER_VENV = REPO / ".peers" / "tts-venv"
PEER_DATA = REPO / ".peers" / "tts-data"
VOICE = "en_US-joe-medium"
RATE = 22050

REPLIES = (
    "I've turned off the lights in the living room and the kitchen. The thermostat is now set "
    "to twenty one degrees. Let me know if you need anything else.",
    "Sure. The front door is locked and the garage door is closed. Have a good night!",
    "It is eighteen degrees and cloudy outside, with light rain expected this evening. "
    "Tomorrow will be sunny with a high of twenty four. Don't forget your umbrella tonight.",
)


# --- servers ------------------------------------------------------------------------------------


def ensure_peer() -> Path:
    """The peer's python, installing wyoming-piper into its own venv when missing."""
    python = PEER_VENV / "bin" / "python"
    check = [str(python), "-c", "import importlib.metadata as m; print(m.version('wyoming-piper'))"]
    wanted = PEER_SPEC.split("==")[1]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True, check=False).stdout.strip()
        if found == wanted:
            return python
    print(f"Installing {PEER_SPEC} into {PEER_VENV} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", PEER_SPEC], check=True)
    return python


def peer_data_dir() -> Path:
    """A data dir where the peer finds the bundled voice under its catalogue name."""
    model = embedded_piper()
    PEER_DATA.mkdir(parents=True, exist_ok=True)
    for source in (model, model.with_name(model.name + ".json")):
        link = PEER_DATA / source.name
        if not link.exists():
            link.symlink_to(source)
    return PEER_DATA


@dataclass
class Server:
    """A server under test."""

    name: str
    port: int


def server_commands(peer_python: Path) -> dict[str, tuple[list[str], int]]:
    """name -> (command line, port)."""
    commands: dict[str, tuple[list[str], int]] = {}
    for name, extra in (("atlas", []), ("atlas-sent", ["--first-fragment-words", "0"])):
        port = free_port()
        commands[name] = (
            [sys.executable, "-m", "wyoming_servers.tts", "--uri", f"tcp://127.0.0.1:{port}",
             "--data-dir", str(DATA_DIR), *extra],
            port,
        )  # fmt: skip
    port = free_port()
    commands["peer"] = (
        [str(peer_python), "-m", "wyoming_piper", "--uri", f"tcp://127.0.0.1:{port}",
         "--voice", VOICE, "--data-dir", str(peer_data_dir())],
        port,
    )  # fmt: skip
    return commands


# --- one streamed reply -------------------------------------------------------------------------


@dataclass
class Result:
    """Seconds: TTFA and total from ``synthesize-start``; ``stall``: playback gaps."""

    ttfa: float
    total: float
    after_stop: float
    audio: float
    stall: float


def tokens(text: str) -> list[str]:
    """One token per word, the space in front, as an LLM streams them."""
    first, *rest = text.split(" ")
    return [first, *(f" {word}" for word in rest)]


async def stream_reply(port: int, text: str, interval: float) -> Result:
    """Stream ``text`` word by word and time the audio that comes back."""
    async with connect(port) as conn:
        t0 = time.perf_counter()
        await conn.send(SynthesizeStart().event())

        async def send_text() -> float:
            for i, token in enumerate(tokens(text)):
                await asyncio.sleep(max(0.0, t0 + i * interval - time.perf_counter()))
                await conn.send(SynthesizeChunk(text=token).event())
            await conn.send(Synthesize(text=text).event())
            await conn.send(SynthesizeStop().event())
            return time.perf_counter()

        sender = asyncio.create_task(send_text())
        first: float | None = None
        audio = 0
        # A player that starts at the first chunk: how long would it wait for audio mid-reply?
        played_until = stall = 0.0
        while True:
            event = await conn.recv(timeout=120)
            if event is None:
                raise RuntimeError("server closed the connection")
            if event.type == "error":
                raise RuntimeError(f"server error: {event.data}")
            if event.type == "audio-chunk":
                now = time.perf_counter()
                first = first or now
                if played_until and now > played_until:
                    stall += now - played_until
                played_until = max(played_until, now) + len(event.payload or b"") / 2 / RATE
                audio += len(event.payload or b"")
            elif event.type == "synthesize-stopped":
                break
        end = time.perf_counter()
        stop_sent = await sender
    if first is None:
        raise RuntimeError("no audio")
    return Result(first - t0, end - t0, end - stop_sent, audio / 2 / RATE, stall)


async def concurrent_replies(port: int, texts: tuple[str, ...], interval: float) -> list[Result]:
    """Stream several replies at once, on separate connections."""
    return list(await asyncio.gather(*(stream_reply(port, t, interval) for t in texts)))


# --- report -------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value * 1000:7.0f}"


def median(results: list[Result], field: str) -> float:
    return float(statistics.median(float(getattr(r, field)) for r in results))


def print_table(
    title: str, rows: dict[str, dict[str, list[Result]]], names: list[str], field: str
) -> None:
    print(f"\n{title} (median ms)")
    head = "".join(f"{n:>12}" for n in names)
    print(f"{'reply':<8}{head}{'atlas/peer':>12}{'sent/peer':>12}")
    for row, by_server in rows.items():
        values = {n: median(by_server[n], field) for n in names}
        cells = "".join(f"{ms(values[n]):>12}" for n in names)
        peer = values["peer"]
        ratios = (values["atlas"] / peer, values["atlas-sent"] / peer) if peer else (0.0, 0.0)
        text = "".join(f"{r:>12.2f}" if peer else f"{'-':>12}" for r in ratios)
        print(f"{row:<8}{cells}{text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="repetitions per reply and server")
    parser.add_argument("--interval", type=float, default=0.025, help="seconds between words")
    parser.add_argument("--concurrent", type=int, default=3, help="streams at once (0: skip)")
    args = parser.parse_args()

    peer_python = ensure_peer()
    commands = server_commands(peer_python)
    names = list(commands)
    with ExitStack() as stack:
        log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tts-bench-")))
        for name, (cmd, port) in commands.items():
            stack.enter_context(running(name, cmd, port, log_dir / f"{name}.log"))
        servers = [Server(name, port) for name, (_cmd, port) in commands.items()]
        print(f"servers: {', '.join(f'{s.name} :{s.port}' for s in servers)}; voice {VOICE}")
        print(
            f"{len(REPLIES)} replies x {args.reps} reps, a word every {args.interval * 1000:.0f} ms"
        )

        cold = {
            s.name: asyncio.run(stream_reply(s.port, REPLIES[0], args.interval)) for s in servers
        }
        warm: dict[str, dict[str, list[Result]]] = {
            f"#{i + 1}": {s.name: [] for s in servers} for i in range(len(REPLIES))
        }
        for _ in range(args.reps):
            for i, text in enumerate(REPLIES):
                for server in servers:
                    result = asyncio.run(stream_reply(server.port, text, args.interval))
                    warm[f"#{i + 1}"][server.name].append(result)
        warm["all"] = {
            s.name: [r for row in list(warm.values()) for r in row[s.name]] for s in servers
        }

        busy: dict[str, dict[str, list[Result]]] = {}
        if args.concurrent > 0:
            texts = tuple(REPLIES[i % len(REPLIES)] for i in range(args.concurrent))
            busy[f"{args.concurrent}x"] = {s.name: [] for s in servers}
            for _ in range(max(1, args.reps // 2)):
                for server in servers:
                    results = asyncio.run(concurrent_replies(server.port, texts, args.interval))
                    busy[f"{args.concurrent}x"][server.name].extend(results)

    print(
        "\ncold first request, TTFA ms: "
        + ", ".join(f"{n} {ms(cold[n].ttfa).strip()}" for n in names)
    )
    print_table("Time to first audio chunk", warm, names, "ttfa")
    print_table("Total: synthesize-start to synthesize-stopped", warm, names, "total")
    print_table("Tail: synthesize-stop sent to synthesize-stopped", warm, names, "after_stop")
    print_table("Playback stalls after the first chunk", warm, names, "stall")
    if busy:
        print_table(f"TTFA with {args.concurrent} concurrent streams", busy, names, "ttfa")
        print_table(f"Total with {args.concurrent} concurrent streams", busy, names, "total")
        print_table(
            f"Playback stalls with {args.concurrent} concurrent streams", busy, names, "stall"
        )
    audio = {n: median(warm["all"][n], "audio") for n in names}
    print("\nmedian audio per reply, s: " + ", ".join(f"{n} {audio[n]:.2f}" for n in names))


if __name__ == "__main__":
    main()
