"""One Wyoming TTS connection: plain ``synthesize`` and ``synthesize-start/chunk/stop`` streams.

Events are read and split into segments on the event loop; a per-connection worker task speaks
the queued segments in order (Piper runs on the engine's worker threads) and writes the audio
chunks as soon as a segment is synthesised. Reading therefore never waits for synthesis, and one
connection never holds up another for longer than one sentence.

A plain ``synthesize`` answers ``audio-start``, ``audio-chunk``..., ``audio-stop``. A stream
answers one ``audio-start`` at ``synthesize-start``, chunks sentence by sentence while text
arrives, then ``audio-stop`` and ``synthesize-stopped`` after ``synthesize-stop``. A plain
``synthesize`` inside an open stream is the copy Home Assistant sends for old servers: ignored.

Bad input: text with nothing speakable (empty, only punctuation) gives ``audio-start`` and
``audio-stop`` with no chunks. An unknown voice or speaker, text over ``--max-text-chars``,
malformed events and stream events out of order give an ``error`` event; after an error inside a
stream the rest of that stream is ignored, and ``synthesize-stop`` still ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from piper import SynthesisConfig
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Attribution, Info, TtsProgram, TtsVoice, TtsVoiceSpeaker
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
)

from .. import __version__
from ..handler import BaseEventHandler, UnknownEventError
from ..protocol import Limits, ProtocolError
from .engine import CHANNELS, SAMPLE_WIDTH, PiperEngine
from .sentences import Segment, SentenceSplitter, split_text

_LOGGER = logging.getLogger(__name__)
_PIPER = Attribution(name="Piper", url="https://github.com/OHF-Voice/piper1-gpl")


@dataclass(frozen=True)
class TtsSettings:
    """Per-request behaviour chosen on the command line."""

    samples_per_chunk: int = 1024
    max_text_chars: int = 5000
    first_fragment_words: int = 3
    max_segment_chars: int = 300


@dataclass(frozen=True)
class _Say:
    segment: Segment
    config: SynthesisConfig
    streaming: bool  # the client plays audio as it arrives


@dataclass
class _Stream:
    """An open ``synthesize-start`` ... ``synthesize-stop`` session."""

    splitter: SentenceSplitter
    config: SynthesisConfig | None
    audio_started: bool = False
    failed: bool = False
    chars: int = 0


def build_info(engine: PiperEngine) -> Info:
    """The ``info`` answer: one TTS program with its voice, streaming supported."""
    voice = engine.info
    speakers = [TtsVoiceSpeaker(name=name) for name in voice.speakers] or None
    return Info(
        tts=[
            TtsProgram(
                name="atlas-tts",
                description="ATLAS text to speech (Piper)",
                attribution=_PIPER,
                installed=True,
                version=__version__,
                voices=[
                    TtsVoice(
                        name=voice.name,
                        description=f"{voice.name} (Piper, {voice.sample_rate} Hz)",
                        attribution=_PIPER,
                        installed=True,
                        version=None,
                        languages=[voice.language],
                        speakers=speakers,
                    )
                ],
                supports_synthesize_streaming=True,
            )
        ]
    )


def _text(event: Event) -> str:
    text = event.data.get("text")
    if not isinstance(text, str):
        raise ProtocolError("bad_request", f"'{event.type}' needs a 'text' string")
    return text


def _same_language(requested: str, voice: str) -> bool:
    want = requested.replace("-", "_").lower()
    have = voice.replace("-", "_").lower()
    return want in (have, have.split("_")[0])


class TtsEventHandler(BaseEventHandler):
    """Speaks for one client connection."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        limits: Limits,
        engine: PiperEngine,
        settings: TtsSettings,
    ) -> None:
        super().__init__(reader, writer, limits)
        self.engine = engine
        self.settings = settings
        self._jobs: asyncio.Queue[_Say | Event] = asyncio.Queue()
        self._queued_chars = 0
        self._worker: asyncio.Task[None] | None = None
        self._stream: _Stream | None = None
        # When the audio sent for the current request runs out, if played in real time.
        self._audio_until = 0.0

    def info(self) -> Info:
        """Describe the voice."""
        return build_info(self.engine)

    async def handle(self, event: Event) -> bool:
        """Route the TTS events; anything else is an ``unknown_event`` error."""
        if Synthesize.is_type(event.type):
            self._on_synthesize(event)
        elif SynthesizeStart.is_type(event.type):
            self._on_start(event)
        elif SynthesizeChunk.is_type(event.type):
            self._on_chunk(event)
        elif SynthesizeStop.is_type(event.type):
            self._on_stop()
        else:
            raise UnknownEventError(event.type)
        return True

    async def disconnect(self) -> None:
        """Stop speaking for a client that has gone."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    # --- requests ---------------------------------------------------------------------------

    def _on_synthesize(self, event: Event) -> None:
        if self._stream is not None:
            # Home Assistant repeats the whole streamed text as a plain ``synthesize`` inside the
            # stream, for servers without streaming support; the stream already speaks it.
            _LOGGER.debug("Ignoring synthesize inside a synthesize stream")
            return
        text = _text(event)
        self._check_length(len(text), "text")
        config = self._voice_config(event.data)
        segments = split_text(text, max_chars=self.settings.max_segment_chars)
        self._check_backlog(len(text))
        self._enqueue(self._audio_start())
        for segment in segments:
            self._say(segment, config, streaming=False)
        self._enqueue(AudioStop().event())

    def _on_start(self, event: Event) -> None:
        if self._stream is not None:
            raise ProtocolError(
                "stream_open", "a synthesize stream is already open; send synthesize-stop first"
            )
        splitter = SentenceSplitter(
            first_fragment_words=self.settings.first_fragment_words,
            max_chars=self.settings.max_segment_chars,
        )
        try:
            config = self._voice_config(event.data)
        except ProtocolError:
            # Swallow the rest of this stream quietly; the client gets this one error.
            self._stream = _Stream(splitter, None, failed=True)
            raise
        self._stream = _Stream(splitter, config, audio_started=True)
        self._enqueue(self._audio_start())

    def _on_chunk(self, event: Event) -> None:
        stream = self._stream
        if stream is None:
            raise ProtocolError("no_stream", "synthesize-chunk arrived without synthesize-start")
        text = _text(event)
        if stream.failed or stream.config is None:
            return
        stream.chars += len(text)
        try:
            self._check_length(stream.chars, "streamed text")
            self._check_backlog(len(text))
        except ProtocolError:
            stream.failed = True
            raise
        for segment in stream.splitter.add(text):
            self._say(segment, stream.config, streaming=True)

    def _on_stop(self) -> None:
        stream = self._stream
        if stream is None:
            raise ProtocolError("no_stream", "synthesize-stop arrived without synthesize-start")
        self._stream = None
        if not stream.failed and stream.config is not None:
            for segment in stream.splitter.finish():
                self._say(segment, stream.config, streaming=True)
        if stream.audio_started:
            self._enqueue(AudioStop().event())
        self._enqueue(SynthesizeStopped().event())

    # --- helpers ----------------------------------------------------------------------------

    def _voice_config(self, data: dict[str, Any]) -> SynthesisConfig:
        """The Piper settings for a request's optional ``voice``: name, language, speaker."""
        voice = data.get("voice")
        if voice is None:
            return self.engine.synthesis_config(None)
        if not isinstance(voice, dict):
            raise ProtocolError("bad_request", "'voice' must be an object")
        ours = self.engine.info
        name, language, speaker = voice.get("name"), voice.get("language"), voice.get("speaker")
        if name is not None and name != ours.name:
            raise ProtocolError(
                "unknown_voice", f"unknown voice {name!r}; this server speaks with '{ours.name}'"
            )
        if (
            name is None
            and language is not None
            and (not isinstance(language, str) or not _same_language(language, ours.language))
        ):
            raise ProtocolError(
                "unknown_voice",
                f"no voice for language {language!r}; this server speaks '{ours.language}'",
            )
        if speaker is None:
            return self.engine.synthesis_config(None)
        if isinstance(speaker, bool) or not isinstance(speaker, str | int):
            raise ProtocolError("bad_request", "'speaker' must be a name or an id")
        return self.engine.synthesis_config(str(speaker))

    def _check_length(self, chars: int, what: str) -> None:
        limit = self.settings.max_text_chars
        if chars > limit:
            raise ProtocolError(
                "text_too_long",
                f"{what} is {chars} characters; this server speaks at most {limit} per request",
            )

    def _check_backlog(self, chars: int) -> None:
        if self._queued_chars + chars > 2 * self.settings.max_text_chars:
            raise ProtocolError(
                "busy", "too much text is still waiting to be spoken on this connection"
            )

    def _audio_start(self) -> Event:
        return AudioStart(
            rate=self.engine.info.sample_rate, width=SAMPLE_WIDTH, channels=CHANNELS
        ).event()

    def _say(self, segment: Segment, config: SynthesisConfig, *, streaming: bool) -> None:
        self._enqueue(_Say(segment, config, streaming))

    def _enqueue(self, job: _Say | Event) -> None:
        if isinstance(job, _Say):
            self._queued_chars += len(job.segment.text)
        self._jobs.put_nowait(job)
        if self._worker is None:
            self._worker = asyncio.create_task(self._speak_jobs(), name=f"tts {self.peer}")

    # --- the worker ---------------------------------------------------------------------------

    async def _speak_jobs(self) -> None:
        """Write queued events and speak queued segments, in order, until cancelled."""
        while True:
            job = await self._jobs.get()
            if isinstance(job, Event):
                if AudioStart.is_type(job.type):
                    self._audio_until = 0.0
                await self.write_event(job)
                continue
            try:
                if not self.closed:
                    await self._speak(job)
            except Exception:
                _LOGGER.exception("Synthesis failed for %r", job.segment.text)
                await self.send_error("synthesis_failed", "speech synthesis failed; see the log")
            finally:
                self._queued_chars -= len(job.segment.text)

    async def _speak(self, job: _Say) -> None:
        loop = asyncio.get_running_loop()
        rate = self.engine.info.sample_rate
        step = self.settings.samples_per_chunk * SAMPLE_WIDTH * CHANNELS
        # A stream is due when its client's audio runs out, or now if nothing is playing; a plain
        # synthesize is played only once complete, so it is due now (first come, first served).
        now = loop.time()
        deadline = max(self._audio_until, now) if job.streaming else now
        pcm = await self.engine.synthesize(job.segment, job.config, deadline)
        self._audio_until = max(self._audio_until, loop.time()) + len(pcm) / (
            rate * SAMPLE_WIDTH * CHANNELS
        )
        for offset in range(0, len(pcm), step):
            if self.closed:
                return
            chunk = AudioChunk(
                rate=rate, width=SAMPLE_WIDTH, channels=CHANNELS, audio=pcm[offset : offset + step]
            )
            await self.write_event(chunk.event())
