"""Spoken numbers and durations (``agent.numbers``)."""

from __future__ import annotations

import re

import pytest

from custom_components.atlas.agent.numbers import (
    MINUTES,
    NUM,
    NUMBER_WORDS,
    SHORT_HUNDREDS,
    minutes,
    number,
)

WHOLE = re.compile(rf"^{NUM}$")


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("7", 7),
        ("7.5", 7.5),
        ("1,250", 1250),
        ("zero", 0),
        ("twelve", 12),
        ("eighteen", 18),
        ("seventy five", 75),
        ("seventy-five", 75),
        ("ninety nine", 99),
        ("a hundred", 100),
        ("one hundred and eighty", 180),
        ("one hundred and twenty", 120),
        ("a hundred and sixty", 160),
        ("two hundred", 200),
        ("two hundred and fifty", 250),
        ("a thousand", 1000),
        ("two thousand five hundred", 2500),
        ("a thousand and fifty", 1050),
        ("two and a half", 2.5),
        ("one and a quarter", 1.25),
        ("three and three quarters", 3.75),
        ("five point five", 5.5),
        ("one point eight", 1.8),
        ("seventy two point five", 72.5),
        ("point five", 0.5),
        ("a dozen", 12),
        ("half a dozen", 6),
        ("a couple of", 2),
        ("a couple", 2),
        ("half an", 0.5),
        ("three quarters of an", 0.75),
        ("an", 1),
        ("a", 1),
    ],
)
def test_a_whole_spoken_number_is_one_num_and_its_value(said: str, value: float) -> None:
    match = WHOLE.match(said)
    assert match is not None, said
    assert match.group(1) == said  # NUM is one group, the whole number
    assert number(said) == value


@pytest.mark.parametrize(("said", "value"), [("one eighty", 180), ("two twenty five", 225)])
def test_short_hundreds_only_through_their_own_pattern(said: str, value: float) -> None:
    assert re.fullmatch(SHORT_HUNDREDS, said)
    assert number(said) == value
    # NUM alone reads "one" then stops: "one eighty" is no general number ("one thirty pm").
    match = re.match(rf"\b{NUM}", said)
    assert match is not None
    assert match.group(1) != said


@pytest.mark.parametrize("said", ["banana", "seventy banana", ""])
def test_not_a_number(said: str) -> None:
    with pytest.raises(ValueError, match=r"not a number|could not convert"):
        number(said)


def test_word_numbers_stop_at_word_boundaries() -> None:
    assert re.search(rf"\b{NUM}\b", "someone") is None
    found = re.search(rf"\b{NUM}\s+reps", "eighteen reps")
    assert found is not None
    assert found.group(1) == "eighteen"  # not "eight"
    assert "twenty five" in NUMBER_WORDS  # the old table's entries stay


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("forty five minutes of yoga", 45),
        ("2 hours", 120),
        ("half an hour", 30),
        ("a 30-minute run", 30),
        ("90 mins", 90),
        ("an hour", 60),
        ("an hour and a half", 90),
        ("one and a half hours", 90),
        ("an hour and a quarter", 75),
        ("a quarter of an hour", 15),
        ("1 hour 30 minutes", 90),
        ("two hours and fifteen minutes", 135),
        ("1 hr, 10 mins", 70),
        ("seventy five minutes", 75),
        ("ran 30 minutes and cycled 20 minutes", 30),  # the first duration
        ("no duration here", None),
    ],
)
def test_minutes(text: str, expected: float | None) -> None:
    assert minutes(text) == expected


def test_two_durations_stay_two_matches() -> None:
    # workout_args counts the durations of a sentence: a compound is one, two are two.
    assert len(MINUTES.findall("an hour and a half of cycling")) == 1
    assert len(MINUTES.findall("20 minutes of yoga and 30 minutes running")) == 2
    stripped = MINUTES.sub(" ", "1 hour 30 minutes of rowing")
    assert stripped.strip() == "of rowing"
