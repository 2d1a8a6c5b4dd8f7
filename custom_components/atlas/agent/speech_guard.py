"""The guard on everything a model says: fed the reply as it streams, it yields what may be spoken.

One :class:`SpeechGuard` serves a whole turn, across its tool rounds. Two stages work on the
stream, never on single chunks, so where the chunks split the text does not matter:

1. **Markup** (character by character, holding back only what is undecided at that point):
   markdown emphasis, headings, quotes, bullets and numbering (decided at the start of a line),
   fenced code, JSON objects and arrays, tool-call tags (``<tool_call>…``), special tokens and
   emoji are removed (inline code keeps its words for stage 2 to judge); where something
   unspeakable went, a :data:`DROPPED` mark stays in the text, so it counts in stream order.
2. **Sentences** (each judged once it is complete): code, tool syntax (``atlas__set_reminder``,
   ``{"name": …}`` leftovers) and instruction or prompt echoes are dropped; a repeated sentence
   or long word run ends the reply (a loop: :attr:`SpeechGuard.halted` tells the caller to stop
   reading the model); at most ``VoiceLimits.sentences`` sentences and ``VoiceLimits.words``
   words are spoken.

When something was dropped and nothing useful was said, :meth:`SpeechGuard.finish` ends with the
fallback sentence. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .speech import EMOJI, echo_grams, ngrams, tidy, unspeakable, words

DROPPED: Final = "\x00"  # marks, in the clean text, where stage 1 removed something unspeakable
REPEATED_NGRAM: Final = 8  # words: a run this long said twice is a loop
USEFUL_WORDS: Final = 3  # fewer words after a drop: the fallback sentence follows

# Tags whose content is never speech (``<tool_call>{…}</tool_call>``, ``<think>…``).
_BLOCK_TAGS: Final = frozenset({
    "tool_call", "tool_calls", "tool_response", "tool_result", "function_call", "function",
    "functions", "tools", "think", "thinking", "code", "pre", "script", "json", "arguments",
})  # fmt: skip
_TAG: Final = re.compile(r"<(/?)([A-Za-z][\w:-]*|\|[^|<>\s]*\|)[^<>\n]*>")
_TAG_MAX: Final = 200  # characters: a "<" without ">" this far is no tag
_PLAIN: Final = re.compile(r"[^\n*#`~{}\[\]<|\\•" + EMOJI.pattern[1:-1] + "]+")
_TABLE_SEPARATOR: Final = re.compile(r"^[\s|:-]+$")
_JSON_ARRAY_START: Final = re.compile(r"[{\[\"\d\]-]")
_ABBREVIATIONS: Final = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "e.g", "i.e", "approx"})
_TERMINALS: Final = ".!?…\u3002\uff01\uff1f"  # the last three: a model drifting into CJK
_CLOSERS: Final = "\"')]\u201d\u2019"  # closing quotes and brackets after a full stop
_TRAILING: Final = ",;:-\u2013 "  # replaced by a full stop where a sentence is cut or breaks

_LINE_START, _TEXT, _FENCE, _JSON, _BLOCK = range(5)


@dataclass(frozen=True)
class VoiceLimits:
    """How much of a reply is spoken."""

    sentences: int = 3
    words: int = 60


class _Markup:
    """Stage 1: markup, code, JSON and tags out of the character stream."""

    def __init__(self) -> None:
        self._buf = ""
        self._reset()

    def _reset(self) -> None:
        self._mode = _LINE_START
        self._depth = 0  # JSON nesting
        self._in_string = False
        self._escaped = False
        self._closing = ""  # the end of the block being dropped (``</tool_call>``, ```` ``` ````)

    def feed(self, text: str, *, final: bool = False) -> str:
        """Clean text for ``text``; ``final``: the message ends here, decide everything."""
        self._buf += text
        out: list[str] = []
        i = 0
        while i < len(self._buf):
            step = self._step(i, final, out)
            if step is None:
                break
            i = step
        self._buf = self._buf[i:]
        if final:
            self._buf = ""
            self._reset()
        return "".join(out)

    def _step(self, i: int, final: bool, out: list[str]) -> int | None:
        """Handle the text at ``i``: the next position, or None to wait for more text."""
        if self._mode == _LINE_START:
            return self._line_start(i, final, out)
        if self._mode == _TEXT:
            return self._text(i, final, out)
        if self._mode == _JSON:
            return self._skip_json(i)
        return self._skip_block(i, final)  # _FENCE, _BLOCK: up to the closing marker

    def _line(self, i: int, final: bool) -> str | None:
        """The line from ``i`` (without its newline), or None while it is unfinished."""
        end = self._buf.find("\n", i)
        if end < 0:
            return self._buf[i:] if final else None
        return self._buf[i:end]

    def _line_start(self, i: int, final: bool, out: list[str]) -> int | None:
        buf = self._buf
        c = buf[i]
        if c in " \t":
            return i + 1
        if c == "\n":
            out.append("\n")
            return i + 1
        if c in "#>":  # heading, quote
            return i + 1
        if c in "-*_":  # a rule ("---"), a bullet ("- "), or text ("-5", "**bold**")
            j = i
            while j < len(buf) and buf[j] in (c, " ", "\t"):
                j += 1
            if j == len(buf) and not final:
                return None
            if buf[i:j].count(c) >= 3 and (j == len(buf) or buf[j] == "\n"):
                return j
            if c != "_" and i + 1 < len(buf) and buf[i + 1] in " \t":
                return i + 2
            return self._enter_text(i)
        if c in "+•":  # a bullet needs the space after it
            if i + 1 == len(buf):
                return None if not final else self._enter_text(i)
            return i + 2 if buf[i + 1] in " \t" else self._enter_text(i)
        if c.isdigit():  # numbering: "1. " or "2) "
            j = i
            while j < len(buf) and buf[j].isdigit() and j - i < 4:
                j += 1
            if j - i <= 3 and j + 1 >= len(buf) and not final:
                return None  # "12" may become "12. " (numbering) or "12 minutes" (text)
            if j - i <= 3 and j + 1 < len(buf) and buf[j] in ".)" and buf[j + 1] in " \t":
                return j + 2
            return self._enter_text(i)
        if c == "|":  # a table row: its cells, or nothing for the separator
            line = self._line(i, final)
            if line is None:
                return None
            if _TABLE_SEPARATOR.match(line):
                return i + len(line)
            cells = ", ".join(cell.strip() for cell in line.split("|") if cell.strip())
            self._buf = buf[:i] + cells + buf[i + len(line) :]
            return self._enter_text(i)
        return self._enter_text(i)

    def _enter_text(self, i: int) -> int:
        self._mode = _TEXT
        return i

    def _text(self, i: int, final: bool, out: list[str]) -> int | None:
        buf = self._buf
        if plain := _PLAIN.match(buf, i):
            out.append(plain.group())
            return plain.end()
        c = buf[i]
        if c == "\n":
            out.append("\n")
            self._mode = _LINE_START
            return i + 1
        if c == "`":
            return self._backticks(i, final, out)
        if c == "{":
            return self._start_json(i, out)
        if c == "[":
            return self._bracket(i, final, out)
        if c == "]":
            return self._link_end(i, final)
        if c == "<":
            return self._tag(i, final, out)
        return i + 1  # emphasis, headings, strikes, pipes, escapes, emoji: dropped

    def _backticks(self, i: int, final: bool, out: list[str]) -> int | None:
        """Inline code (its words, as they are, for the sentence to be judged on), or a fence:
        everything up to the closing fence is dropped."""
        buf = self._buf
        j = i
        while j < len(buf) and buf[j] == "`":
            j += 1
        if j == len(buf) and not final:
            return None
        run = buf[i:j]
        if len(run) >= 3:
            self._mode, self._closing = _FENCE, run[:3]
            out.append(DROPPED)
            return j
        line_end = buf.find("\n", j)
        close = buf.find(run, j)
        if close >= 0 and (line_end < 0 or close < line_end):
            out.append(buf[j:close])
            return close + len(run)
        if line_end < 0 and not final:
            return None
        return j  # a lone backtick: dropped, the text after it is spoken

    def _start_json(self, i: int, out: list[str]) -> int:
        self._mode, self._depth = _JSON, 1
        self._in_string = self._escaped = False
        out.append(DROPPED)
        return i + 1

    def _bracket(self, i: int, final: bool, out: list[str]) -> int | None:
        """A JSON array (dropped), or bracketed text such as a link's (spoken)."""
        buf = self._buf
        j = i + 1
        while j < len(buf) and buf[j].isspace():
            j += 1
        if j == len(buf) and not final:
            return None
        if j < len(buf) and _JSON_ARRAY_START.match(buf[j]):
            return self._start_json(i, out)
        return i + 1

    def _link_end(self, i: int, final: bool) -> int | None:
        """``](address)`` of a link: the address is dropped."""
        buf = self._buf
        if i + 1 >= len(buf):
            return None if not final else i + 1
        if buf[i + 1] != "(":
            return i + 1
        close = buf.find(")", i + 2)
        line_end = buf.find("\n", i + 2)
        if close >= 0 and (line_end < 0 or close < line_end):
            return close + 1
        if line_end < 0 and not final:
            return None
        return i + 1

    def _tag(self, i: int, final: bool, out: list[str]) -> int | None:
        """A tag: a block tag drops its content, other tags only themselves; else a "<"."""
        buf = self._buf
        window = buf[i : i + _TAG_MAX]
        end = window.find(">")
        if end < 0:
            if "\n" in window or len(window) >= _TAG_MAX or final:
                out.append("<")
                return i + 1
            return None
        tag = _TAG.fullmatch(window[: end + 1])
        if tag is None:
            out.append("<")
            return i + 1
        name = tag.group(2).lower()
        if not tag.group(1) and name in _BLOCK_TAGS:
            self._mode, self._closing = _BLOCK, f"</{name}>"
            out.append(DROPPED)
        return i + end + 1

    def _skip_block(self, i: int, final: bool) -> int | None:
        """Drop up to and including ``_closing`` (the end of the text when it never comes)."""
        buf = self._buf
        found = buf.lower().find(self._closing, i)
        if found >= 0:
            self._mode = _TEXT
            return found + len(self._closing)
        if final:
            return len(buf)
        keep = len(buf) - len(self._closing) + 1  # the closing marker may be arriving
        return keep if keep > i else None

    def _skip_json(self, i: int) -> int:
        """Drop up to the end of the JSON value (the end of the text when it never comes)."""
        buf = self._buf
        j = i
        while j < len(buf):
            c = buf[j]
            j += 1
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif c == "\\":
                    self._escaped = True
                elif c == '"':
                    self._in_string = False
            elif c == '"':
                self._in_string = True
            elif c in "{[":
                self._depth += 1
            elif c in "}]":
                self._depth -= 1
                if self._depth == 0:
                    self._mode = _TEXT
                    return j
        return j


