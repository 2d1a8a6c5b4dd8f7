"""The deterministic first stage of the understanding cascade: intent and slots by rules.

``understand(text, context)`` returns a :class:`~structured.Extraction` with the same intent
and slot values as the model's structured pass (``structured.parse``), plus a confidence.
At or above :data:`CONFIDENT` the caller can trust it and skip the model; below, the local
LLM's structured pass runs. Unrecognised turns come back as ``chat`` at :data:`UNSURE`.

Everything is precompiled word-boundary regexes over a normalised, lower-cased turn: slots are
spotted anywhere in the sentence (free word order, several slots per turn), negation-aware
("no running", "my knee is fine"), and the intent is the first rule of an ordered table that
matches. A dialogue follow-up ("Actually, move it to the evening.") keeps the intent and slots
of ``context``, the previous turn's extraction, that it does not change.

Standard library only (plus ``structured``): no Home Assistant call, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .calculations import calculation
from .device_commands import device_command
from .emergency import emergency
from .intents import PLANNING_INTENTS
from .router import planning
from .structured import (
    BODY_PARTS,
    DAYS,
    TIMES_OF_DAY,
    WORKOUT_TYPES,
    Extraction,
)
from .workout_args import log_calls

RULE_LANGUAGES: Final = frozenset({"en"})  # the languages the intent rules speak
CONFIDENT: Final = 0.8  # at or above: trust the rules, skip the model's structured pass
UNSURE: Final = 0.3  # nothing recognised: "chat", for the model to decide
DEVICE_CONFIDENCE: Final = 0.9
MAX_TYPES: Final = 4  # structured.SCHEMA's maxItems
_CARRIED: Final = 0.85  # a follow-up that edits the previous turn ("make it Thursday instead")
_CARRIED_UNMARKED: Final = 0.6  # no own intent and no follow-up marker: the model decides

Slots = dict[str, Any]


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile once, at import: no call compiles a pattern."""
    return re.compile(pattern)


# --- Normalisation ---------------------------------------------------------------------------
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_HYPHEN: Final = _rx(r"(?<=\w)-(?=\w)")
_SPACES: Final = _rx(r"\s+")
# Leading interjections and address: stripped before the intent rules, remembered as markers.
_LEAD: Final = _rx(
    r"^(?:(?:hey |ok |okay )?atlas|okay|ok|great|cool|right|so|well|thanks|thank you|cheers"
    r"|perfect|nice|alright|all right|hmm|um|uh|oh|and|also|actually|please|sure|yes|yeah"
    r"|no wait|wait|then)\b[,.!]?\s+"
)
_FOLLOW_UP_LEADS: Final = frozenset({"and", "also", "actually", "then", "wait", "no"})
_CLOUD_ASK: Final = _rx(
    r"^(?:please )?(?:ask|get|let me (?:talk|speak) to|have) (?:claude|haiku|sonnet|the cloud)"
    r"(?: (?:to|about))?\s*"
)
_NUMBER: Final = (
    r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|eighteen|twenty|twenty four|twenty five|thirty|forty|forty five"
    r"|fifty|sixty|ninety|a couple of|a few|few)"
)

# --- Slots ----------------------------------------------------------------------------------
# A value said right after one of these does not count ("not on Monday", "no running").
_NEGATED_BEFORE: Final = _rx(
    r"(?:\bnot|\bno|\bwithout|\bskip(?:ping)?|\bavoid(?:ing)?|\binstead of|\brather than"
    r"|\bexcept|\bminus|\bdon't (?:want|fancy)(?: to)?(?: do)?|\bno more|\bno longer)"
    r"(?: (?:on|for|the|any|more|some|my|a|an|doing|to))*\s*$"
)
_DAY_PATTERNS: Final = tuple(
    (day, _rx(rf"\b{stem}(?:'s|s)?\b"))
    for day, stem in (
        *((day, day) for day in DAYS[:7]),
        ("today", "today"),
        ("tomorrow", r"(?:tomorrow|tmrw|tomorow)"),
    )
    if day in DAYS
)
_CLOCK_WORDS: Final = r"(?: (?:o'clock|fifteen|thirty|forty five|oh \w+|\d\d))?"
_PM_EVENING: Final = (
    r"\b(?:[6-9]|1[01]|six|seven|eight|nine|ten|eleven)(?::\d\d)?" + _CLOCK_WORDS + r" ?p\.? ?m\b"
)
_TIME_PATTERNS: Final = tuple(
    (value, _rx(pattern))
    for value, pattern in (
        ("morning", r"(?<!good )\bmornings?\b|\bbefore work\b|\bfirst thing\b|\bbreakfast\b"
                    r"|\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
                    r"(?::\d\d)?" + _CLOCK_WORDS + r" ?a\.? ?m\b"),
        ("afternoon", r"(?<!good )\bafternoons?\b|\barvo\b|\bafter lunch\b|\bnoon\b"
                      r"|\b(?:[1-5]|12|one|two|three|four|five|twelve)(?::\d\d)?"
                      + _CLOCK_WORDS + r" ?p\.? ?m\b"),
        ("evening", rf"(?<!good )\bevenings?\b|\bafter work\b|\bafter dinner\b|{_PM_EVENING}"),
        ("night", r"(?<!good )\bnights?\b|\btonight(?:'s)?\b|\bbefore bed\b|\bbedtime\b"
                  r"|\bmidnight\b"),
    )
    if value in TIMES_OF_DAY
)  # fmt: skip
# (type, pattern, weak): a weak word counts only when no other type is said
# ("cycling interval workout" is cycling, "an interval session" is HIIT).
_TYPE_PATTERNS: Final = tuple(
    (kind, _rx(pattern), weak)
    for kind, pattern, weak in (
        ("yoga", r"\b(?:yoga|vinyasa|ashtanga|hatha|sun salutations?)\b", False),
        ("calisthenics", r"\b(?:calisthenics?|body ?weight|(?:push|press|pull|chin|sit|muscle)"
                         r" ?ups?|dips)\b", False),
        ("running", r"\b(?:run(?:s|ning|ner|ners)?|ran|jog(?:s|ging|ged)?|(?:half )?marathons?"
                    r"|parkrun)\b(?! (?:me )?through| out\b| the (?:dishwasher|bath|washing))",
         False),
        ("running", r"\b\d+ ?k\b", True),
        ("strength", r"\b(?:strength|stronger|weights|weight (?:training|lifting|session|workout)"
                     r"|weightlifting|powerlifting|deadlifts?|bench press|barbell|dumbbells?"
                     r"|kettle ?bells?|resistance training|(?<!bodyweight )(?<!body weight )squats"
                     r"|lift(?:s|ed|ing)?(?! (?:my|your|the|his|her|it|me|up|off|a|an)\b))\b",
         False),
        ("mobility", r"\bmobility\b", False),
        ("cycling", r"\b(?:(?<!sleep )(?<!spin )cycl(?:e|es|ed|ing|ist)|bik(?:e|es|ing|ed)"
                    r"|bicycle|rides?|rode|spin(?:ning)?|peloton)\b", False),
        ("swimming", r"\b(?:swim(?:s|ming|mer)?|swam)\b", False),
        ("swimming", r"\b(?:laps|lengths)\b", True),
        ("hiit", r"\b(?:hiit|high intensity|tabata)\b", False),
        ("hiit", r"\bintervals?\b", False),
        ("walking", r"\b(?:walk(?:s|ing|ed)?(?! on it| in\b| me through)|hik(?:e|es|ing|ed)"
                    r"|stroll)\b", False),
        ("stretching", r"\bstretch(?:es|ing|ed)?\b", False),
    )
    if kind in WORKOUT_TYPES
)  # fmt: skip
_PARTS: Final = tuple(part for part in ("shoulder", "knee", "wrist", "ankle", "hip", "neck",
                                        "elbow") if part in BODY_PARTS)  # fmt: skip
