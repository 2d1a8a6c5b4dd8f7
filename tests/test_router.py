"""The deterministic router: standard library only, no model."""

from __future__ import annotations

import ast
import dataclasses
import json
import time
from pathlib import Path

import pytest

from atlas_eval.route import load_dataset
from custom_components.atlas.agent import router

REPO = Path(__file__).resolve().parents[1]
ROUTER_PATH = REPO / "custom_components" / "atlas" / "agent" / "router.py"
DATA = REPO / "tests" / "data"
DATASETS = (DATA / "routing.jsonl", DATA / "routing_holdout.jsonl")
MULTILINGUAL = DATA / "routing_multilingual.jsonl"
LANGUAGES = ("de", "es", "fr")


route = router.route


def test_standard_library_only() -> None:
    """Only standard-library imports (and the router's own word modules, which import nothing
    else): the same router wherever the package runs."""
    agent = ROUTER_PATH.parent
    modules = [ROUTER_PATH, agent / "emergency.py", *sorted((agent / "lang").glob("*.py"))]
    imports: set[str] = set()
    local: set[str] = set()
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                local.add(node.module or "")
            elif isinstance(node, ast.ImportFrom):
                imports.add(node.module or "")
            elif isinstance(node, ast.Import):
                imports.update(alias.name for alias in node.names)
    assert imports <= {"__future__", "re", "dataclasses", "typing"}
    assert local <= {"emergency", "intents", "lang", "lang.patterns", "patterns"}, local
    assert route("chest pain").route == "cloud-complex"


def test_decision_is_frozen_and_deterministic() -> None:
    decision = route("Design a 12-week strength program")
    assert decision == route("Design a 12-week strength program")
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.route = "local"


# --- Safety: always the cloud ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Is this heart rate dangerous?", "heart rate"),
        ("I get a tight feeling in my chest on hills", "chest"),
        ("Chest pressure when I sprint", "chest pressure"),
        ("I feel dizzy after burpees", "dizzy"),
        ("Went light-headed during my ride", "light-headed"),
        ("I fainted after the sauna", "fainted"),
        ("My pulse is 190 at rest, should I worry?", "pulse"),
        ("Is a resting heart rate of 115 bad?", "heart rate"),
        ("My resting heart rate has been 120 all day", "120"),
        ("Heart rate of 220 during sprints", "220"),
        ("My BP was 165 over 100 this morning", "bp"),
        ("How many Advil can I take after a long run?", "advil"),
        ("What is a safe dosage of creatine?", "dosage"),
        ("I'm on lisinopril, is interval training fine?", "lisinopril"),
        ("Is my ACL torn? It popped when I landed", "acl"),
        ("Should I see a doctor about my ankle?", "doctor"),
        ("I'm pregnant, can I still do planks?", "pregnant"),
        ("My blood sugar dropped during the run", "blood sugar"),
        ("Do I need to adjust my insulin before cycling?", "insulin"),
        ("I hit my head in the gym, could it be a concussion?", "head"),
        ("I can't breathe properly after swimming", "breathe"),
        ("My hand goes numb on the bike", "numb"),
        ("I threw up after the HIIT class", "threw up"),
        ("Can I train with a fever?", "fever"),
        ("I keep having panic attacks at the gym", "panic attack"),
        ("My knee is the size of a grapefruit", "my knee is"),
        ("My elbow aches every time I do pull-ups", "aches"),
    ],
)
def test_safety_goes_to_the_cloud(text: str, trigger: str) -> None:
    decision = route(text)
    assert decision.route != "local"
    assert decision.safety
    assert decision.reason.startswith("safety/medical")
    assert trigger in decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "I have crushing chest pain",
        "I passed out on the treadmill",
        "I think I tore my hamstring",
        "Sharp pain in my knee when I squat",
        "I'm pregnant and diabetic, is running okay?",  # two medical families
        "I have a bad knee, design a 12 week program for me",  # safety + planning
    ],
)
def test_severe_or_multi_factor_safety_is_complex(text: str) -> None:
    decision = route(text)
    assert (decision.route, decision.safety) == ("cloud-complex", True)


@pytest.mark.parametrize(
    "text",
    ["Can I take ibuprofen before my run?", "I feel dizzy when I stand up", "fever, can I train?"],
)
def test_mild_safety_is_simple(text: str) -> None:
    assert route(text).route == "cloud-simple"


def test_negated_safety_still_goes_to_the_cloud() -> None:
    decision = route("No chest pain today, log my run")
    assert (decision.route, decision.safety) == ("cloud-simple", True)
    assert "negated" in decision.reason
    assert "chest pain" in decision.reason


def test_safety_beats_a_local_request_and_a_reminder() -> None:
    assert route("Keep it local: is my chest pain serious?").safety
    assert route("Keep it local: is my chest pain serious?").route == "cloud-complex"
    decision = route("Remind me to take my blood pressure medication at 9")
    assert decision.safety
    assert decision.route != "local"


