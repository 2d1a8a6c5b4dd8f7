"""``workout_status`` and ``next_workout`` arguments from a request and its slots.

The period comes from the words ("this week", "so far this month", "my streak", "how many days
in a row", "in total"; today when none is said), the workout types and the day from the slots
the understanding extracted.
"""

from __future__ import annotations

import re
from typing import Any, Final

_MONTHS: Final = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
# (period, how it is said), the first that matches wins: "so far this week" is the week, "my
# total for today" is today.
_PERIODS: Final = tuple(
    (period, re.compile(pattern))
    for period, pattern in (
        ("streak", r"\bstreaks?\b|\bin a row\b|\bon a roll\b|\bmissed a day\b|\bconsistent\b"
                   r"|\bconsecutive\b"
                   r"|\bstraight days?\b"
                   r"|\bdays? (?:straight|running)\b|\bwithout (?:a )?(?:break|missing)"),
        ("week", r"\b(?:this|the|current|past|last) (?:calendar )?week\b|\bweekly\b|^week\b"
                 r"|\b(?:last|past) (?:7|seven) days\b|\bsince (?:monday|sunday)\b"
                 r"|\bthis wk\b|\bmy week\b|\blately\b|\brecently\b|\blast (?:few|couple of)"
                 r" days\b|\byesterday\b|\bslacking\b|\blazy\b"
                 r"|\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
                 r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)'s\b"),
        ("month", rf"\b(?:this|the|current|past|last|my|a good) month\b|\bmonthly\b"
                  r"|\bwhen was i last\b|\blast time i\b"
                  rf"|\b(?:last|past) (?:30|thirty) days\b|\b(?:in|during|for|of) (?:{_MONTHS})\b"),
        ("today", r"\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b"),
        ("all", r"\bin total\b|\btotals?\b|\ball[- ]time\b|\baltogether\b|\boverall\b"
                r"|\b(?:my |the )?(?:last|latest|most recent|fastest|slowest|longest|shortest"
                r"|furthest|best|quickest)\b|\beverything i'?ve\b|\bwhen did i last\b"
                r"|\bclocked up\b|\bhow many times\b|\bhistory\b"
                r"|^how (?:many|much|far)\b.*\b(?:have i|did i|i'?ve)\b"
                r"|\bever\b|\blifetime\b|\bsince i (?:started|began|joined)\b|\bin all\b"
                r"|\bso far\b"),
    )
)  # fmt: skip
_TODAY_PART: Final = re.compile(r"\b(?:tonight|this (?:morning|afternoon|evening))\b")
_WEEKEND: Final = re.compile(r"\b(?:this )?weekend\b")


def status_args(text: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The period asked ("this week", "my streak") and the types, for ``workout_status``."""
    spoken = " ".join(text.lower().replace("-", " ").split())
    period = next((name for name, pattern in _PERIODS if pattern.search(spoken)), "today")
    args: dict[str, Any] = {"period": period}
    if slots.get("types"):
        args["types"] = list(slots["types"])
    return args


def next_args(text: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The day and types asked ("my next run", "what's on tomorrow"), for ``next_workout``."""
    spoken = text.lower()
    args: dict[str, Any] = {}
    if slots.get("day"):
        args["day"] = slots["day"]
    elif _TODAY_PART.search(spoken):
        args["day"] = "today"
    elif _WEEKEND.search(spoken):
        args["day"] = "saturday"
    if slots.get("types"):
        args["types"] = list(slots["types"])
    return args
