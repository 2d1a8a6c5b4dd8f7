"""Reminder requests in people's words: the arguments, the one clarifying question, the answer.

Standard library only (no Home Assistant). Every time is seen from a fixed ``NOW``, Wednesday
11 March 2026, 09:30 in New York (the evaluation's world), never the machine's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.atlas.agent.clarify import (
    DISMISSED,
    KEPT,
    WHAT,
    WHEN,
    WHICH,
    Dismissed,
    PendingQuestions,
    Question,
    fill,
    question_for,
)
from custom_components.atlas.agent.dispatch import SkillCall, follow_up, plan
from custom_components.atlas.agent.reminder_args import (
    NO_SUCH_DATE,
    NOT_A_TIME,
    PASSED,
    TOO_FAR,
    cancel_args,
    read_reminder,
    reminder_args,
)
from custom_components.atlas.agent.structured import Extraction
from custom_components.atlas.agent.time_words import duration, read_times, tokens

NOW = datetime(2026, 3, 11, 9, 30, tzinfo=ZoneInfo("America/New_York"))  # a Wednesday


def due(day: str, time: str) -> dict[str, Any]:
    return {"due": {"day": day, "time": time}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("remind me at eight tomorrow night to put the bins out",
         {"text": "put the bins out", **due("tomorrow", "20:00")}),
        ("remind me eight pm to call mum", {"text": "call mum", **due("today", "20:00")}),
        # British "half nine": 09:30 is no longer ahead at 09:30, so 21:30
        ("remind me at half nine to stretch", {"text": "stretch", **due("today", "21:30")}),
        ("remind me tomorrow at half nine to stretch",
         {"text": "stretch", **due("tomorrow", "09:30")}),
        ("remind me half nine tomorrow night to lock up",
         {"text": "lock up", **due("tomorrow", "21:30")}),
        ("remind me to take my pills at quarter to six",
         {"text": "take my pills", **due("today", "17:45")}),
        ("remind me at quarter past seven in the morning to walk the dog",
         {"text": "walk the dog", **due("tomorrow", "07:15")}),
        ("remind me to call mum at ten to eight", {"text": "call mum", **due("today", "19:50")}),
        ("remind me at noon to eat", {"text": "eat", **due("today", "12:00")}),
        ("remind me at midnight to sleep", {"text": "sleep", **due("tomorrow", "00:00")}),
        ("remind me in forty minutes to check the oven",
         {"text": "check the oven", "in_minutes": 40}),
        ("remind me in a quarter of an hour to check the oven",
         {"text": "check the oven", "in_minutes": 15}),
        ("remind me in an hour and a half to move the car",
         {"text": "move the car", "in_minutes": 90}),
        ("remind me in half an hour to stretch", {"text": "stretch", "in_minutes": 30}),
        ("remind me in 1 hour and 20 minutes to stretch", {"text": "stretch", "in_minutes": 80}),
        ("remind me in a couple of hours to call", {"text": "call", "in_minutes": 120}),
        ("remind me twenty minutes from now to flip the steak",
         {"text": "flip the steak", "in_minutes": 20}),
        ("remind me at 7 tonight to call dad", {"text": "call dad", **due("today", "19:00")}),
        ("remind me on friday at 6 to call mum", {"text": "call mum", **due("friday", "18:00")}),
        ("remind me tomorrow morning at 7 to stretch",
         {"text": "stretch", **due("tomorrow", "07:00")}),
        ("remind me on wednesday at 10 to renew the gym membership",
         {"text": "renew the gym membership", **due("wednesday", "10:00")}),
        ("remind me wednesday at 9 am to renew it",
         {"text": "renew it", **due("wednesday", "09:00")}),
        ("remind me at 5 to call mum", {"text": "call mum", **due("today", "17:00")}),
        ("remind me to call mum at 8", {"text": "call mum", **due("today", "20:00")}),
        ("remind me at 10 to call the bank", {"text": "call the bank", **due("today", "10:00")}),
        ("set a reminder for 6 pm to take my meds",
         {"text": "take my meds", **due("today", "18:00")}),
        ("Remind me at 5 pm to stretch", {"text": "stretch", **due("today", "17:00")}),
        ("remind me at 7:30pm to walk", {"text": "walk", **due("today", "19:30")}),
        ("remind me at 19:00 to walk", {"text": "walk", **due("today", "19:00")}),
        ("remind me at 8 am to walk", {"text": "walk", **due("tomorrow", "08:00")}),
        ("um i was wondering if you could remind me to call the dentist tomorrow at ten thirty "
         "please", {"text": "call the dentist", **due("tomorrow", "10:30")}),
        ("don't let me forget to buy milk at 6 pm", {"text": "buy milk", **due("today", "18:00")}),
        ("hey remind me to do 3 sets of 10 squats at 6 pm",
         {"text": "do 3 sets of 10 squats", **due("today", "18:00")}),
        ("remind me on the 20th at 9 am to pay rent",
         {"text": "pay rent", **due("2026-03-20", "09:00")}),
        ("remind me the day after tomorrow at 8 to water the plants",
         {"text": "water the plants", **due("friday", "08:00")}),
    ],
)  # fmt: skip
def test_reminder_args_understand_spoken_times(text: str, expected: dict[str, Any]) -> None:
    assert reminder_args(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("remind me on wednesday to renew the gym membership", "What time on Wednesday?"),
        ("remind me tomorrow to call mum", "What time tomorrow?"),
        ("remind me this evening to stretch", "What time this evening?"),
        ("remind me tonight to take the bins out", "What time tonight?"),
        ("remind me tomorrow morning to stretch", "What time tomorrow morning?"),
        ("remind me on saturday evening to go for a run", "What time on Saturday evening?"),
        ("remind me on the 20th to pay rent", "What time on March 20?"),
        ("remind me to drink water", WHEN),
        ("remind me later to drink water", WHEN),
        ("remind me at 5 pm to", WHAT),
        ("remind me at 5 pm", WHAT),
        ("remind me", WHAT),
        ("remind me in 99999999999999999999 minutes to stretch", f"{TOO_FAR} {WHEN}"),
        ("remind me on march 20th 2028 at 5 pm to pay tax", f"{TOO_FAR} {WHEN}"),
        ("remind me at 25 pm to stretch", f"{NOT_A_TIME} {WHEN}"),
        ("remind me this morning at 8 to stretch", f"{PASSED} {WHEN}"),
        ("remind me on february 30th at 9 am to stretch", f"{NO_SUCH_DATE} {WHEN}"),
        ("cancel my reminder", WHICH),
    ],
)
def test_a_missing_or_impossible_value_gets_one_question(text: str, question: str) -> None:
    intent = "cancel_reminder" if text.startswith("cancel") else "set_reminder"
    asked = question_for(intent, text, NOW)
    assert asked is not None
    assert asked.text == question
    assert asked.intent == intent
    assert asked.asked == NOW
    if intent == "set_reminder":
        assert reminder_args(text, NOW) is None  # never a reminder called "to" or a raw error


def test_complete_requests_need_no_question() -> None:
    assert question_for("set_reminder", "remind me at 5 pm to stretch", NOW) is None
    assert question_for("cancel_reminder", "scrap the bins reminder", NOW) is None
    assert question_for("list_reminders", "what reminders do i have", NOW) is None
    assert read_reminder("what's the weather", NOW) is None  # no reminder words: the model


@pytest.mark.parametrize(
    ("first", "answer", "expected"),
    [
        ("remind me on wednesday to renew the gym membership", "ten am",
         {"text": "renew the gym membership", **due("wednesday", "10:00")}),
        ("remind me on thursday to take the bins out", "at 7",
         {"text": "take the bins out", **due("thursday", "07:00")}),
        ("remind me tonight to take the bins out", "half eight",
         {"text": "take the bins out", **due("today", "20:30")}),
        ("remind me this evening to stretch", "7", {"text": "stretch", **due("today", "19:00")}),
        ("remind me tomorrow to call mum", "at 6 pm please",
         {"text": "call mum", **due("tomorrow", "18:00")}),
        ("remind me to drink water", "in twenty minutes",
         {"text": "drink water", "in_minutes": 20}),
        ("remind me to drink water", "tomorrow at noon",
         {"text": "drink water", **due("tomorrow", "12:00")}),
        ("remind me at 5 pm", "to call mum", {"text": "call mum", **due("today", "17:00")}),
        ("remind me at 5 pm", "remind me to call mum",
         {"text": "call mum", **due("today", "17:00")}),
        ("remind me in 99999999999999999999 minutes to stretch", "in 5 minutes",
         {"text": "stretch", "in_minutes": 5}),
        ("remind me on wednesday to renew it", "remind me at 4 pm to call the gym",
         {"text": "call the gym", **due("today", "16:00")}),
    ],
)  # fmt: skip
def test_the_answer_fills_the_missing_value(
    first: str, answer: str, expected: dict[str, Any]
) -> None:
    asked = question_for("set_reminder", first, NOW)
    assert asked is not None
    assert fill(asked, answer, NOW) == expected
    assert follow_up(asked, answer, NOW) == [SkillCall("set_reminder", expected)]


def test_an_answer_can_lead_to_the_next_question() -> None:
    asked = question_for("set_reminder", "remind me", NOW)
    assert asked is not None
    assert asked.slot == "text"
    second = fill(asked, "to stretch", NOW)
    assert isinstance(second, Question)
    assert (second.text, second.slot) == (WHEN, "time")
    third = fill(second, "on friday", NOW)
    assert isinstance(third, Question)
    assert third.text == "What time on Friday?"
    assert fill(third, "six thirty pm", NOW) == {"text": "stretch", **due("friday", "18:30")}


def test_an_impossible_answer_is_asked_again_plainly() -> None:
    asked = question_for("set_reminder", "remind me tomorrow to stretch", NOW)
    assert asked is not None
    again = fill(asked, "in 99999999999999999999 minutes", NOW)
    assert isinstance(again, Question)
    assert again.text == f"{TOO_FAR} {WHEN}"


def test_no_answer_or_never_mind() -> None:
    asked = question_for("set_reminder", "remind me tomorrow to stretch", NOW)
    assert asked is not None
    for new_request in ("turn on the kitchen lights", "what's the weather like tomorrow?",
                        "how did i sleep last night", "log a 5k run this morning"):  # fmt: skip
        assert fill(asked, new_request, NOW) is None, new_request
    assert fill(asked, "um make it half eight please", NOW) == {
        "text": "stretch",
        **due("tomorrow", "08:30"),
    }
    assert fill(asked, "never mind", NOW) == Dismissed(DISMISSED)
    assert follow_up(asked, "Forget it.", NOW) == Dismissed(DISMISSED)
    which = question_for("cancel_reminder", "cancel my reminder", NOW)
    assert which is not None
    assert fill(which, "never mind", NOW) == Dismissed(KEPT)


def test_which_reminder_to_cancel() -> None:
    asked = question_for("cancel_reminder", "cancel the reminder", NOW)
    assert asked is not None
    assert fill(asked, "the bins one", NOW) == {"text": "bins"}
    assert fill(asked, "calling mum", NOW) == {"text": "calling mum"}


def test_plan_asks_or_calls() -> None:
    remind = Extraction("set_reminder", confidence=0.95)
    asked = plan(remind, "remind me on wednesday to renew the gym membership", NOW)
    assert isinstance(asked, Question)
    assert asked.text == "What time on Wednesday?"
    assert plan(remind, "remind me in 5 minutes to check the oven", NOW) == [
        SkillCall("set_reminder", {"text": "check the oven", "in_minutes": 5})
    ]
    cancel = Extraction("cancel_reminder", confidence=0.95)
    assert plan(cancel, "scrap the bins reminder", NOW) == [
        SkillCall("cancel_reminder", {"text": "bins"})
    ]
    assert plan(cancel, "clear all my reminders", NOW) is None  # no single reminder: the model


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scrap the bins reminder", "bins"),
        ("cancel my reminder about calling mum", "calling mum"),
        ("i already called mum so you can drop that reminder", "called mum"),
        ("delete the gym one", "gym"),
        ("don't remind me to call mum", "call mum"),
        ("stop reminding me about the bins", "bins"),
        ("get rid of the reminder to take the bins out", "take the bins out"),
        ("forget about the physio reminder please", "physio"),
        ("i don't need the gym reminder anymore", "gym"),
        ("cancel my reminder to renew the gym membership on saturday", "renew the gym membership"),
        ("cancel the call mum reminder", "call mum"),
    ],
)
def test_cancel_args_name_the_reminder(text: str, expected: str) -> None:
    assert cancel_args(text)["text"] == expected  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cancel my reminder to renew the gym membership on saturday",
         {"text": "renew the gym membership", "day": "saturday"}),
        ("scratch tomorrow's reminder i'm away", {"day": "tomorrow"}),
        ("the saturday reminder i don't want it anymore", {"day": "saturday"}),
        ("you can forget about mum's call i spoke to her earlier",
         {"text": "mum's call spoke her earlier"}),
        ("no need for the bins reminder anymore", {"text": "bins"}),
    ],
)  # fmt: skip
def test_cancel_args_by_day_and_by_the_words_left(text: str, expected: dict[str, str]) -> None:
    """A day said picks that day's reminder; with no phrase naming it, the words that are no
    cancel or filler word name it (the tool matches them against the reminders)."""
    assert cancel_args(text) == expected


@pytest.mark.parametrize(
    "text", ["cancel the reminder", "um cancel that reminder", "clear all my reminders"]
)
def test_cancel_args_without_a_subject(text: str) -> None:
    assert cancel_args(text) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("an hour and a half", 90), ("a quarter of an hour", 15), ("half an hour", 30),
     ("three quarters of an hour", 45), ("one and a half hours", 90), ("2 hours 30 minutes", 150),
     ("forty five minutes", 45), ("90 secs", 1.5), ("a few minutes", 3)],
)  # fmt: skip
def test_durations(text: str, minutes: float) -> None:
    words = tokens(text)
    assert duration(words, 0) == (minutes, len(words))


@pytest.mark.parametrize(
    "text",
    ["remind me to do 20 push-ups", "remind me to take 2 pills", "remind me to run 5 to 10 km",
     "remind me to do 10 reps for 5 minutes", "remind me to call mum for 20 minutes"],
)  # fmt: skip
def test_counts_are_no_clock_times(text: str) -> None:
    assert read_times(text, NOW.date()).clock is None


def test_pending_questions_are_bounded_and_expire() -> None:
    pending = PendingQuestions(limit=2, expires=timedelta(minutes=5))
    question = Question("set_reminder", "time", WHEN, asked=NOW)
    for conversation in ("a", "b", "c"):
        pending.ask(conversation, question)
    assert len(pending) == 2
    assert pending.take("a", NOW) is None  # the oldest went first
    assert pending.take("b", NOW) is question
    assert pending.take("b", NOW) is None  # taken: closed
    assert pending.take("c", NOW + timedelta(minutes=6)) is None  # expired
    pending.ask("d", question)
    pending.ask("d", Question("set_reminder", "text", WHAT, asked=NOW))
    taken = pending.take("d", NOW + timedelta(minutes=4))
    assert taken is not None
    assert taken.text == WHAT  # the newest question of a conversation
