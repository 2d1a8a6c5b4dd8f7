"""Reliability: Home Assistant killed with -9 after logging workouts and setting reminders.

A real ``hass`` process (the demo's throw-away instance) gets ATLAS through its config flow
against a real atlas-llm; two workouts are logged with ``atlas.log_workout`` and two reminders
added with ``todo.add_item`` over REST. Once the calls have returned and HA's Stores are on disk,
the process is killed with SIGKILL and started again on the same config dir: both workouts and
both reminders must be there.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_socket

from atlas_demo.api import HassApi
from atlas_demo.hass import HassProcess

from .servers.wyoming_io import ServerProcess, free_port, start_server

TIMEOUT = 150.0  # the whole scenario: two Home Assistant starts
STORE_TIMEOUT = 10.0
LIST = "todo.atlas_reminders"
WORKOUTS_TODAY = "sensor.atlas_workouts_workouts_today"
REPS_TODAY = "sensor.atlas_workouts_reps_today"
REMINDERS = ("Stretch", "Call the physio")


@pytest.fixture
def llm_box(socket_enabled: None, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real atlas-llm on a loopback port."""
    pytest_socket.socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)
    server = start_server("wyoming_servers.llm", "--threads", "2", log_dir=tmp_path)
    yield server
    server.stop()


def stored(config_dir: Path, key: str) -> Any:
    """The data of one of HA's Store files, ``None`` while it is not written."""
    try:
        return json.loads((config_dir / ".storage" / key).read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError):
        return None


async def wait_for(check: Any, timeout: float, what: str) -> Any:
    """Poll ``check()`` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        assert time.monotonic() < deadline, f"{what}: not after {timeout} s"
        await asyncio.sleep(0.1)
    return result


async def state(api: HassApi, entity_id: str) -> str | None:
    async with api.session.get(f"{api.url}/api/states/{entity_id}", headers=api.headers) as resp:
        return str((await resp.json())["state"]) if resp.status == 200 else None


async def start(hass: HassProcess, session: aiohttp.ClientSession, token: str | None) -> str:
    """Start ``hass`` and wait until it runs; a new owner token on the first start."""
    deadline = time.monotonic() + TIMEOUT
    hass.start()
    await hass.wait_http(session, deadline)
    token = token or await hass.create_token(session)
    await hass.wait_running(session, token, deadline)
    hass.check_loopback_only()
    return token


async def scenario(hass: HassProcess, llm: ServerProcess, timings: dict[str, float]) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        started = time.monotonic()
        token = await start(hass, session, None)
        timings["first_start_s"] = time.monotonic() - started
        api = HassApi(session, hass.url, token)
        entry = await api.config_flow("atlas", {"host": "127.0.0.1", "port": llm.port})
        entry_id = entry["entry_id"]

        async def entry_on_disk() -> bool:
            # HA saves its config entries 1 s after a change (config_entries.SAVE_DELAY): a -9
            # within that second loses the new entry itself, whatever ATLAS does.
            entries = (stored(hass.config_dir, "core.config_entries") or {}).get("entries", [])
            return any(e["entry_id"] == entry_id for e in entries)

        await wait_for(entry_on_disk, STORE_TIMEOUT, "the ATLAS config entry on disk")

        async def login_on_disk() -> bool:
            # The owner's refresh token is saved with a delay too: a -9 before that loses the
            # login, and the restarted instance refuses the token (a race of the test, not ATLAS).
            tokens = (stored(hass.config_dir, "auth") or {}).get("refresh_tokens", [])
            return any(t.get("token_type") == "normal" for t in tokens)

        await wait_for(login_on_disk, STORE_TIMEOUT, "the owner's login on disk")

        async def sensor_ready() -> bool:
            return await state(api, WORKOUTS_TODAY) == "0"

        await wait_for(sensor_ready, 30, "the workout sensors")
        for exercise, reps in (("Push-ups", 20), ("Squats", 15)):
            await api.rest(
                "POST", "/api/services/atlas/log_workout?return_response",
                {"config_entry_id": entry_id, "exercise": exercise, "reps": reps},
            )  # fmt: skip
        now = datetime.now(UTC).replace(microsecond=0)  # the instance runs in UTC
        for days, item in enumerate(REMINDERS, start=1):
            due = (now + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")
            await api.rest(
                "POST", "/api/services/todo/add_item",
                {"entity_id": LIST, "item": item, "due_datetime": due},
            )  # fmt: skip
        returned = time.monotonic()

        async def on_disk() -> bool:
            workouts = stored(hass.config_dir, f"atlas.{entry_id}.workouts")
            reminders = stored(hass.config_dir, f"atlas.{entry_id}.reminders")
            return bool(
                workouts and len(workouts["workouts"]) == 2
                and reminders and len(reminders["items"]) == 2
            )  # fmt: skip

        await wait_for(on_disk, STORE_TIMEOUT, "the Stores on disk")
        timings["stored_after_s"] = time.monotonic() - returned

        assert hass.process is not None
        hass.process.kill()
        assert hass.process.wait(10) == -9
        (hass.config_dir / "hass.out").rename(hass.config_dir / "hass-killed.out")

        restarted = time.monotonic()
        await start(hass, session, token)
        timings["restart_s"] = time.monotonic() - restarted

        async def workouts_back() -> bool:
            return await state(api, WORKOUTS_TODAY) == "2"

        await wait_for(workouts_back, 30, "the two workouts after the restart")
        assert await state(api, REPS_TODAY) == "35"
        response = await api.rest(
            "POST", "/api/services/todo/get_items?return_response", {"entity_id": LIST}
        )
        items = response["service_response"][LIST]["items"]
        assert sorted(item["summary"] for item in items) == sorted(REMINDERS)
        assert all(item["status"] == "needs_action" and item["due"] for item in items)


def test_workouts_and_reminders_survive_kill_9(tmp_path: Path, llm_box: ServerProcess) -> None:
    hass = HassProcess(tmp_path / "config", free_port())
    timings: dict[str, float] = {}
    try:
        asyncio.run(asyncio.wait_for(scenario(hass, llm_box, timings), 2 * TIMEOUT))
    except BaseException:
        print(hass.log_tail(40))
        raise
    finally:
        hass.stop()
    print({key: round(value, 2) for key, value in timings.items()})
