"""``log_workout`` arguments from the words of a request (``agent.workout_args``) and the
activity words and phrases they share with the replies (``agent.activities``)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.atlas.agent.activities import activity_of, article, describe, plural
from custom_components.atlas.agent.workout_args import log_calls

KM = {"distance_unit": "km"}


@pytest.mark.parametrize(
    ("text", "types", "calls"),
    [
        ("Log 20 pushups", ["calisthenics"], [{"exercise": "pushups", "reps": 20}]),
        ("Log 3 sets of 12 squats", ["strength"],
         [{"exercise": "squats", "sets": 3, "reps": 12}]),
        ("I ran for 25 minutes", ["running"], [{"exercise": "run", "duration_minutes": 25.0}]),
        ("I ran 5k in 28 minutes", ["running"],
         [{"exercise": "run", "distance": 5.0, **KM, "duration_minutes": 28.0}]),
        ("log a 5k", ["running"], [{"exercise": "running", "distance": 5.0, **KM}]),
        ("did an 8k run", ["running"], [{"exercise": "run", "distance": 8.0, **KM}]),
        ("i cycled twenty miles this morning", ["cycling"],
         [{"exercise": "cycling", "distance": 20.0, "distance_unit": "mi"}]),
        ("swam 1500 metres in thirty five minutes", ["swimming"],
         [{"exercise": "swim", "distance": 1500.0, "distance_unit": "m",
           "duration_minutes": 35.0}]),
        ("did 800m of swimming", ["swimming"],
         [{"exercise": "swimming", "distance": 800.0, "distance_unit": "m"}]),
        ("did a half marathon", ["running"],
         [{"exercise": "running", "distance": 21.1, **KM}]),
        ("did a spin class", ["cycling"], [{"exercise": "spin"}]),
        ("I went to a pilates class", [], [{"exercise": "pilates"}]),
        ("went to a fitness class", [], [{"exercise": "fitness class"}]),
        ("did a 45 minute spin class", ["cycling"],
         [{"exercise": "spin", "duration_minutes": 45.0}]),
        ("20 minutes on the bike and then 3 sets of 10 pull ups", ["cycling", "calisthenics"],
         [{"exercise": "bike", "duration_minutes": 20.0},
          {"exercise": "pull ups", "sets": 3, "reps": 10}]),
        ("did twenty push ups thirty squats and forty sit ups", ["calisthenics"],
         [{"exercise": "push ups", "reps": 20}, {"exercise": "squats", "reps": 30},
          {"exercise": "sit ups", "reps": 40}]),
        ("went for a run this morning, 5k in 28 minutes", ["running"],
         [{"exercise": "run", "distance": 5.0, **KM, "duration_minutes": 28.0}]),
        ("ran 5k and it took me 28 minutes", ["running"],
         [{"exercise": "run", "distance": 5.0, **KM, "duration_minutes": 28.0}]),
        ("did weights for 45 minutes then a 20 minute run", ["strength", "running"],
         [{"exercise": "weights", "duration_minutes": 45.0},
          {"exercise": "run", "duration_minutes": 20.0}]),
        ("did half a dozen pull ups and an hour and a half on the bike", [],
         [{"exercise": "pull ups", "reps": 6}, {"exercise": "bike", "duration_minutes": 90.0}]),
        ("um so i did like forty five minutes on the treadmill", [],
         [{"exercise": "run", "duration_minutes": 45.0}]),
        ("had a half hour hiit session", ["hiit"],
         [{"exercise": "hiit", "duration_minutes": 30.0}]),
        ("swam 40 lengths", ["swimming"], [{"exercise": "swim", "reps": 40}]),
        ("did 40 lengths", [], [{"exercise": "swimming", "reps": 40}]),
        ("add a swim twenty lengths about thirty minutes", ["swimming"],
         [{"exercise": "swim", "reps": 20, "duration_minutes": 30.0}]),
        ("four by eight deadlifts at sixty kilos", ["strength"],
         [{"exercise": "deadlifts", "sets": 4, "reps": 8}]),
        ("did five sets of five on the bench press", ["strength"],
         [{"exercise": "bench press", "sets": 5, "reps": 5}]),
        ("three rounds of fifteen burpees", [], [{"exercise": "burpees", "sets": 3, "reps": 15}]),
        ("kettlebell swings five sets of twenty", ["strength"],
         [{"exercise": "kettlebell swings", "sets": 5, "reps": 20}]),
        ("ran ten k in fifty two minutes and then did some stretching for ten", [],
         [{"exercise": "run", "distance": 10.0, **KM, "duration_minutes": 52.0},
          {"exercise": "stretching", "duration_minutes": 10.0}]),
        ("i cycled for an hour and a quarter", [],
         [{"exercise": "cycling", "duration_minutes": 75.0}]),
        ("I swam fifteen hundred meters in thirty-five minutes.", [],
         [{"exercise": "swim", "distance": 1500.0, "distance_unit": "m",
           "duration_minutes": 35.0}]),
        ("did a spin class and then lifted weights for half an hour", [],
         [{"exercise": "spin"}, {"exercise": "weights", "duration_minutes": 30.0}]),
        ("we did a tabata class at lunch", [], [{"exercise": "tabata"}]),
        ("did 10,000 steps today", [], [{"exercise": "steps", "reps": 10000}]),
        ("did 10k steps", [], [{"exercise": "steps", "reps": 10000}]),
        ("did 5 sets of 5 squats at 100 kg", ["strength"],
         [{"exercise": "squats", "sets": 5, "reps": 5}]),
        ("I worked out for an hour", [], [{"exercise": "workout", "duration_minutes": 60.0}]),
        ("went to the gym and did 3 x 10 pull ups", ["calisthenics"],
         [{"exercise": "pull ups", "sets": 3, "reps": 10}]),
        ("log my run", ["running"], [{"exercise": "run"}]),
        ("log 30 minutes", ["yoga"], [{"exercise": "yoga", "duration_minutes": 30.0}]),
        ("ran 5k with 3 friends", ["running"], [{"exercise": "run", "distance": 5.0, **KM}]),
        # Sets, counts and lengths said another way.
        ("did 100 sit ups in sets of 25", [], [{"exercise": "sit ups", "sets": 4, "reps": 25}]),
        ("so i did 30 kettlebell swings times 3", [],
         [{"exercise": "kettlebell swings", "sets": 3, "reps": 30}]),
        ("can u log sit ups thirty and push ups twenty", [],
         [{"exercise": "sit ups", "reps": 30}, {"exercise": "push ups", "reps": 20}]),
        ("kettlebell swings a hundred of em", [], [{"exercise": "kettlebell swings", "reps": 100}]),
        ("my morning run was eight kilometres, took me forty five", [],
         [{"exercise": "run", "distance": 8.0, **KM, "duration_minutes": 45.0}]),
        ("hour long hot yoga, add that", [], [{"exercise": "yoga", "duration_minutes": 60.0}]),
        ("swum for half an hour this arvo", [], [{"exercise": "swim", "duration_minutes": 30.0}]),
    ],
)  # fmt: skip
def test_log_calls(text: str, types: list[str], calls: list[dict[str, Any]]) -> None:
    assert log_calls(text, types) == calls


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("I did 3 sets of 12 push-ups at 7:30 this morning", "07:30"),
        ("ran 5k at 6 pm", "18:00"),
        ("did yoga at 7:15 this evening", "19:15"),
        ("ran 10 k yesterday", "yesterday"),
        ("played football for an hour last night", "yesterday 20:00"),
        ("did a half marathon on sunday", "sunday"),
        ("yesterday at 6 am i swam for half an hour", "yesterday 06:00"),
    ],
)
def test_when_it_was_done(text: str, time: str) -> None:
    (call, *_) = log_calls(text, []) or [{}]
    assert call["time"] == time


@pytest.mark.parametrize(
    "text",
    [
        "ran 5 miles",
        "cycled 20 k this morning",
        "did a 10 km ride",
        "walked three miles with the dog",
        "rode 12 kilometres to work and back",
    ],
)
def test_a_distance_is_never_reps(text: str) -> None:
    (call,) = log_calls(text, []) or [{}]
    assert "reps" not in call
    assert call["distance"] > 0
    assert call["exercise"] not in {"miles", "k", "km", "kilometres"}


@pytest.mark.parametrize("text", ["log it", "I did 30 minutes", "put that down please"])
def test_none_only_without_an_activity(text: str) -> None:
    assert log_calls(text, []) is None


def test_a_clock_time_goes_with_its_activity() -> None:
    assert log_calls("Earlier at 7:30 I did 3 sets of 12 squats, and later ran 25 minutes", []) == [
        {"exercise": "squats", "sets": 3, "reps": 12, "time": "07:30"},
        {"exercise": "run", "duration_minutes": 25.0},
    ]
    assert log_calls("yesterday I ran 5k and did 20 push ups at 6 pm", []) == [
        {"exercise": "run", "distance": 5.0, **KM, "time": "yesterday"},
        {"exercise": "push ups", "reps": 20, "time": "yesterday 18:00"},
    ]


def test_a_count_word_is_no_rep() -> None:
    """ "a" and "an" count one hour or one mile, never one rep of a session."""
    assert log_calls("went for a run and a swim", []) == [
        {"exercise": "run"},
        {"exercise": "swim"},
    ]
    assert log_calls("did 2 yoga classes", ["yoga"]) == [{"exercise": "yoga"}]


@pytest.mark.parametrize(
    ("workout", "said"),
    [
        ({"exercise": "running", "distance": 5, "distance_unit": "km", "duration_minutes": 28},
         "a 5 kilometre run in 28 minutes"),
        ({"exercise": "cycling", "distance": 8, "distance_unit": "mi"}, "an 8 mile ride"),
        ({"exercise": "rowing", "distance": 2000, "distance_unit": "m"}, "a 2,000 metre row"),
        ({"exercise": "tennis", "distance": 1.5, "distance_unit": "km"},
         "1.5 kilometres of tennis"),
        ({"exercise": "Push-up", "reps": 12, "sets": 3}, "3 sets of 12 push-ups"),
        ({"exercise": "Push-up", "reps": 1}, "1 push-up"),
        ({"exercise": "steps", "reps": 10000}, "10,000 steps"),
        ({"exercise": "cycling", "duration_minutes": 40}, "40 minutes of cycling"),
        ({"exercise": "yoga", "duration_minutes": 60}, "an hour of yoga"),
        ({"exercise": "hiking", "duration_minutes": 120}, "a hike of 2 hours"),
        ({"exercise": "walking", "duration_minutes": 90}, "an hour and a half of walking"),
        ({"exercise": "swimming", "reps": 20, "duration_minutes": 30},
         "20 lengths of swimming in 30 minutes"),
        ({"exercise": "spin", "duration_minutes": 45}, "a 45-minute spin class"),
        ({"exercise": "spin"}, "a spin class"),
        ({"exercise": "fitness class"}, "a fitness class"),
        ({"exercise": "yoga"}, "a yoga session"),
        ({"exercise": "running"}, "a run"),
    ],
)  # fmt: skip
def test_describe(workout: dict[str, Any], said: str) -> None:
    assert describe(workout) == said
    assert "1 reps" not in said


def test_words() -> None:
    assert describe({"exercise": "spin"}, own=True) == "your spin class"
    assert article("8 kilometre run") == "an 8 kilometre run"
    assert article("11 mile ride") == "an 11 mile ride"
    assert article("5 kilometre run") == "a 5 kilometre run"
    assert plural("push-up") == "push-ups"
    assert plural("crunch") == "crunches"
    assert plural("squats") == "squats"
    assert activity_of("bike") == activity_of("cycling")
    assert activity_of("Running") is not None
    assert activity_of("underwater basket weaving") is None
