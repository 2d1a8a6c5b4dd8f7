"""atlas-llm over real TCP Wyoming connections with the real bundled SmolLM2-135M-Instruct GGUF."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from wyoming.event import Event
from wyoming.info import Info

from .wyoming_io import DATA_DIR, REPO, ServerProcess, connect, describe

pytestmark = pytest.mark.real_model

SYSTEM = "You extract the user's intent as JSON."
LIGHT_TOOL = {
    "name": "turn_on",
    "description": "Turn on a device",
    "parameters": {
        "type": "object",
        "properties": {"entity_id": {"type": "string", "maxLength": 40}},
        "required": ["entity_id"],
    },
}


def chat(messages: list[dict[str, Any]], **extra: Any) -> Event:
    return Event("chat", {"messages": messages, **extra})


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]


async def run_chat(port: int, event: Event) -> list[Event]:
    async with connect(port) as conn:
        await conn.send(event)
        return await conn.recv_until("chat-stop")


async def test_describe_advertises_handle_and_chat_extension(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(Event("describe"))
        event = await conn.recv()
    assert event is not None
    info = Info.from_event(event)
    program = info.handle[0]
    assert program.name == "atlas-llm"
    assert program.supports_handled_streaming
    assert program.models[0].name == "smollm2-135m"
    ext = event.data["atlas"]
    assert ext["protocol"] == "atlas-chat/1"
    assert ext["n_ctx"] == 4096
    assert ext["kv_cache"] == "f16"  # --kv-cache auto on the CPU
    assert ext["max_queue"] == 2


async def test_chat_streams_deltas_then_stop_with_usage(llm_server: ServerProcess) -> None:
    events = await run_chat(
        llm_server.port, chat(user("Say hello."), max_tokens=24, temperature=0, id="hello")
    )
    assert events[0].type == "chat-start"
    assert events[0].data["id"] == "hello"
    deltas = [e for e in events if e.type == "chat-delta"]
    assert len(deltas) >= 2, "tokens must stream one by one"
    stop = events[-1].data
    assert stop["id"] == "hello"
    assert stop["finish_reason"] in ("stop", "length")
    assert "".join(d.data.get("content", "") for d in deltas) == stop["content"]
    usage = stop["usage"]
    assert usage["completion_tokens"] >= len(deltas)
    assert usage["prompt_tokens"] > 5
    assert usage["ttft_ms"] > 0
    assert 0 < usage["prefill_ms"] <= usage["ttft_ms"]
    assert usage["tokens_per_second"] > 0


async def test_warm_request_reuses_prompt_prefix(llm_server: ServerProcess) -> None:
    long_system = "You are ATLAS. " + "Follow the house rules carefully. " * 40
    first = await run_chat(
        llm_server.port,
        chat([{"role": "system", "content": long_system}, {"role": "user", "content": "Hi"}],
             max_tokens=2),
    )  # fmt: skip
    second = await run_chat(
        llm_server.port,
        chat([{"role": "system", "content": long_system}, {"role": "user", "content": "Yo"}],
             max_tokens=2),
    )  # fmt: skip
    cold, warm = first[-1].data["usage"], second[-1].data["usage"]
    assert cold["prompt_tokens"] > 200
    assert warm["cached_prompt_tokens"] >= warm["prompt_tokens"] - 10


async def test_stock_handle_streams_handled_chunks(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(
            Event("transcript", {"text": "Tell me about the weather.",
                                 "context": {"conversation_id": "c1"}})
        )  # fmt: skip
        events = await conn.recv_until("handled")
    types = [e.type for e in events]
    assert types[0] == "handled-start"
    assert types[-2:] == ["handled-stop", "handled"]
    chunks = [e.data["text"] for e in events if e.type == "handled-chunk"]
    assert len(chunks) >= 2
    assert events[-1].data["text"] == "".join(chunks).strip()
    assert events[-1].data["context"]["conversation_id"] == "c1"


SCHEMAS: list[dict[str, Any]] = [
    {
        "type": "object",
        "properties": {
            "intent": {"enum": ["prepare_workout", "log_workout", "set_reminder", "other"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["intent", "confidence"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "properties": {
            "day": {"enum": ["monday", "tuesday", "wednesday", "thursday", "friday"]},
            "time_of_day": {"enum": ["morning", "afternoon", "evening"]},
            "types": {
                "type": "array",
                "items": {"enum": ["yoga", "calisthenics", "running", "strength"]},
                "maxItems": 3,
            },
        },
        "required": ["day", "time_of_day", "types"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "properties": {
            "exercise": {"type": "string", "maxLength": 16},
            "reps": {"type": "integer", "minimum": 0, "maximum": 500},
            "done": {"type": "boolean"},
        },
        "required": ["exercise", "reps", "done"],
        "additionalProperties": False,
    },
]
PROMPTS = [
    "Prepare my morning workout for Monday, include yoga and calisthenics.",
    "Log 20 pushups.",
    "Remind me at 5 pm to stretch.",
    "My shoulder is sore, plan an easy evening session for Friday.",
    "I did 3 sets of squats.",
]


async def test_fifty_grammar_constrained_requests_all_validate(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        for i in range(50):
            schema = SCHEMAS[i % len(SCHEMAS)]
            prompt = PROMPTS[i % len(PROMPTS)]
            await conn.send(
                chat(user(prompt), response_format={"schema": schema}, max_tokens=160,
                     id=f"json-{i}")
            )  # fmt: skip
            stop = (await conn.recv_until("chat-stop"))[-1].data
            assert stop["id"] == f"json-{i}"
            assert stop["finish_reason"] == "stop", stop
            import json

            jsonschema.validate(json.loads(stop["content"]), schema)


async def test_tool_call_round_trip(llm_server: ServerProcess) -> None:
    messages = user("Turn on the kitchen light.")
    async with connect(llm_server.port) as conn:
        # Temperature 0: the same answer on every run (a sampled follow-up may be empty).
        await conn.send(
            chat(messages, tools=[LIGHT_TOOL], tool_choice="required", temperature=0, seed=1)
        )
        events = await conn.recv_until("chat-stop")
        stop = events[-1].data
        assert stop["finish_reason"] == "tool_calls"
        (call,) = stop["tool_calls"]
        assert call["name"] == "turn_on"
        jsonschema.validate(call["arguments"], LIGHT_TOOL["parameters"])
        assert any("tool_call" in e.data for e in events if e.type == "chat-delta")

        followup = [
            *messages,
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call["id"], "name": "turn_on",
             "content": '{"success": true, "entity_id": "light.kitchen"}'},
        ]  # fmt: skip
        await conn.send(
            chat(followup, tools=[LIGHT_TOOL], tool_choice="none", max_tokens=24, temperature=0)
        )
        stop2 = (await conn.recv_until("chat-stop"))[-1].data
        await conn.send(chat(messages, max_tokens=1))
        plain = (await conn.recv_until("chat-stop"))[-1].data
    assert stop2["finish_reason"] in ("stop", "length")
    assert stop2["tool_calls"] == []
    assert stop2["content"]
    # The call and its result are part of the follow-up prompt.
    assert stop2["usage"]["prompt_tokens"] > plain["usage"]["prompt_tokens"] + 20


async def test_cancel_stops_generation_within_a_token(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(chat(user("Write a long story."), max_tokens=2000, id="long"))
        seen = 0
        while True:
            event = await conn.recv()
            assert event is not None
            if event.type == "chat-delta":
                seen += 1
                if seen == 5:
                    await conn.send(Event("chat-cancel", {"id": "long"}))
            if event.type == "chat-stop":
                break
    assert event.data["finish_reason"] == "cancelled"
    # Deltas already in flight when the cancel arrived may still come; generation itself
    # stops at the next token boundary.
    assert event.data["usage"]["completion_tokens"] <= seen + 1


async def test_disconnect_stops_generation(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(chat(user("Write a long story."), max_tokens=2000))
        while (await conn.recv()).type != "chat-delta":  # type: ignore[union-attr]
            pass
    # The abandoned 2000-token generation (about a minute here) must not hold the queue.
    events = await run_chat(llm_server.port, chat(user("Hi"), max_tokens=4))
    assert events[-1].data["usage"]["queue_ms"] < 5000


async def test_four_concurrent_clients_are_all_served(llm_server: ServerProcess) -> None:
    refusals = 0

    async def client(i: int) -> dict[str, Any]:
        nonlocal refusals
        await asyncio.sleep(0.05 * i)
        while True:  # max-queue is 2: a refused client retries, as a real client would
            async with connect(llm_server.port) as conn:
                await conn.send(chat(user(f"Count to {i}"), max_tokens=8, id=f"c{i}"))
                events = await conn.recv_until_any(("chat-stop", "error"))
            if events[-1].type == "error":
                assert events[-1].data["code"] == "queue_full"
                refusals += 1
                await asyncio.sleep(0.3)
                continue
            assert {e.data["id"] for e in events} == {f"c{i}"}
            return events[-1].data  # type: ignore[no-any-return]

    results = await asyncio.gather(*(client(i) for i in range(4)))
    assert all(r["finish_reason"] in ("stop", "length") for r in results)
    assert len({r["id"] for r in results}) == 4


async def test_full_queue_answers_error_at_once(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(chat(user("Write a long story."), max_tokens=2000, id="running"))
        await conn.recv_until("chat-start")
        for i in range(2):  # fills --max-queue 2
            await conn.send(chat(user("Hi"), max_tokens=2, id=f"queued{i}"))
        await conn.send(chat(user("Hi"), max_tokens=2, id="refused"))
        event = await conn.recv(timeout=5)
        while event is not None and event.type == "chat-delta":
            event = await conn.recv(timeout=5)
        assert event is not None
        assert event.type == "error"
        assert event.data["code"] == "queue_full"
        await conn.send(Event("chat-cancel", {}))
        stops = set()
        while len(stops) < 3:
            event = await conn.recv(timeout=30)
            assert event is not None
            if event.type == "chat-stop":
                stops.add(event.data["id"])
                assert event.data["finish_reason"] == "cancelled"
    assert stops == {"running", "queued0", "queued1"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"messages": []}, "bad_request"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "invalid_role"),
        ({"messages": [{"role": "user", "content": 5}]}, "bad_request"),
        ({"messages": [{"role": "user", "content": "x"}],
          "response_format": {"schema": {"type": "nonsense"}}}, "invalid_schema"),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": -3}, "bad_request"),
        ({"messages": [{"role": "user", "content": "x"}], "tool_choice": "missing"}, "bad_request"),
        ({"messages": [{"role": "user", "content": "x" * 40000}]}, "context_overflow"),
    ],
)  # fmt: skip
async def test_bad_requests_get_clear_errors(
    llm_server: ServerProcess, data: dict[str, Any], code: str
) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(Event("chat", data))
        event = await conn.recv(timeout=30)
        assert event is not None
        assert event.type == "error", event
        assert event.data["code"] == code
        assert event.data["text"]
        await conn.send(Event("describe"))  # the connection still works
        reply = await conn.recv()
        assert reply is not None
        assert reply.type == "info"


def _malformed(rng: random.Random) -> tuple[bytes, bool]:
    """One malformed event and whether the server must close the connection after it."""
    kind = rng.randrange(9)
    if kind == 0:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 80))).replace(
            b"\n", b""
        ) + b"\n", False
    if kind == 1:
        return b'{"type": "chat", "data": {' + b"\n", False
    if kind == 2:
        return b'["not", "an", "object"]\n', False
    if kind == 3:
        return b'{"type": 42}\n', False
    if kind == 4:
        return b'{"type": "no-such-event-%d"}\n' % rng.randrange(1000), False
    if kind == 5:
        bad = rng.choice([{"messages": 3}, {"messages": [1]}, {"temperature": "hot"}, {}])
        import json

        return json.dumps({"type": "chat", "data": bad}).encode() + b"\n", False
    if kind == 6:
        return b'{"type": "chat", "data_length": 5}\n{bad}', False
    if kind == 7:
        return b'{"type": "chat", "data_length": 999999999}\n', True
    return b'{"type": "chat", "data_length": -1}\n', True


async def test_fuzz_thousand_malformed_events_then_describe(llm_server: ServerProcess) -> None:
    rng = random.Random(1234)
    sent = errors = 0
    while sent < 1000:
        async with connect(llm_server.port) as conn:
            while sent < 1000:
                data, fatal = _malformed(rng)
                await conn.send_raw(data)
                sent += 1
                event = await conn.recv(timeout=10)
                assert event is not None, f"no answer to {data!r}"
                assert event.type == "error", (data, event)
                errors += 1
                if fatal:
                    assert await conn.recv(timeout=10) is None  # closed after the error
                    break
    assert errors == 1000
    # Oversized header line: the server answers and closes; it does not crash.
    async with connect(llm_server.port) as conn:
        await conn.send_raw(b'{"type": "' + b"x" * 70000 + b'"}\n')
        event = await conn.recv(timeout=10)
        assert event is not None
        assert event.data["code"] == "header_too_large"
    info = await describe(llm_server.port)
    assert info is not None
    assert info.handle[0].name == "atlas-llm"
    events = await run_chat(llm_server.port, chat(user("Hi"), max_tokens=3))
    assert events[-1].type == "chat-stop"


def test_missing_model_offline_gives_one_line_error(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_ETAG_TIMEOUT": "2",
        "HF_HUB_DOWNLOAD_TIMEOUT": "2",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "wyoming_servers.llm", "--model", "qwen3-4b",
         "--data-dir", str(tmp_path), "--uri", "tcp://127.0.0.1:0"],
        capture_output=True, text=True, timeout=120, env=env, cwd=REPO, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("atlas-llm: error: could not download 'qwen3-4b'")
    assert "atlas-box download qwen3-4b" in last
    assert DATA_DIR.exists()


async def test_alternating_system_prompts_both_stay_warm(llm_server: ServerProcess) -> None:
    """The structured pass and the tool loop take turns; neither re-evaluates its prefix."""
    prompts = {
        "extract": "Label the request as JSON. " + "Only these labels exist. " * 40,
        "answer": "You are ATLAS, a voice assistant. " + "Keep answers short. " * 40,
    }
    usage: list[dict[str, Any]] = []
    for name in ("extract", "answer", "extract", "answer"):
        messages = [{"role": "system", "content": prompts[name]},
                    {"role": "user", "content": f"turn {len(usage)}"}]  # fmt: skip
        events = await run_chat(llm_server.port, chat(messages, max_tokens=2))
        usage.append(events[-1].data["usage"])
    for warm in usage[2:]:
        assert warm["prompt_tokens"] > 150
        assert warm["cached_prompt_tokens"] >= warm["prompt_tokens"] - 12, usage


async def test_stop_string_across_tokens_is_not_streamed(llm_server: ServerProcess) -> None:
    # Find what the model says greedily, then stop on a multi-token phrase inside it.
    plain = await run_chat(llm_server.port, chat(user("Tell me a story."), max_tokens=24,
                                                  temperature=0))  # fmt: skip
    text = plain[-1].data["content"]
    words = text.split()
    assert len(words) >= 6, text
    stop = " " + " ".join(words[2:4]) + " "
    assert stop in text
    events = await run_chat(
        llm_server.port,
        chat(user("Tell me a story."), max_tokens=24, temperature=0, stop=[stop]),
    )
    streamed = "".join(e.data.get("content", "") for e in events if e.type == "chat-delta")
    assert events[-1].data["finish_reason"] == "stop"
    assert streamed == events[-1].data["content"] == text[: text.find(stop)]


async def test_errors_name_the_failed_request(llm_server: ServerProcess) -> None:
    async with connect(llm_server.port) as conn:
        await conn.send(Event("chat", {"id": "bad-1", "messages": []}))
        event = await conn.recv()
    assert event is not None
    assert event.type == "error"
    assert event.data["id"] == "bad-1"
