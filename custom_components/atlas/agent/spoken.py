"""What the agent says when it cannot answer as asked: one failure type, translated sentences.

Every apology, fallback note and the safe answer to a health question is a :class:`Spoken`: a
translation key under ``exceptions`` in ``translations/<language>.json`` with its placeholders,
turned into text in the turn's language by :meth:`Spoken.async_text` (English when the
language has no translation of it). :class:`TurnFailed` carries one for a turn the agent
could not answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN, LOGGER

_EMERGENCY_NUMBERS: Final = {
    "US": "911",
    "CA": "911",
    "MX": "911",
    "GB": "999 or 112",
    "AU": "000",
    "NZ": "111",
    "IN": "112",
    "JP": "119",
    "IE": "112 or 999",
    **dict.fromkeys(
        (
            "DE",
            "FR",
            "ES",
            "IT",
            "NL",
            "BE",
            "AT",
            "CH",
            "PT",
            "PL",
            "SE",
            "DK",
            "FI",
            "NO",
            "CZ",
            "GR",
            "LU",
            "HU",
            "RO",
        ),
        "112",
    ),
}


@dataclass(frozen=True)
class Spoken:
    """A sentence to speak: ``exceptions.<key>.message`` of the translations, filled in."""

    key: str
    placeholders: Mapping[str, str] = field(default_factory=dict)

    async def async_text(self, hass: HomeAssistant, language: str | None) -> str:
        """The sentence in ``language`` (HA's language when None).

        ATLAS translates per language ("de", not "de-CH"), so a regional tag takes its base
        language's file; HA fills what a file lacks from English.
        """
        base = (language or hass.config.language or "en").replace("_", "-").split("-")[0]
        strings = await async_get_translations(hass, base.lower(), "exceptions", {DOMAIN})
        name = f"component.{DOMAIN}.exceptions.{self.key}.message"
        if (template := strings.get(name)) is None:
            LOGGER.error("No translation of %s", name)
            return self.key
        return template.format(**self.placeholders)


class TurnFailed(Exception):
    """The agent could not answer the turn; ``spoken`` says so to the user."""

    def __init__(self, spoken: Spoken, detail: str = "") -> None:
        """Keep what to say, and a detail for logs and the trace (never a secret)."""
        super().__init__(detail or spoken.key)
        self.spoken = spoken
        self.detail = detail


BOX_UNREACHABLE: Final = Spoken("spoken_box_unreachable")
BOX_DROPPED: Final = Spoken("spoken_box_dropped")
BOX_BUSY: Final = Spoken("spoken_box_busy")
BOX_CRASHED: Final = Spoken("spoken_box_crashed")
TURN_FAILED: Final = Spoken("spoken_turn_failed")
# The speech guard dropped a model's reply (code, tool syntax, a loop) before it said anything.
UNSPEAKABLE: Final = Spoken("spoken_unspeakable")
# A request a tiny local model may not take (``tiers.py``): what ATLAS can do instead.
SMALL_MODEL: Final = Spoken("spoken_small_model")

# Why a cloud turn was answered locally (``cloud.claude.REASON_*``) → the note spoken first.
FALLBACK_REASONS: Final = (
    "budget", "timeout", "rate_limited", "overloaded", "auth", "disabled", "no_key",
)  # fmt: skip


def fallback_note(reason: str) -> Spoken:
    """A short note for a turn the local model answers instead of Claude."""
    return Spoken(f"spoken_fallback_{reason}" if reason in FALLBACK_REASONS else "spoken_fallback")


def not_done(intent: str) -> Spoken:
    """What a turn says when its intent's tool did not succeed (``confirmation.py``): that it
    was not done, and what to say instead."""
    return Spoken(f"spoken_not_done_{intent}")


def emergency_answer(country: str | None = None) -> Spoken:
    """The answer to a real emergency: the country's emergency number first, call now."""
    number = _EMERGENCY_NUMBERS.get((country or "").upper())
    if number is None:
        return Spoken("spoken_emergency")
    return Spoken("spoken_emergency_number", {"number": number})


def safe_medical_answer() -> Spoken:
    """The fixed answer to a health question that is no emergency, when Claude cannot take it:
    see a professional, no advice (an emergency gets :func:`emergency_answer` instead)."""
    return Spoken("spoken_safe_medical")
