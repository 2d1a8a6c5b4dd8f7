"""Heart rate and pulse in German, Spanish and French: one table, their units overlap."""

from __future__ import annotations

from typing import Final

from .patterns import rx

# The same in German, Spanish and French: "Ruhepuls", "pulso en reposo", "fréquence cardiaque".
HEART_RATE_X_RE: Final = rx(
    r"\w*puls\b", r"herzfrequenz\w*", r"pulso\b", r"pulsaciones\b", r"frecuencia\s+cardiaca\b",
    r"ritmo\s+cardiaco\b", r"pouls\b", r"frequence\s+cardiaque\b", r"rythme\s+cardiaque\b",
)  # fmt: skip
HR_CONCERN_X_RE: Final = rx(
    r"(?:gefa?e?hr\w*|bedenklich\w*|(?:ab|an)?normal\w*|sorge\w*|beunruhig\w*|"
    r"zu\s+(?:hoch|niedrig|schnell|langsam)|erho?e?ht\w*|unregelma?e?(?:ss|s)ig\w*|rast\b|rasen\w*|"
    r"spielt\s+verru?e?ckt|peligr\w*|preocup\w*|demasiado\s+(?:alt|baj|rapid|lent)\w*|"
    r"muy\s+(?:alt|baj|rapid)\w*|elevad\w*|irregular\w*|se\s+dispar\w*|dangereu\w*|inquiet\w*|"
    r"trop\s+(?:elev|haut|bas|rapide|lent|faible)\w*|eleve\w*|irreguli\w*|s\s+emball\w*|"
    r"s\s+affol\w*|grave\b|anomal\w*)"
)
HR_NUMBER_X_RE: Final = rx(
    r"(?:\w*puls|herzfrequenz|pulso|pulsaciones|frecuencia\s+cardiaca|ritmo\s+cardiaco|pouls|"
    r"frequence\s+cardiaque|rythme\s+cardiaque)\W+(?:\w+\W+){0,5}?(?P<after>\d{2,3})\b"
    r"(?!\s*(?:k|km|m|meter\w*|metros?|metres?|min\w*|s|sek\w*|segundos?|secondes?|std|stunden?|"
    r"horas?|heures?|h|tage?n?|dias?|jours?|wochen?|semanas?|semaines?|kg|kilos?|%|prozent|"
    r"por\s+ciento|pour\s+cent|wiederholungen|repeticiones|repetitions|satze|series|sets?)\b)",
    r"(?P<before>\d{2,3})\s*(?:latidos|pulsaciones|pulsations|battements|schla?e?ge)\b",
)
RESTING_X_RE: Final = rx(r"ruhe\w*", r"(?:en|au)\s+repos(?:o)?\b")
