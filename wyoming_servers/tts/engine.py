"""The Piper voice: loading, speaker settings, and synthesis on worker threads."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from piper import PiperVoice, SynthesisConfig

from ..models import ModelError
from ..protocol import ProtocolError
from .scheduler import DeadlineScheduler
from .sentences import Segment

_LOGGER = logging.getLogger(__name__)

SAMPLE_WIDTH = 2  # 16-bit PCM
CHANNELS = 1
_SILENCE = 0.02  # |amplitude| below this counts as silence when trimming
_KEEP_SILENCE_S = 0.08  # pause left at a cut inside a sentence


@dataclass(frozen=True)
class VoiceOptions:
    """Synthesis settings chosen on the command line (``None``: the voice's own default)."""

    speaker: str | None = None
    length_scale: float | None = None
    noise_scale: float | None = None
    noise_w_scale: float | None = None


@dataclass(frozen=True)
class VoiceInfo:
    """What the server advertises about its voice."""

    name: str
    language: str
    sample_rate: int
    speakers: dict[str, int] = field(default_factory=dict)
    num_speakers: int = 1


def read_voice_info(name: str, config_path: Path) -> VoiceInfo:
    """Read the language, sample rate and speakers from a voice's ``.onnx.json``."""
    try:
        config: dict[str, Any] = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read the Piper voice config {config_path}: {err}") from err
    language = (config.get("language") or {}).get("code") or (config.get("espeak") or {}).get(
        "voice", "en_US"
    )
    return VoiceInfo(
        name=name,
        language=str(language),
        sample_rate=int((config.get("audio") or {}).get("sample_rate", 22050)),
        speakers={str(k): int(v) for k, v in (config.get("speaker_id_map") or {}).items()},
        num_speakers=int(config.get("num_speakers", 1)),
    )


def config_path_for(model_path: Path) -> Path:
    """The ``.onnx.json`` that sits beside a voice ``.onnx``."""
    return model_path.with_name(model_path.name + ".json")


def _trim_trailing_silence(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Shorten the trailing pause so a cut inside a sentence sounds like a short break."""
    loud = np.flatnonzero(np.abs(audio) > _SILENCE)
    if loud.size == 0:
        return audio
    return audio[: int(loud[-1]) + 1 + int(_KEEP_SILENCE_S * sample_rate)]


def _to_pcm(audio: np.ndarray) -> bytes:
    pcm = np.clip(audio * 32767.0, -32767.0, 32767.0).astype("<i2")
    return pcm.tobytes()


class PiperEngine:
    """One loaded Piper voice shared by every connection.

    ONNX Runtime sessions may run concurrently and Piper serialises its espeak phonemizer itself,
    so up to ``workers`` synthesis jobs run side by side on worker threads; waiting jobs get a
    slot earliest-deadline-first (see :mod:`.scheduler`).
    """

    def __init__(
        self, voice: PiperVoice, info: VoiceInfo, options: VoiceOptions, workers: int
    ) -> None:
        self.voice = voice
        self.info = info
        self.options = options
        self.default_speaker = (
            self.speaker_id(options.speaker) if options.speaker is not None else None
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="piper")
        self._scheduler = DeadlineScheduler(workers)

    @classmethod
    def load(
        cls, name: str, model_path: Path, options: VoiceOptions, *, workers: int, cuda: bool
    ) -> PiperEngine:
        """Load a voice (blocking) and run one warm-up synthesis."""
        config_path = config_path_for(model_path)
        if not config_path.is_file():
            raise ModelError(
                f"the Piper voice {model_path} has no config beside it ({config_path})"
            )
        info = read_voice_info(name, config_path)
        try:
            voice = PiperVoice.load(model_path, config_path, use_cuda=cuda)
        except Exception as err:  # onnxruntime raises its own exception types
            raise ModelError(f"cannot load the Piper voice {model_path}: {err}") from err
        try:
            engine = cls(voice, info, options, workers)
        except ProtocolError as err:
            raise ModelError(f"--speaker: {err.text}") from err
        # The first run allocates ONNX Runtime buffers: pay for that before any client does.
        engine._pcm(Segment("Hello."), engine.synthesis_config(None))
        return engine

    def close(self) -> None:
        """Stop the worker threads (running jobs finish first)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def speaker_id(self, speaker: str) -> int:
        """A speaker name or numeric id as an id; :class:`ProtocolError` when unknown."""
        if speaker in self.info.speakers:
            return self.info.speakers[speaker]
        if speaker.isdigit() and int(speaker) < self.info.num_speakers:
            return int(speaker)
        known = ", ".join(self.info.speakers) or "none: it has a single speaker"
        raise ProtocolError(
            "unknown_speaker",
            f"voice '{self.info.name}' has no speaker '{speaker}' (speakers: {known})",
        )

    def synthesis_config(self, speaker: str | None) -> SynthesisConfig:
        """Piper settings for one request; ``speaker`` overrides ``--speaker``."""
        return SynthesisConfig(
            speaker_id=self.speaker_id(speaker) if speaker is not None else self.default_speaker,
            length_scale=self.options.length_scale,
            noise_scale=self.options.noise_scale,
            noise_w_scale=self.options.noise_w_scale,
        )

    def _pcm(self, segment: Segment, config: SynthesisConfig) -> bytes:
        """16-bit PCM for one segment (runs in a worker thread)."""
        text = segment.text
        if not segment.sentence_end and text[-1].isalnum():
            text += ","  # continuing intonation rather than a falling sentence end
        pieces = []
        for chunk in self.voice.synthesize(text, config):
            audio = chunk.audio_float_array
            if not segment.sentence_end:
                audio = _trim_trailing_silence(audio, self.info.sample_rate)
            pieces.append(_to_pcm(audio))
        return b"".join(pieces)

    async def synthesize(self, segment: Segment, config: SynthesisConfig, deadline: float) -> bytes:
        """16-bit PCM for ``segment``, synthesised on a worker thread.

        ``deadline`` (event loop time) orders this job among those waiting for a worker. Segments
        are about a sentence long, so one job never holds a worker for long.
        """
        loop = asyncio.get_running_loop()
        async with self._scheduler.slot(deadline):
            return await loop.run_in_executor(self._pool, self._pcm, segment, config)
