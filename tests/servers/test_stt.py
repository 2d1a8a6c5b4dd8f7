"""atlas-stt end to end: real faster-whisper, real Piper speech, real Wyoming TCP connections."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Describe, Info

from .wyoming_io import (
    DATA_DIR,
    REPO,
    Conn,
    ServerProcess,
    allow_loopback,
    connect,
    describe,
    start_server,
)

pytestmark = pytest.mark.real_model

SENTENCE = "Prepare my morning workout for Monday. My shoulder is sore."
MODULE = "wyoming_servers.stt"
MAX_PAYLOAD = 65536
MAX_AUDIO_SECONDS = 20

Int16 = npt.NDArray[np.int16]


# --- audio helpers (independent of the server's own conversion code) -----------------------------


def resample(pcm: Int16, source: int, target: int) -> Int16:
    """Band-limited FFT resampling."""
    spectrum = np.fft.rfft(pcm.astype(np.float64))
    count = round(len(pcm) * target / source)
    bins = count // 2 + 1
    spectrum = (
        spectrum[:bins] if len(spectrum) >= bins else np.pad(spectrum, (0, bins - len(spectrum)))
    )
    out = np.fft.irfft(spectrum, count) * count / len(pcm)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def encode(pcm: Int16, width: int, channels: int) -> bytes:
    """Interleave ``channels`` (the others quieter copies) and widen to ``width`` bytes."""
    wide = pcm.astype(np.int64)
    columns = [wide] + [np.round(wide * 0.6).astype(np.int64)] * (channels - 1)
    frames = np.stack(columns, axis=1).reshape(-1)
    if width == 2:
        return frames.astype("<i2").tobytes()
    if width == 3:
        scaled = (frames << 8) & 0xFFFFFF
        return (
            np.stack([(scaled >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype(np.uint8).tobytes()
        )
    if width == 4:
        return (frames << 16).astype("<i4").tobytes()
    raise ValueError(width)


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def voice() -> Any:
    """The bundled Piper voice."""
    from piper import PiperVoice

    from wyoming_servers import models

    return PiperVoice.load(models.embedded_piper())


def synthesize(voice: Any, text: str) -> tuple[Int16, int]:
    """Deterministic Piper speech (no sampling noise) and its sample rate."""
    from piper import SynthesisConfig

    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(voice.synthesize(text, config))
    pcm = np.concatenate([chunk.audio_int16_array for chunk in chunks]).astype(np.int16)
    return pcm, int(chunks[0].sample_rate)


@pytest.fixture(scope="module")
def speech(voice: Any) -> tuple[Int16, int]:
    """The sentence with 0.25 s of silence before and 0.5 s after it."""
    pcm, rate = synthesize(voice, SENTENCE)
    silence = np.zeros(rate // 4, dtype=np.int16)
    return np.concatenate([silence, pcm, silence, silence]), rate


@pytest.fixture(scope="module")
def speech16k(speech: tuple[Int16, int]) -> Int16:
    pcm, rate = speech
    return resample(pcm, rate, 16000)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    allow_loopback()
    proc = start_server(
        MODULE,
        "--debug",
        "--max-payload-bytes",
        str(MAX_PAYLOAD),
        "--max-audio-seconds",
        str(MAX_AUDIO_SECONDS),
        log_dir=tmp_path_factory.mktemp("stt"),
    )
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


async def stream(
    conn: Conn,
    audio: bytes,
    *,
    rate: int = 16000,
    width: int = 2,
    channels: int = 1,
    language: str | None = "en",
    chunk_seconds: float = 0.02,
    pace: float = 0.0,
) -> list[Event]:
    """Send one utterance and return every event up to ``transcript-stop``."""
    if language is not None:
        await conn.send(Transcribe(language=language).event())
    await conn.send(AudioStart(rate=rate, width=width, channels=channels).event())
    step = max(1, round(rate * chunk_seconds)) * width * channels
    for start in range(0, len(audio), step):
        chunk = AudioChunk(
            rate=rate, width=width, channels=channels, audio=audio[start : start + step]
        )
        await conn.send(chunk.event())
        if pace:
            await asyncio.sleep(chunk_seconds * pace)
    await conn.send(AudioStop().event())
    return await conn.recv_until("transcript-stop")


def transcript_of(events: list[Event]) -> str:
    found = [Transcript.from_event(e).text for e in events if Transcript.is_type(e.type)]
    assert len(found) == 1, events
    return found[0]


# --- protocol and transcripts --------------------------------------------------------------------


async def test_describe_reports_streaming_asr(server: ServerProcess) -> None:
    info = await describe(server.port)
    assert isinstance(info, Info)
    program = info.asr[0]
    assert program.name == "atlas-stt"
    assert program.supports_transcript_streaming
    assert program.models[0].name == "base"
    assert "en" in program.models[0].languages
    assert "de" in program.models[0].languages


async def test_transcript_is_exact_with_streaming_events_in_order(
    server: ServerProcess, speech16k: Int16
) -> None:
    async with connect(server.port) as conn:
        events = await stream(conn, speech16k.tobytes())
    types = [e.type for e in events]
    assert types[0] == "transcript-start"
    assert types[-2:] == ["transcript", "transcript-stop"]
    assert set(types[1:-2]) == {"transcript-chunk"}
    assert len(types) >= 4
    text = transcript_of(events)
    assert text == SENTENCE
    assert "".join(e.data["text"] for e in events if e.type == "transcript-chunk") == text
    assert events[0].data.get("language") == "en"
    assert events[-2].data.get("language") == "en"


async def test_native_piper_rate_is_exact(server: ServerProcess, speech: tuple[Int16, int]) -> None:
    pcm, rate = speech
    async with connect(server.port) as conn:
        events = await stream(conn, pcm.tobytes(), rate=rate, language=None)
    assert transcript_of(events) == SENTENCE


@pytest.mark.parametrize(
    ("rate", "width", "channels"),
    [
        (8000, 2, 1),
        (16000, 2, 2),
        (16000, 3, 1),
        (16000, 4, 1),
        (44100, 3, 2),
        (48000, 4, 1),
    ],
)
async def test_any_client_format_transcribes(
    server: ServerProcess, speech: tuple[Int16, int], rate: int, width: int, channels: int
) -> None:
    pcm, source_rate = speech
    audio = encode(resample(pcm, source_rate, rate), width, channels)
    async with connect(server.port) as conn:
        events = await stream(conn, audio, rate=rate, width=width, channels=channels)
    assert words(transcript_of(events)) == words(SENTENCE)


async def test_home_assistant_client_gets_the_transcript(
    server: ServerProcess, speech16k: Int16
) -> None:
    """Home Assistant's own Wyoming STT upload/receive code against the server."""
    ha_stt = pytest.importorskip("homeassistant.components.wyoming.stt")
    from homeassistant.components.stt import SpeechResultState
    from wyoming.client import AsyncTcpClient

    audio = speech16k.tobytes()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(audio), 1024):
            yield audio[start : start + 1024]

    async with AsyncTcpClient("127.0.0.1", server.port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
        await ha_stt._async_upload_audio(client, chunks())
        result = await asyncio.wait_for(ha_stt._async_receive_result(client), 60)
    assert result.result is SpeechResultState.SUCCESS
    assert result.text == SENTENCE


async def test_quiet_microphone_is_transcribed(server: ServerProcess, speech16k: Int16) -> None:
    """Speech peaking at about -60 dBFS is levelled up, not mistaken for silence."""
    quiet = np.round(speech16k * 0.003).astype(np.int16)
    async with connect(server.port) as conn:
        events = await stream(conn, quiet.tobytes())
    assert words(transcript_of(events)) == words(SENTENCE)


async def test_home_assistant_style_client(server: ServerProcess, speech16k: Int16) -> None:
    """What HA's Wyoming STT does, with wyoming's client: upload and receive concurrently and
    return on the first ``transcript`` (runs where HA's own module cannot be imported)."""
    from wyoming.client import AsyncTcpClient

    audio = speech16k.tobytes()

    async def upload(client: AsyncTcpClient) -> None:
        for start in range(0, len(audio), 1024):
            chunk = AudioChunk(rate=16000, width=2, channels=1, audio=audio[start : start + 1024])
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())

    async def receive(client: AsyncTcpClient) -> tuple[str, list[str]]:
        seen: list[str] = []
        while True:
            event = await client.read_event()
            assert event is not None
            assert event.type != "error", event
            seen.append(event.type)
            if Transcript.is_type(event.type):
                return Transcript.from_event(event).text, seen

    async with AsyncTcpClient("127.0.0.1", server.port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
        receiving = asyncio.create_task(receive(client))
        await upload(client)
        text, seen = await asyncio.wait_for(receiving, 60)
    assert text == SENTENCE
    assert seen[0] == "transcript-start"


@pytest.mark.parametrize("kind", ["digital-silence", "room-noise", "hum", "empty", "very-short"])
async def test_no_speech_gives_an_empty_transcript(server: ServerProcess, kind: str) -> None:
    rng = np.random.default_rng(7)
    seconds = 3.0
    n = int(16000 * seconds)
    if kind == "digital-silence":
        samples = np.zeros(n)
    elif kind == "room-noise":
        samples = 300 * rng.standard_normal(n)
    elif kind == "hum":
        samples = 2000 * np.sin(2 * np.pi * 50 * np.arange(n) / 16000) + 50 * rng.standard_normal(n)
    elif kind == "empty":
        samples = np.zeros(0)
    else:
        samples = 3000 * rng.standard_normal(400)
    audio = np.round(samples).astype("<i2").tobytes()
    async with connect(server.port) as conn:
        events = await stream(conn, audio)
        assert transcript_of(events) == ""
        assert [e.type for e in events] == ["transcript-start", "transcript", "transcript-stop"]


async def test_several_utterances_on_one_connection(
    server: ServerProcess, speech16k: Int16
) -> None:
    async with connect(server.port) as conn:
        first = await stream(conn, np.zeros(16000, dtype=np.int16).tobytes())
        second = await stream(conn, speech16k.tobytes())
    assert transcript_of(first) == ""
    assert transcript_of(second) == SENTENCE


async def test_three_concurrent_clients(server: ServerProcess, speech: tuple[Int16, int]) -> None:
    pcm, rate = speech
    inputs = [
        (resample(pcm, rate, 16000).tobytes(), 16000, 2, 1),
        (encode(resample(pcm, rate, 8000), 2, 1), 8000, 2, 1),
        (encode(resample(pcm, rate, 48000), 3, 2), 48000, 3, 2),
    ]

    async def one(audio: bytes, rate: int, width: int, channels: int) -> str:
        async with connect(server.port) as conn:
            events = await stream(conn, audio, rate=rate, width=width, channels=channels, pace=0.25)
        return transcript_of(events)

    texts = await asyncio.gather(*(one(*args) for args in inputs))
    assert [words(t) for t in texts] == [words(SENTENCE)] * 3


async def test_speech_after_a_pause_is_not_lost(server: ServerProcess, voice: Any) -> None:
    """A speculative decode starts in the pause; the speech after it must still be transcribed."""
    parts = []
    for text in ("Prepare my morning workout for Monday.", "My shoulder is sore."):
        pcm, rate = synthesize(voice, text)
        parts.append(resample(pcm, rate, 16000))
    # audio-stop comes right after the second sentence: the only speculative decode is the one
    # from the pause, and reusing it would lose "My shoulder is sore."
    audio = np.concatenate([parts[0], np.zeros(16000, dtype=np.int16), parts[1]])
    before = server.log().count("Speculative decode of")
    async with connect(server.port) as conn:
        events = await stream(conn, audio.tobytes(), pace=0.5)
    assert words(transcript_of(events)) == words(SENTENCE)
    assert server.log().count("Speculative decode of") > before, server.log()[-3000:]


async def test_paced_stream_reuses_the_speculative_decode(
    server: ServerProcess, speech16k: Int16
) -> None:
    """Streamed in real time with a trailing pause, the decode is done before audio-stop."""
    before = server.log().count("Reusing the speculative decode")
    async with connect(server.port) as conn:
        events = await stream(conn, speech16k.tobytes(), pace=1.0)
    assert transcript_of(events) == SENTENCE
    assert server.log().count("Reusing the speculative decode") == before + 1


def test_a_settled_pause_gives_the_final_speech_crop(speech16k: Int16) -> None:
    """Where the server starts its speculative decode, the crop of the speech is already the
    one the whole utterance gets, so the reused transcript is the one audio-stop would give."""
    from wyoming_servers import models
    from wyoming_servers.stt.audio import TARGET_RATE
    from wyoming_servers.stt.engine import SETTLED_PAUSE_SECONDS, EngineConfig, SttEngine
    from wyoming_servers.stt.streaming import Utterance

    audio = speech16k.astype(np.float32) / 32768
    tail = np.zeros(TARGET_RATE, dtype=np.float32)  # a long pause before audio-stop
    full = np.concatenate([audio, tail])
    utterance = Utterance(max_samples=len(full))
    step = TARGET_RATE // 50  # 20 ms chunks, as a client streams them
    for start in range(0, len(full), step):
        utterance.append(full[start : start + step])
        if utterance.has_voice and utterance.pause_seconds >= SETTLED_PAUSE_SECONDS:
            break
    snapshot = len(utterance)
    assert snapshot < len(full)

    folder = models.embedded_whisper(DATA_DIR)
    engine = SttEngine(EngineConfig(model_path=folder, model_name="base"))
    try:
        early, final = engine.speech_crop(full[:snapshot]), engine.speech_crop(full)
        assert early is not None
        assert early == final
        assert engine.transcribe(full[:snapshot], "en").text == SENTENCE
    finally:
        engine.close()


# --- bad input -----------------------------------------------------------------------------------


async def expect_error(conn: Conn, code: str) -> Event:
    event = await conn.recv(30)
    assert event is not None
    assert event.type == "error", event
    assert event.data.get("code") == code, event
    assert event.data.get("text")
    return event


async def assert_still_serving(conn: Conn) -> None:
    await conn.send(Describe().event())
    event = await conn.recv(30)
    assert event is not None
    assert event.type == "info"


async def test_malformed_events_get_errors_and_the_connection_keeps_working(
    server: ServerProcess, speech16k: Int16
) -> None:
    async with connect(server.port) as conn:
        await conn.send_raw(b"{this is not json\n")
        await expect_error(conn, "bad_json")
        await assert_still_serving(conn)

        await conn.send(Event(type="frobnicate", data={"x": 1}))
        await expect_error(conn, "unknown_event")
        await assert_still_serving(conn)

        await conn.send(AudioChunk(rate=16000, width=2, channels=1, audio=b"\0\0" * 160).event())
        await expect_error(conn, "audio_not_started")
        await conn.send(AudioStop().event())
        await expect_error(conn, "audio_not_started")
        await assert_still_serving(conn)

        for bad in ({"rate": 16000, "width": 5, "channels": 1}, {"rate": 16000, "width": 0,
                    "channels": 1}, {"rate": 0, "width": 2, "channels": 1}, {"rate": 16000,
                    "width": 2, "channels": 0}, {"rate": "fast", "width": 2, "channels": 1},
                    {"width": 2, "channels": 1}):  # fmt: skip
            await conn.send(Event(type="audio-start", data=bad))
            await expect_error(conn, "bad_audio_format")
            await conn.send(AudioChunk(rate=16000, width=2, channels=1, audio=b"\0\0").event())
            await expect_error(conn, "audio_not_started")
        await assert_still_serving(conn)

        await conn.send(Transcribe(language="en").event())
        await conn.send(AudioStart(rate=16000, width=2, channels=1).event())
        await conn.send(AudioChunk(rate=16000, width=2, channels=1, audio=b"\0\0\0").event())
        await expect_error(conn, "bad_audio_format")
        # The broken utterance is dropped: its later chunks and stop are ignored quietly.
        await conn.send(AudioChunk(rate=16000, width=2, channels=1, audio=b"\0\0").event())
        await conn.send(AudioStop().event())
        await assert_still_serving(conn)

        await conn.send(AudioStart(rate=16000, width=2, channels=1).event())
        await conn.send(AudioChunk(rate=8000, width=2, channels=1, audio=b"\0\0").event())
        await expect_error(conn, "bad_audio_format")
        await conn.send(AudioStop().event())

        await conn.send(Event(type="transcribe", data={"language": 42}))
        await expect_error(conn, "bad_event")

        events = await stream(conn, speech16k.tobytes())
        assert transcript_of(events) == SENTENCE


async def test_too_much_audio_is_refused(server: ServerProcess, speech16k: Int16) -> None:
    second = np.zeros(16000, dtype=np.int16).tobytes()
    async with connect(server.port) as conn:
        await conn.send(AudioStart(rate=16000, width=2, channels=1).event())
        for _ in range(MAX_AUDIO_SECONDS + 1):
            await conn.send(AudioChunk(rate=16000, width=2, channels=1, audio=second).event())
        event = await expect_error(conn, "audio_too_long")
        assert str(MAX_AUDIO_SECONDS) in event.data["text"]
        await conn.send(AudioStop().event())
        events = await stream(conn, speech16k.tobytes())
        assert transcript_of(events) == SENTENCE


async def test_oversized_payload_is_refused_and_the_server_keeps_serving(
    server: ServerProcess,
) -> None:
    header = {
        "type": "audio-chunk",
        "data": {"rate": 16000, "width": 2, "channels": 1},
        "payload_length": MAX_PAYLOAD + 2,
    }
    async with connect(server.port) as conn:
        await conn.send(AudioStart(rate=16000, width=2, channels=1).event())
        await conn.send_raw(json.dumps(header).encode() + b"\n")
        await expect_error(conn, "too_large")
        assert await conn.recv(10) is None  # the stream cannot be re-synchronised
    assert isinstance(await describe(server.port), Info)


# --- model resolution ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [("small", "atlas-box download small"), ("no-such-model", "no-such-model")],
    ids=["missing-size-names-the-download-command", "unknown-model"],
)
def test_unusable_model_fails_with_one_line(tmp_path: Path, model: str, expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", MODULE, "--model", model, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


async def test_model_given_as_a_folder_path(tmp_path: Path, speech16k: Int16) -> None:
    """``--model`` also takes the path of a CTranslate2 whisper folder."""
    from wyoming_servers import models

    folder = models.embedded_whisper(DATA_DIR)
    other = await asyncio.to_thread(
        start_server, MODULE, "--model", str(folder), "--workers", "1", log_dir=tmp_path
    )
    try:
        info = await describe(other.port)
        assert info is not None
        assert info.asr[0].models[0].name == folder.name
        async with connect(other.port) as conn:
            events = await stream(conn, speech16k.tobytes())
        assert transcript_of(events) == SENTENCE
    finally:
        assert other.stop() == 0
