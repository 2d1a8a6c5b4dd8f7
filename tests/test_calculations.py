"""Quick calculations from the words of a request (``agent.calculations``), without HA."""

from __future__ import annotations

import pytest

from custom_components.atlas.agent.calculations import (
    ASK_BODY,
    ASK_HEIGHT,
    ASK_WEIGHT,
    BAD_DISTANCE,
    BAD_HEIGHT,
    BAD_TIME,
    BAD_WEIGHT,
    MET,
    ZERO_PERCENT,
    Body,
    answer,
    bmi,
    calculation,
    calories,
)

METRIC = Body()
IMPERIAL = Body(metric=False)
STORED = Body(height_cm=180, weight_kg=75.5)


def test_formulas() -> None:
    assert bmi(180, 75) == (23.1, "a healthy weight")
    assert calories("running", 30, 70) == round(MET["running"] * 70 * 0.5)


@pytest.mark.parametrize(
    ("text", "value", "height", "weight"),
    [
        ("i'm one eighty centimetres and seventy five kilos what's my bmi", "23.1",
         "180 centimetres", "75 kilograms"),
        ("bmi for 6 foot 2 and 180 pounds", "23.1", "6 feet 2 inches", "180 pounds"),
        ("what is my BMI at 1.8 m 75 kg?", "23.1", "1.8 metres", "75 kilograms"),
        ("what's my bmi if i'm five foot ten and a hundred and sixty pounds", "23.0",
         "5 feet 10 inches", "160 pounds"),
        ("i weigh eighty two kilograms and i'm one metre seventy bmi please", "28.4",
         "1.7 metres", "82 kilograms"),
        ("um what's my bmi at one sixty five and sixty two kilos", "22.8", "165 centimetres",
         "62 kilograms"),
        ("my bmi at 5'10\" and 11 stone 4", "22.7", "5 feet 10 inches", "11 stone 4 pounds"),
        ("uh whats my bmi i'm like five eleven and about a hundred and seventy pounds", "23.7",
         "5 feet 11 inches", "170 pounds"),
    ],
)  # fmt: skip
def test_bmi_from_the_words(text: str, value: str, height: str, weight: str) -> None:
    spoken = answer(text, METRIC)
    assert spoken is not None
    assert spoken.startswith(f"At {height} and {weight} your BMI is {value}, which counts as")


def test_bmi_falls_back_to_the_stored_body_in_the_users_units() -> None:
    assert answer("what's my bmi", STORED) == (
        "At 180 centimetres and 75.5 kilograms your BMI is 23.3, which counts as a healthy weight."
    )
    imperial = Body(height_cm=180, weight_kg=75.5, metric=False)
    assert answer("what's my body mass index", imperial) == (
        "At 5 feet 11 inches and 166.4 pounds your BMI is 23.3, which counts as a healthy weight."
    )
    # One value said, the other stored.
    spoken = answer("what's my bmi if i weigh 90 kg", STORED)
    assert spoken is not None
    assert "BMI is 27.8" in spoken


def test_bmi_asks_for_what_is_missing() -> None:
    assert answer("what's my bmi", METRIC) == ASK_BODY
    assert answer("what's my bmi at 180 cm", METRIC) == ASK_WEIGHT
    assert answer("what's my bmi at 75 kg", METRIC) == ASK_HEIGHT
    assert ASK_BODY.endswith("?")  # HA keeps the conversation open for the answer


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("bmi at 0 cm and 70 kg", BAD_HEIGHT),
        ("what's my bmi at 180 m and 70 kg", BAD_HEIGHT),
        ("bmi at 180 cm and 0 kg", BAD_WEIGHT),
        ("bmi for 180cm 900kg", BAD_WEIGHT),
        ("how many calories does a 30 minute run burn at 2000 kg", BAD_WEIGHT),
        ("how many calories does a 0 minute run burn at 70 kg", BAD_TIME),
        ("what pace is 0 km in 25 minutes", BAD_DISTANCE),
        ("what pace is 5 km in 0 minutes", BAD_TIME),
        ("what percent is 5 of 0", ZERO_PERCENT),
    ],
)
def test_bad_values_get_a_plain_sentence(text: str, spoken: str) -> None:
    assert answer(text, STORED) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("what's fifteen percent of eighty", "15 percent of 80 is 12."),
        ("20% of 45", "20 percent of 45 is 9."),
        ("what's twelve percent of two hundred and fifty", "12 percent of 250 is 30."),
        ("whats twenty percent off of forty five dollars",
         "$45 with 20 percent off is $36, a saving of $9."),
        ("what's a 15 percent tip on 60", "A 15 percent tip on 60 is 9, so 69 in total."),
        ("increase 200 by 10 percent", "200 plus 10 percent is 220."),
        ("what's 12 out of 15 as a percentage", "12 out of 15 is 80 percent."),
    ],
)  # fmt: skip
def test_percentages(text: str, spoken: str) -> None:
    assert answer(text, METRIC) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("how many miles is ten k", "10 kilometres is 6.21 miles."),
        ("5 miles in km", "5 miles is 8.05 kilometres."),
        ("convert 70 kg in pounds", "70 kilograms is 154.3 pounds."),
        ("how many pounds is sixty kilos", "60 kilograms is 132.3 pounds."),
        ("what's 180 cm in feet and inches", "180 centimetres is 5 feet 11 inches."),
        ("what's 180 cm in feet", "180 centimetres is 5 feet 11 inches."),
        ("how tall is six foot two in cm", "6 feet 2 inches is 188 centimetres."),
        ("convert 75 kg to stone", "75 kilograms is 11 stone 11 pounds."),
        ("how many kilos is twelve stone", "12 stone is 76.2 kilograms."),
        ("what's 100 fahrenheit in celsius", "100 degrees Fahrenheit is 37.8 degrees Celsius."),
        ("convert seventy two fahrenheit to celsius",
         "72 degrees Fahrenheit is 22.2 degrees Celsius."),
        ("what's 30 degrees in fahrenheit", "30 degrees Celsius is 86 degrees Fahrenheit."),
        ("how far is a marathon in miles", "A marathon is 26.2 miles."),
        ("how many feet in a mile", "1 mile is 5280 feet."),
        ("how many ounces is two hundred grams", "200 grams is 7.05 ounces."),
        ("how many ounces in 2 cups", "2 cups is 16 fluid ounces."),
        ("how much is 10 stone", "10 stone is 63.5 kilograms."),
        ("10 km/h in mph", "10 kilometres per hour is 6.21 miles per hour."),
        ("how many k is a half marathon", "A half marathon is 21.1 kilometres."),
        ("How many minutes are in three hours?", "3 hours is 180 minutes."),
        ("how many teaspoons are in a tablespoon", "1 tablespoon is 3 teaspoons."),
        ("what's 98.6 in celsius", "98.6 degrees Fahrenheit is 37 degrees Celsius."),
        ("what is minus ten celsius in fahrenheit",
         "Minus 10 degrees Celsius is 14 degrees Fahrenheit."),
    ],
)  # fmt: skip
def test_conversions(text: str, spoken: str) -> None:
    assert answer(text, METRIC) == spoken


