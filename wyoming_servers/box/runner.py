"""``atlas-box run``: turn a :class:`BoxConfig` into supervised child servers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
import logging
import signal
import sys

from .. import models
from .config import BoxConfig, ConfigError, ServerConfig
from .gguf_info import ModelInfoError, load_model_meta
from .gpu_detect import llama_cpp_has_gpu, nvidia_free_memory
from .supervisor import ChildSpec, Supervisor
from .vram_plan import Plan, PlanError, PlanRequest, make_plan, mib, render_text

_LOGGER = logging.getLogger("atlas-box")
# Where the box itself connects to a child that listens on every address.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}


def probe_host(host: str) -> str:
    """The address to reach a server bound to ``host``."""
    return _LOOPBACK.get(host, host)


def runnable(module: str) -> bool:
    """True when ``python -m module`` can work: the package and its ``__main__`` exist."""
    try:
        return importlib.util.find_spec(f"{module}.__main__") is not None
    except ImportError:
        return False


def child_specs(config: BoxConfig) -> list[ChildSpec]:
    """One :class:`ChildSpec` per enabled server, all with this Python."""
    specs = []
    for server in config.enabled():
        if not runnable(server.module):
            raise ConfigError(
                f"{server.module} is not installed; install it or disable it with "
                f"--no-{server.name}"
            )
        argv = (
            sys.executable,
            "-m",
            server.module,
            *server.argv(config.host, config.data_dir, config.debug),
        )
        spec = ChildSpec(
            server.name, argv, probe_host(config.host), server.port, title=server.zeroconf_name
        )
        if server.name == "llm":
            spec = dataclasses.replace(
                spec,
                crash_hint=llm_crash_hint(server),
                report_uri=f"tcp://{config.host or '0.0.0.0'}:{server.port}",
            )
        specs.append(spec)
    return specs


def llm_crash_hint(llm: ServerConfig) -> str:
    """What to try when atlas-llm keeps crashing with the given settings."""
    if llm.options.get("cpu_weight_repack", "auto") != "off":
        return (
            "On CPUs with AMX (Intel Xeon Sapphire Rapids and later) llama.cpp's repacked CPU "
            "kernels crash: run atlas-box with --cpu-weight-repack off (or cpu_weight_repack = "
            '"off" in the [llm] section of its config file).'
        )
    return (
        "CPU weight repacking is already off: try --kv-cache f16, fewer --n-gpu-layers, or "
        "another model, and report the log lines above."
    )


async def plan_llm(config: BoxConfig) -> Plan | None:
    """A VRAM plan for the LLM when ``gpu_mem`` is set, or when a CUDA llama.cpp, an NVIDIA GPU
    and a downloaded (non-embedded) model are all present; None otherwise."""
    llm = config.servers["llm"]
    stt = config.servers["stt"]
    if not llm.enabled:
        return None
    model = llm.options.get("model")
    gpu_mem = config.gpu_mem
    if gpu_mem is None:
        if "n_gpu_layers" in llm.options:
            return None  # the user chose the offload; nothing to plan
        gpu_mem = await nvidia_free_memory()
        if gpu_mem is None or not await llama_cpp_has_gpu():
            return None
        try:
            resolved = await asyncio.to_thread(
                models.resolve, models.Kind.LLM, model, config.data_dir
            )
        except models.ModelError:
            return None  # atlas-llm reports (or downloads) a missing model itself
        if resolved.embedded:
            return None
        _LOGGER.info("Detected %.0f MiB of free GPU memory", mib(gpu_mem))
    try:
        meta = await asyncio.to_thread(load_model_meta, model, config.data_dir)
        request = PlanRequest(
            gpu_mem=gpu_mem,
            ctx=int(llm.options.get("ctx", 4096)),
            kv_cache=planned_kv_cache(str(llm.options.get("kv_cache", "auto"))),
            flash_attn=bool(llm.options.get("flash_attn", True)),
            stt_device=stt.options.get("device") if stt.enabled else "cpu",
            stt_model=str(stt.options.get("model", models.EMBEDDED_STT)),
        )
        return make_plan(meta, request)
    except (models.ModelError, ModelInfoError, PlanError) as err:
        raise ConfigError(f"cannot plan GPU memory for the LLM: {err}") from err


def planned_kv_cache(configured: str) -> str:
    """The KV cache type the GPU plan starts from (``auto`` means q8_0 on a GPU)."""
    return "q8_0" if configured == "auto" else configured


def apply_plan(plan: Plan, llm: ServerConfig, stt: ServerConfig) -> None:
    """Start the LLM (and the STT, unless its device was set) with the plan's settings."""
    for line in render_text(plan).splitlines():
        if line:
            _LOGGER.info("%s", line)
    if "n_gpu_layers" in llm.options:
        _LOGGER.warning(
            "n_gpu_layers=%s was set explicitly: the plan's %d is not applied",
            llm.options["n_gpu_layers"],
            plan.n_gpu_layers,
        )
    else:
        llm.options["n_gpu_layers"] = plan.n_gpu_layers if plan.fits else 0
    llm.options.update(ctx=plan.ctx, kv_cache=plan.kv_cache, flash_attn=plan.flash_attn)
    if not plan.fits:
        _LOGGER.warning("The LLM does not fit the GPU: running it on the CPU")
    if "device" not in stt.options:
        stt.options["device"] = plan.stt_device if plan.fits else "cpu"


async def run_box(config: BoxConfig) -> int:
    """Plan, start the servers, and supervise them until SIGTERM/SIGINT."""
    if not config.enabled():
        raise ConfigError("every server is disabled: nothing to run")
    plan = await plan_llm(config)
    if plan is not None:
        apply_plan(plan, config.servers["llm"], config.servers["stt"])
    supervisor = Supervisor(
        child_specs(config), stop_timeout=config.stop_timeout, max_restarts=config.max_restarts
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, supervisor.request_stop)
    try:
        return await supervisor.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
