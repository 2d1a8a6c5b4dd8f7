"""Reliability under load: 8 concurrent clients x 20 requests against each GPU-box server.

    .venv/bin/python benchmarks/reliability.py [--clients 8] [--requests 20] [--data-dir DIR]

Starts ``atlas-box`` on loopback ports with the models present (the bundled ones by default),
then for each server runs ``--clients`` concurrent clients that each send ``--requests``
requests one after another, and prints a table of requests, errors and latency percentiles.
Exit code 1 when any request failed. Every loop is bounded and everything stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.tts import Synthesize

from wyoming_servers.demo import Box, start_box, wait_box_ready

REQUEST_TIMEOUT = 120.0
SENTENCE = "Log twenty push-ups for today."


@dataclass
class Outcome:
    """What one server's load run produced."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _ask(port: int, events: list[Event], done: Callable[[Event], bool]) -> Event:
    async with AsyncTcpClient("127.0.0.1", port) as client:
        for event in events:
            await client.write_event(event)
        async with asyncio.timeout(REQUEST_TIMEOUT):
            while True:
                reply: Event | None = await client.read_event()
                if reply is None:
                    raise ConnectionError("server closed the connection")
                if reply.type == "error":
                    raise RuntimeError(f"error event: {reply.data}")
                if done(reply):
                    return reply


async def _synthesize(port: int) -> tuple[bytes, int]:
    audio = bytearray()
    rate = 22050
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Synthesize(text=SENTENCE).event())
        while (event := await client.read_event()) is not None:
            if AudioChunk.is_type(event.type):
                chunk = AudioChunk.from_event(event)
                rate = chunk.rate
                audio += chunk.audio
            elif AudioStop.is_type(event.type):
                break
    return bytes(audio), rate


def _requests(
    ports: dict[str, int], pcm: bytes, rate: int
) -> dict[str, Callable[[], Awaitable[None]]]:
    async def stt() -> None:
        chunks = [pcm[i : i + 4096] for i in range(0, len(pcm), 4096)]
        events = [
            Transcribe(language="en").event(),
            AudioStart(rate=rate, width=2, channels=1).event(),
        ]
        events += [AudioChunk(rate=rate, width=2, channels=1, audio=c).event() for c in chunks]
        events.append(AudioStop().event())
        reply = await _ask(ports["stt"], events, lambda e: Transcript.is_type(e.type))
        if "push" not in Transcript.from_event(reply).text.lower():
            raise RuntimeError(f"wrong transcript: {reply.data}")

    async def tts() -> None:
        await _ask(ports["tts"], [Synthesize(text=SENTENCE).event()],
                   lambda e: AudioStop.is_type(e.type))  # fmt: skip

    async def llm() -> None:
        request = {"messages": [{"role": "user", "content": SENTENCE}], "max_tokens": 4}
        reply = await _ask(ports["llm"], [Event("chat", request)], lambda e: e.type == "chat-stop")
        if reply.data.get("finish_reason") not in ("stop", "length"):
            raise RuntimeError(f"unexpected finish: {reply.data}")

    return {"atlas-stt": stt, "atlas-tts": tts, "atlas-llm": llm}


async def _load(name: str, request: Callable[[], Awaitable[None]], clients: int, n: int) -> Outcome:
    outcome = Outcome(name)

    async def client() -> None:
        for _ in range(n):
            started = time.perf_counter()
            try:
                await request()
            except Exception as err:  # every failure is counted and reported
                outcome.errors.append(f"{type(err).__name__}: {err}")
            else:
                outcome.latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client() for _ in range(clients)))
    return outcome


async def run(box: Box, clients: int, n: int) -> list[Outcome]:
    """The load runs, one server after another."""
    await wait_box_ready(box, time.monotonic() + 600)
    ports = box.ports
    pcm, rate = await _synthesize(ports["tts"])
    return [
        await _load(name, request, clients, n)
        for name, request in _requests(ports, pcm, rate).items()
    ]


def _table(outcomes: list[Outcome], clients: int, n: int) -> str:
    lines = [
        f"{clients} concurrent clients x {n} requests per server",
        "| server | requests | errors | p50 s | p95 s | max s |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        lat = sorted(o.latencies) or [0.0]
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        lines.append(f"| {o.name} | {len(o.latencies) + len(o.errors)} | {len(o.errors)} | "
                     f"{statistics.median(lat):.2f} | {p95:.2f} | {lat[-1]:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("ATLAS_DATA_DIR", ".atlas-data"))
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        box = start_box(args.data_dir, Path(tmp) / "atlas-box.log")
        try:
            outcomes = asyncio.run(run(box, args.clients, args.requests))
        finally:
            box.stop(60)
    print(_table(outcomes, args.clients, args.requests))
    for o in outcomes:
        for error in o.errors[:5]:
            print(f"{o.name}: {error}")
    sys.exit(1 if any(o.errors for o in outcomes) else 0)


if __name__ == "__main__":
    main()
