"""Times as people say them: "at eight tomorrow night", "half nine", "in an hour and a half".

:func:`read_times` finds the time words of a request (a day, a part of the day, a clock time or
a delay) and returns them with the words that are left, which hold the request's subject.
Nothing is resolved against the clock here: ``reminder_args`` decides "today or tomorrow",
"am or pm". Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final

from .numbers import number

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: Final = ("january", "february", "march", "april", "may", "june", "july", "august",
                 "september", "october", "november", "december")  # fmt: skip
PERIODS: Final = ("morning", "afternoon", "evening", "night")

_UNITS: Final = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_BEFORE_AM_PM: Final = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                      "ten", "eleven", "twelve", "thirty", "fifteen", "forty five")  # fmt: skip
_TENS: Final = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
_HOUR_UNITS: Final = {"hours": 60.0, "hour": 60.0, "hrs": 60.0, "hr": 60.0, "h": 60.0,
                      "minutes": 1.0, "minute": 1.0, "mins": 1.0, "min": 1.0,
                      "seconds": 1 / 60, "second": 1 / 60, "secs": 1 / 60}  # fmt: skip
_DAY_ALIASES: Final = {
    "today": "today", "tonight": "today", "tonite": "today", "tomorrow": "tomorrow",
    "tomorrows": "tomorrow", "tmrw": "tomorrow", "tomorow": "tomorrow", "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
}  # fmt: skip
_MARKS: Final = {"am": "am", "pm": "pm", "oclock": None, "noon": "pm"}
# Words that show a number counts something rather than telling the time ("at 10 reps").
_COUNTED: Final = frozenset({
    "times", "x", "reps", "rep", "sets", "set", "days", "weeks", "pills", "tablets", "glasses",
    "cups", "percent", "%", "kg", "km", "miles",
})  # fmt: skip
# A bare hour after these is a clock time ("at eight"); after "for"/"from" it needs am/pm.
_STRONG_PREPS: Final = frozenset({"at", "by", "around", "until", "till", "til", "before"})
_WEAK_PREPS: Final = frozenset({"for", "from", "about"})
_VAGUE: Final = (("next", "week"), ("this", "weekend"), ("the", "weekend"), ("later", "on"),
                 ("sometime",), ("later",), ("soon",))  # fmt: skip
_SET_DURATIONS: Final = tuple(
    (tuple(phrase.split()), minutes)
    for phrase, minutes in (
        ("half an hour", 30.0), ("half a hour", 30.0), ("half hour", 30.0),
        ("a quarter of an hour", 15.0), ("quarter of an hour", 15.0), ("a quarter hour", 15.0),
        ("quarter hour", 15.0), ("three quarters of an hour", 45.0),
    )
)  # fmt: skip
_FILLERS: Final = frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "er", "hmm", "mm"})


@dataclass(frozen=True)
class Clock:
    """A clock time as said: ``hour`` 0-24 (24: the midnight ending a day), ``half`` am/pm."""

    hour: int
    minute: int = 0
    half: str | None = None

    @property
    def valid(self) -> bool:
        """Whether it is a time of day at all ("25 pm" is not)."""
        if self.half is not None and not 0 < self.hour <= 12:
            return False
        return (
            0 <= self.hour <= 24
            and 0 <= self.minute <= 59
            and not (self.hour == 24 and self.minute)
        )


@dataclass(frozen=True)
class TimeWords:
    """The time words of a request and the words that are left (in their original case)."""

    day: str | None = None  # today, tomorrow, a weekday or an ISO date
    period: str | None = None  # morning, afternoon, evening or night
    clock: Clock | None = None
    in_minutes: float | None = None
    vague: bool = False  # "later", "next week": a time was meant but none given
    rest: list[str] = field(default_factory=list)
    before: int = 0  # how many words of ``rest`` came before the first time word

    @property
    def said(self) -> bool:
        """Whether any time word was said."""
        return any((self.day, self.period, self.clock, self.in_minutes is not None, self.vague))

    def under(self, earlier: TimeWords) -> TimeWords:
        """These words completed by what ``earlier`` said (a follow-up's answer)."""
        if self.in_minutes is not None:
            return self
        return replace(
            self,
            day=self.day or earlier.day,
            period=self.period or (None if self.day else earlier.period),
        )


# A day said by name: "friday", "tomorrow's", "tonight".
DAY_SAID: Final = re.compile(
    r"\b(today|tonight|tomorrow|" + "|".join(WEEKDAYS) + r")(?:'s|s)?\b", re.IGNORECASE
)


def day_date(spoken: str, today: date) -> date | None:
    """The date "today", "tomorrow" or a weekday (its next occurrence, today included) means;
    None for anything else."""
    spoken = spoken.strip().lower()
    if spoken == "today":
        return today
    if spoken == "tomorrow":
        return today + timedelta(days=1)
    if spoken in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(spoken) - today.weekday()) % 7)
    return None


