"""The test run survives a native crash: the project's pytest settings run tests in a worker
process, so a segfaulting test (llama.cpp on an unlucky CPU) fails alone and the rest still run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CRASHING = """
import ctypes

def test_segfaults():
    ctypes.string_at(0)

def test_after_the_crash():
    assert sum([1, 2]) == 3
"""


def test_a_segfaulting_test_fails_alone_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_native_crash.py").write_text(CRASHING)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"),
         "--rootdir", str(tmp_path), "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 1, out  # failed, not killed by the signal
    assert "crashed while running 'test_native_crash.py::test_segfaults'" in out
    assert "1 failed, 1 passed" in out
