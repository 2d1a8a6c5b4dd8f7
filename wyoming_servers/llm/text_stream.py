"""Decoded tokens → output deltas: UTF-8 across token boundaries, stop strings, the JSON end.

A stop string may span tokens, so a tail that could be its start is held back until the next
token settles it; the text before a stop string is released and generation ends there. With a
grammar, generation ends as soon as the text is one complete JSON value.
"""

from __future__ import annotations

import codecs
import json

from .output_parser import Delta, OutputParser, partial_marker_len


class TextStream:
    """Feeds one generation's text to its :class:`OutputParser`."""

    def __init__(self, parser: OutputParser, stops: tuple[str, ...], json_output: bool) -> None:
        self.parser = parser
        self.stops = stops
        self.json_output = json_output
        self.text = ""
        self._fed = 0  # characters of ``text`` handed to the parser
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def push(self, piece: bytes) -> tuple[list[Delta], bool]:
        """Add one token's bytes; the deltas now safe to send, and whether generation ends."""
        text = self._decoder.decode(piece)
        self.text += text
        cut = stop_at(self.text, self.stops, self._fed)
        if cut is not None:
            before = self.parser.feed(self.text[self._fed : cut])
            self._fed = len(self.text)
            return before, True
        deltas: list[Delta] = []
        safe = len(self.text) - partial_marker_len(self.text, self.stops)
        if safe > self._fed:
            deltas = self.parser.feed(self.text[self._fed : safe])
            self._fed = safe
        done = self.json_output and text.endswith(("}", "]")) and complete_json(self.text)
        return deltas, done

    def finish(self) -> list[Delta]:
        """Release a held-back tail that never became a stop string, then the parser's rest."""
        deltas = self.parser.feed(self.text[self._fed :]) if self._fed < len(self.text) else []
        self._fed = len(self.text)
        return deltas + self.parser.finish()


def complete_json(text: str) -> bool:
    """Whether ``text`` is one complete JSON value."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def stop_at(text: str, stops: tuple[str, ...], fed: int) -> int | None:
    """Where the earliest stop string in ``text`` starts (searching from unsent text on)."""
    hits = [i for s in stops if (i := text.find(s, max(0, fed - len(s) + 1))) >= 0]
    return min(hits) if hits else None
