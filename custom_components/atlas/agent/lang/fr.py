"""French: safety families and red flags, over the folded turn."""

from __future__ import annotations

from typing import Final

from .patterns import GRAVE, any_of

BODY = any_of(
    r"genou\w*", r"cheville\w*", r"poignet\w*", r"epaule\w*", r"(?<!sac\sa\s)dos\b", r"hanche\w*",
    r"cou\b",
    r"nuque\w*", r"coude\w*", r"orteil\w*", r"doigt\w*", r"pieds?\b", r"mains?\b", r"bras\b",
    r"jambe\w*", r"clavicule\w*", r"nez\b", r"machoire\w*", r"talon\w*", r"mollet\w*",
    r"tibia\w*", r"tete\b", r"cuisse\w*", r"rotule\w*", r"aine\b",
)  # fmt: skip
SYMPTOM = any_of(
    r"casse(?:e|s|es)?\b", r"enfle\w*", r"gonfle\w*", r"bleu(?:e|s|es)?\b", r"engourdi\w*",
    r"craque\w*", r"coince\w*", r"instable\w*", r"tordu\w*", r"lache\w*", r"bizarre\w*",
    r"deboite\w*",
)  # fmt: skip
CHEST = (
    r"poitrine\W+(?:\w+\W+){0,3}?(?:douleur\w*|douloureu\w*|mal\b|serre\w*|oppress\w*|"
    r"press\w*|lourd\w*|brul\w*|pique\w*|point\w*|gene\w*|bizarre)",
    r"(?:douleur\w*|mal|oppression|pression|serrement|brulure\w*|point|gene|lourdeur\w*|"
    r"poids|barre)\W+(?:\w+\W+){0,4}?poitrine",
    r"thoraci\w*", r"thorax\b",
)  # fmt: skip
HEAD_HIT = (
    r"(?:coup|choc)\s+(?:a|sur)\s+la\s+tete|"
    r"(?:cogne|tape|heurte)\w*\s+(?:\w+\s+)?(?:la|a\s+la|de\s+la)\s+tete"
)
SAFETY_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        *CHEST, r"(?<!par\s)coeur\w*", r"infarctus", r"arythmi\w*", r"tachycardi\w*",
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
        r"(?:une|la|de|d)\s+commotion\b", r"commotion\s+cerebrale", HEAD_HIT, r"engourdi\w*",
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
        BODY + r"\W+(?:\w+\W+){0,4}?" + SYMPTOM,
        SYMPTOM + r"\W+(?:\w+\W+){0,2}?(?:le|la|les|l|mon|ma|mes)\s+" + BODY,
    ),
    "care": (
        r"medecin\w*", r"docteur\w*", r"generaliste\w*", r"urgence\w*", r"hopita\w*",
        r"samu\b", r"pompiers\b", r"kines?\b", r"kinesi\w*", r"infirmi\w*", r"radiographi\w*",
        r"irm\b",
        r"echographi\w*", "electrocardiogramme", r"prise\s+de\s+sang",
        r"analyses?\s+de\s+sang", r"bilan\s+sanguin", r"risque\w*", r"risqu\w*",
        GRAVE, r"gravite\b", r"inquiet\w*", r"inquietant\w*",
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
RED_FLAGS: Final = (
    *CHEST, HEAD_HIT,
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
EMERGENCY: Final = (
    *CHEST,
    r"inconscient\w*", r"ne\s+(?:\w+\s+)?respire\s+(?:pas|plus)",
    r"(?:arrive|peux|peut)\s+(?:pas|plus)\s+(?:a\s+)?respirer", r"crise\s+cardiaque",
    r"avc\b", r"accident\s+vasculaire", r"visage\s+(?:\w+\s+){0,2}?(?:paralyse|tombe|deforme)\w*",
    r"(?:parle|parole)\s+(?:\w+\s+)?(?:bizarre\w*|pateuse|difficile\w*)", r"convuls\w*",
    r"saign\w*\s+(?:beaucoup|abondamment|sans\s+arret)", r"arrete\s+pas\s+de\s+saigner",
    r"me\s+tuer", r"en\s+finir", r"ambulance", r"samu\b",
    r"bouche\s+(?:\w+\s+){0,2}?(?:de\s+travers|tordue|deformee|tombe\w*)",  # stroke signs
    r"(?:arrive|peut|peux)\s+(?:pas|plus)\s+(?:a\s+)?(?:bouger|lever)\s+(?:le|la|son|sa)\s+(?:bras|jambe)",
    r"(?:arrive|peut|peux)\s+(?:pas|plus)\s+(?:a\s+)?parler\s+(?:normalement|correctement)",
)  # fmt: skip
EMERGENCY_IF_NOW: Final = (
    r"evanoui\w*", r"(?:perdu|perte\s+de)\s+connaissance", r"effondre\w*",
    r"etouff\w*", r"infarctus",
)  # fmt: skip

# Device commands (Home Assistant's own intents or the model with the Assist API take them).
DEVICE_NOUN: Final = (
    r"lumieres?\b", r"lampes?\b", r"eclairage\w*", r"lustre\w*", r"chauffage\w*",
    r"radiateur\w*", r"thermostat\w*", r"temperature\w*", r"clim\w*", r"musique\w*",
    r"radio\b", r"tele\w*", r"tv\b", r"volets?\b", r"stores?\b", r"rideaux?\b",
    r"ventilateur\w*", r"ventilo\w*", r"prises?\b", r"serrure\w*", r"portes?\b",
    r"garage\w*", r"portail\w*", r"aspirateur\w*", r"robot\w*", r"volume\w*", r"son\b",
    r"chanson\w*",
    r"morceau\w*", r"playlist\w*", r"podcast\w*", r"cafetiere\w*", r"bouilloire\w*",
    r"enceinte\s+(?:du|de\s+la|connectee|bluetooth|du\s+salon)", r"spotify", r"fenetres?\b",
    r"alarme\s+de\s+la\s+maison", r"degres?\b",
)  # fmt: skip
DEVICE_ACT: Final = (
    r"allum\w*", r"eteins\b", r"etein\w*", r"eteign\w*", r"baiss\w*", r"mont\w*",
    r"augment\w*", r"diminu\w*", r"ouvr\w*", r"ouvre\w*", r"ferm\w*", r"mets\b", r"mettre",
    r"met\b", r"regl\w*", r"tamis\w*", r"pause\b", r"arret\w*", r"stop\w*", r"joue\w*",
    r"jouer", r"lance\w*", r"suivant\w*", r"passe\b", r"verrouill\w*", r"deverrouill\w*",
    r"plus\s+fort", r"moins\s+fort", r"coupe\w*", r"active\w*", r"desactive\w*",
    r"demarr\w*", r"remets?\b", r"est\s+(?:\w+\s+){0,3}?(?:allume|eteint|ouvert|ferme)\w*",
)  # fmt: skip
DEVICE_NOT: Final = (r"rappel\w*", r"reveil\w*", r"minuteur\w*", r"minuterie\w*")
