"""Reminders: a stored to-do list whose items notify when due, and the agent's reminder tools.

A reminder fires once at its due time (or, if Home Assistant was down then, once when it is
back): a persistent notification, an ``atlas_reminder_due`` event and, when chosen in the
entry's options, a message to a notify entity. None of it needs the GPU box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, TypedDict

import probatio
from homeassistant.components import persistent_notification
from homeassistant.components.notify.const import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.components.notify.const import DOMAIN as NOTIFY_DOMAIN
from homeassistant.components.todo.const import TodoItemStatus
from homeassistant.components.todo.entity import TodoItem
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import llm
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util import ulid as ulid_util
from homeassistant.util.json import JsonObjectType

from ..agent.activities import duration
from ..agent.time_words import day_date
from ..const import CONF_REMINDER_NOTIFY_ENTITY, DOMAIN, EVENT_REMINDER_DUE, LOGGER
from ..listeners import ChangeListeners
from .api import AtlasTool, SkillError
from .time_parse import (
    WEEKDAYS,
    TimeParseError,
    due_time,
    parse_time,
    relative_time,
    spoken_time,
    twelve_hour_clock,
)

STORAGE_VERSION = 1
NOTIFICATION_TITLE = "ATLAS reminder"


class StoredReminder(TypedDict):
    """A reminder as stored (ISO 8601 UTC times)."""

    uid: str
    summary: str
    due: str | None
    description: str | None
    completed: str | None
    fired: str | None


class StoredReminders(TypedDict):
    """The stored reminders of one entry, in list order."""

    items: list[StoredReminder]


def _parse(value: str | None) -> datetime | None:
    if value is None:
        return None
    return dt_util.as_utc(dt_util.parse_datetime(value, raise_on_error=True))


def _format(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass
class Reminder:
    """One reminder; its times are aware UTC datetimes."""

    uid: str
    summary: str
    due: datetime | None
    description: str | None = None
    completed: datetime | None = None
    fired: datetime | None = None  # when it notified; a reminder fires once

    @property
    def pending(self) -> bool:
        """Waiting to fire: it has a due time, is not completed and has not fired."""
        return self.due is not None and self.completed is None and self.fired is None

    @property
    def notification_id(self) -> str:
        """Its persistent notification."""
        return f"{DOMAIN}_reminder_{self.uid}"

    def as_todo_item(self) -> TodoItem:
        """The to-do item the list entity shows (times local)."""
        return TodoItem(
            uid=self.uid,
            summary=self.summary,
            status=TodoItemStatus.COMPLETED if self.completed else TodoItemStatus.NEEDS_ACTION,
            due=None if self.due is None else dt_util.as_local(self.due),
            description=self.description,
            completed=None if self.completed is None else dt_util.as_local(self.completed),
        )

    def as_stored(self) -> StoredReminder:
        """What the store keeps."""
        return StoredReminder(
            uid=self.uid,
            summary=self.summary,
            due=_format(self.due),
            description=self.description,
            completed=_format(self.completed),
            fired=_format(self.fired),
        )

    @classmethod
    def from_stored(cls, data: StoredReminder) -> Reminder:
        """A reminder read back from the store."""
        return cls(
            uid=data["uid"],
            summary=data["summary"],
            due=_parse(data["due"]),
            description=data["description"],
            completed=_parse(data["completed"]),
            fired=_parse(data["fired"]),
        )

    def as_tool_result(self, now: datetime, *, twelve_hour: bool = False) -> JsonObjectType:
        """What the agent's tools say about it: local due time and words to speak."""
        result: JsonObjectType = {"uid": self.uid, "text": self.summary}
        if self.due is not None:
            result["due"] = dt_util.as_local(self.due).isoformat()
            result["when"] = spoken_time(self.due, now, twelve_hour=twelve_hour)
        if self.description:
            result["description"] = self.description
        return result


