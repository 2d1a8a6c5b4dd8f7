"""A learned stage of the understanding cascade: intent from labelled examples.

``LearnedStage(encoder).fit(texts, intents)`` learns a classifier over the encoder's sentence
vectors; ``predict(text)`` gives the most likely intent and a ``confidence``: the margin
between the best and the second-best intent (class probabilities for the default softmax
regression head, mean similarities of the ``k`` nearest examples for the ``knn`` head). The
stage is *sure* when that margin is at least ``threshold``; an unsure turn goes on to the model.

Encoders, numpy only:

* :class:`NgramEncoder`: TF-IDF over words, word pairs and in-word character 3-5-grams, hashed
  into a fixed number of dimensions, the IDF learned from the labelled turns (no model file);
* :class:`Concatenated`: several encoders side by side (``atlas_eval/minilm.py`` adds a BERT
  sentence encoder for measurements; the integration ships the n-gram stage only).

The integration loads a stage fitted ahead of time from ``data/intent_stage.npz``
(:func:`load_stage`; ``atlas-eval learned --export`` rebuilds it from
``data/intent_examples.jsonl``). No Home Assistant import; numpy only.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from .intent_rules import CONFIDENT as SURE
from .structured import Extraction

FloatArray = NDArray[np.float32]
Head = Literal["logreg", "knn"]

# Margin at or above which the stage is sure: where, out of fold on turns_tuning.jsonl and
# eval_utterances.jsonl, it is right on at least 0.95 of its sure turns (`atlas-eval learned`
# chose 0.32 for ngram, 0.22 for minilm+ngram).
DEFAULT_THRESHOLD: Final = 0.5  # margin; 0.3 reached 0.95 precision in CV, 0.5 is kept for voice
NGRAM_DIMS: Final = 4096
MIN_WORDS: Final = 3  # shorter turns are replies to something: the model reads them in context
REPLY_WORDS: Final = 5  # a turn this short that points back ("that", "it") is a reply too
_POINTS_BACK: Final = frozenset({"that", "it", "this", "those", "them"})
KNN_K: Final = 2  # nearest examples averaged per intent by the knn head
# Softmax regression, full-batch gradient descent on inputs scaled to this norm.
LOGREG_SCALE: Final = 5.0
LOGREG_STEPS: Final = 300
LOGREG_RATE: Final = 1.0
LOGREG_L2: Final = 1e-3


@dataclass(frozen=True)
class Prediction:
    """What the learned stage says about one turn."""

    intent: str
    confidence: float  # best intent's score minus the second best's
    score: float  # the best intent's score (probability, or mean similarity for knn)
    sure: bool


class Encoder(Protocol):
    """Turns texts into unit-length vectors (rows)."""

    name: str

    def fit(self, texts: Sequence[str]) -> None:
        """Learn what the encoder learns from the labelled texts (nothing for a fixed model)."""

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One unit-length row per text."""


def _unit(rows: FloatArray) -> FloatArray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


def _softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)


