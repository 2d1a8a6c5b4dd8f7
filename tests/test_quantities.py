"""Quantities said in words or figures (``agent.quantities``): units, conversions, percentages."""

from __future__ import annotations

import pytest

from custom_components.atlas.agent.quantities import (
    Percentage,
    amount,
    convert,
    percentage,
    quantities,
    say,
    say_quantity,
    target_unit,
)


def said(text: str) -> list[tuple[float, str]]:
    """(value rounded to 3 places, unit) of every quantity in ``text``."""
    return [(round(q.value, 3), q.unit.key) for q in quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one eighty centimetres and seventy five kilos", [(180, "cm"), (75, "kg")]),
        ("1.8 m 75 kg", [(1.8, "m"), (75, "kg")]),
        ("180cm 75kg", [(180, "cm"), (75, "kg")]),
        ("6 foot 2 and 180 pounds", [(6.167, "ft"), (180, "lb")]),
        ("six feet two inches", [(6.167, "ft")]),
        ("five foot ten and a hundred and sixty pounds", [(5.833, "ft"), (160, "lb")]),
        ("i'm 5'10\" and 11 stone 4", [(5.833, "ft"), (11.286, "st")]),
        ("one metre seventy and 82 kilograms", [(1.7, "m"), (82, "kg")]),
        ("ten k", [(10, "km")]),
        ("a 5k", [(5, "km")]),
        ("5 miles", [(5, "mi")]),
        ("how far is a half marathon", [(21.098, "km")]),
        ("100 fahrenheit", [(100, "f")]),
        ("30 degrees celsius", [(30, "c")]),
        ("minus 40 c", [(-40, "c")]),
        ("2 cups", [(2, "cup")]),
        ("10 km/h", [(10, "kmh")]),
        ("ten miles per hour", [(10, "mph")]),
        ("5 foot and a half", [(5, "ft")]),  # "a half" is no number of inches
        ("the 1st of may at 9 am", []),
        ("3 sets of 12 push ups", []),
    ],
)
def test_quantities(text: str, expected: list[tuple[float, str]]) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("how many miles is ten k", "mi"),
        ("5 miles in km", "km"),
        ("convert 70 kg to pounds", "lb"),
        ("what's 180 cm in feet and inches", "ftin"),
        ("how much is 75 kg in stone and pounds", "stlb"),
        ("what's 100 fahrenheit in celsius", "c"),
        ("convert 20 c to f", "f"),
        ("how many feet in a mile", "ft"),
        ("how much is 10 stone", None),
    ],
)
def test_target_unit(text: str, target: str | None) -> None:
    assert target_unit(text, quantities(text)) == target


def test_convert() -> None:
    assert convert(10, "km", "mi") == pytest.approx(6.2137, abs=1e-4)
    assert convert(1, "mi", "ft") == pytest.approx(5280)
    assert convert(100, "f", "c") == pytest.approx(37.778, abs=1e-3)
    assert convert(-40, "c", "f") == pytest.approx(-40)
    assert convert(12, "st", "kg") == pytest.approx(76.2, abs=0.01)
    with pytest.raises(ValueError, match="cannot convert"):
        convert(1, "kg", "km")


@pytest.mark.parametrize(
    ("value", "spoken"),
    [(6.2137, "6.21"), (154.32, "154.3"), (37.777, "37.8"), (1609.344, "1609"), (12.0, "12"),
     (-40.0, "minus 40"), (0.004, "0"), (1.0, "1")],
)  # fmt: skip
def test_amount(value: float, spoken: str) -> None:
    assert amount(value) == spoken


def test_say() -> None:
    assert say(180, "ftin") == "5 feet 11 inches"
    assert say(182.88, "ftin") == "6 feet"
    assert say(75, "stlb") == "11 stone 11 pounds"
    assert say(1, "mi") == "1 mile"
    assert say(6.2137, "mi") == "6.21 miles"
    (height,) = quantities("six foot one")
    assert say_quantity(height) == "6 feet 1 inch"
    (race,) = quantities("a marathon")
    assert say_quantity(race) == "a marathon"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what's fifteen percent of eighty", Percentage("of", 15, 80)),
        ("20% of 45", Percentage("of", 20, 45)),
        ("twenty five per cent of a hundred and twenty", Percentage("of", 25, 120)),
        ("how much is 20 % of $45.50", Percentage("of", 20, 45.5, "$")),
        ("whats twenty percent off of forty five dollars", Percentage("off", 20, 45, "$")),
        ("what's a 15 percent tip on 60", Percentage("tip", 15, 60)),
        ("what's the tip on a $80 bill at 18 percent", Percentage("tip", 18, 80, "$")),
        ("increase 200 by 10 percent", Percentage("plus", 10, 200)),
        ("what's 12 out of 15 as a percentage", Percentage("ratio", 12, 15)),
        ("15 is what percent of 60", Percentage("ratio", 15, 60)),
        ("what's 12 out of 15", None),
        ("what time is it", None),
    ],
)
def test_percentage(text: str, expected: Percentage | None) -> None:
    assert percentage(text) == expected
