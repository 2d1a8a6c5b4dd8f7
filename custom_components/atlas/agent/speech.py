"""Judgements on one whole sentence of a model's reply: may it be spoken, and in what form.

The stream guard (``speech_guard.py``) cuts a reply into sentences and asks these questions of
each: code, tool syntax and instruction echoes are never spoken; link addresses and emphasis
leftovers are tidied away. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

# Pictographs, dingbats, arrows, flags and their joiners: nothing a voice can say.
EMOJI: Final = re.compile(
    "[\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3]"
)
# Words for repetition and echo checks: lower-case letters, digits, apostrophes.
WORD: Final = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# A long word sequence shared with the prompt is the prompt echoed back.
ECHO_NGRAM: Final = 6

# Code and tool syntax inside a sentence.
_CODE: Final = re.compile(
    r"\w__\w"  # namespaced tool names: atlas__set_reminder
    r"|\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b"  # snake_case identifiers: set_reminder
    r"|\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*){2,}\b"  # CamelCase identifiers: HassTurnOn
    r"|\b\w+\(\s*\)|\b\w+\([^()\n]*[=\"'][^()\n]*\)|\b\w+\.\w+\("  # calls: f(), f(x=1), a.b(
    r"|==|!=|=>|->|:=|\+=|&&|\|\||\$\{"  # operators
    r"|\"\w+\"\s*:"  # JSON keys
    r"|(?i:\bjson\b)"
)
# A line of code: a definition, an import, a call, an assignment, a block header.
_CODE_LINE: Final = re.compile(
    r"^(?:def\s+\w+\s*\(|class\s+\w+\s*[:(]|import\s+\w|from\s+\S+\s+import\b|print\s*\("
    r"|return\b|(?:const|let|var)\s+\w+\s*=|function\s*\w*\s*\(|lambda\b"
    r"|(?:if|elif|for|while|with|except|else|try)\b.*:$"
    r"|[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*=\s*\S)"
    r"|[;{]$"
)
# Instructions about tools and formats, and the agent's own notes, said back.
_ECHO: Final = re.compile(
    r"\bto call a tool\b|\breply with only\b|\byou can call these tools\b|\btool result\s*\("
    r"|\b(?:tool|function)[ _-]?calls?\b"
    r"|\b(?:call|calling|invoke|invoking|use|using|run|running|execute|executing)\s+"
    r"(?:the\s+|a\s+|this\s+|that\s+)?(?:\S+\s+){0,3}(?:tool|function|api)s?\b"
    r"|\bwith\s+the\s+(?:following\s+)?(?:arguments|parameters)\b|\b(?:arguments|parameters)\s*:"
    r"|\bunderstood as\s*:|\bearlier in this conversation\s*:"
    r"|^(?:system|user|assistant|tool)\s*:",
    re.IGNORECASE,
)
# Letters of a script none of ATLAS's languages (English, German, Spanish, French) is written
# in: Greek, Cyrillic, Hebrew, Arabic, Indic, Thai, CJK, Hangul. A small model drifts into them.
_OTHER_SCRIPT: Final = re.compile(
    "[\u0370-\u03ff\u0400-\u052f\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u1100-\u11ff"
    "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)
_URL: Final = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
_STRAY_UNDERSCORES: Final = re.compile(r"(?<!\w)_+|_+(?!\w)")
_EMPTY_BRACKETS: Final = re.compile(r"\(\s*\)|\[\s*\]")
_SPACE_BEFORE_PUNCTUATION: Final = re.compile(r"\s+([,.;:!?…])")
_SPACES: Final = re.compile(r"\s+")
_LEADING_PUNCTUATION: Final = re.compile(r"^(?:[\s,.;:!?…)\]]|-(?!\d))+")  # not "-5"


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased."""
    return WORD.findall(text.lower())


def ngrams(items: Sequence[str], size: int) -> Iterable[tuple[str, ...]]:
    """Every run of ``size`` consecutive items."""
    return (tuple(items[i : i + size]) for i in range(len(items) - size + 1))


def echo_grams(sources: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """The word runs of the prompts a reply must not say back."""
    return frozenset(gram for text in sources for gram in ngrams(words(text), ECHO_NGRAM))


def tidy(sentence: str) -> str:
    """``sentence`` without link addresses, stray emphasis or doubled spaces."""
    text = _URL.sub("", sentence)
    text = _STRAY_UNDERSCORES.sub("", text)
    text = _EMPTY_BRACKETS.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    text = _LEADING_PUNCTUATION.sub("", text).strip()
    return text if any(c.isalnum() for c in text) else ""


def unspeakable(sentence: str, echoes: frozenset[tuple[str, ...]] = frozenset()) -> str | None:
    """Why ``sentence`` (tidied) must not be spoken: "code", "echo", "script" (letters of a
    script the voice cannot read); None when it may."""
    if _CODE.search(sentence) or _CODE_LINE.search(sentence):
        return "code"
    if _OTHER_SCRIPT.search(sentence):
        return "script"
    if _ECHO.search(sentence):
        return "echo"
    if echoes and any(gram in echoes for gram in ngrams(words(sentence), ECHO_NGRAM)):
        return "echo"
    return None
