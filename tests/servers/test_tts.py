"""atlas-tts: the real bundled Piper voice behind a real Wyoming TCP server."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wyoming.audio import AudioChunk
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeVoice,
)

from tests.servers.wyoming_io import Conn, ServerProcess, connect, describe, start_server
from wyoming_servers.tts.scheduler import DeadlineScheduler
from wyoming_servers.tts.sentences import Segment, SentenceSplitter, clean_text, split_text

MODULE = "wyoming_servers.tts"
VOICE = "en_US-joe-medium"
RATE = 22050


def allow_sockets() -> None:
    """Undo the socket ban of the Home Assistant test plugin: these tests use real TCP."""
    with contextlib.suppress(ImportError):
        import pytest_socket

        pytest_socket.enable_socket()


@pytest.fixture(autouse=True)
def _real_sockets() -> None:
    allow_sockets()


@pytest.fixture(scope="module")
def tts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    allow_sockets()
    server = start_server(MODULE, log_dir=tmp_path_factory.mktemp("tts"))
    yield server
    assert server.stop() == 0, server.log()[-3000:]


# --- helpers --------------------------------------------------------------------------------


def types(events: list[Event]) -> list[str]:
    return [event.type for event in events]


def pcm(events: list[Event]) -> bytes:
    return b"".join(event.payload or b"" for event in events if event.type == "audio-chunk")


def seconds(audio: bytes) -> float:
    return len(audio) / 2 / RATE


def rms(audio: bytes) -> float:
    samples = np.frombuffer(audio, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def words(text: str) -> list[str]:
    """LLM-style tokens: one word each, the space in front."""
    first, *rest = text.split(" ")
    return [first, *(f" {word}" for word in rest)]


async def drain_quiet(conn: Conn, quiet: float = 2.0) -> list[Event]:
    """Every event until the server has been silent for ``quiet`` seconds."""
    events: list[Event] = []
    while True:
        try:
            event = await conn.recv(timeout=quiet)
        except TimeoutError:
            return events
        assert event is not None, "server closed the connection"
        events.append(event)


async def synthesize(port: int, text: str) -> list[Event]:
    async with connect(port) as conn:
        await conn.send(Synthesize(text=text).event())
        return await conn.recv_until("audio-stop")


async def expect_error(conn: Conn, code: str) -> Event:
    event = await conn.recv(timeout=30)
    assert event is not None
    assert event.type == "error", event
    assert event.data["code"] == code, event.data
    assert event.data["text"]
    return event


async def still_answers(conn: Conn) -> None:
    await conn.send(Describe().event())
    event = await conn.recv(timeout=30)
    assert event is not None
    assert Info.is_type(event.type)


# --- describe and plain synthesize ------------------------------------------------------------


@pytest.mark.real_model
async def test_describe_lists_the_voice_and_streaming(tts: ServerProcess) -> None:
    info = await describe(tts.port)
    assert info is not None
    (program,) = info.tts
    assert program.name == "atlas-tts"
    assert program.installed
    assert program.supports_synthesize_streaming
    (voice,) = program.voices
    assert voice.name == VOICE
    assert voice.languages == ["en_US"]
    assert voice.installed
    assert voice.speakers is None  # a single-speaker voice


@pytest.mark.real_model
async def test_plain_synthesize_returns_speech(tts: ServerProcess) -> None:
    events = await synthesize(tts.port, "Hello there. This is a test of the speech server.")
    assert types(events)[0] == "audio-start"
    assert types(events)[-1] == "audio-stop"
    assert set(types(events)[1:-1]) == {"audio-chunk"}
    start = events[0].data
    assert (start["rate"], start["width"], start["channels"]) == (RATE, 2, 1)
    for event in events[1:-1]:
        chunk = AudioChunk.from_event(event)
        assert (chunk.rate, chunk.width, chunk.channels) == (RATE, 2, 1)
        assert 0 < len(chunk.audio) <= 1024 * 2
    audio = pcm(events)
    assert 1.5 < seconds(audio) < 8.0, seconds(audio)
    assert rms(audio) > 1000, rms(audio)


@pytest.mark.real_model
async def test_voice_by_name_and_language_is_accepted(tts: ServerProcess) -> None:
    async with connect(tts.port) as conn:
        for voice in (SynthesizeVoice(name=VOICE), SynthesizeVoice(language="en")):
            await conn.send(Synthesize(text="Okay.", voice=voice).event())
            events = await conn.recv_until("audio-stop")
            assert "error" not in types(events)
            assert seconds(pcm(events)) > 0.2


# --- streaming ----------------------------------------------------------------------------------


@pytest.mark.real_model
async def test_stream_speaks_a_finished_sentence_without_waiting_for_more_text(
    tts: ServerProcess,
) -> None:
    first, rest = "Hello there.", "How are you doing today? I hope that all is well."
    reference = seconds(pcm(await synthesize(tts.port, f"{first} {rest}")))
    async with connect(tts.port) as conn:
        await conn.send(SynthesizeStart().event())
        for token in words(first):
            await conn.send(SynthesizeChunk(text=token).event())
        # No more text and no synthesize-stop: the finished sentence must be spoken anyway.
        early = await conn.recv_until("audio-chunk", timeout=30)
        assert types(early) == ["audio-start", "audio-chunk"]
        early += await drain_quiet(conn)
        assert set(types(early[1:])) == {"audio-chunk"}
        assert seconds(pcm(early)) > 0.5, "the whole first sentence arrives before more text"

        for token in words(f" {rest}")[1:]:
            await conn.send(SynthesizeChunk(text=token).event())
        # Home Assistant repeats the whole text as a plain synthesize inside the stream.
        await conn.send(Synthesize(text=f"{first} {rest}").event())
        await conn.send(SynthesizeStop().event())
        late = await conn.recv_until("synthesize-stopped")

    assert types(late)[-2:] == ["audio-stop", "synthesize-stopped"]
    assert set(types(late)[:-2]) == {"audio-chunk"}
    total = seconds(pcm(early + late))
    # Everything spoken once: the repeated plain synthesize was ignored, nothing was dropped.
    assert 0.75 * reference < total < 1.3 * reference, (total, reference)
    assert rms(pcm(late)) > 1000


@pytest.mark.real_model
async def test_stream_starts_speaking_before_a_long_first_sentence_ends(
    tts: ServerProcess,
) -> None:
    async with connect(tts.port) as conn:
        await conn.send(SynthesizeStart().event())
        for token in words("I have turned off all of the"):
            await conn.send(SynthesizeChunk(text=token).event())
        early = await conn.recv_until("audio-chunk", timeout=30)
        assert types(early) == ["audio-start", "audio-chunk"]
        for token in words(" lights in the kitchen.")[1:]:
            await conn.send(SynthesizeChunk(text=token).event())
        await conn.send(SynthesizeStop().event())
        late = await conn.recv_until("synthesize-stopped")
    assert "error" not in types(late)
    assert seconds(pcm(early + late)) > 2.0


@pytest.mark.real_model
async def test_plain_synthesize_after_a_stream_is_spoken(tts: ServerProcess) -> None:
    async with connect(tts.port) as conn:
        await conn.send(SynthesizeStart().event())
        await conn.send(SynthesizeChunk(text="One.").event())
        await conn.send(SynthesizeStop().event())
        await conn.recv_until("synthesize-stopped")
        await conn.send(Synthesize(text="Two.").event())
        events = await conn.recv_until("audio-stop")
    assert types(events)[0] == "audio-start"
    assert seconds(pcm(events)) > 0.2


@pytest.mark.real_model
async def test_empty_stream_still_completes(tts: ServerProcess) -> None:
    async with connect(tts.port) as conn:
        await conn.send(SynthesizeStart().event())
        await conn.send(SynthesizeStop().event())
        events = await conn.recv_until("synthesize-stopped")
    assert types(events) == ["audio-start", "audio-stop", "synthesize-stopped"]


@pytest.fixture(scope="module")
def tts_one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a single synthesis worker: sharing it is all up to the scheduler."""
    allow_sockets()
    server = start_server(MODULE, "--workers", "1", log_dir=tmp_path_factory.mktemp("tts1"))
    yield server
    assert server.stop() == 0, server.log()[-3000:]


