"""The faster-whisper engine: speech gating, a fast short-window decode, and a safe fallback.

Whisper's encoder is trained on 30 s windows, and faster-whisper always pads to 30 s, so a 3 s
voice command pays for 27 s of padding. CTranslate2's encoder accepts shorter inputs: this engine
encodes a 20 s window for commands up to 19 s, about 1.6 times faster than 30 s. On 144 Piper
renderings of ATLAS commands the 20 s window was as accurate as 30 s (WER 4.1 % against 4.5 %);
10 s windows were faster still but lost accuracy (5.1 %), and windows under 10 s make whisper
repeat itself. A result that looks wrong (too repetitive, too unlikely) is decoded again the
standard way, with faster-whisper's 30 s windows and temperature fallback.

Silero VAD (shipped with faster-whisper) gates every decode: silence, noise and empty audio give
an empty transcript instead of whisper's hallucinated "Thank you.", and the audio is cropped to
the speech so trailing silence cannot invent words either.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import threading
import time
import zlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_suppressed_tokens
from faster_whisper.vad import VadOptions, get_speech_timestamps

from .audio import TARGET_RATE, Samples

_LOGGER = logging.getLogger(__name__)

FRAMES_PER_SECOND = 100  # whisper's log-mel frames
MIN_WINDOW_FRAMES = 2000  # 20 s: shorter encoder windows cost accuracy (see the docstring)
WINDOW_STEP_FRAMES = 500
MAX_WINDOW_FRAMES = 3000  # whisper's native 30 s
WINDOW_MARGIN_FRAMES = 100
MAX_TOKENS_PER_SECOND = 12  # generous bound; stops runaway repetition early
SILENCE_DBFS = -70.0  # no 10 ms frame louder than this: silence, not worth a look
TARGET_PEAK_DBFS = -20.0  # quiet audio is amplified to this for VAD and whisper
MAX_GAIN_DB = 40.0
VAD_OPTIONS = VadOptions(
    threshold=0.4, min_speech_duration_ms=120, min_silence_duration_ms=100, speech_pad_ms=0
)
SPEECH_PAD_SECONDS = 0.3  # kept around the detected speech
# After this much pause the crop of the speech so far stops changing: the VAD has closed the
# segment and the padding fits, so a speculative decode then sees what the final one would.
SETTLED_PAUSE_SECONDS = SPEECH_PAD_SECONDS + VAD_OPTIONS.min_silence_duration_ms / 1000
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
_SENTENCE = re.compile(r"[^.!?\u3002\uff01\uff1f]+[.!?\u3002\uff01\uff1f]*\s*")


@dataclass(frozen=True)
class EngineConfig:
    """How to load and run the model."""

    model_path: Path
    model_name: str
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 1
    cpu_threads: int = 2
    workers: int = 2
    language: str | None = None


@dataclass(frozen=True)
class Transcription:
    """The text of one decode, with the chunks to stream and some diagnostics."""

    text: str
    chunks: tuple[str, ...]
    language: str | None
    audio_seconds: float
    decode_seconds: float
    path: str  # "silence", "fast" or "fallback"
    extra: dict[str, Any] = field(default_factory=dict)
    crop: Crop | None = None  # what the decoder saw; None for silence


@dataclass(frozen=True)
class Crop:
    """The decoder's input, determined by the audio: the levelling gain and the speech span."""

    gain_db: float
    start: int
    end: int


def split_sentences(text: str) -> tuple[str, ...]:
    """Split ``text`` into sentence chunks whose concatenation is exactly ``text``."""
    if not text:
        return ()
    chunks = [match.group(0) for match in _SENTENCE.finditer(text)]
    if "".join(chunks) != text:
        return (text,)
    return tuple(chunks)


