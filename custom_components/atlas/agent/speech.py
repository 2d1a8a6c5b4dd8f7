"""Keep streamed replies speakable: no markdown symbols, no emoji reach TTS."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"[*`#]+|^\s*[-•]\s+", re.MULTILINE)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")


def speakable(text: str) -> str:
    """``text`` without markdown emphasis/headings/bullets and emoji."""
    return _EMOJI.sub("", _MARKDOWN.sub("", text))
