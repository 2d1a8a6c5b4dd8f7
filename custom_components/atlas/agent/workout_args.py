"""``log_workout`` arguments from the words of a request, one set per activity said.

"I ran 5k in 28 minutes" → a run with its distance and duration; "20 minutes on the bike and
then 3 sets of 10 pull ups" → two logs; "did a spin class" → the class, with no amount. The
amounts (durations, distances, clock times) are read first and masked out, so that no distance
is ever read as reps of "miles"; then the activities (sets of reps, counts of an exercise, a
class, activity words); each amount goes to the activity it was said with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from .activities import CLASS, WORD_PATTERN, WORDS, Activity, of_kind
from .numbers import NUM, number


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_A_COUNT: Final = frozenset({"a", "an"})
# Words that follow a number but name no exercise.
_NOT_AN_EXERCISE: Final = _words(
    "times more of the a an and or to in at on for with this that my your so am pm o'clock "
    "percent kg kgs kilos kilo pounds lbs lb calories cals kcal bpm days day weeks week "
    "years year reps rep sets set rounds round seconds secs second x hours hour minutes "
    "minute mins min k km kms miles mile metres meters m degrees floors"
)
# Words that end an exercise's name ("20 push ups this morning").
_STOP: Final = _words(
    "and then in at on for with this that today yesterday earlier tonight before after "
    "during each per a an the my so um uh like please too also plus followed this morning "
    "evening afternoon night last while which it i we again now just about around roughly ish "
    "approximately or of em took"
)
_NUMBER: Final = re.compile(NUM)
_NAME: Final = r"(?P<name>[a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,3})"
_SETS: Final = re.compile(
    rf"\b(?P<sets>{NUM})\s*(?:(?:sets?|rounds?)\s+of|x|\u00d7|by)\s*(?P<reps>{NUM})\b"
    rf"(?:\s+(?:reps?\s+)?(?:(?:of|on|with)\s+(?:the\s+)?)?{_NAME})?"
)
# Sets said another way: "100 sit ups in sets of 25", "30 kettlebell swings times 3".
_IN_SETS_OF: Final = re.compile(
    rf"\b(?P<total>{NUM})\s+(?P<name>[a-z][a-z' -]*?)\s+in\s+sets\s+of\s+(?P<reps>{NUM})\b"
)
_TIMES_SETS: Final = re.compile(
    rf"\b(?P<reps>{NUM})\s+(?P<name>[a-z][a-z' -]*?)\s+(?:times|x)\s+(?P<sets>{NUM})\b"
)
# "twelve burpees five rounds": the rounds said after the exercise.
_ROUNDS_AFTER: Final = re.compile(
    rf"\b(?P<reps>{NUM})\s+(?P<name>[a-z][a-z' -]*?)[,\s]+(?P<sets>{NUM})\s+(?:rounds|sets)\b"
    r"(?!\s+of)"
)


# The count said after its exercise: "sit ups thirty", "pushups, uh, twenty five".
_COUNTED_MOVES: Final = sorted((word for word, a in WORDS.items() if a.counted), key=len)[::-1]
_COUNT_AFTER: Final = re.compile(
    r"\b(?P<move>" + "|".join(map(re.escape, _COUNTED_MOVES)) + r")[,\s]+"
    r"(?:(?:uh|um|er)[,\s]+)?(?:like\s+|about\s+)?"
    rf"(?P<count>{NUM})\b(?!\s*(?:sets?|rounds?|minutes?|mins?|times|x|by)\b)"
)
_COUNTED_BEFORE: Final = re.compile(rf"{NUM}\s+$")


def _count_first(match: re.Match[str]) -> str:
    """ "sit ups thirty" said as "thirty sit ups" (unless a count already precedes the move:
    "twenty push ups thirty squats")."""
    if _COUNTED_BEFORE.search(match.string, 0, match.start()):
        return match.group(0)
    return f"{match['count']} {match['move']}"


_HOUR_LONG: Final = re.compile(r"\b(?:an?\s+)?hour[\s-]+long\b")
_TOOK: Final = re.compile(
    rf"\btook(?:\s+me)?\s+(?P<n>(?>{NUM}))\b(?!\s*(?:k|km|miles?|minutes?|mins?|hours?|hrs?)\b)"
)


def _as_sets(match: re.Match[str]) -> str:
    """The match said as "<sets> sets of <reps> <name>" (unchanged when it does not divide)."""
    reps = number(match["reps"])
    if "total" in match.groupdict():
        total = number(match["total"])
        if not reps or total % reps:
            return match.group(0)
        sets = total / reps
    else:
        sets = number(match["sets"])
    return f"{sets:g} sets of {reps:g} {match['name']}"


_LAPS: Final = re.compile(rf"\b(?P<laps>{NUM})\s+(?:lengths|laps)\b")
# "stretching for ten": a bare number after "for" that ends the phrase is minutes.
_FOR_MINUTES: Final = re.compile(
    rf"\bfor\s+(?P<minutes>{NUM})(?=\s*(?:$|[,.;!?]|(?:and|then|this|today|tonight|yesterday"
    r"|earlier|before|after|at)\b))"
    rf"|\bin\s+(?P<flat>{NUM})\s+flat\b"  # "five k in twenty four flat"
)
_TEEN_HUNDREDS: Final = re.compile(
    r"\b(eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
    r"\s+hundred\b"
)
# A count after "with", "my" or "the" is company, not reps ("ran with 3 friends").
_REPS: Final = re.compile(
    rf"(?<!with )(?<!my )(?<!the )\b(?P<reps>{NUM})\s+(?:reps?\s+(?:of\s+)?)?{_NAME}"
)
# "an hour ten", "one hour fifty two": the minutes after hours, said without their unit.
_BARE_MINUTES: Final = (
    r"(?=\s*(?:$|[,.!?]|(?:this|today|yesterday|last|on|at|before|after|then|and|so|tonight"
    r"|earlier|round|around|at|in|flat|or|ish)\b))"
)
_DURATION: Final = re.compile(
    rf"\b(?:(?P<hours>{NUM})(?P<half>\s+and\s+a\s+half)?[\s-]*(?:hours?|hrs?)\b"
    r"(?:\s+and\s+(?P<part>a\s+half|a\s+quarter|three\s+quarters)\b)?"
    rf"(?:\s*(?:and\s+)?(?P<extra>(?>{NUM}))(?:[\s-]*(?:minutes?|mins?)\b|{_BARE_MINUTES}))?"
    rf"|(?P<minutes>{NUM})[\s-]*(?:minutes?|mins?)\b"
    r"|(?P<half_hour>half[\s-]+(?:an\s+)?hour)\b)"
)
_DISTANCE: Final = re.compile(
    rf"\b(?P<value>{NUM})\s*(?P<unit>kilomet(?:er|re)s?|km|kms|k|klicks?|miles?|mi"
    r"|met(?:er|re)s?|m)\b(?!\s+steps)"
)
# A time said as hours and minutes after a distance: "twenty one k in one fifty eight" (1:58).
_UNIT_WORDS: Final = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_HOURS_MINUTES: Final = re.compile(
    r"\bin\s+(?P<h>one|two|three|four|five|six)\s+(?P<m>(?:oh\s+)?"
    + _UNIT_WORDS
    + r"|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|(?:twenty|thirty|forty|fifty)(?:[\s-]+" + _UNIT_WORDS + r")?)\b"
    r"(?!\s*(?:minutes?|mins?|hours?|k|km|miles?|kilomet\w*|met(?:er|re)s?|[ap]m)\b)"
)
_MARATHON: Final = re.compile(r"\b(?P<half>half[\s-]+)?marathon\b")
_THOUSANDS: Final = re.compile(r"(?<=\d),(?=\d{3}\b)|(?<=\d)k(?=\s+steps)")
_CLOCK: Final = re.compile(
    r"\b(?:at|around|about)\s+(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*"
    r"(?P<half>[ap])?\.?\s?m?\.?(?![a-z])"
)
_PAST_DAY: Final = re.compile(
    r"\b(?P<yesterday>yesterday|last night)\b"
    r"|\b(?:on|last)\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_LATER: Final = re.compile(r"\b(?:afternoon|evening|tonight|night)\b")
_CLASS: Final = re.compile(r"\b(?:(?P<first>[a-z]+)\s+)?(?P<second>[a-z]+)\s+class(?:es)?\b")
_CLASS_FILLERS: Final = _words(
    "a an my the to at went did took had attended our their this that one"
)
_SEPARATOR: Final = re.compile(
    r"[,;.!?]+|\b(?:and then|then|after that|afterwards|followed by|plus|as well as|and also"
    r"|and)\b"
)
# The words an activity is said with, in their base form: the ``exercise`` as said ("ran" →
# "run"); the log files it under its activity's name ("running").
_BASE: Final = {
    "ran": "run", "runs": "run", "rode": "ride", "swam": "swim", "swims": "swim", "swum": "swim",
    "jogged": "jog", "jogs": "jog", "jogging": "jog", "biked": "bike", "biking": "bike",
    "hiked": "hike", "walked": "walk", "walks": "walk", "cycled": "cycling", "cycle": "cycling",
    "lifted": "weights", "lifting": "weights", "weight training": "weights",
    "danced": "dancing", "dance": "dancing", "rowed": "rowing",
    "row": "rowing", "rower": "rowing", "rowing machine": "rowing", "treadmill": "run",
    "peloton": "ride",
    "pool": "swim", "footy": "football", "stair climber": "stairs", "stairmaster": "stairs",
    "stair master": "stairs", "stair climbing": "stairs", "climbed": "climbing",
    "stretched": "stretching", "stretches": "stretching",
    "stretch": "stretching", "strolled": "stroll", "skipped": "skipping", "worked out": "workout",
    "work out": "workout", "working out": "workout", "trained": "training",
    "exercised": "exercise",
}  # fmt: skip
_KM_UNITS: Final = {"k": "km", "km": "km", "kms": "km", "klick": "km", "klicks": "km"}


@dataclass
class _Mention:
    """An activity said at ``start``, with the amounts given to it."""

    start: int
    exercise: str
    activity: Activity | None = None
    amounts: dict[str, Any] = field(default_factory=dict)

    def takes(self, key: str) -> bool:
        """Whether an amount of ``key`` (duration_minutes, distance, sets, laps as reps) may
        go to it: reps and sets to an exercise, laps and a distance to a session."""
        counted = self.activity is None or self.activity.counted
        if key in self.amounts:
            return False
        if key == "sets":
            return counted
        if key == "reps":
            return not counted
        return not (key == "distance" and "reps" in self.amounts)


@dataclass
class _Reading:
    """The request with what was read so far blanked out."""

    text: str
    amounts: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    mentions: list[_Mention] = field(default_factory=list)

    def take(self, match: re.Match[str]) -> None:
        """Blank ``match`` out, so no later pattern reads it again."""
        self.blank(*match.span())

    def blank(self, start: int, end: int) -> None:
        """Blank the text from ``start`` to ``end``."""
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]


_QUOTES: Final = re.compile("[\u2019`]")
_IN_ONE_GO: Final = re.compile(r"\b(?:in|at) (?:one|a single) (?:go|sitting|set)\b")


def log_calls(text: str, types: list[str]) -> list[dict[str, Any]] | None:
    """One ``log_workout`` argument set per activity said; None when no activity can be read."""
    lower = _THOUSANDS.sub(lambda m: "" if m.group() == "," else "000", text.lower())
    lower = _IN_ONE_GO.sub(" ", _QUOTES.sub("'", lower))
    lower = _TEEN_HUNDREDS.sub(lambda m: str(int(number(m[1]) * 100)), lower)
    lower = _IN_SETS_OF.sub(_as_sets, _TIMES_SETS.sub(_as_sets, lower))
    lower = _ROUNDS_AFTER.sub(_as_sets, lower)
    lower = _COUNT_AFTER.sub(_count_first, lower)
    lower = _TOOK.sub(lambda m: f"in {m['n']} minutes", _HOUR_LONG.sub("60 minute", lower))
    reading = _Reading(lower)
    day, clock, clock_at = _when(reading)
    _read_amounts(reading)
    starts = _segments(reading.text)  # "an hour and a half" is read: its "and" splits nothing
    _read_exercises(reading)
    _read_activities(reading)
    mentions = sorted(reading.mentions, key=lambda m: m.start)
    if not mentions and types:
        mentions = [_Mention(-1, of_kind(types[0]).keyword, of_kind(types[0]))]
    kinds = {kind for _, kind, _ in reading.amounts}
    if not mentions and "laps" in kinds:
        mentions = [_Mention(-1, "swimming", WORDS["swimming"])]
    if not mentions and "distance" in kinds:
        mentions = [_Mention(-1, "running", WORDS["running"])]
    if not mentions:
        return None
    _attach(reading.amounts, mentions, starts)
    said_at = _segment(clock_at, starts)
    merged = _merged(mentions, starts)
    calls = []
    for mention in merged:
        args: dict[str, Any] = {"exercise": mention.exercise, **mention.amounts}
        # A clock time belongs to the activity said with it; a day to them all.
        own = clock if len(merged) == 1 or _segment(mention.start, starts) == said_at else None
        if time := " ".join(part for part in (day, own) if part):
            args["time"] = time
        calls.append(args)
    return calls


def _count(word: str) -> int | None:
    """A count of sets or reps: a whole number, said as one ("a" is no count here)."""
    if word in _NOT_A_COUNT:
        return None
    value = number(word)
    return int(value) if value.is_integer() and value >= 1 else None


def _when(reading: _Reading) -> tuple[str | None, str | None, int]:
    """The past day ("yesterday", "sunday") and the clock time ("07:30") the workout was
    done, for ``log_workout``'s ``time``, and where the clock time was said."""
    clock, clock_at = None, 0
    for match in _CLOCK.finditer(reading.text):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if match["half"] is None and match["minute"] is None:
            continue  # "at 7": am or pm is unsure, and "about 5" may be a count
        if match["half"] is not None and 1 <= hour <= 12:
            hour = hour % 12 + (12 if match["half"] == "p" else 0)
        elif hour < 12 and _LATER.search(reading.text):
            hour += 12  # "7:30 this evening"
        if hour < 24 and minute < 60:
            clock, clock_at = f"{hour:02d}:{minute:02d}", match.start()
            reading.take(match)
            break
    day = None
    if said := _PAST_DAY.search(reading.text):
        day = "yesterday" if said["yesterday"] else said["weekday"]
        if said["yesterday"] == "last night" and clock is None:
            clock = "20:00"
    return day, clock, clock_at