@pytest.mark.real_model
async def test_long_synthesis_does_not_block_other_streams(tts: ServerProcess) -> None:
    await check_streams_are_not_blocked(tts)


@pytest.mark.real_model
async def test_one_worker_is_shared_between_connections(tts_one_worker: ServerProcess) -> None:
    await check_streams_are_not_blocked(tts_one_worker)


async def check_streams_are_not_blocked(tts: ServerProcess) -> None:
    """Three short streams finish while a long synthesis is still running on another connection."""
    long_text = " ".join(f"This is sentence {i} of a long announcement." for i in range(60))

    async with connect(tts.port) as long_conn:
        await long_conn.send(Synthesize(text=long_text).event())
        await long_conn.recv_until("audio-chunk")  # the long synthesis is under way

        async def finish_long() -> tuple[float, list[Event]]:
            events = await long_conn.recv_until("audio-stop", timeout=300)
            return time.monotonic(), events

        long_task = asyncio.create_task(finish_long())

        async def short_client(n: int) -> tuple[float, list[Event]]:
            async with connect(tts.port) as conn:
                await conn.send(SynthesizeStart().event())
                for token in words(f"Client {n} says hello. Goodbye now."):
                    await conn.send(SynthesizeChunk(text=token).event())
                    await asyncio.sleep(0.025)
                await conn.send(SynthesizeStop().event())
                events = await conn.recv_until("synthesize-stopped", timeout=120)
                return time.monotonic(), events

        shorts = await asyncio.gather(*(short_client(n) for n in range(3)))
        long_done, long_events = await long_task

    for done, events in shorts:
        assert done < long_done, "a short stream waited for the long synthesis"
        assert "error" not in types(events)
        assert seconds(pcm(events)) > 1.0
    assert seconds(pcm(long_events)) > 60, "the long text was spoken in full"


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.real_model
async def test_empty_or_unspeakable_text_gives_empty_audio(tts: ServerProcess) -> None:
    async with connect(tts.port) as conn:
        for text in ("", "   ", "...", "**"):
            await conn.send(Synthesize(text=text).event())
            events = await conn.recv_until("audio-stop")
            assert types(events) == ["audio-start", "audio-stop"], text


