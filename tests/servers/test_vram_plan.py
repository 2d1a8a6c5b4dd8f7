"""The VRAM planner: GGUF metadata, every budget formula, the reduction steps and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from wyoming_servers import models  # noqa: E402
from wyoming_servers.box.__main__ import main as box_main  # noqa: E402
from wyoming_servers.box.gguf_info import (  # noqa: E402
    KNOWN_MODELS,
    ModelInfoError,
    ModelMeta,
    catalogue_meta,
    load_model_meta,
    read_gguf,
)
from wyoming_servers.box.vram_plan import (  # noqa: E402
    CUDA_CONTEXT_BYTES,
    MIB,
    PlanError,
    PlanRequest,
    Setting,
    budget_for,
    compute_buffer_bytes,
    kv_cache_bytes,
    kv_ctx,
    make_plan,
    parse_size,
    render_text,
    stt_gpu_bytes,
    weights_bytes,
)

from .wyoming_io import DATA_DIR, REPO  # noqa: E402

GIB = 1 << 30
F32, F16, Q8_0 = 4.0, 2.0, 34 / 32  # bytes per element


# --- a synthetic GGUF with chosen shapes --------------------------------------------------------


@dataclass(frozen=True)
class Shapes:
    n_layer: int = 3
    n_embd: int = 64
    n_head: int = 4
    n_head_kv: tuple[int, ...] = (2, 2, 2)
    key_len: int = 32
    value_len: int = 16
    n_ff: int = 128
    n_vocab: int = 100
    tied: bool = False

    def layer_bytes(self, il: int) -> int:
        """Bytes of layer ``il`` as written by :func:`write_gguf`, computed by hand."""
        e, kv = self.n_embd, self.n_head_kv[il]
        return int(
            e * F32  # attn_norm
            + self.n_head * self.key_len * e * F16  # attn_q
            + kv * self.key_len * e * Q8_0  # attn_k
            + kv * self.value_len * e * F16  # attn_v
            + e * self.n_head * self.value_len * F16  # attn_output
            + e * F32  # ffn_norm
            + 2 * self.n_ff * e * Q8_0  # ffn_gate, ffn_up
            + e * self.n_ff * F16  # ffn_down
        )

    @property
    def embd_bytes(self) -> int:
        return int(self.n_vocab * self.n_embd * F32)

    @property
    def output_bytes(self) -> int:
        """output_norm + output (or the tied copy of token_embd)."""
        head = self.embd_bytes if self.tied else int(self.n_vocab * self.n_embd * F16)
        return int(self.n_embd * F32) + head

    @property
    def rope_bytes(self) -> int:
        return int(self.key_len // 2 * F32)


def write_gguf(path: Path, s: Shapes) -> Path:
    """Write a tiny llama-architecture GGUF with the shapes of ``s``."""
    rng = np.random.default_rng(0)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_block_count(s.n_layer)
    writer.add_context_length(2048)
    writer.add_embedding_length(s.n_embd)
    writer.add_feed_forward_length(s.n_ff)
    writer.add_head_count(s.n_head)
    kv = s.n_head_kv if len(set(s.n_head_kv)) > 1 else s.n_head_kv[0]
    writer.add_head_count_kv(kv)
    writer.add_key_length(s.key_len)
    writer.add_value_length(s.value_len)

    def add(name: str, rows: int, cols: int, kind: str) -> None:
        data = rng.standard_normal((rows, cols) if rows else (cols,)).astype(np.float32)
        if kind == "q8_0":
            q = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(name, q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(name, data.astype(np.float16) if kind == "f16" else data)

    e = s.n_embd
    add("token_embd.weight", s.n_vocab, e, "f32")
    add("output_norm.weight", 0, e, "f32")
    if not s.tied:
        add("output.weight", s.n_vocab, e, "f16")
    add("rope_freqs.weight", 0, s.key_len // 2, "f32")
    for il in range(s.n_layer):
        kvh = s.n_head_kv[il]
        add(f"blk.{il}.attn_norm.weight", 0, e, "f32")
        add(f"blk.{il}.attn_q.weight", s.n_head * s.key_len, e, "f16")
        add(f"blk.{il}.attn_k.weight", kvh * s.key_len, e, "q8_0")
        add(f"blk.{il}.attn_v.weight", kvh * s.value_len, e, "f16")
        add(f"blk.{il}.attn_output.weight", e, s.n_head * s.value_len, "f16")
        add(f"blk.{il}.ffn_norm.weight", 0, e, "f32")
        add(f"blk.{il}.ffn_gate.weight", s.n_ff, e, "q8_0")
        add(f"blk.{il}.ffn_up.weight", s.n_ff, e, "q8_0")
        add(f"blk.{il}.ffn_down.weight", e, s.n_ff, "f16")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Shapes, ModelMeta, Path]:
    shapes = Shapes()
    path = write_gguf(tmp_path_factory.mktemp("gguf") / "synthetic.gguf", shapes)
    return shapes, read_gguf(path), path


@pytest.fixture(scope="module")
def synthetic_tied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Shapes, ModelMeta]:
    shapes = Shapes(n_head_kv=(2, 1, 2), tied=True, n_vocab=96)
    path = write_gguf(tmp_path_factory.mktemp("gguf") / "tied.gguf", shapes)
    return shapes, read_gguf(path)


def test_synthetic_metadata_read_back(synthetic: tuple[Shapes, ModelMeta, Path]) -> None:
    s, meta, path = synthetic
    assert (meta.arch, meta.n_layer, meta.n_head, meta.n_embd) == ("llama", 3, 4, 64)
    assert meta.n_head_kv == (2, 2, 2)
    assert (meta.head_dim_k, meta.head_dim_v, meta.n_ff, meta.n_vocab) == (32, 16, 128, 100)
    assert meta.n_ctx_train == 2048
    assert meta.layer_bytes == tuple(s.layer_bytes(il) for il in range(3))
    assert meta.input_bytes == s.embd_bytes
    assert meta.output_bytes == s.output_bytes
    assert not meta.output_tied
    assert meta.other_bytes == s.rope_bytes
    assert meta.file_bytes == path.stat().st_size


def test_synthetic_weights_follow_llama_cpp_placement(
    synthetic: tuple[Shapes, ModelMeta, Path],
) -> None:
    s, meta, _ = synthetic
    layers = [s.layer_bytes(il) for il in range(3)]
    assert weights_bytes(meta, 0) == 0
    # llama.cpp offloads the *last* layers first; the output layer only past n_layer.
    assert weights_bytes(meta, 1) == layers[2] + s.rope_bytes
    assert weights_bytes(meta, 2) == layers[1] + layers[2] + s.rope_bytes
    assert weights_bytes(meta, 3) == sum(layers) + s.rope_bytes
    assert weights_bytes(meta, 4) == sum(layers) + s.rope_bytes + s.output_bytes
    assert weights_bytes(meta, 99) == weights_bytes(meta, 4)
    # Token embeddings never count: they stay in CPU memory.
    assert weights_bytes(meta, 4) < meta.file_bytes - s.embd_bytes


def test_synthetic_kv_cache_formula(synthetic: tuple[Shapes, ModelMeta, Path]) -> None:
    _, meta, _ = synthetic
    per_cell_f16 = 2 * (32 + 16) * 2  # K: 2 heads x 32, V: 2 heads x 16, 2 bytes
    assert kv_cache_bytes(meta, 512, "f16", 4) == 3 * 512 * per_cell_f16
    # q8_0: 34 bytes per 32 elements; q4_0: 18 per 32.
    assert kv_cache_bytes(meta, 512, "q8_0", 4) == 3 * 512 * (64 * 34 // 32 + 32 * 34 // 32)
    assert kv_cache_bytes(meta, 512, "q4_0", 4) == 3 * 512 * (64 * 18 // 32 + 32 * 18 // 32)
    # The context is rounded up to 256 cells, as llama.cpp allocates it.
    assert kv_ctx(300) == 512
    assert kv_cache_bytes(meta, 300, "f16", 4) == kv_cache_bytes(meta, 512, "f16", 4)
    # Only offloaded layers' KV is on the GPU.
    assert kv_cache_bytes(meta, 512, "f16", 1) == 512 * per_cell_f16
    assert kv_cache_bytes(meta, 512, "f16", 0) == 0


def test_synthetic_per_layer_kv_heads_and_tied_output(
    synthetic_tied: tuple[Shapes, ModelMeta],
) -> None:
    s, meta = synthetic_tied
    assert meta.n_head_kv == (2, 1, 2)
    assert meta.output_tied
    assert meta.output_bytes == s.output_bytes  # output_norm + a second token_embd
    assert meta.layer_bytes == tuple(s.layer_bytes(il) for il in range(3))
    cells = 256
    expected = sum(cells * (kv * 32 + kv * 16) * 2 for kv in (2, 1, 2))
    assert kv_cache_bytes(meta, cells, "f16", 4) == expected
    # The last layer (2 KV heads) is the first offloaded one.
    assert kv_cache_bytes(meta, cells, "f16", 1) == cells * (2 * 32 + 2 * 16) * 2
    assert kv_cache_bytes(meta, cells, "f16", 2) == cells * (48 + 96) * 2


def test_synthetic_compute_buffer_formula(synthetic: tuple[Shapes, ModelMeta, Path]) -> None:
    _, meta, _ = synthetic
    layer = 3 * 64 + 2 * 128  # larger than n_vocab + n_embd = 164
    assert compute_buffer_bytes(meta, 4096, True) == 4 * 512 * layer
    assert compute_buffer_bytes(meta, 100, True) == 4 * 100 * layer  # n_ubatch <= ctx
    # Without flash attention the f32 score matrix (n_head x kv cells) is added.
    assert compute_buffer_bytes(meta, 4096, False) == 4 * 512 * (layer + 4 * 4096)


def test_synthetic_plan_is_exact_at_the_boundary(
    synthetic: tuple[Shapes, ModelMeta, Path],
) -> None:
    _, meta, _ = synthetic

    def request(gpu_mem: int) -> PlanRequest:
        return PlanRequest(gpu_mem, ctx=512, headroom=0, cuda_context=1000, stt_device="cpu")

    need = budget_for(meta, request(1), Setting(4, 512, "q8_0"), 0).total
    expected = (
        weights_bytes(meta, 4)
        + kv_cache_bytes(meta, 512, "q8_0", 4)
        + compute_buffer_bytes(meta, 512, True)
        + 1000
    )
    assert need == expected

    exact = make_plan(meta, request(need))
    assert exact.fits
    assert exact.full_offload
    assert exact.kv_cache == "q8_0"
    assert exact.budget.total == need
    assert exact.spare == 0

    # One byte less: q4_0 KV still fits everything on the GPU.
    smaller = make_plan(meta, request(need - 1))
    assert smaller.fits
    assert smaller.full_offload
    assert smaller.kv_cache == "q4_0"
    assert any("KV q8_0" in reason for reason in smaller.reasons)

    # Just too small for the output layer: every repeating layer, output on the CPU.
    no_output = budget_for(meta, request(1), Setting(3, 512, "q4_0"), 0)
    partial = make_plan(meta, request(no_output.total))
    assert partial.fits
    assert not partial.full_offload
    assert partial.n_gpu_layers == 3
    assert partial.kv_cache == "q4_0"
    assert partial.budget == no_output


def test_synthetic_no_flash_attention_forces_f16(
    synthetic: tuple[Shapes, ModelMeta, Path],
) -> None:
    _, meta, _ = synthetic
    plan = make_plan(meta, PlanRequest(gpu_mem=GIB, flash_attn=False, kv_cache="q4_0"))
    assert plan.fits
    assert plan.kv_cache == "f16"
    assert not plan.flash_attn
    assert "--no-flash-attn" in plan.llm_args()
    assert any("flash attention" in reason for reason in plan.reasons)
    assert plan.budget.compute == compute_buffer_bytes(meta, 4096, False)


# --- catalogue metadata (models not downloaded) --------------------------------------------------


def test_qwen3_4b_kv_cache_is_306_mib() -> None:
    meta = catalogue_meta("qwen3-4b")
    assert (meta.n_layer, max(meta.n_head_kv), meta.head_dim_k, meta.n_embd) == (36, 8, 128, 2560)
    assert meta.n_vocab == 151936
    assert meta.file_bytes == 2_497_280_256
    kv = kv_cache_bytes(meta, 4096, "q8_0", meta.n_layer + 1)
    assert kv == 2 * 36 * 8 * 128 * 4096 * 34 // 32 == 320_864_256
    assert round(kv / MIB, 1) == 306.0


def test_qwen3_4b_fits_a_4gib_card_fully() -> None:
    meta = catalogue_meta("qwen3-4b")
    plan = make_plan(meta, PlanRequest(gpu_mem=parse_size("4GiB"), stt_device="cpu"))
    assert plan.fits
    assert plan.full_offload
    assert plan.n_gpu_layers == 37
    assert plan.ctx == 4096
    assert plan.kv_cache == "q8_0"
    assert round(plan.budget.kv_cache / MIB, 1) == 306.0
    assert plan.budget.cuda_context == CUDA_CONTEXT_BYTES
    # Weights: the whole file except the CPU-side token embeddings, plus the tied output copy.
    assert 0.97 * meta.file_bytes < plan.budget.weights <= meta.file_bytes
    # A "4 GB" card in decimal units fits too, with the planner's headroom.
    assert plan.budget.total <= 4_000_000_000
    assert plan.llm_args() == [
        "--n-gpu-layers", "37", "--ctx", "4096", "--kv-cache", "q8_0", "--flash-attn",
    ]  # fmt: skip
    text = render_text(plan)
    assert "306.0 MiB" in text
    assert "fits" in text


def test_qwen3_4b_on_2gib_offloads_part_and_says_why() -> None:
    meta = catalogue_meta("qwen3-4b")
    request = PlanRequest(gpu_mem=2 * GIB)
    plan = make_plan(meta, request)
    assert plan.fits
    assert not plan.full_offload
    assert 0 < plan.n_gpu_layers < meta.n_layer
    assert plan.kv_cache == "q4_0"
    assert plan.stt_device == "cpu"
    assert plan.budget.total <= 2 * GIB
    # The largest number of layers that fits was chosen.
    bigger = Setting(plan.n_gpu_layers + 1, plan.ctx, plan.kv_cache)
    assert budget_for(meta, request, bigger, 0).total > 2 * GIB
    reasons = " | ".join(plan.reasons)
    assert "trying KV cache q4_0" in reasons
    assert "partial offload" in reasons
    assert "--n-gpu-layers 0" not in reasons


def test_too_small_gpu_does_not_fit_and_reduces_context_first() -> None:
    meta = catalogue_meta("llama-3.2-3b")
    plan = make_plan(meta, PlanRequest(gpu_mem=700 * MIB))
    assert not plan.fits
    assert plan.ctx == 512  # halved step by step before giving up
    assert plan.llm_args()[:2] == ["--n-gpu-layers", "0"]
    assert any("reducing the context to 2048" in reason for reason in plan.reasons)
    assert plan.reasons[-1].startswith("does not fit")
    assert "DOES NOT FIT" in render_text(plan)


def test_stt_placement() -> None:
    meta = catalogue_meta("qwen3-4b")
    roomy = make_plan(meta, PlanRequest(gpu_mem=8 * GIB))
    assert roomy.stt_device == "cuda"
    assert roomy.budget.stt == stt_gpu_bytes("base")
    assert stt_gpu_bytes("base") == 150 * MIB + CUDA_CONTEXT_BYTES
    forced_cpu = make_plan(meta, PlanRequest(gpu_mem=8 * GIB, stt_device="cpu"))
    assert forced_cpu.stt_device == "cpu"
    assert forced_cpu.budget.stt == 0
    # Asked for the GPU: reserved before the LLM is placed, so the LLM gets less.
    cuda = make_plan(meta, PlanRequest(gpu_mem=3 * GIB, stt_device="cuda"))
    cpu = make_plan(meta, PlanRequest(gpu_mem=3 * GIB, stt_device="cpu"))
    assert cuda.budget.stt == stt_gpu_bytes("base")
    assert cuda.n_gpu_layers < cpu.n_gpu_layers


def test_catalogue_table_matches_the_catalogue() -> None:
    for name, known in KNOWN_MODELS.items():
        spec = models.CATALOG[name]
        assert spec.files == (known.file_name,)
    with pytest.raises(ModelInfoError):
        catalogue_meta("no-such-model")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4GiB", 4 * GIB), ("4 GB", 4 * GIB), ("3.5G", int(3.5 * GIB)), ("4096MiB", 4 * GIB),
     ("4096", 4 * GIB), ("512m", 512 * MIB)],
)  # fmt: skip
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


def test_bad_requests() -> None:
    meta = catalogue_meta("qwen3-4b")
    for text in ("lots", "4 GiBs", "-1G"):
        with pytest.raises(PlanError):
            parse_size(text)
    with pytest.raises(PlanError):
        make_plan(meta, PlanRequest(gpu_mem=GIB, kv_cache="q5_1"))
    with pytest.raises(PlanError):
        make_plan(meta, PlanRequest(gpu_mem=GIB, ctx=0))


# --- the real bundled Gemma 3 270M ---------------------------------------------------------------


@pytest.fixture(scope="module")
def gemma_path() -> Path:
    return models.embedded_gemma(DATA_DIR)


@pytest.fixture(scope="module")
def gemma(gemma_path: Path) -> ModelMeta:
    return read_gguf(gemma_path, "gemma-3-270m")


@pytest.mark.real_model
def test_gemma_metadata_matches_the_gguf_reader(gemma_path: Path, gemma: ModelMeta) -> None:
    reader = gguf.GGUFReader(gemma_path)

    def value(key: str) -> int:
        field = reader.get_field(key)
        assert field is not None, key
        return int(field.contents())

    assert gemma.arch == "gemma3" == reader.get_field("general.architecture").contents()
    assert gemma.n_layer == value("gemma3.block_count") == 18
    assert gemma.n_head == value("gemma3.attention.head_count")
    assert gemma.n_head_kv == (value("gemma3.attention.head_count_kv"),) * 18
    # Gemma's key length (256) is not n_embd / n_head (160): it must come from the metadata.
    assert gemma.head_dim_k == value("gemma3.attention.key_length") == 256
    assert gemma.n_embd // gemma.n_head != gemma.head_dim_k
    assert gemma.n_embd == value("gemma3.embedding_length")
    assert gemma.n_ff == value("gemma3.feed_forward_length")
    assert gemma.n_vocab == len(reader.get_field("tokenizer.ggml.tokens").data)
    tensors = {t.name: int(t.n_bytes) for t in reader.tensors}
    assert "output.weight" not in tensors
    assert gemma.output_tied
    for il in (0, 17):
        prefix = f"blk.{il}."
        assert gemma.layer_bytes[il] == sum(n for k, n in tensors.items() if k.startswith(prefix))
    assert gemma.input_bytes == tensors["token_embd.weight"]
    assert gemma.output_bytes == tensors["output_norm.weight"] + tensors["token_embd.weight"]
    # Fully offloaded, the GPU holds every tensor once (the tied copy replaces the CPU one).
    assert weights_bytes(gemma, 19) == sum(tensors.values())
    assert sum(tensors.values()) <= gemma.file_bytes - reader.data_offset


@pytest.mark.real_model
def test_gemma_kv_and_compute_match_llama_cpp(gemma_path: Path, gemma: ModelMeta) -> None:
    """Load the model in llama.cpp (CPU) and compare its own buffer sizes with the planner's."""
    pytest.importorskip("llama_cpp")
    script = (
        "import llama_cpp, sys\n"
        "llama_cpp.Llama(sys.argv[1], n_ctx=1000, type_k=llama_cpp.GGML_TYPE_Q8_0,\n"
        "    type_v=llama_cpp.GGML_TYPE_Q8_0, flash_attn=True, n_threads=1, verbose=True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(gemma_path)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    log = proc.stdout + proc.stderr
    kv_mib = sum(float(m) for m in re.findall(r"llama_kv_cache: size =\s+([\d.]+) MiB", log))
    compute = re.search(r"CPU compute buffer size =\s+([\d.]+) MiB", log)
    assert kv_mib > 0, log[-2000:]
    assert compute is not None, log[-2000:]
    planned_kv = kv_cache_bytes(gemma, 1000, "q8_0", 19) / MIB  # 1000 -> 1024 cells
    assert planned_kv == pytest.approx(kv_mib, abs=0.02)
    planned_compute = compute_buffer_bytes(gemma, 1000, True) / MIB
    assert planned_compute == pytest.approx(float(compute.group(1)), rel=0.05)


@pytest.mark.real_model
def test_gemma_plan_fits_small_gpu(gemma: ModelMeta) -> None:
    plan = make_plan(gemma, PlanRequest(gpu_mem=2 * GIB))
    assert plan.fits
    assert plan.full_offload
    assert plan.n_gpu_layers == 19


# --- CLI --------------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        box_main(list(argv))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_cli_plan_text_and_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path))
    code, out, _ = run_cli(capsys, "plan", "--gpu-mem", "4GiB", "--model", "qwen3-4b", *data)
    assert code == 0
    assert "306.0 MiB" in out
    assert "--n-gpu-layers 37" in out
    assert "not downloaded" in out

    code, out, _ = run_cli(capsys, "plan", "--gpu-mem", "2GiB", *data)
    assert code == 0
    assert "partial offload" in out

    code, out, _ = run_cli(capsys, "plan", "--gpu-mem", "300MiB", *data)
    assert code == 1
    assert "DOES NOT FIT" in out
    assert "does not fit" in out

    code, out, err = run_cli(capsys, "plan", "--gpu-mem", "plenty", *data)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1

    code, _, err = run_cli(capsys, "plan", "--gpu-mem", "4GiB", "--model", "nope", *data)
    assert code == 2
    assert "unknown llm model 'nope'" in err


def test_cli_plan_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(
        capsys, "plan", "--gpu-mem", "4GiB", "--stt-device", "cpu", "--json",
        "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["fits"] is True
    assert data["settings"] == {
        "n_gpu_layers": 37, "layers_on_gpu": 36, "output_on_gpu": True, "ctx": 4096,
        "kv_cache": "q8_0", "flash_attn": True, "stt_device": "cpu",
    }  # fmt: skip
    assert data["budget_bytes"]["kv_cache"] == 320_864_256
    assert data["budget_mib"]["kv_cache"] == 306.0
    assert data["budget_bytes"]["total"] == sum(
        v for k, v in data["budget_bytes"].items() if k != "total"
    )
    assert data["model"]["n_layer"] == 36
    assert data["model"]["from_file"] is False


def test_cli_plan_reads_a_gguf_path(
    capsys: pytest.CaptureFixture[str], synthetic: tuple[Shapes, ModelMeta, Path]
) -> None:
    _, meta, path = synthetic
    code, out, _ = run_cli(capsys, "plan", "--gpu-mem", "1GiB", "--model", str(path), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["model"]["from_file"] is True
    assert data["model"]["n_layer"] == 3
    assert data["budget_bytes"]["weights"] == weights_bytes(meta, 4)


def test_downloaded_catalogue_model_is_read_from_disk(
    tmp_path: Path, synthetic: tuple[Shapes, ModelMeta, Path]
) -> None:
    """With the file present, the planner reads the real GGUF instead of the built-in table."""
    _, _, path = synthetic
    spec = models.CATALOG["qwen3-4b"]
    target = models.local_path(spec, tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(path.read_bytes())
    meta = load_model_meta("qwen3-4b", tmp_path)
    assert meta.from_file
    assert meta.n_layer == 3
    assert meta.name == "qwen3-4b"
    assert not load_model_meta("qwen3-4b", tmp_path / "empty").from_file


def test_console_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wyoming_servers.box", "plan", "--gpu-mem", "1GiB",
         "--model", "llama-3.2-3b", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "partial offload" in proc.stdout
    assert "llama-3.2-3b" in proc.stdout
