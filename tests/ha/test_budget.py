"""The Claude budget: costs, reservations against the cap, sensors, persistence, rollover.

The cap property is checked by hypothesis over random sequences of calls and prices; the
month boundary is crossed with ``freezer`` and ``async_fire_time_changed`` in Berlin time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.atlas.cloud.budget import (
    DEFAULT_PRICES,
    NANOS_PER_USD,
    Budget,
    Ledger,
    MissingPriceError,
    ModelPrice,
    Usage,
    cost_nanos,
    parse_prices,
    price_for,
    storage_key,
    usd_to_nanos,
    worst_case_nanos,
)
from custom_components.atlas.cloud.settings import CONF_CLOUD, CONF_MONTHLY_BUDGET

from .conftest import setup_atlas
from .fake_anthropic import claude_data
from .scripted_llm import ScriptedLLM

HAIKU = DEFAULT_PRICES["claude-haiku-4-5"]
SONNET = DEFAULT_PRICES["claude-sonnet-4-5"]
BERLIN_MARCH_END = datetime.fromisoformat("2026-03-31T23:59:00+02:00")
BERLIN_APRIL_FIRST = datetime.fromisoformat("2026-04-01T00:00:01+02:00")


def sensor_state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", "atlas", f"{entry.entry_id}_{key}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state


def budget_of(entry: MockConfigEntry) -> Budget:
    budget: Budget | None = entry.runtime_data.budget
    assert budget is not None
    return budget


# --- prices and costs ---------------------------------------------------------------------------


def test_cost_uses_every_kind_of_token() -> None:
    usage = Usage(
        input_tokens=1000,
        cache_read_input_tokens=2000,
        cache_creation_input_tokens=500,
        output_tokens=50,
    )
    # 1000 x $3 + 2000 x $0.30 + 500 x $3.75 + 50 x $15 per million tokens
    assert cost_nanos(SONNET, usage) == 6_225_000
    assert cost_nanos(HAIKU, usage) == 2_075_000


def test_worst_case_takes_the_dearest_input_price_and_all_output() -> None:
    assert worst_case_nanos(HAIKU, 1000, 100) == (1000 * 1.25 + 100 * 5) * 1000
    assert worst_case_nanos(ModelPrice(0.1, 0.1, 0.1, 0.1), 1, 0) == 100  # rounded up, never down


def test_prices_are_parsed_and_checked() -> None:
    assert parse_prices({"m": {"input": 1, "cached_input": 0, "cache_write": 2, "output": 3}}) == {
        "m": ModelPrice(1.0, 0.0, 2.0, 3.0)
    }
    bad: list[dict[str, Any]] = [
        {"m": {"input": 1}},
        {"m": {"input": -1, "cached_input": 0, "cache_write": 0, "output": 0}},
        {"m": {"input": "1", "cached_input": 0, "cache_write": 0, "output": 0}},
        {"m": {"input": True, "cached_input": 0, "cache_write": 0, "output": 0}},
        {"m": {"input": 1, "cached_input": 0, "cache_write": 0, "output": 0, "extra": 1}},
        {"m": 5},
    ]
    for raw in bad:
        with pytest.raises(ValueError, match="m"):
            parse_prices(raw)


def test_dated_model_names_use_their_alias_price() -> None:
    assert price_for(DEFAULT_PRICES, "claude-haiku-4-5-20251001") == HAIKU
    assert price_for(DEFAULT_PRICES, "claude-sonnet-4-5") == SONNET
    assert price_for(DEFAULT_PRICES, "claude-opus-4-1") is None


# --- the ledger ---------------------------------------------------------------------------------


def test_reserve_refuses_a_call_whose_worst_case_could_exceed_the_cap() -> None:
    ledger = Ledger("2026-03")
    cap = usd_to_nanos(0.01)
    # Worst case of 1000 tokens in, 1000 out on Haiku: $0.00125 + $0.005.
    first = ledger.reserve("claude-haiku-4-5", HAIKU, 1000, 1000, cap)
    assert first is not None
    assert first.nanos == 6_250_000
    assert ledger.reserve("claude-haiku-4-5", HAIKU, 1000, 1000, cap) is None  # 12.5 > 10 m$
    ledger.settle(first, Usage(input_tokens=800, output_tokens=100))  # $0.0013
    assert ledger.spend_nanos == 1_300_000
    assert ledger.calls == 1
    second = ledger.reserve("claude-haiku-4-5", HAIKU, 1000, 1000, cap)
    assert second is not None
    ledger.release(second)
    assert ledger.reserved_nanos == 0
    assert ledger.spend_nanos == 1_300_000
    assert ledger.calls == 1


def test_rollover_zeroes_the_counters_but_keeps_open_calls_held() -> None:
    ledger = Ledger("2026-03", spend_nanos=5, calls=2, local_turns=3, cloud_turns=1)
    held = ledger.reserve("m", HAIKU, 10, 10, usd_to_nanos(1))
    assert held is not None
    assert not ledger.roll("2026-03")
    assert ledger.roll("2026-04")
    assert (ledger.spend_nanos, ledger.calls, ledger.local_turns, ledger.cloud_turns) == (
        0,
        0,
        0,
        0,
    )
    assert ledger.reserved_nanos == held.nanos


PRICES = st.builds(
    ModelPrice,
    input=st.floats(0, 100, allow_nan=False),
    cached_input=st.floats(0, 100, allow_nan=False),
    cache_write=st.floats(0, 100, allow_nan=False),
    output=st.floats(0, 200, allow_nan=False),
)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("reserve"),
            PRICES,
            st.integers(0, 200_000),  # input estimate
            st.integers(0, 8192),  # max_tokens
        ),
        st.tuples(st.just("settle"), st.integers(0, 50), st.floats(0, 1), st.floats(0, 1)),
        st.tuples(st.just("release"), st.integers(0, 50)),
        st.tuples(st.just("turn"), st.sampled_from(["local", "cloud-simple", "cloud-complex"])),
    ),
    max_size=60,
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cap_usd=st.floats(0, 50, allow_nan=False), operations=OPERATIONS, split=st.floats(0, 1))
def test_the_cap_is_never_exceeded(
    cap_usd: float, operations: list[tuple[Any, ...]], split: float
) -> None:
    """Any sequence of calls, at any prices, with any usage within the reservations."""
    cap = usd_to_nanos(cap_usd)
    ledger = Ledger("2026-03")
    open_calls = []
    for operation in operations:
        match operation:
            case ("reserve", price, input_tokens, max_tokens):
                held = ledger.spend_nanos + ledger.reserved_nanos
                reservation = ledger.reserve("m", price, input_tokens, max_tokens, cap)
                worst = worst_case_nanos(price, input_tokens, max_tokens)
                assert (reservation is None) == (held + worst > cap)
                if reservation is not None:
                    open_calls.append(reservation)
            case ("settle", pick, input_share, output_share) if open_calls:
                reservation = open_calls.pop(pick % len(open_calls))
                total_in = int(reservation.input_tokens * input_share)
                cached = int(total_in * split)
                written = (total_in - cached) // 2
                usage = Usage(
                    input_tokens=total_in - cached - written,
                    cache_read_input_tokens=cached,
                    cache_creation_input_tokens=written,
                    output_tokens=int(reservation.max_tokens * output_share),
                )
                assert ledger.settle(reservation, usage) <= reservation.nanos
            case ("release", pick) if open_calls:
                ledger.release(open_calls.pop(pick % len(open_calls)))
            case ("turn", route):
                ledger.record_turn(route)
        assert ledger.spend_nanos + ledger.reserved_nanos <= cap
        assert ledger.spend_nanos <= cap


# --- in Home Assistant --------------------------------------------------------------------------


async def test_sensors_follow_calls_and_turns(hass: HomeAssistant, box: ScriptedLLM) -> None:
    entry = await setup_atlas(hass, box.port, data=claude_data("http://127.0.0.1:9"))
    budget = budget_of(entry)
    assert sensor_state(hass, entry, "cloud_spend_month").state == "0.0"
    assert sensor_state(hass, entry, "cloud_calls_month").state == "0"
    assert sensor_state(hass, entry, "cloud_share_month").state == "unknown"

    reservation = budget.reserve("claude-sonnet-4-5", 2000, 500)
    assert reservation is not None
    budget.settle(reservation, Usage(input_tokens=1000, output_tokens=200))  # $0.003 + $0.003
    for route in ("local", "local", "local", "cloud-complex"):
        budget.record_turn(route)
    await hass.async_block_till_done()

    spend = sensor_state(hass, entry, "cloud_spend_month")
    assert float(spend.state) == pytest.approx(0.006)
    assert spend.attributes["unit_of_measurement"] == "USD"
    assert spend.attributes["device_class"] == "monetary"
    assert spend.attributes["state_class"] == "total"
    assert dt_util.parse_datetime(spend.attributes["last_reset"]) == budget.month_start
    assert sensor_state(hass, entry, "cloud_calls_month").state == "1"
    assert float(sensor_state(hass, entry, "cloud_share_month").state) == 25.0
    assert spend.attributes["friendly_name"] == "ATLAS cloud budget Cloud spend this month"


async def test_budget_sensors_are_diagnostic(
    hass: HomeAssistant, box: ScriptedLLM, entity_registry: er.EntityRegistry
) -> None:
    """The budget counts the integration's own Claude use: diagnostic, not home, entities."""
    entry = await setup_atlas(hass, box.port, data=claude_data("http://127.0.0.1:9"))
    budget_entities = [
        e
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.unique_id.startswith(f"{entry.entry_id}_cloud_")
    ]
    assert {e.translation_key for e in budget_entities} == {
        "cloud_spend_month",
        "cloud_calls_month",
        "cloud_share_month",
    }
    for registered in budget_entities:
        assert registered.entity_category is EntityCategory.DIAGNOSTIC, registered.entity_id