def _read_amounts(reading: _Reading) -> None:
    if _DISTANCE.search(reading.text) or _MARATHON.search(reading.text):
        for match in list(_HOURS_MINUTES.finditer(reading.text)):
            said = number(match["h"]) * 60 + number(match["m"].replace("oh ", ""))
            reading.amounts.append((match.start(), "duration", {"duration_minutes": said}))
            reading.take(match)
    for match in list(_DURATION.finditer(reading.text)):
        if match["half_hour"]:
            minutes = 30.0
        elif match["minutes"]:
            minutes = number(match["minutes"])
        else:
            part = " ".join((match["part"] or "").split())
            hours = number(match["hours"]) + (0.5 if match["half"] else 0)
            hours += {"a half": 0.5, "a quarter": 0.25, "three quarters": 0.75}.get(part, 0)
            minutes = hours * 60 + (number(match["extra"]) if match["extra"] else 0)
        reading.amounts.append((match.start(), "duration", {"duration_minutes": float(minutes)}))
        reading.take(match)
    for match in list(_FOR_MINUTES.finditer(reading.text)):
        counted = match["minutes"] or match["flat"]
        if counted not in _NOT_A_COUNT and 1 <= (said := number(counted)) <= 300:
            reading.amounts.append((match.start(), "duration", {"duration_minutes": said}))
            reading.take(match)
    for match in list(_LAPS.finditer(reading.text)):
        if laps := _count(match["laps"]):
            reading.amounts.append((match.start(), "laps", {"reps": laps}))
            reading.take(match)
    for match in list(_MARATHON.finditer(reading.text)):
        value = 21.1 if match["half"] else 42.2
        reading.amounts.append(
            (match.start(), "distance", {"distance": value, "distance_unit": "km"})
        )
        reading.mentions.append(_Mention(match.start(), "running", WORDS["running"]))
        reading.take(match)
    for match in list(_DISTANCE.finditer(reading.text)):
        unit = _unit(match["unit"], match["value"])
        if unit is None:
            continue
        value = number(match["value"])
        reading.amounts.append(
            (match.start(), "distance", {"distance": value, "distance_unit": unit})
        )
        reading.take(match)


