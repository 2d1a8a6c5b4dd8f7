"""Deterministic local/cloud router for ATLAS turns: no model call, no Home Assistant imports.

``route(text, ...)`` picks ``local`` (the GPU box), ``cloud-simple`` (Claude Haiku 4.5) or
``cloud-complex`` (Claude Sonnet 4.5) with precompiled word-start regexes (keyword families,
stems, numbers with units, negation), and says why. Rules, strongest first:

1. Safety/medical: always cloud. Also when negated ("no chest pain today, log my run": cloud-simple,
   marked negated), inside a reminder ("remind me to take my blood pressure pills") and when the
   user asked to keep it local: a missed safety question costs far more than a cloud call.
   ``cloud-complex`` for red flags (chest symptoms, fainting, can't breathe, numbness, head
   injury, tears/fractures, crisis words, "severe"/"sharp"), two medical families in one turn
   ("pregnant and diabetic") or a turn that is also complex planning; otherwise ``cloud-simple``.
   Plain soreness, stiffness, tight hamstrings, mild post-workout aches and heart-rate *status*
   ("what was my average heart rate") stay local.
2. Explicit local request ("keep it local", "offline", "don't ask Claude"): local.
3. Explicit cloud request: Claude, Haiku, the cloud (``cloud-simple``); Sonnet, "the smarter
   model", "think hard" or a complex turn (``cloud-complex``). Negated requests do not count.
4. Conversation context over the local window: ``cloud-complex``.
5. Multi-week/multi-factor planning, goal-driven programmes, plateau/trend and "why" analysis
   about the user: ``cloud-complex``. A single session or a single week ("plan my workouts for
   this week") is local, and so are counts over past periods ("how many runs this month").
6. Cascade: the local structured pass failed validation, or its confidence is below the
   threshold: ``cloud-simple``.
7. Everything else: local.

Languages: the safety rules (1) read English, German, Spanish and French, over a folded copy of
the turn (lower case, no accents or umlauts, "ß" -> "ss", French elisions split), so "Übelkeit",
"Uebelkeit" and an ASR's "ubelkeit" are all nausea. The other rules are English; a turn in another
language that they do not catch reaches the cascade (6) like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

# A plain alias, not a 3.12 `type` statement: atlas-eval loads this file on Python 3.11 too.
Route = Literal["local", "cloud-simple", "cloud-complex"]

LOCAL: Final = "local"
CLOUD_SIMPLE: Final = "cloud-simple"
CLOUD_COMPLEX: Final = "cloud-complex"
TOKEN_CHARS: Final = 4  # rough characters per token, to count the new turn into the context
_WORD_START: Final = r"(?<![\w'])"  # matches only start at a word: correct, and much faster


@dataclass(frozen=True)
class RouteDecision:
    """Where a turn goes, why, and whether it touched safety or health."""

    route: Route
    reason: str
    safety: bool


def _rx(*alternatives: str, word_start: bool = True) -> re.Pattern[str]:
    """Compile the alternatives as one pattern that matches at a word start."""
    pattern = "|".join(alternatives)
    return re.compile(f"{_WORD_START}(?:{pattern})" if word_start else pattern)


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# --- Vocabulary ----------------------------------------------------------------------------
_BODY_PARTS = (
    r"knees?", r"ankles?", r"wrists?", r"shoulders?", "back", r"hips?", r"necks?", r"elbows?",
    r"toes?", r"fingers?", r"thumbs?", "foot", "feet", r"hands?", r"arms?", r"legs?", r"ribs?",
    "collarbone", "nose", "jaw", "achilles", r"hamstrings?", "calf", "calves", r"shins?", "spine",
    "disc", r"tendons?", r"ligaments?", "groin", r"quads?", r"glutes?", r"biceps?", r"triceps?",
    r"pecs?", "head",
)  # fmt: skip
_BODY = _any(*_BODY_PARTS)
_BODY_WIDE = _any(
    *_BODY_PARTS, "throat", "stomach", "abdomen", "belly", "gut", r"heels?", "arch", r"kneecaps?",
    "skin", r"eyes?", r"ears?", r"lips?", "tongue", "face", "forehead", "skull", "pelvis",
    "tailbone", "coccyx", r"testicles?", r"joints?",
)  # fmt: skip
# Joints and organs, not the muscle groups people train ("my legs are heavy" is training talk).
_JOINT = _any(
    r"knees?", r"ankles?", r"wrists?", r"shoulders?", r"hips?", r"necks?", r"elbows?", "back",
    "spine", "foot", "feet", r"heels?", r"toes?", r"fingers?", r"thumbs?", "jaw", r"eyes?",
    "eyesight", r"ears?", "chest", "heart", "stomach", "head", "throat", "skin", r"ribs?",
    "achilles", r"tendons?", r"ligaments?", r"kneecaps?", "pelvis", "groin", "hearing", "pee",
    "urine", "poo", "stool",
)  # fmt: skip
# What an unhealthy body part does ("my hip clicks", "finger bent the wrong way"). Not "sore",
# "tight" or "stiff": those are ordinary training soreness and stay local.
_SYMPTOM = _any(
    r"spasm\w*", r"click\w*", r"grind\w*", r"lock(?:s|ed|ing)?\s+up", "locks", r"crunch\w*",
    r"deform\w*", r"wrong\s+way", r"out\s+of\s+place", r"sticking\s+out", "weird", "funny",
    "strange", "odd", r"tender\w*", r"burn\w*", r"throbb\w*", "hot", r"lump\w*", "bump",
    r"rash\w*", r"itch\w*", "bent", r"swell\w*", r"numb(?:ness|ed|ing|s)?\b", "unstable",
    r"wobbl\w*", r"twitch\w*", r"discolou?r\w*", r"bleed\w*", r"pain\w*", "ringing", "buzzing",
)  # fmt: skip
_NUMB = r"numb(?:ness|ed|ing|s)?\b"
_MONTHS = _any(
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", r"sept?",
    "oct", "nov", "dec",
)  # fmt: skip
_SEASONS = _any("spring", "summer", "autumn", "fall", "winter")
_NUMBER_WORDS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "dozen": 12,
    "couple": 2, "few": 3, "several": 3,
}  # fmt: skip
_NUM = _any(r"\d+", *sorted(_NUMBER_WORDS, key=len, reverse=True))
_UNIT_DAYS: Final = {"d": 1, "w": 7, "m": 30, "y": 365, "q": 91, "f": 14}
_MULTI_WEEK_DAYS: Final = 14

# --- Safety ----------------------------------------------------------------------------------
# One named group per medical family: the family names the reason, and two families in one
# turn ("pregnant and diabetic") count as multi-factor.
_CHEST = _any("chest", "sternum", "breastbone")
_CHEST_FEELING = _any(
    r"pain\w*", r"hurt\w*", r"tight\w*", "pressure", r"heav\w*", "discomfort", r"ach\w*",
    r"burn\w*", r"squeez\w*", r"crush\w*", r"flutter\w*", r"pound\w*", "weird", "funny",
    "strange", "sharp", r"stabb\w*",
)  # fmt: skip
_SAFETY_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        _CHEST + r"\W+(?:\w+\W+){0,3}?" + _CHEST_FEELING,
        _CHEST_FEELING + r"\W+(?:\w+\W+){0,4}?" + _CHEST + r"\b",
        r"heart\s+(?:attack|condition|disease|problems?|issues?|murmur|failure|surgery)",
        # Not "frecuencia cardíaca"/"fréquence cardiaque" (heart rate: status, checked below).
        r"(?<!frecuencia\s)(?<!frequence\s)(?<!ritmo\s)(?<!rythme\s)cardiac", r"arrhythmi\w*",
        r"a-?fib", "atrial", r"palpitat\w*", r"tachycardi\w*", r"bradycardi\w*", "pacemaker",
        "stent", "angina", "heartburn", r"(?:acid\s+)?reflux",
        r"clots?\b", r"clotting", r"dvt\b", "embolism", r"thrombo\w*",
        r"heart(?!\s*rates?\b|\s+of\b)(?:'s|beats?\b|\b)",
        r"(?:left\s+arm|jaw)\W+(?:\w+\W+){0,3}?"
        + _any(r"ach\w*", r"pain\w*", r"hurt\w*", r"tingl\w*", _NUMB, r"heav\w*"),
        r"(?:irregular|racing|pounding|skipped|skipping|fast)\s+(?:heart\s*beats?|heart|pulse)",
    ),
    "vitals": (
        r"blood\s+pressure", r"bp\b", r"hyper-?tension", r"hypo-?tension",
        r"(?:[89]\d|1\d\d|2\d\d)\s*(?:/|over)\s*\d{2,3}\b",
        r"blood\s+(?:sugars?|glucose)", r"glucose\b(?!\s+(?:gels?|tabs?|drinks?|chews?))",
        r"diabet\w*", "insulin", r"hypo(?:glyc\w*)?\b", r"hyperglyc\w*", "ketoacidosis", "a1c",
        r"cgm\b", r"(?:low|high)\s+(?:blood\s+)?sugar",
        r"sugars?\s+(?:levels?|readings?|is|was|went|keeps|low|high|crash\w*|drop\w*|spik\w*)",
        r"oxygen\s+(?:sat\w*|levels?)", "spo2", "cholesterol", "thyroid", r"ana?emi\w*",
        r"kidneys?\b(?!\s+beans?)", r"liver\b",
    ),
    "neuro": (
        r"dizz\w*", r"light[- ]?headed\w*", r"faint\w*", r"pass(?:ed|ing|es)?\s+out",
        r"black(?:ed|ing|s)?\s+out", "vertigo", "woozy", "spinny", "unsteady",
        r"(?:room|everything|world|head)\s+(?:is\s+|was\s+|went\s+|started\s+)?spin\w*",
        r"seeing\s+(?:stars|spots)", r"collaps\w*", r"keeled\s+over", r"concuss\w*",
        r"(?:hit|bumped|banged|knocked|smacked|cracked|whacked)\s+"
        r"(?:my|his|her|their|your|the)\s+head",
        r"(?:knock|blow|hit|bang)\s+(?:to|on)\s+(?:the|my)\s+head", r"head\s+(?:injur\w*|trauma)",
        r"off\s+balance", r"los(?:e|ing|t)\s+(?:my\s+)?balance", r"balance\s+(?:is\s+)?off",
        r"(?:ears?|head)\s+(?:is\s+|are\s+|keeps?\s+)?(?:ringing|buzzing)", "tinnitus",
        r"(?:pinched|trapped)\s+nerve", r"nerve\s+(?:pain|damage)", "whiplash", r"seizure\w*",
        r"convuls\w*", r"epilep\w*", r"(?:a|mini|having\s+a|had\s+a)\s+stroke\b",
        r"stroke\s+(?:symptoms?|signs?)", r"slurr\w*", r"face\s+droop\w*", r"disorient\w*",
        r"blurr?(?:y|ed)\b", r"double\s+vision", r"tunnel\s+vision",
        r"vision\W+(?:\w+\W+){0,3}?(?:blur\w*|dark\w*|spott\w*|gone|went|fuzz\w*)",
        _NUMB, r"tingl\w*", r"pins\s+and\s+needles", r"can'?t\s+feel\s+my",
        r"shak(?:ing|y|iness)\b", r"the\s+shakes\b", r"trembl\w*", r"tremors?\b", r"shiver\w*",
        r"headaches?", r"migraines?", r"(?:feel\w*|felt|brain)\s+(?:\w+\s+)?fog\w*",
    ),
    "breathing": (
        r"short(?:ness)?\s+of\s+breath", r"out\s+of\s+breath", r"breathless\w*",
        r"(?:can'?t|cannot|couldn'?t|could\s+not|unable\s+to|struggl\w*\s+to|hard\s+to|trouble|"
        r"difficult\w*|problems?)\s+(?:\w+\s+){0,2}?breath\w*",
        r"breath\w*\s+(?:\w+\s+){0,2}?(?:heav\w*|hard|fast|rapid|labou?red|shallow|weird|funny|"
        r"strange|difficult\w*|noisy)",
        r"throat\W+(?:\w+\W+){0,3}?(?:tight\w*|clos\w*|swell\w*|swollen)",
        r"(?:tight\w*|clos\w*|swell\w*)\W+(?:\w+\W+){0,3}?throat",
        r"wheez\w*", r"asthma\w*", "inhaler", "pneumonia", r"cough\w*\s+(?:up\s+)?blood",
    ),
    "medication": (
        r"medic(?:ation|ations|ine|ines|al|ally)\b", r"meds\b", r"pills?\b", r"capsules?\b",
        r"tablets\b", r"dos(?:e|es|age|ages|ing)\b", r"overdos\w*", r"\d+\s*mg\b", r"mg\b",
        r"milligrams?", r"prescri\w*", r"pain\s*killers?", r"pain\s+relie\w*",
        r"anti-?inflammator\w*", r"nsaids?", "ibuprofen", "advil", "motrin", "nurofen", "aleve",
        "naproxen", "tylenol", "acetaminophen", "paracetamol", "panadol", "aspirin", "codeine",
        "tramadol", r"opioid\w*", r"antibiotic\w*", r"steroid\w*", r"prednis\w*", "cortisone",
        r"beta[- ]?blockers?", r"statins?", "metformin", "ozempic", "semaglutide", "wegovy",
        "mounjaro", "tirzepatide", "warfarin", "eliquis", r"blood\s+thinn\w*",
        r"antidepressants?", r"ssris?", "sertraline", "prozac", "fluoxetine", "lexapro",
        "adderall", "ritalin", r"antihistamines?", r"epi-?pen", "epinephrine", "injection",
        r"allerg\w*", r"anaphyla\w*", r"birth\s+control", r"contracepti\w*", r"hrt\b", r"trt\b",
        r"chemo\w*", "caffeine", "alcohol", r"hung-?over", "hangover", "nicotine", r"cbd\b",
        r"thc\b", "cannabis", r"sarms\b", "melatonin", r"sleeping\s+(?:aids?|pills?)",
        # Generic drug names by their stems: lisinopril, metoprolol, atorvastatin, ... (not the
        # Spanish "perdone", "abandone")
        r"(?!(?:perdone|abandone|condone)\b)"
        r"\w{3,}(?:pril|olol|sartan|statin|dipine|glutide|prazole|cillin|mycin|cycline|floxacin|"
        r"triptan|azepam|zolam|oxetine|traline|afil|gliptin|gliflozin|parin|xaban|gatran|"
        r"thiazide|semide|profen|coxib|olone|sone|pam|done|xone|tadine|codone)\b",
        r"side\s+effects?", r"interact\w*", r"contraindicat\w*",
        r"(?:exercise|training|medical)\s+restrictions",
    ),
    "injury": (
        r"(?<!\bdu\s)(?<!\bau\s)(?<!\ble\s)(?<!\bde\s)(?<!\bdes\s)(?<!\bun\s)"  # not "du pain"
        r"pain(?:s|ful|fully)?\b", r"hurt(?:s|ing)?\b", r"injur\w*", r"(?:tore|torn|tears?)\b",
        r"ruptur\w*", r"sprain\w*", r"strain(?:ed|s)?\b", r"fractur\w*", r"dislocat\w*",
        r"swell\w*", "swollen", r"bruis\w*", r"bleed\w*", r"blood\b", r"nose\s*bleeds?",
        r"blisters?", r"sunburn\w*", r"stung\b",
        r"(?:was|were|been|got|get|gets|getting|be|has|have)\s+bitten\b", r"bitten\s+(?:by|on)\b",
        r"broken?\s+(?:my\s+|a\s+)?(?:\w+\s+)?" + _BODY,
        _BODY + r"\s+(?:\w+\s+){0,2}?(?:is|are|might\s+be|may\s+be|feels?)\s+(?:\w+\s+)?broken",
        r"popp(?:ed|ing)\b", r"snapp?ed\b", r"heard\s+a\s+(?:pop|snap|crack)",
        r"(?:gives?|gave|giving)\s+(?:way|out)\b", r"buckl(?:ed|es|ing)\b", r"limp\w*",
        r"(?:sharp|stabbing|shooting|severe|searing|excruciating|unbearable)\s+(?:\w+\s+)?"
        r"(?:pains?|ache\w*|twinges?|sensation)",
        r"tendin\w*", r"tendon\w*", r"tennis\s+elbow", r"golfer'?s\s+elbow", "plantar",
        "fasciitis", "bursitis", "sciatica", r"slipped\s+disc", r"herniat\w*", r"hernia\w*",
        r"shin\s+splints", r"(?:acl|mcl|pcl|meniscus|labrum)\b", r"rotator\s+cuff",
        r"can'?t\s+(?:move|bend|straighten|put\s+weight|walk\s+on|lift\s+my|grip|turn\s+my)",
        r"pull(?:ed)?\s+(?:a|my)\s+(?:muscle|hamstring|groin|calf|quad|back|pec)",
        r"(?:threw|thrown|put|throw)\s+(?:my\s+)?back\s+out", r"back\s+(?:went|gave)\s+out",
        r"bad\s+(?:knee|back|shoulder|hip|ankle|wrist|neck|elbow)s?\b",
        _BODY + r"\s+(?:is\s+|keeps\s+|has\s+been\s+)?(?:acting|playing|flaring)\s+up",
        r"(?:a|the)\s+fall\b", r"fell\s+(?:off|down|over|on|from)", r"crash(?:ed)?\s+(?:my|on|off)",
        r"cramp\w*", "stitches", r"stitch\b", "crutches", r"surg(?:ery|eries|ical|eon|eons)\b",
        r"post-?op\b", r"arthriti\w*", r"osteopor\w*",
        r"(?:twisted|rolled|turned|jarred|jammed|wrenched|banged|smashed|bashed|knocked|cracked|"
        r"bumped|hit|smacked|whacked|cut|scraped|grazed|burned|burnt|tweaked|damaged|"
        r"hyper-?extended|over-?extended|jolted|busted|messed\s+up|screwed\s+up|"
        r"did\s+something\s+to)\s+(?:my|his|her|the)\s+(?:\w+\s+)?" + _BODY,
        _BODY_WIDE + r"\W+(?:\w+\W+){0,4}?" + _SYMPTOM,
        _SYMPTOM + r"\W+(?:in|on|at|around|behind|under|of)\s+(?:my|the|his|her)\s+(?:\w+\s+)?"
        + _BODY_WIDE,
        r"spasm\w*", r"weakness\s+in", r"killing\s+me\b", r"agon\w*", r"throbb\w*", r"stabb\w*",
        r"twinges?\b", r"niggl\w*", r"black\s+and\s+blue",
        r"(?:go|goes|went|going|gone|turn\w*)\s+(?:cold\s+and\s+|numb\s+and\s+)?"
        r"(?:white|blue|purple|grey|gray|pale)\b",
    ),
    "care": (
        r"doctors?\b", r"doc\b", r"gp\b", r"physicians?", r"physio\w*", r"physical\s+therap\w*",
        r"chiropract\w*", r"osteopath\w*", r"orthop\w*", r"cardiolog\w*", "specialist",
        r"nurses?\b", r"hospital\w*", r"(?:the|to|an)\s+er\b", "emergency", r"a&e\b",
        r"urgent\b", "ambulance", r"(?:911|999|112)\b", r"paramedic\w*", r"clinic\w*",
        r"diagnos\w*", r"symptoms?", r"x-?rays?", r"mri\b", "ultrasound", r"ecg\b", r"ekg\b",
        r"blood\s+(?:test|work)",
        r"(?:get|have|getting|had)\s+(?:it|this|that|them|my\s+\w+)\s+"
        r"(?:checked|looked\s+at|seen\s+to|x-?rayed|scanned|examined)",
        r"is\s+(?:it|this|that|my\s+\w+)\s+(?:\w+\s+)?(?:serious|life[- ]threatening|"
        r"an\s+emergency|a\s+(?:worry|concern|problem))\b",
        r"(?:un)?safe(?:ly|ty)?\b(?!\s+(?:squat\s+)?bar)", r"danger\w*", r"risk\w*", "harmful",
        r"hazard\w*",
        r"is\s+it\s+normal\s+(?:to|for|that)\s+(?:\w+\s+){0,3}?"
        r"(?:feel|have|get|be|hear|see|pee|sweat|cough|shake)",
        r"worr\w*\s+(?:about\s+)?(?:my|the|this|that)\s+(?:\w+\s+)?"
        + _any("health", "heart", _BODY_WIDE),
        r"should\s+i\s+(?:be\s+)?(?:worr\w*|concern\w*|panic\w*|scared)",
        r"should\s+i\s+(?:see|get|go\s+to)\s+(?:someone|somebody|a\s+professional|it|this|that)\b",
        r"what\s+does\s+it\s+mean\s+(?:if|when)\b",
        r"what\s+(?:could|might)\s+(?:it|this|that)\s+be\b",
        r"(?:a\s+)?(?:worry|concern)\?",
    ),
    "illness": (
        r"fever\w*", r"(?:have|had|got|running|with)\s+a\s+(?:high\s+)?temperature",
        r"(?:have|had|got|getting|with|caught)\s+a\s+(?:bad\s+|head\s+|chest\s+)?cold\b",
        r"flu\b", "covid", r"infect\w*", "virus", r"sick\b(?!\s+of\b)", r"ill\b", "illness",
        r"nause\w*", r"vomit\w*", r"thr(?:ew|ow|owing)\s+up", r"puk\w*", r"diarrh\w*",
        r"food\s+poisoning", r"dehydrat\w*", r"heat\s*(?:stroke|exhaustion|illness)", "sunstroke",
        r"hypotherm\w*", "frostbite", r"rhabdo\w*", r"chills\b", r"(?:night|cold)\s+sweats?",
        "unwell", "poorly", r"under\s+the\s+weather", "clammy",
        r"not\s+feeling\s+(?:\w+\s+)?(?:well|great|good|right|myself)",
        r"fe(?:el|els|eling|lt)\s+(?:\w+\s+)?(?:awful|terrible|rough|horrible|off|wrong|weird|"
        r"strange|funny|weak|ill|unwell|faint)\b",
        r"(?:dark|brown|red|bloody|cola)\s+(?:urine|pee)",
        r"(?:urine|pee)\W+(?:\w+\W+){0,3}?(?:dark|brown|red|bloody|cola)",
        r"(?:lost|losing|gained|gaining)\s+(?:a\s+lot\s+of\s+|so\s+much\s+)?weight\s+"
        r"(?:without\s+trying|fast|so\s+fast|quickly|suddenly|for\s+no\s+reason)",
        "unexplained", r"unintentional\w*", r"sudden\s+weight", r"lungs?\b", r"appendi\w*",
        r"ulcers?", "cancer", r"tumou?rs?", "gallbladder", r"poison\w*",
        r"missed\s+(?:my\s+)?periods?", r"periods?\s+(?:stopped|pain|cramps|are\s+heavy)",
        r"menstrua\w*", r"amenorrh\w*",
    ),
    "pregnancy": (
        r"pregnan\w*", "trimester", r"post-?partum", r"gave\s+birth", r"c-?section",
        r"expecting\s+(?:a\s+baby|twins|again)",
        r"(?:i'm|i\s+am|we're|we\s+are|she's|wife\s+is|partner\s+is)\s+expecting\b"
        r"(?!\s+(?:a\s+(?:call|package|delivery|parcel|visitor)|rain|snow|to|it|that|the|some))",
        r"breast-?feed\w*", r"miscarr\w*", r"trying\s+to\s+conceive", r"ivf\b", r"menopaus\w*",
        "endometriosis", r"pcos\b",
    ),
    "mental": (
        r"panic\s+attacks?", "anxiety", "anxious", r"depress(?:ed|ion)\b", r"suicid\w*",
        r"self[- ]harm\w*", r"kill\s+myself", r"end\s+it\s+all", r"want\s+to\s+die",
        r"hurt\s+myself", r"eating\s+disorder", r"anorexi\w*", r"bulimi\w*", r"purg(?:e|ing)\b",
        r"starv(?:e|ing)\s+myself", r"binge[- ]?eat\w*",
        r"(?:haven'?t|have\s+not|not|barely|hardly)\s+(?:eaten|been\s+eating|eating)\s+"
        r"(?:\w+\s+){0,2}?(?:days?|since|anything|at\s+all)",
        r"[1-9]\d{2}\s*(?:calories|kcal|cals)\s+(?:a|per)\s+day",
    ),
}  # fmt: skip
# --- Safety in German, Spanish and French --------------------------------------------------
# The same families, matched over the folded turn (see ``_fold``): lower case, accents and
# umlauts dropped ("Übelkeit" -> "ubelkeit", "médico" -> "medico"), "ß" -> "ss", "œ" -> "oe",
# French elisions split ("l'insuline" -> "l insuline"). "ue?" also takes an umlaut typed "ue".
# Body part + symptom pairs stay within one language ("dos" is a French back, a Spanish two).
_BODY_DE = _any(
    r"knie\w*", r"kno?e?chel\w*", r"sprunggelenk\w*", r"handgelenk\w*", r"schulter\w*",
    r"ru?e?cken\w*", r"hu?e?fte\w*", r"nacken\w*", r"hals\b", r"ell[e]?nbogen\w*", r"ellbogen\w*",
    r"zehe[n]?\b", r"finger\w*", r"daumen\b", r"fu(?:ss|s)\b", r"fu?e?(?:ss|s)e\w*", r"hand\b",
    r"ha?e?nde\w*", r"arm(?:e|en)?\b", r"bein(?:e|en)?\b", r"rippe\w*", r"schlu?e?sselbein\w*",
    r"nase\b", r"kiefer\b", r"achillessehne\w*", r"oberschenkel\w*", r"wade\w*",
    r"schienbein\w*", r"kopf\b", r"sehne\w*", r"leiste\b", r"gelenk\w*", r"ferse\w*",
)  # fmt: skip
_SYMPTOM_DE = _any(
    "gebrochen", "geschwollen", "dick", "blau", r"taub\b", r"kribbel\w*", r"knack\w*",
    r"knirsch\w*", r"blockiert\w*", r"instabil\w*", r"hei(?:ss|s)\b", r"poch\w*", "sticht",
    "brennt", "ausgerenkt", "verdreht", "schief", r"wackel\w*", r"gibt\s+nach",
    r"knickt\s+(?:\w+\s+)?weg", "komisch", "seltsam", r"merkwu?e?rdig",
)  # fmt: skip
_BODY_ES = _any(
    r"rodilla\w*", r"tobillo\w*", r"muneca\w*", r"hombro\w*", r"espalda\w*", r"cadera\w*",
    r"cuello\b", r"codo\w*", r"dedo\w*", r"pies?\b", r"manos?\b", r"brazo\w*", r"pierna\w*",
    r"costilla\w*", r"clavicula\w*", r"nariz", r"mandibula\w*", r"talon\w*", r"gemelo\w*",
    r"espinilla\w*", r"cabeza\b", r"rotula\w*", r"muslo\w*", r"pantorrilla\w*", r"ingle\w*",
)  # fmt: skip
_SYMPTOM_ES = _any(
    r"rot[oa]s?\b", r"hinchad[oa]s?\b", r"inflamad[oa]s?\b", r"morad[oa]s?\b",
    r"entumecid[oa]s?\b", r"dormid[oa]s?\b", r"cruje\w*", r"bloquead[oa]s?\b", r"inestable\w*",
    r"caliente\w*", r"torcid[oa]s?\b", r"rar[oa]s?\b", r"extran[oa]s?\b",
)  # fmt: skip
_BODY_FR = _any(
    r"genou\w*", r"cheville\w*", r"poignet\w*", r"epaule\w*", r"(?<!sac\sa\s)dos\b", r"hanche\w*",
    r"cou\b",
    r"nuque\w*", r"coude\w*", r"orteil\w*", r"doigt\w*", r"pieds?\b", r"mains?\b", r"bras\b",
    r"jambe\w*", r"clavicule\w*", r"nez\b", r"machoire\w*", r"talon\w*", r"mollet\w*",
    r"tibia\w*", r"tete\b", r"cuisse\w*", r"rotule\w*", r"aine\b",
)  # fmt: skip
_SYMPTOM_FR = _any(
    r"casse(?:e|s|es)?\b", r"enfle\w*", r"gonfle\w*", r"bleu(?:e|s|es)?\b", r"engourdi\w*",
    r"craque\w*", r"coince\w*", r"instable\w*", r"tordu\w*", r"lache\w*", r"bizarre\w*",
    r"deboite\w*",
)  # fmt: skip
_CHEST_DE = (
    r"brust(?:schmerz|enge|druck|stich|stechen|korb)\w*",
    r"brust\w*\W+(?:\w+\W+){0,3}?(?:schmerz\w*|druck\w*|eng\w*|stech\w*|stich\w*|brenn\w*|"
    r"zieh\w*|tut\s+weh|weh\b|beklemm\w*|flatter\w*|komisch|seltsam)",
    r"(?:\w*schmerz\w*|druck\w*|enge\w*|stech\w*|stich\w*|brenn\w*|beklemm\w*|ziehen)"
    r"\W+(?:\w+\W+){0,4}?(?:brust|brustkorb|brustbein)\b",
)
_CHEST_ES = (
    r"pecho\W+(?:\w+\W+){0,3}?(?:dolor\w*|duele\w*|apret\w*|aprieta|oprim\w*|opresion|"
    r"presion|pesadez|ardor|punzad\w*|pinchazo\w*|molest\w*|raro|extrano)",
    r"(?:dolor\w*|duele\w*|opresion|presion|pesadez|ardor|punzad\w*|pinchazo\w*|molestia\w*|"
    r"aprieta|oprime)\W+(?:\w+\W+){0,4}?pecho\b",
    r"toracic\w*", r"torax\b",
)  # fmt: skip
_CHEST_FR = (
    r"poitrine\W+(?:\w+\W+){0,3}?(?:douleur\w*|douloureu\w*|mal\b|serre\w*|oppress\w*|"
    r"press\w*|lourd\w*|brul\w*|pique\w*|point\w*|gene\w*|bizarre)",
    r"(?:douleur\w*|mal|oppression|pression|serrement|brulure\w*|point|gene|lourdeur\w*|"
    r"poids|barre)\W+(?:\w+\W+){0,4}?poitrine",
    r"thoraci\w*", r"thorax\b",
)  # fmt: skip
_HEAD_HIT_DE = (
    r"kopf\w*\W+(?:\w+\W+){0,4}?(?:gesto(?:ss|s)en|geknallt|angeschlagen|aufgeschlagen|"
    r"angehauen|geprallt|verletzt)"
)
_HEAD_HIT_ES = (
    r"(?:golpe|golpazo|porrazo)\s+en\s+la\s+cabeza|"
    r"(?:golpe\w*|di|pegue|choque)\s+(?:\w+\s+){0,2}?(?:la|en\s+la|con\s+la)\s+cabeza"
)
_HEAD_HIT_FR = (
    r"(?:coup|choc)\s+(?:a|sur)\s+la\s+tete|"
    r"(?:cogne|tape|heurte)\w*\s+(?:\w+\s+)?(?:la|a\s+la|de\s+la)\s+tete"
)
# "¿Es grave?", "c'est grave ?", "rien de grave"; not an English grave.
_GRAVE = (
    r"(?:es|sera|seria|est|ce|serait|pas|algo|nada|rien\s+de|quelque\s+chose\s+de)\s+"
    r"(?:\w+\s+)?graves?\b"
)
_SAFETY_DE: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        *_CHEST_DE, r"herz(?!frequenz|lich|haft|og\b|ig)\w*", r"\w*(?:infarkt|embolie)\w*",
        "sodbrennen",
        r"blutgerinnsel\w*",
        r"linke[nrms]?\s+arm\w*\W+(?:\w+\W+){0,3}?(?:kribbel\w*|taub\w*|\w*schmerz\w*|tut\s+weh|"
        r"zieh\w*|schwer)",
        r"(?:kribbel\w*|taub\w*|\w*schmerz\w*)\W+(?:\w+\W+){0,4}?linke[nrms]?\s+arm",
    ),
    "vitals": (
        r"blutdruck\w*", r"bluthochdruck\w*", r"hypertonie", r"hypotonie", r"blutzucker\w*",
        r"unterzucker\w*", r"u?e?berzucker\w*", r"zucker\w*\s+(?:ist|war|sackt|abgesackt|"
        r"gefallen|zu\s+(?:hoch|niedrig))", r"sauerstoff(?:sa?e?ttigung|gehalt)\w*",
        r"cholesterin\w*", r"schilddru?e?s\w*", r"a?e?namie\b", r"niere[n]?\b", r"leber\b",
        r"leberwerte", r"eisenmangel",
        r"(?:[89]\d|1\d\d|2\d\d)\s*zu\s*\d{2,3}\b",
    ),
    "neuro": (
        r"schwind(?:e)?l\w*", r"schwumm(?:e)?rig\w*", r"duselig\w*", r"\w*kreislauf\w*",
        r"schwa?e?cheanfa?e?ll\w*", r"mir\s+(?:ist|wird|war|wurde)\s+(?:\w+\s+)?flau\b",
        r"benommen\w*", r"ohnmacht\w*", r"ohnma?e?chtig\w*",
        r"bewusstlos\w*", "umgekippt", "zusammengebrochen", r"kollab\w*", r"kollaps\w*",
        r"gehirnerschu?e?tterung\w*", _HEAD_HIT_DE,
        r"taub(?:e|er|es|en|heit\w*)?\b", r"gefu?e?hllos\w*", r"kribbel\w*", "ameisenlaufen",
        r"krampfanfa?e?ll\w*", r"anfall\b", r"schlaganfa?e?ll\w*", r"verschwommen\w*",
        r"doppelbilder", r"doppelt\s+sehen", r"sehsto?e?rung\w*",
        r"schwarz\s+vor\s+(?:den\s+)?augen", r"migra?e?ne\w*", r"zitter\w*", r"zittrig\w*",
        "ohrensausen", r"gleichgewicht\w*\s+(?:verloren|weg|gesto?e?rt)",
        r"eingeklemmte[rn]?\s+nerv\w*", r"nerv\w*\s+eingeklemmt", r"verwirrt\w*",
        r"lall(?:e|en|t)\b",
    ),
    "breathing": (
        "atemnot", r"kurzatmig\w*", r"atemlos\w*", r"(?:keine|kaum|schlecht|schwer)\s+luft",
        r"(?:kann|konnte|kriege?)\s+(?:\w+\s+){0,2}?(?:nicht|kaum|schlecht)\s+"
        r"(?:richtig\s+|mehr\s+)?"
        r"(?:atmen|durchatmen|luft)", r"atembeschwerden", r"atemprobleme?", r"schwer\s+atmen",
        r"atmen\s+fa?e?llt\s+(?:mir\s+)?schwer", "inhalator", "asthmaspray", r"keuch\w*",
        r"pfeifend\w*", r"lungenentzu?e?ndung", r"blut\s+(?:ge)?hust\w*", r"hust\w*\s+blut",
        r"hals\W+(?:\w+\W+){0,3}?(?:schwillt|zugeschwollen|eng\b)",
    ),
    "medication": (
        r"medikament\w*", r"medizin\b", r"arznei\w*", r"tablette\w*", r"pille\w*", r"kapsel\w*",
        "dosis", r"dosierung\w*", r"antibiotik\w*", r"[ck]ortison\w*", r"blutverdu?e?nner\w*",
        r"nebenwirkung\w*", r"wechselwirkung\w*", "beipackzettel", r"apothek\w*",
        r"verschrieben\w*", r"verschreib\w*", r"spritze\b", r"alkohol\w*", r"koffein\w*",
        r"nikotin\w*", r"schlafmittel\w*", r"antidepressiv\w*", r"ibuprofen\w*",
    ),
    "injury": (
        # Compounds, in one scan of the word: "Knieschmerzen", "Muskelfaserriss", "Ermüdungsbruch".
        r"\w*(?:schmerz|verletz|(?:band|ba?e?nder|faser|sehnen|muskel|kreuzband|meniskus)riss|"
        r"(?:knochen|ermu?e?dungs|stress|arm|bein|fu(?:ss|s)|handgelenk|rippen|zehen|finger|"
        r"schlu?e?sselbein|nasenbein)bruch|geschwollen|schwell(?:ung|en)|entzu?e?nd|bandscheibe|"
        r"kra?e?mpf)\w*", r"\w*wunde[n]?\b",
        r"tut\s+(?:\w+\s+){0,5}?weh\b", r"tun\s+(?:\w+\s+){0,5}?weh\b",
        r"weh\s*(?:tut|getan|tun)\b",
        r"(?:an|ein|ab)?gerissen\b", r"zerrung\w*", "gezerrt", r"verstauch\w*", "umgeknickt",
        r"fraktur\w*", "ausgerenkt", "ausgekugelt", r"prellung\w*", r"geprellt\w*",
        r"verbrennung\w*", r"gestochen", r"seitenstech\w*",
        r"magen(?:-|\s)?(?:darm|probleme?|kra?e?mpf|schmerz)\w*", r"bluterguss\w*",
        r"blaue[rn]?\s+fleck\w*", r"blut(?:e|et|en|ung\w*)\b", r"blut\b",
        r"blasen?\s+(?:am|an\s+den|an\s+der)\s+\w+", "sonnenbrand", r"zecke\w*",
        "hexenschuss", "lumbago", r"ischias\w*", r"meniskus\w*", r"kreuzband\w*",
        r"rotatorenmanschette\w*", "tennisarm", r"la?e?uferknie", r"plantarfasz\w*", "fersensporn",
        r"gestu?e?rzt", r"sturz\b", r"hingefallen", r"hinfallen", r"hinke\w*", r"humpel\w*",
        r"operiert\w*", r"(?:nach|vor)\s+(?:der|meiner)\s+op\b", r"arthrose\w*", "osteoporose",
        r"kann\s+(?:\w+\s+){0,3}?(?:nicht|kaum)\s+(?:mehr\s+)?(?:bewegen|beugen|strecken|"
        r"belasten|auftreten|gehen|heben|greifen|drehen)\b",
        r"stechend\w*", r"pochend\w*", r"(?:hat|hats)\s+(?:\w+\s+)?(?:geknackt|geknallt|geploppt)",
        _BODY_DE + r"\W+(?:\w+\W+){0,4}?" + _SYMPTOM_DE + r"\b",
        _SYMPTOM_DE + r"\W+(?:\w+\W+){0,3}?(?:am|im|an\s+der|an\s+den|in\s+der|in\s+den)\s+"
        + _BODY_DE,
    ),
    "care": (
        r"\w*a(?:e)?rzt\w*", r"krankenhaus\w*", r"klinik\w*", "notaufnahme", r"notfall\w*",
        r"notruf\w*", "rettungswagen", "krankenwagen", r"sanita?e?ter\w*", r"kardiolog\w*",
        r"ro?e?ntgen\w*", r"mrt\b", "ultraschall", "blutbild", "blutwerte",
        r"(?:untersuchen|abkla?e?ren|durchchecken|anschauen)\s+lassen",
        r"gefa?e?hr\w*", r"ungefa?e?hrlich", r"riskant\w*", r"bedenklich\w*", "unbedenklich",
        r"besorgniserregend\w*", r"sorgen\s+machen", r"sorge[n]?\s+(?:um|wegen)",
        r"(?:ist|is)\s+(?:es|das|so\s+was|sowas)\s+(?:\w+\s+)?(?:normal|schlimm|ernst|"
        r"gefa?e?hrlich|bedenklich|sicher)\b",
        r"was\s+(?:kann|ko?e?nnte)\s+(?:das|es)\s+sein",
    ),
    "illness": (
        r"fieb(?:er|rig)\w*", r"erka?e?lt\w*", "heuschnupfen", r"grippe\w*", r"krank\w*",
        r"u?e?belkeit",
        r"(?:mir|mich)\s+(?:ist|wird|war|wurde)\s+(?:\w+\s+)?(?:u?e?bel|schlecht|komisch)\b",
        r"erbrech\w*", r"erbroch\w*", r"mich\s+(?:\w+\s+){0,4}?u?e?bergeben", r"(?:ge)?kotz\w*",
        r"durchfall\w*", "lebensmittelvergiftung", r"dehydri\w*", "hitzschlag", "sonnenstich",
        r"unterku?e?hl\w*", r"schu?e?ttelfrost", r"infekt\w*",
        r"fu?e?hle\s+mich\s+(?:\w+\s+)?(?:schlecht|krank|schwach|elend|komisch|mies|"
        r"nicht\s+gut|nicht\s+wohl)", r"schwei(?:ss|s)ausbru?e?ch\w*", r"nachtschwei(?:ss|s)",
        r"kalte[rn]?\s+schwei(?:ss|s)", r"dunkle[rn]?\s+urin", r"blut\s+im\s+(?:urin|stuhl)",
        r"krebs\b", r"tumor\w*", r"ungewollt\w*\s+abgenommen", r"blinddarm\w*", r"geschwu?e?r\w*",
        r"(?:periode|regel|tage)\s+(?:ist\s+)?(?:ausgeblieben|bleib\w*\s+aus)",
    ),
    "pregnancy": (
        r"schwanger\w*", "stillzeit", r"stille\s+(?:noch|gerade)", r"beim\s+stillen",
        r"nach\s+der\s+geburt", "wochenbett", r"ru?e?ckbildung\w*", r"kaiserschnitt\w*",
        r"fehlgeburt\w*", "kinderwunsch", r"wechseljahr\w*", "endometriose",
    ),
    "mental": (
        r"panikattacke\w*", r"angstzusta?e?nd\w*", r"angststo?e?rung\w*", r"depressiv\w*",
        r"deprimiert\w*", r"suizid\w*", r"selbstmord\w*", r"umbringen", r"nicht\s+mehr\s+leben",
        r"(?:will|mo?e?chte)\s+sterben", r"selbstverletz\w*", r"essstor\w*", r"esssto?e?rung\w*",
        r"magersucht\w*", "bulimie",
    ),
}  # fmt: skip
_SAFETY_ES: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        *_CHEST_ES, r"(?<!todo\s)corazon\w*", r"infarto\w*", r"cardiopat\w*", r"arritmi\w*",
        r"taquicardi\w*", r"bradicardi\w*", r"palpitacion\w*", "marcapasos", r"acidez\b",
        r"ardor\s+de\s+estomago", "reflujo", r"trombo(?:sis|s|embolia|flebitis)\b", r"coagulo\w*",
        r"embolia\w*",
        r"brazo\s+izquierdo\W+(?:\w+\W+){0,3}?(?:dolor\w*|duele|hormigue\w*|entumec\w*|"
        r"dormid[oa]|adormec\w*)",
        r"(?:dolor\w*|duele|hormigueo|entumecimiento)\W+(?:\w+\W+){0,4}?brazo\s+izquierdo",
    ),
    "vitals": (
        r"tension\s+(?:arterial|alta|baja)", r"presion\s+(?:arterial|alta|baja)",
        r"pastillas\s+para\s+la\s+tension", r"hipertension\w*", r"hipotension\w*",
        r"azucar\s+(?:en\s+(?:la\s+)?sangre|alto|bajo|baj\w*|sub\w*)",
        r"(?:bajo|bajado|subio|subido)\s+el\s+azucar", r"glucemia\w*",
        r"(?:bajon|bajada|subida|subidon|nivel\w*)\s+de\s+(?:\w+\s+)?azucar",
        r"glucosa\b(?!\s+en\s+gel)", r"hipoglucemi\w*", r"hiperglucemi\w*",
        r"saturacion\s+(?:de\s+)?oxigeno", "colesterol", "tiroides", r"rinon\w*", r"higado\b",
        r"(?:[89]\d|1\d\d|2\d\d)\s*sobre\s*\d{2,3}\b",
    ),
    "neuro": (
        r"mare(?:o|os|ad[oa]s?|arme|arse|ante)\b", r"me\s+mare(?:a|an)\b", r"desmay\w*",
        r"perd\w*\s+el\s+conocimiento", r"desplom\w*", r"colaps\w*", r"conmocion\w*",
        _HEAD_HIT_ES, r"entumec\w*", r"adormec\w*", r"hormigue\w*",
        r"se\s+me\s+(?:duerme\w*|durmi\w*|ha[n]?\s+dormido)", r"convulsion\w*",
        r"ataque\s+epileptic\w*", r"derrame\s+cerebral", r"ictus\b", r"vision\s+borrosa",
        r"veo\s+(?:\w+\s+)?(?:borroso|doble|manchas|estrellas|lucecitas|negro)", r"borros[oa]\b",
        r"(?:se\s+me\s+)?nubla\w*\s+la\s+vista", r"vista\s+(?:nublada|borrosa)",
        r"migrana\w*", r"jaqueca\w*", r"tembl\w*", r"tiembl\w*", r"temblor\w*", r"tirit\w*",
        r"aturdid\w*", r"desorientad\w*", r"(?:zumbido|pitido)\w*\s+en\s+los\s+oidos",
        r"(?:pitan|zumban)\s+los\s+oidos",
        r"nervio\s+pinzado", r"ciatica",
    ),
    "breathing": (
        r"falta\s+(?:de\s+)?(?:el\s+)?aire", r"falta\s+de\s+aliento",
        r"sin\s+(?:aliento|respiracion)",
        r"(?:no\s+puedo|no\s+podia|me\s+cuesta|cuesta|dificultad\w*\s+para|problemas?\s+para)"
        r"\s+(?:\w+\s+){0,2}?respirar", r"respir\w*\s+(?:mal|con\s+dificultad|raro|agitad\w*)",
        r"ahog\w*", r"asfixi\w*", r"asma\w*", r"asmatic\w*", r"inhalador\w*", r"ventolin\w*",
        r"sibilancia\w*", r"neumonia\w*", r"tos\w*\s+(?:con\s+)?sangre",
        r"garganta\W+(?:\w+\W+){0,3}?(?:cerr\w*|hinch\w*|apret\w*)",
    ),
    "medication": (
        r"medicament\w*", r"medicina\w*", r"medicacion\w*", r"medicad[oa]\w*", r"pastilla\w*",
        r"comprimido\w*", r"capsula\w*", r"pildora\w*", "dosis", r"analgesic\w*",
        r"anti-?inflamatori\w*", r"antibiotic\w*", r"ibuprofeno\w*",
        r"receta\s+(?:medica|del\s+medico)", r"recetad[oa]\w*", r"recetaron",
        r"efectos?\s+secundarios?", r"interaccion\w*", r"anticoagulant\w*", r"inyeccion\w*",
        r"alergi\w*", r"alergic\w*", r"cafeina", "nicotina", r"antidepresiv\w*",
        r"ansiolitic\w*", r"somnifer\w*", r"pastillas\s+para\s+dormir", r"farmacia\w*",
        r"farmaceutic\w*", r"anticonceptiv\w*", r"betabloqueante\w*", r"estatina\w*",
        r"corticoide\w*", r"opiace\w*",
    ),
    "injury": (
        r"dolor\w*", r"duel(?:e|en)\b", r"(?:hecho|hice|hacerme)\s+dano", r"lesion\w*",
        r"lastim\w*", r"fisura\w*", r"rotura\w*", r"desgarr\w*", r"esguince\w*",
        r"torcedura\w*", r"torci\w*\s+(?:el|la|los|las)\b", r"luxacion\w*", r"hinchad\w*",
        "hinchazon", r"se\s+(?:me\s+)?(?:ha\s+)?hinch\w*", r"inflamad\w*", r"inflamacion\w*",
        r"moraton\w*", r"moratones", r"hematoma\w*", r"sangr(?!ias?\b)\w*", r"ampolla\w*",
        r"quemadura\w*", r"picadura\w*", r"mordi(?:do|da)\s+(?:un|una|por)\b", r"fascitis",
        r"menisco\w*", r"ligamento\w*", r"manguito\s+rotador", r"periostitis", r"calambre\w*",
        r"tiron\s+(?:en|muscular)", r"contractura\w*", r"contusion\w*", r"herida\w*",
        r"distension\w*", r"elongacion\w*", r"lumbalgi\w*", "lumbago",
        r"flato\b", r"me\s+cai\w*", r"(?:una|la|mi)\s+caida",
        r"cojo\b", r"cojea\w*", r"cojear", r"operad[oa]\s+de", r"me\s+operaron", r"cirugia\w*",
        r"quirurgic\w*", r"postoperatori\w*", r"artritis", r"artrosis",
        r"no\s+puedo\s+(?:\w+\s+)?(?:mover|doblar|apoyar|estirar|girar)\b",
        r"no\s+puedo\s+(?:caminar|andar)\b", r"punzante\w*", r"pinchazo\w*",
        r"(?:oi|escuche|sono|note)\s+un\s+(?:chasquido|crujido|crack|pop)\b",
        _BODY_ES + r"\W+(?:\w+\W+){0,4}?" + _SYMPTOM_ES,
        _SYMPTOM_ES + r"\W+(?:\w+\W+){0,2}?(?:el|la|los|las|mi|mis)\s+" + _BODY_ES,
    ),
    "care": (
        r"medic[oa]s?\b", r"doctor(?:a|as|es)?\b", r"urgencia\w*", r"emergencia\w*", "ambulancia",
        r"fisio\w*", r"traumatolog\w*", r"enfermer[oa]\w*", r"sintoma\w*", r"radiografia\w*",
        r"resonancia\w*", r"ecografia\w*", "electrocardiograma", r"analisis\s+de\s+sangre",
        r"peligr\w*", r"(?:es|sera|seria)\s+(?:\w+\s+)?seguro\b", r"riesgo\w*", r"arriesgad\w*",
        _GRAVE, r"preocup\w*", r"(?:es|sera)\s+normal\b", r"(?:es|sera|seria)\s+malo\b",
        r"que\s+puede\s+ser\b",
    ),
    "illness": (
        r"fiebre\w*", "febril", r"resfriad\w*", r"constipad\w*", r"catarro\w*", r"gripe\w*",
        r"enferm\w*", r"nausea\w*", r"ganas\s+de\s+vomitar", r"vomit\w*", r"diarrea\w*",
        r"intoxicacion\w*", r"deshidrat\w*", r"golpe\s+de\s+calor", r"insolacion\w*",
        r"hipotermia", r"congelacion", r"rabdo\w*", r"escalofrio\w*", r"infecc\w*",
        r"(?:me\s+siento|me\s+encuentro|estoy)\s+(?:\w+\s+)?(?:mal|fatal|debil|rar[oa]|"
        r"enferm[oa]|malisim[oa])\b", r"sudor\w*\s+fri[oa]\w*", r"sudores\s+nocturnos",
        r"orina\W+(?:\w+\W+){0,3}?(?:oscura|marron|roja|con\s+sangre)",
        r"sangre\s+en\s+la\s+(?:orina|heces)", r"apendic\w*",
        r"perd\w*\s+(?:mucho\s+)?peso\s+sin", r"(?:no\s+me\s+(?:ha\s+)?(?:bajado|venido)|"
        r"se\s+me\s+ha\s+retirado)\s+la\s+regla", r"regla\s+(?:dolorosa|irregular)\w*",
    ),
    "pregnancy": (
        r"embaraz\w*", r"gestacion\w*", r"(?:primer|segundo|tercer)\s+trimestre", r"post?parto",
        r"despues\s+del\s+parto", r"di\s+a\s+luz", r"cesarea\w*", r"lactancia", r"amamant\w*",
        r"aborto\w*", "endometriosis",
    ),
    "mental": (
        r"ataques?\s+de\s+(?:panico|ansiedad)", "ansiedad", r"ansios[oa]s?\b", "depresion",
        r"deprimid\w*", r"quitarme\s+la\s+vida", r"matarme", r"(?:quiero|quisiera)\s+morir\w*",
        r"hacerme\s+dano", r"autolesion\w*",
        r"trastorno\w*\s+(?:de\s+la\s+)?(?:alimentari\w*|alimenticio\w*|conducta\s+alimentaria)",
        r"no\s+he\s+comido\s+(?:nada\s+)?(?:en|desde)\b",
    ),
}  # fmt: skip
_SAFETY_FR: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        *_CHEST_FR, r"(?<!par\s)coeur\w*", r"infarctus", r"arythmi\w*", r"tachycardi\w*",
        r"stimulateur\s+cardiaque", r"brulures?\s+d\s+estomac", r"caillot\w*", r"embolie\w*",
        r"phlebite\w*",
        r"bras\s+gauche\W+(?:\w+\W+){0,3}?(?:douleur\w*|mal\b|fourmill\w*|engourdi\w*|"
        r"picot\w*|lourd\w*)",
        r"(?:douleur\w*|fourmillement\w*|engourdissement\w*|picotement\w*|mal)"
        r"\W+(?:\w+\W+){0,4}?bras\s+gauche",
    ),
    "vitals": (
        r"tension\s+arterielle", r"(?:ma|ta|sa)\s+tension\b(?!\s+(?:musculaire|dans))",
        r"pression\s+arterielle", r"glycemi\w*", r"taux\s+de\s+sucre",
        r"sucre\s+(?:dans\s+le\s+sang|sanguin)", r"saturation\s+(?:en\s+)?oxygene",
        r"renal\w*", r"(?:les|mes|aux)\s+reins\b", r"foie\b(?!\s+gras)",
    ),
    "neuro": (
        r"vertige\w*", r"etourdi\w*", r"tete\s+(?:qui\s+|me\s+|lui\s+)?tourn\w*", r"malaise\w*",
        r"evanoui\w*", r"(?:perdu|perte\s+de|perdre)\s+connaissance",
        r"tombe\w*\s+dans\s+les\s+pommes", r"tourne\w*\s+de\s+l\s+oeil", r"effondre\w*",
        r"(?:une|la|de|d)\s+commotion\b", r"commotion\s+cerebrale", _HEAD_HIT_FR, r"engourdi\w*",
        r"fourmill\w*", r"picotement\w*",
        r"convulsion\w*", r"crise\s+d\s+epilepsie", r"avc\b", r"accident\s+vasculaire",
        r"vision\s+(?:floue|trouble|double)",
        r"(?:vois|voit|voyais)\s+(?:\w+\s+)?"
        r"(?:flou|trouble|double|noir|des\s+etoiles|des\s+points)",
        r"voile\s+noir",
        r"mal\s+(?:a\s+la|de)\s+tete", r"maux\s+de\s+tete", r"trembl\w*", r"frisson\w*",
        r"acouphene\w*", r"bourdonnement\w*", r"nerf\s+(?:coince|pince)", r"sciatique\w*",
        r"desoriente\w*",
    ),
    "breathing": (
        r"essouffl\w*", r"souffle\s+court", r"a\s+bout\s+de\s+souffle",
        r"manque\s+(?:d\s+air|de\s+souffle)", r"mal\s+a\s+respirer", r"difficult\w*\s+a\s+respirer",
        r"(?:arrive|arrivais)\s+(?:pas|plus)\s+a\s+respirer",
        r"(?:peux|peut|pouvais)\s+(?:pas|plus)\s+respirer",
        r"respire\w*\s+(?:mal|difficilement|bizarrement)", r"etouff\w*", r"asthm\w*",
        r"inhalateur\w*", r"ventoline", r"sifflement\w*", r"pneumonie\w*",
        r"(?:tousse|cracher|crache)\w*\s+du\s+sang",
        r"gorge\W+(?:\w+\W+){0,3}?(?:serre\w*|gonfle\w*|ferme\w*)",
    ),
    "medication": (
        r"medicament\w*", r"medoc\w*", r"cachet\w*", r"comprime\w*", r"gelule\w*", r"pilule\w*",
        "posologie", r"anti-?douleur\w*", r"analgesique\w*", r"anti-?inflammatoire\w*",
        r"antibiotique\w*", r"ordonnance\w*", r"effets?\s+secondaires?", r"anticoagulant\w*",
        r"beta-?bloquant\w*", r"alcool\w*", "cafeine", r"antidepresseur\w*",
        r"anxiolytique\w*", r"somnifere\w*", r"pharmaci\w*", r"cortico\w*", "doliprane",
        "dafalgan", "efferalgan", r"ibuprofene\w*",
    ),
    "injury": (
        r"douleur\w*", r"douloureu\w*",
        r"(?:ai|jai|as|a|avons|avez|ont|avais|avait)\s+(?:pas\s+|plus\s+|jamais\s+)?"
        r"(?:tres\s+|vraiment\s+|un\s+peu\s+|trop\s+|tellement\s+|si\s+)?mal\s+"
        r"(?:au|aux|a\s+la|a\s+l|a\s+mon|a\s+ma|a\s+mes|partout|quand|en)\b",
        r"fait\s+(?:\w+\s+)?mal\b",
        r"bless(?:e|ee|es|ees|ure|ures|er)\b", r"dechir\w*", r"claquage\w*", r"entorse\w*",
        r"foulure\w*", r"(?:suis|s\s+est|t\s+es)\s+foule\w*", r"fissur\w*", r"luxation\w*",
        r"deboit\w*", r"enfle\w*", r"hematome\w*", r"ecchymose\w*", r"saign\w*",
        r"(?:du|de|le|mon|en)\s+sang\b",
        r"ampoules?\s+(?:aux|au|sur\s+les?|sous\s+les?)\s+(?:pieds?|mains?|talons?|orteils?|"
        r"doigts?)", r"coup\s+de\s+soleil", r"pique\w*\s+par", r"mordu\w*\s+par", r"morsure\w*",
        r"tendinite\w*", r"hernie\w*", r"menisque\w*", r"ligament\w*\s+croise\w*",
        r"coiffe\s+des\s+rotateurs", r"periostite\w*", r"aponevrosite\w*", r"fasciite\w*",
        r"crampe\w*", r"contracture\w*", r"contusion\w*", r"elongation\w*", r"lombalgi\w*",
        "lumbago", r"plaie\w*", r"coupure\w*",
        r"brulure\w*", r"point\s+de\s+cote\b", r"(?:une|la|ma)\s+chute\b",
        r"(?:suis|es|est|sommes|sont|etais|etait)\s+tombe\w*", r"je\s+boite\w*", r"boitill\w*",
        r"opere\w*\s+(?:du|de\s+la|des|de\s+l)\b", r"chirurgi\w*", r"postoperatoire\w*",
        r"arthrite\w*", r"arthrose\w*",
        r"(?:peux|peut|arrive)\s+(?:pas|plus)\s+(?:a\s+)?(?:plier|bouger|poser|tendre|marcher)\b",
        r"lancinant\w*", r"(?:entendu|senti)\s+(?:un\s+)?(?:craquement|claquement|crac|pop)\b",
        _BODY_FR + r"\W+(?:\w+\W+){0,4}?" + _SYMPTOM_FR,
        _SYMPTOM_FR + r"\W+(?:\w+\W+){0,2}?(?:le|la|les|l|mon|ma|mes)\s+" + _BODY_FR,
    ),
    "care": (
        r"medecin\w*", r"docteur\w*", r"generaliste\w*", r"urgence\w*", r"hopita\w*",
        r"samu\b", r"pompiers\b", r"kines?\b", r"kinesi\w*", r"infirmi\w*", r"radiographi\w*",
        r"irm\b",
        r"echographi\w*", "electrocardiogramme", r"prise\s+de\s+sang",
        r"analyses?\s+de\s+sang", r"bilan\s+sanguin", r"risque\w*", r"risqu\w*",
        _GRAVE, r"gravite\b", r"inquiet\w*", r"inquietant\w*",
        r"(?:est-ce|est\s+ce|c\s+est)\s+(?:que\s+)?(?:c\s+est\s+)?(?:\w+\s+)?(?:normal|grave|"
        r"dangereux|prudent)\b", r"sans\s+risque", r"consulter\b",
        r"devrais\s+(?:\w+\s+)?(?:voir|consulter|aller\s+aux?)\b",
    ),
    "illness": (
        r"fievre\w*", "febrile", r"rhume\w*", r"enrhume\w*", r"grippe\w*", r"malade\w*",
        r"maladie\w*", r"nausee\w*", r"envie\s+de\s+vomir", r"vomi\w*", r"diarrhee\w*",
        r"intoxication\w*", r"deshydrat\w*", r"coup\s+de\s+chaleur", "insolation",
        r"gelure\w*", r"frissons\b",
        r"(?:je\s+me\s+sens|me\s+sens|je\s+suis)\s+(?:\w+\s+)?(?:mal|faible|bizarre|malade|"
        r"patraque|vaseux|barbouille)\b", r"sens\s+pas\s+bien",
        r"sueurs?\s+(?:froides?|nocturnes?)",
        r"urine\w*\W+(?:\w+\W+){0,3}?(?:foncee|marron|rouge|sang)",
        r"sang\s+dans\s+(?:les\s+)?(?:urines?|selles)", r"tumeur\w*",
        r"perdu\s+(?:beaucoup\s+de\s+)?poids\s+sans",
        r"regles\s+(?:douloureuses|irregulieres|absentes)", r"retard\s+de\s+regles",
    ),
    "pregnancy": (
        r"enceinte\w*", r"grossesse\w*", r"(?:premier|deuxieme|second|troisieme)\s+trimestre",
        r"apres\s+(?:l\s+)?accouchement", r"accouch\w*", r"cesarienne\w*", r"allait\w*",
        r"fausse\s+couche", "endometriose",
    ),
    "mental": (
        r"crises?\s+d\s+(?:angoisse|anxiete|panique)", r"crises?\s+de\s+(?:panique|nerfs)",
        r"angoiss\w*", r"anxi\w*", r"deprim\w*", r"me\s+tuer", r"en\s+finir",
        r"envie\s+de\s+mourir", r"(?:veux|voudrais)\s+mourir", r"me\s+faire\s+du\s+mal",
        r"automutil\w*", r"troubles?\s+(?:du\s+comportement\s+)?alimentaires?", r"boulimi\w*",
    ),
}  # fmt: skip
_RED_FLAG_DE_ES_FR: Final = (
    *_CHEST_DE, *_CHEST_ES, *_CHEST_FR, _HEAD_HIT_DE, _HEAD_HIT_ES, _HEAD_HIT_FR,
    # German
    r"herz(?:infarkt|rasen|stolpern|rhythmus)\w*", r"\w*infarkt\w*", r"ohnma?e?cht\w*",
    r"bewusstlos\w*", "umgekippt", "zusammengebrochen", r"kollab\w*", r"kollaps\w*", "atemnot",
    r"(?:keine|kaum)\s+luft", r"kann\s+(?:\w+\s+)?nicht\s+(?:mehr\s+)?atmen",
    r"taub(?:e|er|es|en|heit\w*)?\b", r"gefu?e?hllos\w*", r"schlaganfa?e?ll\w*",
    r"krampfanfa?e?ll\w*", r"gehirnerschu?e?tterung\w*", r"suizid\w*", r"selbstmord\w*",
    "umbringen", r"sterben\b", "hitzschlag", r"notfall\w*", "notaufnahme", r"notarzt\w*",
    r"notruf\w*", "rettungswagen", "krankenwagen", r"stark\w*\s+(?:\w+\s+)?\w*schmerz\w*",
    r"heftig\w*", r"unertra?e?glich\w*", r"ho?e?llisch\w*", r"stechend\w*",
    r"\w*(?:band|ba?e?nder|faser|sehnen|muskel|kreuzband|meniskus)riss\w*",
    r"(?:an|ein|ab)?gerissen\b", r"\w*bruch\b", "gebrochen", r"fraktur\w*", "ausgerenkt",
    "ausgekugelt", r"blut(?:e|et|en|ung\w*)\b", r"u?e?berdosis", r"unregelma?e?(?:ss|s)ig\w*",
    r"schwanger\w*", r"unterzucker\w*", r"lall(?:e|en|t)\b",
    # Spanish
    r"infarto\w*", r"desmay\w*", r"perd\w*\s+el\s+conocimiento", r"colaps\w*", r"desplom\w*",
    r"no\s+puedo\s+(?:\w+\s+){0,2}?respirar", r"ahog\w*", r"entumec\w*", r"adormec\w*",
    r"derrame\s+cerebral", r"ictus\b", r"convulsion\w*", r"conmocion\w*",
    r"quitarme\s+la\s+vida", "matarme", r"morir\w*", r"golpe\s+de\s+calor", r"urgencia\w*",
    r"emergencia\w*", "ambulancia", r"fuerte\s+dolor",
    r"dolor\w*\s+(?:muy\s+)?(?:fuerte|intens\w*|agud\w*|insoportable)", r"punzante\w*",
    r"insoportable\w*", r"agud[oa]s?\b", r"desgarr\w*", r"rotura\w*", r"rot[oa]s?\b",
    r"fisura\w*", r"luxacion\w*", r"sangr(?!ias?\b)\w*", "sobredosis", r"palpitacion\w*",
    r"arritmi\w*", r"taquicardi\w*", r"embaraz\w*", r"hipoglucemi\w*",
    # French
    "infarctus", r"evanoui\w*", r"(?:perdu|perte\s+de)\s+connaissance", r"malaise\w*",
    r"effondre\w*", r"(?:arrive|peux|peut)\s+(?:pas|plus)\s+(?:a\s+)?respirer", r"etouff\w*",
    r"engourdi\w*", r"avc\b", r"accident\s+vasculaire", r"crise\s+d\s+epilepsie",
    r"(?:une|la|de|d)\s+commotion\b", r"commotion\s+cerebrale", r"me\s+tuer", r"en\s+finir",
    r"mourir\b", r"coup\s+de\s+chaleur", r"urgence\w*", r"samu\b",
    r"douleur\w*\s+(?:tres\s+)?(?:aigue?|intense|violente|insupportable|atroce|lancinante)",
    r"aigue?s?\b", r"insupportable\w*", r"atroce\w*", r"lancinant\w*", r"dechir\w*",
    r"fissur\w*", r"casse(?:e|s|es)?\b", r"luxation\w*", r"deboit\w*", r"saign\w*", "surdose",
    r"arythmi\w*", r"irreguli\w*", r"enceinte\w*", r"grossesse\w*", r"hypoglycemi\w*",
)  # fmt: skip
_SAFETY_LANGUAGES: Final = (_SAFETY_FAMILIES, _SAFETY_DE, _SAFETY_ES, _SAFETY_FR)
_SAFETY_RE: Final = _rx(
    *(
        f"(?P<{name}>{'|'.join(alt for lang in _SAFETY_LANGUAGES for alt in lang.get(name, ()))})"
        for name in _SAFETY_FAMILIES
    )
)
# Fallback: a joint or organ as the subject of a statement ("my knee is the size of a
# grapefruit", "my eyesight went funny"), unless it is ordinary soreness/stiffness or good news.
_JOINT_STATEMENT_RE: Final = _rx(
    r"my\s+(?:left\s+|right\s+|lower\s+|upper\s+|bad\s+)?" + _JOINT + r"\s+"
    r"(?!(?:is|are|feels?|felt|was|were|has|have|has\s+been|looks?|seems?)\s+"
    r"(?:a\s+bit\s+|a\s+little\s+|really\s+|so\s+|very\s+|quite\s+|pretty\s+|much\s+|totally\s+|"
    r"fully\s+|all\s+)?(?:sore|stiff|tight|tired|fatigued|good|great|fine|better|ok|okay|alright|"
    r"strong|loose|recovered|healed|normal|fresh|improved|cold|warm|freezing)\b)"
    r"(?:is|are|was|were|has|have|keeps?|went|goes|feels?|felt|looks?|gets?|got|pops?|popped|"
    r"started|won'?t|can'?t|doesn'?t|isn'?t|seems?|turned|became|hurts?)\b"
)
# An ache is a symptom unless it is mild post-workout soreness.
_ACHE_RE: Final = _rx(r"ach(?:e|es|ed|ing|y)\b")
_MILD_ACHE_RE: Final = _rx(
    r"(?:a\s+(?:bit|little|touch)|bit|slightly|mildly|little|doms)\b",
    r"(?:from|after)\s+(?:yesterday|last\s+night|leg\s+day|the\s+gym|(?:my|the)\s+workout|"
    r"training|lifting)",
)
# Heart rate/pulse is status data ("what was my average heart rate") unless the turn worries
# about it or the number is extreme.
_HEART_RATE_RE: Final = _rx(r"(?:heart\s*rates?|heart'?s|pulse|hr|bpm|heartbeat)\b")
_HR_CONCERN_RE: Final = _rx(
    r"(?:danger\w*|unsafe|safe|(?:ab)?normal|worr\w*|concern\w*|alarm\w*|scar\w*|risk\w*|"
    r"(?:too|so|very|really|way|quite|pretty)\s+(?:high|low|fast|slow|much)|spik\w*|shot\s+up|"
    r"(?:higher|lower|faster)\s+than\s+(?:usual|normal)|jump(?:ed|s)|hit|maxed|"
    r"won'?t\s+(?:come|go|settle|slow)|doesn'?t\s+(?:come|go|settle)|"
    r"not\s+(?:coming|going)\s+down|stay\w*\s+(?:high|elevated)|elevated|irregular|racing|"
    r"pound\w*|skipp\w*|ok(?:ay)?|alright|fine|healthy|bad|problem|issue|wrong|erratic|weird|"
    r"funny|strange|odd|crazy|all\s+over\s+the\s+place)\b"
)
# The reading itself: "heart rate of 210", "pulse is 35", "190 bpm" (not "30 minutes").
_HR_NUMBER_RE: Final = _rx(
    r"(?:heart\s*rates?|heart'?s|pulse|hr)\W+(?:\w+\W+){0,3}?(?P<after>\d{2,3})\b"
    r"(?!\s*(?:k|km|kms|mi|miles?|m|meters?|metres?|min|mins|minutes?|s|secs?|seconds?|hours?|"
    r"hrs?|days?|weeks?|kg|kilos?|lbs?|pounds?|reps?|sets?|%|percent)\b)",
    r"(?P<before>\d{2,3})\s*bpm\b",
)
# The same in German, Spanish and French: "Ruhepuls", "pulso en reposo", "fréquence cardiaque".
_HEART_RATE_X_RE: Final = _rx(
    r"\w*puls\b", r"herzfrequenz\w*", r"pulso\b", r"pulsaciones\b", r"frecuencia\s+cardiaca\b",
    r"ritmo\s+cardiaco\b", r"pouls\b", r"frequence\s+cardiaque\b", r"rythme\s+cardiaque\b",
)  # fmt: skip
_HR_CONCERN_X_RE: Final = _rx(
    r"(?:gefa?e?hr\w*|bedenklich\w*|(?:ab|an)?normal\w*|sorge\w*|beunruhig\w*|"
    r"zu\s+(?:hoch|niedrig|schnell|langsam)|erho?e?ht\w*|unregelma?e?(?:ss|s)ig\w*|rast\b|rasen\w*|"
    r"spielt\s+verru?e?ckt|peligr\w*|preocup\w*|demasiado\s+(?:alt|baj|rapid|lent)\w*|"
    r"muy\s+(?:alt|baj|rapid)\w*|elevad\w*|irregular\w*|se\s+dispar\w*|dangereu\w*|inquiet\w*|"
    r"trop\s+(?:elev|haut|bas|rapide|lent|faible)\w*|eleve\w*|irreguli\w*|s\s+emball\w*|"
    r"s\s+affol\w*|grave\b|anomal\w*)"
)
_HR_NUMBER_X_RE: Final = _rx(
    r"(?:\w*puls|herzfrequenz|pulso|pulsaciones|frecuencia\s+cardiaca|ritmo\s+cardiaco|pouls|"
    r"frequence\s+cardiaque|rythme\s+cardiaque)\W+(?:\w+\W+){0,5}?(?P<after>\d{2,3})\b"
    r"(?!\s*(?:k|km|m|meter\w*|metros?|metres?|min\w*|s|sek\w*|segundos?|secondes?|std|stunden?|"
    r"horas?|heures?|h|tage?n?|dias?|jours?|wochen?|semanas?|semaines?|kg|kilos?|%|prozent|"
    r"por\s+ciento|pour\s+cent|wiederholungen|repeticiones|repetitions|satze|series|sets?)\b)",
    r"(?P<before>\d{2,3})\s*(?:latidos|pulsaciones|pulsations|battements|schla?e?ge)\b",
)
_RESTING_X_RE: Final = _rx(r"ruhe\w*", r"(?:en|au)\s+repos(?:o)?\b")
_HR_LOW: Final = 40
_HR_HIGH: Final = 200
_HR_RESTING_HIGH: Final = 100
_RED_FLAG_RE: Final = _rx(
    _CHEST, r"faint\w*", r"pass(?:ed|ing)?\s+out", r"black(?:ed|ing)?\s+out", r"collaps\w*",
    r"can'?t\s+(?:catch\s+my\s+)?breath\w*", r"cannot\s+breathe", _NUMB, r"slurr\w*",
    r"(?:a|mini|having\s+a|had\s+a)\s+stroke\b", r"seizure\w*", r"concuss\w*",
    r"hit\s+my\s+head", r"head\s+injur\w*", r"suicid\w*", r"kill\s+myself", r"self[- ]harm\w*",
    r"want\s+to\s+die", r"anaphyla\w*", r"heat\s*stroke", "emergency", "ambulance",
    r"(?:911|999)\b", r"severe\w*", r"sharp\b", r"crush\w*", "excruciating", "unbearable",
    r"(?:tore|torn)\b", r"ruptur\w*", r"fractur\w*", r"broken\b", r"dislocat\w*", r"snapp?ed\b",
    r"bleed\w*", r"blood\s+in", r"cough\w*\s+(?:up\s+)?blood", r"overdos\w*", r"palpitat\w*",
    r"arrhythmi\w*", r"irregular\b", r"rhabdo\w*", r"pregnan\w*", "insulin",
    r"hypo(?:glyc\w*)?\b", *_RED_FLAG_DE_ES_FR,
)  # fmt: skip
# Cues that are not a medical factor of their own ("is it safe", "see a doctor", "my knee is").
_GENERIC_SAFETY: Final = frozenset({"care", "symptom", "intent"})

# --- Explicit requests ---------------------------------------------------------------------
_NEGATED_TAIL_RE: Final = _rx(
    r"(?:don'?t|do\s+not|doesn'?t|didn'?t|not|no|never|without|instead\s+of|rather\s+than)\b"
    r"(?:\W+\w+){0,3}\W*$"
)
# Safety also reads German, Spanish and French negation ("keine Brustschmerzen", "sin dolor").
_SAFETY_NEGATED_TAIL_RE: Final = _rx(
    r"(?:don'?t|do\s+not|doesn'?t|didn'?t|not|no|never|without|instead\s+of|rather\s+than|"
    r"kein(?:e|en|er|es|em)?|nicht|ohne|nie|niemals|sin|nunca|ni|ningun[oa]?|pas|sans|jamais|"
    r"aucun\w*|ne|n)\b(?:\W+\w+){0,3}\W*$"
)
_CLOUD_NAMES = r"(?:cloud|claude|internet|online|anthropic|sonnet|haiku)"
_LOCAL_REQUEST_RE: Final = _rx(
    r"keep\s+(?:it|this|that|things|everything)\s+(?:local|on[- ]device|offline|private|"
    r"on\s+the\s+box|at\s+home|in[- ]house)\b",
    r"stay\s+(?:local|offline|on[- ]device)\b",
    r"(?:do|answer|handle|run|process)\s+(?:it|this|that)\s+(?:locally|offline|on[- ]device)\b",
    r"(?:locally|on[- ]device|offline)\s*(?:only|please)?\s*[:,.!]",
    r"(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:\w+\s+){0,2}?(?:use|send|ask\w*|call|"
    r"go\s+to|involve|bother\w*)\s+(?:\w+\s+){0,3}?" + _CLOUD_NAMES,
    r"without\s+(?:the\s+)?(?:cloud|claude|internet)\b",
    r"no\s+cloud\b",
)
_SMART = (
    r"(?:big|bigger|large|larger|smart|smarter|smartest|best|better|strong|stronger|strongest|"
    r"powerful|more\s+powerful|most\s+powerful|premium|full|proper|online|remote)"
)
_MODEL_NAME = (
    r"(?:claude|anthropic|sonnet|haiku|opus|the\s+cloud|cloud\s+(?:model|ai|llm|brain|assistant)|"
    + _SMART
    + r"\s+(?:model|ai|llm|brain|assistant|version))\b"
)
_EXPLICIT_CLOUD_RE: Final = _rx(
    r"(?:ask\w*|use|using|try|switch\w*\s+(?:over\s+)?to|go\s+to|let|have|get|with|via|through|"
    r"(?:hand|send|pass|forward|put)\w*\s+(?:it|this|that)\s+(?:over\s+|on\s+)?to|"
    r"run\s+(?:it|this|that)\s+(?:by|past|through)|check\w*\s+with|consult\w*|over\s+to|"
    r"escalat\w*\s+(?:it\s+|this\s+|that\s+)?to)\s+(?:the\s+|your\s+)?" + _MODEL_NAME,
    r"^\W*(?:hey\s+|ok\s+|okay\s+)?claude\b",
    r"(?:in|on|from)\s+the\s+cloud\b",
    r"cloud\s+(?:model|ai|llm|brain|assistant)\b",
    r"escalat\w*",
    r"second\s+opinion\b",
    _SMART + r"\s+(?:model|llm)\b",
    # A bare model name, but not a person called Claude or a poem called a haiku.
    r"(?<!call\s)(?<!ring\s)(?<!text\s)(?<!email\s)(?<!meet\s)(?<!visit\s)(?<!invite\s)"
    r"(?<!tell\s)(?<!with\s)(?<!and\s)(?<!for\s)(?<!phone\s)(?<!message\s)(?<!remind\s)"
    r"(?:claude|anthropic|sonnet|opus)\b(?!'s\s+(?:birthday|party|house|place|number))",
    r"(?<!\ba\s)(?<!\ban\s)(?<!write\s)(?<!the\s)haiku\b(?!\s+(?:about|on|poem|for|of))",
    r"the\s+cloud\b(?!\s+cover)",
)
_THINK_HARD_RE: Final = _rx(
    r"think\s+(?:\w+\s+)?(?:hard\w*|careful\w*|deep\w*|long\s+and\s+hard|properly|thorough\w*)\b",
    r"think\s+(?:it|this|that)\s+(?:through|over)\b",
    r"(?:have|take)\s+a\s+(?:proper|good|long|careful|hard|deep|real)\s+(?:think|look)\b",
    r"deep\s+(?:think\w*|dive|analysis)\b",
    r"in[- ]depth\b",
    r"thorough\w*",
    r"take\s+your\s+time\b",
    r"reason\s+(?:it\s+)?(?:carefully|through|step\s+by\s+step)\b",
    r"detailed\s+(?:analysis|breakdown|answer|explanation|plan)\b",
)
_COMPLEX_MODEL_RE: Final = _rx(
    r"(?:sonnet|opus)\b",
    r"(?:big|bigger|large|larger|smart|smarter|smartest|best|strong|stronger|strongest|powerful|"
    r"premium|full|proper)\s+(?:model|ai|llm|brain|version)\b",
)

# --- Planning and analysis -----------------------------------------------------------------
_DURATION_RE: Final = _rx(
    r"(?P<n>" + _NUM + r"(?:\s+of)?|a\s+couple\s+of|a\s+few)\s*-?\s*"
    r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?|quarters?|fortnights?)\b"
)
_HORIZON_RE: Final = _rx(
    r"(?:year|month|season|quarter|half[- ]year)[- ]long\b", r"half\s+a\s+year\b",
    r"half[- ]year\b", r"long[- ]term\b", r"off[- ]?season\b", r"periodi[sz]\w*",
    r"meso-?cycle", r"macro-?cycle",
    r"(?:next|this\s+coming|coming|upcoming|following)\s+(?:month|quarter|year|season|"
    + _SEASONS + r")\b",
    r"(?:by|before|until|for|in|this)\s+(?:the\s+)?(?:" + _SEASONS
    + r"|christmas|new\s+year|the\s+end\s+of\s+the\s+(?:year|month))\b",
    r"(?:by|before|until|in)\s+" + _MONTHS + r"\b",
    r"(?:week|month|fortnight)[- ]by[- ](?:week|month|fortnight)\b",
    r"before\s+my\s+(?:wedding|holiday|vacation|trip|race|event|competition|meet|season)\b",
    r"over\s+(?:the\s+)?(?:next|coming)\s+(?:few\s+|couple\s+of\s+)?(?:weeks|months)\b",
    r"over\s+the\s+(?:" + _SEASONS[3:-1] + r"|holidays|off-?season)\b",
    r"(?:next|coming)\s+(?:few|several|couple\s+of)\s+(?:weeks|months)\b",
)  # fmt: skip
_PAST_TAIL_RE: Final = _rx(
    r"(?:last|past|previous|since|over\s+the\s+last|in\s+the\s+last)\W*(?:\w+\W+)?$"
)
_AGO_RE: Final = _rx(r"^\W*(?:ago|back)\b", word_start=False)
_PAST_PERIOD_RE: Final = _rx(
    r"since\s+(?:" + _MONTHS + r"|last\s+\w+|\w+\s+ago)\b",
    r"(?:last|past|previous)\s+(?:month|quarter|year|season)\b",
    r"(?:last|past|previous)\s+(?:\w+\s+)?(?:blocks?|cycles?|programs?|programmes?|phases?)\b",
)
_PLAN_CUE_RE: Final = _rx(
    r"(?:plan\w*|program\w*|schedul\w*|design\w*|build\w*|creat\w*|make|map\w*\s+out|lay\s+out|"
    r"put\s+together|draw\s+up|draft\w*|sketch\w*|outline\w*|devis\w*|structur\w*|periodi[sz]\w*|"
    r"progress(?:ion|ions)?|routine|regimen|block|cycle|split|road-?map|curriculum|ramp\w*|"
    r"peak\w*|taper\w*|challenge|prepar\w*|ready|train\w*|get\s+me|help\s+me|give\s+me|"
    r"progressive|workouts|sessions|how\s+(?:do|can|should)\s+i|best\s+way)\b"
)
_PROGRAM_NOUN_RE: Final = _rx(
    r"(?:programs?|programmes?|(?:training|workout|fitness|meal)\s+plans?|plans?|regimens?|"
    r"splits?|blocks?|curriculum|road-?maps?|progressions?|(?:training|workout)\s+schedules?|tapers?|"
    r"build-?ups?|(?:training\s+|meso)?cycles?|periodi[sz]ation)\b"
)
_CREATE_RE: Final = _rx(
    r"(?:design\w*|creat\w*|build\w*|make|write|put\s+together|draw\s+up|draft\w*|sketch\w*|"
    r"outline\w*|devis\w*|lay\s+out|map\s+out|come\s+up\s+with|give\s+me|set\s+up|develop\w*|"
    r"plan|figure\s+out|need|want|like|suggest\w*|recommend\w*)\b"
)
_SHORT_HORIZON_RE: Final = _rx(
    r"(?:today\w*|tonight\w*|tomorrow\w*|this\s+(?:morning|afternoon|evening|session|week)|"
    r"right\s+now|now(?!\s+that)|quick|single|\d+\s*-?\s*min\w*|"
    r"(?:five|ten|fifteen|twenty|thirty|forty|sixty)\s*-?\s*min\w*|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|after\s+(?:my|the)\s+\w+|"
    r"(?:before|after)\s+(?:bed|work|lunch|dinner|school|my\s+(?:run|ride|workout|swim))|"
    r"this\s+weekend|warm-?up|cool-?down)\b"
)
_EVENT = (
    r"(?:half[- ]?marathon|marathon|ultra\w*|triathlon|ironman|duathlon|\d+\s*k|century|fondo|"
    r"race|meet|competition|comp|mudder|spartan|event|wedding|season|hike|trek|expedition|"
    r"climb|tour|match|tournament|fight|bout|selection|tryouts?|test)\b"
)
_GOAL_EVENT_RE: Final = _rx(
    r"(?:train\w*|prepar\w*|get\w*\s+(?:me\s+)?ready|ready|build\w*\s+(?:me\s+)?up|peak\w*|"
    r"taper\w*|plan\w*|program\w*|getting\s+in\s+shape)\s+for\s+(?:a\s+|an\s+|the\s+|my\s+)?"
    r"(?:first\s+|next\s+|upcoming\s+)?(?:\w+\s+){0,2}?" + _EVENT,
    r"(?:run|race|finish|complete|do|ride|swim)\s+(?:a\s+|an\s+|my\s+)?(?:first\s+)?"
    r"(?:half[- ]?marathon|marathon|ultra\w*|triathlon|ironman|century)\b",
)
_WEIGHT_GOAL_RE: Final = _rx(
    r"(?:lose|losing|lost|drop\w*|shed\w*|gain\w*|put\s+on|cut\w*)\s+(?:\d+(?:\.\d+)?|"
    + _NUM
    + r")\s*(?:kg|kilos?|kilograms?|lbs?|pounds?|stone|percent|%)"
)
_ADVICE_RE: Final = _rx(
    r"how\s+should\s+i\s+(?:train|structure|approach|program\w*|organi[sz]e|balance|schedule|"
    r"periodi[sz]e|split|build)\b",
    r"what\s+should\s+my\s+(?:training|week\w*|program\w*|routine|schedule|plan)\s+look\s+like\b",
    r"how\s+(?:should|do|can)\s+i\s+(?:adjust|change|adapt|modify|rework|restructure|rebalance)\s+"
    r"my\s+(?:training|program\w*|plan|routine|schedule|split)\b",
    r"how\s+(?:should|do|can)\s+i\s+approach\b",
)
_FACTOR_RE: Final = _rx(
    r"(?P<schedule>(?:shifts?|work|job|travel\w*|commute|kids?|kid'?s|toddler|children|family|"
    r"busy|schedule|free\s+(?:evenings?|mornings?|days?|time)|"
    r"only\s+\w+\s+(?:days|evenings|mornings|hours))\b)",
    r"(?P<sleep>(?:sleep\w*|insomnia|rest\s+days?)\b)",
    r"(?P<food>(?:diet\w*|nutrition|calories|macros|protein|eating|meals?|fasting|vegan)\b)",
    r"(?P<body>(?:knees?|back|shoulders?|hips?|ankles?|wrists?|sore\w*|mobility|flexibility|"
    r"age|stress|recovery|hrv)\b)",
    r"(?P<strength>(?:strength|lift\w*|weights?|powerlift\w*|bodybuilding|hypertrophy)\b)",
    r"(?P<endurance>(?:run\w*|jog\w*|cardio|endurance)\b)",
    r"(?P<cycling>(?:cycl\w*|bik\w*|spin)\b)",
    r"(?P<yoga>(?:yoga|pilates|stretch\w*)\b)",
    r"(?P<climbing>(?:climb\w*|boulder\w*)\b)",
    r"(?P<swimming>swim\w*)",
    r"(?P<conditioning>(?:hiit|crossfit|calisthenics|kettlebells?)\b)",
)
_FACTOR_CONNECTOR_RE: Final = _rx(
    r"(?:taking\s+into\s+account|take\s+into\s+account|considering|factor\w*\s+in|given|"
    r"balanc\w*|fits?\s+around|work\w*\s+around|around\s+my|juggl\w*|trade-?offs?|mix\w*|"
    r"combin\w*|while\s+also|as\s+well\s+as|along\s+with|at\s+the\s+same\s+time|"
    r"simultaneously|now\s+that)\b"
)
_MULTI_FACTOR_MIN: Final = 3
_WHY_RE: Final = _rx(
    r"(?:why|how\s+come)\b",
    r"what\s+am\s+i\s+doing\s+wrong\b",
    r"what(?:'s|\s+is)\s+(?:going\s+on|wrong|happening)\b",
    r"what(?:'s|\s+is|\s+are)\s+(?:behind|causing)\b",
    r"what\s+causes\b",
    r"(?:the\s+)?(?:cause|reason)s?\s+(?:of|for|behind|why)\b",
    r"what(?:'s|\s+is)\s+(?:holding|stopping|keeping|limiting|preventing|blocking)\s+(?:me|my)\b",
)
_SELF_RE: Final = _rx(r"(?:i|i'm|i've|i'd|me|my|myself|mine|im)\b")
_DEVICE_RE: Final = _rx(
    r"(?:lights?|lamps?|doors?|locks?|locked|thermostat|heater|fan|ac|air\s+con\w*|tv|"
    r"television|music|speakers?|alarm|garage|blinds|curtains|sensors?|vacuum|battery|wi-?fi|"
    r"internet|router|plug|switch|oven|fridge|washer|dryer|dishwasher|camera|doorbell|app)\b"
)
_PLATEAU_RE: Final = _rx(
    r"plateau\w*", r"stall\w*", r"(?:been\s+)?stuck\s+(?:at|on)\s+(?:the\s+same|\d|my|around)",
    r"flat(?:lin\w*)?\s+(?:since|for)\b",
    r"(?:haven'?t|hasn'?t|have\s+not|has\s+not|didn'?t|isn'?t|aren'?t)\s+(?:\w+\s+)?"
    r"(?:improv\w*|progress\w*|gained|lost|moved|budged|changed|gone\s+(?:up|down)|increas\w*|"
    r"got(?:ten)?\s+(?:better|stronger|faster))",
    r"not\s+(?:improv\w*|progress\w*|"
    r"getting\s+(?:any\s+)?(?:stronger|faster|better|fitter|leaner)|"
    r"making\s+(?:any\s+)?(?:progress|gains)|"
    r"seeing\s+(?:any\s+)?(?:progress|results|gains|change))",
    r"no\s+(?:progress|gains|results|improvement)\b",
    r"without\s+(?:any\s+)?(?:improv\w*|progress\w*|getting\s+(?:better|faster|stronger)|gains)",
    r"(?:getting|got|gotten|keeps?\s+getting|keep\s+getting)\s+(?:slower|weaker|worse|heavier)",
    r"(?:go|goes|going|gone|went|slid\w*|slipp\w*)\s+backwards?", r"regress\w*",
    r"drop\s+in\s+(?:performance|pace|strength|fitness)", r"overtrain\w*",
    r"burn(?:ed|t|ing)?\s*out\b", r"holding\s+(?:me|my\s+\w+|back)",
    r"limit\w*\s+my\s+(?:progress|gains|results|performance|improvement)",
)  # fmt: skip
_STRONG_ANALYSIS_RE: Final = _rx(
    r"(?:analy[sz]\w*|evaluat\w*|assess\w*|audit\w*|dig\s+into|deep\s+dive|"
    r"diagnose\s+my\s+(?:training|program\w*|plan|form|running|lifting)|"
    r"figure\s+out\s+(?:why|what)|make\s+sense\s+of)\b"
)
_WEAK_ANALYSIS_RE: Final = _rx(
    r"(?:review\w*|look\s+(?:at|into|over|through)|compar\w*|trends?|patterns?|correlat\w*|"
    r"insights?|break\s*down|go\s+(?:over|through))\b"
)
_CHANGE_ASK_RE: Final = _rx(
    r"(?:explain\w*|what\s+(?:should|do|can)\s+i\s+(?:change|fix|improve|adjust|do\s+differently)|"
    r"tell\s+me\s+what\s+to\s+(?:change|fix|improve|adjust)|"
    r"suggest\w*\s+(?:changes|improvements|adjustments|tweaks)|recommend\w*|advice|advise|"
    r"which\s+(?:\w+\s+)?(?:worked|works|was|is)\s+better)\b"
)
_PUNCT: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2013": "-", "\u2014": "-"})
_ACCENTED: Final = "àáâãäåāçčèéêëēěìíîïīñńòóôõöøōùúûüūůýÿ"
_PLAIN: Final = "aaaaaaacceeeeeeiiiiinnooooooouuuuuuyy"
_FOLD: Final = str.maketrans(
    {**dict(zip(_ACCENTED, _PLAIN, strict=True)), "ß": "ss", "œ": "oe", "æ": "ae"}
)
_ELISION_RE: Final = re.compile(r"(?<![\w'])(qu|[cdjlmnst])'(?=\w)")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _fold(lowered: str) -> str:
    """The lower-cased turn without accents or umlauts, French elisions split, for safety.

    "Übelkeit" -> "ubelkeit", "médico" -> "medico", "Fuß" -> "fuss", "l'eau" -> "l eau".
    """
    return _ELISION_RE.sub(r"\1 ", lowered.translate(_FOLD))


def _negated(text: str, start: int, tail: re.Pattern[str] = _NEGATED_TAIL_RE) -> bool:
    """Whether one of the few words before ``start`` negates what follows."""
    return tail.search(text, max(0, start - 40), start) is not None


def _first_affirmed(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        if not _negated(text, match.start()):
            return _squash(match.group(0))
    return None


def _safety(text: str, intent: str | None) -> tuple[dict[str, str], bool]:
    """Medical families in the folded ``text`` (family -> first trigger), and whether all were
    negated. English, German, Spanish and French."""
    found: dict[str, str] = {}
    negated = True
    for match in _SAFETY_RE.finditer(text):
        found.setdefault(match.lastgroup or "safety", _squash(match.group(0)))
        negated = negated and _negated(text, match.start(), _SAFETY_NEGATED_TAIL_RE)
    affirmed: dict[str, str] = {}
    if not found and (statement := _JOINT_STATEMENT_RE.search(text)):
        affirmed["symptom"] = _squash(statement.group(0))
    ache = None if "injury" in found else _ACHE_RE.search(text)
    if ache and not _MILD_ACHE_RE.search(text):
        affirmed["injury"] = ache.group(0)
    heart_rate = _HEART_RATE_RE.search(text) or _HEART_RATE_X_RE.search(text)
    if "cardiac" not in found and heart_rate:
        concern = _HR_CONCERN_RE.search(text) or _HR_CONCERN_X_RE.search(text)
        resting = "resting" in text or _RESTING_X_RE.search(text) is not None
        high = _HR_RESTING_HIGH if resting else _HR_HIGH
        numbers = (
            int(n["after"] or n["before"])
            for pattern in (_HR_NUMBER_RE, _HR_NUMBER_X_RE)
            for n in pattern.finditer(text)
        )
        extreme = next((n for n in numbers if n <= _HR_LOW or n >= high), None)
        if concern or extreme is not None:
            trigger = concern.group(0) if concern else f"{extreme}"
            affirmed["cardiac"] = f"{heart_rate.group(0)} + {trigger}"
    if intent == "health_question" and not found and not affirmed:
        affirmed["intent"] = "health_question"
    found.update(affirmed)
    return found, negated and bool(found) and not affirmed


def _amount(words: str) -> int:
    """The number in "12", "three", "a couple of", "a few"."""
    for word in words.split():
        if word.isdigit():
            return int(word)
        if word not in {"a", "an", "of"}:
            return _NUMBER_WORDS.get(word, 1)
    return 1


def _in_past(text: str, match: re.Match[str]) -> bool:
    """Whether a duration is a past period ("last six weeks", "two weeks ago")."""
    start = match.start()
    return bool(
        _PAST_TAIL_RE.search(text, max(0, start - 24), start) or _AGO_RE.match(text, match.end())
    )


def _long_horizon(text: str) -> str | None:
    """A future horizon of two weeks or more ("12-week", "three months", "by summer")."""
    for match in _DURATION_RE.finditer(text):
        days = _amount(match.group("n")) * _UNIT_DAYS[match.group("unit")[0]]
        future = not _negated(text, match.start()) and not _in_past(text, match)
        if days >= _MULTI_WEEK_DAYS and future:
            return match.group(0)
    return _first_affirmed(_HORIZON_RE, text)


def _past_horizon(text: str) -> str | None:
    """A past period ("last six weeks", "since March", "past quarter")."""
    for match in _DURATION_RE.finditer(text):
        if _in_past(text, match):
            return match.group(0)
    past = _PAST_PERIOD_RE.search(text)
    return past.group(0) if past else None


def _multi_factor(text: str, *, short: bool) -> str | None:
    """Three constraint families (or two with "balance"/"around my") in a planning turn.

    A short-horizon turn ("a stretch for my back after work") needs the connector.
    """
    families = {match.lastgroup or "" for match in _FACTOR_RE.finditer(text)}
    connector = _FACTOR_CONNECTOR_RE.search(text)
    if short and not connector:
        return None
    needed = _MULTI_FACTOR_MIN - (1 if connector else 0)
    if len(families) >= needed and (connector or _PLAN_CUE_RE.search(text)):
        return ", ".join(sorted(families))
    return None


def _programme_design(text: str) -> str | None:
    """A request to create a programme, plan or routine ("design a strength program")."""
    for noun in _PROGRAM_NOUN_RE.finditer(text):
        if _negated(text, noun.start()):
            continue
        for verb in _CREATE_RE.finditer(text, 0, noun.start()):
            if not _negated(text, verb.start()):
                return f"programme design: {verb.group(0)!r} + {noun.group(0)!r}"
    return None


def _planning(text: str) -> str | None:
    """Why the turn is multi-week or multi-factor planning, if it is."""
    if horizon := _long_horizon(text):
        cue = _PLAN_CUE_RE.search(text) or _GOAL_EVENT_RE.search(text)
        if cue := cue or _WEIGHT_GOAL_RE.search(text):
            return f"multi-week planning: {horizon!r} + {cue.group(0)!r}"
    short = _SHORT_HORIZON_RE.search(text) is not None
    if not short:  # "today's run", "a 20-minute session" stay local
        if goal := _first_affirmed(_GOAL_EVENT_RE, text):
            return f"goal-driven training plan: {goal!r}"
        if (weight := _WEIGHT_GOAL_RE.search(text)) and _PLAN_CUE_RE.search(text):
            return f"weight goal plan: {weight.group(0)!r}"
        if design := _programme_design(text):
            return design
        if advice := _ADVICE_RE.search(text):
            return f"training structure question: {advice.group(0)!r}"
    if factors := _multi_factor(text, short=short):
        return f"multi-factor planning ({factors})"
    return None


def _analysis(text: str) -> str | None:
    """Why the turn is plateau/trend analysis or a "why" question about the user, if it is."""
    if plateau := _PLATEAU_RE.search(text):
        return f"progress analysis: {_squash(plateau.group(0))!r}"
    why = _WHY_RE.search(text)
    if why and _SELF_RE.search(text) and not _DEVICE_RE.search(text):
        return f"'why' analysis: {why.group(0)!r}"
    if strong := _STRONG_ANALYSIS_RE.search(text):
        return f"analysis request: {strong.group(0)!r}"
    if weak := _WEAK_ANALYSIS_RE.search(text):
        change = _CHANGE_ASK_RE.search(text)
        if detail := _past_horizon(text) or (change.group(0) if change else None):
            return f"analysis request: {weak.group(0)!r} + {detail!r}"
    return None


def _complex_reasons(
    text: str, raw_text: str, context_tokens: int, local_window: int, intent: str | None
) -> list[str]:
    """Every reason the turn needs the stronger cloud model."""
    reasons = []
    tokens = context_tokens + len(raw_text) // TOKEN_CHARS
    if tokens > local_window:
        reasons.append(f"context {tokens} tokens > local window {local_window}")
    if planning := _planning(text):
        reasons.append(planning)
    elif intent == "plan_program":
        reasons.append("intent plan_program")
    if analysis := _analysis(text):
        reasons.append(analysis)
    if think := _first_affirmed(_THINK_HARD_RE, text):
        reasons.append(f"user asked for deeper thinking ({think!r})")
    return reasons


def route(
    text: str,
    *,
    context_tokens: int = 0,
    local_window: int = 4096,
    confidence: float | None = None,
    structured_valid: bool = True,
    threshold: float = 0.7,
    intent: str | None = None,
) -> RouteDecision:
    """Route one user turn; the rules are in the module docstring."""
    lowered = text.lower().translate(_PUNCT)
    complex_reasons = _complex_reasons(lowered, text, context_tokens, local_window, intent)

    folded = _fold(lowered)
    found, negated = _safety(folded, intent)
    if found:
        detail = ", ".join(f"{family} {trigger!r}" for family, trigger in found.items())
        if negated:  # "no chest pain today": still the cloud, for recall, but no red flag
            return RouteDecision(CLOUD_SIMPLE, f"safety/medical (negated): {detail}", True)
        severe = _RED_FLAG_RE.search(folded)
        medical = len(found.keys() - _GENERIC_SAFETY)
        if severe:
            why = f"red flag {_squash(severe.group(0))!r}"
        elif medical > 1:
            why = "several medical factors"
        elif complex_reasons:
            why = complex_reasons[0]
        else:
            return RouteDecision(CLOUD_SIMPLE, f"safety/medical: {detail}", True)
        return RouteDecision(CLOUD_COMPLEX, f"safety/medical: {detail}; {why}", True)

    if local := _LOCAL_REQUEST_RE.search(lowered):
        reason = f"user asked to stay local ({_squash(local.group(0))!r})"
        return RouteDecision(LOCAL, reason, False)

    if explicit := _first_affirmed(_EXPLICIT_CLOUD_RE, lowered):
        reason = f"user asked for the cloud ({explicit!r})"
        if _COMPLEX_MODEL_RE.search(lowered) or complex_reasons:
            return RouteDecision(CLOUD_COMPLEX, "; ".join([reason, *complex_reasons]), False)
        return RouteDecision(CLOUD_SIMPLE, reason, False)

    if complex_reasons:
        return RouteDecision(CLOUD_COMPLEX, "; ".join(complex_reasons), False)
    if not structured_valid:
        return RouteDecision(CLOUD_SIMPLE, "structured pass failed validation", False)
    if confidence is not None and confidence < threshold:
        return RouteDecision(CLOUD_SIMPLE, f"low confidence {confidence:g} < {threshold:g}", False)
    what = f"intent {intent}" if intent else "no safety, planning, analysis or cloud request"
    return RouteDecision(LOCAL, f"local: {what}", False)
