"""``atlas-box``: the supervised servers over real TCP, restarts, clean stops, config, downloads."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wyoming_servers.box.__main__ import config_from_args, parse_args
from wyoming_servers.box.__main__ import main as box_main
from wyoming_servers.box.config import ConfigError, load_config
from wyoming_servers.box.runner import runnable
from wyoming_servers.box.supervisor import ChildSpec, Supervisor

from .wyoming_io import DATA_DIR, REPO, allow_loopback, describe, free_port

HAS = {name: runnable(f"wyoming_servers.{name}") for name in ("stt", "tts", "llm")}
STARTED = re.compile(r"Started (\w+) \(pid (\d+)\)")
READY_TIMEOUT = 420


def pid_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Box:
    proc: subprocess.Popen[bytes]
    ports: dict[str, int]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def started(self) -> list[tuple[str, int]]:
        return [(name, int(pid)) for name, pid in STARTED.findall(self.log())]

    def pid(self, name: str) -> int:
        return [pid for n, pid in self.started() if n == name][-1]

    def wait_for(self, predicate: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(predicate, self.log()):
                return
            assert self.proc.poll() is None, f"atlas-box exited:\n{self.log()[-4000:]}"
            time.sleep(0.3)
        raise AssertionError(f"no {predicate!r} in {timeout}s:\n{self.log()[-4000:]}")


def wait_describe(port: int, box: Box, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert box.proc.poll() is None, f"atlas-box exited:\n{box.log()[-4000:]}"
        assert "giving up" not in box.log(), box.log()[-4000:]
        try:
            if asyncio.run(describe(port, timeout=5)) is not None:
                return
        except (OSError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"port {port} never answered describe:\n{box.log()[-4000:]}")


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    """atlas-box from a config file: every server that exists, on free loopback ports."""
    if not (HAS["stt"] or HAS["tts"]):
        pytest.skip("neither wyoming_servers.stt nor wyoming_servers.tts exists yet")
    allow_loopback()
    tmp = tmp_path_factory.mktemp("box")
    ports = {name: free_port() for name, present in HAS.items() if present}
    sections = []
    for name in ("stt", "tts", "llm"):
        if name not in ports:
            sections.append(f"[{name}]\nenabled = false\n")
            continue
        extra = {
            "stt": 'device = "cpu"\nargs = ["--compute-type", "int8"]\n',
            "tts": "",
            "llm": "threads = 1\nmax_queue = 2\n",
        }[name]
        sections.append(f"[{name}]\nport = {ports[name]}\n{extra}")
    config = tmp / "atlas-box.toml"
    config.write_text(
        'host = "127.0.0.1"\n'
        f'data_dir = "{DATA_DIR}"\n'
        'gpu_mem = "4GiB"\n'  # the planner's settings are passed to the LLM
        "stop_timeout = 20\n" + "\n".join(sections)
    )
    log_path = tmp / "box.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wyoming_servers.box", "--config", str(config)],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
        )  # fmt: skip
    running = Box(proc, ports, log_path)
    try:
        for port in ports.values():
            wait_describe(port, running)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        for _name, pid in running.started():  # never leave a child behind
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


PROGRAMS = {"stt": "asr", "tts": "tts", "llm": "handle"}


@pytest.mark.real_model
@pytest.mark.parametrize("name", ["stt", "tts", "llm"])
def test_every_server_answers_describe(box: Box, name: str) -> None:
    if not HAS[name]:
        pytest.skip(f"wyoming_servers.{name} does not exist yet: the box does not run it")
    info = asyncio.run(describe(box.ports[name]))
    assert info is not None
    assert getattr(info, PROGRAMS[name]), info
    assert name in {started for started, _pid in box.started()}


@pytest.mark.real_model
def test_llm_started_with_the_planned_settings(box: Box) -> None:
    if not HAS["llm"]:
        pytest.skip("wyoming_servers.llm does not exist yet")
    log = box.log()
    assert "VRAM plan for" in log
    llm_cmd = next(line for line in log.splitlines() if "Started llm" in line)
    # The embedded SmolLM2 135M (30 layers) fits a 4 GiB card entirely: 30 layers + output.
    assert "--n-gpu-layers 31" in llm_cmd
    assert "--kv-cache q8_0" in llm_cmd
    assert "--ctx 4096" in llm_cmd
    assert "--threads 1" in llm_cmd
    if "stt" in box.ports:
        stt_cmd = next(line for line in log.splitlines() if "Started stt" in line)
        assert "--device cpu" in stt_cmd  # set in the file: the plan does not override it


@pytest.mark.real_model
def test_killed_child_is_restarted(box: Box) -> None:
    name = "tts" if "tts" in box.ports else "stt"
    old = box.pid(name)
    os.kill(old, signal.SIGKILL)
    box.wait_for(rf"{name} exited unexpectedly with code -9", 30)
    box.wait_for(rf"Started {name} \(pid (?!{old}\))\d+\)", 30)
    new = box.pid(name)
    assert new != old
    assert not pid_alive(old)
    wait_describe(box.ports[name], box)
    box.wait_for(rf"{name} \(pid {new}\) ready", 30)
    assert box.proc.poll() is None


@pytest.mark.real_model
def test_sigterm_stops_everything_cleanly(box: Box) -> None:
    pids = [pid for _name, pid in box.started()]
    box.proc.send_signal(signal.SIGTERM)
    assert box.proc.wait(90) == 0, box.log()[-4000:]
    assert not [pid for pid in pids if pid_alive(pid)]
    log = box.log()
    assert "Stopping all servers" in log
    assert "SIGKILL" not in log  # every child stopped on SIGTERM
    for name in box.ports:
        assert re.search(rf"{name} \(pid \d+\) stopped with code 0", log), log[-3000:]
    for port in box.ports.values():
        with pytest.raises(ConnectionRefusedError):
            asyncio.run(describe(port, timeout=2))


# --- supervisor logic with plain child processes --------------------------------------------------


def python_child(name: str, code: str) -> ChildSpec:
    return ChildSpec(name, (sys.executable, "-c", code))


async def test_crashing_child_is_restarted_with_backoff_then_given_up() -> None:
    lines: list[str] = []
    supervisor = Supervisor(
        [python_child("crashy", "import sys; print('boom', flush=True); sys.exit(3)")],
        max_restarts=3, backoff_base=0.05, backoff_max=0.2, output=lines.append,
    )  # fmt: skip
    started = time.monotonic()
    code = await asyncio.wait_for(supervisor.run(), 60)
    assert code == 1  # every child given up
    assert supervisor.restarts["crashy"] == 3
    assert lines.count("[crashy] boom\n") == 4  # first run + 3 restarts
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2  # the backoff was waited


async def test_stop_sends_sigterm_then_sigkill(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stubborn = (
        "import signal, time, pathlib, sys\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(120)\n"
    )
    polite = "import time; time.sleep(120)"
    supervisor = Supervisor(
        [python_child("stubborn", stubborn), python_child("polite", polite)],
        stop_timeout=1.0, output=lambda _line: None,
    )  # fmt: skip
    task = asyncio.create_task(supervisor.run())
    deadline = time.monotonic() + 30
    while not ready.exists() or len(supervisor.pids()) < 2:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    pids = supervisor.pids()
    started = time.monotonic()
    supervisor.request_stop()
    assert await asyncio.wait_for(task, 30) == 0
    assert 1.0 <= time.monotonic() - started < 15
    assert not [pid for pid in pids.values() if pid_alive(pid)]
    assert supervisor.restarts == {"stubborn": 0, "polite": 0}


async def test_stop_during_backoff_does_not_restart() -> None:
    lines: list[str] = []
    supervisor = Supervisor(
        [python_child("quick", "print('bye', flush=True)")], backoff_base=30, output=lines.append
    )
    task = asyncio.create_task(supervisor.run())
    deadline = time.monotonic() + 30
    while not lines or supervisor.pids():  # wait until it ran and exited: now in the 30 s backoff
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    started = time.monotonic()
    supervisor.request_stop()
    assert await asyncio.wait_for(task, 10) == 0
    assert time.monotonic() - started < 5  # the backoff wait was interrupted
    assert supervisor.restarts["quick"] == 0
    assert lines == ["[quick] bye\n"]


# --- configuration --------------------------------------------------------------------------------


def test_config_file_then_flags(tmp_path: Path) -> None:
    path = tmp_path / "box.toml"
    path.write_text(
        'host = "127.0.0.1"\nzeroconf = true\ngpu_mem = "6GB"\n'
        '[stt]\nport = 12345\nmodel = "small"\nbeam_size = 5\nargs = ["--x", 1]\n'
        "[tts]\nenabled = false\nspeaker = 3\n"
        '[llm]\nmodel = "llama-3.2-3b"\nflash_attn = false\nzeroconf = "kitchen-llm"\n'
        'adaptive_threads = false\nkv_cache = "auto"\n'
    )
    config = config_from_args(
        parse_args(
            ["--config", str(path), "--stt-port", "23456", "--model", "qwen3-4b", "--no-llm"]
        )
    )
    assert config.host == "127.0.0.1"
    assert config.gpu_mem == 6 << 30
    stt, tts, llm = config.servers["stt"], config.servers["tts"], config.servers["llm"]
    assert stt.port == 23456  # the flag wins
    assert not tts.enabled
    assert not llm.enabled
    assert llm.options["model"] == "qwen3-4b"
    assert llm.zeroconf == "kitchen-llm"
    assert stt.zeroconf == "atlas-stt"
    argv = stt.argv("127.0.0.1", Path("/d"), debug=True)
    assert argv == [
        "--uri", "tcp://127.0.0.1:23456", "--data-dir", "/d", "--zeroconf", "atlas-stt",
        "--debug", "--model", "small", "--beam-size", "5", "--x", "1",
    ]  # fmt: skip
    llm_argv = llm.argv("h", Path("/d"), debug=False)
    assert "--no-flash-attn" in llm_argv
    assert "--no-adaptive-threads" in llm_argv
    assert llm_argv[llm_argv.index("--kv-cache") + 1] == "auto"
    assert config.enabled() == [stt]


def test_defaults_are_the_wyoming_ports() -> None:
    config = config_from_args(parse_args([]))
    ports = {name: server.port for name, server in config.servers.items()}
    assert ports == {"stt": 10300, "tts": 10200, "llm": 10400}
    assert config.host == "0.0.0.0"
    assert all(server.zeroconf is None for server in config.servers.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown keys colour"),
        ('[llm]\nctx = "big"\n', "ctx must be int"),
        ("[llm]\nkv_cache = 8\n", "kv_cache must be str"),
        ("[llm]\nctx = true\n", "ctx must be int"),
        ("[stt]\nport = 70000\n", "port must be 1-65535"),
        ("[tts]\nvolume = 2\n", "unknown keys volume"),
        ('gpu_mem = "lots"\n', "not a memory size"),
        ("host = \n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    # Every server disabled too: even if the bad value slipped through, nothing would start.
    path.write_text(
        "[stt]\nenabled = false\n[tts]\nenabled = false\n[llm]\nenabled = false\nkv_cache = 8\n"
    )
    with pytest.raises(SystemExit) as exc:
        box_main(["--config", str(path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "kv_cache must be str" in err


def test_everything_disabled_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        box_main(["--no-llm", "--no-stt", "--no-tts"])
    assert exc.value.code == 2
    assert "nothing to run" in capsys.readouterr().err


# --- downloads ------------------------------------------------------------------------------------


def offline_env() -> dict[str, str]:
    closed = free_port()  # nothing listens there
    return {
        **os.environ,
        "HF_ENDPOINT": f"http://127.0.0.1:{closed}",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_ETAG_TIMEOUT": "3",
        "HF_HUB_DOWNLOAD_TIMEOUT": "3",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }


def test_download_offline_fails_fast_with_one_line(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "wyoming_servers.box", "download", "qwen3-4b", "tiny",
         "--data-dir", str(tmp_path)],
        capture_output=True, text=True, env=offline_env(), timeout=120, cwd=REPO, check=False,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr  # one line per model
    assert "could not download 'qwen3-4b'" in lines[0]
    assert "could not download 'tiny'" in lines[1]
    assert "unreachable" in lines[0]
    assert not (tmp_path / "llm").exists()


def test_models_download_offline_raises_model_error(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from wyoming_servers import models\n"
        "t = time.monotonic()\n"
        "try:\n"
        "    models.download('llama-3.2-3b', Path(sys.argv[1]))\n"
        "except models.ModelError as err:\n"
        "    print(f'{time.monotonic() - t:.2f}|{err}')\n"
        "else:\n"
        "    print('no error')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True, text=True, env=offline_env(), timeout=120, cwd=REPO, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    seconds, message = proc.stdout.strip().split("|", 1)
    assert float(seconds) < 20
    assert "\n" not in message
    assert "could not download 'llama-3.2-3b'" in message
    assert "atlas-box download llama-3.2-3b" in message


def test_download_list_and_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        box_main(["download", "--list", "--data-dir", str(tmp_path)])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("qwen3-4b", "llama-3.2-3b", "gemma-3-270m", "base", "large-v3-turbo"):
        assert re.search(rf"^\s+[*e ]? {re.escape(name)}\s", out, re.MULTILINE), name
    with pytest.raises(SystemExit) as exc:
        box_main(["download", "--data-dir", str(tmp_path)])
    assert exc.value.code == 2
    assert "give model names or --list" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        box_main(["download", "no-such-model", "--data-dir", str(tmp_path)])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "unknown model 'no-such-model'" in err