def _unit(said: str, value: str) -> str | None:
    if said in _KM_UNITS or said.startswith("kilomet"):
        return "km"
    if said.startswith("mi"):
        return "mi"
    if said == "m" and (not value[0].isdigit() or float(value) < 100):
        return None  # "20m" may be minutes; "800m" is metres
    return "m"


def _name(said: str) -> str | None:
    """The exercise's name from the words after a count, or None if they name none."""
    words: list[str] = []
    for word in said.split():
        if word in _STOP or _NUMBER.fullmatch(word) or (not words and word in _NOT_AN_EXERCISE):
            break
        words.append(word)
    if not words or words[0] in _NOT_AN_EXERCISE:
        return None
    first = WORDS.get(words[0])
    if first is not None and not first.counted:
        return None  # "2 yoga classes", "3 runs": sessions, not reps
    return " ".join(words)


def _read_exercises(reading: _Reading) -> None:
    """Sets of reps and counts of an exercise: "3 sets of 12 squats", "20 push ups"; sets
    said after their exercise ("kettlebell swings, five sets of twenty") are an amount."""
    for pattern in (_SETS, _REPS):
        position = 0
        while match := pattern.search(reading.text, position):
            position = match.end("reps")
            reps = _count(match["reps"])
            sets = _count(match["sets"]) if pattern is _SETS else 1
            name = _name(match["name"]) if match["name"] else None
            if not reps or not sets:
                continue
            if name is None:
                if pattern is _SETS:
                    reading.amounts.append((match.start(), "sets", {"sets": sets, "reps": reps}))
                    reading.blank(match.start(), position)
                continue
            amounts = {"sets": sets, "reps": reps} if pattern is _SETS else {"reps": reps}
            reading.mentions.append(_Mention(match.start(), name, WORDS.get(name), amounts))
            position = match.start("name") + len(name)
            reading.blank(match.start(), position)


