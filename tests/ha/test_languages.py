"""ATLAS's languages in a real HA instance: what the agent declares, and what a turn in each
declared language gets (docs/ha-integration.md, "Languages").

English, German, Spanish and French are declared because the router's safety rules read all
four: a safety question in any of them goes to Claude, or to the fixed safe answer when Claude
cannot take it, and never to the small model. The rest of a non-English turn is the model's:
the English rules stay unsure, and the English direct skill replies are skipped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.atlas.agent.device_commands import device_command
from custom_components.atlas.agent.emergency import emergency
from custom_components.atlas.agent.intent_rules import CONFIDENT, understand
from custom_components.atlas.agent.spoken import emergency_answer, safe_medical_answer
from custom_components.atlas.const import EVENT_TURN
from custom_components.atlas.conversation import SUPPORTED_LANGUAGES

from .conftest import setup_atlas
from .fake_anthropic import ClaudeReply, FakeAnthropic, claude_data
from .scripted_llm import Reply, ScriptedLLM
from .spoken import in_language

AGENT = "conversation.atlas_conversation"
MULTILINGUAL = Path(__file__).resolve().parents[1] / "data" / "routing_multilingual.jsonl"
WORKOUT_STATUS = {"intent": "workout_status", "day": None, "time_of_day": None, "types": [],
                  "injury": None, "data_source": None, "confidence": 0.95}  # fmt: skip
LOW_CONFIDENCE = {**WORKOUT_STATUS, "intent": "chat", "confidence": 0.3}
CHEST_PAIN = [
    ("de", "DE", "Ich habe beim Joggen Brustschmerzen und mir ist schwindelig, was soll ich tun?"),
    ("de-AT", "AT", "ich hab so ein druckgefuehl in der brust nach dem training"),  # ASR: no umlaut
    ("es", "ES", "Tengo dolor en el pecho cuando corro, ¿qué hago?"),
    ("fr", "FR", "J'ai une douleur thoracique quand je cours, qu'est-ce que je fais ?"),
]
# Ordinary requests the English rules are wrongly sure about (intent_rules.py, not ours to fix):
# "pain" is French bread. The router routes it correctly (local); the rules' confident
# "health_question" then sends the turn to Claude: a needless cloud call, not a safety miss.
KNOWN_RULE_MISFIRES = {"Ajoute du pain complet et des bananes à la liste de courses"}


@pytest.fixture
async def claude(socket_enabled: None) -> AsyncIterator[FakeAnthropic]:
    server = FakeAnthropic()
    await server.start()
    yield server
    await server.stop()


async def ask(hass: HomeAssistant, text: str, language: str) -> tuple[str, dict[str, Any]]:
    turns = async_capture_events(hass, EVENT_TURN)
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=AGENT
    )
    return result.response.speech["plain"]["speech"].strip(), turns[-1].data


def ordinary_requests() -> list[tuple[str, str]]:
    """(language, text) of the multilingual file's non-safety lines."""
    lines = [json.loads(line) for line in MULTILINGUAL.read_text(encoding="utf-8").splitlines()]
    return [(line["lang"], line["text"]) for line in lines if not line.get("safety")]


async def test_declares_english_german_spanish_and_french(
    hass: HomeAssistant,
    scripted: ScriptedLLM,
    claude: FakeAnthropic,
    hass_ws_client: WebSocketGenerator,
) -> None:
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    agent = conversation.async_get_agent(hass, AGENT)
    assert agent is not None
    assert agent.supported_languages == ["en", "de", "es", "fr"] == SUPPORTED_LANGUAGES
    assert conversation.async_get_conversation_languages(hass, AGENT) == {"en", "de", "es", "fr"}
    # What the pipeline editor offers: ATLAS for a Swiss German or Latin American Spanish
    # pipeline, not for an Italian one.
    client = await hass_ws_client(hass)
    for language, expected in (("de-CH", ["de"]), ("es-419", ["es"]), ("en-GB", ["en"]),
                               ("fr-CA", ["fr"]), ("it", [])):  # fmt: skip
        await client.send_json_auto_id({"type": "conversation/agent/list", "language": language})
        response = await client.receive_json()
        assert response["success"]
        (atlas,) = [a for a in response["result"]["agents"] if a["id"] == AGENT]
        assert atlas["supported_languages"] == expected, language


@pytest.mark.parametrize("case", CHEST_PAIN, ids=lambda case: f"{case[0]}-{case[1]}")
async def test_safety_question_with_the_cloud_down_gets_the_fixed_safe_answer(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic, case: tuple[str, str, str]
) -> None:
    language, country, text = case
    await hass.config.async_update(country=country)
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    await claude.stop()  # the cloud is down
    scripted.replies = [Reply(content="The small model must not answer this.")]
    speech, turn = await ask(hass, text, language)
    # In the user's language (translations/<language>.json): chest pain during a run is an
    # emergency (the country's number first); a recurring one ("when I run") a question for a
    # doctor, never a false alarm.
    if emergency(text):
        assert speech == in_language(emergency_answer(country), language.split("-")[0])
        assert "112" in speech.split(".")[0]
    else:
        assert speech == in_language(safe_medical_answer(), language.split("-")[0])
        assert "112" not in speech
    assert turn["safety"] is True
    assert turn["route"] == "cloud-complex"  # chest pain is a red flag
    assert turn["route_reason"].startswith("safety/medical")
    assert turn["answered_by"] == "safety"
    assert turn["fallback"] == (None if emergency(text) else "network")  # no wait for the cloud
    assert scripted.chat_requests == []  # the small model never answered
    assert scripted.requests == []  # nor even read it: the text rules caught it first


