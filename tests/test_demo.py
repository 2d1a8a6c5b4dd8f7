"""The README's main job: ``atlas-demo`` speaks the morning request through a real Home Assistant
(a ``hass`` process on a temporary config dir) into the GPU box on the bundled models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from custom_components.atlas.agent.spoken import BOX_UNREACHABLE
from custom_components.atlas.skills.exercises import LIBRARY

from .ha.spoken import english
from .servers.wyoming_io import DATA_DIR

APOLOGY_UNREACHABLE = english(BOX_UNREACHABLE)


def _demo(tmp_path: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``atlas-demo`` in ``tmp_path`` (also its TMPDIR, to see that it cleans up)."""
    return subprocess.run(
        [sys.executable, "-m", "atlas_demo", "--data-dir", str(DATA_DIR), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        check=False,
    )


def _leftovers(tmp_path: Path) -> list[Path]:
    return list(tmp_path.glob("atlas-demo-*"))


def _mp3_seconds(path: Path) -> float:
    import mutagen

    return float(mutagen.File(path).info.length)


def _monday_words(*moments: datetime) -> set[str]:
    """How a plan for Monday is named on the days of ``moments`` (the demo's HA runs in UTC)."""
    words: set[str] = set()
    for moment in moments:
        ahead = (7 - moment.weekday()) % 7  # days from that day to Monday
        words |= {0: {"this morning", "today"}, 1: {"tomorrow"}}.get(ahead, {"monday"})
    return words


@pytest.mark.real_model
def test_morning_request_through_home_assistant_assist_pipeline(tmp_path: Path) -> None:
    started = datetime.now(UTC)
    run = _demo(tmp_path, "--json", "--out", "reply.wav", "--timeout", "480", timeout=540)

    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(run.stdout)
    assert "morning workout" in result["transcript"].lower()
    # Understood by the rules, field by field; the skills ran in order, no model needed.
    assert result["intent"] == "prepare_workout"
    assert result["understood_by"] == "rules"
    assert result["slots"] == {
        "day": "monday", "time_of_day": "morning", "types": ["yoga", "calisthenics"],
        "injury": "shoulder", "data_source": "garmin",
    }  # fmt: skip
    assert result["tools"] == ["recovery_status", "prepare_workout"]
    assert result["answered_by"] == "skill"
    assert result["error"] is None
    reply = result["reply"]
    # Monday is "this morning" on a Monday and "tomorrow" on a Sunday: any day of the week passes.
    said = _monday_words(started, datetime.now(UTC))
    assert any(word in reply.lower() for word in said), (said, reply)
    assert "warm" in reply.lower(), reply  # warm-up, main, cool-down
    assert "cool" in reply.lower(), reply
    loads_shoulder = [e.name for e in LIBRARY if "shoulder" in e.loads]
    assert not [name for name in loads_shoulder if name.lower() in reply.lower()], reply
    assert result["pipeline"]["conversation"].startswith("conversation.")
    audio = Path(result["reply_audio"])
    assert audio.parent == tmp_path
    assert audio.is_file()
    seconds = _mp3_seconds(audio) if audio.suffix == ".mp3" else result["reply_audio_seconds"]
    assert seconds > 0.5
    latency = result["latency_s"]
    assert all(isinstance(latency[k], float) for k in ("stt", "first_audio", "total")), latency
    assert 0 < latency["stt"] < latency["first_audio"] <= latency["total"]
    assert not _leftovers(tmp_path)


def test_failure_is_one_line_and_cleans_up(tmp_path: Path) -> None:
    run = _demo(tmp_path, "--timeout", "2", timeout=120)

    assert run.returncode == 1
    assert run.stderr.startswith("atlas-demo: error: timed out after 2 s\n"), run.stderr
    assert not _leftovers(tmp_path)


def test_home_assistant_listening_beyond_loopback_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil

    from atlas_demo.hass import DemoError, HassProcess

    def connections(kind: str) -> list[Any]:
        assert kind == "inet"
        return [
            SimpleNamespace(laddr=SimpleNamespace(ip="127.0.0.1", port=8123), status="LISTEN",
                            type=1),
            SimpleNamespace(laddr=SimpleNamespace(ip="0.0.0.0", port=5353), status="NONE",
                            type=2),
        ]  # fmt: skip

    hass = HassProcess(tmp_path / "config", 8123)
    hass.process = SimpleNamespace(pid=os.getpid(), poll=lambda: 0, returncode=0)  # type: ignore[assignment]
    monkeypatch.setattr(psutil, "Process", lambda pid: SimpleNamespace(net_connections=connections))
    with pytest.raises(DemoError, match=r"beyond loopback \(0\.0\.0\.0:5353\)"):
        hass.check_loopback_only()
    config = json.loads((tmp_path / "config" / "configuration.yaml").read_text())
    assert config["http"] == {"server_host": "127.0.0.1", "server_port": 8123}
    assert (tmp_path / "config" / "custom_components" / "atlas" / "manifest.json").is_file()


def test_an_apology_fails_the_demo_at_the_agent_stage() -> None:
    from atlas_demo.assist import failed_stage

    apology = {
        "transcript": "ATLAS, prepare my morning workout for Monday.",
        "intent": None,
        "error": "cannot connect to 127.0.0.1:10400: Connect call failed",
        "reply": APOLOGY_UNREACHABLE,
        "reply_audio_seconds": 3.1,
    }
    stage = failed_stage(apology, "prepare_workout")
    assert stage is not None
    assert stage.startswith("agent: the turn failed (cannot connect")
    assert APOLOGY_UNREACHABLE in stage
    misunderstood = {**apology, "error": None, "intent": "chat", "reply": "Hello!"}
    assert failed_stage(misunderstood, "prepare_workout") == (
        "understanding: intent 'chat' (expected 'prepare_workout') for "
        "'ATLAS, prepare my morning workout for Monday.'"
    )
    silent = {**misunderstood, "intent": "prepare_workout", "reply_audio_seconds": None}
    assert failed_stage(silent, "prepare_workout") == "tts: the reply has no audio"
    assert failed_stage({**silent, "transcript": " "}, "prepare_workout") == (
        "stt: the transcript is empty"
    )
    done = {**silent, "reply_audio_seconds": 2.0, "tools": ["recovery_status", "prepare_workout"]}
    assert failed_stage(done, "prepare_workout") is None