@pytest.mark.parametrize(
    "text",
    [
        "My shoulder is sore, prepare an easier workout",
        "Tight hamstrings, give me some stretches",
        "My glutes are a bit achy from yesterday",
        "What was my average heart rate on yesterday's run?",
        "Show me my heart rate zones",
        "Log a 30 minute run at average heart rate 150",
        "What was my heart rate on my 10 km run?",
        "I'm sick of the rain, find an indoor workout",
        "Start a breathing exercise",
        "Add kidney beans to the shopping list",
        "Log 4 sets on the safety squat bar",
        "My knee feels great today, log a 10k",
        "What's the number of workouts I did this year?",
    ],
)
def test_ordinary_training_talk_stays_local(text: str) -> None:
    decision = route(text)
    assert (decision.route, decision.safety) == ("local", False), decision.reason


# --- Explicit requests -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected", "trigger"),
    [
        ("Ask Claude how to recover from a marathon", "cloud-simple", "ask claude"),
        ("Use the cloud for this: what is zone 2?", "cloud-simple", "use the cloud"),
        ("Send this to Haiku: a good recovery drink?", "cloud-simple", "haiku"),
        ("Let Sonnet answer this one", "cloud-complex", "sonnet"),
        ("Can you use the smarter model for this?", "cloud-complex", "smarter model"),
        ("Think hard about my split", "cloud-complex", "think hard"),
        ("Take your time and reason it through: cut or bulk?", "cloud-complex", "take your time"),
    ],
)
def test_explicit_cloud_request(text: str, expected: str, trigger: str) -> None:
    decision = route(text)
    assert decision.route == expected
    assert trigger in decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "Don't ask Claude, just set a timer for 10 minutes",
        "Keep it local and plan my next six weeks of runs",
        "Offline please: what's 15 percent of 80?",
        "Remind me to call Claude at five",
        "Write me a haiku about running",
        "Will it be cloudy this evening?",
    ],
)
def test_negated_or_absent_cloud_request_stays_local(text: str) -> None:
    assert route(text).route == "local", route(text).reason


# --- Planning and analysis -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Design a 12-week strength program", "12-week"),
        ("Create a three month plan for my first pull-up", "three month"),
        ("Build me a 30-day core challenge", "30-day"),
        ("Plan my training for the next few weeks", "few weeks"),
        ("Give me a year-long plan for climbing", "year"),
        ("Help me lose 8 kilos by summer", "by summer"),
        ("Get me ready for a half marathon", "half marathon"),
        ("Write me a running programme", "programme"),
        ("Plan a week that balances lifting, running and yoga around my shifts", "multi-factor"),
        ("How should I structure my training?", "structure"),
    ],
)
def test_multi_week_and_multi_factor_planning_is_complex(text: str, trigger: str) -> None:
    decision = route(text)
    assert (decision.route, decision.safety) == ("cloud-complex", False)
    assert trigger in decision.reason


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Why am I plateauing?", "plateau"),
        ("My bench has stalled for a month", "stalled"),
        ("Why can't I do more pull-ups?", "why"),
        ("How come my 5k keeps getting slower?", "getting slower"),
        ("I'm not making progress on squats", "not making progress"),
        ("Analyse my last six weeks of workouts", "analyse"),
        ("Review the past month and tell me what to change", "review"),
    ],
)
def test_analysis_is_complex(text: str, trigger: str) -> None:
    decision = route(text)
    assert decision.route == "cloud-complex"
    assert trigger in decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "Plan a 30 minute workout for tonight",
        "Plan my workouts for this week",
        "Build me a 20 minute upper body session",
        "I don't need a long-term plan, just today's workout",
        "Log my run from two weeks ago",
        "How many workouts have I done in the last three months?",
        "How many weeks until my race?",
        "Remind me in 3 weeks to book a race",
        "I'm training for a marathon, what's today's run?",
        "Why is the garage light on?",
    ],
)
def test_short_horizon_past_and_device_questions_stay_local(text: str) -> None:
    assert route(text).route == "local", route(text).reason


# --- Context window and cascade --------------------------------------------------------------
def test_context_over_the_local_window() -> None:
    decision = route("And Friday?", context_tokens=5200)
    assert decision.route == "cloud-complex"
    assert "local window 4096" in decision.reason
    assert route("And Friday?", context_tokens=4000).route == "local"
    assert route("And Friday?", context_tokens=4000, local_window=2048).route == "cloud-complex"
    assert route("And Friday?", context_tokens=5200, local_window=8192).route == "local"


