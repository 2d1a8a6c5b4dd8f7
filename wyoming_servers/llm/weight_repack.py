"""CPU weight repacking: llama.cpp's "extra buffer types" (AMX tiles, interleaved Q4_0/IQ4_NL).

At load time llama.cpp may copy CPU-resident weights into layouts for faster kernels. On CPUs
with AMX (Intel Sapphire Rapids and later: most cloud VMs) the AMX buffer type makes the first
decode crash with SIGSEGV in ``ggml_backend_amx_mul_mat`` (llama.cpp issue #20824, unfixed in the
llama.cpp that llama-cpp-python 0.3.36 vendors). ``--cpu-weight-repack auto`` therefore turns
repacking off where the CPU reports AMX and leaves it on elsewhere; ``on`` / ``off`` force it.

``llama_cpp.Llama`` has no keyword for ``llama_model_params.use_extra_bufts``; it fills the
params from ``llama_model_default_params()``, so :func:`model_params` swaps that function for the
duration of one model load (under a lock: loads in other threads wait).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

CHOICES: Final = ("auto", "on", "off")
AMX_FLAGS: Final = frozenset({"amx_tile", "amx_int8", "amx_bf16"})
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class RepackDecision:
    """Whether CPU weights are repacked, and why (logged at start-up)."""

    enabled: bool
    reason: str

    def describe(self) -> str:
        """One log line."""
        return f"CPU weight repacking {'on' if self.enabled else 'off'} ({self.reason})"


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The feature flags of the first CPU in ``cpuinfo`` (empty where it cannot be read)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def decide(setting: str, flags: frozenset[str]) -> RepackDecision:
    """Apply ``--cpu-weight-repack`` to a CPU with feature ``flags``."""
    if setting == "on":
        return RepackDecision(True, "--cpu-weight-repack on")
    if setting == "off":
        return RepackDecision(False, "--cpu-weight-repack off")
    if setting != "auto":
        raise ValueError(f"--cpu-weight-repack must be one of {', '.join(CHOICES)}")
    amx = sorted(flags & AMX_FLAGS)
    if amx:
        return RepackDecision(
            False,
            f"auto: the CPU reports AMX ({' '.join(amx)}), where llama.cpp's repacked kernels "
            "crash; --cpu-weight-repack on forces it",
        )
    return RepackDecision(True, "auto: no AMX on this CPU")


@contextlib.contextmanager
def model_params(use_extra_bufts: bool) -> Iterator[None]:
    """Make ``llama_cpp.Llama(...)`` inside the block load with ``use_extra_bufts`` as given."""
    import llama_cpp.llama_cpp as lib  # noqa: PLC0415 - heavy, only when loading a model

    with _LOAD_LOCK:
        original = lib.llama_model_default_params

        def defaults() -> Any:
            params = original()
            params.use_extra_bufts = use_extra_bufts
            return params

        lib.llama_model_default_params = defaults
        try:
            yield
        finally:
            lib.llama_model_default_params = original