class _Sentences:
    """Stage 2: clean text → sentences that may be spoken, within the limits."""

    def __init__(self, limits: VoiceLimits, echoes: frozenset[tuple[str, ...]]) -> None:
        self._limits = limits
        self._echoes = echoes
        self._pending = ""
        self._said: list[str] = []  # the words spoken so far
        self._keys: set[str] = set()  # the sentences spoken so far, as words
        self._grams: set[tuple[str, ...]] = set()
        self.count = 0  # sentences spoken
        self.stopped = False  # the limits are reached or a loop began: nothing more is said
        self.halted = False  # a loop began: the model need not go on
        self.dropped = False  # a sentence was unspeakable, or held something stage 1 removed

    @property
    def said_words(self) -> int:
        """How many words were spoken."""
        return len(self._said)

    def add(self, text: str, *, final: bool = False) -> list[str]:
        """The sentences ``text`` completes; ``final``: the message ends here."""
        if self.stopped:
            return []
        self._pending += text
        out: list[str] = []
        while not self.stopped and (cut := self._boundary()) is not None:
            raw, self._pending = self._pending[:cut], self._pending[cut:]
            out.extend(self._sentence(raw))
        if final and not self.stopped:
            raw, self._pending = self._pending, ""
            out.extend(self._sentence(raw))
        elif not self.stopped:
            out.extend(self._runaway())
        if self.stopped:
            self._pending = ""
        return out

    def _boundary(self) -> int | None:
        """Where the first complete sentence of the pending text ends; None while undecided.

        A sentence ends at a line break, or after ``.!?…`` (and closing quotes) followed by a
        space, unless a "." is followed by a lower-case word or ends an abbreviation.
        """
        text = self._pending
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\n":
                return i + 1
            if c not in _TERMINALS:
                i += 1
                continue
            end = i
            while end < len(text) and (text[end] in _TERMINALS or text[end] in _CLOSERS):
                end += 1
            after = end
            while after < len(text) and text[after] in " \t":
                after += 1
            if after == len(text):
                return None  # undecided (or, at the end, the last sentence)
            if after == end:  # "5.5", "e.g.x": no break
                i = end
                continue
            nxt = text[after]
            dotted = text[i:end].rstrip(_CLOSERS).endswith(".")
            previous = text[:i].rsplit(None, 1)[-1].lower() if text[:i].strip() else ""
            if dotted and (nxt.islower() or previous in _ABBREVIATIONS):
                i = after
                continue
            return end
        return None

    def _sentence(self, raw: str) -> list[str]:
        """Judge one complete sentence: what is spoken of it (nothing, it, or its start)."""
        tokens = raw.split()
        budget = self._limits.words - len(self._said)
        cut = len(tokens) > budget
        if cut:  # judged on its first words; nothing after it is said
            raw = " ".join(tokens[:budget])
            self.stopped = True
        if DROPPED in raw:
            self.dropped = True
        text = tidy(raw.replace(DROPPED, ""))
        if not text:
            return []
        said = words(text)
        if self._loops(said) or " ".join(said) in self._keys:
            self.dropped = self.stopped = self.halted = True
            return []
        if unspeakable(text, self._echoes):
            self.dropped = True
            return []
        if cut and self._said:  # something was said: stop before the long sentence
            return []
        if cut or text[-1] not in _TERMINALS + _CLOSERS:  # a list item, a heading, a cut
            text = text.rstrip(_TRAILING) + "."
        self._keys.add(" ".join(said))
        self._grams.update(ngrams(self._said[-(REPEATED_NGRAM - 1) :] + said, REPEATED_NGRAM))
        self._said.extend(said)
        self.count += 1
        if self.count >= self._limits.sentences or len(self._said) >= self._limits.words:
            self.stopped = True
        return [text]

    def _loops(self, said: list[str]) -> bool:
        """Whether ``said`` repeats a long word run, of what was said or of itself."""
        seen = set(self._grams)
        for gram in ngrams(self._said[-(REPEATED_NGRAM - 1) :] + said, REPEATED_NGRAM):
            if gram in seen:
                return True
            seen.add(gram)
        return False

    def _runaway(self) -> list[str]:
        """The unfinished sentence, judged early: past the word budget it is cut there, and a
        loop in its words stops the reply (the same outcome as once it ends)."""
        tokens = self._pending.split()
        if self._pending and not self._pending[-1].isspace():
            tokens = tokens[:-1]  # the last word may go on
        budget = self._limits.words - len(self._said)
        if len(tokens) > budget:
            end = _token_end(self._pending, budget)
            raw, self._pending = self._pending[:end], ""
            return self._sentence(raw + " " + tokens[budget])
        if self._loops(words(tidy(" ".join(tokens).replace(DROPPED, "")))):
            self.dropped = self.stopped = self.halted = True
            self._pending = ""
        return []