def test_the_new_turn_counts_into_the_context() -> None:
    text = "x" * 400  # about 100 tokens
    assert route(text, context_tokens=4000).route == "cloud-complex"  # 4100 > 4096
    assert route(text, context_tokens=3996).route == "local"  # 4096: still fits


def test_cascade_on_low_confidence() -> None:
    decision = route("Do the thing from before", confidence=0.42)
    assert decision == router.RouteDecision("cloud-simple", "low confidence 0.42 < 0.7", False)
    assert route("Do the thing from before", confidence=0.7).route == "local"
    assert route("Do the thing from before", confidence=0.95).route == "local"
    assert route("Do the thing", confidence=0.8, threshold=0.9).reason == (
        "low confidence 0.8 < 0.9"
    )
    assert route("Do the thing", confidence=0.5, threshold=0.4).route == "local"


def test_cascade_on_invalid_structured_pass() -> None:
    decision = route("Sort out the usual", structured_valid=False, confidence=0.9)
    assert decision == router.RouteDecision(
        "cloud-simple", "structured pass failed validation", False
    )


def test_stronger_rules_beat_the_cascade() -> None:
    assert route("Design a 12-week program", confidence=0.1).route == "cloud-complex"
    assert route("Chest pain", confidence=0.1, structured_valid=False).safety


def test_intents_from_the_structured_pass() -> None:
    assert route("the usual", intent="plan_program").route == "cloud-complex"
    decision = route("about that thing", intent="health_question")
    assert (decision.route, decision.safety) == ("cloud-simple", True)
    assert route("lights off", intent="device_control").reason == "local: intent device_control"


# --- The labelled datasets -------------------------------------------------------------------
def test_datasets_are_big_varied_and_disjoint() -> None:
    main, holdout = (load_dataset(path) for path in DATASETS)
    assert len(main) >= 150
    assert len(holdout) >= 60
    for examples in (main, holdout):
        texts = [e.text.lower() for e in examples]
        assert len(set(texts)) == len(texts)
        assert {e.label for e in examples} == {"local", "cloud"}
        assert sum(e.safety for e in examples) >= 30
    assert not {e.text.lower() for e in main} & {e.text.lower() for e in holdout}


@pytest.mark.parametrize("path", DATASETS, ids=lambda path: path.name)
def test_accuracy_and_safety_recall(path: Path) -> None:
    examples = load_dataset(path)
    decisions = [route(e.text, **e.inputs) for e in examples]
    got = ["local" if d.route == "local" else "cloud" for d in decisions]
    wrong = [
        (e.text, d.reason) for e, g, d in zip(examples, got, decisions, strict=True)
        if g != e.label
    ]  # fmt: skip
    assert 1 - len(wrong) / len(examples) >= 0.9, wrong
    safety = [g for e, g in zip(examples, got, strict=True) if e.safety]
    assert safety.count("cloud") == len(safety), wrong


# --- German, Spanish and French: the safety rules ----------------------------------------------
def _by_language() -> dict[str, list[tuple[str, bool]]]:
    """``{"de": [(text, safety), ...], ...}`` from the multilingual file (its ``lang`` field)."""
    lines = [json.loads(line) for line in MULTILINGUAL.read_text(encoding="utf-8").splitlines()]
    examples = load_dataset(MULTILINGUAL)  # validates the file like the English ones
    assert [e.text for e in examples] == [line["text"] for line in lines]
    by_language: dict[str, list[tuple[str, bool]]] = {}
    for line, example in zip(lines, examples, strict=True):
        by_language.setdefault(line["lang"], []).append((example.text, example.safety))
    return by_language


def test_multilingual_dataset_is_big_and_fresh() -> None:
    by_language = _by_language()
    assert sorted(by_language) == sorted(LANGUAGES)
    english = {e.text.lower() for path in DATASETS for e in load_dataset(path)}
    for examples in by_language.values():
        assert sum(safety for _, safety in examples) >= 20
        assert sum(not safety for _, safety in examples) >= 20
    texts = [text.lower() for examples in by_language.values() for text, _ in examples]
    assert len(set(texts)) == len(texts)
    assert not set(texts) & english


@pytest.mark.parametrize("language", LANGUAGES)
def test_multilingual_safety_recall_and_false_alarms(language: str) -> None:
    """Every safety question goes to the cloud; ordinary requests are (almost) never flagged."""
    examples = _by_language()[language]
    decisions = [(text, safety, route(text)) for text, safety in examples]
    missed = [
        (t, d.reason)
        for t, safety, d in decisions
        if safety
        and (d.route == "local" or not d.safety or not d.reason.startswith("safety/medical"))
    ]
    assert missed == []
    plain = [(t, d) for t, safety, d in decisions if not safety]
    flagged = [(t, d.reason) for t, d in plain if d.safety or d.route != "local"]
    assert len(flagged) <= len(plain) // 20, flagged  # at most 5 %