_BODY: Final = _rx(
    r"\b(" + "|".join(_PARTS) + r")s?\b(?! (?:press|thrusts?|raises?|bridges?))"
    r"|\b(?:my|lower|upper|mid|bad|sore|stiff|dodgy|injured|hurt|tweaked|achy|aching|painful"
    r"|weak|tight|pulled|strained|your) (back)\b(?! (?:door|garden|squats?|to|on|up|into"
    r"|again)\b)"
    r"|\b(back)(?= (?:pain|ache|injury|spasms?|problems?|issues?|is|was|has|hurts|feels|'s)\b)"
)
_BODY_FINE: Final = _rx(
    r"(?:'s|s)? (?:is |are |feels? |felt |was |'s )?(?:now |totally |completely |much )?"
    r"(?:fine|ok|okay|good|great|better|healed|all right|alright|back to normal)\b"
)
_BODY_NEGATED: Final = _rx(
    r"(?:\bno|\bwithout any|\bno more|\bno (?:pain|issues|problems|trouble) (?:in|with) (?:my|the))"
    r"\s*$"
)
_GARMIN: Final = _rx(
    r"\b(?:garmin|(?:my|the|from|on|with) (?:smart ?)?watch|smartwatch|body battery|fenix"
    r"|forerunner)\b"
)