@pytest.mark.real_model
async def test_bad_requests_get_errors_and_the_connection_keeps_working(
    tts: ServerProcess,
) -> None:
    async with connect(tts.port) as conn:
        cases: list[tuple[Event, str]] = [
            (Synthesize(text="Hi.", voice=SynthesizeVoice(name="xx_XX-nobody-low")).event(),
             "unknown_voice"),
            (Synthesize(text="Hi.", voice=SynthesizeVoice(language="de_DE")).event(),
             "unknown_voice"),
            (Synthesize(text="Hi.", voice=SynthesizeVoice(name=VOICE, speaker="bob")).event(),
             "unknown_speaker"),
            (Synthesize(text="x" * 5001).event(), "text_too_long"),
            (Event("synthesize", {"text": 42}), "bad_request"),
            (Event("synthesize", {}), "bad_request"),
            (Event("synthesize", {"text": "Hi.", "voice": "joe"}), "bad_request"),
            (SynthesizeChunk(text="orphan").event(), "no_stream"),
            (SynthesizeStop().event(), "no_stream"),
            (Event("transcribe", {}), "unknown_event"),
        ]  # fmt: skip
        for event, code in cases:
            await conn.send(event)
            await expect_error(conn, code)
            await still_answers(conn)

        await conn.send_raw(b"{not json\n")
        await expect_error(conn, "bad_json")
        await still_answers(conn)

        # The connection still speaks after all that.
        await conn.send(Synthesize(text="Still here.").event())
        assert seconds(pcm(await conn.recv_until("audio-stop"))) > 0.3


