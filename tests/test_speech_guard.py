"""The speech guard on a model's streamed reply (agent/speech_guard.py, agent/speech.py).

What is spoken must not depend on where the stream's chunks split the text: every reply below is
fed whole, split at every index, split into random chunks (fixed seed) and character by
character, and must give the same speech each time.
"""

from __future__ import annotations

import random

import pytest

from custom_components.atlas.agent.confirmation import needed, only_questions
from custom_components.atlas.agent.intents import SKILL_INTENTS
from custom_components.atlas.agent.speech import unspeakable
from custom_components.atlas.agent.speech_guard import SpeechGuard, VoiceLimits, spoken
from custom_components.atlas.const import DEFAULT_PROMPT

FALLBACK = "Sorry, say that again?"
LONG = "Warm up with " + ", ".join(f"move {n}" for n in range(1, 40)) + " and then rest."

# (reply, what is spoken)
CASES: list[tuple[str, str]] = [
    ("Warm up for 5 - 10 minutes.", "Warm up for 5 - 10 minutes."),  # not a bullet mid-line
    ("5 - 10 minutes is plenty.", "5 - 10 minutes is plenty."),
    ("**Squats** are *great* today. __Rest__ after.", "Squats are great today. Rest after."),
    ("## Your plan\nSquats first.", "Your plan. Squats first."),
    ("- Squats\n- Lunges\n* Planks", "Squats. Lunges. Planks."),
    ("1. Squats\n2) Lunges\n3. Planks.", "Squats. Lunges. Planks."),
    ("Run 1.5 km, then 12 minutes easy.", "Run 1.5 km, then 12 minutes easy."),
    ("> Stay hydrated.\n---\nGood luck!", "Stay hydrated. Good luck!"),
    (
        "Here is how to stretch. ```python\nprint('stretch')\n```\nHold each one for thirty "
        "seconds.",
        "Here is how to stretch. Hold each one for thirty seconds.",
    ),
    ("Say `remind me at 5 pm` to me.", "Say remind me at 5 pm to me."),
    ("Use `set_reminder` for that. Tell me when.", "Tell me when."),
    ('<tool_call>{"name": "set_reminder", "arguments": {"text": "bins"}}</tool_call>', FALLBACK),
    ('{"name": "set_reminder", "parameters": {"text": "bins", "at": "9 pm"}}', FALLBACK),
    (
        "Sure, I can remind you on Friday. You can use the atlas__set_reminder function with "
        'the arguments: json {"text": "bins"}',
        "Sure, I can remind you on Friday.",
    ),
    ("atlas__set_reminder(text='bins', at='9 pm')", FALLBACK),
    ('To call a tool, reply with only <tool_call>{"name": "<tool name>"}</tool_call>', FALLBACK),
    ("I will use the set reminder tool now.", FALLBACK),
    ("def remind(at):\n    return at\nprint(remind(5))", FALLBACK),
    ("<think>The user is tired.</think>Take it easy today.", "Take it easy today."),
    ("Great job 💪🔥! Keep going 👍", "Great job! Keep going."),
    ("See [the guide](https://example.com/guide) for more.", "See the guide for more."),
    ("Lift [10, 12, 15] reps. Done for today.", "Lift reps. Done for today."),
    ("| Day | Run |\n|---|---|\n| Mon | 5 km |", "Day, Run. Mon, 5 km."),
    (
        "Dr. Smith says rest, e.g. a walk at 5 p.m. today.",
        "Dr. Smith says rest, e.g. a walk at 5 p.m. today.",
    ),
    ("Rest for two days. Rest for two days. Rest for two days.", "Rest for two days."),
    ("you can do it " * 12, FALLBACK),  # a loop without a full stop
    ("One. Two. Three. Four. Five.", "One. Two. Three."),  # three sentences at most
    (LONG, " ".join(LONG.split()[:60]) + "."),  # sixty words at most, even mid-sentence
    ("Okay.", "Okay."),
    ("   ", ""),
]


def every_split(text: str) -> list[list[str]]:
    return [[text[:i], text[i:]] for i in range(len(text) + 1)]


def random_chunks(text: str, rng: random.Random) -> list[str]:
    pieces: list[str] = []
    i = 0
    while i < len(text):
        size = rng.randint(1, 7)
        pieces.append(text[i : i + size])
        i += size
    return pieces


def say(
    pieces: list[str], limits: VoiceLimits | None = None, echoes: list[str] | None = None
) -> str:
    return spoken(SpeechGuard(limits, fallback=FALLBACK, echoes=echoes or ()), pieces)


@pytest.mark.parametrize(("reply", "expected"), CASES)
def test_what_is_spoken(reply: str, expected: str) -> None:
    assert say([reply]) == expected


@pytest.mark.parametrize(("reply", "expected"), CASES)
def test_chunk_boundaries_never_change_what_is_spoken(reply: str, expected: str) -> None:
    rng = random.Random(19)
    chunkings = [*every_split(reply), list(reply)] + [random_chunks(reply, rng) for _ in range(40)]
    for pieces in chunkings:
        assert say(pieces) == expected, pieces


def test_a_bullet_split_from_its_number_keeps_the_number() -> None:
    """The old per-chunk filter spoke "5" + " - 10 minutes" as "510 minutes"."""
    assert say(["5", " - 10 minutes"]) == "5 - 10 minutes."
    assert say(["Rest ", "5", "\n", "- 10 minutes"]) == "Rest 5. 10 minutes."


def test_sentences_come_out_as_soon_as_they_are_complete() -> None:
    guard = SpeechGuard(fallback=FALLBACK)
    assert guard.feed("Squats first") == []
    assert guard.feed(". Then lunges") == ["Squats first."]
    assert guard.feed(" and planks.") == []  # a "." needs what follows to be a sentence end
    assert guard.feed(" Done") == ["Then lunges and planks."]
    assert guard.finish() == ["Done."]