# --- Intent rules -----------------------------------------------------------------------------
_ASKS: Final = r"^(?:(?:can|could|would|will) you |please |can we |could we |let's |lets )*"
_QUESTION: Final = (
    r"^(?:how|what|what's|whats|when|when's|which|did|have|has|is|are|am|do|does|was|were"
    r"|where|who|why|will|should)\b"
)
_WORKOUT_NOUN: Final = (
    r"\b(?:workouts?|sessions?|routines?|flow|circuits?|class(?:es)?|training|exercises?|sets"
    r"|drills|plan|stretch|run|swim|ride|hike|walk|jog|yoga|hiit|mobility|calisthenics"
    r"|strength|cycling|swimming|running|walking|stretching|lifting|spin|core|abs|cardio"
    r"|leg day)\b"
)
_REMIND_DONE: Final = _rx(r"^remind me what (?:i'?ve (?:done|logged|did)|i did)\b")
_REMIND_WHAT: Final = _rx(
    r"^remind me (?:what|which|when)\b.*(?:" + _WORKOUT_NOUN + r"|\bgot on\b|\bhave on\b)"
)
_CANCEL: Final = _rx(
    r"\b(?:cancel|delete|remove|clear|scrap|drop|get rid of|turn off|switch off|disable"
    r"|dismiss|forget|erase|ditch|bin)\b.*\bremind|\bstop reminding\b|\bdon'?t remind me\b"
    r"|\b(?:don'?t|do not|no longer) (?:need|want)\b.*\bremind"
    r"|\breminders? (?:off|gone)\b|\bnever ?mind (?:the|that) (?:thing|one|bit) about\b"
    r"|\bnever ?mind (?:the|that|my) \w+ (?:one|reminder)\b"
    r"|\b(?:you can|can you|please) (?:cancel|delete|remove|scrap) (?:that|it)\b"
)
_LIST_MORE: Final = _rx(
    r"\b(?:anything|something) .*\bi need reminding\b"
    r"|\b(?:have i got|do i have|is there) .*\bneed reminding about\b"
    r"|\banything i need to remember\b|^remind me what reminders\b"
)
_NEXT_ASKED: Final = _rx(  # the schedule asked with "remind me" ("remind me, is it legs or cardio")
    r"\bwhat i'?m doing (?:tomorrow|today|tonight|on \w+)\b.*\bremind\b"
    r"|^remind me,? is it \w+ or \w+\b"
    r"|\bwhat (?:have|do) i (?:\w+ )?(?:got|have) (?:\w+ )?(?:scheduled|planned|booked|lined up)\b"
    r"|^(?:today|tomorrow|tonight|\w+day)'?s (?:workout|session|training)\W+what is it\b"
    r"|\bnext day i'?m\b|\bget up early\b.*\b(?:workout|session|run|training)\b"
    r"|^(?:what'?s|whats|what is) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|tomorrow|tonight)'?s (?:workout|session|training|run|plan)\b"
    r"|^is (?:tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday) (?:a|my) rest"
    r" day\W*$"
)
_LIST: Final = _rx(
    rf"(?:{_QUESTION}|^(?:any|list|show|read|tell me|go through|check|give me)\b).*\breminders?\b"
    r"|\b(?:list|show|read(?: out| me)?|tell me|go through)\b.*\breminders?\b"
    r"|\bwhat am i (?:being |supposed to be )?reminded\b|\breminder list\b"
    r"|\bwhat am i supposed to remember\b|\bwhat did i ask you to remind\b"
    r"|^(?:um |uh )?(?:did|have) i (?:set|got|made) (?:a|any) reminders?\b|\breminder wise\b"
    r"|^(?:my )?reminders\W*$|\b(?:anything|something) set for\b"
    r"|^(?:my )?reminders (?:for|on|this|today|tomorrow|tonight|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)\b"
)
_SET: Final = _rx(
    r"\bset (?:that|the|a) reminder\b|\bput a reminder in\b|\bremind me\b"
    r"|\bgive (?:me|us) a (?:shout|nudge|buzz|ping|heads up|bell)\b|\bi need (?:reminding|a nudge"
    r"|a reminder)\b|\b(?:set|add|create|make|schedule|put in|book|give me)(?: me)?(?: up)?"
    r" (?:a |an |another |the )?reminder|\bnudge me\b|\bping me\b|\bdon't let me forget\b"
    r"|\breminder (?:for|to|on|at|about)\b|^reminder\W+(?=.*\b(?:to|\d|am|pm|at|on|in|tomorrow"
    r"|tonight|\w+day)\b)"
)
_REMINDER: Final = _rx(r"\bremind(?:er|ers|ing)?\b")
_DEVICE_NOUN: Final = (
    r"(?:lights?|lamps?|thermostat|heating|heater|fan|blinds|curtains|shades|door|garage"
    r"|speakers?|tv|television|telly|music|song|track|playlist|vacuum|hoover|treadmill"
    r"|air ?con\w*|ac|sauna|plugs?|socket|volume|temperature|degrees|radio|podcast|kettle"
    r"|percent|radiators?|washing machine|dishwasher|oven)"
)
_DEVICE: Final = _rx(
    r"^(?:.*?\b(?:can you|could you|would you|will you|please|like|and|in here|mate)\s+)?"
    + _ASKS[1:]
    + r"(?:turn|switch|flip|dim|brighten|lock|unlock|open|close|shut|play|pause|resume"
    r"|mute|unmute|skip|start|stop|raise|lower|set|put|increase|decrease|crank|bump|boil"
    r"|make(?! me| us)"
    r"|get|knock|pop|whack|run)\b.*\b" + _DEVICE_NOUN + r"\b"
    r"|^(?:the |all the )?(?:\w+ )?(?:lights?|lamps?|heating|fan|blinds|curtains|tv|telly|music"
    r"|volume|air ?con\w*|radio|hoover)\b(?: \w+){0,3} (?:on|off|up|down|to \w+"
    r"|brighter|dimmer|warmer|cooler|louder|quieter)\b(?! (?:my|a|the) (?:workout|run|session))"
    r"|^is the (?:\w+ )?"
    + _DEVICE_NOUN
    + r" (?:\w+ )?(?:locked|unlocked|on|off|open|closed|shut)\b"
    r"|^(?:louder|quieter|lights? (?:on|off)|lock up\b.*)$|\bare (?:any|the) lights\b"
    r"|\b(?:make|get) it (?:warmer|cooler|colder|hotter|brighter|darker) in\b"
    r"|\bstick (?:some|the) (?:\w+ )?(?:music|radio|telly|tv)\b|\bturn everything (?:off|on)\b"
    r"|\bget the (?:tv|telly|lights?|heating|radio|music|fan) (?:on|off)\b"
    r"|\bwhat(?:'s| is) the (?:thermostat|heating|temperature) set\b"
    r"|\bdid i leave the (?:\w+ )?(?:door|lights?|oven|heating|tv|telly)\b"
)
_PROGRAM_SCOPE: Final = (
    rf"(?:\b{_NUMBER} (?:weeks?|months?)\b|\bmulti ?week|\blong ?term\b|\bmonthly\b|\bweeks of\b"
    rf"|\bnext (?:few |couple of |{_NUMBER} )?(?:weeks|months?)\b|\bcouch to 5k\b"
    r"|\btraining (?:plan|block|programme|program)\b|\bprogram(?:me)?s?\b|\bweek by week\b"
    r"|\bbuild ?up\b)"
)
_PROGRAM: Final = _rx(  # a planning verb and a multi-week scope, in either order
    rf"^(?=.*{_PROGRAM_SCOPE})(?:{_ASKS}plan\b|.*\b(?:build|design|create|make|give|write|draw"
    r" up|map out|put together|set up|set me up|help me|sort|devise|come up with)\b"
    r"|.*\bi(?:'d| would)? (?:want|like|need)\b|.*\bcan (?:we|you) (?:make|build|do|turn)\b"
    r"|.*\blook like\b|.*\bplan me\b|.*\bi'm training for\b)"
)
_LOG: Final = _rx(
    r"^(?:(?:can|could|would) (?:you|u) |please |just )*(?:log|record|save|note|track|put down"
    r"|mark|import|sync|upload|enter)\b"
    r"|\b(?:log|record|save|add|note) (?:it|that|this|them)\b(?! (?:week|month|year|morning))"
    r"|\badd\b.*\bto (?:my|the|today's) (?:log|diary|history|training log)\b"
    r"|\bmark\b.*\bas (?:done|complete|completed|finished)\b"
    r"|\b(?:import|sync|pull|upload)\b.*\b(?:from|with)\b.*\b(?:garmin|watch)\b"
)
_STATUS_STRONG: Final = _rx(  # about the user's own record, not "the history of yoga"
    r"^(?=.*\b(?:my|i|i've|this (?:week|month|year)|workouts|sessions)\b)"
    r"(?!.*\b(?:recover|garmin|what do my stats say))"
    r".*\b(?:summary|history|stats|statistics|streak|in total|so far|personal best|progress)\b"
)
_PREPARE: Final = _rx(
    "|".join(
        (
            _ASKS + r"(?:prepare|plan|build|design|create|make|give|put together|set up|sort"
            r"|whip up|get|draw up|write|suggest|recommend|generate|devise|need|find)\b.*"
            + _WORKOUT_NOUN,
            r"\b(?:give|make|build|get|prepare|plan|design|create|put together|set up|sort out"
            r"|whip up|draw up|write)(?: me| us)?(?: up| out| together)? (?:a|an|my|some|today's"
            r"|tomorrow's|the|this|tonight's|\d+)\b.*" + _WORKOUT_NOUN,
            r"\bi(?:'d| would)? (?:want|like|need|fancy)(?: to do| to try| to get| to have)?"
            r" (?:a|an|some|to)\b.*" + _WORKOUT_NOUN,
            r"\bwhat (?:workout|exercises?|session|training|routine)\b.{0,20}\b(?:should|can"
            r"|could|shall) i\b|\bwhat should (?:my workout|my session|my training) be\b"
            r"|\bwhat should i (?:do|train) (?:today|tomorrow|this|tonight|on)\b"
            r"|\bset (?:that|it) up\b",
        )
    )
)
_MEDICAL: Final = _rx(
    r"\b(?:pain|painful|hurts?|hurting|dizzy|dizziness|faint(?:ed|ing)?|nause\w*|sick|vomit\w*"
    r"|swollen|swell\w*|numb(?:ness|ed|s)?|tingl\w*|sprain\w*|twisted|bruis\w*|fractur\w*|broken|torn"
    r"|pulled (?:a |my )?(?:muscle|hamstring|calf|groin)|asthma\w*|pregnan\w*|diabet\w*"
    r"|blood pressure|heart (?:condition|problem|disease|issue)s?|palpitations|beta blockers?"
    r"|blood thinners|medication|medicine|meds|ibuprofen|paracetamol|painkillers?|aspirin"
    r"|fever|flu|a cold|sore throat|chest (?:pains?|tight\w*|hurts?|pressure|ache\w*)"
    r"|(?:pain|pressure|tightness) in (?:my|the) chest|headaches?|migraines?|doctor|gp|physio\w*"
    r"|clicks|clicking|surgery|concussion|arthritis|tendonitis|shin splints|cramps?"
    r"|short of breath|breathless\w*|safe|worried|looked at|doms|antibiotics?|is it normal"
    r"|how much water|dehydrat\w*|a stitch|itchy|rash|what (?:might|could) (?:be )?caus\w*"
    r"|what could (?:it|that|this) be|take to heal|empty stomach|after eating before"
    r"|pulled something|side effects?|high bp|blood pressure|hours of sleep does)\b"
)
_LOG_PAST: Final = _rx(
    r"^(?:i|i've|i have|i just|just|i also|we)\b[^?]*\b(?:did|done|finished|completed|ran|swam"
    r"|cycled|rode|walked|hiked|lifted|went (?:for|on|to|running|swimming|cycling|hiking"
    r"|walking))\b[^?]*$"
)
_RECOVERY: Final = _rx(
    r"\b(?:recover(?:y|ed|ing)?|readiness|ready (?:to|for)|how ready|body battery|hrv|heart rate"
    r" variability|sleep(?: score)?|slept|rest (?:day|today|tomorrow|or)|should i rest"
    r"|fatigued?|tired|fresh|stress(?:ed)?|resting heart rate|can i handle|(?:good|well|fit)"
    r" enough|day off|need a rest|overtrain\w*|h r v|good to go|knackered|overdoing it"
    r"|resting pulse|go easy|take it easy today|push it today|recovery stats|garmin numbers"
    r"|my energy|feel a bit flat|rested|charged up|my battery|train today or|push it"
    r"|body ready|what do my stats say|garmin (?:stats|data|numbers)|in the tank|should i skip"
    r"|energy levels?)\b"
)
_NEXT_STRONG: Final = _rx(
    r"\b(?:next|coming up|scheduled|planned|on the (?:schedule|agenda|plan|calendar)|lined up"
    r"|in store)\b"
    r"|^(?:have|do) i (?:got|have) (?:a|an|any) \w+ (?:this|on|tomorrow|planned|coming)\b"
    r"|^what(?:'ve| have) i got (?:on|for|planned|tomorrow|today|tonight|this)\b"
    r"|\bon the cards\b|\bin the diary\b|\bwhat did you have me doing\b|\bbooked in\b"
    r"|\bupcoming (?:exercise|training|workout)\b|\bwhat time(?:'s| is) my thing\b"
    r"|^do i (?:run|swim|ride|lift|train) (?:this|on|tomorrow|today|tonight)\b"
    r"|\bnext day i'?m\b|\banything on (?:for )?(?:tomorrow|today|tonight|\w+day)\b"
    r"|\bwhat time is my \w+ (?:session|workout|run|class|ride|swim)\b|\b\w+day looking like\b"
    r"|\bstill on for\b|\ba training day\b|\bwhat kind of workout is\b|\bwhich day is my\b"
    r"|\bget up early\b.*\bworkout\b|\bagain when\b"
    r"|\bam i (?:meant|supposed) to be (?:running|swimming|cycling|lifting|training|doing)\b"
    r"|\b(?:what's|whats|what is) on (?:for )?(?:the weekend|tomorrow|today|tonight|this)\b"
    r"|\bhow long is (?:tomorrow|today|tonight|\w+day)'?s? (?:session|workout|run|ride|swim"
    r"|class)\b"
    r"|^(?:have|do) i (?:got|have) (?:a|an|any) (?:workout|session|run|class|swim|ride)\b"
    r"|\bwhat (?:sort|kind|type) of (?:session|workout) (?:have|do) i (?:got|have)\b"
)
_STATUS: Final = _rx(
    r"\bhow (?:many|much|far|long|often)\b.*\b(?:did|have|has|had) i\b|^(?:did|have) i\b"
    r"|^what did (?:i|my)\b|\bwhen (?:was|did) (?:my|i) last\b|\bmy last\b|\b(?:on track|goal"
    r"|target|mileage|average|longest|fastest|furthest|quickest|record|logged|status|progress)\b"
    r"|^why\b.*\b(?:my|i)\b.*\b(?:slower|faster|worse|better|dropp\w*|down|up|plateau\w*"
    r"|stall\w*|stuck|lower|higher|improv\w*|declin\w*|getting|got)\b"
    r"|\bwhat was my\b|\bhow (?:did|have) (?:i|my)\b|\btotal\b"
)
_NEXT: Final = _rx(
    r"^what am i (?:doing|training|up to|on)\b|^(?:do|have) i (?:have|got)\b"
    r"|\bwhat(?:'s| is) (?:my|the) (?:workout|session|training|plan|schedule)\b"
    r"|\b(?:tell me|show me|what's|what is|which)\b.*\b(?:workout|session|class)\b"
    r"|\brest of (?:my|the) week\b|^am i (?:running|swimming|cycling|lifting|training|doing"
    r"|riding|walking)\b|^is (?:there|\w+'s|tonight|today|tomorrow) (?:a |an |my )?\w*"
    r" ?(?:session|run|swim|ride|workout|class)\b|\bwhat workout\b|\bwhat(?:'s| is| else is) on\b"
    r"|\b(?:what's|whats|what is) the plan (?:for|on) (?:today|tonight|tomorrow|monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday|the weekend)\b|\bupcoming (?:workouts?|sessions?)"
    r"|\bwhat time(?:'s| is) my (?:workout|session|run|class)\b"
)
_QUICK: Final = _rx(
    r"\b(?:weather|rain|raining|snow(?:ing)?|windy|sunny|forecast|temperature outside"
    r"|sunset|sunrise|uv index|what time is it|what's the time|what day is it|capital of"
    r"|convert|percent of|calories (?:are )?in|protein (?:are )?in)\b"
    r"|\b(?:cold|hot|warm|wet) (?:today|tomorrow|this|outside|out)\b"
    r"|\bgoing to be (?:cold|hot|warm|wet|nice)\b|\bsun (?:set|rise|come up|go down)\b"
    r"|\b(?:what's|what is) (?:the|today's) date\b|\bthe date\b"
    r"|\bhow (?:many|much) \w+(?: of \w+)? (?:are|is) (?:there )?in\b"
    rf"|\b{_NUMBER} (?:times|plus|minus|divided by) {_NUMBER}\b"
    r"|\bhow (?:far|long|tall|big|heavy|deep) is (?:a|an|the)\b"
    r"|\bhow many \w+ (?:is|are) (?:a|an)\b|\bis the \w+ open\b|\bwhen does the \w+ (?:open|close)"
)
# Feelings and opinions, before the weather words ("I love running in the rain").
_CHAT_STRONG: Final = _rx(r"^(?:i love|i'm feeling|i am feeling|you're|you are|i'm in a)\b[^?]*$")
_CHAT: Final = _rx(
    r"^(?:(?:hi|hello|hey|hiya|howdy|yo|morning|evening|night night|nighty night|night|good"
    r" (?:morning|afternoon|evening|night))(?: (?:atlas|there|mate|buddy|you|all|everyone))?"
    r"\W*$)"
    r"|^(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening|night)|bye|goodbye"
    r"|see you|later|thanks|thank you|cheers|ta|okay|ok|cool|great|nice|awesome|sorry|never"
    r"mind|nevermind|forget it|lol|haha)\b[^?]{0,25}$"
    r"|^(?:that's|thats|that is) (?:great|brilliant|perfect|awesome|lovely|amazing|cool|nice"
    r"|helpful|fine|ok|okay)\b[^?]{0,20}$|^good ?night\b"
    r"|\b(?:how are you|what's your name|who (?:made|built|created) you|jokes?|you're|you are"
    r"|i'm feeling|i am feeling|never mind|say that again|repeat that|come again|what can you"
    r" do|are you (?:listening|there|awake)|do you like|tell me something|meaning of life"
    r"|your favou?rite|i love|haha|lol|talk to|my day)\b"
)
_QUICK_STRONG: Final = _rx(
    r"\b(?:bmi|body mass(?: index)?|percent|per cent|pace (?:is|for|per|do i need)|what pace"
    r"|my pace|calories (?:does|do|did|would|will|i burn|burned|burnt)|calories? .{0,40}\bburn"
    r"|calorie wise|what date is|what time will it be|time (?:is it )?(?:in \w+|over there)"
    r"|\w+ time please"
    r"|convert|fahrenheit|celsius|how many days (?:until|till|til|to)\b|what day of the week"
    r"|(?:what's|what is|whats) the date)"
    r"|\bhow (?:many|much|far) (?:miles|kilometres|kilometers|km|k|pounds|lbs|kilos|kg"
    r"|kilograms|ounces|grams|feet|foot|inches|metres|meters|yards|cups|litres|liters)\b"
    r"|\b(?:in|to) (?:miles|kilometres|kilometers|km|pounds|lbs|kilos|kg|ounces|grams|feet"
    r"|inches|metres|meters|yards|celsius|fahrenheit)\b(?!.*\b(?:log|did|ran|swam|cycled)\b)"
)
_OPEN_QUESTION: Final = _rx(  # a question about the world, not the user's own data
    r"^(?:who|why|when did|when was|where is|where was|how (?:do|does|did|can) (?:a|an|the"
    r"|you|i make|i cook|i bake|i boil)|how (?:long|much) do (?:i|you) (?:boil|cook|bake)"
    r"|what (?:caused|causes|is the difference|was the|were the|is a|is an|are the|do you"
    r" (?:reckon|think))|(?:what's|whats) the difference|(?:can|could) you explain|explain"
    r"|tell me (?:a |an )?(?:fun |random )?"
    r"(?:fact|story|joke)|what should i (?:cook|make|eat|have) for (?:dinner|lunch|breakfast|tea))"
    r"\b"
)
_CANCEL_VERB: Final = (
    r"(?:cancel|delete|remove|clear|scrap|scratch|drop|ditch|bin|kill|nix|axe|lose|erase|unset"
    r"|undo|forget|get rid of|stop)"
)
_CANCEL_MORE: Final = _rx(  # not "remind me to cancel the gym": that sets a reminder
    r"^(?!.*\bremind me (?:to|at|in|on|about|that|tomorrow|tonight|later)\b)(?:"
    rf".*\b{_CANCEL_VERB}\b.*\b(?:reminders?|one|thing|alert|nag|list)\b"
    r"|.*\b(?:take|get|knock)\b.*\b(?:reminders?|one|thing|alert|list|that|it)\b.*\b(?:off"
    r"|on the head)\b"
    r"|.*\b(?:reminders?|one|thing|alert)\b.*\b(?:cancel|delete|remove|clear|scrap|drop"
    r"|ditch|kill|get rid of|undo|don'?t want it|can go|bin it)\b"
    r"|.*\bno (?:need|point)\b.*\b(?:remind\w*|nag\w*)\b"
    r"|.*\bdon'?t (?:bother|need to|have to) (?:remind|nag)\w*\b"
    r"|.*\b(?:don'?t|dont) (?:want|wanna|need) (?:to )?be reminded\b"
    r"|.*\bnever mind (?:the|that|my) .*\breminder\b|^no reminder (?:for|about)\b"
    r"|.*\byou can forget (?:about )?\b|^(?:\w+ )?forget about (?:the|my|that)\b)"
)
_CANCEL_ONE: Final = _rx(
    r"^(?:please |can you |could you |just |nah |no )*(?:cancel|delete|remove|scrap|drop|clear"
    r"|ditch|bin|forget|get rid of)\b(?! (?:the |my |that )?(?:workout|session|run|plan|class))"
    r".*\b(?:one|thing|reminder)\b|\b(?:so|and) (?:you can |please )?(?:cancel|delete|drop|scrap"
    r"|remove|forget) (?:that|it|the \w+ one)\b|\btake (?:that|the|my) .*reminder off\b"
)
_STATUS_PERIOD: Final = _rx(  # what the user did over a period: before unit questions
    r"^(?!.*\b(?:have i got|am i doing|recover\w*|pace)\b)"
    r"(?:so |um |uh )?(?:what|how (?:many|much|far|long|often)|have|did|tell me what)\b"
    r".*\b(?:i|i've|i have)\b.*\b(?:done|did"
    r"|run|ran|swum|swam|cycled|ridden|rode|walked|lifted|trained|logged|get (?:a|my) \w+ in"
    r"|got (?:a|my) \w+ in)\b(?!.*\b(?:planned|plan|next|coming up|scheduled|tomorrow)\b)"
    r"|\bdid i do\b|^(?:so |um |uh )?how am i doing\b|\bhow much \w+ i'?ve (?:done|logged)\b"
    r"|^how many \w+(?: \w+)? (?:sessions?|workouts?|runs|rides|swims|classes)\b"
    r"|\b(?:how's|how is|hows) my (?:week|month)\b|\brundown of my (?:week|month|training)\b"
    r"|^how many (?:minutes|hours|miles|km|kilometres|kilometers|sessions|workouts|runs|reps)\b"
    r".*\b(?:this|last) (?:week|month|year)\b|\bwhat did i log\b|\bpick up any workouts\b"
    r"|^any \w+ (?:this|last) (?:week|month)\b"
    r"|\b(?:totals|total (?:for|since|so far|this)|sum up|numbers for the (?:week|month)"
    r"|slacking|been lazy|on a roll|count of|streak count|what's the count|all time|how active"
    r"|volume this|what was it again|on my log|how long was my|what was my pace|did (?:they|it)"
    r" happen|distance covered|(?:week|month) so far|month for exercise"
    r"|consecutive days|did i log|get saved|have i managed|what i've done|everything i did"
    r"|what i did)\b"
    r"|\bmy (?:activity|training|workouts?) (?:for|this) (?:the |this )?(?:week|month)\b"
)
_PREPARE_MORE: Final = _rx(  # a session asked for without a planning verb
    r"\b(?:set me up|prep me|do me|whip me up|sort me|make me|get me)\b.*"
    + _WORKOUT_NOUN
    + r"|\b(?:set me up|prep me|sort me out) (?:a|an|with)\b"
    r"|\bi(?:'m| am)? (?:still )?(?:want|wanna|gonna|going to|like to|need to|fancy)(?: to)?"
    r" (?:do|go for|have|run|lift|swim|ride|cycle|train|work out|get in)\b(?!.*\b(?:log|logged"
    r"|record|yesterday|last)\b)"
    r"|\bwhat should i (?:do|lift|train|run|swim|ride) (?:for|in|at) (?:my|the|a)\b"
    r"|\bwhat (?:kind|sort|type) of (?:\w+ )?(?:should|could|can) i\b"
    r"|\bwhat should i (?:lift|train)\b|\bwhat can i (?:do|train|lift)\b.*\b(?:today|tomorrow"
    r"|tonight|this|now|that)\b|\b(?:what's|whats|what is) a good \w+ (?:workout|session"
    r"|routine|circuit)\b|\bready for (?:my|a|the) (?:workout|session)\b"
    r"|^(?:a )?(?:workout|session) for (?:right )?now\b"
    r"|\b(?:give|want|need|get) (?:me )?(?:something|a (?:\w+ )?(?:session|workout)) for"
    rf" {_NUMBER}\b|\b(?:need|want) a (?:{_NUMBER} minute |\w+ )?(?:session|workout)\b"
    r"|\b(?:lift|run|swim|ride|train)\w* (?:\w+ )?whats the plan\b|\bplan (?:that|it) out\b"
    r"|\b(?:give|gimme|get) (?:me|us) (?:something|a \w+ (?:thing|routine|flow|set))\b"
    r"|\bsomething (?:for (?:my |the )?(?:legs|arms|core|back|abs|upper|lower|glutes|chest)|light"
    r"|gentle|easy|quick|short|hard|that won't hurt)\b|\bsort me out\b|\ba quick sweat\b"
    r"|\bgentle stuff\b|\bany ideas for a (?:workout|session)\b|\bwhat would you (?:recommend"
    r"|suggest)\b|\bput (?:a|the) (?:session|workout) together\b|\bfancy some \w+\b"
    r"|\b(?:i'd like|i want|want|wanna|gonna) (?:to )?do some \w+\b(?!.*\b(?:log|yesterday)\b)"
    r"|\bany (?:stretches|exercises|moves)\b.*\b(?:i could|i can|to) do\b"
    r"|^i'?ve (?:only )?got (?:\w+ ){0,2}(?:minutes|mins|an hour|half an hour)\b"
    r"|\bmake it (?:hard|harder|easy|easier|tough|gentle)\b|\bwhat should i do in there\b"
)
_LOG_DONE: Final = _rx(  # a workout said as done, without "I" ("did a spin class")
    r"^(?:just |then |also )?(?:did|done|finished|completed|ran|swam|cycled|biked|rode|walked"
    r"|hiked|jogged|rowed|lifted|played|went (?:for|on|to|running|swimming|cycling|hiking"
    r"|walking|jogging)|got back from)\b(?! (?:i|you|we|my)\b)[^?]*$"
    r"|^(?:i|we|i just|just) (?:rowed|jogged|biked|played|trained|got back from)\b[^?]*$"
    r"|^(?:my|today's|this morning's|tonight's) (?:run|ride|swim|walk|workout|session|hike"
    r"|jog|class)(?: today| this morning)? (?:was|took)\b[^?]*$"
    rf"|^(?:[a-z]+ ){{0,3}}{_NUMBER} (?:sets?|rounds?|by|x) (?:of )?{_NUMBER}\b[^?]*$"
    r"|^(?:please )?(?:lock|lug) (?:my|in my|a|the) (?:run|ride|swim|walk|workout|session|hike"
    r"|jog)\b|\bput (?:\w+ )?(?:in|on|into) my (?:log|diary|training log)\b"
    r"|^add (?:a|an|my|the|\d+) .*"
    + _WORKOUT_NOUN
    + r"|^(?:just |i'?m )?(?:back from|managed|smashed out|knocked out|got (?:a|in a|in) \w+ in"
    r"|did my usual|had a (?:game|round|match|session|class) of|swum|danced|finished my"
    r"|me and (?:the|my) \w+ (?:walked|ran|cycled|went))\b[^?]*$"
    r"|\b(?:done and dusted|a hundred of em|write (?:that|it) down|in the bag|log (?:em|them)"
    r"|stick it (?:in|on) (?:the|my) log|that's me done|to add(?: please)?|says i (?:ran|did"
    r"|walked|swam|cycled|rode)|i'?d like to log)\b|^add today\b"
    r"|^(?:\w+ ){0,2}(?:done|finished)(?:,|$| for the day)|, done$"
    r"|^(?:\w+ ){0,2}(?:minutes|mins|hours?) of (?:footy|football|soccer|tennis|squash|golf"
    r"|badminton|basketball|netball|rugby|cricket|hockey|climbing|dancing|zumba)\b[^?]*$"
    r"|\b(?:done just now|stick it on the log|put (?:that|it) in|log (?:that|it) for me)\b"
    r"|^(?:my )?(?:\w+ ){0,2}(?:yoga|run|swim|walk|hike|ride|jog|parkrun|stretch|class|session)"
    r"\b[^?]*\b(?:this morning|earlier|just now|yesterday|last night|at lunch|before breakfast)"
    r"\b[^?]*$"
)