def _read_activities(reading: _Reading) -> None:
    """Classes ("a spin class") and activity words ("ran", "on the bike", "yoga")."""
    for match in list(_CLASS.finditer(reading.text)):
        words = [w for w in (match["first"], match["second"]) if w and w not in _CLASS_FILLERS]
        said = " ".join(words)
        activity = WORDS.get(said) or (WORDS.get(words[-1]) if words else None)
        if activity is not None and not activity.weak:
            mention = _Mention(match.start(), activity.keyword, activity)  # "spin", "yoga"
        else:
            mention = _Mention(match.start(), f"{words[-1]} class" if words else "class", CLASS)
        reading.mentions.append(mention)
        reading.take(match)
    found = [
        _Mention(match.start(), _BASE.get(word, word), activity)
        for match in WORD_PATTERN.finditer(reading.text)
        if not (activity := WORDS[word := match.group(1)]).weak
        and not _in_a_row(reading.text, match)
    ]
    if not found and not reading.mentions:
        found = [
            _Mention(match.start(), _BASE.get(word, word), activity)
            for match in WORD_PATTERN.finditer(reading.text)
            if (activity := WORDS[word := match.group(1)]).weak
        ][:1]
    reading.mentions.extend(found)


def _in_a_row(text: str, match: re.Match[str]) -> bool:
    return match.group(1) == "row" and text[: match.start()].endswith("in a ")