async def test_counters_survive_a_reload(hass: HomeAssistant, box: ScriptedLLM) -> None:
    entry = await setup_atlas(hass, box.port, data=claude_data("http://127.0.0.1:9"))
    budget = budget_of(entry)
    reservation = budget.reserve("claude-haiku-4-5", 100, 100)
    assert reservation is not None
    budget.settle(reservation, Usage(input_tokens=100, output_tokens=100))  # $0.0006
    budget.record_turn("cloud-simple")
    budget.record_turn("local")

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    reloaded = budget_of(entry)
    assert reloaded is not budget
    assert reloaded.spend_usd == pytest.approx(0.0006)
    assert (reloaded.calls, reloaded.cloud_turns, reloaded.local_turns) == (1, 1, 1)
    assert float(sensor_state(hass, entry, "cloud_spend_month").state) == pytest.approx(0.0006)
    assert float(sensor_state(hass, entry, "cloud_share_month").state) == 50.0


async def test_stored_under_the_entry_key(
    hass: HomeAssistant, box: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = await setup_atlas(hass, box.port, data=claude_data("http://127.0.0.1:9"))
    budget_of(entry).record_turn("local")
    assert await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage[storage_key(entry.entry_id)]
    assert storage_key(entry.entry_id) == f"atlas.{entry.entry_id}.budget"
    assert stored["data"]["local_turns"] == 1
    assert stored["data"]["month"] == dt_util.now().strftime("%Y-%m")


async def test_month_rollover_in_local_time_resets_the_sensors(
    hass: HomeAssistant, box: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(BERLIN_MARCH_END)
    entry = await setup_atlas(hass, box.port, data=claude_data("http://127.0.0.1:9"))
    budget = budget_of(entry)
    reservation = budget.reserve("claude-haiku-4-5", 1000, 1000)
    assert reservation is not None
    budget.settle(reservation, Usage(input_tokens=1000, output_tokens=1000))
    budget.record_turn("cloud-simple")
    await hass.async_block_till_done()
    assert budget.month == "2026-03"
    assert float(sensor_state(hass, entry, "cloud_spend_month").state) == pytest.approx(0.006)

    # 00:00:01 on 1 April in Berlin is still 31 March in UTC.
    freezer.move_to(BERLIN_APRIL_FIRST)
    assert dt_util.utcnow().month == 3
    async_fire_time_changed(hass, BERLIN_APRIL_FIRST)
    await hass.async_block_till_done()

    assert budget.month == "2026-04"
    spend = sensor_state(hass, entry, "cloud_spend_month")
    assert float(spend.state) == 0.0
    assert dt_util.parse_datetime(spend.attributes["last_reset"]) == datetime.fromisoformat(
        "2026-04-01T00:00:00+02:00"
    )
    assert sensor_state(hass, entry, "cloud_calls_month").state == "0"
    assert sensor_state(hass, entry, "cloud_share_month").state == "unknown"

    # The next boundary is scheduled too, and a restart in a later month starts from zero.
    budget.record_turn("local")
    may = datetime.fromisoformat("2026-05-01T00:00:01+02:00")
    freezer.move_to(may)
    async_fire_time_changed(hass, may)
    await hass.async_block_till_done()
    assert budget.month == "2026-05"
    assert budget.local_turns == 0


async def test_a_stale_month_is_reset_at_load(
    hass: HomeAssistant, box: ScriptedLLM, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(datetime.fromisoformat("2026-03-15T12:00:00+00:00"))
    entry = await setup_atlas(hass, box.port, data=claude_data("http://127.0.0.1:9"))
    budget_of(entry).record_turn("cloud-simple")
    assert await hass.config_entries.async_unload(entry.entry_id)
    freezer.move_to(datetime.fromisoformat("2026-06-15T12:00:00+00:00"))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert budget_of(entry).month == "2026-06"
    assert budget_of(entry).cloud_turns == 0


async def test_cap_and_prices_come_from_the_options(hass: HomeAssistant, box: ScriptedLLM) -> None:
    options = {
        CONF_CLOUD: {
            CONF_MONTHLY_BUDGET: 0.01,
            "claude_prices": {
                "my-model": {"input": 10, "cached_input": 1, "cache_write": 12.5, "output": 50}
            },
        }
    }
    entry = await setup_atlas(
        hass, box.port, data=claude_data("http://127.0.0.1:9"), options=options
    )
    budget = budget_of(entry)
    assert budget.cap_usd == 0.01
    with pytest.raises(MissingPriceError):
        budget.reserve("claude-haiku-4-5", 10, 10)
    # 100 x $12.5 + 100 x $50 per million = $0.00625: one fits, two do not.
    first = budget.reserve("my-model", 100, 100)
    assert first is not None
    assert first.nanos == 0.00625 * NANOS_PER_USD
    assert budget.reserve("my-model", 100, 100) is None
    budget.release(first)
    assert budget.reserved_usd == 0