_GOAL: Final = _rx(  # a goal with a horizon: a programme ("a pull up by summer")
    r"\b(?:be able to|get (?:in|into) shape|get (?:my|me) (?:fitness|fit) back|get fit|couch to"
    r" 5k|without stopping)\b.*\b(?:by|over|in|before|until)\b"
    r"|\b(?:by|over|in|before)\b (?:the )?(?:summer|spring|autumn|fall|winter|christmas|the end"
    r" of \w+|(?:the next )?(?:few|couple of|\w+) (?:weeks|months))\b.*\b(?:be able to|get (?:in"
    r"|into) shape|fitness back|get fit)\b"
)
_SYMPTOM_QUESTION: Final = _rx(
    r"\b(?:why is that|what (?:might|could) (?:be )?caus\w*|what could (?:it|that|this) be"
    r"|is (?:that|this|it) (?:normal|bad|serious|dangerous)|should i (?:be worried|see a doctor)"
    r"|normal (?:resting )?heart rate for)\b"
)


# The last rule: training named with no other intent's words is a session asked for
# ("heavy lifting on friday night", "quick upper body blast", "fifteen minutes of hiit please").
_TRAINING: Final = _rx(
    r"\b(?:yoga|pilates|calisthenics|body ?weight|push ?ups?|pull ?ups?|sit ?ups?|dips|run|jog"
    r"|jogging|running|ride|cycle|cycling|spin|bike|swim|swimming|hiit|tabata|intervals|weights"
    r"|lifting|dumbbells?|kettle ?bells?|barbell|squats?|deadlifts?|lunges|burpees|stretch\w*"
    r"|mobility|walk|walking|hike|circuit|cardio|core|abs|legs|leg day|arms|upper body|lower body"
    r"|full body|workout|session|routine|exercises?|skipping rope|rowing machine|treadmill|mat"
    r"|sweat\w*|get me moving|burn (?:off|some))\b"
)
_NOT_A_SESSION: Final = _rx(
    r"\b(?:did|done|finished|completed|ran|swam|cycled|walked|hiked|lifted|logged|yesterday"
    r"|last|already|earlier|managed|how many|how much|how far|how long have|streak|total|so far"
    r"|next|planned|scheduled|coming up|remind\w*|cancel|pain|hurts?|injur\w*|doctor|safe"
    r"|weather|calories|pace|bmi|percent|playlist|music|volume|was|were|took|been|done|of em"
    r"|totals?|sum up|log\w*|saved|booked|upcoming|schedule|do i|is (?:tomorrow|my)|ready"
    r"|just now|in the bag|write|add|again when|when|eat|drink|wear|buy|food|meal)\b"
    r"|^(?!(?:what|how) (?:can|could|should) i\b)(?:what|how|why|which|who|is|are|does|do"
    r"|should|can|tell me)\b"  # a question about training is the model's ("how does hiit burn")
)