class ReminderManager(ChangeListeners):
    """The reminders of one ATLAS entry: stored, armed with timers and fired."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Keep the reminders in ``atlas.<entry_id>.reminders``."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self._store: Store[StoredReminders] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.reminders"
        )
        self._reminders: dict[str, Reminder] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._armed = False

    @property
    def reminders(self) -> list[Reminder]:
        """Every reminder, in list order."""
        return list(self._reminders.values())

    def upcoming(self) -> list[Reminder]:
        """The reminders still to fire, soonest first."""
        pending = [r for r in self._reminders.values() if r.pending]
        return sorted(pending, key=lambda r: r.due or dt_util.utcnow())

    def get(self, uid: str) -> Reminder:
        """The reminder ``uid``; a validation error if there is none."""
        if (reminder := self._reminders.get(uid)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="reminder_not_found",
                translation_placeholders={"uid": uid},
            )
        return reminder

    async def async_load(self) -> None:
        """Read the stored reminders."""
        data = await self._store.async_load()
        for stored in (data or StoredReminders(items=[]))["items"]:
            reminder = Reminder.from_stored(stored)
            self._reminders[reminder.uid] = reminder

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Arm the reminders once HA has started (overdue ones fire then); undo on unload."""
        unsub_started = async_at_started(self.hass, self._async_arm_all)

        @callback
        def shutdown() -> None:
            unsub_started()
            self._armed = False
            for unsub in self._timers.values():
                unsub()
            self._timers.clear()

        return shutdown

    async def async_create(
        self, summary: str, due: datetime | None, description: str | None = None
    ) -> Reminder:
        """Add a reminder (due ``None``: a plain to-do item that never fires)."""
        reminder = Reminder(
            uid=ulid_util.ulid_now(),
            summary=summary,
            due=None if due is None else dt_util.as_utc(due),
            description=description,
        )
        self._reminders[reminder.uid] = reminder
        await self._async_changed(reminder)
        return reminder

    async def async_update(
        self,
        uid: str,
        *,
        summary: str,
        due: datetime | None,
        description: str | None,
        completed: bool,
    ) -> Reminder:
        """Change a reminder; a new due time re-arms it, completing it disarms it."""
        reminder = self.get(uid)
        new_due = None if due is None else dt_util.as_utc(due)
        if new_due != reminder.due:
            reminder.due, reminder.fired = new_due, None
        reminder.summary = summary
        reminder.description = description
        if not completed:
            reminder.completed = None
        elif reminder.completed is None:
            reminder.completed = dt_util.utcnow()
        await self._async_changed(reminder)
        return reminder

    async def async_delete(self, uids: list[str]) -> None:
        """Remove reminders and their timers and notifications."""
        for uid in uids:
            self.get(uid)
        for uid in uids:
            self._disarm(uid)
            reminder = self._reminders.pop(uid)
            persistent_notification.async_dismiss(self.hass, reminder.notification_id)
        await self._async_commit()

    async def async_move(self, uid: str, previous_uid: str | None) -> None:
        """Move ``uid`` after ``previous_uid`` (first when ``None``)."""
        moved = self.get(uid)
        if previous_uid == uid:
            return
        order = [r for r in self._reminders.values() if r.uid != uid]
        index = 0 if previous_uid is None else order.index(self.get(previous_uid)) + 1
        order.insert(index, moved)
        self._reminders = {r.uid: r for r in order}
        await self._async_commit()

    async def _async_changed(self, reminder: Reminder) -> None:
        await self._async_commit()
        if reminder.completed is not None or reminder.fired is None:
            persistent_notification.async_dismiss(self.hass, reminder.notification_id)
        self._arm(reminder)

    async def _async_commit(self) -> None:
        """Store the reminders, then tell the list entity."""
        await self._store.async_save(
            StoredReminders(items=[r.as_stored() for r in self._reminders.values()])
        )
        self._async_notify()

    @callback
    def _async_arm_all(self, _hass: HomeAssistant) -> None:
        self._armed = True
        for reminder in self._reminders.values():
            self._arm(reminder)

    @callback
    def _arm(self, reminder: Reminder) -> None:
        self._disarm(reminder.uid)
        if not self._armed or not reminder.pending or reminder.due is None:
            return
        if reminder.due <= dt_util.utcnow():  # overdue: fire now
            self.entry.async_create_task(
                self.hass, self._async_fire(reminder.uid, reminder.due), "atlas reminder"
            )
            return
        self._timers[reminder.uid] = async_track_point_in_utc_time(
            self.hass, partial(self._async_fire, reminder.uid), reminder.due
        )

    @callback
    def _disarm(self, uid: str) -> None:
        if (unsub := self._timers.pop(uid, None)) is not None:
            unsub()

    async def _async_fire(self, uid: str, _now: datetime) -> None:
        """Notify once: the fired mark is stored before anything is sent."""
        self._timers.pop(uid, None)
        reminder = self._reminders.get(uid)
        if reminder is None or not reminder.pending or reminder.due is None:
            return
        reminder.fired = dt_util.utcnow()
        await self._async_commit()
        message = reminder.summary
        if reminder.description:
            message = f"{message}\n\n{reminder.description}"
        persistent_notification.async_create(
            self.hass, message, NOTIFICATION_TITLE, reminder.notification_id
        )
        self.hass.bus.async_fire(
            EVENT_REMINDER_DUE,
            {
                "uid": reminder.uid,
                "summary": reminder.summary,
                "due": dt_util.as_local(reminder.due).isoformat(),
                "description": reminder.description,
            },
        )
        if notify_entity := self.entry.options.get(CONF_REMINDER_NOTIFY_ENTITY):
            await self._async_send(notify_entity, reminder.summary)

    async def _async_send(self, entity_id: str, message: str) -> None:
        try:
            await self.hass.services.async_call(
                NOTIFY_DOMAIN,
                SERVICE_SEND_MESSAGE,
                {ATTR_MESSAGE: message, ATTR_TITLE: NOTIFICATION_TITLE},
                target={ATTR_ENTITY_ID: entity_id},
                blocking=True,
            )
        except HomeAssistantError as err:
            LOGGER.warning("Cannot send an ATLAS reminder to %s: %s", entity_id, err)


