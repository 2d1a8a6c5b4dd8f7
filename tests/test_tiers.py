"""The local model's tier: atlas-llm's describe says its size, the agent sorts it, the policy
keeps a tiny model to small talk."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import llama_cpp
import pytest

from custom_components.atlas.agent.intent_rules import CONFIDENT
from custom_components.atlas.agent.policy import small_model_refusal
from custom_components.atlas.agent.spoken import SMALL_MODEL
from custom_components.atlas.agent.structured import Extraction
from custom_components.atlas.agent.tiers import TINY_BELOW, Tier, model_tier
from custom_components.atlas.agent.trace import TurnTrace
from custom_components.atlas.box.client import AtlasInfo
from wyoming_servers.llm.handler import LlmService
from wyoming_servers.llm.model_facts import ModelFacts, parameter_count, size_from_label


@pytest.mark.parametrize(
    ("parameters", "tier"),
    [
        (134_515_008, Tier.TINY),  # SmolLM2-135M
        (268_098_176, Tier.TINY),  # Gemma 3 270M
        (TINY_BELOW - 1, Tier.TINY),
        (TINY_BELOW, Tier.CAPABLE),
        (1_543_714_304, Tier.CAPABLE),  # Qwen2.5-Coder-1.5B
        (4_022_468_096, Tier.CAPABLE),  # Qwen3-4B
        (None, Tier.CAPABLE),  # an older atlas-llm says nothing: unchanged behaviour
        (0, Tier.CAPABLE),
    ],
)
def test_model_tier(parameters: int | None, tier: Tier) -> None:
    assert model_tier(parameters) is tier


def test_only_a_capable_model_gets_tools_and_intents() -> None:
    assert Tier.CAPABLE.gets_tools
    assert Tier.CAPABLE.reads_intents
    assert not Tier.TINY.gets_tools
    assert not Tier.TINY.reads_intents


@pytest.mark.parametrize(
    ("label", "parameters"),
    [
        ("135M", 135_000_000),
        ("1.5B", 1_500_000_000),
        ("8x7B", 56_000_000_000),
        ("270m", 270_000_000),
        ("4B-Instruct", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_size_from_label(label: object, parameters: int | None) -> None:
    assert size_from_label(label) == parameters


def test_parameter_count_falls_back_to_the_size_label(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_model: object) -> int:
        raise AttributeError("llama_model_n_params")

    monkeypatch.setattr(llama_cpp, "llama_model_n_params", missing)
    assert parameter_count(object(), {"general.size_label": "360M"}) == 360_000_000
    assert parameter_count(object(), {}) is None
    monkeypatch.setattr(llama_cpp, "llama_model_n_params", lambda _m: 1_234)
    assert parameter_count(object(), {"general.size_label": "360M"}) == 1_234


def test_the_extension_carries_the_model_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llama_cpp, "llama_model_n_params", lambda _m: 134_515_008)
    engine = SimpleNamespace(
        n_ctx=4096,
        config=SimpleNamespace(n_gpu_layers=0, kv_cache="f16"),
        template=SimpleNamespace(name="gguf", native_tools=False),
        session=SimpleNamespace(model_p=object(), metadata={"general.size_label": "135M"}),
    )
    scheduler = SimpleNamespace(engine=engine, max_queue=2)
    service = LlmService(cast(Any, scheduler), "smollm2-135m")

    ext = service.extension()

    assert ext["parameters"] == 134_515_008
    assert ext["native_tools"] is False
    assert ext["n_ctx"] == 4096
    assert service.facts == ModelFacts(134_515_008, native_tools=False)


def test_atlas_info_reads_the_facts_and_older_servers_give_none() -> None:
    info = AtlasInfo("m", 4096, "1", {"parameters": 134_515_008, "native_tools": True})
    assert info.parameters == 134_515_008
    assert info.native_tools is True
    older = AtlasInfo("m", 4096, "1", {"protocol": "atlas-chat/1"})
    assert older.parameters is None
    assert older.native_tools is None
    odd = AtlasInfo("m", 4096, "1", {"parameters": "135M", "native_tools": "yes"})
    assert odd.parameters is None
    assert odd.native_tools is None
    assert AtlasInfo("m", 4096, "1", {"parameters": True}).parameters is None


@pytest.mark.parametrize(
    ("extraction", "refused"),
    [
        (Extraction("chat", {}, CONFIDENT), False),  # "thanks!": small talk
        (Extraction("chat", {}, 0.3), True),  # nobody understood it
        (Extraction("chat", {}, CONFIDENT, valid=False), True),
        (Extraction("quick_answer", {}, CONFIDENT), True),  # weather: no tool, no answer
        (Extraction("set_reminder", {}, 0.6), True),  # unsure skill intent
        (None, True),
    ],
)
def test_a_tiny_model_takes_only_small_talk(extraction: Extraction | None, refused: bool) -> None:
    assert small_model_refusal(Tier.TINY, extraction) == (SMALL_MODEL if refused else None)
    assert small_model_refusal(Tier.CAPABLE, extraction) is None


def test_the_trace_says_the_tier() -> None:
    assert TurnTrace(tier="tiny").as_dict()["tier"] == "tiny"
    assert TurnTrace().as_dict()["tier"] is None