@dataclass(frozen=True)
class _Reads:
    """A rule made of another module's reading, used like a pattern (``search``)."""

    reading: Callable[[str], object | None]

    def search(self, text: str) -> bool:
        """Whether the reading finds something in ``text``."""
        return self.reading(text) is not None


# A pace worked out from a distance and a time, before the user's record.
_PACE: Final = _rx(
    r"\b(?:what(?:'s| is| was| would be)|work out|calculate|tell me) (?:my |the )?(?:average )?"
    r"pace\b|\bpace per (?:k|km|kilomet\w*|mile)\b"
    r"|\bhow long (?:will|would|does|is) (?:it|that|\w+ (?:k|km|miles?|kilomet\w+)) (?:going to )?"
    r"take\b(?=.*\b(?:k|km|miles?|kilomet\w*|pace|mph|kph|an hour)\b)"
)
# Readiness asked as a yes or no, before a session is read into it.
_READY_ASKED: Final = _rx(
    r"\bis my body (?:ready|up) for\b|\bam i (?:good|ready|fit|ok|okay|recovered enough) (?:to"
    r"|for) (?:train|a workout|workout|work out|go|run|exercise|a session)\b(?!.*\b(?:plan|make"
    r"|give|build|prepare)\b)"
)
# Questions about ATLAS itself ("do you ever sleep"), before the recovery words.
_ABOUT_YOU: Final = _rx(
    r"^(?:do|are|have|can|did|would) you (?:ever |even |actually |still )?(?:sleep|get tired"
    r"|dream|eat|feel|get bored|rest|have feelings|get lonely|need (?:a )?(?:rest|sleep|break))\b"
)
# A session done, said by what it was ("had a boxing session after work fifty minutes", "just
# got in from a run eight and a half k", "half hour on the elliptical").
_LOG_HAD: Final = _rx(
    r"\bi'?d like to (?:log|record)\b|\b(?:want|wanna) to (?:log|record)\b"
    r"|^put (?:a|an|my) \w+ in\b"
    r"|^(?:\w+ ){0,2}(?:k|km|miles?|kilomet\w+) on the (?:bike|treadmill|rower|bike)\b"
    r"|^[a-z]+(?: [a-z]+)?,? (?:\w+ sets? of \w+|\w+ by \w+|\w+ x \w+)\b"
    r"|^(?:(?:uh|um|so|ok|okay|yeah|right|well)\W+)*(?:i )?(?:just )?(?:had|got (?:in|back|home)"
    r" from|been on|went on|got out on|managed to (?:get|go|do|fit|squeeze)\b.*?) (?:a|an|my|the)\b"
    r"(?=.*\b(?:session|class|game|match|lesson|ride|walk|run|swim|hike|spin|jog|paddle|climb\w*"
    r"|bike|row|bout)\b)(?!.*\b(?:should|can i|could i|tomorrow|tonight|later|next|plan)\b)"
    r"|^(?:(?:uh|um|so|ok|yeah)\W+)*(?:half (?:an )?hour|an hour|(?:\w+ ){1,2}(?:minutes|mins))"
    r" on the (?:elliptical|rower|rowing machine|bike|treadmill|cross trainer|stair ?master"
    r"|stepper|turbo|spin bike|assault bike)\b"
    r"|\bi mean (?:log|record|add)\b"
)
# A session said by what and how much with nothing asked or planned ("badminton an hour",
# "football for ninety minutes last night", "went climbing"): a log, when no other rule reads
# the turn.
_NOT_A_LOG: Final = _rx(
    r"\b(?:what|what's|whats|how|when|which|should|can|could|would|will|why|where|who|give|make"
    r"|build|prepare|plan|planned|suggest|sort|put together|create|design|need|want|wanna|i'd"
    r" like|let's|help|please|now|did i|have i|do i|am i|is it|tomorrow|tonight|later|next"
    r"|upcoming|this (?:evening|afternoon)|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|the weekend|for (?:me|us|the night)|after (?:school|work)|go|lets|let's|gie"
    r"|gimme|say|nothing|no equipment|workout|session|thing|sore|achy|aching|tender|tight|hurts?"
    r"|injur\w*|spare|easy|light)\b|\?"
)
_WEAK_LOGS: Final = frozenset({"workout", "training", "session", "gym", "exercise"})
_WENT: Final = _rx(r"^(?:(?:uh|um|so|ok|yeah)\W+)*(?:went|did|had|done)\b")


