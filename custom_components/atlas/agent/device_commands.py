"""Device commands in the languages the intent rules do not speak (German, Spanish, French).

A turn that names a device and says what to do with it ("mach das Licht in der Küche aus",
"apaga las luces", "allume la lampe du salon") is a device command: Home Assistant's own intents
or the model with the Assist API answer it. Words live in ``lang/``; matching is over the folded
turn (``lang.patterns.fold``). A reminder, alarm or timer request is never a device command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .lang import de, es, fr
from .lang.patterns import fold, rx


@dataclass(frozen=True)
class _DeviceWords:
    noun: re.Pattern[str]
    act: re.Pattern[str]
    excluded: re.Pattern[str]


def _words(noun: tuple[str, ...], act: tuple[str, ...], excluded: tuple[str, ...]) -> _DeviceWords:
    return _DeviceWords(rx(*noun), rx(*act), rx(*excluded))


_LANGUAGES: Final = {
    "de": _words(de.DEVICE_NOUN, de.DEVICE_ACT, de.DEVICE_NOT),
    "es": _words(es.DEVICE_NOUN, es.DEVICE_ACT, es.DEVICE_NOT),
    "fr": _words(fr.DEVICE_NOUN, fr.DEVICE_ACT, fr.DEVICE_NOT),
}


def device_command(text: str, language: str | None) -> bool:
    """Whether ``text``, in ``language`` (a BCP 47 tag), asks to control a device."""
    if not language:
        return False
    words = _LANGUAGES.get(language.replace("_", "-").split("-")[0].lower())
    if words is None:
        return False
    folded = fold(text)
    return (
        words.noun.search(folded) is not None
        and words.act.search(folded) is not None
        and words.excluded.search(folded) is None
    )
