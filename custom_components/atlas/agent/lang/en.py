"""English: the router's vocabulary, safety families, red flags and request words."""

from __future__ import annotations

from typing import Final

from .patterns import any_of, rx

# --- Vocabulary ----------------------------------------------------------------------------
BODY_PARTS = (
    r"knees?", r"ankles?", r"wrists?", r"shoulders?", "back", r"hips?", r"necks?", r"elbows?",
    r"toes?", r"fingers?", r"thumbs?", "foot", "feet", r"hands?", r"arms?", r"legs?", r"ribs?",
    "collarbone", "nose", "jaw", "achilles", r"hamstrings?", "calf", "calves", r"shins?", "spine",
    "disc", r"tendons?", r"ligaments?", "groin", r"quads?", r"glutes?", r"biceps?", r"triceps?",
    r"pecs?", "head",
)  # fmt: skip
BODY = any_of(*BODY_PARTS)
BODY_WIDE = any_of(
    *BODY_PARTS, "throat", "stomach", "abdomen", "belly", "gut", r"heels?", "arch", r"kneecaps?",
    "skin", r"eyes?", r"ears?", r"lips?", "tongue", "face", "forehead", "skull", "pelvis",
    "tailbone", "coccyx", r"testicles?", r"joints?",
)  # fmt: skip
# Joints and organs, not the muscle groups people train ("my legs are heavy" is training talk).
JOINT = any_of(
    r"knees?", r"ankles?", r"wrists?", r"shoulders?", r"hips?", r"necks?", r"elbows?", "back",
    "spine", "foot", "feet", r"heels?", r"toes?", r"fingers?", r"thumbs?", "jaw", r"eyes?",
    "eyesight", r"ears?", "chest", "heart", "stomach", "head", "throat", "skin", r"ribs?",
    "achilles", r"tendons?", r"ligaments?", r"kneecaps?", "pelvis", "groin", "hearing", "pee",
    "urine", "poo", "stool",
)  # fmt: skip
# What an unhealthy body part does ("my hip clicks", "finger bent the wrong way"). Not "sore",
# "tight" or "stiff": those are ordinary training soreness and stay local.
SYMPTOM = any_of(
    r"spasm\w*", r"click\w*", r"grind\w*", r"lock(?:s|ed|ing)?\s+up", "locks", r"crunch\w*",
    r"deform\w*", r"wrong\s+way", r"out\s+of\s+place", r"sticking\s+out", "weird", "funny",
    "strange", "odd", r"tender\w*", r"burn\w*", r"throbb\w*", "hot", r"lump\w*", "bump",
    r"rash\w*", r"itch\w*", "bent", r"swell\w*", r"numb(?:ness|ed|ing|s)?\b", "unstable",
    r"wobbl\w*", r"twitch\w*", r"discolou?r\w*", r"bleed\w*", r"pain\w*", "ringing", "buzzing",
)  # fmt: skip
NUMB = r"numb(?:ness|ed|ing|s)?\b"
MONTHS = any_of(
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", r"sept?",
    "oct", "nov", "dec",
)  # fmt: skip
SEASONS = any_of("spring", "summer", "autumn", "fall", "winter")
NUMBER_WORDS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "dozen": 12,
    "couple": 2, "few": 3, "several": 3,
}  # fmt: skip
NUM = any_of(r"\d+", *sorted(NUMBER_WORDS, key=len, reverse=True))
UNIT_DAYS: Final = {"d": 1, "w": 7, "m": 30, "y": 365, "q": 91, "f": 14}
MULTI_WEEK_DAYS: Final = 14

