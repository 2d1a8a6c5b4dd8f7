"""Cut streamed text into speakable segments as early as possible.

A sentence is released the moment its text is known to be complete: text that already ends with
sentence punctuation (``.``, ``!``, ``?``, ``…``) or a newline is spoken without waiting for the
next chunk. A few cases are held back because a ``.`` there is usually not a sentence end:

* abbreviations and initials (``Dr.``, ``e.g.``, ``J.``),
* a number followed by ``.`` at the very end of the buffer (``3.`` may become ``3.5``),
* a list marker (``1.`` at the start of a line).

``.`` directly followed by a letter or digit (``3.5``, ``example.com``) never ends a sentence.

Optionally the *first* segment of a stream is released early, at a clause mark (``,;:``) or after a
few complete words, so audio starts before the first sentence is finished; the rest of that first
sentence is then released clause by clause. Text without any punctuation is cut at a clause mark
or a space once it grows past ``max_chars``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE_ENDS = ".!?\u2026\u3002\uff01\uff1f"  # also the ellipsis and CJK full stops
_CLOSERS = "\"')]}\u2019\u201d\u00bb"  # quotes and brackets that follow a sentence end
_CLAUSE_MARKS = ",;:"
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "mt", "fig", "approx", "e.g", "i.e"}
)
_MARKDOWN = re.compile(r"[*`]+|^\s*#+\s*", re.MULTILINE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    """A piece of text to speak; ``sentence_end`` is False for a cut inside a sentence."""

    text: str
    sentence_end: bool = True


def clean_text(text: str) -> str:
    """Drop markdown emphasis/code/heading marks and collapse whitespace."""
    return _SPACES.sub(" ", _MARKDOWN.sub("", text)).strip()


def is_speakable(text: str) -> bool:
    """True when ``text`` has at least one letter or digit."""
    return any(ch.isalnum() for ch in text)


class SentenceSplitter:
    """Incremental splitter: feed chunks with :meth:`add`, flush with :meth:`finish`."""

    def __init__(self, *, first_fragment_words: int = 0, max_chars: int = 300) -> None:
        """``first_fragment_words`` > 0 enables the early first segment (0 disables it)."""
        self.first_fragment_words = first_fragment_words
        self.max_chars = max_chars
        self._buffer = ""
        self._emitted = False  # any segment released yet
        self._sentence_done = False  # a whole sentence released yet

    def add(self, text: str) -> list[Segment]:
        """Append a chunk and return every segment that is now complete."""
        self._buffer += text
        segments: list[Segment] = []
        while True:
            cut = self._sentence_cut()
            sentence_end = cut is not None
            if cut is None:
                cut = self._early_cut()
            if cut is None:
                break
            self._take(cut, sentence_end, segments)
        return segments

    def finish(self) -> list[Segment]:
        """Return what is left as the last segment and reset for a new stream."""
        segments: list[Segment] = []
        self._take(len(self._buffer), True, segments)
        self._emitted = self._sentence_done = False
        return segments

    def _take(self, cut: int, sentence_end: bool, out: list[Segment]) -> None:
        text = clean_text(self._buffer[:cut])
        self._buffer = self._buffer[cut:]
        if is_speakable(text):
            out.append(Segment(text, sentence_end))
            self._emitted = True
            self._sentence_done = self._sentence_done or sentence_end

    def _sentence_cut(self) -> int | None:
        """Index just past the first complete sentence in the buffer, if any."""
        buf = self._buffer
        i = 0
        while i < len(buf):
            ch = buf[i]
            if ch == "\n":
                return i + 1
            if ch not in SENTENCE_ENDS:
                i += 1
                continue
            end = i
            while end < len(buf) and buf[end] in SENTENCE_ENDS:
                end += 1
            while end < len(buf) and buf[end] in _CLOSERS:
                end += 1
            if self._is_boundary(i, end):
                return end
            i = end
        return None

    def _is_boundary(self, start: int, end: int) -> bool:
        """Whether the punctuation run ``buf[start:end]`` ends a sentence."""
        buf = self._buffer
        at_end = end == len(buf)
        if not at_end and not buf[end].isspace():
            return False  # "3.5", "example.com", "U.S.A"
        if buf[start:end].rstrip(_CLOSERS) != ".":
            return True  # "!", "?", "…", "...", "?!"
        line_start = buf.rfind("\n", 0, start) + 1
        word = buf[line_start:start].rsplit(maxsplit=1)[-1] if buf[line_start:start].strip() else ""
        if word.lower().lstrip("(\"'") in _ABBREVIATIONS:
            return False
        if len(word) == 1 and word.isalpha() and word != "I":
            return False  # an initial ("J. R. R. Tolkien") or the start of "e.g."
        if word.isdigit():
            if not buf[line_start:start].strip(" \t").removesuffix(word).strip():
                return False  # a list marker: "1. Turn on the lights"
            return not at_end  # "3." may still become "3.5"
        return True

    def _early_cut(self) -> int | None:
        """A cut inside the current sentence: early in the first sentence, or at the length cap.

        The first segment ends at the first clause mark or after ``first_fragment_words`` words;
        the rest of the first sentence is then cut at clause marks (after as many words), so a
        long first sentence keeps up with the audio already playing.
        """
        buf = self._buffer
        if self.first_fragment_words > 0 and not self._sentence_done:
            words = 0
            for match in re.finditer(r"\S+(?=\s)", buf):
                if not is_speakable(match.group()):
                    continue
                words += 1
                at_clause = match.group()[-1] in _CLAUSE_MARKS
                if not self._emitted and (at_clause or words >= self.first_fragment_words):
                    return match.end()
                if at_clause and words >= self.first_fragment_words:
                    return match.end()
        if len(buf) <= self.max_chars:
            return None
        head = buf[: self.max_chars]
        clause = max(head.rfind(f"{mark} ") for mark in _CLAUSE_MARKS)
        if clause > 0:
            return clause + 1
        space = head.rfind(" ")
        return space if space > 0 else self.max_chars


def split_text(text: str, *, max_chars: int = 300) -> list[Segment]:
    """Split a complete text into sentences (no early first segment)."""
    splitter = SentenceSplitter(max_chars=max_chars)
    return [*splitter.add(text), *splitter.finish()]