def compression_ratio(text: str) -> float:
    """gzip compression ratio, whisper's repetition measure."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def is_repetitive(text: str) -> bool:
    """True when a sentence of three or more words is immediately repeated."""
    sentences = [
        " ".join(re.sub(r"[^\w\s']", " ", s.lower()).split()) for s in _SENTENCE.findall(text)
    ]
    return any(a == b and len(a.split()) >= 3 for a, b in itertools.pairwise(sentences))


def level_gain_db(audio: Samples) -> float | None:
    """The gain that puts the loudest 10 ms frame at -20 dBFS (0 for loud audio); ``None`` for
    silence. Silero VAD and whisper both miss speech a quiet microphone recorded at -60 dBFS."""
    frames = len(audio) // 160
    if frames == 0:
        return None
    power = np.mean(np.square(audio[: frames * 160].reshape(frames, 160)), axis=1)
    peak_db = 10 * math.log10(max(float(power.max()), 1e-12))
    if peak_db < SILENCE_DBFS:
        return None
    return max(0.0, min(TARGET_PEAK_DBFS - peak_db, MAX_GAIN_DB))


def _apply_gain(audio: Samples, gain_db: float) -> Samples:
    if gain_db <= 0:
        return audio
    levelled: Samples = np.clip(audio * 10 ** (gain_db / 20), -1.0, 1.0).astype(np.float32)
    return levelled


def normalise_language(language: str | None, supported: Sequence[str]) -> str | None:
    """``en-US`` → ``en``; ``None`` (auto-detect) for anything the model does not know."""
    if not language:
        return None
    code = language.replace("_", "-").split("-", 1)[0].lower()
    if code in supported:
        return code
    _LOGGER.warning("Language %r is not supported by the model; detecting it instead", language)
    return None


class SttEngine:
    """A loaded whisper model shared by every connection, with its own worker threads."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.model = WhisperModel(
            str(config.model_path),
            device=config.device,
            compute_type=config.compute_type,
            cpu_threads=config.cpu_threads,
            num_workers=config.workers,
            local_files_only=True,
        )
        self.languages: list[str] = list(self.model.supported_languages)
        self.default_language = normalise_language(config.language, self.languages)
        self._executor = ThreadPoolExecutor(config.workers, thread_name_prefix="stt")
        self._busy = 0
        self._lock = threading.Lock()
        self._tokenizers: dict[str | None, Tokenizer] = {}

    # --- scheduling -------------------------------------------------------------------------

    def submit(self, audio: Samples, language: str | None) -> Future[Transcription]:
        """Queue a decode on the engine's workers."""
        with self._lock:
            self._busy += 1
        return self._start(audio, language)

    def try_submit(self, audio: Samples, language: str | None) -> Future[Transcription] | None:
        """Queue a decode only when a worker is idle (for speculative work)."""
        with self._lock:
            if self._busy >= self.config.workers:
                return None
            self._busy += 1
        return self._start(audio, language)

    def _start(self, audio: Samples, language: str | None) -> Future[Transcription]:
        future = self._executor.submit(self.transcribe, audio, language)
        future.add_done_callback(self._release)  # also runs when cancelled before starting
        return future

    def _release(self, _future: Future[Transcription]) -> None:
        with self._lock:
            self._busy -= 1

    def close(self) -> None:
        """Stop the worker threads (waits for running decodes)."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def warm_up(self) -> None:
        """Run one decode so the first client does not pay for lazy initialisation."""
        rng = np.random.default_rng(0)
        tone = 0.1 * np.sin(2 * np.pi * 220 * np.arange(TARGET_RATE) / TARGET_RATE)
        noise = 0.01 * rng.standard_normal(TARGET_RATE)
        audio = (tone + noise).astype(np.float32)
        self.find_speech(audio)
        self._fast_decode(audio, "en" if "en" in self.languages else None)

    # --- decoding ---------------------------------------------------------------------------

    def transcribe(self, audio: Samples, language: str | None) -> Transcription:
        """Transcribe 16 kHz mono audio; empty text when there is no speech."""
        started = time.perf_counter()
        language = language or self.default_language
        seconds = len(audio) / TARGET_RATE
        crop = self.speech_crop(audio)
        if crop is None:
            return Transcription(
                "", (), language, seconds, time.perf_counter() - started, "silence"
            )
        speech = _apply_gain(audio[crop.start : crop.end], crop.gain_db)
        text, detected, extra = self._fast_decode(speech, language)
        path = "fast"
        if extra.get("retry"):
            text, detected = self._standard_decode(speech, language)
            path = "fallback"
        return Transcription(
            text,
            split_sentences(text),
            detected,
            seconds,
            time.perf_counter() - started,
            path,
            extra,
            crop,
        )

    def speech_crop(self, audio: Samples) -> Crop | None:
        """What a decode of ``audio`` would see; ``None`` when it holds no speech."""
        gain_db = level_gain_db(audio)
        if gain_db is None:
            return None
        span = self.find_speech(_apply_gain(audio, gain_db))
        return None if span is None else Crop(gain_db, *span)

    def find_speech(self, audio: Samples) -> tuple[int, int] | None:
        """The padded ``[start, end)`` sample range holding speech, or ``None``.

        ``audio`` should already be levelled (:func:`level_gain_db`).
        """
        if len(audio) < TARGET_RATE // 10:
            return None
        spans = get_speech_timestamps(audio, VAD_OPTIONS)
        if not spans:
            return None
        pad = int(SPEECH_PAD_SECONDS * TARGET_RATE)
        return max(0, int(spans[0]["start"]) - pad), min(len(audio), int(spans[-1]["end"]) + pad)

    def _tokenizer(self, language: str | None) -> Tokenizer:
        tokenizer = self._tokenizers.get(language)
        if tokenizer is None:
            tokenizer = Tokenizer(
                self.model.hf_tokenizer,
                self.model.model.is_multilingual,
                task="transcribe",
                language=language or "en",
            )
            self._tokenizers[language] = tokenizer
        return tokenizer

    def _fast_decode(
        self, audio: Samples, language: str | None
    ) -> tuple[str, str | None, dict[str, Any]]:
        """Decode with a short encoder window; ``extra['retry']`` asks for the standard path."""
        features = self.model.feature_extractor(audio)
        content = features.shape[-1]
        if content + WINDOW_MARGIN_FRAMES > MAX_WINDOW_FRAMES:
            return "", language, {"retry": True, "reason": "long"}
        window = max(
            MIN_WINDOW_FRAMES,
            WINDOW_STEP_FRAMES * math.ceil((content + WINDOW_MARGIN_FRAMES) / WINDOW_STEP_FRAMES),
        )
        padded = np.zeros((features.shape[0], window), dtype=np.float32)
        padded[:, :content] = features
        encoded = self.model.encode(padded)
        if not self.model.model.is_multilingual:
            language = "en"
        elif language is None:
            token, _probability = self.model.model.detect_language(encoded)[0][0]
            language = token[2:-2]
        tokenizer = self._tokenizer(language)
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        max_new = min(224, math.ceil(len(audio) / TARGET_RATE * MAX_TOKENS_PER_SECOND) + 16)
        result = self.model.model.generate(
            encoded,
            [prompt],
            beam_size=self.config.beam_size,
            max_length=len(prompt) + max_new,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, (-1,)),
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        text = tokenizer.decode(tokens).strip()
        extra: dict[str, Any] = {
            "window_s": window / FRAMES_PER_SECOND,
            "avg_logprob": round(avg_logprob, 3),
            "no_speech_prob": round(result.no_speech_prob, 3),
        }
        if result.no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob < LOG_PROB_THRESHOLD:
            return "", language, extra
        if (
            len(tokens) >= max_new
            or avg_logprob < LOG_PROB_THRESHOLD
            or compression_ratio(text) > COMPRESSION_RATIO_THRESHOLD
            or is_repetitive(text)
        ):
            extra["retry"] = True
        return text, language, extra

    def _standard_decode(self, audio: Samples, language: str | None) -> tuple[str, str | None]:
        """faster-whisper's own 30 s windows with temperature fallback."""
        segments, info = self.model.transcribe(
            audio,
            language=language,
            beam_size=self.config.beam_size,
            condition_on_previous_text=False,
            without_timestamps=True,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            log_prob_threshold=LOG_PROB_THRESHOLD,
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
        )
        text = " ".join(segment.text.strip() for segment in segments if segment.text.strip())
        return text, info.language
