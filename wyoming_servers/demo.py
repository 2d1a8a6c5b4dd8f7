"""``atlas-demo --direct``: the GPU box end to end on one machine, without Home Assistant.

Starts ``atlas-box`` (STT, TTS and LLM) on loopback ports with the best models present (the
embedded small models when nothing was downloaded), speaks the morning request with atlas-tts,
transcribes it with atlas-stt, extracts intent and slots with a grammar-constrained atlas-llm
request, streams a reply, speaks the reply into a WAV file and prints the latency breakdown.
The box helpers here (:func:`start_box`, :func:`wait_box_ready`, :func:`speak`) also serve the
Home Assistant demo in :mod:`atlas_demo`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.tts import Synthesize

from .cli import default_data_dir
from .llm import chat_protocol
from .processes import free_port, stop_process

MORNING = (
    "ATLAS, prepare my morning workout for Monday. Check Garmin for recovery, my shoulder is "
    "sore, include yoga and calisthenics."
)
INTENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {
            "enum": ["prepare_workout", "log_workout", "set_reminder", "recovery_status",
                     "quick_answer", "device_control", "other"]
        },
        "day": {"enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                         "sunday", "today", "tomorrow", "none"]},
        "time_of_day": {"enum": ["morning", "afternoon", "evening", "none"]},
        "types": {"type": "array", "items": {"enum": ["yoga", "calisthenics", "running",
                                                      "strength", "mobility"]}, "maxItems": 4},
        "injury": {"enum": ["shoulder", "knee", "back", "wrist", "none"]},
        "data_source": {"enum": ["garmin", "none"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["intent", "day", "time_of_day", "types", "injury", "data_source", "confidence"],
}  # fmt: skip
EXTRACT_PROMPT = (
    "Extract the user's intent and slots as JSON. Use lowercase values. "
    "Example: 'Log 20 pushups' -> "
    '{"intent": "log_workout", "day": "today", "time_of_day": "none", "types": ["strength"], '
    '"injury": "none", "data_source": "none", "confidence": 0.9}'
)


@dataclass
class Box:
    """A running ``atlas-box`` child process and its servers' loopback ports."""

    process: subprocess.Popen[bytes]
    ports: dict[str, int]

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, then wait (SIGKILL after ``timeout`` seconds)."""
        stop_process(self.process, timeout)


def start_box(data_dir: Path, log_path: Path | None = None) -> Box:
    """Start ``atlas-box run`` on free loopback ports; its logs go to ``log_path`` if given."""
    ports = {"stt": free_port(), "tts": free_port(), "llm": free_port()}
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(log_path.open("wb")) if log_path is not None else None
        process = subprocess.Popen(
            [sys.executable, "-m", "wyoming_servers.box", "run", "--host", "127.0.0.1",
             "--stt-port", str(ports["stt"]), "--tts-port", str(ports["tts"]),
             "--llm-port", str(ports["llm"]), "--data-dir", str(data_dir)],
            stdout=log,
            stderr=None if log is None else subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    return Box(process, ports)


async def wait_box_ready(box: Box, deadline: float) -> None:
    """Wait until every server answers ``describe`` (``deadline`` on the monotonic clock)."""
    for port in box.ports.values():
        await _wait_ready(box, port, deadline)


@dataclass
class Timings:
    """Seconds spent per stage."""

    tts_input: float = 0.0
    stt: float = 0.0
    intent: float = 0.0
    llm_ttft: float = 0.0
    llm_total: float = 0.0
    first_audio: float = 0.0
    total: float = 0.0


async def _wait_ready(box: Box, port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        if box.process.poll() is not None:
            raise RuntimeError(f"atlas-box exited with code {box.process.returncode}")
        try:
            async with AsyncTcpClient("127.0.0.1", port) as client:
                await client.write_event(Describe().event())
                if await asyncio.wait_for(client.read_event(), 5) is not None:
                    return
        except (OSError, TimeoutError):
            await asyncio.sleep(0.5)
    raise TimeoutError(f"server on port {port} did not start in time")


async def speak(port: int, text: str) -> tuple[bytes, int, float]:
    """Synthesize ``text``; return PCM, sample rate and seconds to the first chunk."""
    started = time.perf_counter()
    first = 0.0
    audio = bytearray()
    rate = 22050
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Synthesize(text=text).event())
        while True:
            event = await asyncio.wait_for(client.read_event(), 120)
            if event is None or event.type == chat_protocol.ERROR:
                raise RuntimeError(f"atlas-tts failed: {event and event.data}")
            if AudioChunk.is_type(event.type):
                chunk = AudioChunk.from_event(event)
                rate = chunk.rate
                first = first or time.perf_counter() - started
                audio += chunk.audio
            elif AudioStop.is_type(event.type):
                return bytes(audio), rate, first


async def _transcribe(port: int, pcm: bytes, rate: int) -> tuple[str, float]:
    """Stream audio in 20 ms chunks at real-time pace; return text and audio-stop → transcript."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=rate, width=2, channels=1).event())
        step = rate // 50 * 2
        silence = bytes(rate // 2 * 2)  # half a second of trailing silence, as a VAD would send
        for offset in range(0, len(pcm) + len(silence), step):
            data = (pcm + silence)[offset : offset + step]
            await client.write_event(AudioChunk(rate=rate, width=2, channels=1, audio=data).event())
            await asyncio.sleep(0.02)
        stopped = time.perf_counter()
        await client.write_event(AudioStop().event())
        while True:
            event = await asyncio.wait_for(client.read_event(), 120)
            if event is None or event.type == chat_protocol.ERROR:
                raise RuntimeError(f"atlas-stt failed: {event and event.data}")
            if Transcript.is_type(event.type):
                return Transcript.from_event(event).text, time.perf_counter() - stopped


async def _chat(port: int, data: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """One chat request; return ``chat-stop`` data and seconds to the first delta."""
    started = time.perf_counter()
    first = 0.0
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Event(chat_protocol.CHAT, data))
        while True:
            event = await asyncio.wait_for(client.read_event(), 300)
            if event is None or event.type == chat_protocol.ERROR:
                raise RuntimeError(f"atlas-llm failed: {event and event.data}")
            if event.type == chat_protocol.CHAT_DELTA and not first:
                first = time.perf_counter() - started
            if event.type == chat_protocol.CHAT_STOP:
                return event.data, first


async def run_demo(ports: dict[str, int], out: Path) -> dict[str, Any]:
    """Run the scenario against running servers and return what happened."""
    t = Timings()
    pcm, rate, t.tts_input = await speak(ports["tts"], MORNING)
    begin = time.perf_counter()
    transcript, t.stt = await _transcribe(ports["stt"], pcm, rate)
    intent_started = time.perf_counter()
    extracted, _ = await _chat(
        ports["llm"],
        {
            "messages": [
                {"role": "system", "content": EXTRACT_PROMPT},
                {"role": "user", "content": transcript},
            ],
            "response_format": {"schema": INTENT_SCHEMA},
            "max_tokens": 200,
        },
    )
    t.intent = time.perf_counter() - intent_started
    slots = json.loads(extracted["content"])
    reply_started = time.perf_counter()
    reply, t.llm_ttft = await _chat(
        ports["llm"],
        {
            "messages": [
                {"role": "system", "content": "You are ATLAS, a voice assistant. Answer in two "
                 "short spoken sentences."},
                {"role": "user", "content": transcript},
            ],
            "max_tokens": 40,
            "temperature": 0.3,
        },
    )  # fmt: skip
    t.llm_total = time.perf_counter() - reply_started
    text = reply["content"].strip() or "Sorry, I have no answer."
    audio, out_rate, first_audio = await speak(ports["tts"], text)
    # Audio-stop to the reply's first audio chunk (the reply is spoken once it is complete).
    t.first_audio = t.stt + t.intent + t.llm_total + first_audio
    t.total = time.perf_counter() - begin
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(out_rate)
        wav.writeframes(audio)
    return {
        "transcript": transcript,
        "intent": slots.pop("intent"),
        "slots": slots,
        "reply": text,
        "reply_audio": str(out),
        "reply_audio_seconds": round(len(audio) / 2 / out_rate, 2),
        "timings_s": {k: round(v, 3) for k, v in vars(t).items()},
        "tts_first_chunk_s": round(first_audio, 3),
    }


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m wyoming_servers.demo`` (``atlas-demo --direct``)."""
    parser = argparse.ArgumentParser(prog="atlas-demo --direct", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--out", type=Path, default=Path("atlas-demo-reply.wav"))
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    box = start_box(args.data_dir)
    try:

        async def go() -> dict[str, Any]:
            await wait_box_ready(box, time.monotonic() + 600)
            return await run_demo(box.ports, args.out)

        result = asyncio.run(go())
    finally:
        box.stop()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"transcript : {result['transcript']}")
    print(f"intent     : {result['intent']}")
    print(f"slots      : {json.dumps(result['slots'])}")
    print(f"reply      : {result['reply']}")
    print(f"reply audio: {result['reply_audio']} ({result['reply_audio_seconds']} s)")
    timings = result["timings_s"]
    print("latency (s): " + ", ".join(f"{k} {v}" for k, v in timings.items()))


if __name__ == "__main__":
    main()
