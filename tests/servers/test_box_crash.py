"""A server that keeps crashing: atlas-box says so once, stops restarting it and serves the report
on its port, where the ATLAS client (as Home Assistant uses it) reads it."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from custom_components.atlas.box.client import AtlasClient, AtlasError, AtlasServerCrashedError
from wyoming_servers.box.crash_report import crash_signal
from wyoming_servers.box.supervisor import ChildSpec, Supervisor
from wyoming_servers.llm.weight_repack import AMX_FLAGS, cpu_flags

from .wyoming_io import DATA_DIR, REPO, allow_loopback, free_port

SEGFAULT = "import ctypes\nprint('loading the model', flush=True)\nctypes.string_at(0)\n"
HINT = "try --cpu-weight-repack off"


@pytest.fixture(autouse=True)
def _loopback() -> None:
    allow_loopback()


def test_only_native_crash_signals_count() -> None:
    assert crash_signal(-11) is not None  # SIGSEGV
    assert crash_signal(-6) is not None  # SIGABRT
    assert crash_signal(-15) is None  # SIGTERM: stopped, not crashed
    assert crash_signal(-9) is None  # SIGKILL (the OOM killer, or us)
    assert crash_signal(1) is None
    assert crash_signal(None) is None


async def test_crash_loop_is_reported_once_and_served_on_the_port(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    lines: list[str] = []
    spec = ChildSpec(
        "atlas-llm",
        (sys.executable, "-c", SEGFAULT),
        crash_hint=HINT,
        report_uri=f"tcp://127.0.0.1:{port}",
    )
    supervisor = Supervisor([spec], crash_limit=3, backoff_base=0.05, output=lines.append)
    caplog.set_level(logging.INFO, logger="atlas-box")
    task = asyncio.create_task(supervisor.run())
    try:
        deadline = time.monotonic() + 60
        while "atlas-llm" not in supervisor.crash_reports:
            assert not task.done(), lines
            assert time.monotonic() < deadline, lines
            await asyncio.sleep(0.05)
        report = supervisor.crash_reports["atlas-llm"]
        assert (report.server, report.signal, report.crashes) == ("atlas-llm", "SIGSEGV", 3)
        assert report.log_tail == ("loading the model",)
        assert supervisor.restarts["atlas-llm"] == 2  # started 3 times, then no more

        client = AtlasClient("127.0.0.1", port)
        for _attempt in range(100):  # the stand-in binds right after the report
            try:
                info = await client.async_describe()
                break
            except AtlasError:
                await asyncio.sleep(0.05)
        assert info.crash is not None
        assert "atlas-llm crashed with SIGSEGV 3 times in a row" in info.crash
        assert HINT in info.crash
        with pytest.raises(AtlasServerCrashedError, match="SIGSEGV") as raised:
            async for _event in client.async_chat({"messages": []}):
                pass
        assert HINT in raised.value.text
        await asyncio.sleep(0.3)
        assert lines.count("[atlas-llm] loading the model\n") == 3  # not restarted again
        assert not task.done()  # the box keeps serving the report (and its other servers)
    finally:
        supervisor.request_stop()
        assert await asyncio.wait_for(task, 30) == 0
    reports = [r for r in caplog.records if "keeps crashing" in r.getMessage()]
    assert len(reports) == 1, "said once"
    text = reports[0].getMessage()
    assert "killed by SIGSEGV 3 times in a row" in text
    assert f"What to try: {HINT}" in text
    assert "  | loading the model" in text
    assert "restarting in" in caplog.text  # the first crashes were restarted as before


async def test_a_clean_exit_between_crashes_resets_the_count() -> None:
    flag = free_port()  # any unique name
    code = (
        "import ctypes, os, pathlib, sys\n"
        f"p = pathlib.Path(os.environ['TMP_MARK_{flag}'])\n"
        "n = int(p.read_text() or 0) if p.exists() else 0\n"
        "p.write_text(str(n + 1))\n"
        "sys.exit(1) if n == 1 else ctypes.string_at(0)\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        spec = ChildSpec(
            "x", (sys.executable, "-c", code), env={f"TMP_MARK_{flag}": f"{tmp}/count"}
        )
        supervisor = Supervisor(
            [spec], crash_limit=2, max_restarts=3, backoff_base=0.01, output=lambda _l: None
        )
        assert await asyncio.wait_for(supervisor.run(), 60) == 1
        # crash, clean exit (resets), crash, crash: the crash report came at the 4th run
        runs = await asyncio.to_thread(Path(f"{tmp}/count").read_text)
        assert runs == "4"
        assert supervisor.crash_reports["x"].crashes == 2


@pytest.mark.real_model
@pytest.mark.skipif(not cpu_flags() & AMX_FLAGS, reason="llama.cpp's repack crash needs AMX")
def test_real_atlas_llm_forced_to_repack_on_an_amx_cpu(tmp_path: Path) -> None:
    """The crash of llama.cpp issue #20824 for real: atlas-box reports it and serves the report."""
    port = free_port()
    log_path = tmp_path / "box.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wyoming_servers.box", "run", "--host", "127.0.0.1",
             "--no-stt", "--no-tts", "--llm-port", str(port), "--data-dir", str(DATA_DIR),
             "--cpu-weight-repack", "on"],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
        )  # fmt: skip
    client = AtlasClient("127.0.0.1", port)

    async def until_reported() -> str:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()[-4000:]
            try:
                info = await client.async_describe()
                if info.crash is not None:
                    return info.crash
                async for _event in client.async_chat(
                    {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}
                ):
                    pass
            except AtlasServerCrashedError:
                continue
            except AtlasError:  # the crash dropped the connection, or it is restarting
                await asyncio.sleep(0.3)
        raise AssertionError(log_path.read_text()[-4000:])

    try:
        crash = asyncio.run(until_reported())
    finally:
        proc.terminate()
        proc.wait(60)
    # SIGSEGV on most AMX hosts, SIGILL on some: any native crash signal.
    assert re.search(r"atlas-llm crashed with SIG(SEGV|ILL|BUS|ABRT) 3 times in a row", crash)
    assert "--cpu-weight-repack off" in crash
    log = log_path.read_text()
    assert len(re.findall(r"keeps crashing: killed by SIG\w+", log)) == 1
    assert "CPU weight repacking on (--cpu-weight-repack on)" in log
