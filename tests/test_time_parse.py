"""The reminder tool's time parsing and the words it speaks back (no Home Assistant instance).

Every time is seen from a fixed ``START`` (Monday 4 May 2026, 09:00 in Berlin), never the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.atlas.skills.time_parse import (
    TimeParseError,
    due_time,
    parse_time,
    relative_time,
    spoken_clock,
    spoken_time,
    twelve_hour_clock,
)

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, 9, 0, tzinfo=BERLIN)  # a Monday


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A local time on the Monday of ``START`` (or ``days`` later)."""
    return START.replace(hour=hour, minute=minute) + timedelta(days=days)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 pm", at(17)),
        ("5pm", at(17)),
        ("5:30 p.m.", at(17, 30)),
        ("17:30", at(17, 30)),
        ("at 17:30 today", at(17, 30)),
        ("8 am", at(8, days=1)),  # already past today: tomorrow
        ("09:00", at(9, days=1)),  # exactly now is not the future
        ("tomorrow 7am", at(7, days=1)),
        ("tomorrow at 07:15", at(7, 15, days=1)),
        ("7am tomorrow", at(7, days=1)),
        ("noon", at(12)),
        ("midnight", at(0, days=1)),
        ("friday 6 pm", at(18, days=4)),
        ("monday 10:00", at(10)),  # today's weekday while its time is still ahead
        ("monday 8:00", at(8, days=7)),  # else next week's
        ("in 20 minutes", at(9, 20)),
        ("in an hour", at(10)),
        ("in 1 hour and 30 minutes", at(10, 30)),
        ("in 2h", at(11)),
        ("2026-05-04T17:00", at(17)),
        ("2026-05-04 17:00:00", at(17)),
        ("2026-05-04T15:00:00Z", at(17)),
        ("2026-05-05T17:00:00+02:00", at(17, days=1)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    due = parse_time(text, START)
    assert due == expected
    assert due.tzinfo == BERLIN  # local: what the user hears


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "No time given"),
        ("soon", "Cannot read the time in 'soon'"),
        ("5", "ambiguous"),
        ("13 pm", "not a valid 12-hour"),
        ("25:00", "not a valid time of day"),
        ("today 8 am", "08:00 today has already passed"),
        ("in 3 fortnights", "Cannot read 'in 3 fortnights'"),
        ("2026-05-04", "no time of day"),
        ("2026-02-30T10:00", "not a valid ISO date-time"),
        ("2026-05-01T10:00", "in the past"),
        ("2028-05-01T10:00", "more than a year ahead"),
    ],
)
def test_parse_time_errors_say_why(text: str, error: str) -> None:
    with pytest.raises(TimeParseError, match=error):
        parse_time(text, START)


@pytest.mark.parametrize(
    ("day", "clock", "expected"),
    [
        ("today", "17:00", at(17)),
        ("tomorrow", "07:30", at(7, 30, days=1)),
        ("friday", "18:00", at(18, days=4)),
        ("monday", "10:00", at(10)),
        ("monday", "08:00", at(8, days=7)),
        ("2026-05-20", "09:00", at(9, days=16)),
        (None, "08:00", at(8, days=1)),
    ],
)
def test_due_time_from_a_day_and_a_clock(day: str | None, clock: str, expected: datetime) -> None:
    assert due_time(day, clock, START) == expected


@pytest.mark.parametrize(
    ("day", "clock", "error"),
    [
        ("today", "7 pm", "not a time of day"),
        ("today", "25:00", "not a time of day"),
        ("someday", "10:00", "not a day"),
        ("today", "08:00", "already passed"),
        ("2028-05-20", "09:00", "more than a year ahead"),
    ],
)
def test_due_time_errors_say_why(day: str, clock: str, error: str) -> None:
    with pytest.raises(TimeParseError, match=error):
        due_time(day, clock, START)


def test_relative_time_is_bounded() -> None:
    assert relative_time(START, minutes=90) == at(10, 30)
    assert relative_time(START, hours=0.5) == at(9, 30)
    with pytest.raises(TimeParseError, match="more than zero"):
        relative_time(START)
    for absurd in (99999999999999999999.0, float("inf"), float("nan")):
        with pytest.raises(TimeParseError):
            relative_time(START, minutes=absurd)
    with pytest.raises(TimeParseError, match="less than a year"):
        relative_time(START, hours=24 * 400)


@pytest.mark.parametrize(
    ("language", "twelve"),
    [("en", True), ("en-GB", True), ("en_US", True), (None, True), ("de", False),
     ("fr-CA", False), ("es", False)],
)  # fmt: skip
def test_twelve_hour_clock_follows_the_language(language: str | None, twelve: bool) -> None:
    assert twelve_hour_clock(language) is twelve


@pytest.mark.parametrize(
    ("moment", "twelve", "said"),
    [
        (at(19), True, "7 PM"),
        (at(7, 30), True, "7:30 AM"),
        (at(12), True, "noon"),
        (at(0), True, "midnight"),
        (at(12, 5), True, "12:05 PM"),
        (at(0, 15), True, "12:15 AM"),
        (at(19), False, "19:00"),
        (at(7, 5), False, "07:05"),
    ],
)
def test_spoken_clock(moment: datetime, twelve: bool, said: str) -> None:
    assert spoken_clock(moment, twelve_hour=twelve) == said


def test_spoken_time_names_the_day_in_the_users_convention() -> None:
    assert spoken_time(at(17), START, twelve_hour=True) == "today at 5 PM"
    assert spoken_time(at(19, days=1), START, twelve_hour=True) == "tomorrow at 7 PM"
    assert spoken_time(at(18, days=4), START, twelve_hour=True) == "on Friday at 6 PM"
    assert spoken_time(at(9, days=8), START, twelve_hour=True) == "on Tuesday 12 May at 9 AM"
    assert spoken_time(at(17), START) == "today at 17:00"
    assert spoken_time(at(7, days=1), START) == "tomorrow at 07:00"
    assert spoken_time(at(7, days=4), START) == "on Friday at 07:00"
    assert spoken_time(at(7, days=-1), START) == "yesterday at 07:00"


def test_spring_forward_gap_moves_to_a_real_time() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    due = parse_time("tomorrow 2:30 am", before_change)  # 02:30 does not exist that night
    assert due == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