def test_calories_from_the_words_the_options_or_a_reference_weight() -> None:
    text = "how many calories does a thirty minute run burn for someone who weighs 70 kg"
    assert answer(text, METRIC) == "30 minutes of running burns about 343 calories."
    stored = answer("how many calories would i burn cycling for an hour", STORED)
    assert stored == f"An hour of cycling burns about {calories('cycling', 60, 75.5)} calories."
    # From the understanding's types when the words name no activity it knows.
    assert answer("calories burned in 45 minutes", STORED, ["yoga"]) == (
        f"45 minutes of yoga burns about {calories('yoga', 45, 75.5)} calories."
    )
    # No weight anywhere: a figure for 70 kg, said as such, in the user's units.
    reference = answer("how many calories does an hour of yoga burn", IMPERIAL)
    assert reference == (
        f"An hour of yoga burns about {calories('yoga', 60, 70)} calories for someone of "
        "154.3 pounds; tell me your weight for your own figure."
    )
    # A distance without a time: the activity's typical speed (running: 10 km/h).
    assert answer("calories burned on a 5k run at 80 kg", METRIC) == (
        f"5 kilometres of running burns about {calories('running', 30, 80)} calories."
    )


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("what pace is 5k in 25 minutes",
         "That's 5 minutes per kilometre, or 12 kilometres per hour."),
        ("if i run ten k in fifty five minutes what's my pace per kilometre",
         "That's 5:30 per kilometre, or 10.9 kilometres per hour."),
        ("if i run 10k in 50 minutes what's my pace per mile",
         "That's 8:03 per mile, or 7.5 miles per hour."),
        ("what pace is 3 miles in 27 minutes", "That's 9 minutes per mile, or 6.7 miles per hour."),
        ("what pace do i need for a sub two hour half marathon",
         "That's 5:41 per kilometre, or 10.5 kilometres per hour."),
        ("what's my pace for 5k in 24:30",
         "That's 4:54 per kilometre, or 12.2 kilometres per hour."),
        ("what pace do i need to run a sub 50 10k",
         "That's 5 minutes per kilometre, or 12 kilometres per hour."),
        ("i cycled 30 k in an hour what's my average speed",
         "That's 30 kilometres per hour, or 2 minutes per kilometre."),
        ("how long will a 10k take at 5 minutes per km",
         "10 kilometres at 5 minutes per kilometre takes 50 minutes."),
        ("how long does a marathon take at a 9 minute mile",
         "A marathon at 9 minutes per mile takes 3 hours 56 minutes."),
    ],
)  # fmt: skip
def test_pace(text: str, spoken: str) -> None:
    assert answer(text, METRIC) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("What's twelve times eight?", "12 times 8 is 96."),
        ("whats 144 divided by 12", "144 divided by 12 is 12."),
        ("what's 10 divided by 3", "10 divided by 3 is 3.333."),
        ("what's 3 minus 10", "3 minus 10 is minus 7."),
        ("what's 5 divided by 0", "I can't divide by zero."),
    ],
)
def test_arithmetic(text: str, spoken: str) -> None:
    assert answer(text, METRIC) == spoken


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("what's my bmi", "bmi"),
        ("how many calories does a thirty minute run burn", "calories"),
        ("what pace is 5k in 25 minutes", "pace"),
        ("20% of 45", "percent"),
        ("5 miles in km", "convert"),
        # Not calculations: a log, a reminder, food, the time.
        ("log a 5k run in 25 minutes", None),
        ("i ran 5 miles in 40 minutes", None),
        ("remind me to drink 2 litres of water at 5 pm", None),
        ("how many calories are in a banana", None),
        ("what time is it", None),
        ("how many calories should i eat a day", None),
        ("what's twelve times eight", "arithmetic"),
    ],
)
def test_calculation(text: str, kind: str | None) -> None:
    assert calculation(text) == kind