def tokens(text: str) -> list[str]:
    """The words of ``text``, with times written one way ("7:30 pm", "forty five", "oclock")."""
    text = re.sub(r"(\d)\.(\d\d)\b", r"\1:\2", text)
    text = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", text, flags=re.IGNORECASE)
    text = re.sub(  # "six a m", "10 p m": a speech recogniser's am/pm
        rf"\b(\d{{1,2}}|{'|'.join(_BEFORE_AM_PM)})\s+([ap])\s+m\b", r"\1 \2m", text,
        flags=re.IGNORECASE,
    )  # fmt: skip
    text = re.sub(r"(\d)\s*([ap]m|h|hrs?|mins?)\b", r"\1 \2", text, flags=re.IGNORECASE)
    text = re.sub(r"\bo'?\s?clock\b", "oclock", text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(\w+)", r"\1 \2", text,
        flags=re.IGNORECASE,
    )  # fmt: skip
    text = re.sub(r"[,!?;\"“”()]|(?<!\d)[.:]|[.:](?!\d)", " ", text)
    return [word for word in text.split() if word.lower() not in _FILLERS]


def count(words: list[str], i: int) -> tuple[float, int] | None:
    """A number at ``words[i]`` in digits or words ("twenty five", "a hundred") and its end."""
    if i >= len(words):
        return None
    word = words[i]
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return number(word), i + 1
    value, j = 0.0, i
    if word in ("a", "one") and j + 1 < len(words) and words[j + 1] == "hundred":
        value, j = 100.0, j + 2
        if j < len(words) and words[j] == "and":
            j += 1
    if j < len(words) and words[j] in _TENS:
        value += _TENS[words[j]]
        j += 1
        if j < len(words) and words[j] in _UNITS and 0 < _UNITS[words[j]] < 10:
            value += _UNITS[words[j]]
            j += 1
    elif j < len(words) and words[j] in _UNITS and words[j] != "oh":
        value += _UNITS[words[j]]
        j += 1
    return (value, j) if j > i else None


def duration(words: list[str], i: int) -> tuple[float, int] | None:
    """A duration at ``words[i]`` in minutes ("an hour and a half", "a quarter of an hour")."""
    at = _Cursor(words, i)
    for phrase, minutes in _SET_DURATIONS:
        if at.take_seq(*phrase):
            return minutes, at.i
    amount = _amount(at)
    if amount is None:
        return None
    if at.take_seq("and", "a", "half") or at.take_seq("and", "half"):
        amount += 0.5
    unit = _HOUR_UNITS.get(at.word or "")
    if unit is None:
        return None
    at.i += 1
    total = amount * unit
    if unit == 60.0 and (at.take_seq("and", "a", "half") or at.take_seq("and", "half")):
        total += 30.0
    elif unit == 60.0:  # "an hour and twenty minutes", "2 hours 30 minutes"
        start = at.i
        at.take("and")
        more = count(words, at.i)
        if more is not None and more[1] < len(words) and _HOUR_UNITS.get(words[more[1]]) == 1.0:
            total, at.i = total + more[0], more[1] + 1
        else:
            at.i = start
    return total, at.i


def _amount(at: _Cursor) -> float | None:
    """How many units: "a couple of", "a few", "an", "forty five" (the cursor moves on)."""
    start = at.i
    article = at.take("a", "an")
    if at.take("couple"):
        at.take("of")
        return 2.0
    if at.take("few"):
        return 3.0
    if not article and (said := count(at.words, at.i)) is not None:
        at.i = said[1]
        return said[0]
    if article:
        return 1.0
    at.i = start
    return None


