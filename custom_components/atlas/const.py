"""Constants of the ATLAS integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "atlas"
LOGGER = logging.getLogger(__package__)

DEFAULT_PORT: Final = 10400
DEFAULT_CONVERSATION_NAME: Final = "ATLAS conversation"
DEFAULT_AI_TASK_NAME: Final = "ATLAS AI Task"

# Config subentry types: conversation agents and AI Task entities.
SUBENTRY_CONVERSATION: Final = "conversation"
SUBENTRY_AI_TASK: Final = "ai_task_data"

# Config subentry (conversation agent, AI Task) options.
CONF_PROMPT: Final = "prompt"  # same key as homeassistant.const.CONF_PROMPT
CONF_THINKING: Final = "thinking"
CONF_REWORD_SKILL_REPLIES: Final = "reword_skill_replies"  # the model rephrases skill results
CONF_MAX_HISTORY_TOKENS: Final = "max_history_tokens"
CONF_MAX_TOOL_ROUNDS: Final = "max_tool_rounds"
CONF_MAX_SPOKEN_SENTENCES: Final = "max_spoken_sentences"  # a model's reply, for voice
CONF_MAX_SPOKEN_WORDS: Final = "max_spoken_words"

THINKING_AUTO: Final = "auto"  # only for turns whose intent needs planning
THINKING_ON: Final = "on"
THINKING_OFF: Final = "off"
THINKING_MODES: Final = (THINKING_AUTO, THINKING_ON, THINKING_OFF)

DEFAULT_THINKING: Final = THINKING_AUTO
DEFAULT_MAX_HISTORY_TOKENS: Final = 1500
DEFAULT_MAX_TOOL_ROUNDS: Final = 4
DEFAULT_MAX_SPOKEN_SENTENCES: Final = 3
DEFAULT_MAX_SPOKEN_WORDS: Final = 60
DEFAULT_PROMPT: Final = (
    "You are ATLAS, a voice-first personal assistant in a smart home. You help with workouts, "
    "recovery, reminders and the home. Reply in one to three short sentences that sound natural "
    "when spoken: no markdown, no lists, no emoji. Ask one short question when something "
    "essential is missing."
)

EVENT_TURN: Final = "atlas_turn"
EVENT_REMINDER_DUE: Final = "atlas_reminder_due"
ISSUE_BOX_UNREACHABLE: Final = "box_unreachable"
ISSUE_BOX_CRASHED: Final = "box_crashed"
RECONNECT_INTERVAL: Final = timedelta(seconds=10)

# Config entry (GPU box) options.
CONF_REMINDER_NOTIFY_ENTITY: Final = "reminder_notify_entity"
