"""Busy neighbours on the CPU: :func:`benchmarks._support.busy_neighbours`, shared with the
benchmarks."""

from __future__ import annotations

from benchmarks._support import busy_neighbours

__all__ = ["busy_neighbours"]
