"""Test helpers: start a server process on 127.0.0.1 and talk Wyoming to it over TCP (the
process and connection helpers live in :mod:`benchmarks._support`, shared with the benchmarks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_socket

from benchmarks._support import (
    DATA_DIR,
    REPO,
    Conn,
    ServerProcess,
    connect,
    describe,
    running,
    start_command,
)
from wyoming_servers.processes import free_port, stop_process

__all__ = [
    "DATA_DIR", "REPO", "Conn", "ServerProcess", "allow_loopback", "connect", "describe",
    "free_port", "running", "start_command", "start_server", "stop_process",
]  # fmt: skip


def allow_loopback() -> None:
    """Real TCP to loopback only (Home Assistant's test plugin blocks every socket)."""
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"], allow_unix_socket=True)


def start_server(
    module: str, *args: str, log_dir: Path, ready_timeout: float = 180, port: int | None = None
) -> ServerProcess:
    """Start ``python -m module`` on a free loopback port and wait until ``describe`` answers."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", module, "--uri", f"tcp://127.0.0.1:{port}",
        "--data-dir", str(DATA_DIR), *args,
    ]  # fmt: skip
    log_path = log_dir / f"{module.rsplit('.', 1)[-1]}-{port}.log"
    return start_command(module, cmd, port, log_path, ready_timeout)
