"""One utterance as it streams in: the 16 kHz buffer and a cheap pause detector.

The pause detector decides *when* a speculative decode is worth starting (the speaker has
paused) and whether a finished speculative decode is still valid at ``audio-stop`` (no voiced
audio arrived after its snapshot). It is an energy detector with an adaptive noise floor: cheap
enough to run on the event loop for every chunk. Silero VAD, which is slower but accurate, runs
later inside the decode to gate and crop the audio.
"""

from __future__ import annotations

import math

import numpy as np

from .audio import TARGET_RATE, Samples

FRAME = TARGET_RATE // 100  # 10 ms analysis frames
SILENCE_DBFS = -60.0  # frames below this level are never speech
VOICE_OVER_FLOOR_DB = 9.0  # a frame this far above the noise floor counts as voiced
FLOOR_RISE_DB = 0.02  # per frame: how fast the noise floor follows a louder background


class Utterance:
    """Audio of one ``audio-start`` … ``audio-stop`` stream, already at 16 kHz mono."""

    def __init__(self, max_samples: int) -> None:
        self.max_samples = max_samples
        self._audio = np.zeros(TARGET_RATE * 8, dtype=np.float32)
        self._length = 0
        self._analysed = 0  # samples already split into frames
        self._floor_db = math.inf
        self._voiced_frames = 0
        self._last_voiced_end = 0  # sample index just after the last voiced frame

    def __len__(self) -> int:
        return self._length

    @property
    def seconds(self) -> float:
        """Duration so far."""
        return self._length / TARGET_RATE

    @property
    def audio(self) -> Samples:
        """All samples so far (a view: later appends never change these samples)."""
        return self._audio[: self._length]

    def fits(self, extra: int) -> bool:
        """True when ``extra`` more samples stay within the cap."""
        return self._length + extra <= self.max_samples

    def append(self, samples: Samples) -> None:
        """Add converted samples and update the pause detector."""
        end = self._length + len(samples)
        if end > len(self._audio):
            grown = np.zeros(max(end, 2 * len(self._audio)), dtype=np.float32)
            grown[: self._length] = self._audio[: self._length]
            self._audio = grown  # old views keep the old array alive, unchanged
        self._audio[self._length : end] = samples
        self._length = end
        self._analyse()

    def _analyse(self) -> None:
        count = (self._length - self._analysed) // FRAME
        if count <= 0:
            return
        frames = self._audio[self._analysed : self._analysed + count * FRAME].reshape(count, FRAME)
        energy = np.mean(np.square(frames, dtype=np.float64), axis=1)
        levels = 10.0 * np.log10(np.maximum(energy, 1e-12))
        for index, level in enumerate(levels.tolist()):
            if level < self._floor_db:
                self._floor_db = level
            else:
                self._floor_db += FLOOR_RISE_DB
            if level > SILENCE_DBFS and level > self._floor_db + VOICE_OVER_FLOOR_DB:
                self._voiced_frames += 1
                self._last_voiced_end = self._analysed + (index + 1) * FRAME
        self._analysed += count * FRAME

    @property
    def has_voice(self) -> bool:
        """True once at least 100 ms of voiced audio arrived."""
        return self._voiced_frames >= 10

    @property
    def pause_seconds(self) -> float:
        """How long the audio has been unvoiced at its end."""
        return (self._analysed - self._last_voiced_end) / TARGET_RATE

    def voiced_after(self, sample: int) -> bool:
        """True when a voiced frame ended after ``sample``."""
        return self._last_voiced_end > sample
