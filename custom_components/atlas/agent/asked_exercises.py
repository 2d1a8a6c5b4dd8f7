"""The exercises a session request names ("squats and dips", "a core workout", "legs today",
"intervals"): keys of the exercise library (``skills/exercises.py``), for ``prepare_workout``
to put first. Standard library only; ``tests/test_asked_exercises.py`` checks every key exists."""

from __future__ import annotations

import re
from typing import Final

from .lang.patterns import rx

_ASKED: Final[tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]] = tuple(
    (rx(pattern), keys)
    for pattern, keys in (
        (r"squats?\b", ("squat",)),
        (r"lunges?\b", ("reverse_lunge",)),
        (r"(?:tricep |chair )?dips\b", ("chair_dips",)),
        (r"(?:push|press)[ -]?ups?\b", ("push_up",)),
        (r"planks?\b", ("plank", "side_plank")),
        (r"burpees?\b", ("burpee",)),
        (r"mountain climbers?\b", ("mountain_climber",)),
        (r"glute bridges?\b", ("glute_bridge",)),
        (r"intervals?\b", ("run_intervals", "bike_intervals", "swim_intervals", "power_walk")),
        (r"(?:core|abs|ab)\b(?! (?:is|are) (?:sore|tight|aching))",
         ("plank", "dead_bug", "hollow_hold", "side_plank", "leg_raise")),
        (r"(?:leg day|lower body|glutes|legs?(?= (?:workout|session|day|routine|circuit|today"
         r"|please|and))|^legs\b)", ("squat", "reverse_lunge", "glute_bridge", "calf_raise")),
        (r"(?:upper body|arms)\b(?! (?:is|are) (?:sore|tight|aching))",
         ("push_up", "pike_push_up", "chair_dips", "plank")),
    )
)  # fmt: skip


def asked_exercises(text: str) -> list[str]:
    """The library keys of the exercises ``text`` names, in the order it names them."""
    spoken = " ".join(text.lower().replace("\u2019", "'").split())
    found: list[tuple[int, tuple[str, ...]]] = [
        (match.start(), keys) for pattern, keys in _ASKED if (match := pattern.search(spoken))
    ]
    keys: list[str] = []
    for _, named in sorted(found):
        keys.extend(key for key in named if key not in keys)
    return keys


ASKED_KEYS: Final = frozenset(key for _, keys in _ASKED for key in keys)