class _Cursor:
    """A position in a list of lower-case words."""

    def __init__(self, words: list[str], i: int) -> None:
        self.words, self.i = words, i

    @property
    def word(self) -> str | None:
        return self.words[self.i] if self.i < len(self.words) else None

    def peek(self, *options: str) -> bool:
        return self.word in options

    def take(self, *options: str) -> bool:
        if self.word in options:
            self.i += 1
            return True
        return False

    def take_seq(self, *sequence: str) -> bool:
        if tuple(self.words[self.i : self.i + len(sequence)]) == sequence:
            self.i += len(sequence)
            return True
        return False


def _hour(words: list[str], i: int) -> tuple[int, int | None, int] | None:
    """An hour (with ":MM" minutes) at ``words[i]``: (hour, minute or None, end)."""
    if i >= len(words):
        return None
    if match := re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", words[i]):
        return int(match[1]), None if match[2] is None else int(match[2]), i + 1
    if words[i] in _UNITS and 0 < _UNITS[words[i]] <= 12:
        return _UNITS[words[i]], None, i + 1
    return None


def _minute_words(words: list[str], i: int) -> tuple[int, int] | None:
    """Minutes said after an hour: "thirty", "forty five", "oh five", "15"."""
    if i < len(words) and words[i] == "oh" and (said := count(words, i + 1)) and said[0] < 10:
        return int(said[0]), said[1]
    if i < len(words) and re.fullmatch(r"\d{2}", words[i]):
        return int(words[i]), i + 1
    said = count(words, i)
    if said is None or not 10 <= said[0] <= 59 or said[0] != int(said[0]):
        return None
    return int(said[0]), said[1]


def clock(words: list[str], i: int, *, bare: bool = False) -> tuple[Clock, int] | None:
    """A clock time at ``words[i]`` ("at eight", "7:30 pm", "half nine", "quarter to six").

    A bare number is a time only after "at", "by"… or with am/pm, ":MM" or "o'clock" (``bare``:
    the whole answer is a time, as in "ten").
    """
    at = _Cursor(words, i)
    strong = at.take(*_STRONG_PREPS) or bare
    if not strong:
        at.take(*_WEAK_PREPS)  # "for 6 pm": a time only with am/pm, ":MM" or a part of the day
    at.take("around", "about", "like")
    if at.take("noon", "midday", "lunchtime"):
        return Clock(12, 0, "pm"), at.i
    if at.take("midnight"):
        return Clock(24), at.i
    start = at.i
    if at.take("half"):  # "half nine" (British), "half past nine"
        at.take("past")
        if (hour := _hour(words, at.i)) and hour[1] is None and hour[0] <= 12:
            return _marked(words, Clock(hour[0], 30), hour[2])
        at.i = start
    if (offset := _offset(at)) is not None:
        sign = 1 if at.take("past", "after") else -1 if at.take("to", "til", "till", "of") else 0
        if sign and (hour := _hour(words, at.i)) and hour[1] is None and hour[0] <= 12:
            said = Clock(hour[0], offset) if sign > 0 else Clock((hour[0] - 1) or 12, 60 - offset)
            if not _counted(words, hour[2]):
                return _marked(words, said, hour[2])
    at.i = start
    hour = _hour(words, at.i)
    if hour is None:
        return None
    h, minute, end = hour
    told = minute is not None
    if minute is None and h <= 12 and (minutes := _minute_words(words, end)):
        after = words[minutes[1]] if minutes[1] < len(words) else ""
        if after not in _HOUR_UNITS:
            minute, end, told = minutes[0], minutes[1], True
    if _counted(words, end) or (not strong and words[end : end + 1] == ["and"]):
        return None
    after = " ".join(words[end : end + 3])
    marked = end < len(words) and words[end] in _MARKS
    period = re.match(r"(?:in the )?(?:morning|afternoon|evening|night)\b|(?:tonight|tonite"
                      r"|tomorrow|today|this)\b", after) is not None  # fmt: skip
    if not (marked or told or strong or period):
        return None
    return _marked(words, Clock(h, minute or 0), end)