def test_undecided_line_starts_are_held_back_only_until_decided() -> None:
    guard = SpeechGuard()
    assert guard.feed("12") == []
    assert guard.feed(". ") == []  # numbering: dropped
    assert guard.feed("Squats.\n") == ["Squats."]
    assert guard.feed("-") == []
    assert guard.feed("5 degrees outside.\n") == ["-5 degrees outside."]


def test_emphasis_at_a_line_start_is_no_rule() -> None:
    guard = SpeechGuard()
    assert guard.feed("***Rest*** today. More") == ["Rest today."]  # not held to the line end
    assert guard.feed(" later.\n---\nDone.") == ["More later."]
    assert guard.finish() == ["Done."]


# Pieces of what models write, for random replies: markup, code, tags, loops, abbreviations.
PIECES = [
    "5", "12", "1.", "2)", " - ", "-", "*", "**", "#", ">", "|", "`", "```", "{", "}", "[", "]",
    "(", ")", "<", "<tool_call>", "</tool_call>", "<think>", "</think>", '"', ":", ",", ".", "!",
    "?", " ", "\n", "Squats", "run", "e.g.", "Dr.", "p.m.", "atlas__set_reminder", "HassTurnOn",
    "json", "to call a tool", "the", "and then", "💪", "•", "_", "https://x.org/a_b", "x = 5",
    "one two three four five six seven eight",
]  # fmt: skip


def test_random_replies_in_random_chunks() -> None:
    rng = random.Random(4)
    for _ in range(300):
        reply = "".join(
            rng.choice(PIECES) + rng.choice(("", " ")) for _ in range(rng.randint(1, 60))
        )
        limits = VoiceLimits(sentences=rng.randint(1, 4), words=rng.randint(3, 60))
        expected = say([reply], limits)
        for _ in range(5):
            assert say(random_chunks(reply, rng), limits) == expected, reply


def test_limits_are_options() -> None:
    reply = "One. Two. Three. Four."
    assert say([reply], VoiceLimits(sentences=1)) == "One."
    assert say([reply], VoiceLimits(sentences=10)) == reply
    assert say(["Run five easy kilometres today and stretch."], VoiceLimits(words=3)) == (
        "Run five easy."
    )


def test_the_guard_spans_the_rounds_of_a_turn() -> None:
    guard = SpeechGuard(VoiceLimits(sentences=2), fallback=FALLBACK)
    assert guard.feed("Let me check") == []
    assert guard.end_message() == ["Let me check."]  # the message ended: its last sentence
    assert guard.feed("**The light** is on. It was off.") == ["The light is on."]
    assert guard.stopped  # two sentences were said
    assert guard.finish() == []


def test_a_loop_halts_the_model() -> None:
    guard = SpeechGuard(fallback=FALLBACK)
    said = guard.feed("You did great. And then you can" + " and then you can" * 3)
    assert said == ["You did great."]
    assert guard.halted
    assert guard.feed("more words.") == []
    assert guard.finish() == []  # three words were said: no fallback


def test_fallback_only_when_something_was_dropped_and_little_was_said() -> None:
    assert say(["```\ncode\n```"]) == FALLBACK
    assert say(["👍"]) == FALLBACK  # nothing at all to say
    assert say(["Sure! ```\ncode\n```"]) == f"Sure! {FALLBACK}"
    assert say(["Sure!"]) == "Sure!"  # short, but nothing dropped
    assert say([""]) == ""  # the model said nothing: not the guard's to fill


def test_echoes_of_the_prompt_are_dropped() -> None:
    reply = (
        "You are ATLAS, a voice-first personal assistant in a smart home. "
        "I can help with your workouts."
    )
    assert say([reply], echoes=[DEFAULT_PROMPT]) == "I can help with your workouts."
    assert say([reply]) == reply  # the same words are fine when no prompt says them


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Call HassTurnOn for the kitchen.", "code"),
        ("Use set_reminder with the time.", "code"),
        ("x = 5", "code"),
        ('"text": "bins",', "code"),
        ("The reply is in JSON format.", "code"),
        ("Here is the tool call for you.", "echo"),
        ("I will call the reminder function.", "echo"),
        ("assistant: hello", "echo"),
        ("The user's request was understood as: set_reminder.", "code"),
        ("Your reminder is set for 5 PM.", None),
        ("Try 3 sets of 10 (easy pace).", None),
        ("For 20 minutes: easy pace.", None),
    ],
)
def test_unspeakable_sentences(sentence: str, reason: str | None) -> None:
    assert unspeakable(sentence) == reason


def test_every_skill_intent_waits_for_its_acting_tool() -> None:
    for intent in SKILL_INTENTS:
        confirmation = needed(intent)
        assert confirmation is not None
        assert confirmation.tools == {intent}  # prepare_workout: not recovery_status alone
    device = needed("device_control")
    assert device is not None
    assert device.tools == frozenset()  # any tool
    assert needed("chat") is None
    assert needed("plan_program") is None
    assert needed(None) is None


def test_only_questions_claim_nothing() -> None:
    assert only_questions(["What time on Friday?"])
    assert only_questions(["Which day?", "Morning or evening?"])
    assert not only_questions(["Reminder set, anything else?"])
    assert not only_questions(["What time?", "Done."])
    assert not only_questions([])


def test_a_sentence_in_a_script_no_declared_language_uses_is_dropped() -> None:
    """A small model drifting into Cyrillic or Japanese mid-reply: that sentence is not read."""
    said = spoken(SpeechGuard(), ["Hello there! Как дела? ", "I am fine. 元気です。 See you."])
    assert said == "Hello there! I am fine. See you."
