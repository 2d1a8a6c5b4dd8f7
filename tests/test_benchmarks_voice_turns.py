"""``benchmarks.voice_turns`` reports each scenario's times and the demo's verdict, and the
benchmarks stand on their own package (no ``sys.path`` edits, nothing imported from tests)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from benchmarks import voice_turns

BENCHMARKS = Path(voice_turns.__file__).parent


def _result(first: float, total: float, **extra: Any) -> dict[str, Any]:
    return {"understood_by": "rules", "answered_by": "llm", "tools": [], "transcript": "hi",
            "reply": "Hello! How can I help?", "reply_audio_seconds": 1.8,
            "latency_s": {"stt": 0.5, "agent": 0.9, "first_audio": first, "total": total},
            **extra}  # fmt: skip


def test_model_scenarios_are_scenarios() -> None:
    assert len(voice_turns.MODEL_SCENARIOS) >= 3
    assert set(voice_turns.MODEL_SCENARIOS) <= set(voice_turns.SCENARIOS)
    assert {voice_turns.SCENARIOS[n][1] for n in voice_turns.MODEL_SCENARIOS} >= {"chat"}


def test_failed_turns_keep_their_times_and_fail_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = {
        "small talk": _result(1.2, 2.5),
        "open question": _result(
            2.1, 6.0, failed="the spoken turn failed at speech: the reply holds code"
        ),
        "plan by the model": _result(1.4, 3.5),
    }

    def run(said: str, expect: str, data_dir: Path, timeout: float) -> dict[str, Any]:
        name = next(n for n, (s, e) in voice_turns.SCENARIOS.items() if s == said)
        assert expect == voice_turns.SCENARIOS[name][1]
        return dict(outcomes[name])

    monkeypatch.setattr(voice_turns, "run_scenario", run)
    assert voice_turns.main(["--model"]) == 1
    rows = {
        line.split(" | ")[0].lstrip("| "): line for line in capsys.readouterr().out.splitlines()
    }
    assert rows["small talk"].endswith("| 1.20 (0.80x) | 2.50 (0.83x) | 1.80 | ok |")
    assert "| 2.10 (1.40x) | 6.00 (2.00x) |" in rows["open question"]
    assert rows["open question"].endswith("| failed: the spoken turn failed at speech: the reply "
                                          "holds code |")  # fmt: skip
    assert rows["plan by the model"].endswith("| 3.50 (1.17x) | 1.80 | ok, over target |")

    monkeypatch.setitem(outcomes, "open question", _result(1.0, 2.0))
    assert voice_turns.main(["--model"]) == 0


def test_must_say_fails_a_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(voice_turns, "run_scenario", lambda *a: _result(1.0, 2.0, reply="13."))
    assert voice_turns.main(["--only", "quick answer"]) == 1


def test_benchmarks_import_nothing_from_tests_nor_edit_sys_path() -> None:
    for path in sorted(BENCHMARKS.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.level or not node.module.startswith("tests"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("tests") for a in node.names), path
            if isinstance(node, ast.Attribute) and node.attr == "path":
                assert not (isinstance(node.value, ast.Name) and node.value.id == "sys"), path
