"""``set_reminder`` and ``cancel_reminder`` arguments from the words of a request.

"remind me at eight tomorrow night to put the bins out" → ``{"text": "put the bins out",
"due": {"day": "tomorrow", "time": "20:00"}}``; "… in forty minutes" → ``{"in_minutes": 40}``.
An hour without am/pm is the next one still ahead (7-11 in the morning first, 1-6 in the
afternoon first) unless a part of the day says which. :func:`read_reminder` also says what is
missing or impossible, for the one clarifying question (``clarify.py``). Standard library only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from .time_words import DAY_SAID, WEEKDAYS, Clock, TimeWords, read_times, tokens

MAX_AHEAD: Final = timedelta(days=366)
# Plain sentences for a time that cannot be (said before the question that asks again).
PASSED: Final = "That time has already passed."
TOO_FAR: Final = "I can only set reminders up to a year ahead."
NOT_A_TIME: Final = "I didn't catch a time I can use."
NO_SUCH_DATE: Final = "That date doesn't exist."

_LEAD: Final = re.compile(
    r"^.*?\b(?:remind(?:ing)?(?:\s+(?:me|us))?|reminders?|nudge\s+me|ping\s+me|alert\s+me"
    r"|give\s+me\s+a\s+(?:shout|nudge|buzz|ping|heads\s+up)|(?:i\s+)?need\s+a\s+nudge"
    r"|(?:don't|dont|do\s+not)\s+(?:let\s+me\s+)?forget|make\s+sure\s+i\s+(?:remember|don't"
    r"\s+forget))\b",
    re.IGNORECASE,
)
_LEAD_WORD: Final = re.compile(r"\b(?:so|and)?\s*(?:please\s+)?remind", re.IGNORECASE)
_SAID_FIRST: Final = re.compile(
    r"^(?:i\s+(?:need|have|want|ought|must|gotta|got)\s+(?:to\s+)?|i've\s+got\s+to\s+"
    r"|i\s+must\s+)",
    re.IGNORECASE,
)
_SUBJECT_HEAD: Final = re.compile(
    r"^(?:(?:to|about|that|of|for|me|us|please|just|again|so|like|on|at|in|and|then|with"
    r"|up|set|a|an)(?:\s+|$))+",
    re.IGNORECASE,
)
_SUBJECT_TAIL: Final = re.compile(
    r"(?:\s+(?:please|thanks|thank\s+you|cheers|ok(?:ay)?|yeah|so\s+yeah|if\s+you\s+(?:can|could"
    r"|would|don't\s+mind)|(?:would|will|could|can)\s+you|for\s+me|as\s+well|too|then|and|on"
    r"|at|by|for|in|to|the|this|mate|alright|right))+$",
    re.IGNORECASE,
)
_CANCEL_VERB: Final = (
    r"(?:cancel|delete|remove|clear|scrap|drop|get\s+rid\s+of|turn\s+off|switch\s+off|disable"
    r"|dismiss|forget(?:\s+about)?|erase|ditch|bin|kill|nix|never\s+mind|(?:don't|do\s+not"
    r"|no\s+longer)\s+need)"
)
_CANCEL_ABOUT: Final = re.compile(
    r"\b(?:reminders?|one)\s+(?:about|for|to|that\s+says|saying|called|of|re)\s+(?P<what>.+)$"
)
_CANCEL_NO_MORE: Final = re.compile(
    r"\b(?:don't|dont|do\s+not|stop|no\s+need\s+to|no\s+longer\s+need\s+to)\s+remind(?:ing)?"
    r"\s+me\s+(?:to|about|of)\s+(?P<what>.+)$"
)
_CANCEL_NAMED: Final = re.compile(
    rf"\b{_CANCEL_VERB}\s+(?:the|my|that|this|your|our)?\s*(?P<what>.+?)\s+(?:reminder|one)\b"
)
_CANCEL_DONE: Final = re.compile(
    rf"^(?P<what>.+?)\s*(?:\bso\b|\band\b|,|\b(?:can|could|would|will)\s+you\b)\s+.*"
    rf"\b(?:{_CANCEL_VERB}|take)\b.*\b(?:reminder|it|one)\b"
)
_CANCEL_CUT: Final = re.compile(
    r"\s+(?:so|because|as|since|please|thanks|cheers|now|anymore|any\s+more|i\s+(?:don't|do\s+not"
    r"|no\s+longer|already|just)|it's|its|i've|we)\b.*$"
)
_CANCEL_HEAD: Final = re.compile(
    r"^(?:(?:the|my|a|an|that|this|those|these|your|our|i|i've|i\s+have|already|just|we|we've"
    r")\s+)+"
)
_CANCEL_TAIL: Final = re.compile(r"(?:\s+(?:reminders?|one|please|for\s+me|too|then|thanks))+$")
_ALL: Final = re.compile(r"\b(?:all|every|everything|reminders)\b")


@dataclass(frozen=True)
class ReminderRequest:
    """What a reminder request said: its subject, its time words and what they resolve to."""

    text: str  # the subject ("" when none was said)
    times: TimeWords
    when: dict[str, Any] | None = None  # {"due": {"day", "time"}} or {"in_minutes": N}
    problem: str | None = None  # a plain sentence when the time said cannot be

    @property
    def args(self) -> dict[str, Any] | None:
        """Complete ``set_reminder`` arguments, or None while something is missing."""
        if not self.text or self.when is None or self.problem:
            return None
        return {"text": self.text, **self.when}


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now().astimezone()


def read_reminder(text: str, now: datetime | None = None) -> ReminderRequest | None:
    """The reminder a request asks for (None: no reminder words, the model should read it)."""
    now = _now(now)
    times = read_times(text, now.date())
    rest = " ".join(times.rest)
    lead = _LEAD.match(rest)
    if lead is None:
        return None
    said = subject(rest[lead.end() :])
    if not said:  # "at noon i need to take my tablets so remind me": the subject comes first
        before = _LEAD_WORD.search(rest)
        said = subject(_SAID_FIRST.sub("", rest[: before.start()] if before else ""))
    return resolve(said, times, now)


def reminder_args(text: str, now: datetime | None = None) -> dict[str, Any] | None:
    """``set_reminder`` arguments from "remind me to stretch at 5 pm", "... in forty minutes";
    None when the subject or a usable time is missing (``clarify.py`` asks for it)."""
    request = read_reminder(text, now)
    return None if request is None else request.args


def subject(words: str) -> str:
    """The subject of a reminder without its leading "to"/"about" and trailing courtesies."""
    words = " ".join(words.split())
    before = None
    while before != words:
        before = words
        words = _SUBJECT_TAIL.sub("", _SUBJECT_HEAD.sub("", words)).strip(" :-")
    words = re.sub(r"^by\b", "buy", words, flags=re.IGNORECASE)  # "remind me to by milk"
    return words if re.search(r"\w", words) else ""


def resolve(text: str, times: TimeWords, now: datetime) -> ReminderRequest:
    """The request with its time words resolved against ``now`` (or what is wrong with them)."""
    when, problem = _when(times, now)
    return ReminderRequest(text=text, times=times, when=when, problem=problem)


def _when(times: TimeWords, now: datetime) -> tuple[dict[str, Any] | None, str | None]:
    if times.in_minutes is not None:
        minutes = times.in_minutes
        if not math.isfinite(minutes) or minutes <= 0:
            return None, NOT_A_TIME
        if minutes > MAX_AHEAD.total_seconds() / 60:
            return None, TOO_FAR
        return {"in_minutes": int(minutes) if minutes == int(minutes) else round(minutes, 2)}, None
    if times.day == "":
        return None, NO_SUCH_DATE
    if times.clock is None:
        return None, None
    if not times.clock.valid:
        return None, NOT_A_TIME
    said = _day_date(times.day, now.date()) if times.day else None
    if said is not None and said - now.date() > MAX_AHEAD:
        return None, TOO_FAR
    if said is None:
        days = [now.date(), now.date() + timedelta(days=1)]
    else:  # a weekday is today's while its time is ahead, else next week's
        days = [said, said + timedelta(days=7)] if times.day in WEEKDAYS else [said]
    for day in days:
        for hour in _hours(times.clock, times.period):
            due = datetime.combine(day, time(hour % 24, times.clock.minute), tzinfo=now.tzinfo)
            due += timedelta(days=hour // 24)
            if due > now:
                if due - now > MAX_AHEAD:
                    return None, TOO_FAR
                keep = times.day if times.day and due.date() == day else None
                return {"due": {"day": keep or _day_name(due.date(), now.date()),
                                "time": f"{due:%H:%M}"}}, None  # fmt: skip
    return None, PASSED


def _hours(clock: Clock, period: str | None) -> list[int]:
    """The hours (24 and up: the next day) ``clock`` may mean, the likeliest first."""
    hour = clock.hour
    if hour in {0, 24} or hour > 12:
        return [24 if hour == 0 and clock.minute == 0 and clock.half is None else hour]
    twelve = hour % 12
    if clock.half == "am" or period == "morning":
        return [twelve]
    if clock.half == "pm" or period in ("afternoon", "evening"):
        return [twelve + 12]
    if period == "night":
        return [twelve + 24] if twelve < 5 else [twelve + 12]
    if hour == 12:
        return [12, 24]
    return [twelve + 12, twelve] if 1 <= hour <= 6 else [twelve, twelve + 12]


def _day_date(day: str, today: date) -> date:
    if day == "today":
        return today
    if day == "tomorrow":
        return today + timedelta(days=1)
    if day in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(day) - today.weekday()) % 7)
    return date.fromisoformat(day)


def _day_name(day: date, today: date) -> str:
    ahead = (day - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    return WEEKDAYS[day.weekday()] if ahead < 7 else day.isoformat()


# --- cancel_reminder ---------------------------------------------------------------------------


def cancel_subject(text: str) -> str | None:
    """The words naming the reminder to cancel ("" when none are said; None: not a cancel of
    one reminder by its words, such as "clear all my reminders")."""
    said = " ".join(w.lower() for w in tokens(text)).replace("\u2019", "'")
    for pattern in (_CANCEL_NO_MORE, _CANCEL_ABOUT, _CANCEL_NAMED, _CANCEL_DONE):
        if (match := pattern.search(said)) is not None and (what := cancel_words(match["what"])):
            return what
    return None if _ALL.search(said) else ""


def cancel_words(found: str) -> str:
    """The words that name a reminder, without "the", "my", "reminder", "one", times, fillers."""
    found = " ".join(w.lower() for w in tokens(found))
    what = _CANCEL_CUT.sub("", found)
    what = _CANCEL_TAIL.sub("", _CANCEL_HEAD.sub("", what)).strip()
    if re.fullmatch(r"(?:it|that|this|the|my|those|these|a|one)?", what):
        return ""
    times = read_times(what, date.today())
    left = " ".join(times.rest[: times.before] or times.rest)  # the words before a time
    return _CANCEL_HEAD.sub("", subject(left)).strip() if left else ""


# Words that say "cancel" or fill the sentence, never a reminder's subject.
_NOISE_WORDS: Final = (
    "cancel cancelled delete remove clear scrap scratch drop ditch kill nix axe lose "
    "erase unset undo forget forgot stop get got rid off take knock head on the a an my that "
    "this it one thing reminder reminders remind reminding reminded alert list nag nagging "
    "about for of to me you can could would will please thanks thank cheers so yeah yes ok "
    "okay um uh just already i i've i'm im dont don't do not no need needs point bother want "
    "wanna anymore any more now again be is was are that's sorted done did have has sure "
    "mistake whoops oops by hey atlas away there in at with and but if because as since we "
    "it's its your our"
)
_CANCEL_NOISE: Final = frozenset(_NOISE_WORDS.split())


def cancel_args(text: str) -> dict[str, Any] | None:
    """``cancel_reminder`` arguments from "scrap the bins reminder", "cancel my reminder about
    calling mum", "scratch tomorrow's reminder": the words naming the reminder (the phrase that
    names it, else every word of the request that is no cancel or filler word) and the day said;
    None when neither is said (ATLAS then asks which one)."""
    said = text.lower().replace("\u2019", "'")
    day_match = DAY_SAID.search(said)
    day = None if day_match is None else day_match.group(1).replace("tonight", "today")
    what = cancel_subject(text)
    if what:
        what = DAY_SAID.sub("", what).strip()
    if not what and what is not None:
        words = [w for w in re.findall(r"[a-z']+", DAY_SAID.sub(" ", said))]
        what = " ".join(w for w in words if w not in _CANCEL_NOISE and len(w) > 1)
    args: dict[str, Any] = {}
    if what:
        args["text"] = what
    if day:
        args["day"] = day
    return args or None


_WEEKEND = re.compile(r"\bweekend\b")
_WEEK = re.compile(r"\b(?:this|the|next seven days|coming) week\b|\bfor the week\b")


_NEXT_ONE: Final = re.compile(r"\b(?:next|soonest|first) (?:reminder|one)\b(?!s)")


def list_args(text: str, slots: dict[str, Any]) -> dict[str, Any]:
    """``list_reminders`` arguments: the day or period asked ("any reminders for friday")."""
    lower = text.lower()
    if _NEXT_ONE.search(lower):
        return {"period": "next"}
    if _WEEKEND.search(lower):
        return {"period": "weekend"}
    if slots.get("day"):
        return {"day": slots["day"]}
    if _WEEK.search(lower):
        return {"period": "week"}
    return {}
