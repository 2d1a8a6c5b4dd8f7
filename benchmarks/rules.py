"""The rules stage of the understanding cascade: speed and accuracy, against hassil templates.

``custom_components/atlas/agent/intent_rules.py`` (standard library only) labels
every line of the labelled utterance files ``--iterations`` times; each call is timed alone by
wall clock (``perf_counter_ns``) and thread CPU time (``thread_time_ns``). The peer is Home
Assistant's sentence matcher, hassil, with templates written for ATLAS's intents in the style of
HA's own intents (slot lists for day, time of day, workout type, body part and Garmin; wildcards
for reminder texts); a hassil match counts as confident, no match as a fallback.

Printed per file and stage: coverage (confident share), intent accuracy on the confident
subset, intent accuracy with every fallback counted wrong, the cascade's intent accuracy and
slot F1 when the model is right on every fallback, slot F1 of the stage alone, and µs per call.

Usage: ``.venv/bin/python -m benchmarks.rules [--iterations 20] [--no-hassil] [FILE.jsonl ...]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_eval.eval_data import SlotRules, Utterance, load_utterances
from atlas_eval.metrics import slot_pairs, slot_scores
from custom_components.atlas.agent import intent_rules, structured

REPO = Path(__file__).resolve().parents[1]

DATA = REPO / "tests" / "data"
DEFAULT_FILES = (DATA / "eval_utterances.jsonl", DATA / "eval_utterances_fresh.jsonl")

# (intent, slots, confident)
Result = tuple[str, dict[str, Any], bool]
Stage = Callable[[str], Result]


def rules_stage() -> Stage:
    """``intent_rules.understand``; confident at or above its ``CONFIDENT``."""
    threshold = float(intent_rules.CONFIDENT)

    def decide(text: str) -> Result:
        extraction = intent_rules.understand(text)
        return extraction.intent, extraction.slots, extraction.confidence >= threshold

    return decide


# --- The hassil peer -----------------------------------------------------------------------
def _values(*items: str | tuple[str, str]) -> dict[str, Any]:
    """A hassil text list: plain values, or ``(template, value)``."""
    return {
        "values": [item if isinstance(item, str) else {"in": item[0], "out": item[1]}
                   for item in items]
    }  # fmt: skip


HASSIL_LISTS: dict[str, Any] = {
    "day": _values(
        *(
            (f"{day}[s|'s]", day)
            for day in (
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            )
        ),
        ("today[s|'s]", "today"),
        ("tomorrow[s|'s]", "tomorrow"),
    ),
    "time_of_day": _values(
        ("[this ]morning[s|'s]", "morning"),
        ("[this ]afternoon[s|'s]", "afternoon"),
        ("[this ]evening[s|'s]", "evening"),
        ("[this ]night[s|'s]", "night"),
        ("tonight[s|'s]", "night"),
    ),
    "type": _values(
        "yoga",
        ("(calisthenics|bodyweight|pushups|push ups|pull ups|press ups)", "calisthenics"),
        ("(run|runs|running|jog|jogging|5k|10k)", "running"),
        ("(strength|strength training|weights|lifting)", "strength"),
        "mobility",
        ("(cycling|bike|bike ride|ride|spin)", "cycling"),
        ("(swim|swimming)", "swimming"),
        ("(hiit|intervals)", "hiit"),
        ("(walk|walking|hike)", "walking"),
        ("(stretch|stretching)", "stretching"),
    ),
    "injury": _values(
        ("shoulder[s]", "shoulder"),
        ("knee[s]", "knee"),
        "back",
        ("wrist[s]", "wrist"),
        ("ankle[s]", "ankle"),
        ("hip[s]", "hip"),
        "neck",
        ("elbow[s]", "elbow"),
    ),
    "data_source": _values(("(garmin|my watch)", "garmin")),
    "amount": {"range": {"from": 1, "to": 10000}},
    "task": {"wildcard": True},
    "thing": {"wildcard": True},
}
HASSIL_RULES: dict[str, str] = {
    "when": "[on|for|in the|at] ({day} [{time_of_day}]|{time_of_day}|{day} [at] {amount})",
    "types": "{type} [and {type:type2}]",
    "duration": "{amount}[ ](minute|minutes|min|km|k|hour|hours)",
    "session": "(workout|session|routine|class|training|plan)",
    "make": "(prepare|plan|build|design|create|make|give|put together|set up|get)",
    "garmin": "[from|on|according to] {data_source}",
    "injured": "[but|and] my {injury} (is|feels) (sore|stiff|dodgy|bad|injured|hurting)",
}
HASSIL_SENTENCES: dict[str, list[str]] = {
    "prepare_workout": [
        "<make> [me] (a|an|my) [quick|gentle|short] [<duration>] [<types>] <session> [ready]"
        " [<when>] [[that] (avoids|protects) my {injury}|<injured>]",
        "i (want|need|would like|'d like) (a|an) [quick|gentle] [<types>] <session> [<when>]",
        "what should my workout be [<when>]",
        "what workout (should|can) i do [<when>]",
        "plan <when> {type}",
    ],
    "plan_program": [
        "<make> [me] (a|an) {amount}[ ](week|month) [<types>] (plan|program|programme)",
        "<make> [me] (a|an) [<types>] (plan|program|programme) for the next {amount}"
        " (weeks|months)",
        "i (want|need|would like|'d like) (a|an) [<types>] training plan [for {thing}]",
    ],
    "log_workout": [
        "(log|record|save|add|note down|track) [a|an|my] [<duration>] [<types>] [session|workout]"
        " [<when>] [to my log]",
        "(log|record|save) {amount} [sets of {amount:reps}] {type}",
        "i (just finished|did|finished) (a|an|my) [<duration>] {type} [<when>]",
        "(import|sync) [my] <when> {type} <garmin>",
        "(import|sync) [my] {data_source} {type} activity [<when>]",
        "mark <when> {type} [workout|session] as done",
    ],
    "workout_status": [
        "how many (workouts|runs|sessions|{type}) (did|have) i (do|done|log|logged) [<when>]"
        " [this (week|month)]",
        "did i (work out|do [my] {type}|finish my {type} session) [<when>]",
        "what's my ({type} streak|total {type} time [this week])",
        "show my workout history [for this week]",
        "what did i do [<when>]",
    ],
    "next_workout": [
        "what's my next ({type}|workout|session)",
        "what's [my] <session> [for] <when>",
        "what am i doing <when>",
        "do i have [a|an] {type} [class|session] <when>",
        "what's (on the schedule|planned) [for me] <when>",
        "(tell me|what's) <when> workout",
    ],
    "recovery_status": [
        "how recovered am i [<when>] [<garmin>]",
        "what's my (body battery|hrv status|sleep score|training readiness|stress level)"
        " [<garmin>] [<when>]",
        "am i (ready|recovered enough) (to train hard|for [a] {type}) [<when>]",
        "should i rest [<when>] [or can i train]",
        "do i need a rest day [<when>]",
    ],
    "set_reminder": [
        "[can you] remind me [<when>] to {task} [<when>]",
        "remind me to {task}",
        "(set|add) a reminder (for|to) {task} [<when>]",
        "(set|add) a reminder for [my] {type} [class|session] [<when>]",
    ],
    "list_reminders": [
        "what reminders (do i have|did i set) [<when>]",
        "(list|show|read out|tell me) [all] [my|the] [workout|{type}] reminders [<when>]",
        "do i have any reminders [<when>]",
        "are there any reminders [<when>]",
        "what's on my reminder list",
    ],
    "cancel_reminder": [
        "(cancel|delete|remove|clear|scrap|get rid of) [all|every] [my|the] [{type}]"
        " reminder[s] [about {thing}] [<when>]",
        "(cancel|delete|remove|clear|scrap|get rid of) the reminder (for|about) {thing}",
        "stop reminding me (about|to) {thing}",
        "turn off the reminder to {thing}",
    ],
    "device_control": [
        "(turn|switch) (on|off) [the] {thing}",
        "(turn|switch) [the] {thing} (on|off|up|down)",
        "(dim|lock|unlock|open|close|start|pause|stop|play) [the|my] {thing}",
        "set the {thing} to {amount} [degrees|percent]",
    ],
    "quick_answer": [
        "what time is it",
        "what's the (weather|temperature) [like] [outside] [<when>]",
        "how many {thing} (are|is) in {thing:other}",
        "convert {thing}",
        "will it rain [<when>]",
        "what day is it [today]",
    ],
    "health_question": [
        "my {injury} hurts [when {thing}]",
        "is it (safe|okay|ok) to {thing}",
        "can i (exercise|train|run) with {thing}",
    ],
    "chat": [
        "(hi|hello|hey) [there|atlas]",
        "(thanks|thank you) [that's great]",
        "tell me a joke",
        "how are you [doing]",
        "(goodbye|bye) [for now]",
        "what's your name",
        "who made you",
        "never mind",
    ],
}


def hassil_stage() -> Stage:
    """hassil over :data:`HASSIL_SENTENCES`; a match is confident, no match falls back."""
    from hassil import Intents, recognize

    intents = Intents.from_dict({
        "language": "en",
        "intents": {name: {"data": [{"sentences": sentences}]}
                    for name, sentences in HASSIL_SENTENCES.items()},
        "lists": HASSIL_LISTS,
        "expansion_rules": HASSIL_RULES,
        "skip_words": ["please", "atlas", "can you", "could you"],
    })  # fmt: skip

    def decide(text: str) -> Result:
        result = recognize(text, intents)
        if result is None:
            return "chat", {}, False
        values = {name: entity.value for name, entity in result.entities.items()}
        found: dict[str, Any] = {
            key: values[key]
            for key in ("day", "time_of_day", "injury", "data_source")
            if isinstance(values.get(key), str)
        }
        kinds = [kind for key in ("type", "type2") if isinstance(kind := values.get(key), str)]
        if kinds:
            found["types"] = list(dict.fromkeys(kinds))
        return result.intent.name, found, True

    return decide


# --- Scoring -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scores:
    """One stage on one file."""

    n: int
    coverage: float  # confident share
    confident_accuracy: float  # intent accuracy on the confident subset
    accuracy: float  # intent accuracy, every fallback counted wrong
    cascade_accuracy: float  # fallbacks counted right (the model answers them)
    slot_f1: float  # the stage's own slots on every line
    cascade_slot_f1: float  # gold slots on fallbacks


def score(stage: Stage, utterances: Sequence[Utterance]) -> Scores:
    """Accuracy figures of ``stage`` over labelled utterances."""
    results = [stage(item.text) for item in utterances]
    right = [got == item.intent for item, (got, _, _) in zip(utterances, results, strict=True)]
    sure = [confident for _, _, confident in results]
    gold = [slot_pairs(item.slots) for item in utterances]
    own = [slot_pairs(slots) for _, slots, _ in results]
    cascade = [o if s else g for o, g, s in zip(own, gold, sure, strict=True)]
    n, covered = len(utterances), sum(sure)
    return Scores(
        n=n,
        coverage=covered / n,
        confident_accuracy=sum(r and s for r, s in zip(right, sure, strict=True)) / covered
        if covered
        else 0.0,
        accuracy=sum(r and s for r, s in zip(right, sure, strict=True)) / n,
        cascade_accuracy=sum(r or not s for r, s in zip(right, sure, strict=True)) / n,
        slot_f1=float(slot_scores(gold, own)["f1"] or 0.0),
        cascade_slot_f1=float(slot_scores(gold, cascade)["f1"] or 0.0),
    )


def timings(stage: Stage, texts: Sequence[str], iterations: int) -> tuple[list[float], ...]:
    """Wall and thread-CPU µs of every call."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(iterations):
        for text in texts:
            wall_start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
            stage(text)
            cpu.append((time.thread_time_ns() - cpu_start) / 1000)
            wall.append((time.perf_counter_ns() - wall_start) / 1000)
    return sorted(wall), sorted(cpu)


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--iterations", type=int, default=20, help="passes over every file")
    parser.add_argument("--no-hassil", action="store_true", help="only the rules")
    args = parser.parse_args()

    slot_rules = SlotRules(structured.SCHEMA)
    data = {path.name: load_utterances(path, slot_rules) for path in args.files}
    stages: dict[str, Stage] = {"rules": rules_stage()}
    if not args.no_hassil:
        try:
            stages["hassil"] = hassil_stage()
        except ImportError:
            print("hassil is not installed: rules only", file=sys.stderr)

    print(f"Python {sys.version.split()[0]}; {args.iterations} iterations for the timings")
    header = ("n", "cover", "acc|sure", "acc", "cascade", "slot F1", "casc F1")
    print(f"{'file / stage':<36}" + "".join(f"{column:>9}" for column in header))
    for name, utterances in data.items():
        for stage_name, stage in stages.items():
            s = score(stage, utterances)
            cells = [f"{s.n:>9}"] + [
                f"{value:>9.3f}"
                for value in (s.coverage, s.confident_accuracy, s.accuracy, s.cascade_accuracy,
                              s.slot_f1, s.cascade_slot_f1)
            ]  # fmt: skip
            print(f"{name + ' / ' + stage_name:<36}" + "".join(cells))
    texts = [item.text for utterances in data.values() for item in utterances]
    print(f"\nµs per call over {len(texts)} lines")
    print(f"{'stage':<12}" + "".join(f"{c:>10}" for c in ("mean", "p50", "p99", "cpu p50",
                                                         "cpu p99")))  # fmt: skip
    for stage_name, stage in stages.items():
        wall, cpu = timings(stage, texts, args.iterations)
        micros = (statistics.fmean(wall), percentile(wall, 0.5), percentile(wall, 0.99),
                  percentile(cpu, 0.5), percentile(cpu, 0.99))  # fmt: skip
        print(f"{stage_name:<12}" + "".join(f"{value:>10.1f}" for value in micros))


if __name__ == "__main__":
    main()
