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
        r"cardiac", r"arrhythmi\w*", r"a-?fib", "atrial", r"palpitat\w*", r"tachycardi\w*",
        r"bradycardi\w*", "pacemaker", "stent", "angina", "heartburn", r"(?:acid\s+)?reflux",
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
        # Generic drug names by their stems: lisinopril, metoprolol, atorvastatin, ...
        r"\w{3,}(?:pril|olol|sartan|statin|dipine|glutide|prazole|cillin|mycin|cycline|floxacin|"
        r"triptan|azepam|zolam|oxetine|traline|afil|gliptin|gliflozin|parin|xaban|gatran|"
        r"thiazide|semide|profen|coxib|olone|sone|pam|done|xone|tadine|codone)\b",
        r"side\s+effects?", r"interact\w*", r"contraindicat\w*",
        r"(?:exercise|training|medical)\s+restrictions",
    ),
    "injury": (
        r"pain(?:s|ful|fully)?\b", r"hurt(?:s|ing)?\b", r"injur\w*", r"(?:tore|torn|tears?)\b",
        r"ruptur\w*", r"sprain\w*", r"strain(?:ed|s)?\b", r"fractur\w*", r"dislocat\w*",
        r"swell\w*", "swollen", r"bruis\w*", r"bleed\w*", r"blood\b", r"nose\s*bleeds?",
        r"blisters?", r"sunburn\w*", r"stung\b", r"bitten\b",
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
_SAFETY_RE: Final = _rx(
    *(f"(?P<{name}>{'|'.join(alts)})" for name, alts in _SAFETY_FAMILIES.items())
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
    r"hypo(?:glyc\w*)?\b",
)  # fmt: skip
# Cues that are not a medical factor of their own ("is it safe", "see a doctor", "my knee is").
_GENERIC_SAFETY: Final = frozenset({"care", "symptom", "intent"})

# --- Explicit requests ---------------------------------------------------------------------
_NEGATED_TAIL_RE: Final = _rx(
    r"(?:don'?t|do\s+not|doesn'?t|didn'?t|not|no|never|without|instead\s+of|rather\s+than)\b"
    r"(?:\W+\w+){0,3}\W*$"
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


def _squash(text: str) -> str:
    return " ".join(text.split())


def _negated(text: str, start: int) -> bool:
    """Whether one of the few words before ``start`` negates what follows."""
    return _NEGATED_TAIL_RE.search(text, max(0, start - 40), start) is not None


def _first_affirmed(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        if not _negated(text, match.start()):
            return _squash(match.group(0))
    return None


def _safety(text: str, intent: str | None) -> tuple[dict[str, str], bool]:
    """Medical families in ``text`` (family -> first trigger) and whether all were negated."""
    found: dict[str, str] = {}
    negated = True
    for match in _SAFETY_RE.finditer(text):
        found.setdefault(match.lastgroup or "safety", _squash(match.group(0)))
        negated = negated and _negated(text, match.start())
    affirmed: dict[str, str] = {}
    if not found and (statement := _JOINT_STATEMENT_RE.search(text)):
        affirmed["symptom"] = _squash(statement.group(0))
    ache = None if "injury" in found else _ACHE_RE.search(text)
    if ache and not _MILD_ACHE_RE.search(text):
        affirmed["injury"] = ache.group(0)
    if "cardiac" not in found and (heart_rate := _HEART_RATE_RE.search(text)):
        concern = _HR_CONCERN_RE.search(text)
        high = _HR_RESTING_HIGH if "resting" in text else _HR_HIGH
        numbers = (int(n["after"] or n["before"]) for n in _HR_NUMBER_RE.finditer(text))
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

    found, negated = _safety(lowered, intent)
    if found:
        detail = ", ".join(f"{family} {trigger!r}" for family, trigger in found.items())
        if negated:  # "no chest pain today": still the cloud, for recall, but no red flag
            return RouteDecision(CLOUD_SIMPLE, f"safety/medical (negated): {detail}", True)
        severe = _RED_FLAG_RE.search(lowered)
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
