"""Build an entry's skills, each with the skills it depends on passed in."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from . import Skills, plans, quick_answers, recovery, reminders, workouts


async def async_setup_skills(hass: HomeAssistant, entry: ConfigEntry) -> Skills:
    """Load and start every skill of ``entry``; the plans read the recovery reader."""
    reminder_manager = await reminders.async_setup_skill(hass, entry)
    workout_log = await workouts.async_setup_skill(hass, entry)
    recovery_reader = await recovery.async_setup_skill(hass, entry)
    plan_book = await plans.async_setup_skill(hass, entry, recovery=recovery_reader)
    return Skills(
        reminders=reminder_manager,
        workouts=workout_log,
        recovery=recovery_reader,
        plans=plan_book,
        tools=(
            *reminders.tools(reminder_manager),
            *workouts.tools(workout_log),
            *recovery.tools(recovery_reader),
            *plans.tools(plan_book),
            *quick_answers.tools(entry.options),
        ),
    )