@pytest.mark.real_model
async def test_stream_errors_end_the_stream_cleanly(tts: ServerProcess) -> None:
    async with connect(tts.port) as conn:
        # Unknown voice: one error, the rest of the stream is swallowed.
        await conn.send(SynthesizeStart(voice=SynthesizeVoice(name="nobody")).event())
        await expect_error(conn, "unknown_voice")
        await conn.send(SynthesizeChunk(text="Ignored text.").event())
        await conn.send(SynthesizeStop().event())
        assert types(await conn.recv_until("synthesize-stopped")) == ["synthesize-stopped"]

        # Too much streamed text: an error, then the stream still ends with audio-stop.
        await conn.send(SynthesizeStart().event())
        await conn.send(SynthesizeChunk(text="Short one. ").event())
        await conn.send(SynthesizeChunk(text="y" * 5000).event())
        await conn.send(SynthesizeChunk(text="More text.").event())
        await conn.send(SynthesizeStop().event())
        events = await conn.recv_until("synthesize-stopped")
        assert [e.data["code"] for e in events if e.type == "error"] == ["text_too_long"]
        assert types(events)[-2:] == ["audio-stop", "synthesize-stopped"]

        # A second synthesize-start inside an open stream.
        await conn.send(SynthesizeStart().event())
        await conn.send(SynthesizeStart().event())
        events = await conn.recv_until("error")  # audio-start of the first one may come first
        assert events[-1].data["code"] == "stream_open"
        assert set(types(events[:-1])) <= {"audio-start"}
        await conn.send(SynthesizeStop().event())
        await conn.recv_until("synthesize-stopped")
        await still_answers(conn)


@pytest.mark.real_model
async def test_oversized_payload_is_refused_and_the_server_survives(tts: ServerProcess) -> None:
    async with connect(tts.port) as conn:
        await conn.send_raw(b'{"type": "synthesize", "payload_length": 99999999}\n')
        await expect_error(conn, "too_large")
        assert await conn.recv(timeout=10) is None  # the stream cannot be re-synchronised
    async with connect(tts.port) as conn:
        await conn.send_raw(b'{"type": "synthesize", "data_length": 99999999}\n')
        await expect_error(conn, "too_large")
    assert await describe(tts.port) is not None
    assert tts.proc.poll() is None


@pytest.mark.real_model
async def test_client_vanishing_mid_synthesis_does_not_hurt_the_server(
    tts: ServerProcess,
) -> None:
    for _ in range(3):
        async with connect(tts.port) as conn:
            await conn.send(Synthesize(text="This reply is abandoned. " * 20).event())
            await conn.recv_until("audio-chunk")
    events = await synthesize(tts.port, "Are you still there?")
    assert seconds(pcm(events)) > 0.5
    assert tts.proc.poll() is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--voice", "no-such-voice"], "'no-such-voice'"),
        (["--voice", "en_US-lessac-medium"], "download en_US-lessac-medium"),
        (["--speaker", "7"], "has no speaker '7'"),
    ],
)
def test_bad_voice_settings_stop_the_server_with_one_line(
    args: list[str], message: str, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", MODULE, "--data-dir", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("atlas-tts: ")
    assert message in last


# --- sentence splitting (pure text, no model) --------------------------------------------------


def feed(text: str, tokens: list[str], first_fragment_words: int = 0) -> list[tuple[int, Segment]]:
    """(index of the token after which each segment was released, segment); -1: at finish."""
    assert "".join(tokens) == text
    splitter = SentenceSplitter(first_fragment_words=first_fragment_words)
    out = [(i, seg) for i, token in enumerate(tokens) for seg in splitter.add(token)]
    return out + [(-1, seg) for seg in splitter.finish()]


def test_sentence_is_released_on_its_own_final_token() -> None:
    tokens = words("Hello there. How are you?")
    released = feed("".join(tokens), tokens)
    assert released == [(1, Segment("Hello there.")), (4, Segment("How are you?"))]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Dr. Smith is in. Bye.", ["Dr. Smith is in.", "Bye."]),
        ("It costs 3.5 dollars. Okay.", ["It costs 3.5 dollars.", "Okay."]),
        ("Count to 3. Then stop.", ["Count to 3.", "Then stop."]),
        ("Use e.g. the lamp. Fine.", ["Use e.g. the lamp.", "Fine."]),
        ("Ask J. R. R. Tolkien. So did I. Yes!", ["Ask J. R. R. Tolkien.", "So did I.", "Yes!"]),
        ("Visit example.com today. Bye.", ["Visit example.com today.", "Bye."]),
        ("Really?! Wow… Nice.", ["Really?!", "Wow…", "Nice."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("1. Lights on\n2. Heat off", ["1. Lights on", "2. Heat off"]),
        ("**Done**: the lights are `off`", ["Done: the lights are off"]),
        ("# Status\nAll good", ["Status", "All good"]),
    ],
)
def test_sentence_rules(text: str, sentences: list[str]) -> None:
    for tokens in (words(text), [text]):
        assert [seg.text for _, seg in feed(text, tokens)] == sentences, tokens


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Dr. Smith is in. Bye.", ["Dr. Smith is in.", "Bye."]),
        (
            "It costs 3.5 dollars. Count to 3. Stop.",
            ["It costs 3.5 dollars.", "Count to 3.", "Stop."],
        ),
        ("Use e.g. a lamp. Fine.", ["Use e.g. a lamp.", "Fine."]),
    ],
)
def test_abbreviations_and_numbers_survive_character_streaming(
    text: str, sentences: list[str]
) -> None:
    assert [seg.text for _, seg in feed(text, list(text))] == sentences


