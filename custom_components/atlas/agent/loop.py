"""The one tool loop: a backend streams a round into the chat log, HA runs its tool calls.

A backend (the GPU box, ``box/backend.py``; Claude, ``cloud/claude.py``) turns the chat log into
its own messages and yields chat-log deltas; :func:`async_tool_loop` drives either the same way:
round after round while the model calls tools, the last round with tool calls refused.

What a model says reaches the chat log (which is what Home Assistant speaks) only through the
turn's :class:`Speech`: its :class:`~.speech_guard.SpeechGuard` lets speakable sentences through
as they complete, and a turn whose intent needs a tool (``confirmation.py``) holds them back
until that tool succeeded, or says plainly that it was not done.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Protocol

from homeassistant.components import conversation

from .confirmation import Confirmation, only_questions
from .speech_guard import SpeechGuard


class Backend(Protocol):
    """A model that answers the chat log in rounds."""

    def async_round(
        self, chat_log: conversation.ChatLog, *, first: bool, last: bool
    ) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
        """Stream one round as chat-log deltas (``last``: the model may not call tools)."""


@dataclass
class Speech:
    """How one turn's model text is spoken.

    ``preface`` (a fallback note of the agent's own) is said first, unguarded. With a
    ``confirmation``, the model's sentences wait until its tool succeeded; at the end of the
    turn they are said then, or ``not_done`` instead.
    """

    guard: SpeechGuard | None = None
    confirmation: Confirmation | None = None
    not_done: str = ""
    preface: str | None = None
    held: list[str] = field(default_factory=list, init=False)
    not_done_said: bool = field(default=False, init=False)
    released: bool = field(default=False, init=False)
    finished: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.released = self.confirmation is None

    def heard(self, text: str) -> list[str]:
        """Sentences to say now for the model's ``text``."""
        return self._hold(self.guard.feed(text) if self.guard else [text])

    def message_end(self) -> list[str]:
        """The model's message ended (another round follows)."""
        return self._hold(self.guard.end_message() if self.guard else [])

    def opening(self, chat_log: conversation.ChatLog, *, first: bool) -> list[str]:
        """Said at the start of a round: the preface, and what waited for a tool that has
        succeeded since."""
        out = []
        if first and self.preface:
            out.append(self.preface if self.guard else f"{self.preface} ")
        if not self.released and self.confirmation and self.confirmation.done(chat_log):
            self.released = True
            out.extend(self.held)
            self.held.clear()
        return out

    def closing(self, chat_log: conversation.ChatLog) -> list[str]:
        """Said at the end of the turn: the rest, or the honest sentence instead."""
        self.finished = True
        said = [*self.held, *(self.guard.finish() if self.guard else [])]
        self.held.clear()
        if self.released or (self.confirmation is not None and self.confirmation.done(chat_log)):
            return said
        if only_questions(said):
            return said
        self.not_done_said = True
        return [self.not_done]

    @property
    def outcome(self) -> str | None:
        """What the checks did to the model's text: "not_done" (the honest sentence replaced
        an unconfirmed reply), "halted" (a loop was cut), "fallback" (nothing speakable was
        left), or None (it was spoken as guarded)."""
        if self.not_done_said:
            return "not_done"
        if self.guard is not None and self.guard.halted:
            return "halted"
        if self.guard is not None and self.guard.fell_back:
            return "fallback"
        return None

    def _hold(self, sentences: list[str]) -> list[str]:
        if self.released:
            return sentences
        self.held.extend(sentences)
        return []


async def async_tool_loop(
    chat_log: conversation.ChatLog,
    agent_id: str,
    backend: Backend,
    max_rounds: int,
    speech: Speech | None = None,
) -> int:
    """Rounds until the model answers without calling a tool, at most ``max_rounds``.

    Tool calls in a round's deltas are run by the chat log (HA's LLM API) as they arrive, and
    their results are in the chat log for the next round. The model's text goes through
    ``speech`` (all of it, unchanged, without a guard). Returns the rounds used.
    """
    speech = speech or Speech()
    used = max_rounds
    for index in range(max_rounds):
        stream = backend.async_round(chat_log, first=index == 0, last=index == max_rounds - 1)
        spoken = _async_spoken_round(chat_log, stream, speech, first=index == 0)
        async for _content in chat_log.async_add_delta_content_stream(agent_id, spoken):
            pass
        if not chat_log.unresponded_tool_results:
            used = index + 1
            break
    if not speech.finished and (said := _joined(speech, speech.closing(chat_log))):
        # The last round called tools: the turn's answer follows their results.
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=agent_id, content=said)
        )
    return used


def _joined(speech: Speech, sentences: list[str]) -> str:
    return " ".join(sentences) if speech.guard else "".join(sentences)


async def _async_spoken_round(
    chat_log: conversation.ChatLog,
    stream: AsyncGenerator[conversation.AssistantContentDeltaDict],
    speech: Speech,
    *,
    first: bool,
) -> AsyncGenerator[conversation.AssistantContentDeltaDict]:
    """One round's deltas with its text replaced by what ``speech`` says, sentence by sentence
    (a space between them); a round without tool calls ends the turn. A model caught in a loop
    is not read further."""
    said = False
    called = False

    def say(pieces: list[str]) -> list[conversation.AssistantContentDeltaDict]:
        nonlocal said
        deltas: list[conversation.AssistantContentDeltaDict] = []
        for piece in pieces:
            deltas.append({"content": f" {piece}" if said and speech.guard else piece})
            said = True
        return deltas

    try:
        async for delta in stream:
            if "role" in delta:
                yield delta
                for out in say(speech.opening(chat_log, first=first)):
                    yield out
                continue
            rest = delta.copy()
            if text := rest.pop("content", None):
                for out in say(speech.heard(text)):
                    yield out
            if rest:
                called = called or bool(rest.get("tool_calls"))
                yield rest
            if speech.guard is not None and speech.guard.halted:
                break
    finally:
        await stream.aclose()
    for out in say(speech.message_end() if called else speech.closing(chat_log)):
        yield out
