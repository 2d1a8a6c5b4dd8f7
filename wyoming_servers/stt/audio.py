"""PCM conversion: any rate, sample width and channel count to 16 kHz mono float32.

Clients (Home Assistant, satellites, scripts) send raw PCM described by ``rate``, ``width`` and
``channels``. Whisper wants 16 kHz mono; this module converts chunk by chunk with numpy, keeping
the resampler state between chunks so chunk boundaries leave no clicks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

TARGET_RATE = 16_000
MIN_RATE = 1_000
MAX_RATE = 384_000
MAX_CHANNELS = 16

Samples = npt.NDArray[np.float32]


class AudioFormatError(ValueError):
    """Audio that cannot be decoded; the message says why in one line."""


@dataclass(frozen=True)
class PcmFormat:
    """Raw little-endian PCM: ``width`` bytes per sample (1 = unsigned 8-bit, as in WAV)."""

    rate: int
    width: int
    channels: int

    @classmethod
    def parse(cls, data: dict[str, object]) -> PcmFormat:
        """Read and validate ``rate``/``width``/``channels`` from an event's data."""
        values: dict[str, int] = {}
        for key in ("rate", "width", "channels"):
            value = data.get(key)
            if value is None:
                raise AudioFormatError(f"audio '{key}' is missing")
            if not isinstance(value, int) or isinstance(value, bool):
                raise AudioFormatError(f"audio '{key}' must be an integer, not {value!r}")
            values[key] = value
        fmt = cls(**values)
        fmt.validate()
        return fmt

    def validate(self) -> None:
        """Raise :class:`AudioFormatError` unless this format can be converted."""
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise AudioFormatError(
                f"unsupported sample rate {self.rate} Hz (expected {MIN_RATE}-{MAX_RATE})"
            )
        if self.width not in (1, 2, 3, 4):
            raise AudioFormatError(
                f"unsupported sample width {self.width} bytes (expected 1, 2, 3 or 4)"
            )
        if not 1 <= self.channels <= MAX_CHANNELS:
            raise AudioFormatError(
                f"unsupported channel count {self.channels} (expected 1-{MAX_CHANNELS})"
            )

    @property
    def frame_bytes(self) -> int:
        """Bytes per frame (one sample for every channel)."""
        return self.width * self.channels

    def __str__(self) -> str:
        return f"{self.rate} Hz, {8 * self.width}-bit, {self.channels} channel(s)"


def pcm_to_mono(pcm: bytes, fmt: PcmFormat) -> Samples:
    """Decode interleaved PCM to mono float32 in [-1, 1] at the original rate."""
    if len(pcm) % fmt.frame_bytes:
        raise AudioFormatError(
            f"audio chunk of {len(pcm)} bytes is not a whole number of {fmt.frame_bytes}-byte "
            f"frames ({fmt})"
        )
    if fmt.width == 1:
        samples = (np.frombuffer(pcm, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif fmt.width == 2:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    elif fmt.width == 3:
        raw = np.frombuffer(pcm, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        packed = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        signed = np.where(packed >= 1 << 23, packed - (1 << 24), packed)
        samples = signed.astype(np.float32) / float(1 << 23)
    else:
        samples = (np.frombuffer(pcm, dtype="<i4").astype(np.float64) / 2.0**31).astype(np.float32)
    if fmt.channels > 1:
        samples = samples.reshape(-1, fmt.channels).mean(axis=1, dtype=np.float32)
    return np.ascontiguousarray(samples, dtype=np.float32)


def _lowpass(cutoff: float, taps: int) -> Samples:
    """A Blackman-windowed sinc low-pass filter; ``cutoff`` in cycles per sample."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps)
    result: Samples = (kernel / kernel.sum()).astype(np.float32)
    return result


class StreamResampler:
    """Resample a stream chunk by chunk: anti-alias low-pass, then linear interpolation."""

    def __init__(self, source_rate: int, target_rate: int = TARGET_RATE) -> None:
        self.source_rate = source_rate
        self.target_rate = target_rate
        self._step = source_rate / target_rate  # source samples per output sample
        self._kernel: Samples | None = None
        self._history = np.zeros(0, dtype=np.float32)
        if source_rate > target_rate:
            taps = 32 * math.ceil(self._step) + 1
            self._kernel = _lowpass(0.45 * target_rate / source_rate, taps)
            self._history = np.zeros(taps - 1, dtype=np.float32)
        self._carry = np.zeros(0, dtype=np.float32)
        self._position = 0.0  # of the next output sample, in samples of ``_carry``

    def process(self, samples: Samples) -> Samples:
        """Return the output samples that the input so far fully determines."""
        if self.source_rate == self.target_rate:
            return samples
        if self._kernel is not None:
            joined = np.concatenate((self._history, samples))
            self._history = joined[len(joined) - len(self._history) :]
            samples = np.convolve(joined, self._kernel, mode="valid").astype(np.float32)
        buffer = np.concatenate((self._carry, samples))
        last = len(buffer) - 1
        if last < self._position:
            self._carry = buffer
            return np.zeros(0, dtype=np.float32)
        count = math.floor((last - self._position) / self._step) + 1
        times = self._position + self._step * np.arange(count)
        out: Samples = np.interp(times, np.arange(len(buffer)), buffer).astype(np.float32)
        next_time = self._position + self._step * count
        drop = min(math.floor(next_time), len(buffer))
        self._carry = buffer[drop:]
        self._position = next_time - drop
        return out


class AudioConverter:
    """Turns the chunks of one audio stream into 16 kHz mono float32."""

    def __init__(self, fmt: PcmFormat) -> None:
        fmt.validate()
        self.format = fmt
        self._resampler = StreamResampler(fmt.rate)

    def convert(self, pcm: bytes) -> Samples:
        """Convert one chunk; raise :class:`AudioFormatError` for a partial frame."""
        return self._resampler.process(pcm_to_mono(pcm, self.format))