def _token_end(text: str, count: int) -> int:
    """Where the first ``count`` whitespace-separated tokens of ``text`` end."""
    for found, match in enumerate(re.finditer(r"\S+", text), start=1):
        if found == count:
            return match.end()
    return 0


class SpeechGuard:
    """What may be spoken of one turn's model text (see the module docstring)."""

    def __init__(
        self,
        limits: VoiceLimits | None = None,
        *,
        fallback: str = "",
        echoes: Iterable[str] = (),
    ) -> None:
        """``fallback``: said when the guard dropped text and nothing useful was said;
        ``echoes``: prompts (the system prompt) that must not be said back."""
        self._markup = _Markup()
        self._sentences = _Sentences(limits or VoiceLimits(), echo_grams(echoes))
        self._fallback = fallback
        self._heard = False  # the model said something that was not blank
        self.fell_back = False  # the fallback sentence was said

    @property
    def halted(self) -> bool:
        """The model fell into a loop: nothing more it says will be spoken."""
        return self._sentences.halted

    @property
    def stopped(self) -> bool:
        """Nothing more will be spoken (limits reached or a loop)."""
        return self._sentences.stopped

    @property
    def tripped(self) -> bool:
        """Something unspeakable was dropped or a loop was stopped."""
        return self._sentences.dropped

    def feed(self, text: str) -> list[str]:
        """The sentences that may be spoken now that ``text`` arrived."""
        if self.stopped:
            return []
        self._heard = self._heard or bool(text.strip())
        return self._sentences.add(self._markup.feed(text))

    def end_message(self) -> list[str]:
        """The model's message (one round) ended: what was held back is decided."""
        if self.stopped:
            self._markup.feed("", final=True)
            return []
        return self._sentences.add(self._markup.feed("", final=True), final=True)

    def finish(self) -> list[str]:
        """The turn's model text ended: the rest, and the fallback sentence when the guard
        dropped text and nothing useful was said."""
        out = self.end_message()
        said = self._sentences.said_words
        useful = said >= USEFUL_WORDS or (said > 0 and not self.tripped)
        if self._heard and not useful and self._fallback:
            out.append(self._fallback)
            self.fell_back = True
        return out


def spoken(guard: SpeechGuard, pieces: Iterable[str]) -> str:
    """Everything ``guard`` lets through of ``pieces`` (one message), joined: for tests and
    whole texts."""
    out: list[str] = []
    for piece in pieces:
        out.extend(guard.feed(piece))
    out.extend(guard.finish())
    return " ".join(out)
