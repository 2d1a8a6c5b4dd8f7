"""The box's settings: defaults, then a TOML file (``--config``), then command-line flags.

File format (every key optional)::

    host = "0.0.0.0"          # address the three servers listen on
    data_dir = "/srv/atlas"   # models; default $ATLAS_DATA_DIR or ~/.local/share/atlas
    gpu_mem = "4GiB"          # plan the LLM's GPU settings for this much VRAM
    zeroconf = true           # advertise every server under its default name
    debug = false
    stop_timeout = 10         # seconds between SIGTERM and SIGKILL when stopping
    max_restarts = 5          # quick crashes in a row before a server is given up

    [stt]                     # atlas-stt (port 10300, zeroconf atlas-stt)
    enabled = true
    port = 10300
    model = "base"
    device = "cpu"            # cpu | cuda
    compute_type = "int8"
    beam_size = 1
    zeroconf = "kitchen-stt"  # true, false or a name
    args = ["--max-data-bytes", "1048576"]   # further flags, passed as they are

    [tts]                     # atlas-tts (port 10200)
    voice = "en_US-joe-medium"
    speaker = "0"

    [llm]                     # atlas-llm (port 10400)
    model = "qwen3-4b"
    n_gpu_layers = -1
    ctx = 4096
    kv_cache = "auto"         # auto (q8_0 on the GPU, f16 on the CPU) | f16 | q8_0 | q4_0
    flash_attn = true
    threads = 4
    adaptive_threads = true   # on the CPU, leave cores busy neighbours need
    cpu_weight_repack = "auto"  # auto (off on AMX CPUs, where it crashes) | on | off
    max_queue = 8
    max_tokens = 2048
    system_prompt = "..."
    no_download = false
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cli import default_data_dir
from .vram_plan import PlanError, parse_size


class ConfigError(Exception):
    """A bad config file or flag; the message is one line."""


# Per server: (module, default port, zeroconf name, {option: type}).
_SCALAR = (str, int, float, bool)
SERVERS: dict[str, tuple[str, int, str, dict[str, type | tuple[type, ...]]]] = {
    "stt": (
        "wyoming_servers.stt", 10300, "atlas-stt",
        {"model": str, "device": str, "compute_type": str, "beam_size": int},
    ),
    "tts": ("wyoming_servers.tts", 10200, "atlas-tts", {"voice": str, "speaker": (str, int)}),
    "llm": (
        "wyoming_servers.llm", 10400, "atlas-llm",
        {
            "model": str, "n_gpu_layers": int, "ctx": int, "kv_cache": str, "flash_attn": bool,
            "threads": int, "max_queue": int, "max_tokens": int, "system_prompt": str,
            "no_download": bool, "omp_wait_policy": str, "adaptive_threads": bool,
            "cpu_weight_repack": str,
        },
    ),
}  # fmt: skip
# Booleans passed as --x / --no-x; other booleans are plain switches (present when true).
_NEGATABLE = {"flash_attn", "adaptive_threads"}
_COMMON_KEYS = {"enabled", "port", "zeroconf", "args"}
_TOP_KEYS = {"host", "data_dir", "gpu_mem", "zeroconf", "debug", "stop_timeout", "max_restarts"}


@dataclass
class ServerConfig:
    """One child server."""

    name: str
    module: str
    port: int
    zeroconf_name: str
    enabled: bool = True
    zeroconf: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)

    def argv(self, host: str, data_dir: Path, debug: bool) -> list[str]:
        """The child's flags (after ``python -m module``)."""
        args = ["--uri", f"tcp://{host}:{self.port}", "--data-dir", str(data_dir)]
        if self.zeroconf:
            args += ["--zeroconf", self.zeroconf]
        if debug:
            args.append("--debug")
        for key, value in self.options.items():
            flag = "--" + key.replace("_", "-")
            if isinstance(value, bool):
                if key in _NEGATABLE:
                    args.append(flag if value else f"--no-{flag[2:]}")
                elif value:
                    args.append(flag)
            elif value is not None:
                args += [flag, str(value)]
        return args + self.extra_args


