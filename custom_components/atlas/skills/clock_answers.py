"""Clock and calendar questions code can answer: the time in a world city, the time in a
while, the weekday of a date this month and the days left in the month. Standard library only;
every answer is a function of the question and the local ``now``."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ..agent.numbers import minutes, number
from ..agent.time_words import calendar_date, clock_said
from .time_parse import spoken_clock

# Cities people ask the time of, with their IANA zone (the zone's own name works too).
CITY_ZONES: Final = {
    "london": "Europe/London", "dublin": "Europe/Dublin", "lisbon": "Europe/Lisbon",
    "paris": "Europe/Paris", "berlin": "Europe/Berlin", "madrid": "Europe/Madrid",
    "rome": "Europe/Rome", "amsterdam": "Europe/Amsterdam", "brussels": "Europe/Brussels",
    "vienna": "Europe/Vienna", "zurich": "Europe/Zurich", "stockholm": "Europe/Stockholm",
    "oslo": "Europe/Oslo", "copenhagen": "Europe/Copenhagen", "helsinki": "Europe/Helsinki",
    "warsaw": "Europe/Warsaw", "prague": "Europe/Prague", "athens": "Europe/Athens",
    "istanbul": "Europe/Istanbul", "moscow": "Europe/Moscow", "kyiv": "Europe/Kyiv",
    "cairo": "Africa/Cairo", "johannesburg": "Africa/Johannesburg", "lagos": "Africa/Lagos",
    "nairobi": "Africa/Nairobi", "dubai": "Asia/Dubai", "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "bangkok": "Asia/Bangkok",
    "singapore": "Asia/Singapore", "hong kong": "Asia/Hong_Kong", "beijing": "Asia/Shanghai",
    "shanghai": "Asia/Shanghai", "seoul": "Asia/Seoul", "tokyo": "Asia/Tokyo",
    "manila": "Asia/Manila", "jakarta": "Asia/Jakarta", "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne", "brisbane": "Australia/Brisbane",
    "perth": "Australia/Perth", "auckland": "Pacific/Auckland", "honolulu": "Pacific/Honolulu",
    "anchorage": "America/Anchorage", "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "vancouver": "America/Vancouver", "denver": "America/Denver", "phoenix": "America/Phoenix",
    "chicago": "America/Chicago", "dallas": "America/Chicago", "houston": "America/Chicago",
    "mexico city": "America/Mexico_City", "new york": "America/New_York",
    "boston": "America/New_York", "miami": "America/New_York", "toronto": "America/Toronto",
    "montreal": "America/Toronto", "washington": "America/New_York",
    "sao paulo": "America/Sao_Paulo", "buenos aires": "America/Argentina/Buenos_Aires",
    "lima": "America/Lima", "bogota": "America/Bogota", "santiago": "America/Santiago",
}  # fmt: skip
_CITY: Final = "|".join(sorted(map(re.escape, CITY_ZONES), key=len, reverse=True))
_TIME_IN_CITY: Final = re.compile(
    rf"\btime(?: is it| it is|'s it)? (?:in|over in|out in) (?P<city>{_CITY})\b"
    rf"|\b(?P<named>{_CITY}) time\b"
)
_TIME_IN_A_WHILE: Final = re.compile(
    r"\bwhat time (?:will it be|is it going to be|would it be) in\b|\btime in (?=\S+ (?:minutes?"
    r"|mins?|hours?))"
)
_ORDINALS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_ORDINAL: Final = (
    r"(\d{1,2})(?:st|nd|rd|th)?|((?:twenty|thirty)[\s-])?(" + "|".join(_ORDINALS) + r")"
)
_WEEKDAY_OF: Final = re.compile(
    rf"\bwhat day (?:of the week )?(?:is|will be|was|does) (?:the )?(?:{_ORDINAL})\b"
)
_MONTH_LEFT: Final = re.compile(
    r"\bhow many days (?:are )?(?:left |until |till |til |to )(?:in |until |till |to )?the end"
    r" of (?:the|this) month\b|\bdays (?:left|remaining) (?:in|of) (?:the|this) month\b"
)


def _clock(moment: datetime, twelve_hour: bool) -> str:
    return spoken_clock(moment, twelve_hour=twelve_hour)


def _city_time(spoken: str, now: datetime, twelve_hour: bool) -> str | None:
    if (match := _TIME_IN_CITY.search(spoken)) is None:
        return None
    city = match.group("city") or match.group("named")
    there = now.astimezone(ZoneInfo(CITY_ZONES[city]))
    day = "" if there.date() == now.date() else f" on {there:%A}"
    return f"In {city.title()} it's {_clock(there, twelve_hour)}{day}."


def _time_in_a_while(spoken: str, now: datetime, twelve_hour: bool) -> str | None:
    if _TIME_IN_A_WHILE.search(spoken) is None or (span := minutes(spoken)) is None:
        return None
    later = now + timedelta(minutes=span)
    day = "" if later.date() == now.date() else f" {later:%A}"
    return f"It will be {_clock(later, twelve_hour)}{day}."


def _weekday_of(spoken: str, now: datetime, twelve_hour: bool) -> str | None:
    if (match := _WEEKDAY_OF.search(spoken)) is None:
        return None
    digits, tens, word = match.groups()
    day = int(digits) if digits else _ORDINALS[word] + (number(tens.strip()) if tens else 0)
    year, month = now.year, now.month
    if day < now.day:  # the next one: "the fifth" said on the 11th is next month's
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    when = now.replace(year=year, month=month, day=int(day))
    return f"The {int(day)}{_suffix(int(day))} is a {when:%A} ({when.day} {when:%B})."


def _month_left(spoken: str, now: datetime, twelve_hour: bool) -> str | None:
    if _MONTH_LEFT.search(spoken) is None:
        return None
    left = calendar.monthrange(now.year, now.month)[1] - now.day
    return f"{left} day{'s' * (left != 1)} until the end of {now:%B}."


_UNTIL: Final = re.compile(
    r"\bhow (?:many (?P<unit>minutes|hours|days|weeks|sleeps)|long)(?: is it| are there| have i"
    r" got| do i have)?(?: left)? (?:until|till|til|to|before) (?P<target>.+)"
)


def _until(spoken: str, now: datetime, twelve_hour: bool) -> str | None:
    """ "how many days until april first", "how long until five pm", "hours till midnight"."""
    if (match := _UNTIL.search(spoken)) is None:
        return None
    target, unit = match.group("target"), match.group("unit")
    if (day := calendar_date(target, now.date())) is not None:
        days = (day - now.date()).days
        when = f"{day.day} {day:%B}"
        if unit == "weeks":
            weeks, rest = divmod(days, 7)
            extra = f" and {rest} day{'s' * (rest != 1)}" if rest else ""
            return f"{weeks} week{'s' * (weeks != 1)}{extra} until {when}."
        return f"{days} day{'s' * (days != 1)} until {when}."
    if unit in ("days", "weeks", "sleeps") or (clock := clock_said(target)) is None:
        return None
    hour = clock.hour % 12 + (12 if clock.half == "pm" else 0) if clock.half else clock.hour
    moment = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        hours=hour, minutes=clock.minute
    )
    if moment <= now:
        moment += timedelta(days=1)
    left = int((moment - now).total_seconds() // 60)
    hours, mins = divmod(left, 60)
    parts = [f"{hours} hour{'s' * (hours != 1)}"] if hours else []
    parts += [f"{mins} minute{'s' * (mins != 1)}"] if mins else []
    name = "midnight" if hour in (0, 24) and not clock.minute else _clock(moment, twelve_hour)
    return f"{' and '.join(parts) or 'No time'} until {name}."


def _suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


_ANSWERS: Final[tuple[Callable[[str, datetime, bool], str | None], ...]] = (
    _city_time, _time_in_a_while, _weekday_of, _month_left, _until,
)  # fmt: skip


def clock_answer(spoken: str, now: datetime, *, twelve_hour: bool) -> str | None:
    """The answer to a clock or calendar question in lower-case ``spoken``, or None."""
    for answer in _ANSWERS:
        if (said := answer(spoken, now, twelve_hour)) is not None:
            return said
    return None