# --- the agent's tools -------------------------------------------------------------------------


class _ReminderTool(AtlasTool):
    def __init__(self, manager: ReminderManager) -> None:
        self.manager = manager

    def _result(self, reminder: Reminder, now: datetime) -> JsonObjectType:
        """The reminder as the tools return it, its time said in the user's convention."""
        return reminder.as_tool_result(now, twelve_hour=self._twelve_hour)

    def _when(self, reminder: Reminder, now: datetime) -> str:
        if reminder.due is None:
            return "with no time"
        return spoken_time(reminder.due, now, twelve_hour=self._twelve_hour)

    @property
    def _twelve_hour(self) -> bool:
        return twelve_hour_clock(self.manager.hass.config.language)


class SetReminderTool(_ReminderTool):
    """Create a reminder at an absolute or relative time."""

    name = "set_reminder"
    description = (
        "Set a reminder that notifies the user at a time. Give one of: `at` (a clock time or "
        "date-time: '5 pm', '17:30', 'tomorrow 7am', '2026-05-04T17:00'; a clock time already "
        "past today means tomorrow), `due` ({'day': 'tomorrow', 'time': '19:00'}; day is today, "
        "tomorrow, a weekday or a date) or `in_minutes`/`in_hours` (from now). The result has "
        "`when`, the local time to tell the user."
    )
    parameters = probatio.Schema(
        {
            probatio.Required("text", description="What to remind the user of"): probatio.All(
                cv.string, str.strip, probatio.Length(min=1)
            ),
            probatio.Optional("at", description="Absolute time, in the user's time zone"): (
                cv.string
            ),
            probatio.Optional("due", description="A day and a 24-hour HH:MM time"): {
                probatio.Optional("day", description="today, tomorrow, a weekday or a date"): (
                    cv.string
                ),
                probatio.Required("time", description="HH:MM, 24-hour"): cv.string,
            },
            probatio.Optional("in_minutes", description="Minutes from now"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False)
            ),
            probatio.Optional("in_hours", description="Hours from now"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, min_included=False)
            ),
        }
    )

    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Parse the time in the user's time zone and store the reminder."""
        now = dt_util.now()
        relative = "in_minutes" in args or "in_hours" in args
        given = [key for key in ("at", "due") if key in args] + (["in_minutes"] if relative else [])
        if len(given) > 1:
            raise SkillError("Give either `at`, `due` or `in_minutes`/`in_hours`, not both.")
        if not given:
            raise SkillError("Say when: give `at` (such as '5 pm') or `in_minutes`/`in_hours`.")
        try:
            if "at" in args:
                due = parse_time(args["at"], now)
            elif "due" in args:
                due = due_time(args["due"].get("day"), args["due"]["time"].strip(), now)
            else:
                due = relative_time(
                    now, minutes=args.get("in_minutes", 0), hours=args.get("in_hours", 0)
                )
        except TimeParseError as err:
            raise SkillError(str(err)) from err
        reminder = await self.manager.async_create(args["text"], due)
        when = self._when(reminder, now)
        if relative:  # "in 30 minutes, today at 10 AM": the span asked for, then the clock time
            span = float(args.get("in_minutes", 0)) + 60 * float(args.get("in_hours", 0))
            when = f"in {duration(span)}, {when}"
        return {
            "reminder": self._result(reminder, now),
            "speech": f"OK, I'll remind you {_about(reminder.summary)} {when}.",
        }


