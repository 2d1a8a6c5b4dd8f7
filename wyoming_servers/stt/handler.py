"""The Wyoming ASR connection handler of ``atlas-stt``.

Protocol: ``transcribe`` (optional: language, model name), then ``audio-start``,
``audio-chunk``…, ``audio-stop``; the answer is ``transcript-start``, ``transcript-chunk``…,
``transcript`` and ``transcript-stop`` (``transcript`` before ``transcript-stop`` so that clients
reading only ``transcript``, such as Home Assistant, get it as early as possible). The connection
stays open for further utterances.

While audio streams in, a speculative decode starts whenever the speaker pauses; at
``audio-stop`` its result is reused when no voiced audio arrived after its snapshot, so most of the
decoding happens before the client stops sending.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from dataclasses import dataclass

from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Info

from ..handler import BaseEventHandler, UnknownEventError
from ..protocol import Limits, ProtocolError
from .audio import TARGET_RATE, AudioConverter, AudioFormatError, PcmFormat
from .engine import SETTLED_PAUSE_SECONDS, SttEngine, Transcription, normalise_language
from .streaming import Utterance

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class SttSettings:
    """Per-server settings shared by every connection."""

    info: Info
    max_audio_seconds: float = 60.0
    speculate_after: float = SETTLED_PAUSE_SECONDS  # pause before a speculative decode; 0: off


@dataclass
class _Speculation:
    samples: int  # snapshot length
    language: str | None
    future: asyncio.Future[Transcription]


class SttEventHandler(BaseEventHandler):
    """One client connection."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        limits: Limits,
        engine: SttEngine,
        settings: SttSettings,
    ) -> None:
        super().__init__(reader, writer, limits)
        self.engine = engine
        self.settings = settings
        self._language: str | None = None
        self._utterance: Utterance | None = None
        self._converter: AudioConverter | None = None
        self._failed = False  # the current utterance hit an error; drop it until audio-stop
        self._speculation: _Speculation | None = None

    def info(self) -> Info:
        """The ``info`` answer to ``describe``."""
        return self.settings.info

    async def handle(self, event: Event) -> bool:
        """Dispatch one event."""
        if AudioChunk.is_type(event.type):
            self._on_chunk(event)
        elif AudioStart.is_type(event.type):
            self._on_start(event)
        elif AudioStop.is_type(event.type):
            await self._on_stop()
        elif Transcribe.is_type(event.type):
            self._on_transcribe(event)
        else:
            raise UnknownEventError(event.type)
        return True

    # --- events -------------------------------------------------------------------------------

    def _on_transcribe(self, event: Event) -> None:
        language = event.data.get("language")
        if language is not None and not isinstance(language, str):
            raise ProtocolError("bad_event", "transcribe 'language' must be a string")
        name = event.data.get("name")
        if name is not None and not isinstance(name, str):
            raise ProtocolError("bad_event", "transcribe 'name' must be a string")
        if name and name != self.engine.config.model_name:
            _LOGGER.debug(
                "Client asked for model %r; serving %r", name, self.engine.config.model_name
            )
        self._language = normalise_language(language, self.engine.languages)

    def _on_start(self, event: Event) -> None:
        self._reset()
        try:
            fmt = PcmFormat.parse(event.data)
        except AudioFormatError as err:
            raise ProtocolError("bad_audio_format", f"audio-start: {err}") from err
        max_samples = int(self.settings.max_audio_seconds * TARGET_RATE)
        self._utterance = Utterance(max_samples)
        self._converter = AudioConverter(fmt)
        _LOGGER.debug("Audio from %s: %s", self.peer, fmt)

    def _on_chunk(self, event: Event) -> None:
        if self._failed:
            return
        utterance, converter = self._utterance, self._converter
        if utterance is None or converter is None:
            raise ProtocolError("audio_not_started", "audio-chunk received before audio-start")
        try:
            fmt = PcmFormat.parse(event.data)
        except AudioFormatError as err:
            self._fail()
            raise ProtocolError("bad_audio_format", f"audio-chunk: {err}") from err
        if fmt != converter.format:
            self._fail()
            raise ProtocolError(
                "bad_audio_format",
                f"audio-chunk format ({fmt}) differs from audio-start ({converter.format})",
            )
        try:
            samples = converter.convert(event.payload or b"")
        except AudioFormatError as err:
            self._fail()
            raise ProtocolError("bad_audio_format", str(err)) from err
        if not utterance.fits(len(samples)):
            self._fail()
            raise ProtocolError(
                "audio_too_long",
                f"more than {self.settings.max_audio_seconds:g} s of audio in one utterance; "
                "it was discarded",
            )
        utterance.append(samples)
        self._maybe_speculate(utterance)

    async def _on_stop(self) -> None:
        utterance = self._utterance
        if self._failed:
            self._reset()
            return
        if utterance is None:
            raise ProtocolError("audio_not_started", "audio-stop received before audio-start")
        language = self._language
        speculation = self._speculation
        try:
            result: Transcription | None = None
            if (
                speculation is not None
                and speculation.language == language
                and not utterance.voiced_after(speculation.samples)
            ):
                try:
                    result = await speculation.future
                except Exception:
                    _LOGGER.exception("Speculative decode failed; decoding again")
                # Reused only when the whole utterance crops to the same decoder input, so the
                # transcript is exactly what a decode at audio-stop would give.
                if result is not None and result.crop != await asyncio.to_thread(
                    self.engine.speech_crop, utterance.audio
                ):
                    _LOGGER.debug("The speech crop changed after the speculative decode")
                    result = None
                if result is not None:
                    _LOGGER.debug(
                        "Reusing the speculative decode of %d samples", speculation.samples
                    )
            if result is None:
                result = await asyncio.wrap_future(self.engine.submit(utterance.audio, language))
        except Exception as err:
            _LOGGER.exception("Transcription failed")
            raise ProtocolError("transcription_failed", f"transcription failed: {err}") from err
        finally:
            self._reset()
            self._language = None  # a transcribe event applies to one utterance
        _LOGGER.info(
            "Transcript (%.2f s audio, %s decode %.0f ms): %r",
            result.audio_seconds,
            result.path,
            1000 * result.decode_seconds,
            result.text,
        )
        await self._send_transcript(result)

    # --- helpers ------------------------------------------------------------------------------

    def _maybe_speculate(self, utterance: Utterance) -> None:
        pause = self.settings.speculate_after
        if pause <= 0 or not utterance.has_voice or utterance.pause_seconds < pause:
            return
        current = self._speculation
        if (
            current is not None
            and current.language == self._language
            and not utterance.voiced_after(current.samples)
        ):
            return  # still valid: nothing new to decode
        # A stale decode that is still running cannot be stopped, but the fresh one should not
        # wait for it: it starts as soon as a worker is free.
        future: Future[Transcription] | None = self.engine.try_submit(
            utterance.audio, self._language
        )
        if future is None:
            return
        if current is not None:
            current.future.cancel()
        wrapped = asyncio.wrap_future(future)
        wrapped.add_done_callback(_consume_exception)
        self._speculation = _Speculation(len(utterance), self._language, wrapped)
        _LOGGER.debug("Speculative decode of %.2f s", utterance.seconds)

    async def _send_transcript(self, result: Transcription) -> None:
        await self.write_event(TranscriptStart(language=result.language).event())
        for chunk in result.chunks:
            await self.write_event(TranscriptChunk(text=chunk).event())
        await self.write_event(Transcript(text=result.text, language=result.language).event())
        await self.write_event(TranscriptStop().event())

    def _fail(self) -> None:
        """Drop the current utterance: later chunks are ignored until audio-stop/start."""
        self._reset()
        self._failed = True

    def _reset(self) -> None:
        if self._speculation is not None:
            self._speculation.future.cancel()
        self._speculation = None
        self._utterance = None
        self._converter = None
        self._failed = False

    async def disconnect(self) -> None:
        """Forget pending work when the client goes away."""
        self._reset()


def _consume_exception(future: asyncio.Future[Transcription]) -> None:
    """Retrieve a speculative decode's exception so asyncio does not log it as unhandled."""
    if not future.cancelled():
        future.exception()
