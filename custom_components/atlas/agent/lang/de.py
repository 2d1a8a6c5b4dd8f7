"""German: safety families and red flags, over the folded turn."""

from __future__ import annotations

from typing import Final

from .patterns import any_of

BODY = any_of(
    r"knie\w*", r"kno?e?chel\w*", r"sprunggelenk\w*", r"handgelenk\w*", r"schulter\w*",
    r"ru?e?cken\w*", r"hu?e?fte\w*", r"nacken\w*", r"hals\b", r"ell[e]?nbogen\w*", r"ellbogen\w*",
    r"zehe[n]?\b", r"finger\w*", r"daumen\b", r"fu(?:ss|s)\b", r"fu?e?(?:ss|s)e\w*", r"hand\b",
    r"ha?e?nde\w*", r"arm(?:e|en)?\b", r"bein(?:e|en)?\b", r"rippe\w*", r"schlu?e?sselbein\w*",
    r"nase\b", r"kiefer\b", r"achillessehne\w*", r"oberschenkel\w*", r"wade\w*",
    r"schienbein\w*", r"kopf\b", r"sehne\w*", r"leiste\b", r"gelenk\w*", r"ferse\w*",
)  # fmt: skip
SYMPTOM = any_of(
    "gebrochen", "geschwollen", "dick", "blau", r"taub\b", r"kribbel\w*", r"knack\w*",
    r"knirsch\w*", r"blockiert\w*", r"instabil\w*", r"hei(?:ss|s)\b", r"poch\w*", "sticht",
    "brennt", "ausgerenkt", "verdreht", "schief", r"wackel\w*", r"gibt\s+nach",
    r"knickt\s+(?:\w+\s+)?weg", "komisch", "seltsam", r"merkwu?e?rdig",
)  # fmt: skip
CHEST = (
    r"brust(?:schmerz|enge|druck|stich|stechen|korb)\w*",
    r"brust\w*\W+(?:\w+\W+){0,3}?(?:schmerz\w*|druck\w*|eng\w*|stech\w*|stich\w*|brenn\w*|"
    r"zieh\w*|tut\s+weh|weh\b|beklemm\w*|flatter\w*|komisch|seltsam)",
    r"(?:\w*schmerz\w*|druck\w*|enge\w*|stech\w*|stich\w*|brenn\w*|beklemm\w*|ziehen)"
    r"\W+(?:\w+\W+){0,4}?(?:brust|brustkorb|brustbein)\b",
)
HEAD_HIT = (
    r"kopf\w*\W+(?:\w+\W+){0,4}?(?:gesto(?:ss|s)en|geknallt|angeschlagen|aufgeschlagen|"
    r"angehauen|geprallt|verletzt)"
)
SAFETY_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        *CHEST, r"herz(?!frequenz|lich|haft|og\b|ig)\w*", r"\w*(?:infarkt|embolie)\w*",
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
        r"gehirnerschu?e?tterung\w*", HEAD_HIT,
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
        BODY + r"\W+(?:\w+\W+){0,4}?" + SYMPTOM + r"\b",
        SYMPTOM + r"\W+(?:\w+\W+){0,3}?(?:am|im|an\s+der|an\s+den|in\s+der|in\s+den)\s+"
        + BODY,
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
RED_FLAGS: Final = (
    *CHEST, HEAD_HIT,
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
)  # fmt: skip
EMERGENCY: Final = (
    *CHEST,
    r"bewusstlos\w*", r"atmet\s+(?:nicht|kaum)", r"kann\s+(?:\w+\s+)?nicht\s+(?:mehr\s+)?atmen",
    r"herzinfarkt\w*", r"schlaganfa?e?ll\w*", r"gesicht\s+(?:\w+\s+){0,2}?(?:ha?e?ngt|schief)",
    r"lall(?:e|en|t)\b", r"krampfanfa?e?ll\w*", r"blutet\s+(?:stark|sehr|extrem)",
    r"ho?e?rt\s+nicht\s+auf\s+zu\s+bluten", r"suizid\w*", r"selbstmord\w*", "umbringen",
    r"notarzt\w*", "krankenwagen", "rettungswagen",
    r"mund\w*\s+(?:\w+\s+){0,2}?(?:ha?e?ngt|schief)",  # stroke signs: the face, an arm, speech
    r"kann\s+(?:\w+\s+){0,3}?(?:arm|bein)\w*\s+nicht\s+(?:mehr\s+)?(?:bewegen|heben)",
    r"kann\s+(?:\w+\s+){0,2}?nicht\s+mehr\s+(?:richtig\s+)?sprechen",
)  # fmt: skip
EMERGENCY_IF_NOW: Final = (
    r"zusammengebrochen", "umgekippt", r"ohnma?e?cht\w*", r"(?:keine|kaum)\s+luft",
)  # fmt: skip

# Device commands (Home Assistant's own intents or the model with the Assist API take them).
DEVICE_NOUN: Final = (
    r"licht\w*", r"lampe\w*", r"leuchte\w*", r"beleuchtung", r"deckenlicht\w*", r"heizung\w*",
    r"thermostat\w*", r"temperatur\w*", r"klima\w*", r"musik\w*", r"radio\w*", r"fernseh\w*",
    r"tv\b", r"glotze", r"rolll?a(?:e)?den", r"rollo\w*", r"jalousie\w*", r"vorha(?:e)?nge?\b",
    r"gardine\w*", r"ventilator\w*", r"lu(?:e)?fter\w*", r"steckdose\w*", r"schloss\b",
    r"(?:haus|wohnungs|garagen|hinter|terrassen)?tu(?:e)?r\b", r"garagentor\w*", r"tor\b",
    r"staubsauger\w*", r"saugroboter\w*", r"roboter\w*", r"lautsta(?:e)?rke", r"lied\w*",
    r"song\w*", r"playlist\w*", r"podcast\w*", r"kaffeemaschine\w*", r"wasserkocher\w*",
    r"lautsprecher\w*", r"spotify", r"markise\w*", r"fenster\w*", r"alarmanlage\w*",
    r"\w*(?:lampe|licht|leuchte)\w*", r"grad\b",
)  # fmt: skip
DEVICE_ACT: Final = (
    r"an\b", r"aus\b", r"ein\b", r"\w*schalt\w*", r"anmach\w*", r"ausmach\w*", r"mach\w*",
    r"dimm\w*", r"heller", r"dunkler", r"wa(?:e)?rmer", r"ka(?:e)?lter",
    r"hoch\w*", r"runter\w*", r"rauf\w*",
    r"herunter\w*", r"o(?:e)?ffne\w*", r"schlie(?:ss|s)\w*", r"zu\b", r"auf\b", r"stell\w*",
    r"dreh\w*", r"setz\w*", r"spiel\w*", r"abspiel\w*", r"pausier\w*", r"pause\b", r"stopp\w*",
    r"halt\w*", r"lauter", r"leiser", r"weiter\b", r"na(?:e)?chste\w*", r"sperr\w*",
    r"abschlie(?:ss|s)\w*", r"aufschlie(?:ss|s)\w*", r"start\w*", r"fahr\w*", r"senk\w*",
    r"erho(?:e)?h\w*", r"reduzier\w*", r"ist\s+(?:\w+\s+){0,3}?(?:an|aus|offen|zu|auf)\b",
)  # fmt: skip
DEVICE_NOT: Final = (r"erinner\w*", r"wecker\w*", r"timer\w*")
