"""No action claimed that did not happen: a turn whose intent needs a tool may only confirm once
that tool succeeded in the turn.

A skill intent (``intents.SKILL_INTENTS``) needs the last tool of its direct route (the one that
acts: ``prepare_workout`` after ``recovery_status``); a device command needs any tool. A tool
result that is an error does not count. When none succeeded, the reply says so plainly and what
to say instead (``spoken_not_done_<intent>``), whatever the model said. The tool loop
(``loop.py``) holds a model's words back until then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from homeassistant.components import conversation

from .intents import BY_NAME
from .spoken import Spoken, not_done

DEVICE_CONTROL: Final = "device_control"
# A reply made only of questions confirms nothing ("What time should it be?"), unless it
# words a claim all the same ("Reminder set, anything else?").
_CLAIM: Final = re.compile(
    r"\b(?:done|set|created|added|logged|saved|scheduled|booked|cancel+ed|removed|deleted|"
    r"turned|switched|started|stopped|ready|i'?ve|i have|i will|i'?ll)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Confirmation:
    """A turn that may confirm only after one of ``tools`` succeeded (empty: any tool)."""

    intent: str
    tools: frozenset[str]

    @property
    def spoken(self) -> Spoken:
        """What is said instead of a confirmation: not done, and what to say."""
        return not_done(self.intent)

    def done(self, chat_log: conversation.ChatLog) -> bool:
        """Whether a tool that counts succeeded since the newest user message."""
        for content in reversed(chat_log.content):
            if isinstance(content, conversation.UserContent):
                return False
            if (
                isinstance(content, conversation.ToolResultContent)
                and succeeded(content)
                and (not self.tools or base_name(content.tool_name) in self.tools)
            ):
                return True
        return False


def needed(intent: str | None) -> Confirmation | None:
    """The confirmation a turn understood as ``intent`` waits for; None when it needs none."""
    if intent == DEVICE_CONTROL:
        return Confirmation(intent, frozenset())
    if intent is None or (found := BY_NAME.get(intent)) is None or not found.tools:
        return None
    return Confirmation(intent, frozenset({found.tools[-1]}))


def base_name(tool: str) -> str:
    """A tool's name without the API prefix of merged APIs (``atlas__set_reminder``)."""
    return tool.rpartition("__")[2]


def succeeded(content: conversation.ToolResultContent) -> bool:
    """Whether the tool did what it was asked: no error flag, no error in its data."""
    data = content.result.data
    return not (content.result.error or "error" in data or data.get("response_type") == "error")


def only_questions(sentences: list[str]) -> bool:
    """Whether ``sentences`` only ask, claiming nothing."""
    return bool(sentences) and all(
        s.rstrip().endswith("?") and not _CLAIM.search(s) for s in sentences
    )