def _offset(at: _Cursor) -> int | None:
    """The minutes of "quarter past", "ten to", "twenty minutes past" (the cursor moves on)."""
    at.take("a")
    if at.take("quarter"):
        return 15
    said = count(at.words, at.i)
    if said is None or not 0 < said[0] <= 30 or said[0] != int(said[0]):
        return None
    at.i = said[1]
    at.take("minutes", "minute", "mins", "min")
    return int(said[0])


def _counted(words: list[str], end: int) -> bool:
    """Whether the number before ``end`` counts something ("5 minutes", "10 reps")."""
    return end < len(words) and (words[end] in _HOUR_UNITS or words[end] in _COUNTED)


def _marked(words: list[str], bare: Clock, end: int) -> tuple[Clock, int]:
    if end < len(words) and words[end] in _MARKS:
        return replace(bare, half=_MARKS[words[end]]), end + 1
    return bare, end


def _day(words: list[str], i: int, today: date) -> tuple[str | None, str | None, int] | None:
    """A day at ``words[i]``: (day, period, end) for "tomorrow", "on friday", "tonight"…"""
    at = _Cursor(words, i)
    at.take("on", "for", "by")
    if at.take_seq("the", "day", "after", "tomorrow") or at.take_seq("day", "after", "tomorrow"):
        return WEEKDAYS[(today + timedelta(days=2)).weekday()], None, at.i
    if at.take_seq("the", "morn") or at.take_seq("the", "morra"):  # Scots: tomorrow
        return "tomorrow", None, at.i
    if at.word in _DAY_ALIASES:
        word = at.word
        return _DAY_ALIASES[word], "night" if word.startswith("toni") else None, at.i + 1
    at.take("this", "next", "coming")
    if (weekday := at.word) in WEEKDAYS:
        return weekday, None, at.i + 1
    if (found := _date(words, at.i, today)) is not None:
        return found[0], None, found[1]
    return None


_ORDINAL_WORDS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip


def _day_of_month(at: _Cursor) -> tuple[int, bool] | None:
    """A day of the month at the cursor ("20th", "20", "twentieth", "twenty first"), and
    whether it was said as an ordinal; the cursor moves past it."""
    word = (at.word or "").lower()
    if match := re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", word):
        at.i += 1
        return int(match[1]), match[2] is not None
    tens = {"twenty": 20, "thirty": 30}.get(word)
    following = at.words[at.i + 1].lower() if at.i + 1 < len(at.words) else ""
    if tens and _ORDINAL_WORDS.get(following, 10) < 10:
        at.i += 2
        return tens + _ORDINAL_WORDS[following], True
    if word in _ORDINAL_WORDS:
        at.i += 1
        return _ORDINAL_WORDS[word], True
    return None


def _date(words: list[str], i: int, today: date) -> tuple[str, int] | None:
    """A calendar date: "march 20th", "the 20th of march", "20 march 2027", "on the 20th",
    "the fourteenth", "april first"."""
    at = _Cursor(words, i)
    the = at.take("the")
    month: int | None = None
    if at.word in MONTHS:
        month = MONTHS.index(at.word) + 1
        at.i += 1
        at.take("the")
    digits = bool(re.match(r"\d", at.word or ""))
    said = _day_of_month(at)
    if said is None:
        return None
    day_of_month, ordinal = said
    if not digits and month is None and not the and not at.peek("of"):
        return None  # "wait a second", "first thing": no date
    if month is None:
        at.take("of")
        if at.word in MONTHS:
            month = MONTHS.index(at.word) + 1
            at.i += 1
        elif not ordinal or i == at.i:
            return None
    year: int | None = None
    if at.word and re.fullmatch(r"\d{4}", at.word):
        year = int(at.word)
        at.i += 1
    return _calendar(today, day_of_month, month, year), at.i