class ListRemindersTool(_ReminderTool):
    """The reminders still to come, all of them or those of one day or period."""

    name = "list_reminders"
    description = (
        "List the user's upcoming reminders, soonest first: all, or those of one `day` (today, "
        "tomorrow, a weekday) or `period` (weekend, week; next: only the soonest). `speech` "
        "says them."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional("day", description="today, tomorrow or a weekday"): probatio.In(
                ("today", "tomorrow", *WEEKDAYS)
            ),
            probatio.Optional(
                "period", description="the coming weekend or week, or the next reminder only"
            ): probatio.In(("weekend", "week", "next")),
        }
    )

    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Upcoming reminders with their local times, and a sentence saying them."""
        now = dt_util.now()
        days, asked = _asked_days(args, now.date())
        chosen = [
            r
            for r in self.manager.upcoming()
            if days is None or (r.due is not None and dt_util.as_local(r.due).date() in days)
        ]
        if args.get("period") == "next":
            chosen = chosen[:1]
        upcoming: list[Any] = [self._result(r, now) for r in chosen]
        speech = _say_reminders(upcoming, asked)
        if args.get("period") == "next" and upcoming:
            speech = f"Your next reminder: {upcoming[0].get('text')} {upcoming[0].get('when', '')}."
        return {"count": len(upcoming), "reminders": upcoming, "speech": speech.replace(" .", ".")}


LISTED_MAX = 5  # reminders said one by one; the rest are counted


def _asked_days(args: dict[str, Any], today: date) -> tuple[set[date] | None, str]:
    """The local dates a list asks for (None: all) and how to name them."""
    if (day := args.get("day")) is not None and (said := day_date(day, today)) is not None:
        return {said}, day if day in ("today", "tomorrow") else f"on {day.capitalize()}"
    if args.get("period") == "weekend":
        if today.weekday() == 6:  # Sunday: what is left of it
            return {today}, "this weekend"
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        return {saturday, saturday + timedelta(days=1)}, "this weekend"
    if args.get("period") == "week":
        return {today + timedelta(days=n) for n in range(7)}, "this week"
    return None, ""


def _say_reminders(reminders: list[Any], asked: str) -> str:
    """ "You have 2 reminders this weekend: …", or that there are none."""
    if not reminders:
        return f"You have no reminders {asked}.".replace(" .", " coming up.")
    said = "; ".join(f"{r.get('text')} {r.get('when', '')}".strip() for r in reminders[:LISTED_MAX])
    more = len(reminders) - LISTED_MAX
    extra = f", and {more} more" if more > 0 else ""
    plural = "s" if len(reminders) > 1 else ""
    where = f" {asked}" if asked else ""
    return f"You have {len(reminders)} reminder{plural}{where}: {said}{extra}."


class CancelReminderTool(_ReminderTool):
    """Remove a reminder picked by uid or by its words."""

    name = "cancel_reminder"
    description = (
        "Cancel (delete) one of the user's reminders, given its `uid` from list_reminders or "
        "words of its `text` (matched word by word). `cancelled` is null when none or several "
        "match; `speech` says what happened."
    )
    parameters = probatio.Schema(
        {
            probatio.Exclusive("uid", "which", description="The reminder's uid"): cv.string,
            probatio.Exclusive("text", "which", description="Words of the reminder"): (
                probatio.All(cv.string, str.strip, probatio.Length(min=1))
            ),
            probatio.Optional("day", description="The day it is due: today, tomorrow, a weekday"): (
                probatio.In(("today", "tomorrow", *WEEKDAYS))
            ),
        }
    )

    async def async_run(
        self, hass: HomeAssistant, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Delete the one reminder that matches best; say plainly when none or several do."""
        now = dt_util.now()
        open_reminders = [r for r in self.manager.reminders if r.completed is None]
        if "uid" in args:
            matches = [r for r in open_reminders if r.uid == args["uid"]]
            if not matches:
                raise SkillError(f"There's no reminder with uid {args['uid']}.")
        elif "text" in args or "day" in args:
            if "day" in args:
                days, _asked = _asked_days({"day": args["day"]}, now.date())
                on_day = [
                    r for r in open_reminders
                    if r.due is not None and dt_util.as_local(r.due).date() in (days or set())
                ]  # fmt: skip
                matches = match_reminders(on_day, args["text"]) if "text" in args else []
                if not matches and "text" in args:  # the words name it, the day was another's
                    matches = match_reminders(open_reminders, args["text"])
                if not matches and len(on_day) == 1:
                    matches = on_day  # "scratch tomorrow's reminder": the one that day
            else:
                matches = match_reminders(open_reminders, args["text"])
            if not matches:
                upcoming = self.manager.upcoming()  # nothing to cancel: say so, and what is
                return {
                    "cancelled": None,
                    "reminders": [self._result(r, now) for r in upcoming],
                    "speech": f"There's no reminder {_named(args)}. {self._listing(upcoming, now)}",
                }
        else:
            raise SkillError("Say which reminder: give its `uid` or `text`.")
        if len(matches) > 1:
            found = sorted(matches, key=lambda r: r.due or now)
            said = _and([f"{r.summary} {self._when(r, now)}" for r in found])
            return {
                "cancelled": None,
                "matches": [self._result(r, now) for r in found],
                "speech": f"{len(found)} reminders match: {said}. Say which one to cancel.",
            }
        (reminder,) = matches
        await self.manager.async_delete([reminder.uid])
        return {
            "cancelled": self._result(reminder, now),
            "speech": f"OK, I've cancelled the reminder {_about(reminder.summary)} "
            f"{self._when(reminder, now)}.".replace(" with no time.", "."),
        }

    def _listing(self, upcoming: list[Reminder], now: datetime) -> str:
        if not upcoming:
            return "You have no reminders set."
        said = _and([f"{r.summary} {self._when(r, now)}" for r in upcoming[:5]])
        more = f", and {len(upcoming) - 5} more" if len(upcoming) > 5 else ""
        plural = "s" if len(upcoming) > 1 else ""
        return f"You have {len(upcoming)} reminder{plural}: {said}{more}."


