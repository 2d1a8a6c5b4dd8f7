"""Spanish: safety families and red flags, over the folded turn."""

from __future__ import annotations

from typing import Final

from .patterns import GRAVE, any_of

BODY = any_of(
    r"rodilla\w*", r"tobillo\w*", r"muneca\w*", r"hombro\w*", r"espalda\w*", r"cadera\w*",
    r"cuello\b", r"codo\w*", r"dedo\w*", r"pies?\b", r"manos?\b", r"brazo\w*", r"pierna\w*",
    r"costilla\w*", r"clavicula\w*", r"nariz", r"mandibula\w*", r"talon\w*", r"gemelo\w*",
    r"espinilla\w*", r"cabeza\b", r"rotula\w*", r"muslo\w*", r"pantorrilla\w*", r"ingle\w*",
)  # fmt: skip
SYMPTOM = any_of(
    r"rot[oa]s?\b", r"hinchad[oa]s?\b", r"inflamad[oa]s?\b", r"morad[oa]s?\b",
    r"entumecid[oa]s?\b", r"dormid[oa]s?\b", r"cruje\w*", r"bloquead[oa]s?\b", r"inestable\w*",
    r"caliente\w*", r"torcid[oa]s?\b", r"rar[oa]s?\b", r"extran[oa]s?\b",
)  # fmt: skip
CHEST = (
    r"pecho\W+(?:\w+\W+){0,3}?(?:dolor\w*|duele\w*|apret\w*|aprieta|oprim\w*|opresion|"
    r"presion|pesadez|ardor|punzad\w*|pinchazo\w*|molest\w*|raro|extrano)",
    r"(?:dolor\w*|duele\w*|opresion|presion|pesadez|ardor|punzad\w*|pinchazo\w*|molestia\w*|"
    r"aprieta|oprime)\W+(?:\w+\W+){0,4}?pecho\b",
    r"toracic\w*", r"torax\b",
)  # fmt: skip
HEAD_HIT = (
    r"(?:golpe|golpazo|porrazo)\s+en\s+la\s+cabeza|"
    r"(?:golpe\w*|di|pegue|choque)\s+(?:\w+\s+){0,2}?(?:la|en\s+la|con\s+la)\s+cabeza"
)
SAFETY_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "cardiac": (
        *CHEST, r"(?<!todo\s)corazon\w*", r"infarto\w*", r"cardiopat\w*", r"arritmi\w*",
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
        HEAD_HIT, r"entumec\w*", r"adormec\w*", r"hormigue\w*",
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
        BODY + r"\W+(?:\w+\W+){0,4}?" + SYMPTOM,
        SYMPTOM + r"\W+(?:\w+\W+){0,2}?(?:el|la|los|las|mi|mis)\s+" + BODY,
    ),
    "care": (
        r"medic[oa]s?\b", r"doctor(?:a|as|es)?\b", r"urgencia\w*", r"emergencia\w*", "ambulancia",
        r"fisio\w*", r"traumatolog\w*", r"enfermer[oa]\w*", r"sintoma\w*", r"radiografia\w*",
        r"resonancia\w*", r"ecografia\w*", "electrocardiograma", r"analisis\s+de\s+sangre",
        r"peligr\w*", r"(?:es|sera|seria)\s+(?:\w+\s+)?seguro\b", r"riesgo\w*", r"arriesgad\w*",
        GRAVE, r"preocup\w*", r"(?:es|sera)\s+normal\b", r"(?:es|sera|seria)\s+malo\b",
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
RED_FLAGS: Final = (
    *CHEST, HEAD_HIT,
    r"infarto\w*", r"desmay\w*", r"perd\w*\s+el\s+conocimiento", r"colaps\w*", r"desplom\w*",
    r"no\s+puedo\s+(?:\w+\s+){0,2}?respirar", r"ahog\w*", r"entumec\w*", r"adormec\w*",
    r"derrame\s+cerebral", r"ictus\b", r"convulsion\w*", r"conmocion\w*",
    r"quitarme\s+la\s+vida", "matarme", r"morir\w*", r"golpe\s+de\s+calor", r"urgencia\w*",
    r"emergencia\w*", "ambulancia", r"fuerte\s+dolor",
    r"dolor\w*\s+(?:muy\s+)?(?:fuerte|intens\w*|agud\w*|insoportable)", r"punzante\w*",
    r"insoportable\w*", r"agud[oa]s?\b", r"desgarr\w*", r"rotura\w*", r"rot[oa]s?\b",
    r"fisura\w*", r"luxacion\w*", r"sangr(?!ias?\b)\w*", "sobredosis", r"palpitacion\w*",
    r"arritmi\w*", r"taquicardi\w*", r"embaraz\w*", r"hipoglucemi\w*",
)  # fmt: skip
EMERGENCY: Final = (
    *CHEST,
    r"inconsciente\w*", r"no\s+(?:puede|puedo|podia)\s+(?:\w+\s+){0,2}?respirar",
    r"no\s+respira\w*",
    r"ataque\s+(?:al|de)\s+corazon", r"derrame\s+cerebral", r"ictus\b",
    r"cara\s+(?:\w+\s+){0,2}?(?:caid[oa]|torcid[oa]|paralizad[oa])", r"habla\s+(?:\w+\s+)?rara",
    r"arrastra\s+las\s+palabras", r"convulsion\w*", r"(?:sangra|sangrando)\s+(?:mucho|sin\s+parar)",
    r"no\s+(?:para|deja)\s+de\s+sangrar", r"quitarme\s+la\s+vida", "matarme", "ambulancia",
    r"boca\s+(?:\w+\s+){0,2}?(?:torcid|caid|chuec|de\s+lado)\w*",  # stroke: face, arm, speech
    r"no\s+(?:puede|podia|pudo)\s+(?:\w+\s+)?(?:mover|levantar)\s+(?:el|la|un|una)\s+(?:brazo|pierna)",
    r"no\s+(?:puede|podia|pudo)\s+(?:\w+\s+)?hablar\s+(?:bien|normal)\w*",
)  # fmt: skip
EMERGENCY_IF_NOW: Final = (
    r"desmay\w*", r"perd\w*\s+el\s+conocimiento", r"desplom\w*", r"ahog\w*",
    r"infarto\w*",
)  # fmt: skip

# Device commands (Home Assistant's own intents or the model with the Assist API take them).
DEVICE_NOUN: Final = (
    r"luz\b", r"luces\b", r"lampara\w*", r"foco\w*", r"bombill\w*", r"calefaccion\w*",
    r"calefactor\w*", r"termostato\w*", r"temperatura\w*", r"aire\b", r"clima\b",
    r"musica\w*", r"radio\b", r"television\w*", r"tele\b", r"tv\b", r"persiana\w*",
    r"cortina\w*", r"toldo\w*", r"ventilador\w*", r"enchufe\w*", r"cerradura\w*",
    r"puerta\w*", r"garaje\w*", r"porton\w*", r"aspiradora\w*", r"robot\w*", r"volumen\w*",
    r"cancion\w*", r"tema\b", r"lista\s+de\s+reproduccion", r"podcast\w*", r"cafetera\w*",
    r"hervidor\w*", r"altavoz\w*", r"bocina\w*", r"spotify", r"ventana\w*", r"alarma\s+de\s+casa",
    r"grados?\b",
)  # fmt: skip
DEVICE_ACT: Final = (
    r"encend\w*", r"enciend\w*", r"prend\w*", r"apag\w*", r"baj\w*", r"sub\w*", r"abr\w*",
    r"abre\w*", r"cierr\w*", r"cerr\w*", r"pon\w*", r"ajust\w*", r"atenu\w*", r"pausa\w*",
    r"para\b", r"parar\w*", r"deten\w*", r"reproduc\w*", r"siguiente", r"pasa\b",
    r"bloque\w*", r"desbloque\w*", r"sube\w*", r"mas\s+(?:alto|bajo|fuerte|calor|frio|luz)",
    r"menos\b", r"activ\w*", r"desactiv\w*", r"arranc\w*", r"quita\w*", r"cambia\w*",
    r"esta\w*\s+(?:\w+\s+){0,3}?(?:encendid|apagad|abiert|cerrad)\w*",
)  # fmt: skip
DEVICE_NOT: Final = (r"recuerd\w*", r"record\w*", r"alarma\b(?!\s+de\s+casa)", r"temporizador")
