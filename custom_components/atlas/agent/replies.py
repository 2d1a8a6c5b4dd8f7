"""The spoken answer of a direct dispatch, built from what its tools returned.

Short and speakable: a log names the activity and its amount in its own unit, a plan is said in
brief (the full plan stays in the tool result, in the chat log), and a tool error is said as the
sentence the tool gave for people (``message``), never as its details for the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .activities import describe
from .dispatch import SkillCall

SORRY: Final = "Sorry, that didn't work."


def spoken_reply(results: list[tuple[SkillCall, dict[str, Any]]]) -> str:
    """A short, speakable answer built from the tools' results (errors said plainly)."""
    parts: list[str] = []
    planned = any(call.tool == "prepare_workout" for call, _ in results)
    logs = [r for call, r in results if call.tool == "log_workout" and "error" not in r]
    for call, result in results:
        if "error" in result:
            parts.append(spoken_error(result))
        elif call.tool == "log_workout":
            if result is logs[0]:
                parts.append(_logged(logs))
        elif not (planned and call.tool == "recovery_status"):  # the plan says how it adapted
            parts.append(_say(call, result))
    return " ".join(_sentence(p) for p in parts if p).strip()


def spoken_error(result: Mapping[str, Any]) -> str:
    """A tool error as a person would say it: its ``message``, else a plain apology."""
    message = result.get("message")
    return message if isinstance(message, str) and message.strip() else SORRY


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _logged(results: list[dict[str, Any]]) -> str:
    """ "Logged a 5 kilometre run in 28 minutes and 3 sets of 12 push-ups. That's 2 workouts
    today." """
    said = []
    for result in results:
        what = result.get("said") or describe(result.get("logged") or {}, own=True)
        when = result.get("when", "today")
        said.append(what if when == "today" else f"{what} {when}")
    text = f"Logged {_joined(said)}."
    if results[-1].get("when", "today") == "today":
        done = int((results[-1].get("today") or {}).get("workouts", len(results)))
        text += f" That's {done} workout{'' if done == 1 else 's'} today."
    return text


def _say(call: SkillCall, result: dict[str, Any]) -> str:
    if call.tool == "prepare_workout":
        level = (result.get("recovery") or {}).get("level")
        # Garmin's level, or why there is none (a partial read needs no words).
        said = f"Garmin says your recovery is {level}." if level else None
        note = None if level else result.get("recovery_note")
        plan = result.get("spoken") or result.get("summary")
        return " ".join(_sentence(str(s)) for s in (said, plan, note) if s)
    if call.tool == "list_reminders" and isinstance(result.get("speech"), str):
        return str(result["speech"])
    if call.tool == "list_reminders":
        reminders = result.get("reminders") or []
        if not reminders:
            return "You have no reminders coming up."
        said = "; ".join(f"{r.get('text')} {r.get('when', '')}".strip() for r in reminders[:3])
        more = f", and {len(reminders) - 3} more" if len(reminders) > 3 else ""
        return (
            f"You have {len(reminders)} reminder{'s' if len(reminders) > 1 else ''}: {said}{more}."
        )
    if call.tool == "set_reminder" and not isinstance(result.get("speech"), str):
        reminder = result.get("reminder", {})
        return f"OK, I'll remind you to {reminder.get('text')} {reminder.get('when', '')}.".replace(
            " .", "."
        )
    for key in ("spoken", "speech", "summary", "text"):
        if isinstance(result.get(key), str):
            note = result.get("recovery_note")
            return " ".join(_sentence(str(s)) for s in (result[key], note) if s)
    return ""