def _logged(text: str) -> list[dict[str, Any]] | None:
    if _NOT_A_LOG.search(text):
        return None
    calls = log_calls(text, [])
    if not calls or any(call["exercise"] in _WEAK_LOGS for call in calls):
        return None
    amounts = ("duration_minutes", "distance", "reps")
    said = any(key in call for call in calls for key in amounts)
    return calls if said or _WENT.search(text) else None


# A session asked for without a verb, or by what it is for ("a swim workout for tonight", "stretch
# routine for my tight shoulders", "help me warm up for a 5k"), before the programme words.
_PREPARE_FOR: Final = _rx(
    r"^(?!.*\b(?:weeks?|months?|program(?:me)?|block|schedule)\b)(?:"
    r"^(?:(?:a|an|some) (?:\w+ ){0,2}|(?:\w+ )?(?:minute|min|hour|k|mile)s? |(?:bike|swim|run"
    r"|yoga|strength|hiit|gym|core|legs?|cardio|upper body|lower body) )?(?:workout|session"
    r"|routine|circuit|run|ride|swim)s? (?:for|this|tonight|today|tomorrow)\b"
    r"(?!.*\b(?:did|done|went|had|was|were)\b)"
    r"|.*\bgive me (?:a |an |some )?(?:\w+ ){0,3}(?:thing|something|minutes of)\b"
    r"|.*\bis there (?:a|an|some) (?:\w+ )?(?:thing|workout|session|exercises?) i can do\b"
    r"|^(?:(?:can you |could you |please )?(?:do me |give me |get me )?(?:a |an |some )?)?"
    r"(?:\w+ )?(?:stretch(?:ing)?|mobility|yoga|core|ab|abs|leg|arm|upper body|lower body|back"
    r"|hip|shoulder|desk) (?:routine|workout|session|flow|stretches) for (?:my|me)\b"
    r"|^(?:can you )?help me (?:warm up|cool down|stretch|loosen up)\b"
    r"|^(?:please )?(?:plan|prep|schedule) (?:me )?(?:(?:a|my|the) )?(?:session |workout )?"
    r"(?:for )?(?:on )?(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b"
    r"|.*\bwhat should i do (?:there|at the gym|in the gym)\b"
    r"|.*\bwhat(?:'s| is) a good\b.*\b(?:session|workout|routine)\b"
    r"|.*\b(?:workout|session|routine|circuit)\b.*\b(?:doesn'?t|won'?t|that doesn'?t|without)"
    r" (?:hurt\w*|aggravat\w*|bother\w*|strain\w*|irritat\w*) (?:my|the)\b"
    r"|.*\b(?:i have|i've got|i got) (?:like |about |only |just )?(?:an? hour|half an hour"
    r"|(?:\w+ ){1,2}(?:minutes|mins)) (?:right now|now|free|spare|to train|to work ?out)\b"
    r"|^(?:(?:um|uh|so|ok)\W+)*i (?:only |just )?(?:have|got) (?:like |about )?\w+ (?:minutes"
    r"|mins)\W*$"
    r"|^(?:(?:um|uh|so|ok)\W+)*(?:i have|i've got|i got|got) (?:like |about |only |just )?"
    r"(?:an? hour|half an hour|(?:\w+ ){1,2}(?:minutes|mins))\b.*\b(?:anything|something|mix"
    r"|session|workout|please)\b)"
)
# The user's own record, asked without a verb of doing ("streak?", "rundown of this week's
# training", "how's the week going workout wise").
_STATUS_ASKED: Final = _rx(
    r"^(?:my )?streak\W*$|\bweek going\b.*\bworkout|\b(?:rundown|recap|round ?up) of (?:this"
    r"|the|my|last)\b|\btell me what i'?ve (?:actually |really )?(?:done|logged)\b"
    r"|\bworkout count\b|\bhave i logged\b|\bhave i been consistent\b"
    r"|^(?:yesterday|today)'?s (?:workout|session|training|activity|activities|exercise)s?\W*$"
    r"|\bmy (?:best|fastest|quickest|longest|furthest) (?:\w+ )?(?:time|run|ride|swim|workout"
    r"|session|distance)\b|\bthe most \w+(?: \w+)? (?:i'?ve|i have|i) (?:ever )?(?:done|did)\b"
)