def _segments(text: str) -> list[int]:
    """Where each part of the sentence (between "and then", commas…) starts."""
    return [0, *(match.end() for match in _SEPARATOR.finditer(text))]


def _segment(position: int, starts: list[int]) -> int:
    return max(i for i, start in enumerate(starts) if start <= max(position, 0))


def _attach(
    amounts: list[tuple[int, str, dict[str, Any]]], mentions: list[_Mention], starts: list[int]
) -> None:
    """Give each duration and distance to the activity it was said with: one in its part of
    the sentence (the nearest before it, else after it), else the nearest part's."""
    for position, _, values in sorted(amounts, key=lambda a: a[0]):
        key = next(iter(values))
        here = _segment(position, starts)

        def rank(mention: _Mention, here: int = here, position: int = position) -> tuple[int, ...]:
            part = _segment(mention.start, starts)
            before = mention.start <= position
            if part == here:
                return (0, 0 if before else 1, abs(mention.start - position))
            return (1, abs(part - here), 0 if part < here else 1)

        for mention in sorted(mentions, key=rank):
            if mention.takes(key):
                mention.amounts.update(values)
                break


def _merged(mentions: list[_Mention], starts: list[int]) -> list[_Mention]:
    """Mentions of the same activity one after another are one log ("went for a run, ran
    5k"), unless both have the same amount."""
    merged: list[_Mention] = []
    for mention in mentions:
        last = merged[-1] if merged else None
        if (
            last is not None
            and not last.amounts
            and "reps" in mention.amounts
            and _segment(last.start, starts) == _segment(mention.start, starts)
        ):
            merged[-1] = mention  # "swam 40 lengths", "did calisthenics: 20 push ups"
            continue
        same = next(
            (
                earlier
                for earlier in merged
                if earlier.activity is not None
                and earlier.activity == mention.activity
                and (earlier is last or not earlier.amounts or not mention.amounts)
                and not earlier.amounts.keys() & mention.amounts.keys()
            ),
            None,
        )  # "a run and a swim, the run was five k": the run named again is the same run
        if same is not None:
            same.amounts.update(mention.amounts)
            continue
        merged.append(mention)
    return merged
