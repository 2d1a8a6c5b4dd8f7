"""Fixtures shared by the server tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .wyoming_io import ServerProcess, allow_loopback, start_server


@pytest.fixture(autouse=True)
def _loopback_sockets() -> None:
    allow_loopback()


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real atlas-llm on the bundled SmolLM2-135M-Instruct GGUF, on a loopback port."""
    allow_loopback()
    log_dir: Path = tmp_path_factory.mktemp("llm")
    server = start_server(
        "wyoming_servers.llm", "--threads", "2", "--max-queue", "2", log_dir=log_dir
    )
    yield server
    assert server.stop() == 0, server.log()[-2000:]