class LearnedStage:
    """An intent classifier over an encoder's vectors: softmax regression or nearest examples."""

    def __init__(
        self, encoder: Encoder, *, head: Head = "logreg", threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        self.encoder = encoder
        self.head = head
        self.threshold = threshold
        self.intents: tuple[str, ...] = ()
        self._labels: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._keys: FloatArray = np.zeros((0, 0), dtype=np.float32)
        self._weights: FloatArray = np.zeros((0, 0), dtype=np.float32)
        self._bias: FloatArray = np.zeros(0, dtype=np.float32)

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> LearnedStage:
        """Learn from labelled turns (one intent per text, at least two intents)."""
        if len(texts) != len(intents) or len(set(intents)) < 2:
            raise ValueError("need one intent per text and at least two intents")
        self.intents = tuple(sorted(set(intents)))
        index = {intent: i for i, intent in enumerate(self.intents)}
        self._labels = np.array([index[intent] for intent in intents], dtype=np.int64)
        self.encoder.fit(texts)
        vectors = self.encoder.encode(texts)
        if self.head == "knn":
            self._keys = vectors
        else:
            self._weights, self._bias = _softmax_regression(vectors, self._labels, len(index))
        return self

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """``texts x intents``: probabilities, or the mean similarity of the nearest examples."""
        if not self.intents:
            raise RuntimeError("fit the stage first")
        vectors = self.encoder.encode(texts)
        if self.head == "logreg":
            return _softmax(vectors @ self._weights + self._bias)
        sims = vectors @ self._keys.T
        out = np.empty((len(texts), len(self.intents)), dtype=np.float32)
        for label in range(len(self.intents)):
            own = sims[:, self._labels == label]
            k = min(KNN_K, own.shape[1])
            out[:, label] = np.partition(own, own.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        return out

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """:meth:`predict` for several texts at once."""
        if not texts:
            return []
        out = []
        for row in self.scores(texts):
            second, best = np.argsort(row)[-2:]
            margin = float(row[best] - row[second])
            sure = margin >= self.threshold
            out.append(Prediction(self.intents[int(best)], margin, float(row[best]), sure))
        return out

    def predict(self, text: str) -> Prediction:
        """The intent of one turn, its margin and whether the stage is sure."""
        return self.predict_many([text])[0]


def _softmax_regression(
    x: FloatArray, labels: NDArray[np.int64], classes: int
) -> tuple[FloatArray, FloatArray]:
    """Weights and bias of an L2-regularised softmax regression (full-batch gradient descent)."""
    x = x * np.float32(LOGREG_SCALE)
    targets = np.eye(classes, dtype=np.float32)[labels]
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    for _ in range(LOGREG_STEPS):
        grad = (_softmax(x @ weights + bias) - targets) / len(x)
        weights -= LOGREG_RATE * (x.T @ grad + LOGREG_L2 * weights)
        bias -= LOGREG_RATE * grad.sum(axis=0)
    return weights * np.float32(LOGREG_SCALE), bias


class Concatenated:
    """Several encoders' vectors side by side, each weighted equally (unit length overall)."""

    def __init__(self, *encoders: Encoder) -> None:
        self.encoders = encoders
        self.name = "+".join(e.name for e in encoders)

    def fit(self, texts: Sequence[str]) -> None:
        """Fit every encoder."""
        for encoder in self.encoders:
            encoder.fit(texts)

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """The encoders' rows joined, scaled by ``1/sqrt(count)``."""
        rows = np.hstack([e.encode(texts) for e in self.encoders])
        return (rows / np.float32(math.sqrt(len(self.encoders)))).astype(np.float32)


# --- TF-IDF over hashed word and character n-grams -----------------------------------------

_TOKEN: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def ngram_features(text: str) -> Counter[str]:
    """Counts of the words, word pairs and in-word character 3-5-grams of one text."""
    words = _TOKEN.findall(text.lower())
    feats: Counter[str] = Counter(f"w:{w}" for w in words)
    feats.update(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    for word in words:
        padded = f"<{word}>"
        for size in (3, 4, 5):
            feats.update(f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1))
    return feats


class NgramEncoder:
    """Sublinear TF-IDF over :func:`ngram_features` hashed (CRC-32) into ``dims`` columns."""

    name = "ngram"

    def __init__(self, dims: int = NGRAM_DIMS) -> None:
        self.dims = dims
        self.idf: FloatArray = np.ones(dims, dtype=np.float32)

    def _counts(self, texts: Sequence[str]) -> FloatArray:
        rows = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for feat, count in ngram_features(text).items():
                row[zlib.crc32(feat.encode()) % self.dims] += count
        return rows

    def fit(self, texts: Sequence[str]) -> None:
        """Learn the inverse document frequency of every column."""
        df = (self._counts(texts) > 0).sum(axis=0)
        self.idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """Unit-length rows of ``(1 + log tf) · idf``."""
        counts = self._counts(texts)
        tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0).astype(np.float32)
        return _unit(tf * self.idf)


# --- The stage the integration ships -------------------------------------------------------

DATA: Final = Path(__file__).parent / "data"
EXAMPLES: Final = DATA / "intent_examples.jsonl"  # the labelled turns the stage learns from
STAGE_FILE: Final = DATA / "intent_stage.npz"  # the fitted stage: IDF, weights, bias, intents


def examples(path: Path = EXAMPLES) -> tuple[list[str], list[str]]:
    """The shipped labelled turns: texts and their intents."""
    texts, intents = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            texts.append(str(item["text"]))
            intents.append(str(item["intent"]))
    return texts, intents


def fit_stage(path: Path = EXAMPLES) -> LearnedStage:
    """The n-gram softmax-regression stage fitted on the shipped examples (about a second)."""
    return LearnedStage(NgramEncoder()).fit(*examples(path))


def save_stage(stage: LearnedStage, path: Path = STAGE_FILE) -> None:
    """Write a fitted n-gram stage for :func:`load_stage`."""
    if not isinstance(stage.encoder, NgramEncoder) or stage.head != "logreg":
        raise TypeError("only the n-gram softmax-regression stage is saved")
    np.savez_compressed(
        path,
        intents=np.array(stage.intents),
        idf=stage.encoder.idf,
        weights=stage._weights,
        bias=stage._bias,
        threshold=np.float32(stage.threshold),
    )


def load_stage(path: Path = STAGE_FILE) -> LearnedStage:
    """The fitted n-gram stage :func:`save_stage` wrote (milliseconds; no fitting)."""
    with np.load(path, allow_pickle=False) as saved:
        encoder = NgramEncoder(dims=int(saved["idf"].shape[0]))
        encoder.idf = saved["idf"].astype(np.float32)
        stage = LearnedStage(encoder, threshold=float(saved["threshold"]))
        stage.intents = tuple(str(intent) for intent in saved["intents"])
        stage._weights = saved["weights"].astype(np.float32)
        stage._bias = saved["bias"].astype(np.float32)
    return stage


def learned_reading(stage: LearnedStage | None, text: str, ruled: Extraction) -> Extraction | None:
    """The learned stage's reading of a turn the rules were unsure of, or None (ask the model).

    It counts when the stage is sure and the rules recognised nothing (or a weak reading the stage
    agrees with): its intent, at the rules' confidence threshold, with the rules' slots (they are
    near exact; the stage reads no slots).
    """
    words = _TOKEN.findall(text.lower())
    if stage is None or len(words) < MIN_WORDS:
        return None  # "yes please", "do it": a reply to something, for the model
    if len(words) <= REPLY_WORDS and _POINTS_BACK.intersection(words):
        return None  # "sort that out for me": it points back at something said before
    prediction = stage.predict(text)
    if not prediction.sure or ruled.intent not in ("chat", prediction.intent):
        return None
    return Extraction(prediction.intent, dict(ruled.slots), max(ruled.confidence, SURE))
