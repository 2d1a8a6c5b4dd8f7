"""``--cpu-weight-repack``: the auto rule from CPU flags, the load-time switch, real decoding."""

from __future__ import annotations

import threading
from pathlib import Path

import llama_cpp.llama_cpp as lib
import pytest

from wyoming_servers.llm.__main__ import build_parser
from wyoming_servers.llm.engine import EngineConfig, LlamaEngine
from wyoming_servers.llm.request import parse_chat_request
from wyoming_servers.llm.weight_repack import cpu_flags, decide, model_params
from wyoming_servers.models import embedded_llm

from .wyoming_io import DATA_DIR

SAPPHIRE_RAPIDS = frozenset({"fpu", "avx2", "avx512f", "amx_bf16", "amx_tile", "amx_int8"})
ZEN4 = frozenset({"fpu", "avx2", "avx512f", "avx512_bf16"})


def test_auto_turns_repacking_off_where_the_cpu_reports_amx() -> None:
    amx = decide("auto", SAPPHIRE_RAPIDS)
    assert not amx.enabled
    assert "amx_bf16 amx_int8 amx_tile" in amx.reason
    assert "--cpu-weight-repack on" in amx.reason  # says how to force it
    assert decide("auto", ZEN4).enabled
    assert decide("auto", frozenset()).enabled  # unknown CPU: llama.cpp's default


@pytest.mark.parametrize("flags", [SAPPHIRE_RAPIDS, ZEN4])
def test_on_and_off_are_obeyed_whatever_the_cpu(flags: frozenset[str]) -> None:
    assert decide("on", flags).enabled
    assert not decide("off", flags).enabled
    with pytest.raises(ValueError, match="auto, on, off"):
        decide("sometimes", flags)


def test_cpu_flags_come_from_the_first_cpu(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu avx2 amx_tile\n\n"
        "processor\t: 1\nflags\t\t: fpu\n"
    )
    assert cpu_flags(cpuinfo) == {"fpu", "avx2", "amx_tile"}
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd sve\n")
    assert cpu_flags(arm) == {"fp", "asimd", "sve"}
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_the_switch_sets_the_load_params_and_then_restores_the_defaults() -> None:
    original = lib.llama_model_default_params
    assert original().use_extra_bufts  # llama.cpp repacks by default
    with model_params(use_extra_bufts=False):
        assert not lib.llama_model_default_params().use_extra_bufts
    assert lib.llama_model_default_params is original


def test_the_flag_defaults_to_auto() -> None:
    assert build_parser().parse_args([]).cpu_weight_repack == "auto"
    assert build_parser().parse_args(["--cpu-weight-repack", "off"]).cpu_weight_repack == "off"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--cpu-weight-repack", "maybe"])


@pytest.mark.real_model
@pytest.mark.parametrize("setting", ["auto", "off"])
def test_the_real_engine_decodes_with_the_setting(setting: str) -> None:
    """On this CPU, whatever it is: auto is safe (a crash here fails one test, not the run)."""
    engine = LlamaEngine(
        EngineConfig(
            embedded_llm(DATA_DIR),
            "smollm2-135m",
            n_ctx=512,
            adaptive_threads=False,
            cpu_weight_repack=setting,
        )
    )
    try:
        expected = decide(setting, cpu_flags()).enabled
        assert engine.repack.enabled is expected
        request = parse_chat_request(
            {"messages": [{"role": "user", "content": "Count: one, two,"}], "max_tokens": 8,
             "temperature": 0},
            max_tokens_cap=64,
        )  # fmt: skip
        result = engine.generate(request, lambda _event: None, threading.Event())
        assert result.usage.completion_tokens > 0
        assert result.content.strip()
    finally:
        engine.close()