@pytest.mark.parametrize("case", CHEST_PAIN, ids=lambda case: f"{case[0]}-{case[1]}")
async def test_safety_question_goes_to_claude(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic, case: tuple[str, str, str]
) -> None:
    language, country, text = case
    await hass.config.async_update(country=country)
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply(text="Bitte hör sofort auf und ruf die 112 an."))
    speech, turn = await ask(hass, text, language)
    assert scripted.requests == []
    if emergency(text):  # an emergency never waits for the cloud: the number, at once
        assert speech == in_language(emergency_answer(country), language.split("-")[0])
        assert (turn["route"], turn["safety"], turn["answered_by"]) == (
            "cloud-complex", True, "safety"
        )  # fmt: skip
        assert claude.message_requests == []
        return
    assert speech == "Bitte hör sofort auf und ruf die 112 an."
    assert (turn["route"], turn["safety"], turn["answered_by"]) == ("cloud-complex", True, "cloud")


async def test_non_english_turn_is_answered_by_the_model_not_an_english_skill_reply(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    scripted.extraction = WORKOUT_STATUS  # the model's structured pass is sure
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    text = "Wie sieht mein Training heute aus?"

    # The model looks it up (an answer without the tool would not be believed: an honest
    # "I couldn't look up your workouts" instead, tests/ha/test_false_confirmation.py).
    scripted.replies = [
        Reply(tool_calls=[{"id": "c1", "name": "atlas__workout_status", "arguments": {}}]),
        Reply(content="Heute hast du noch nicht trainiert."),
    ]
    speech, turn = await ask(hass, text, "de")
    assert speech == "Heute hast du noch nicht trainiert."
    assert turn["understood_by"] == "llm"  # the English rules were unsure
    assert turn["intent"] == "workout_status"
    assert (turn["route"], turn["answered_by"]) == ("local", "llm")
    # The model's call, no direct skill call with an English reply.
    assert turn["tools"] == ["atlas__workout_status"]
    assert len(scripted.chat_requests) == 2
    assert claude.message_requests == []

    # The same turn in English gets the direct skill reply, without the model.
    before = len(scripted.chat_requests)
    speech, turn = await ask(hass, text, "en")
    assert (turn["answered_by"], turn["tools"]) == ("skill", ["workout_status"])
    assert speech
    assert len(scripted.chat_requests) == before


async def test_non_english_turn_the_model_is_unsure_about_cascades_to_claude(
    hass: HomeAssistant, scripted: ScriptedLLM, claude: FakeAnthropic
) -> None:
    scripted.extraction = LOW_CONFIDENCE
    await setup_atlas(hass, scripted.port, data=claude_data(claude.base_url))
    claude.add(ClaudeReply(text="Gern, was genau meinst du?"))
    speech, turn = await ask(hass, "Mach das Ding von vorhin nochmal", "de")
    assert speech == "Gern, was genau meinst du?"
    assert (turn["understood_by"], turn["route"], turn["answered_by"]) == (
        "llm", "cloud-simple", "cloud"
    )  # fmt: skip
    assert scripted.chat_requests == []


@pytest.mark.parametrize(
    ("language", "text"),
    [r for r in ordinary_requests() if r[1] not in KNOWN_RULE_MISFIRES],
    ids=lambda value: str(value)[:40],
)
def test_english_rules_are_unsure_about_ordinary_non_english_requests(
    language: str, text: str
) -> None:
    """The deterministic rules are English: on German, Spanish or French they read only a
    device command (``agent/device_commands.py``, for Home Assistant's intents or the model) and
    leave every other turn to the model's structured pass."""
    extraction = understand(text, language=language)
    if device_command(text, language):
        assert extraction.intent == "device_control", (language, extraction)
        return
    assert extraction.confidence < CONFIDENT, (language, extraction)
    assert extraction.intent == "chat"


def test_the_ordinary_requests_include_device_commands_in_every_language() -> None:
    commands = {
        language for language, text in ordinary_requests() if device_command(text, language)
    }
    assert commands == {"de", "es", "fr"}


@pytest.mark.xfail(reason="intent_rules reads French 'pain' (bread) as pain", strict=True)
@pytest.mark.parametrize("text", sorted(KNOWN_RULE_MISFIRES))
def test_known_rule_misfires(text: str) -> None:
    assert understand(text).confidence < CONFIDENT
