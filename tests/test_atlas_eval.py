"""``atlas-eval route``: the report in text and JSON, and clear errors for malformed files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "tests" / "data" / "routing.jsonl"


def atlas_eval(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas_eval", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=120,
    )


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_text_report_on_the_dataset() -> None:
    result = atlas_eval("route", DATASET, "--repeat", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = sum(1 for line in DATASET.read_text().splitlines() if line.strip())
    assert f"{DATASET}: {lines} lines" in out
    for label in (
        "accuracy",
        "safety recall    1.000",
        "cloud precision",
        "cloud recall",
        "decision time    p50",
        "p99",
        "confusion (expected -> routed):",
        "local -> local",
        "cloud -> local 0",
        "misrouted:",
    ):
        assert label in out


def test_json_report_and_misrouted_lines(tmp_path: Path) -> None:
    dataset = write(
        tmp_path / "mixed.jsonl",
        '{"text": "Design a 12-week strength program", "route": "cloud"}',
        "",
        '{"text": "Log 20 pushups", "route": "cloud"}',
        '{"text": "I feel dizzy after squats", "route": "cloud", "safety": true}',
        '{"text": "Turn off the lights", "route": "local"}',
        '{"text": "And Friday?", "route": "cloud", "context_tokens": 5000}',
        '{"text": "Do the usual", "route": "cloud", "confidence": 0.3}',
    )
    result = atlas_eval("route", dataset, "--json", "--repeat", "3")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["file"] == str(dataset)
    assert report["lines"] == 6
    assert report["correct"] == 5
    assert report["accuracy"] == round(5 / 6, 4)
    assert report["safety"] == {
        "lines": 1,
        "routed_to_cloud": 1,
        "recall": 1.0,
        "flagged_safety": 1,
    }
    assert report["cloud"] == {"lines": 5, "precision": 1.0, "recall": 0.8}
    assert report["decision_us"]["calls"] == 18
    assert 0 < report["decision_us"]["p50"] <= report["decision_us"]["p99"]
    assert report["confusion"]["local"] == {"local": 1, "cloud-simple": 0, "cloud-complex": 0}
    assert report["confusion"]["cloud"]["local"] == 1
    [missed] = report["misrouted"]
    assert missed["line"] == 3  # blank lines keep their number
    assert missed["text"] == "Log 20 pushups"
    assert (missed["expected"], missed["route"], missed["safety"]) == ("cloud", "local", False)
    assert missed["reason"]

    text = atlas_eval("route", dataset, "--repeat", "1").stdout
    assert "misrouted: 1" in text
    assert "line 3: expected cloud, routed local: 'Log 20 pushups'" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "hi", "route": "local"', "invalid JSON"),
        ('["hi", "local"]', "expected a JSON object"),
        ('{"route": "local"}', '"text" must be a non-empty string'),
        ('{"text": "hi", "route": "cloud-simple"}', '"route" must be "local" or "cloud"'),
        ('{"text": "hi", "route": "cloud", "safety": "yes"}', '"safety" must be true or false'),
        ('{"text": "hi", "route": "local", "safety": true}', '"safety" line must have'),
        ('{"text": "hi", "route": "local", "confidence": "high"}', "'confidence' has the wrong"),
        ('{"text": "hi", "route": "local", "context_tokens": true}', "'context_tokens' has"),
    ],
)
def test_malformed_line(tmp_path: Path, line: str, message: str) -> None:
    dataset = write(tmp_path / "bad.jsonl", '{"text": "Log 20 pushups", "route": "local"}', line)
    result = atlas_eval("route", dataset)
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{dataset}:2: " in result.stderr
    assert message in result.stderr


def test_missing_and_empty_files(tmp_path: Path) -> None:
    result = atlas_eval("route", tmp_path / "absent.jsonl")
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    result = atlas_eval("route", write(tmp_path / "empty.jsonl", ""))
    assert result.returncode == 2
    assert "no examples" in result.stderr


def test_usage() -> None:
    result = atlas_eval()
    assert result.returncode == 2
    assert "route" in result.stderr
    assert atlas_eval("route", "--help").returncode == 0
