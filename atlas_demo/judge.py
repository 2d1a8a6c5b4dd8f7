"""Whether a spoken turn's answer is one a user should hear, not only whether its intent matched.

Read from what the demo got back (the agent's ``atlas_turn`` event, the reply, its audio):

- a skill intent needs its own tool (the last of ``Intent.tools``) unless the reply asks a
  question for a missing value;
- no action may be claimed that no tool did (the agent replaced such a reply: ``speech ==
  "not_done"``);
- nothing unspeakable: no code, markdown, JSON, tool syntax or repetition loop, judged by the
  agent's own speech guard (``agent/speech_guard.py``), and no loop or fallback the guard had to
  cut in the turn;
- at most :data:`MAX_REPLY_AUDIO_S` seconds of reply audio.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from custom_components.atlas.agent.intents import BY_NAME
from custom_components.atlas.agent.speech_guard import SpeechGuard, VoiceLimits, spoken

MAX_REPLY_AUDIO_S: Final = 20.0
# The guard as a judge: no length limit, only what must never be spoken.
_UNLIMITED: Final = VoiceLimits(sentences=1_000_000, words=1_000_000)
_SHOWN: Final = 200  # characters of the reply quoted in a message


def _quoted(reply: str) -> str:
    return repr(reply if len(reply) <= _SHOWN else reply[:_SHOWN] + "…")


def missing_tool(result: dict[str, Any]) -> str | None:
    """The tool a skill intent needed and did not run; None when none is missing."""
    intent = BY_NAME.get(str(result.get("intent")))
    if intent is None or not intent.tools:
        return None
    needed = intent.tools[-1]
    ran = {str(tool).rpartition("__")[2] for tool in result.get("tools") or []}
    return None if needed in ran else needed


def _marks(text: str) -> Counter[str]:
    return Counter(c for c in text if not c.isspace())


def unspeakable(reply: str) -> str | None:
    """What the speech guard would not let through of ``reply`` ("a repetition loop", "code,
    JSON or tool syntax", or the markup it removed); None when all of it may be spoken."""
    guard = SpeechGuard(_UNLIMITED)
    said = spoken(guard, [reply])
    if guard.halted:
        return "a repetition loop"
    if guard.tripped:
        return "code, JSON or tool syntax"
    if removed := _marks(reply) - _marks(said):
        return f"markdown or other unspeakable marks ({''.join(sorted(removed))!r})"
    return None


def answer_problem(result: dict[str, Any]) -> str | None:
    """Why the turn's answer fails (``stage: reason``), or None when it may be heard."""
    reply = str(result.get("reply") or "")
    tools = ", ".join(result.get("tools") or []) or "none"
    intent = result.get("intent")
    speech = result.get("speech")
    if speech == "not_done":
        return (
            f"agent: no tool did what intent {intent!r} needs (tools run: {tools}); ATLAS said "
            f"it was not done instead of confirming: {_quoted(reply)}"
        )
    needed = missing_tool(result)
    asked = bool(result.get("asked")) or reply.rstrip().endswith("?")
    if needed is not None and not asked:
        return (
            f"agent: intent {intent!r} ran without its tool {needed!r} (tools run: {tools}) and "
            f"the reply asks nothing, so what it says was not done: {_quoted(reply)}"
        )
    if speech == "halted":
        return f"speech: the model fell into a loop, cut by the speech guard: {_quoted(reply)}"
    if speech == "fallback":
        return (
            "speech: nothing the model said could be spoken; the speech guard's fallback "
            f"sentence was said: {_quoted(reply)}"
        )
    if (found := unspeakable(reply)) is not None:
        return f"speech: the reply holds {found}: {_quoted(reply)}"
    seconds = result.get("reply_audio_seconds")
    if isinstance(seconds, int | float) and seconds > MAX_REPLY_AUDIO_S:
        return f"tts: the reply is {seconds:.1f} s of audio (at most {MAX_REPLY_AUDIO_S:.0f} s)"
    return None
