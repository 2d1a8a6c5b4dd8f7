"""``benchmarks.speakable`` samples the tuning turns reproducibly and scores replies with the
demo's judge: fake replies, no model, no Home Assistant instance."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from atlas_eval.turns_data import TurnLine, load_lines
from benchmarks import speakable

# 70 different words: long, but no loop
LONG = " ".join(a + b for a in "bcdfghjklm" for b in "aeiouy7")[: 70 * 3 - 1]
PROMPT = "You are ATLAS, a voice-first personal assistant in a smart home. Never invent results."


def _line(number: int, intent: str, lang: str = "en") -> TurnLine:
    return TurnLine(f"f:{number}", f"t-{number:04}", f"turn {number}", lang, intent, {}, (), ())


def _turn(reply: str, answered_by: str = "llm", **extra: Any) -> speakable.Turn:
    return speakable.Turn("t-1", "chat", "hi", reply, answered_by, "tiny", prompt=PROMPT, **extra)


def test_sample_is_stratified_seeded_and_english_only() -> None:
    lines = [_line(i, intent) for i, intent in enumerate(["chat"] * 40 + ["log_workout"] * 40)]
    lines += [_line(100 + i, "quick_answer") for i in range(3)]
    lines += [_line(200 + i, "chat", "de") for i in range(20)]
    chosen = speakable.sample(lines, seed=1, total=40)
    assert len(chosen) == 40
    assert all(line.lang == "en" for line in chosen)
    counts = Counter(line.intent for line in chosen)
    # the quotas first (chat 25, a short intent all it has, others 5), then the rest fills up
    assert counts["quick_answer"] == 3
    assert counts["chat"] >= speakable.QUOTA["chat"]
    assert counts["log_workout"] >= speakable.OTHERS_EACH
    assert speakable.sample(list(reversed(lines)), seed=1, total=40) == chosen
    assert speakable.sample(lines, seed=2, total=40) != chosen


def test_the_real_sample_comes_from_the_tuning_files_only() -> None:
    assert speakable.TUNING_FILES
    assert all(p.name.startswith("turns_tuning") for p in speakable.TUNING_FILES)
    chosen = speakable.sample(load_lines(speakable.TUNING_FILES))
    assert len(chosen) == speakable.TURNS == len({line.id for line in chosen})
    counts = Counter(line.intent for line in chosen)
    assert (
        counts["chat"]
        == speakable.QUOTA["chat"]
        > max(n for intent, n in counts.items() if intent not in speakable.QUOTA)
    )


def test_score_counts_unspeakable_replies_lengths_and_routes() -> None:
    turns = [
        _turn("I'm doing well, thanks for asking.", seconds=2.0),
        _turn('Sure: ```python\nprint("hi")\n```', seconds=4.0),
        _turn("Here is the plan: **run** today.", seconds=3.0),
        _turn("You are ATLAS, a voice-first personal assistant.", seconds=1.0),
        _turn("Hello เวอร์ชั่น there.", seconds=1.0),
        _turn("I can't do that with the small model.", "tier", seconds=0.01),
        _turn("Sorry, I couldn't put that into words.", speech="fallback", seconds=1.0),
        _turn(LONG, "skill", seconds=0.02),
    ]
    summary = speakable.score(turns)
    assert summary["turns"] == 8
    # The code block, the markdown, and the Thai (a script no declared language uses: the
    # agent's speech checks, which the judge applies, count it too).
    assert summary["unspeakable"] == 3
    assert turns[1].unspeakable == "code, JSON or tool syntax"
    assert turns[2].unspeakable is not None
    assert "markdown" in turns[2].unspeakable
    assert summary["echo"] == 1
    assert turns[3].echo
    assert summary["foreign"] == 1
    assert turns[4].foreign
    assert summary["guard_cut"] == 1
    assert summary["words_max"] == 70
    assert summary["over_words"] == 1
    assert summary["model_words_p95"] < 70  # the 70-word reply was a skill's
    assert summary["answered_by"] == {"llm": 6, "tier": 1, "skill": 1}
    assert summary["seconds_p95"] == 4.0
    assert speakable.verdict(summary) == "missed"
    clean = speakable.score([replace(turns[0]), replace(turns[5])])
    assert clean["unspeakable"] == 0
    assert speakable.verdict(clean) == "met"


def test_main_prints_the_table_and_fails_on_an_unspeakable_reply(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = {"smollm2-135m": "Hello there!", "gemma-3-270m": "Call `set_reminder()` now."}

    def run(model: str, lines: list[TurnLine], data_dir: Path, threads: int | None) -> list[Any]:
        return [_turn(replies[model], seconds=1.0) for _ in lines]

    monkeypatch.setattr(speakable, "run_model", run)
    assert speakable.main(["--limit", "3", "--model", "smollm2-135m"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("3 turns: ")
    row = next(line for line in out.splitlines() if line.startswith("| smollm2-135m |"))
    assert row.startswith("| smollm2-135m | 3 | 0 | 0 | 0 | 0 | 2 / 2 / 2 |")
    assert row.endswith("| 1.00 / 1.00 | 3 |")
    assert speakable.main(["--limit", "3", "--model", "gemma-3-270m"]) == 1
    assert "gemma-3-270m: 0 unspeakable, p95 ≤ 60 words: missed" in capsys.readouterr().out
