"""What is an emergency now (the country's number first), in every declared language."""

from __future__ import annotations

import pytest

from custom_components.atlas.agent.emergency import emergency


@pytest.mark.parametrize(
    "text",
    [
        "my grandmother is unconscious and not responding please help fast",
        "my mum's fallen and hit her head and she's not responding",
        "i cut my hand on a knife and it's bleeding loads and won't stop",
        "my son cut his leg on some glass it's pumping blood and won't stop",
        "my little boy has swallowed a load of my tablets",
        "my boy ate something with peanuts and his throat's swelling up he's wheezing",
        "mi abuela no puede mover el brazo derecho y tiene la boca torcida",
        "ma mère arrive plus à parler normalement et elle a la bouche de travers",
        "mein opa kann seinen arm nicht mehr bewegen und der mund hängt",
    ],
)
def test_an_emergency_now(text: str) -> None:
    assert emergency(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "the server is not responding",
        "my knee bled a bit but it stopped",
        "ich wäre gestern fast ohnmächtig geworden",
        "no puedo hablar bien en inglés",
        "what should i do if someone collapses",
    ],
)
def test_not_an_emergency(text: str) -> None:
    assert emergency(text) is None