# A programme over weeks as the router sees it ("a 10k in two months"); a calculation the quick
# answers make ("20% of 45", "5 foot 8 in cm").
_PLANNING: Final = _Reads(planning)
_CALCULATION: Final = _Reads(calculation)
# (intent, pattern, confidence): the first that matches wins.
RULES: Final[tuple[tuple[str, re.Pattern[str] | _Reads, float], ...]] = (
    ("workout_status", _REMIND_DONE, 0.85),
    ("list_reminders", _LIST_MORE, 0.85),
    ("next_workout", _REMIND_WHAT, 0.85),
    ("next_workout", _NEXT_ASKED, 0.85),
    ("cancel_reminder", _CANCEL, 0.95),
    ("list_reminders", _LIST, 0.9),
    ("cancel_reminder", _CANCEL_ONE, 0.9),
    ("cancel_reminder", _CANCEL_MORE, 0.85),
    ("set_reminder", _SET, 0.95),
    ("set_reminder", _REMINDER, 0.6),
    ("device_control", _DEVICE, 0.9),
    ("chat", _ABOUT_YOU, 0.85),
    ("recovery_status", _READY_ASKED, 0.85),
    ("quick_answer", _PACE, 0.85),
    ("workout_status", _STATUS_ASKED, 0.85),
    ("workout_status", _STATUS_PERIOD, 0.85),
    ("log_workout", _LOG_HAD, 0.85),
    ("prepare_workout", _PREPARE_FOR, 0.85),
    ("plan_program", _PROGRAM, 0.9),
    ("quick_answer", _QUICK_STRONG, 0.85),
    ("quick_answer", _CALCULATION, 0.85),
    ("log_workout", _LOG, 0.9),
    ("workout_status", _STATUS_STRONG, 0.85),
    ("plan_program", _PLANNING, 0.85),
    ("plan_program", _GOAL, 0.85),
    ("health_question", _SYMPTOM_QUESTION, 0.85),
    ("prepare_workout", _PREPARE, 0.9),
    ("log_workout", _LOG_DONE, 0.85),
    ("prepare_workout", _PREPARE_MORE, 0.85),
    ("health_question", _MEDICAL, 0.85),
    ("log_workout", _LOG_PAST, 0.85),
    ("recovery_status", _RECOVERY, 0.9),
    ("next_workout", _NEXT_STRONG, 0.85),
    ("workout_status", _STATUS, 0.85),
    ("next_workout", _NEXT, 0.85),
    ("chat", _CHAT_STRONG, 0.85),
    ("quick_answer", _QUICK, 0.85),
    ("chat", _CHAT, 0.85),
    ("chat", _OPEN_QUESTION, 0.85),
    ("log_workout", _Reads(_logged), 0.85),
)

# --- Follow-ups -------------------------------------------------------------------------------
_FOLLOW_UP: Final = _rx(
    r"\b(?:it|that|this one|that one|those|them|same|another|again|too|also|instead|actually"
    r"|as well|what about|how about|what if|both|either|then)\b"
    r"|^(?:and|add|make|move|swap|change|switch|keep|let's|lets|skip|no|drop|remove|more|less"
    r"|shorter|longer|something|can i do|could we|can we|throw in|include|plus)\b"
)
_ADDS: Final = _rx(r"\b(?:add|also|too|as well|plus|include|throw in|and some|and a)\b|^and\b")


