"""Removing a GPU box entry deletes what it stored; unloading it (a restart) keeps it all."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.atlas.cloud import budget
from custom_components.atlas.const import DOMAIN
from custom_components.atlas.skills import plans, workouts

from .conftest import box_entry, state_of
from .scripted_llm import ScriptedLLM

pytestmark = pytest.mark.usefixtures("ha_core")

OTHER_ENTRY_KEY = f"{DOMAIN}.some_other_entry.workouts"


def entry_keys(entry: MockConfigEntry) -> set[str]:
    """The ``.storage`` keys of every Store the entry writes."""
    return {
        f"{DOMAIN}.{entry.entry_id}.reminders",
        workouts.storage_key(entry.entry_id),
        plans.storage_key(entry.entry_id),
        budget.storage_key(entry.entry_id),
    }


async def entry_with_data(
    hass: HomeAssistant, port: int, hass_storage: dict[str, Any]
) -> MockConfigEntry:
    """A loaded entry with a reminder, a workout, a plan and a counted turn stored, beside
    another entry's workout log."""
    hass_storage[OTHER_ENTRY_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": OTHER_ENTRY_KEY,
        "data": {"workouts": []},
    }
    entry = box_entry(port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(entry) is ConfigEntryState.LOADED

    found = entry.runtime_data.skills
    assert found.reminders is not None
    assert found.plans is not None
    assert entry.runtime_data.budget is not None
    await found.reminders.async_create("Stretch", None)
    await hass.services.async_call(
        DOMAIN,
        "log_workout",
        {"config_entry_id": entry.entry_id, "exercise": "Push-ups", "reps": 20},
        blocking=True,
        return_response=True,
    )
    await found.plans.async_save_plan(plans.build_plan(dt_util.now().date(), types=["yoga"]))
    entry.runtime_data.budget.record_turn("local")  # a delayed write, flushed by the unload
    await hass.async_block_till_done()
    return entry


async def test_remove_entry_deletes_its_storage(
    hass: HomeAssistant, box: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = await entry_with_data(hass, box.port, hass_storage)

    assert await hass.config_entries.async_remove(entry.entry_id) == {"require_restart": False}
    await hass.async_block_till_done()

    assert not [key for key in hass_storage if entry.entry_id in key]
    assert OTHER_ENTRY_KEY in hass_storage  # another entry's data stays


async def test_unload_keeps_the_storage(
    hass: HomeAssistant, box: ScriptedLLM, hass_storage: dict[str, Any]
) -> None:
    entry = await entry_with_data(hass, box.port, hass_storage)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    assert entry_keys(entry) <= set(hass_storage)
    data = {key: hass_storage[key]["data"] for key in entry_keys(entry)}
    assert [r["summary"] for r in data[f"{DOMAIN}.{entry.entry_id}.reminders"]["items"]] == [
        "Stretch"
    ]
    assert len(data[workouts.storage_key(entry.entry_id)]["workouts"]) == 1
    assert len(data[plans.storage_key(entry.entry_id)]["plans"]) == 1
    assert data[budget.storage_key(entry.entry_id)]["local_turns"] == 1
    # Every Store of the entry is one that removing the entry deletes.
    assert {key for key in hass_storage if entry.entry_id in key} == entry_keys(entry)