def test_a_number_at_the_end_of_the_buffer_waits_for_the_next_character() -> None:
    released = feed("Pi is 3.14 now.", ["Pi is 3", ".", "14", " now."])
    assert released == [(3, Segment("Pi is 3.14 now."))]


def test_first_fragment_is_released_early_only_once() -> None:
    text = "I have turned off all of the lights. The heating is now on."
    released = feed(text, words(text), first_fragment_words=3)
    assert released[0] == (3, Segment("I have turned", sentence_end=False))
    assert [seg for _, seg in released[1:]] == [
        Segment("off all of the lights."),
        Segment("The heating is now on."),
    ]


def test_rest_of_the_first_sentence_follows_clause_by_clause() -> None:
    text = "I have turned off all of the lights, the fan, and the heater. Then, I left."
    released = [seg for _, seg in feed(text, words(text), first_fragment_words=3)]
    assert released == [
        Segment("I have turned", sentence_end=False),
        Segment("off all of the lights,", sentence_end=False),
        Segment("the fan, and the heater."),  # "the fan," is too short to stand alone
        Segment("Then, I left."),  # later sentences are never cut
    ]


def test_first_fragment_prefers_a_clause_mark() -> None:
    text = "Sure, I will do that right away."
    released = feed(text, words(text), first_fragment_words=3)
    assert released[0] == (1, Segment("Sure,", sentence_end=False))


def test_text_without_punctuation_is_cut_at_the_length_cap() -> None:
    text = "word " * 200
    segments = SentenceSplitter(max_chars=100).add(text)
    assert segments
    assert all(len(seg.text) <= 100 and not seg.sentence_end for seg in segments)


def test_split_text_never_cuts_early() -> None:
    assert split_text("turn the lights off now please") == [
        Segment("turn the lights off now please")
    ]


_ATOMS = st.sampled_from([*"ab Z1.,!?\n…'\"*", "Dr.", " 3.5", "e.g.", " word"])
_PIECES = st.lists(st.lists(_ATOMS, max_size=6).map("".join), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    pieces=_PIECES,
    fragment=st.sampled_from([0, 1, 3]),
)
def test_no_text_is_lost_or_repeated_whatever_the_chunking(
    pieces: list[str], fragment: int
) -> None:
    text = "".join(pieces)
    spoken = " ".join(seg.text for _, seg in feed(text, pieces, fragment))
    squash = "".join(ch for ch in clean_text(text) if ch.isalnum())
    assert "".join(ch for ch in spoken if ch.isalnum()) == squash


# --- scheduling (pure asyncio, no model) -----------------------------------------------------


async def test_scheduler_serves_the_earliest_deadline_first() -> None:
    scheduler = DeadlineScheduler(1)
    order: list[float] = []
    release = asyncio.Event()

    async def job(deadline: float) -> None:
        async with scheduler.slot(deadline):
            order.append(deadline)
            await release.wait()

    first = asyncio.create_task(job(9.0))  # takes the free slot
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(job(d)) for d in (3.0, 1.0, 2.0)]
    doomed = asyncio.create_task(job(0.5))
    await asyncio.sleep(0)
    assert scheduler.waiting == 4
    doomed.cancel()  # a client that went away gives up its place
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == [9.0, 1.0, 2.0, 3.0]
    assert scheduler.waiting == 0
    async with asyncio.timeout(1), scheduler.slot(0.0):
        pass  # the slot was handed back