def normalise(text: str) -> str:
    """Lower-case, straight apostrophes, hyphens and runs of spaces as one space."""
    text = _HYPHEN.sub(" ", text.translate(_APOSTROPHES).lower())
    return _SPACES.sub(" ", text).strip()


def _last_unnegated(text: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    """The value said last and not negated ("move it from Monday to Friday": Friday)."""
    best: tuple[int, str] | None = None
    for value, pattern in patterns:
        for match in pattern.finditer(text):
            if _NEGATED_BEFORE.search(text, 0, match.start()):
                continue
            if best is None or match.start() > best[0]:
                best = (match.start(), value)
    return best[1] if best else None


def _types(text: str) -> tuple[list[str], list[str]]:
    """The workout types said, in order of mention, and those said negated."""
    found: list[tuple[int, str]] = []
    weak: list[tuple[int, str]] = []
    negated: list[str] = []
    for kind, pattern, is_weak in _TYPE_PATTERNS:
        for match in pattern.finditer(text):
            if _NEGATED_BEFORE.search(text, 0, match.start()):
                negated.append(kind)
            else:
                (weak if is_weak else found).append((match.start(), kind))
    said = found or weak
    kinds: list[str] = []
    for _, kind in sorted(said):
        if kind not in kinds:
            kinds.append(kind)
    return kinds[:MAX_TYPES], [kind for kind in negated if kind not in kinds]


def _injury(text: str) -> tuple[str | None, str | None]:
    """The body part reported or protected, and one said to be fine ("my knee is fine")."""
    fine: str | None = None
    for match in _BODY.finditer(text):
        part = match.group(1) or match.group(2) or match.group(3)
        if _BODY_FINE.match(text, match.end()) or _BODY_NEGATED.search(text, 0, match.start()):
            fine = fine or part
            continue
        return part, None
    return None, fine


def slots(text: str) -> Slots:
    """The slots said in ``text`` (normalised or not), as ``structured.parse`` reports them."""
    return _slots(normalise(text))[0]


def _slots(text: str) -> tuple[Slots, list[str], str | None]:
    """Slots of a normalised turn, plus negated types and a body part said to be fine."""
    found: Slots = {}
    if day := _last_unnegated(text, _DAY_PATTERNS):
        found["day"] = day
    if time_of_day := _last_unnegated(text, _TIME_PATTERNS):
        found["time_of_day"] = time_of_day
    kinds, negated = _types(text)
    if kinds:
        found["types"] = kinds
    injury, fine = _injury(text)
    if injury:
        found["injury"] = injury
    if (match := _GARMIN.search(text)) and not _NEGATED_BEFORE.search(text, 0, match.start()):
        found["data_source"] = "garmin"
    return found, negated, fine


def _strip_lead(text: str) -> tuple[str, bool]:
    """``text`` without leading interjections/address, and whether a follow-up one was there."""
    marked = False
    while match := _LEAD.match(text):
        marked = marked or match.group(0).split()[0].strip(",.!") in _FOLLOW_UP_LEADS
        text = text[match.end() :]
    return text, marked


def classify(text: str, *, training_named: bool = True) -> tuple[str, float]:
    """Intent and confidence of one normalised turn, without context (``training_named``: the
    last rule, a session asked for by naming the training, is on; a follow-up turns it off)."""
    core, _ = _strip_lead(_CLOUD_ASK.sub("", text, count=1))
    if not core.strip(" ,.!?"):
        return "chat", UNSURE
    if emergency(core):
        return "health_question", 0.95
    for intent, pattern, confidence in RULES:
        if pattern.search(core):
            return intent, confidence
    if training_named and _TRAINING.search(core) and not _NOT_A_SESSION.search(core):
        return "prepare_workout", CONFIDENT  # "legs today?", "tabata tomorrow evening twenty mins"
    return "chat", UNSURE


def speaks(language: str | None) -> bool:
    """Whether the rules speak ``language`` (a BCP 47 tag; None: HA's, taken as English)."""
    return language is None or language.replace("_", "-").split("-")[0].lower() in RULE_LANGUAGES


def understand(
    text: str, context: Extraction | None = None, language: str | None = None
) -> Extraction:
    """Intent, slots and confidence of one user turn; ``context`` is the previous turn's.

    In a language the rules do not speak they only spot an emergency (in every declared
    language) and a device command (German, Spanish, French); anything else is left unsure,
    for the model or Home Assistant's own intents.
    """
    if not speaks(language):
        if emergency(text):
            return Extraction("health_question", {}, 0.95)
        if device_command(text, language):
            return Extraction("device_control", {}, DEVICE_CONFIDENCE)
        return Extraction("chat", {}, UNSURE)
    norm = normalise(text)
    said, negated, fine = _slots(norm)
    intent, confidence = classify(norm, training_named=context is None or not context.valid)
    if context is None or not context.valid:
        return Extraction(intent, said, confidence)
    core, lead_marker = _strip_lead(norm)
    follow_up = lead_marker or bool(_FOLLOW_UP.search(core))
    own = confidence >= CONFIDENT and intent != "chat"
    if own and not follow_up:  # a new request; an injury stays protected when planning
        injury = context.slots.get("injury")
        if intent in PLANNING_INTENTS and injury and "injury" not in said and fine != injury:
            said = _merge({"injury": injury}, said, [], None, adds=False)
        return Extraction(intent, said, confidence)
    merged = _merge(context.slots, said, negated, fine, adds=bool(_ADDS.search(core)))
    if own:
        return Extraction(intent, merged, confidence)
    if intent == "chat" and confidence >= CONFIDENT and not follow_up:
        return Extraction(intent, said, confidence)  # "Thanks, bye!"
    carried = _CARRIED if follow_up else _CARRIED_UNMARKED
    return Extraction(context.intent, merged, min(carried, context.confidence))


_WORD: Final = _rx(r"[a-z0-9']+")
_SLOT_ORDER: Final[tuple[str, ...]] = ("day", "time_of_day", "types", "injury", "data_source")


def _merge(old: Slots, new: Slots, negated: list[str], fine: str | None, *, adds: bool) -> Slots:
    """The previous turn's slots updated by this turn's: new values replace, "add" extends."""
    merged: Slots = {key: value for key, value in old.items() if value not in (None, [], "")}
    if fine is not None and merged.get("injury") == fine:
        del merged["injury"]
    kinds = [kind for kind in merged.get("types", []) if kind not in negated]
    if new.get("types"):
        kinds = [*kinds, *(k for k in new["types"] if k not in kinds)] if adds else new["types"]
    merged.update({key: value for key, value in new.items() if key != "types"})
    merged.pop("types", None)
    if kinds:
        merged["types"] = kinds[-MAX_TYPES:]
    return {key: merged[key] for key in _SLOT_ORDER if key in merged}


def combine(text: str, ruled: Extraction, modelled: Extraction) -> Extraction:
    """The cascade's answer to a turn the rules were unsure of: the model's intent, their slots.

    The rules' slots are near exact and carry the conversation's slots over turns; a small
    model's are not (it invents "today", drops what earlier turns said). So the model decides
    the intent, and one of its slot values fills a slot the rules left empty only when the turn
    says that value word for word. An answer that is not valid JSON for the schema stays as it
    is, for the router to see.
    """
    if not modelled.valid:
        return modelled
    words = set(_WORD.findall(normalise(text)))
    merged: Slots = dict(ruled.slots)
    for key, value in modelled.slots.items():
        if key in merged:
            continue
        if key == "types":
            if kinds := [kind for kind in value if kind in words]:
                merged["types"] = kinds
        elif isinstance(value, str) and value in words:
            merged[key] = value
    ordered: Slots = {key: merged[key] for key in _SLOT_ORDER if key in merged}
    return Extraction(modelled.intent, ordered, modelled.confidence)
