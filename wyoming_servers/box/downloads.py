"""``atlas-box download``: fetch catalogue models into the data directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from .. import models

_KIND_ORDER = (models.Kind.LLM, models.Kind.STT)


def catalogue_text(data_dir: Path) -> str:
    """The downloadable models, one per line, with a mark for those already present."""
    lines = [f"Models (data dir {data_dir}; * = downloaded, e = embedded fallback):"]
    embedded = {models.EMBEDDED_LLM, models.EMBEDDED_STT}
    for kind in _KIND_ORDER:
        lines.append(f"  {kind.value}:")
        for name, spec in models.CATALOG.items():
            if spec.kind is not kind:
                continue
            mark = "*" if models.is_present(spec, data_dir) else "e" if name in embedded else " "
            lines.append(f"   {mark} {name:<16} {spec.description}")
    lines.append("  tts:")
    lines.append(
        f"   e {models.EMBEDDED_TTS:<16} bundled Piper voice; any Piper voice name such as "
        f"en_US-lessac-medium downloads from {models.PIPER_VOICES_REPO}"
    )
    return "\n".join(lines)


def download_models(names: list[str], data_dir: Path, err: TextIO | None = None) -> int:
    """Download each model; one line per failure (to ``err``, default stderr); 1 if any failed."""
    err = err or sys.stderr
    failed = 0
    for name in names:
        try:
            path = models.download(name, data_dir)
        except models.ModelError as error:
            print(f"atlas-box: {error}", file=err, flush=True)
            failed += 1
            continue
        print(f"{name}: {path}", flush=True)
    return 1 if failed else 0
