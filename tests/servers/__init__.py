"""Tests of the GPU-box Wyoming servers over real TCP connections."""