# --- Safety ----------------------------------------------------------------------------------
# One named group per medical family: the family names the reason, and two families in one
# turn ("pregnant and diabetic") count as multi-factor.
CHEST = any_of("chest", "sternum", "breastbone")
CHEST_FEELING = any_of(
    r"pain\w*", r"hurt\w*", r"tight\w*", "pressure", r"heav\w*", "discomfort", r"ach\w*",
    r"burn\w*", r"squeez\w*", r"crush\w*", r"flutter\w*", r"pound\w*", "weird", "funny",
    "strange", "sharp", r"stabb\w*",
)  # fmt: skip
SAFETY_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        CHEST + r"\W+(?:\w+\W+){0,3}?" + CHEST_FEELING,
        CHEST_FEELING + r"\W+(?:\w+\W+){0,4}?" + CHEST + r"\b",
        r"heart\s+(?:attack|condition|disease|problems?|issues?|murmur|failure|surgery)",
        # Not "frecuencia cardíaca"/"fréquence cardiaque" (heart rate: status, checked below).
        r"(?<!frecuencia\s)(?<!frequence\s)(?<!ritmo\s)(?<!rythme\s)cardiac", r"arrhythmi\w*",
        r"a-?fib", "atrial", r"palpitat\w*", r"tachycardi\w*", r"bradycardi\w*", "pacemaker",
        "stent", "angina", "heartburn", r"(?:acid\s+)?reflux",
        r"clots?\b", r"clotting", r"dvt\b", "embolism", r"thrombo\w*",
        r"heart(?!\s*rates?\b|\s+of\b)(?:'s|beats?\b|\b)",
        r"(?:left\s+arm|jaw)\W+(?:\w+\W+){0,3}?"
        + any_of(r"ach\w*", r"pain\w*", r"hurt\w*", r"tingl\w*", NUMB, r"heav\w*"),
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
        NUMB, r"tingl\w*", r"pins\s+and\s+needles", r"can'?t\s+feel\s+my",
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
        r"broken?\s+(?:my\s+|a\s+)?(?:\w+\s+)?" + BODY,
        BODY + r"\s+(?:\w+\s+){0,2}?(?:is|are|might\s+be|may\s+be|feels?)\s+(?:\w+\s+)?broken",
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
        BODY + r"\s+(?:is\s+|keeps\s+|has\s+been\s+)?(?:acting|playing|flaring)\s+up",
        r"(?:a|the)\s+fall\b", r"fell\s+(?:off|down|over|on|from)", r"crash(?:ed)?\s+(?:my|on|off)",
        r"cramp\w*", "stitches", r"stitch\b", "crutches", r"surg(?:ery|eries|ical|eon|eons)\b",
        r"post-?op\b", r"arthriti\w*", r"osteopor\w*",
        r"(?:twisted|rolled|turned|jarred|jammed|wrenched|banged|smashed|bashed|knocked|cracked|"
        r"bumped|hit|smacked|whacked|cut|scraped|grazed|burned|burnt|tweaked|damaged|"
        r"hyper-?extended|over-?extended|jolted|busted|messed\s+up|screwed\s+up|"
        r"did\s+something\s+to)\s+(?:my|his|her|the)\s+(?:\w+\s+)?" + BODY,
        BODY_WIDE + r"\W+(?:\w+\W+){0,4}?" + SYMPTOM,
        SYMPTOM + r"\W+(?:in|on|at|around|behind|under|of)\s+(?:my|the|his|her)\s+(?:\w+\s+)?"
        + BODY_WIDE,
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
        + any_of("health", "heart", BODY_WIDE),
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
# Fallback: a joint or organ as the subject of a statement ("my knee is the size of a
# grapefruit", "my eyesight went funny"), unless it is ordinary soreness/stiffness or good news.
JOINT_STATEMENT_RE: Final = rx(
    r"my\s+(?:left\s+|right\s+|lower\s+|upper\s+|bad\s+)?" + JOINT + r"\s+"
    r"(?!(?:is|are|feels?|felt|was|were|has|have|has\s+been|looks?|seems?)\s+"
    r"(?:a\s+bit\s+|a\s+little\s+|really\s+|so\s+|very\s+|quite\s+|pretty\s+|much\s+|totally\s+|"
    r"fully\s+|all\s+)?(?:sore|stiff|tight|tired|fatigued|good|great|fine|better|ok|okay|alright|"
    r"strong|loose|recovered|healed|normal|fresh|improved|cold|warm|freezing)\b)"
    r"(?:is|are|was|were|has|have|keeps?|went|goes|feels?|felt|looks?|gets?|got|pops?|popped|"
    r"started|won'?t|can'?t|doesn'?t|isn'?t|seems?|turned|became|hurts?)\b"
)
# An ache is a symptom unless it is mild post-workout soreness.
ACHE_RE: Final = rx(r"ach(?:e|es|ed|ing|y)\b")
MILD_ACHE_RE: Final = rx(
    r"(?:a\s+(?:bit|little|touch)|bit|slightly|mildly|little|doms)\b",
    r"(?:from|after)\s+(?:yesterday|last\s+night|leg\s+day|the\s+gym|(?:my|the)\s+workout|"
    r"training|lifting)",
)
# Heart rate/pulse is status data ("what was my average heart rate") unless the turn worries
# about it or the number is extreme.
HEART_RATE_RE: Final = rx(r"(?:heart\s*rates?|heart'?s|pulse|hr|bpm|heartbeat)\b")
HR_CONCERN_RE: Final = rx(
    r"(?:danger\w*|unsafe|safe|(?:ab)?normal|worr\w*|concern\w*|alarm\w*|scar\w*|risk\w*|"
    r"(?:too|so|very|really|way|quite|pretty)\s+(?:high|low|fast|slow|much)|spik\w*|shot\s+up|"
    r"(?:higher|lower|faster)\s+than\s+(?:usual|normal)|jump(?:ed|s)|hit|maxed|"
    r"won'?t\s+(?:come|go|settle|slow)|doesn'?t\s+(?:come|go|settle)|"
    r"not\s+(?:coming|going)\s+down|stay\w*\s+(?:high|elevated)|elevated|irregular|racing|"
    r"pound\w*|skipp\w*|ok(?:ay)?|alright|fine|healthy|bad|problem|issue|wrong|erratic|weird|"
    r"funny|strange|odd|crazy|all\s+over\s+the\s+place)\b"
)
# The reading itself: "heart rate of 210", "pulse is 35", "190 bpm" (not "30 minutes").
HR_NUMBER_RE: Final = rx(
    r"(?:heart\s*rates?|heart'?s|pulse|hr)\W+(?:\w+\W+){0,3}?(?P<after>\d{2,3})\b"
    r"(?!\s*(?:k|km|kms|mi|miles?|m|meters?|metres?|min|mins|minutes?|s|secs?|seconds?|hours?|"
    r"hrs?|days?|weeks?|kg|kilos?|lbs?|pounds?|reps?|sets?|%|percent)\b)",
    r"(?P<before>\d{2,3})\s*bpm\b",
)
RED_FLAGS: Final = (
    CHEST, r"faint\w*", r"pass(?:ed|ing)?\s+out", r"black(?:ed|ing)?\s+out", r"collaps\w*",
    r"can'?t\s+(?:catch\s+my\s+)?breath\w*", r"cannot\s+breathe", NUMB, r"slurr\w*",
    r"(?:a|mini|having\s+a|had\s+a)\s+stroke\b", r"seizure\w*", r"concuss\w*",
    r"hit\s+my\s+head", r"head\s+injur\w*", r"suicid\w*", r"kill\s+myself", r"self[- ]harm\w*",
    r"want\s+to\s+die", r"anaphyla\w*", r"heat\s*stroke", "emergency", "ambulance",
    r"(?:call|dial|ring|phone)\w*\s+(?:the\s+)?(?:911|999|112)\b", r"severe\w*", r"sharp\b",
    r"crush\w*", "excruciating", "unbearable",
    r"(?:tore|torn)\b", r"ruptur\w*", r"fractur\w*", r"broken\b", r"dislocat\w*", r"snapp?ed\b",
    r"bleed\w*", r"blood\s+in", r"cough\w*\s+(?:up\s+)?blood", r"overdos\w*", r"palpitat\w*",
    r"arrhythmi\w*", r"irregular\b", r"rhabdo\w*", r"pregnan\w*", "insulin",
    r"hypo(?:glyc\w*)?\b",
)  # fmt: skip
# --- Explicit requests ---------------------------------------------------------------------
NEGATED_TAIL_RE: Final = rx(
    r"(?:don'?t|do\s+not|doesn'?t|didn'?t|not|no|never|without|instead\s+of|rather\s+than)\b"
    r"(?:\W+\w+){0,3}\W*$"
)
# Safety also reads German, Spanish and French negation ("keine Brustschmerzen", "sin dolor").
SAFETY_NEGATED_TAIL_RE: Final = rx(
    r"(?:don'?t|do\s+not|doesn'?t|didn'?t|not|no|never|without|instead\s+of|rather\s+than|"
    r"kein(?:e|en|er|es|em)?|nicht|ohne|nie|niemals|sin|nunca|ni|ningun[oa]?|pas|sans|jamais|"
    r"aucun\w*|ne|n)\b(?:\W+\w+){0,3}\W*$"
)
CLOUD_NAMES = r"(?:cloud|claude|internet|online|anthropic|sonnet|haiku)"
LOCAL_REQUEST_RE: Final = rx(
    r"keep\s+(?:it|this|that|things|everything)\s+(?:local|on[- ]device|offline|private|"
    r"on\s+the\s+box|at\s+home|in[- ]house)\b",
    r"stay\s+(?:local|offline|on[- ]device)\b",
    r"(?:do|answer|handle|run|process)\s+(?:it|this|that)\s+(?:locally|offline|on[- ]device)\b",
    r"(?:locally|on[- ]device|offline)\s*(?:only|please)?\s*[:,.!]",
    r"(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:\w+\s+){0,2}?(?:use|send|ask\w*|call|"
    r"go\s+to|involve|bother\w*)\s+(?:\w+\s+){0,3}?" + CLOUD_NAMES,
    r"without\s+(?:the\s+)?(?:cloud|claude|internet)\b",
    r"no\s+cloud\b",
)
SMART = (
    r"(?:big|bigger|large|larger|smart|smarter|smartest|best|better|strong|stronger|strongest|"
    r"powerful|more\s+powerful|most\s+powerful|premium|full|proper|online|remote)"
)
MODEL_NAME = (
    r"(?:claude|anthropic|sonnet|haiku|opus|the\s+cloud|cloud\s+(?:model|ai|llm|brain|assistant)|"
    + SMART
    + r"\s+(?:model|ai|llm|brain|assistant|version))\b"
)
EXPLICIT_CLOUD_RE: Final = rx(
    r"(?:ask\w*|use|using|try|switch\w*\s+(?:over\s+)?to|go\s+to|let|have|get|with|via|through|"
    r"(?:hand|send|pass|forward|put)\w*\s+(?:it|this|that)\s+(?:over\s+|on\s+)?to|"
    r"run\s+(?:it|this|that)\s+(?:by|past|through)|check\w*\s+with|consult\w*|over\s+to|"
    r"escalat\w*\s+(?:it\s+|this\s+|that\s+)?to)\s+(?:the\s+|your\s+)?" + MODEL_NAME,
    r"^\W*(?:hey\s+|ok\s+|okay\s+)?claude\b",
    r"(?:in|on|from)\s+the\s+cloud\b",
    r"cloud\s+(?:model|ai|llm|brain|assistant)\b",
    r"escalat\w*",
    r"second\s+opinion\b",
    SMART + r"\s+(?:model|llm)\b",
    # A bare model name, but not a person called Claude or a poem called a haiku.
    r"(?<!call\s)(?<!ring\s)(?<!text\s)(?<!email\s)(?<!meet\s)(?<!visit\s)(?<!invite\s)"
    r"(?<!tell\s)(?<!with\s)(?<!and\s)(?<!for\s)(?<!phone\s)(?<!message\s)(?<!remind\s)"
    r"(?:claude|anthropic|sonnet|opus)\b(?!'s\s+(?:birthday|party|house|place|number))",
    r"(?<!\ba\s)(?<!\ban\s)(?<!write\s)(?<!the\s)haiku\b(?!\s+(?:about|on|poem|for|of))",
    r"the\s+cloud\b(?!\s+cover)",
)
THINK_HARD_RE: Final = rx(
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
COMPLEX_MODEL_RE: Final = rx(
    r"(?:sonnet|opus)\b",
    r"(?:big|bigger|large|larger|smart|smarter|smartest|best|strong|stronger|strongest|powerful|"
    r"premium|full|proper)\s+(?:model|ai|llm|brain|version)\b",
)

# --- Planning and analysis -----------------------------------------------------------------
DURATION_RE: Final = rx(
    r"(?P<n>" + NUM + r"(?:\s+of)?|a\s+couple\s+of|a\s+few)\s*-?\s*"
    r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?|quarters?|fortnights?)\b"
)
HORIZON_RE: Final = rx(
    r"(?:year|month|season|quarter|half[- ]year)[- ]long\b", r"half\s+a\s+year\b",
    r"half[- ]year\b", r"long[- ]term\b", r"off[- ]?season\b", r"periodi[sz]\w*",
    r"meso-?cycle", r"macro-?cycle",
    r"(?:next|this\s+coming|coming|upcoming|following)\s+(?:month|quarter|year|season|"
    + SEASONS + r")\b",
    r"(?:by|before|until|for|in|this)\s+(?:the\s+)?(?:" + SEASONS
    + r"|christmas|new\s+year|the\s+end\s+of\s+the\s+(?:year|month))\b",
    r"(?:by|before|until|in)\s+" + MONTHS + r"\b",
    r"(?:week|month|fortnight)[- ]by[- ](?:week|month|fortnight)\b",
    r"before\s+my\s+(?:wedding|holiday|vacation|trip|race|event|competition|meet|season)\b",
    r"over\s+(?:the\s+)?(?:next|coming)\s+(?:few\s+|couple\s+of\s+)?(?:weeks|months)\b",
    r"over\s+the\s+(?:" + SEASONS[3:-1] + r"|holidays|off-?season)\b",
    r"(?:next|coming)\s+(?:few|several|couple\s+of)\s+(?:weeks|months)\b",
)  # fmt: skip
PAST_TAIL_RE: Final = rx(
    r"(?:last|past|previous|since|over\s+the\s+last|in\s+the\s+last)\W*(?:\w+\W+)?$"
)
AGO_RE: Final = rx(r"^\W*(?:ago|back)\b", word_start=False)
PAST_PERIOD_RE: Final = rx(
    r"since\s+(?:" + MONTHS + r"|last\s+\w+|\w+\s+ago)\b",
    r"(?:last|past|previous)\s+(?:month|quarter|year|season)\b",
    r"(?:last|past|previous)\s+(?:\w+\s+)?(?:blocks?|cycles?|programs?|programmes?|phases?)\b",
)
PLAN_CUE_RE: Final = rx(
    r"(?:plan\w*|program\w*|schedul\w*|design\w*|build\w*|creat\w*|make|map\w*\s+out|lay\s+out|"
    r"put\s+together|draw\s+up|draft\w*|sketch\w*|outline\w*|devis\w*|structur\w*|periodi[sz]\w*|"
    r"progress(?:ion|ions)?|routine|regimen|block|cycle|split|road-?map|curriculum|ramp\w*|"
    r"peak\w*|taper\w*|challenge|prepar\w*|ready|train\w*|get\s+me|help\s+me|give\s+me|"
    r"progressive|workouts|sessions|how\s+(?:do|can|should)\s+i|best\s+way)\b"
)
PROGRAM_NOUN_RE: Final = rx(
    r"(?:programs?|programmes?|(?:training|workout|fitness|meal)\s+plans?|plans?|regimens?|"
    r"splits?|blocks?|curriculum|road-?maps?|progressions?|(?:training|workout)\s+schedules?|tapers?|"
    r"build-?ups?|(?:training\s+|meso)?cycles?|periodi[sz]ation)\b"
)
CREATE_RE: Final = rx(
    r"(?:design\w*|creat\w*|build\w*|make|write|put\s+together|draw\s+up|draft\w*|sketch\w*|"
    r"outline\w*|devis\w*|lay\s+out|map\s+out|come\s+up\s+with|give\s+me|set\s+up|develop\w*|"
    r"plan|figure\s+out|need|want|like|suggest\w*|recommend\w*)\b"
)
SHORT_HORIZON_RE: Final = rx(
    r"(?:today\w*|tonight\w*|tomorrow\w*|this\s+(?:morning|afternoon|evening|session|week)|"
    r"right\s+now|now(?!\s+that)|quick|single|\d+\s*-?\s*min\w*|"
    r"(?:five|ten|fifteen|twenty|thirty|forty|sixty)\s*-?\s*min\w*|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|after\s+(?:my|the)\s+\w+|"
    r"(?:before|after)\s+(?:bed|work|lunch|dinner|school|my\s+(?:run|ride|workout|swim))|"
    r"this\s+weekend|warm-?up|cool-?down)\b"
)
EVENT = (
    r"(?:half[- ]?marathon|marathon|ultra\w*|triathlon|ironman|duathlon|\d+\s*k|century|fondo|"
    r"race|meet|competition|comp|mudder|spartan|event|wedding|season|hike|trek|expedition|"
    r"climb|tour|match|tournament|fight|bout|selection|tryouts?|test)\b"
)
GOAL_EVENT_RE: Final = rx(
    r"(?:train\w*|prepar\w*|get\w*\s+(?:me\s+)?ready|ready|build\w*\s+(?:me\s+)?up|peak\w*|"
    r"taper\w*|plan\w*|program\w*|getting\s+in\s+shape)\s+for\s+(?:a\s+|an\s+|the\s+|my\s+)?"
    r"(?:first\s+|next\s+|upcoming\s+)?(?:\w+\s+){0,2}?" + EVENT,
    r"(?:run|race|finish|complete|do|ride|swim)\s+(?:a\s+|an\s+|my\s+)?(?:first\s+)?"
    r"(?:half[- ]?marathon|marathon|ultra\w*|triathlon|ironman|century)\b",
)
WEIGHT_GOAL_RE: Final = rx(
    r"(?:lose|losing|lost|drop\w*|shed\w*|gain\w*|put\s+on|cut\w*)\s+(?:\d+(?:\.\d+)?|"
    + NUM
    + r")\s*(?:kg|kilos?|kilograms?|lbs?|pounds?|stone|percent|%)"
)
ADVICE_RE: Final = rx(
    r"how\s+should\s+i\s+(?:train|structure|approach|program\w*|organi[sz]e|balance|schedule|"
    r"periodi[sz]e|split|build)\b",
    r"what\s+should\s+my\s+(?:training|week\w*|program\w*|routine|schedule|plan)\s+look\s+like\b",
    r"how\s+(?:should|do|can)\s+i\s+(?:adjust|change|adapt|modify|rework|restructure|rebalance)\s+"
    r"my\s+(?:training|program\w*|plan|routine|schedule|split)\b",
    r"how\s+(?:should|do|can)\s+i\s+approach\b",
)
FACTOR_RE: Final = rx(
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
FACTOR_CONNECTOR_RE: Final = rx(
    r"(?:taking\s+into\s+account|take\s+into\s+account|considering|factor\w*\s+in|given|"
    r"balanc\w*|fits?\s+around|work\w*\s+around|around\s+my|juggl\w*|trade-?offs?|mix\w*|"
    r"combin\w*|while\s+also|as\s+well\s+as|along\s+with|at\s+the\s+same\s+time|"
    r"simultaneously|now\s+that)\b"
)
MULTI_FACTOR_MIN: Final = 3
WHY_RE: Final = rx(
    r"(?:why|how\s+come)\b",
    r"what\s+am\s+i\s+doing\s+wrong\b",
    r"what(?:'s|\s+is)\s+(?:going\s+on|wrong|happening)\b",
    r"what(?:'s|\s+is|\s+are)\s+(?:behind|causing)\b",
    r"what\s+causes\b",
    r"(?:the\s+)?(?:cause|reason)s?\s+(?:of|for|behind|why)\b",
    r"what(?:'s|\s+is)\s+(?:holding|stopping|keeping|limiting|preventing|blocking)\s+(?:me|my)\b",
)
SELF_RE: Final = rx(r"(?:i|i'm|i've|i'd|me|my|myself|mine|im)\b")
DEVICE_RE: Final = rx(
    r"(?:lights?|lamps?|doors?|locks?|locked|thermostat|heater|fan|ac|air\s+con\w*|tv|"
    r"television|music|speakers?|alarm|garage|blinds|curtains|sensors?|vacuum|battery|wi-?fi|"
    r"internet|router|plug|switch|oven|fridge|washer|dryer|dishwasher|camera|doorbell|app)\b"
)
PLATEAU_RE: Final = rx(
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
STRONG_ANALYSIS_RE: Final = rx(
    r"(?:analy[sz]\w*|evaluat\w*|assess\w*|audit\w*|dig\s+into|deep\s+dive|"
    r"diagnose\s+my\s+(?:training|program\w*|plan|form|running|lifting)|"
    r"figure\s+out\s+(?:why|what)|make\s+sense\s+of)\b"
)
WEAK_ANALYSIS_RE: Final = rx(
    r"(?:review\w*|look\s+(?:at|into|over|through)|compar\w*|trends?|patterns?|correlat\w*|"
    r"insights?|break\s*down|go\s+(?:over|through))\b"
)
CHANGE_ASK_RE: Final = rx(
    r"(?:explain\w*|what\s+(?:should|do|can)\s+i\s+(?:change|fix|improve|adjust|do\s+differently)|"
    r"tell\s+me\s+what\s+to\s+(?:change|fix|improve|adjust)|"
    r"suggest\w*\s+(?:changes|improvements|adjustments|tweaks)|recommend\w*|advice|advise|"
    r"which\s+(?:\w+\s+)?(?:worked|works|was|is)\s+better)\b"
)
# A real emergency, now: the emergency number comes first ("he collapsed and isn't breathing").
EMERGENCY: Final = (
    CHEST + r"\W+(?:\w+\W+){0,3}?" + CHEST_FEELING, CHEST_FEELING + r"\W+(?:\w+\W+){0,4}?" + CHEST,
    r"collaps(?:ed|es|ing)\b(?=.*\b(?:not|isn'?t|won'?t|can'?t|help|now|unconscious)\b)",
    r"keeled\s+over", r"unconscious", r"unresponsive",
    r"(?:isn'?t|is\s+not|not|won'?t|can'?t|cannot)\s+(?:waking|wake|come\s+round|coming\s+round)",
    r"(?:isn'?t|is\s+not|not|stopped|can'?t|cannot|can\s+not|unable\s+to|struggling\s+to)"
    r"\s+(?:\w+\s+)?breath\w*", r"chok(?:es|ed|ing)\b",
    r"(?:having|had|is\s+having|think\s+(?:i'?m|he'?s|she'?s)\s+having)\s+a\s+heart\s+attack",
    r"(?:having|had|is\s+having)\s+a\s+(?:mini\s+)?stroke\b",
    r"face\s+(?:\w+\s+){0,2}?droop\w*", r"droop\w*\s+(?:\w+\s+){0,2}?face", r"slurr\w*",
    r"(?:one\s+side|whole\s+side)\s+(?:\w+\s+){0,2}?(?:numb|weak|dead|limp)\b",
    r"can'?t\s+(?:lift|raise|move)\s+(?:his|her|their|my)\s+(?:right\s+|left\s+)?(?:arm|leg)",
    r"went\s+down\s+on\s+the\s+(?:\w+\s+)?floor",
    r"(?:not|isn'?t)\s+(?:answering|responding)\s+me",
    r"(?:he'?s|she'?s|they'?re|(?:he|she)\s+is|they\s+are|and)\s+(?:\w+\s+)?not\s+responding\b",
    r"barely\s+(?:awake|conscious|breathing)",
    r"swallowed\s+(?:a\s+|the\s+)?(?:whole\s+)?(?:bunch|load|lot|bottle|handful|packet)\s+of\s+"
    r"(?:\w+\s+)?(?:pills|tablets|meds|medicine)", r"can'?t\s+get\s+(?:any\s+)?air",
    r"(?:going|turning)\s+blue",
    r"pouring\s+out\W+(?:\w+\W+){0,3}?won'?t\s+stop",
    r"words?\s+(?:are\s+|is\s+)?(?:coming\s+out\s+)?(?:all\s+)?(?:wrong|jumbled|garbled)",
    r"(?:having|is\s+having)\s+a\s+(?:seizure|fit)\b", r"(?:seizing|fitting|convulsing)\b",
    r"(?:won'?t|will\s+not|doesn'?t|can'?t|cannot)\s+stop\s+(?:the\s+)?bleed\w*",
    r"bleed\w*\W+(?:\w+\W+){0,3}?(?:won'?t|will\s+not|doesn'?t|isn'?t\s+going\s+to)\s+stop",
    r"bleed\w*\s+(?:heavily|badly|a\s+lot|everywhere|profusely|loads)",
    r"pouring\s+(?:out\s+)?blood", r"pumping\s+(?:out\s+)?blood",
    r"blood\W+(?:\w+\W+){0,3}?(?:won'?t|will\s+not|doesn'?t)\s+stop",
    r"(?:lips?|tongue|throat|face)(?:'s)?\s+(?:\w+\s+){0,2}?(?:swell\w*|swollen|closing)",
    r"anaphyla\w*", r"overdos(?:ed|ing)\b", r"suicid\w*", r"kill\s+myself", r"want\s+to\s+die",
    r"end\s+it\s+all", r"(?:call|get|need)\s+(?:an?\s+)?ambulance",
)  # fmt: skip
# An emergency only when it is happening now ("crushing pain in my chest right now").
EMERGENCY_IF_NOW: Final = (
    r"collaps\w*", r"faint(?:ed|ing)?\b", r"(?:passed|passing)\s+out", r"black(?:ed|ing)?\s+out",
    r"(?:arm|leg|face)\s+(?:\w+\s+){0,2}?(?:went\s+|gone\s+|is\s+|feels\s+)?(?:numb|dead)\b",
    r"can'?t\s+(?:feel|move)\s+(?:my|his|her|their)\s+(?:arm|leg|face|side)",
    r"(?:heart|pulse)\W+(?:\w+\W+){0,4}?(?:racing|pounding|hammering)",
    r"(?:hit|banged|bumped|smacked)\s+(?:my|his|her|their)\s+head",
)  # fmt: skip