@dataclass
class BoxConfig:
    """Everything ``atlas-box run`` needs."""

    host: str = "0.0.0.0"
    data_dir: Path = field(default_factory=default_data_dir)
    gpu_mem: int | None = None
    debug: bool = False
    stop_timeout: float = 10.0
    max_restarts: int = 5
    servers: dict[str, ServerConfig] = field(default_factory=dict)

    @classmethod
    def defaults(cls) -> BoxConfig:
        """The three servers on their Wyoming add-on ports."""
        servers = {
            name: ServerConfig(name, module, port, zc_name)
            for name, (module, port, zc_name, _opts) in SERVERS.items()
        }
        return cls(servers=servers)

    def enabled(self) -> list[ServerConfig]:
        """The servers to run."""
        return [server for server in self.servers.values() if server.enabled]


def _check(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    """``value`` if it has type ``kind`` (a bool is not an int here), else :class:`ConfigError`."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ConfigError(f"{where} must be {names}, not {value!r}")
    return value


def _zeroconf(value: Any, default_name: str, where: str) -> str | None:
    if isinstance(value, bool):
        return default_name if value else None
    return str(_check(value, str, where))


def load_config(path: Path, config: BoxConfig | None = None) -> BoxConfig:
    """Apply a TOML file to ``config`` (the defaults when None)."""
    config = config or BoxConfig.defaults()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err
    unknown = set(data) - _TOP_KEYS - set(SERVERS)
    if unknown:
        raise ConfigError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
    if "host" in data:
        config.host = _check(data["host"], str, "host")
    if "data_dir" in data:
        config.data_dir = Path(_check(data["data_dir"], str, "data_dir")).expanduser()
    if "gpu_mem" in data:
        config.gpu_mem = gpu_mem_bytes(str(_check(data["gpu_mem"], (str, int), "gpu_mem")))
    if "debug" in data:
        config.debug = _check(data["debug"], bool, "debug")
    if "stop_timeout" in data:
        config.stop_timeout = float(_check(data["stop_timeout"], (int, float), "stop_timeout"))
    if "max_restarts" in data:
        config.max_restarts = _check(data["max_restarts"], int, "max_restarts")
    if "zeroconf" in data:
        for server in config.servers.values():
            server.zeroconf = _zeroconf(data["zeroconf"], server.zeroconf_name, "zeroconf")
    for name, server in config.servers.items():
        section = data.get(name)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(f"[{name}] must be a table")
        _apply_section(server, section, SERVERS[name][3], f"{path}: [{name}]")
    return config


def _apply_section(
    server: ServerConfig,
    section: dict[str, Any],
    options: dict[str, type | tuple[type, ...]],
    where: str,
) -> None:
    unknown = set(section) - _COMMON_KEYS - set(options)
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(_COMMON_KEYS | set(options)))})"
        )
    for key, value in section.items():
        if key == "enabled":
            server.enabled = _check(value, bool, f"{where} enabled")
        elif key == "port":
            server.port = _port(_check(value, int, f"{where} port"), f"{where} port")
        elif key == "zeroconf":
            server.zeroconf = _zeroconf(value, server.zeroconf_name, f"{where} zeroconf")
        elif key == "args":
            if not isinstance(value, list) or not all(isinstance(a, _SCALAR) for a in value):
                raise ConfigError(f"{where} args must be a list of strings")
            server.extra_args = [str(a) for a in value]
        else:
            server.options[key] = _check(value, options[key], f"{where} {key}")


def _port(port: int, where: str) -> int:
    if not 0 < port < 65536:
        raise ConfigError(f"{where} must be 1-65535, not {port}")
    return port


def gpu_mem_bytes(text: str) -> int:
    """``--gpu-mem`` / ``gpu_mem`` as bytes."""
    try:
        size = parse_size(text)
    except PlanError as err:
        raise ConfigError(str(err)) from err
    if size <= 0:
        raise ConfigError("gpu_mem must be positive")
    return size
