"""Speech-to-text latency and accuracy: atlas-stt against wyoming-faster-whisper 3.8.1.

Both servers load the same bundled faster-whisper ``base`` folder (int8, CPU, beam 1, the same
``--cpu-threads``). Twelve ATLAS-style voice commands are synthesised with the bundled Piper voice
(2-5 s each, 0.2 s of silence before and ``--tail`` s after, resampled to 16 kHz) and streamed
to each server the way Home Assistant does it: ``transcribe`` (language ``en``), ``audio-start``,
20 ms ``audio-chunk`` events paced at ``--pace`` times real time, ``audio-stop``. Each pass
synthesises the commands again (Piper samples its prosody, so the renderings differ); both
servers get the same audio.

Measured: the time from sending ``audio-stop`` to receiving ``transcript`` (what the user waits
for after they stop speaking), and the word error rate against the script. Servers take turns
per utterance (alternating who goes first), after one unmeasured warm-up utterance each.

The peer is installed into ``.peers/stt-venv`` on first use (``pip install
wyoming-faster-whisper==3.8.1``) and started with ``--model <folder> --stt-library
faster-whisper --local-files-only``.

Usage: ``.venv/bin/python -m benchmarks.stt [--reps 3] [--pace 1.0] [--tail 0.5]``
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop

from wyoming_servers.models import embedded_piper, embedded_whisper

from ._support import DATA_DIR, REPO, connect, free_port, running

PEER_SPEC = "wyoming-faster-whisper==3.8.1"
# faster-whisper 1.2.1 (the peer's) calls av.open(metadata_errors=...), which PyAV 19 removed:
# with the newest PyAV the peer fails on every request, so its venv gets the last working one.
PEER_EXTRA = "av<19"
PEER_VENV = REPO / ".peers" / "stt-venv"
RATE = 16000
CHUNK_SECONDS = 0.02

COMMANDS = (
    "Prepare my morning workout for Monday. My shoulder is sore.",
    "Turn off the lights in the living room and lock the front door.",
    "Remind me to stretch after lunch tomorrow.",
    "How did I sleep last night compared to last week?",
    "Log an easy run this evening and skip leg day.",
    "Play some relaxing music in the bedroom, please.",
    "Cancel my evening run, I feel tired.",
    "Show me my heart rate from this morning.",
    "Open the blinds in the kitchen.",
    "Set the thermostat to the eco mode.",
    "Start a short yoga session before dinner.",
    "What is on my calendar this afternoon?",
)

Int16 = npt.NDArray[np.int16]


# --- audio and scoring --------------------------------------------------------------------------


def resample(pcm: Int16, source: int, target: int) -> Int16:
    """Band-limited FFT resampling."""
    spectrum = np.fft.rfft(pcm.astype(np.float64))
    count = round(len(pcm) * target / source)
    out = np.fft.irfft(spectrum[: count // 2 + 1], count) * count / len(pcm)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


@functools.cache
def piper_voice() -> Any:
    """The bundled Piper voice, loaded once."""
    from piper import PiperVoice

    return PiperVoice.load(embedded_piper())


def synthesize(tail: float) -> list[tuple[str, bytes]]:
    """Each command as 16 kHz mono 16-bit PCM with leading and trailing silence."""
    voice = piper_voice()
    clips = []
    for text in COMMANDS:
        chunks = list(voice.synthesize(text))
        pcm = np.concatenate([chunk.audio_int16_array for chunk in chunks])
        speech = resample(pcm, chunks[0].sample_rate, RATE)
        lead = np.zeros(int(0.2 * RATE), dtype=np.int16)
        trail = np.zeros(int(tail * RATE), dtype=np.int16)
        clips.append((text, np.concatenate([lead, speech, trail]).astype("<i2").tobytes()))
    return clips


def words(text: str) -> list[str]:
    """Lower-case words without punctuation (hyphens split words)."""
    return re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance divided by the reference length."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r != h))
    return row[-1] / max(1, len(ref))


# --- servers ------------------------------------------------------------------------------------


def ensure_peer() -> Path:
    """The peer's python, installing wyoming-faster-whisper into its own venv when missing."""
    python = PEER_VENV / "bin" / "python"
    wanted = PEER_SPEC.split("==")[1]
    check = [
        str(python),
        "-c",
        "import importlib.metadata as m; "
        "print(m.version('wyoming-faster-whisper'), m.version('av').split('.')[0])",
    ]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True, check=False).stdout.split()
        if len(found) == 2 and found[0] == wanted and int(found[1]) < 19:
            return python
    print(f"Installing {PEER_SPEC} {PEER_EXTRA} into {PEER_VENV} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    install = [str(python), "-m", "pip", "install", "-q", PEER_SPEC, PEER_EXTRA]
    subprocess.run(install, check=True)
    return python


@dataclass
class Server:
    """A server under test and its measurements."""

    name: str
    port: int
    latencies: list[float] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


# --- measurement --------------------------------------------------------------------------------


async def transcribe(port: int, audio: bytes, pace: float) -> tuple[str, float]:
    """Stream one utterance; return the transcript and seconds from audio-stop to transcript."""
    step = int(RATE * CHUNK_SECONDS) * 2
    async with connect(port) as conn:
        await conn.send(Transcribe(language="en").event())
        await conn.send(AudioStart(rate=RATE, width=2, channels=1).event())
        next_send = time.perf_counter()
        for start in range(0, len(audio), step):
            chunk = AudioChunk(rate=RATE, width=2, channels=1, audio=audio[start : start + step])
            await conn.send(chunk.event())
            next_send += CHUNK_SECONDS * pace
            await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
        sent = time.perf_counter()
        await conn.send(AudioStop().event())
        events = await conn.recv_until("transcript")
        elapsed = time.perf_counter() - sent
    return Transcript.from_event(events[-1]).text, elapsed


def measure(servers: list[Server], args: argparse.Namespace) -> None:
    """Every clip on every server, taking turns; the first clip is an unmeasured warm-up.

    Each repetition synthesises the commands again: Piper samples its prosody, so every pass
    is a new rendering (both servers get the same audio).
    """
    turn = 0
    for rep in range(args.reps):
        clips = synthesize(args.tail)
        if rep == 0:
            for server in servers:
                asyncio.run(transcribe(server.port, clips[0][1], pace=0.0))
        for index, (text, audio) in enumerate(clips):
            order = servers if turn % 2 == 0 else servers[::-1]
            turn += 1
            for server in order:
                heard, seconds = asyncio.run(transcribe(server.port, audio, args.pace))
                server.latencies.append(seconds)
                server.errors.append(word_error_rate(text, heard))
                server.texts.append(heard)
                print(
                    f"  rep {rep + 1} #{index + 1} {server.name:5s} {1000 * seconds:7.0f} ms  "
                    f"WER {word_error_rate(text, heard):.2f}  {heard!r}",
                    flush=True,
                )


def report(atlas: Server, peer: Server, args: argparse.Namespace) -> None:
    """Print the summary table."""

    def ms(values: list[float], q: float) -> float:
        return 1000 * float(np.quantile(values, q))

    print()
    print(
        f"STT: {len(COMMANDS)} commands x {args.reps} reps, tail {args.tail} s silence, "
        f"pace {args.pace}x real time, whisper base int8 CPU, beam 1, {args.cpu_threads} threads"
    )
    print(f"{'server':8s} {'median ms':>10s} {'p90 ms':>8s} {'max ms':>8s} {'mean WER':>9s}")
    for server in (atlas, peer):
        print(
            f"{server.name:8s} {ms(server.latencies, 0.5):10.0f} {ms(server.latencies, 0.9):8.0f} "
            f"{ms(server.latencies, 1.0):8.0f} {statistics.fmean(server.errors):9.3f}"
        )
    ratio = statistics.median(atlas.latencies) / statistics.median(peer.latencies)
    print(f"ratio atlas/peer (median audio-stop -> transcript): {ratio:.2f}")
    target = ratio <= 0.5 and statistics.fmean(atlas.errors) <= statistics.fmean(peer.errors)
    print(f"target (ratio <= 0.5 and WER <= peer's): {'met' if target else 'NOT met'}")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="passes over the commands (3)")
    parser.add_argument("--pace", type=float, default=1.0, help="1.0 = real time (default)")
    parser.add_argument("--tail", type=float, default=0.5, help="trailing silence in s (0.5)")
    parser.add_argument(
        "--cpu-threads", type=int, default=min(4, os.cpu_count() or 1), help="for both servers"
    )
    args = parser.parse_args()

    model = embedded_whisper(DATA_DIR)
    peer_python = ensure_peer()
    common = ["--beam-size", "1", "--compute-type", "int8", "--device", "cpu"]
    common += ["--cpu-threads", str(args.cpu_threads)]
    atlas_port, peer_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="stt-bench-") as tmp, ExitStack() as stack:
        log_dir = Path(tmp)
        atlas_cmd = [sys.executable, "-m", "wyoming_servers.stt", "--uri"]
        atlas_cmd += [f"tcp://127.0.0.1:{atlas_port}", "--data-dir", str(DATA_DIR), *common]
        peer_cmd = [str(peer_python), "-m", "wyoming_faster_whisper", "--uri"]
        peer_cmd += [f"tcp://127.0.0.1:{peer_port}", "--data-dir", str(log_dir / "peer-data")]
        peer_cmd += ["--model", str(model), "--stt-library", "faster-whisper"]
        peer_cmd += ["--local-files-only", *common]
        for name, cmd, port in (("atlas", atlas_cmd, atlas_port), ("peer", peer_cmd, peer_port)):
            stack.enter_context(running(name, cmd, port, log_dir / f"{name}.log", 300))
        atlas, peer = Server("atlas", atlas_port), Server("peer", peer_port)
        measure([atlas, peer], args)
    report(atlas, peer, args)


if __name__ == "__main__":
    main()
