"""Device commands go to Home Assistant's own intents first, in every declared language.

Like a pipeline's "prefer handling commands locally": a turn the rules read as a device command
tries HA's strict intent matching (exposed entities, exact wording) before any model is asked;
what HA cannot match goes to the model with the Assist API.
"""

from __future__ import annotations

import pytest
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_mock_service,
)

from custom_components.atlas.agent.intent_rules import understand
from custom_components.atlas.const import EVENT_TURN

from .conftest import setup_atlas
from .scripted_llm import Reply, ScriptedLLM
from .test_agent import AGENT, AGENT_OPTIONS


@pytest.mark.parametrize(
    ("text", "language", "name"),
    [
        ("Turn on the kitchen light", "en", "Kitchen light"),
        ("schalte das Küchenlicht ein", "de", "Küchenlicht"),
        ("enciende la luz de la cocina", "es", "luz de la cocina"),
        ("allume la lumière de la cuisine", "fr", "lumière de la cuisine"),
    ],
)
async def test_home_assistant_intents_answer_a_device_command_first(
    hass: HomeAssistant, scripted: ScriptedLLM, text: str, language: str, name: str
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    hass.states.async_set("light.kitchen", "off", {"friendly_name": name})
    async_expose_entity(hass, conversation.DOMAIN, "light.kitchen", True)
    calls = async_mock_service(hass, "light", "turn_on")
    turns = async_capture_events(hass, EVENT_TURN)

    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, agent_id=AGENT
    )

    assert [c.data["entity_id"] for c in calls] == [["light.kitchen"]]
    assert result.response.speech["plain"]["speech"]  # HA's own confirmation, in the language
    assert scripted.requests == []  # no model was asked
    assert [(t.data["intent"], t.data["answered_by"]) for t in turns] == [
        ("device_control", "home_assistant")
    ]


async def test_a_command_home_assistant_cannot_match_goes_to_the_model(
    hass: HomeAssistant, scripted: ScriptedLLM
) -> None:
    await setup_atlas(hass, scripted.port, agent=AGENT_OPTIONS)
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen light"})
    async_expose_entity(hass, conversation.DOMAIN, "light.kitchen", True)
    calls = async_mock_service(hass, "light", "turn_on")
    scripted.replies = [
        Reply(tool_calls=[{"id": "call_1", "name": "intent__HassTurnOn",
                           "arguments": {"name": "Kitchen light"}}]),
        Reply(content="Das Küchenlicht ist an."),
    ]  # fmt: skip
    text = "mach mal das licht über der arbeitsplatte an"  # no entity of that name
    assert understand(text, None, "de").intent == "device_control"

    result = await conversation.async_converse(
        hass, text, None, Context(), language="de", agent_id=AGENT
    )

    assert result.response.speech["plain"]["speech"].strip() == "Das Küchenlicht ist an."
    assert [c.data["entity_id"] for c in calls] == [["light.kitchen"]]
    assert scripted.chat_requests  # the model with the Assist API took it


@pytest.mark.parametrize(
    ("text", "language", "device"),
    [
        ("mach das Licht im Wohnzimmer aus", "de", True),
        ("kannst du die rollläden runterfahren", "de", True),
        ("erinnere mich morgen das licht auszumachen", "de", False),
        ("wie spät ist es", "de", False),
        ("apaga las luces del salón por favor", "es", True),
        ("sube la calefacción a veintiún grados", "es", True),
        ("recuérdame apagar la calefacción", "es", False),
        ("baisse le chauffage à dix-neuf degrés", "fr", True),
        ("ferme les volets de la chambre", "fr", True),
        ("rappelle-moi d'éteindre la lumière", "fr", False),
        ("je suis allé courir ce matin", "fr", False),
    ],
)
def test_device_commands_in_the_languages_the_rules_do_not_speak(
    text: str, language: str, device: bool
) -> None:
    reading = understand(text, None, language)
    assert (reading.intent == "device_control") is device