def _named(args: dict[str, Any]) -> str:
    """How the user named the reminder they asked to cancel: "about bins", "on Friday"."""
    named = [f"about {args['text']}"] if "text" in args else []
    if "day" in args:
        day = str(args["day"])
        named.append(day if day in ("today", "tomorrow") else f"on {day.capitalize()}")
    return " ".join(named)


def _about(text: str) -> str:
    """ "to stretch", "about the dentist", "that I have a meeting": how to name a reminder."""
    first = text.split(maxsplit=1)[0].casefold() if text.strip() else ""
    if first in ("the", "my", "a", "an", "your", "our", "his", "her", "their", "this", "that"):
        return f"about {text}"
    if first in ("i", "i'm", "i've", "we", "we're", "it's", "there's"):
        return f"that {text}"
    return f"to {text}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


_STOP_WORDS = frozenset(
    {"the", "a", "an", "my", "to", "about", "for", "of", "on", "at", "in", "and", "reminder",
     "reminders", "one", "that", "this", "me", "i", "i've", "is", "are", "was", "be", "been",
     "it", "its", "it's", "already", "just", "done", "so", "up", "with", "your", "our"}
)  # fmt: skip
_SAME_WORD = {"mom": "mum", "mommy": "mum", "mummy": "mum", "mother": "mum", "father": "dad",
              "daddy": "dad", "garbage": "bin", "trash": "bin", "rubbish": "bin",
              "recycling": "bin", "phone": "call", "ring": "call", "rang": "call",
              "phoned": "call", "rung": "call"}  # fmt: skip


def _stem(word: str) -> str:
    """A crude stem, so that "calling", "called" and "call" or "bins" and "bin" meet."""
    word = _SAME_WORD.get(word.removesuffix("'s"), word.removesuffix("'s"))
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + keep
            break
    word = word.removesuffix("e") if len(word) > 3 else word
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return _SAME_WORD.get(word, word)


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[\w']+", text.casefold()) if w not in _STOP_WORDS}


def _meets(wanted: str, words: set[str]) -> bool:
    return wanted in words or any(
        len(wanted) >= 4 and len(word) >= 4 and (word.startswith(wanted) or wanted.startswith(word))
        for word in words
    )


def match_reminders(reminders: list[Reminder], text: str) -> list[Reminder]:
    """The reminders ``text`` names: its exact summary, else those sharing the most of its
    words ("calling mum" finds "call mum", "the bin one" finds "take the bins out"); several
    when they tie, none when no word is shared."""
    wanted_text = " ".join(text.casefold().split())
    exact = [r for r in reminders if " ".join(r.summary.casefold().split()) == wanted_text]
    if exact:
        return exact
    wanted = _words(text)
    if not wanted:
        return []
    scored = [(sum(_meets(w, _words(r.summary)) for w in wanted), r) for r in reminders]
    best = max((score for score, _ in scored), default=0)
    return [r for score, r in scored if score == best] if best >= 1 else []


async def async_setup_skill(hass: HomeAssistant, entry: ConfigEntry) -> ReminderManager:
    """Load the entry's reminders and arm them."""
    manager = ReminderManager(hass, entry)
    await manager.async_load()
    entry.async_on_unload(manager.async_start())
    return manager


def tools(manager: ReminderManager) -> list[llm.Tool]:
    """``set_reminder``, ``list_reminders`` and ``cancel_reminder``."""
    return [SetReminderTool(manager), ListRemindersTool(manager), CancelReminderTool(manager)]