@pytest.mark.parametrize(
    "variants",
    [
        ("Übelkeit nach dem Lauf", "Uebelkeit nach dem Lauf", "ubelkeit nach dem lauf"),
        ("Ist das gefährlich?", "ist das gefaehrlich", "ist das gefahrlich"),
        ("Mein Knöchel ist geschwollen", "mein knoechel ist geschwollen"),
        ("Ich bin ohnmächtig geworden", "ich bin ohnmaechtig geworden"),
        ("Me desmayé en la carrera", "me desmaye en la carrera"),
        ("¿Debería ir al médico?", "deberia ir al medico"),
        ("Tengo náuseas", "tengo nauseas"),
        ("Je me suis évanoui", "je me suis evanoui"),
        ("J'ai de la fièvre", "jai de la fievre"),
        ("Mon cœur s'emballe", "mon coeur s emballe"),
        ("Je dois adapter l'insuline ?", "je dois adapter l insuline"),
    ],
)
def test_accents_umlauts_and_asr_spellings_route_alike(variants: tuple[str, ...]) -> None:
    decisions = [route(text) for text in variants]
    assert all(d.safety and d.route != "local" for d in decisions), decisions
    assert len({d.route for d in decisions}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Ich habe Brustschmerzen beim Laufen",
        "Tengo dolor en el pecho cuando corro",
        "J'ai une douleur à la poitrine quand je cours",
        "Ich bin beim Training ohnmächtig geworden",
        "Me desmayé al terminar las series",
        "J'ai perdu connaissance après le sprint",
        "Ich glaube, mein Kreuzband ist gerissen",
        "Creo que me he roto la muñeca",
        "Je crois que j'ai le poignet cassé",
        "Ich bin schwanger und Diabetikerin, darf ich laufen?",  # two medical families
    ],
)
def test_multilingual_red_flags_are_complex(text: str) -> None:
    assert (route(text).route, route(text).safety) == ("cloud-complex", True), route(text).reason


@pytest.mark.parametrize(
    ("text", "safety"),
    [
        ("Wie war mein durchschnittlicher Puls gestern?", False),
        ("¿Cuál fue mi frecuencia cardíaca media?", False),
        ("Quelle était ma fréquence cardiaque moyenne ?", False),
        ("Mein Ruhepuls liegt bei 112", True),  # resting and high
        ("Mi pulso en reposo es de 35", True),  # low
        ("Mon pouls monte à 215 en sprint", True),  # extreme
        ("Ist ein Puls von 180 beim Sprint gefährlich?", True),  # a worry
    ],
)
def test_multilingual_heart_rate_is_status_unless_worrying(text: str, safety: bool) -> None:
    decision = route(text)
    assert decision.safety is safety, decision.reason
    assert (decision.route == "local") is not safety


def test_multilingual_negation_still_goes_to_the_cloud() -> None:
    for text in (
        "Keine Brustschmerzen heute, trag meinen Lauf ein",
        "Hoy no tengo dolor de pecho, apunta mi carrera",
        "Pas de douleur à la poitrine aujourd'hui, enregistre ma course",
    ):
        decision = route(text)
        assert (decision.route, decision.safety) == ("cloud-simple", True), decision.reason
        assert "negated" in decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "Ajoute du pain complet à la liste",  # French bread, not pain
        "Ich möchte dich bitten, das Licht auszumachen",  # German "bitten": to ask
        "Perdone, ¿puede repetirlo?",  # not a drug name ending in "-done"
        "Zeig mir meine Herzfrequenzzonen",
        "Sag mir ein herzhaftes Rezept",
        "Añade sangría a la lista",
        "Je veux apprendre le programme par cœur",
        "Où est mon sac à dos bleu ?",
        "Mein Fahrradschloss ist gebrochen",  # broken, but no body part
        "Se ha roto la cadena de la bici",
        "I sang in the shower after my run",  # French "sang" (blood) is not English
        "Play some trombone music",
        "Remind me about the doctoral seminar",
    ],
)
def test_lookalike_words_stay_local(text: str) -> None:
    decision = route(text)
    assert (decision.route, decision.safety) == ("local", False), decision.reason


def test_decisions_take_well_under_a_millisecond() -> None:
    texts = [e.text for path in (*DATASETS, MULTILINGUAL) for e in load_dataset(path)]
    for text in texts:
        route(text)
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(10):
        for text in texts:
            wall_start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
            route(text)
            cpu.append((time.thread_time_ns() - cpu_start) / 1000)
            wall.append((time.perf_counter_ns() - wall_start) / 1000)
    cpu.sort()
    wall.sort()
    # CPU time: wall-clock p99 on a shared machine measures the scheduler, not the router.
    assert cpu[int(len(cpu) * 0.99)] < 1000
    assert wall[len(wall) // 2] < 1000
