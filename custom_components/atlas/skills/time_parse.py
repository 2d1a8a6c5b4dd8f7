"""Deterministic parsing of the times a user says for a reminder, in their own time zone.

Understood: ISO date-times (``2026-05-04T17:00``, with or without an offset), clock times
(``17:30``, ``5 pm``, ``7:15am``, ``noon``, ``midnight``) optionally with ``today``,
``tomorrow`` or a weekday, and relative times (``in 20 minutes``, ``in 1 hour 30 minutes``).
A clock time alone that has already passed today means tomorrow; a weekday is today's while
its time is still ahead, else the next one. Spoken back
(:func:`spoken_time`) in the user's convention: "tomorrow at 7 PM" in English, "tomorrow at
19:00" where the language uses the 24-hour clock.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from homeassistant.util import dt as dt_util

FORMATS_HINT = (
    "Use an ISO date-time such as 2026-05-04T17:00, a clock time such as 17:30 or 5 pm "
    "(optionally with today, tomorrow or a weekday), or a relative time such as in 20 minutes."
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_AHEAD = timedelta(days=366)

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?:\s*(?P<half>[ap])\.?\s?m\.?)?")
_RELATIVE_PART = re.compile(
    r"(?P<amount>\d+(?:\.\d+)?|an?)\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|m)\b"
)
_NAMED_TIMES = {"noon": time(12), "midday": time(12), "midnight": time(0)}
_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
# Languages whose speakers say the 12-hour clock ("7 PM"); the others say "19:00".
TWELVE_HOUR_LANGUAGES = frozenset({"en"})


class TimeParseError(ValueError):
    """The text is no time this module understands; the message says what is."""


def parse_time(text: str, now: datetime) -> datetime:
    """The moment ``text`` means, seen from ``now`` (aware, in the user's time zone).

    Returns an aware datetime in ``now``'s time zone, later than ``now``.
    """
    spoken = " ".join(text.lower().replace(",", " ").rstrip(".!? ").split())
    if not spoken:
        raise TimeParseError(f"No time given. {FORMATS_HINT}")
    if _ISO.match(spoken):
        due = _parse_iso(spoken, now)
    elif spoken.startswith("in "):
        due = _parse_relative(spoken[3:], now)
    else:
        due = _parse_clock(spoken, now)
    if due <= now:
        raise TimeParseError(f"'{text}' is in the past.")
    if due - now > MAX_AHEAD:
        raise TimeParseError(f"'{text}' is more than a year ahead.")
    return due


def relative_time(now: datetime, *, minutes: float = 0, hours: float = 0) -> datetime:
    """``now`` plus a positive number of minutes and hours."""
    total = minutes + hours * 60
    if math.isnan(total) or total <= 0:
        raise TimeParseError("A relative time must be more than zero minutes from now.")
    if total > MAX_AHEAD.total_seconds() / 60:
        raise TimeParseError("A relative time must be less than a year from now.")
    return _local(now + timedelta(minutes=total), now.tzinfo)


def due_time(day: str | None, clock: str, now: datetime) -> datetime:
    """The moment of ``clock`` ("19:00") on ``day`` (today, tomorrow, a weekday, an ISO date;
    None: the next such time)."""
    if _HH_MM.fullmatch(clock) is None:
        raise TimeParseError(f"'{clock}' is not a time of day (HH:MM).")
    if day is None:
        return parse_time(clock, now)
    if _ISO.fullmatch(day):
        return parse_time(f"{day}T{clock}", now)
    if day not in ("today", "tonight", "tomorrow") and _weekday(day) is None:
        raise TimeParseError(f"'{day}' is not a day: say today, tomorrow, a weekday or a date.")
    return parse_time(f"{day} {clock}", now)


def twelve_hour_clock(language: str | None) -> bool:
    """Whether people speaking ``language`` ("en", "en-US", "de") say the 12-hour clock."""
    base = (language or "en").replace("_", "-").split("-")[0].lower()
    return base in TWELVE_HOUR_LANGUAGES


def spoken_clock(local: datetime, *, twelve_hour: bool = False) -> str:
    """A local time of day to speak: "7 PM", "7:30 AM", "noon" (12-hour) or "19:00"."""
    if not twelve_hour:
        return f"{local:%H:%M}"
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "noon"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes} {'AM' if local.hour < 12 else 'PM'}"


def spoken_time(due: datetime, now: datetime, *, twelve_hour: bool = False) -> str:
    """``due`` as words to speak, local to ``now``: "today at 5 PM", "tomorrow at 07:30",
    "on Friday at 6 PM" within the week, "on Friday 22 May at 09:00" beyond it."""
    local = _local(due, now.tzinfo)
    clock = spoken_clock(local, twelve_hour=twelve_hour)
    days = (local.date() - now.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if days == -1:
        return f"yesterday at {clock}"
    if 1 < days < 7:
        return f"on {local:%A} at {clock}"
    return f"on {local:%A} {local.day} {local:%B} at {clock}"


def _parse_iso(spoken: str, now: datetime) -> datetime:
    if _ISO.fullmatch(spoken):
        raise TimeParseError(f"'{spoken}' has a date but no time of day. {FORMATS_HINT}")
    try:
        parsed = dt_util.parse_datetime(spoken.upper().replace(" ", "T", 1), raise_on_error=True)
    except ValueError as err:
        raise TimeParseError(f"'{spoken}' is not a valid ISO date-time. {FORMATS_HINT}") from err
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=now.tzinfo)
    return _local(parsed, now.tzinfo)


def _parse_relative(spoken: str, now: datetime) -> datetime:
    minutes = 0.0
    rest = spoken
    while rest:
        match = _RELATIVE_PART.match(rest)
        if match is None:
            raise TimeParseError(f"Cannot read 'in {spoken}'. {FORMATS_HINT}")
        amount = match["amount"]
        value = 1.0 if amount in ("a", "an") else float(amount)
        minutes += value * 60 if match["unit"].startswith("h") else value
        rest = rest[match.end() :].strip().removeprefix("and").strip()
    return relative_time(now, minutes=minutes)


def _parse_clock(spoken: str, now: datetime) -> datetime:
    words = spoken.replace(" at ", " ").removeprefix("at ").split()
    day: date | None = None
    explicit_today = weekly = False
    clock_words: list[str] = []
    for word in words:
        if word in ("today", "tonight"):
            day, explicit_today = now.date(), True
        elif word == "tomorrow":
            day = now.date() + timedelta(days=1)
        elif (weekday := _weekday(word)) is not None:
            day = now.date() + timedelta(days=(weekday - now.weekday()) % 7)
            weekly = True
        else:
            clock_words.append(word)
    clock = _clock(" ".join(clock_words), spoken)
    if day is None:
        due = _combine(now.date(), clock, now.tzinfo)
        return due if due > now else _combine(now.date() + timedelta(days=1), clock, now.tzinfo)
    due = _combine(day, clock, now.tzinfo)
    if weekly and due <= now:  # that weekday's time has passed today: next week's
        due = _combine(day + timedelta(days=7), clock, now.tzinfo)
    if explicit_today and due <= now:
        raise TimeParseError(f"{clock:%H:%M} today has already passed.")
    return due


def _weekday(word: str) -> int | None:
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            return index
    return None


def _clock(words: str, spoken: str) -> time:
    if words in _NAMED_TIMES:
        return _NAMED_TIMES[words]
    match = _CLOCK.fullmatch(words)
    if match is None:
        raise TimeParseError(f"Cannot read the time in '{spoken}'. {FORMATS_HINT}")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"] is not None:
        if not 1 <= hour <= 12:
            raise TimeParseError(f"'{words}' is not a valid 12-hour clock time.")
        hour = hour % 12 + (12 if match["half"] == "p" else 0)
    elif match["minute"] is None and hour <= 12:
        raise TimeParseError(f"'{words}' is ambiguous: say am or pm, or use 24-hour HH:MM.")
    if hour > 23 or minute > 59:
        raise TimeParseError(f"'{words}' is not a valid time of day.")
    return time(hour, minute)


def _combine(day: date, clock: time, zone: tzinfo | None) -> datetime:
    # Through UTC and back: a wall time skipped by a DST change moves to a real one.
    return _local(datetime.combine(day, clock, tzinfo=zone), zone)


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(UTC).astimezone(zone)
