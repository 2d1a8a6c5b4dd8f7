"""Find out, without blocking the event loop, whether the LLM can use an NVIDIA GPU."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sys

from .vram_plan import MIB

_LOGGER = logging.getLogger("atlas-box")
_LLAMA_GPU_CHECK = (
    "import sys, llama_cpp; sys.exit(0 if llama_cpp.llama_supports_gpu_offload() else 1)"
)


async def _run(*argv: str, time_limit: float) -> tuple[int | None, str]:
    """Exit code and stdout of a short command (None when it could not run in time)."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return None, ""
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), time_limit)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        return None, ""
    return proc.returncode, out.decode("utf-8", "replace")


async def nvidia_free_memory(time_limit: float = 15) -> int | None:
    """Free memory of the first NVIDIA GPU in bytes, from ``nvidia-smi``; None without one."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    code, out = await _run(
        smi, "--query-gpu=memory.free", "--format=csv,noheader,nounits", time_limit=time_limit
    )
    if code != 0 or not out.strip():
        return None
    try:
        return int(float(out.splitlines()[0].strip()) * MIB)
    except ValueError:
        _LOGGER.debug("Unexpected nvidia-smi output: %r", out)
        return None


async def llama_cpp_has_gpu(time_limit: float = 60) -> bool:
    """True when the installed llama.cpp (llama-cpp-python) was built with GPU offload."""
    code, _ = await _run(sys.executable, "-c", _LLAMA_GPU_CHECK, time_limit=time_limit)
    return code == 0