def _calendar(today: date, day: int, month: int | None, year: int | None) -> str:
    """The next such date on or after ``today`` as ISO text ("" when there is none)."""
    months = [month] if month else [today.month, today.month % 12 + 1]
    for wanted in months:
        for when_year in [year] if year else [today.year, today.year + 1]:
            try:
                found = date(when_year, wanted, day)
            except ValueError:
                continue
            if year or found >= today:
                return found.isoformat()
    return ""


def calendar_date(text: str, today: date) -> date | None:
    """The first calendar date said in ``text`` ("april first", "the 1st of may"), or None."""
    words = [w.lower() for w in tokens(text)]
    for i in range(len(words)):
        if (found := _date(words, i, today)) is not None and found[0]:
            return date.fromisoformat(found[0])
    return None


def clock_said(text: str) -> Clock | None:
    """The first clock time said in ``text`` ("five pm", "17:30", "midnight"), or None."""
    words = [w.lower() for w in tokens(text)]
    for i in range(len(words)):
        if words[i] == "midnight":
            return Clock(24)
        if words[i] in ("noon", "midday"):
            return Clock(12)
        if (found := clock(words, i)) is not None and found[0].valid:
            return found[0]
    return None


def _period(words: list[str], i: int, after_day: bool) -> tuple[str, str | None, int] | None:
    """A part of the day: (period, day, end) for "in the morning", "this evening", "at night",
    or a bare "morning" after a day ("friday morning")."""
    at = _Cursor(words, i)
    day = None
    if at.take("this"):
        day = "today"
    elif at.take("at"):
        return ("night", None, at.i + 1) if at.peek("night") else None
    elif not at.take_seq("in", "the") and not after_day:
        return None
    return (str(at.word), day, at.i + 1) if at.word in PERIODS else None


def read_times(text: str, today: date, *, bare: bool = False) -> TimeWords:
    """The time words of ``text`` and the words that are left (``bare``: a lone number is an
    hour, as in an answer to "What time?")."""
    original = tokens(text)
    words = [w.lower() for w in original]
    found = TimeWords()
    rest: list[str] = []
    before: int | None = None
    i, after_day = 0, False
    while i < len(words):
        step = _time_at(words, i, today, found, after_day=after_day, bare=bare)
        if step is None:
            rest.append(original[i])
            i, after_day = i + 1, False
            continue
        before = len(rest) if before is None else before
        found, end, after_day = step
        i = end
    return replace(found, rest=rest, before=len(rest) if before is None else before)


def _time_at(
    words: list[str], i: int, today: date, found: TimeWords, *, after_day: bool, bare: bool
) -> tuple[TimeWords, int, bool] | None:
    """The time words starting at ``words[i]``, added to ``found``: (found, end, was a day)."""
    if words[i] in ("in", "within", "after") and found.in_minutes is None:
        j = i + 1
        while j < len(words) and words[j] in ("about", "around", "roughly", "like", "another"):
            j += 1
        if (span := duration(words, j)) is not None:
            return replace(found, in_minutes=span[0]), span[1], False
        counted = count(words, j)  # "remind me in five to take the kettle off": minutes
        if (
            counted is not None
            and 1 <= counted[0] <= 59
            and words[counted[1] : counted[1] + 1]
            in (
                [],
                ["to"],
            )
        ):
            return replace(found, in_minutes=counted[0]), counted[1], False
    span = duration(words, i) if found.in_minutes is None else None
    if span is not None and words[span[1] : span[1] + 2] == ["from", "now"]:
        return replace(found, in_minutes=span[0]), span[1] + 2, False
    if found.clock is None and (said := clock(words, i, bare=bare and not found.said)):
        return replace(found, clock=said[0]), said[1], after_day
    if found.day is not None and (day := _day(words, i, today)) is not None and day[0] == found.day:
        return found, day[2], True  # the day said again ("thursday … remind me thursday at 3")
    if found.day is None and (day := _day(words, i, today)) is not None:
        return replace(found, day=day[0], period=day[1] or found.period), day[2], True
    if found.period is None and (period := _period(words, i, after_day)) is not None:
        return replace(found, period=period[0], day=found.day or period[1]), period[2], False
    for vague in _VAGUE:
        if tuple(words[i : i + len(vague)]) == vague:
            return replace(found, vague=True), i + len(vague), False
    return None
