"""atlas-llm against llama-cpp-python's OpenAI-compatible server: time to first token and decoding.

Both servers load the same GGUF with the same thread count and context size. They run one after
the other (never together) as child processes on 127.0.0.1 and get the same chat messages, always
as streaming requests:

* cold TTFT: the first request after start-up, a ~1.5K-token ATLAS system prompt with 12 tool
  schemas and a short user message;
* warm TTFT, same prompt again: median of the next requests, back to back: the same prefix,
  different short user messages. Both servers keep the previous request's KV cache, so both
  evaluate only the ~12 new tokens with the same llama.cpp kernels;
* warm TTFT, ATLAS turns: the same answer requests, each after the request that comes before it
  in a real ATLAS turn, the agent's structured pass (its own system prompt and JSON schema, from
  ``custom_components/atlas/structured.py``). A server that keeps one sequence re-evaluates the
  ~1.5K-token prefix every turn; atlas-llm restores it from a KV snapshot;
* decode tokens/s: median of plain generations at temperature 0, then of generations constrained
  to a JSON schema (atlas ``response_format: {schema}``, the peer's OpenAI
  ``response_format: {"type": "json_object", "schema": ...}``).

TTFT is measured by the client: from sending the request to the first streamed token (or the end
of the stream, whichever comes first). Decode speed is ``(tokens - 1) / (end - first token)``.

Run from the repository root::

    .venv/bin/python -m benchmarks.llm_server [--model GGUF] [--threads 2] [--json OUT]

The peer needs llama-cpp-python's server extras: ``pip install 'llama-cpp-python[server]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from wyoming.client import AsyncTcpClient
from wyoming.event import Event

from custom_components.atlas.agent import structured
from wyoming_servers.llm.cpu_threads import other_busy_cores, read_sample, ticks_per_second
from wyoming_servers.processes import free_port, stop_process

from ._support import busy_neighbours

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PEER_EXTRAS = ("fastapi", "uvicorn", "sse_starlette", "starlette_context", "pydantic_settings")
PEER_INSTALL = "pip install 'llama-cpp-python[server]'"
PREFIX_MATCH = re.compile(r"Llama\.generate: (\d+) prefix-match (hit|found)")

# --- the workload ------------------------------------------------------------------------------

SYSTEM_PROMPT = """\
You are ATLAS, the voice assistant of the Fischer family's smart home. You run locally on the \
home server and control the house through Home Assistant. People talk to you through speakers \
in several rooms, so everything you say is read aloud by a text-to-speech voice.

How to answer:
- Reply in one or two short sentences that sound natural when spoken. Never use markdown, \
lists, emoji, URLs or code.
- When the user asks you to change something in the house, call the matching tool instead of \
describing what you would do.
- If a request is ambiguous (for example "turn it off" with no device mentioned), use the area \
of the speaker that heard the request. If it is still unclear, ask one short question.
- Never unlock doors, open the garage or disarm the alarm without an explicit request.
- Temperatures are in degrees Celsius and times in 24-hour format.
- If a tool reports an error, say what went wrong in plain words.
- For questions about the state of the house, call HassGetState; do not guess.

The house:
- Living room: ceiling light (light.living_room), floor lamp (light.floor_lamp), TV \
(media_player.living_room_tv), blinds (cover.living_room_blinds), thermostat \
(climate.living_room).
- Kitchen: ceiling light (light.kitchen), under-cabinet lights (light.kitchen_cabinets), \
dishwasher (sensor.dishwasher_status), speaker (media_player.kitchen_speaker).
- Bedroom: ceiling light (light.bedroom), bedside lamps (light.bedside_left, \
light.bedside_right), blinds (cover.bedroom_blinds), thermostat (climate.bedroom).
- Hallway: light (light.hallway), front door lock (lock.front_door), alarm panel \
(alarm_control_panel.home).
- Garage: door (cover.garage_door), light (light.garage).

Current state: it is Tuesday 14 October, 18:42. Outside it is 11 degrees and cloudy. The \
living room is at 20.5 degrees with the heating set to 21. The TV is off, the kitchen lights \
are on at 80 percent, the front door is locked and the alarm is disarmed. This request was \
heard by the kitchen speaker."""


def _tool(
    name: str, description: str, properties: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "parameters": {"type": "object", "properties": properties, "required": required},
    }


_TARGET = {"name": {"type": "string"}, "area": {"type": "string"}}
_DOMAINS = ["light", "switch", "fan", "cover", "media_player", "climate", "lock"]

TOOLS: list[dict[str, Any]] = [
    _tool(
        "HassTurnOn",
        "Turns on, opens or starts a device or every device of a domain in an area.",
        {**_TARGET, "domain": {"type": "string"}},
        [],
    ),
    _tool(
        "HassTurnOff",
        "Turns off, closes or stops a device or every device of a domain in an area.",
        {**_TARGET, "domain": {"type": "string"}},
        [],
    ),
    _tool(
        "HassLightSet",
        "Sets the brightness or colour of a light or of all lights in an area.",
        {
            **_TARGET,
            "brightness": {"type": "integer", "minimum": 0, "maximum": 100},
            "color": {"type": "string"},
        },
        [],
    ),
    _tool(
        "HassClimateSetTemperature",
        "Sets the target temperature of a thermostat, in degrees Celsius.",
        {
            **_TARGET,
            "temperature": {"type": "number", "minimum": 5, "maximum": 30},
        },
        ["temperature"],
    ),
    _tool(
        "HassSetPosition",
        "Moves blinds, curtains or the garage door to a position in percent (100 is open).",
        {**_TARGET, "position": {"type": "integer", "minimum": 0, "maximum": 100}},
        ["position"],
    ),
    _tool(
        "HassMediaControl",
        "Controls playback on a media player.",
        {
            **_TARGET,
            "action": {
                "type": "string",
                "enum": ["play", "pause", "next", "previous", "stop"],
            },
        },
        ["action"],
    ),
    _tool(
        "HassSetVolume",
        "Sets the volume of a media player in percent.",
        {**_TARGET, "volume_level": {"type": "integer", "minimum": 0, "maximum": 100}},
        ["volume_level"],
    ),
    _tool(
        "HassStartTimer",
        "Starts a timer on the speaker that heard the request.",
        {
            "hours": {"type": "integer", "minimum": 0},
            "minutes": {"type": "integer", "minimum": 0},
            "seconds": {"type": "integer", "minimum": 0},
            "name": {"type": "string"},
        },
        [],
    ),
    _tool(
        "HassCancelTimer",
        "Cancels a running timer by name, or the only running timer.",
        {"name": {"type": "string"}},
        [],
    ),
    _tool(
        "HassListAddItem",
        "Adds an item to the shopping list or to the to-do list.",
        {
            "item": {"type": "string"},
            "list": {"type": "string", "enum": ["shopping", "to-do"]},
        },
        ["item"],
    ),
    _tool(
        "GetWeatherForecast",
        "Gets the weather forecast for today, tomorrow or the next days.",
        {
            "day": {"type": "string", "enum": ["today", "tomorrow", "week"]},
            "location": {"type": "string"},
        },
        [],
    ),
    _tool(
        "HassGetState",
        "Reads the current state of devices: on/off, open/closed, temperature, locks.",
        {**_TARGET, "domain": {"type": "string", "enum": [*_DOMAINS, "sensor"]}},
        [],
    ),
]

QUESTIONS = [
    "Turn on the living room lights, please.",
    "Set the bedroom to nineteen degrees.",
    "Is the front door locked?",
    "Dim the kitchen lights to thirty percent.",
    "Start a pasta timer for ten minutes.",
    "Add oat milk to the shopping list.",
    "What's the weather like tomorrow?",
    "Close the bedroom blinds.",
    "Pause the TV.",
    "Turn off every light downstairs.",
    "How warm is it in the living room?",
]

STORY = [
    {
        "role": "user",
        "content": "Write a long, detailed story about a lighthouse keeper who finds a strange "
        "radio in the cellar. Describe the island, the weather and the voices on the radio.",
    }
]

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "speech": {"type": "string"},
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "tool": {"type": "string"},
                    "entity_id": {"type": "string"},
                    "value": {"type": "number"},
                },
                "required": ["tool", "entity_id"],
            },
        },
        "follow_up": {"type": "boolean"},
    },
    "required": ["speech", "actions", "follow_up"],
}

JSON_MESSAGES = [
    {
        "role": "user",
        "content": "You control a smart home. Reply with a JSON object with the keys speech, "
        "actions (a list of {tool, entity_id, value}) and follow_up. The request: make the "
        "living room cosy for a movie night: dim the lights, close the blinds, turn on the TV, "
        "set the heating to 22 degrees, and tell me a short story about the house while you do.",
    }
]


def prefix_messages(question: str) -> list[dict[str, Any]]:
    """The ATLAS system prompt and one user message."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]


def structured_pass_spec(question: str) -> ChatSpec:
    """The agent's structured pass for ``question``, exactly as the integration builds it."""
    request = structured.build_request(question, None)
    return ChatSpec(
        [dict(message) for message in request["messages"]],
        tools=False,
        max_tokens=1,
        schema=request["response_format"]["schema"],
    )


def tool_listing(tools: list[dict[str, Any]]) -> str:
    """Tool definitions as prompt text, for a peer chat format that cannot render tools."""
    lines = "\n".join(json.dumps(tool) for tool in tools)
    return (
        f"You can call these tools:\n{lines}\n"
        'To call a tool, reply with only <tool_call>{"name": "<tool name>", "arguments": {...}}'
        "</tool_call>"
    )


# --- measurements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatSpec:
    """One request: the messages, whether the tools go with them, the output limits."""

    messages: list[dict[str, Any]]
    tools: bool
    max_tokens: int
    schema: dict[str, Any] | None = None


@dataclass
class Sample:
    """What the client saw of one streamed request."""

    ttft_s: float
    total_s: float
    tokens: int
    finish: str
    text: str
    prompt_tokens: int | None = None
    cached_prompt_tokens: int | None = None
    server: dict[str, Any] = field(default_factory=dict)

    @property
    def decode_tps(self) -> float:
        """Tokens per second after the first token."""
        span = self.total_s - self.ttft_s
        return (self.tokens - 1) / span if self.tokens > 1 and span > 0 else 0.0


class ChatClient(Protocol):
    """A server under test."""

    async def chat(self, spec: ChatSpec) -> Sample:
        """Send one streaming request and time it."""
        ...


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


class AtlasClient:
    """The ATLAS chat extension over one Wyoming TCP connection."""

    def __init__(self, client: AsyncTcpClient, timeout: float) -> None:
        self._client = client
        self._timeout = timeout
        self._count = 0

    async def chat(self, spec: ChatSpec) -> Sample:
        self._count += 1
        data: dict[str, Any] = {
            "id": f"bench-{self._count}",
            "messages": spec.messages,
            "max_tokens": spec.max_tokens,
            "temperature": 0.0,
            "seed": 0,
        }
        if spec.tools:
            data["tools"] = TOOLS
        if spec.schema is not None:
            data["response_format"] = {"schema": spec.schema}
        started = time.perf_counter()
        await self._client.write_event(Event("chat", data))
        first: float | None = None
        start: dict[str, Any] = {}
        text = ""
        while True:
            event = await asyncio.wait_for(self._client.read_event(), self._timeout)
            now = time.perf_counter()
            if event is None:
                raise BenchError("atlas-llm closed the connection")
            if event.type == "chat-start":
                start = event.data
            elif event.type == "chat-delta":
                first = first or now
                text += str(event.data.get("content") or "")
            elif event.type == "chat-stop":
                usage = event.data.get("usage") or {}
                return Sample(
                    ttft_s=(first or now) - started,
                    total_s=now - started,
                    tokens=int(usage.get("completion_tokens", 0)),
                    finish=str(event.data.get("finish_reason")),
                    text=str(event.data.get("content") or text),
                    prompt_tokens=start.get("prompt_tokens"),
                    cached_prompt_tokens=start.get("cached_prompt_tokens"),
                    server=usage,
                )
            elif event.type == "error":
                raise BenchError(f"atlas-llm error {event.data.get('code')}: {event.data}")


@dataclass(frozen=True)
class PeerFormat:
    """How the peer is told about the system prompt and the tools."""

    chat_format: str | None  # None: the GGUF's own chat template
    native_tools: bool  # the template renders OpenAI ``tools``
    fold_system: bool  # the chat format drops system messages: put them in the user turn


class PeerClient:
    """llama-cpp-python's ``/v1/chat/completions`` with ``stream: true``."""

    def __init__(self, http: httpx.AsyncClient, fmt: PeerFormat, timeout: float) -> None:
        self._http = http
        self._fmt = fmt
        self._timeout = timeout
        self._empty_count: int | None = None

    def messages(self, spec: ChatSpec) -> list[dict[str, Any]]:
        """The same conversation, shaped for the peer's chat format."""
        system = "\n\n".join(m["content"] for m in spec.messages if m["role"] == "system")
        if spec.tools and not self._fmt.native_tools:
            system = f"{system}\n\n{tool_listing(TOOLS)}" if system else tool_listing(TOOLS)
        rest = [m for m in spec.messages if m["role"] != "system"]
        if not system:
            return rest
        if self._fmt.fold_system:
            first = rest[0]
            return [{**first, "content": f"{system}\n\n{first['content']}"}, *rest[1:]]
        return [{"role": "system", "content": system}, *rest]

    def body(self, spec: ChatSpec, *, stream: bool) -> dict[str, Any]:
        """The request body."""
        body: dict[str, Any] = {
            "messages": self.messages(spec),
            "max_tokens": spec.max_tokens,
            "temperature": 0.0,
            "seed": 0,
            "stream": stream,
        }
        if spec.tools and self._fmt.native_tools:
            body["tools"] = [{"type": "function", "function": t} for t in TOOLS]
        if spec.schema is not None:
            body["response_format"] = {"type": "json_object", "schema": spec.schema}
        return body

    async def _count_tokens(self, text: str) -> int:
        async def count(value: str) -> int:
            resp = await self._http.post("/extras/tokenize/count", json={"input": value})
            resp.raise_for_status()
            return int(resp.json()["count"])

        if self._empty_count is None:
            self._empty_count = await count("")  # the BOS token the endpoint adds
        return await count(text) - self._empty_count

    async def chat(self, spec: ChatSpec) -> Sample:
        return await asyncio.wait_for(self._chat(spec), self._timeout)

    async def _chat(self, spec: ChatSpec) -> Sample:
        started = time.perf_counter()
        first: float | None = None
        text = ""
        finish = "?"
        async with self._http.stream(
            "POST", "/v1/chat/completions", json=self.body(spec, stream=True)
        ) as resp:
            if resp.status_code != 200:
                body = (await resp.aread()).decode(errors="replace")
                raise BenchError(f"peer answered HTTP {resp.status_code}: {body[:500]}")
            async for line in resp.aiter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                choice = json.loads(payload)["choices"][0]
                content = (choice.get("delta") or {}).get("content")
                if content:
                    first = first or time.perf_counter()
                    text += content
                finish = choice.get("finish_reason") or finish
        ended = time.perf_counter()
        tokens = spec.max_tokens if finish == "length" else await self._count_tokens(text)
        return Sample(
            ttft_s=(first or ended) - started,
            total_s=ended - started,
            tokens=tokens,
            finish=finish,
            text=text,
        )

    async def prompt_tokens(self, spec: ChatSpec) -> int:
        """The prompt size the peer reports for ``spec`` (one non-streaming, 1-token request)."""
        body = self.body(ChatSpec(spec.messages, spec.tools, 1, spec.schema), stream=False)
        resp = await self._http.post("/v1/chat/completions", json=body)
        resp.raise_for_status()
        return int(resp.json()["usage"]["prompt_tokens"])


@dataclass
class Suite:
    """Every sample of one server."""

    cold: Sample
    warm: list[Sample]
    turn_structured: list[Sample]
    turns: list[Sample]
    plain: list[Sample]
    json: list[Sample]
    prompt_tokens: int | None = None
    warm_cached_tokens: list[int] = field(default_factory=list)
    turn_cached_tokens: list[int] = field(default_factory=list)
    other_load_cores: float | None = None

    def summary(self) -> dict[str, float | int | None]:
        """The headline numbers."""
        return {
            "cold_ttft_ms": self.cold.ttft_s * 1000,
            "warm_ttft_ms": statistics.median(s.ttft_s for s in self.warm) * 1000,
            "turn_ttft_ms": statistics.median(s.ttft_s for s in self.turns) * 1000,
            "structured_ttft_ms": statistics.median(s.ttft_s for s in self.turn_structured) * 1000,
            "warm_prefill_ms": _median_server(self.warm, "prefill_ms"),
            "decode_tps": statistics.median(s.decode_tps for s in self.plain),
            "json_decode_tps": statistics.median(s.decode_tps for s in self.json),
            "prompt_tokens": self.prompt_tokens,
            "plain_tokens": statistics.median(s.tokens for s in self.plain),
            "json_tokens": statistics.median(s.tokens for s in self.json),
            "other_load_cores": self.other_load_cores,
        }


def _median_server(samples: list[Sample], key: str) -> float | None:
    """Median of a server-reported usage field (atlas-llm only)."""
    values = [float(s.server[key]) for s in samples if key in s.server]
    return statistics.median(values) if values else None


async def run_suite(client: ChatClient, args: argparse.Namespace) -> Suite:
    """The same request sequence for either server."""

    def ttft_spec(question: str) -> ChatSpec:
        return ChatSpec(prefix_messages(question), tools=True, max_tokens=args.ttft_tokens)

    cold = await client.chat(ttft_spec(QUESTIONS[0]))
    warm = [await client.chat(ttft_spec(q)) for q in QUESTIONS[1 : 1 + args.warm_runs]]
    turn_structured: list[Sample] = []
    turns: list[Sample] = []
    for question in QUESTIONS[1 : 1 + args.warm_runs]:
        turn_structured.append(await client.chat(structured_pass_spec(question)))
        turns.append(await client.chat(ttft_spec(question)))
    plain_spec = ChatSpec(STORY, tools=False, max_tokens=args.decode_tokens)
    plain = [await client.chat(plain_spec) for _ in range(args.decode_runs)]
    json_spec = ChatSpec(
        JSON_MESSAGES, tools=False, max_tokens=args.decode_tokens, schema=REPLY_SCHEMA
    )
    json_samples = [await client.chat(json_spec) for _ in range(args.decode_runs)]
    return Suite(cold, warm, turn_structured, turns, plain, json_samples)


# --- other load on the machine ----------------------------------------------------------------


class OtherLoad:
    """How many CPU cores processes other than ours kept busy over an interval (Linux only)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = [os.getpid(), *pids]
        self._start = read_sample(pids=self.pids)

    def cores(self) -> float | None:
        """Average busy cores outside the measured processes since the start (or last call)."""
        end = read_sample(pids=self.pids)
        start, self._start = self._start, end
        if start is None or end is None or end.at <= start.at:
            return None
        return other_busy_cores(start, end, ticks_per_second())


async def wait_for_quiet(max_wait: float, threshold: float = 0.3) -> float | None:
    """Wait (at most ``max_wait`` s) until other processes use < ``threshold`` cores for 3 s."""
    deadline = time.monotonic() + max_wait
    while True:
        meter = OtherLoad([])
        await asyncio.sleep(3)
        load = meter.cores()
        if load is None or load < threshold or time.monotonic() >= deadline:
            return load


# --- the servers -------------------------------------------------------------------------------


@dataclass
class Child:
    """A server running as a child process, its output in a log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, size: int = 3000) -> str:
        """The end of the server's log."""
        return self.log_path.read_text(errors="replace")[-size:]

    def check_alive(self) -> None:
        """Raise if the server has exited."""
        if self.proc.poll() is not None:
            raise BenchError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        stop_process(self.proc)


@contextlib.contextmanager
def child(name: str, cmd: list[str], log_dir: Path, env: dict[str, str]) -> Iterator[Child]:
    """Run ``cmd`` for the duration of the block."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    server = Child(name, proc, log_path)
    try:
        yield server
    finally:
        server.stop()


async def wait_atlas(server: Child, port: int, limit_s: float) -> AsyncTcpClient:
    """Connect once ``describe`` is answered; return the open connection."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        server.check_alive()
        client = AsyncTcpClient(HOST, port)
        try:
            await asyncio.wait_for(client.connect(), 2)
            await client.write_event(Event("describe"))
            event = await asyncio.wait_for(client.read_event(), 5)
            if event is not None and event.type == "info":
                return client
        except (OSError, TimeoutError):
            pass
        with contextlib.suppress(Exception):
            await client.disconnect()
        await asyncio.sleep(0.5)
    raise BenchError(f"atlas-llm did not answer describe within {limit_s:.0f} s")


async def wait_peer(server: Child, http: httpx.AsyncClient, limit_s: float) -> None:
    """Return once ``/v1/models`` answers."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        server.check_alive()
        with contextlib.suppress(httpx.HTTPError):
            if (await http.get("/v1/models", timeout=2)).status_code == 200:
                return
        await asyncio.sleep(0.5)
    raise BenchError(f"the peer did not start within {limit_s:.0f} s")


def atlas_command(args: argparse.Namespace, port: int | str) -> list[str]:
    """``python -m wyoming_servers.llm`` on ``port``."""
    return [
        sys.executable, "-m", "wyoming_servers.llm",
        "--uri", f"tcp://{HOST}:{port}", "--data-dir", str(args.data_dir),
        "--model", str(args.model), "--threads", str(args.threads), "--ctx", str(args.ctx),
        "--n-gpu-layers", str(args.n_gpu_layers),
        # With --omp-wait-policy both servers take the policy from the environment.
        *(["--omp-wait-policy", "default"] if args.omp_wait_policy else []),
        *args.atlas_arg,
    ]  # fmt: skip


def peer_command(args: argparse.Namespace, port: int | str, fmt: PeerFormat) -> list[str]:
    """``python -m llama_cpp.server`` on ``port`` with the same model and threads."""
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(args.model),
        "--n_ctx", str(args.ctx), "--host", HOST, "--port", str(port),
        "--n_threads", str(args.threads), "--n_threads_batch", str(args.threads),
        "--n_gpu_layers", str(args.n_gpu_layers),
    ]  # fmt: skip
    if fmt.chat_format:
        cmd += ["--chat_format", fmt.chat_format]
    return [*cmd, *args.peer_arg]


async def bench_atlas(args: argparse.Namespace, log_dir: Path, env: dict[str, str]) -> Suite:
    """Start atlas-llm, run the suite, stop it."""
    port = free_port()
    with child("atlas-llm", atlas_command(args, port), log_dir, env) as server:
        client = await wait_atlas(server, port, args.startup_timeout)
        try:
            with busy_neighbours(args.busy_neighbours):
                meter = OtherLoad([server.proc.pid])
                suite = await run_suite(AtlasClient(client, args.request_timeout), args)
                suite.other_load_cores = meter.cores()
        finally:
            await client.disconnect()
        suite.prompt_tokens = suite.warm[0].prompt_tokens
        suite.warm_cached_tokens = [s.cached_prompt_tokens or 0 for s in suite.warm]
        suite.turn_cached_tokens = [s.cached_prompt_tokens or 0 for s in suite.turns]
        return suite


async def bench_peer(
    args: argparse.Namespace, log_dir: Path, env: dict[str, str], fmt: PeerFormat
) -> Suite:
    """Start llama_cpp.server, run the suite, stop it."""
    port = free_port()
    timeout = httpx.Timeout(args.request_timeout)
    with child("llama-cpp-server", peer_command(args, port, fmt), log_dir, env) as server:
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=timeout) as http:
            await wait_peer(server, http, args.startup_timeout)
            peer = PeerClient(http, fmt, args.request_timeout)
            with busy_neighbours(args.busy_neighbours):
                meter = OtherLoad([server.proc.pid])
                suite = await run_suite(peer, args)
                suite.other_load_cores = meter.cores()
            # llama_cpp logs "Llama.generate: N prefix-match hit" for every request after the
            # first: the warm requests, then structured pass and answer by turns.
            log = server.log_path.read_text(errors="replace")
            hits = [int(n) if how == "hit" else 0 for n, how in PREFIX_MATCH.findall(log)]
            warm = len(suite.warm)
            suite.warm_cached_tokens = hits[:warm]
            suite.turn_cached_tokens = hits[warm + 1 : warm + 2 * len(suite.turns) : 2]
            warm_spec = ChatSpec(prefix_messages(QUESTIONS[1]), tools=True, max_tokens=1)
            suite.prompt_tokens = await peer.prompt_tokens(warm_spec)
            return suite


# --- the model ---------------------------------------------------------------------------------


def peer_format(model: Path) -> PeerFormat:
    """Pick the peer's chat format the way atlas-llm picks its template."""
    from gguf import GGUFReader

    reader = GGUFReader(str(model))

    def field_text(key: str) -> str:
        entry = reader.fields.get(key)
        return str(entry.contents()) if entry is not None else ""

    template = field_text("tokenizer.chat_template")
    if template:
        return PeerFormat(None, native_tools="tools" in template, fold_system=False)
    arch = field_text("general.architecture")
    if arch.startswith("gemma"):  # llama_cpp's gemma format silently drops system messages
        return PeerFormat("gemma", native_tools=False, fold_system=True)
    if arch.startswith("llama"):
        return PeerFormat("llama-3", native_tools=False, fold_system=False)
    return PeerFormat("chatml", native_tools=False, fold_system=False)


def default_gpu_layers() -> int:
    """99 on a GPU build of llama.cpp, else 0."""
    import llama_cpp

    return 99 if llama_cpp.llama_supports_gpu_offload() else 0


# --- report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the ratio table."""

    metric: str
    atlas: float
    peer: float
    ratio_name: str
    ratio: float
    target: str
    passed: bool | None


def table_rows(atlas: dict[str, Any], peer: dict[str, Any]) -> list[Row]:
    """The comparison, with the targets."""

    def div(a: float, b: float) -> float:
        return a / b if b else 0.0

    a_json = div(atlas["json_decode_tps"], atlas["decode_tps"])
    p_json = div(peer["json_decode_tps"], peer["decode_tps"])
    warm = div(atlas["warm_ttft_ms"], peer["warm_ttft_ms"])
    turn = div(atlas["turn_ttft_ms"], peer["turn_ttft_ms"])
    decode = div(atlas["decode_tps"], peer["decode_tps"])
    json_vs_peer = div(atlas["json_decode_tps"], peer["json_decode_tps"])
    return [
        Row("cold TTFT ms", atlas["cold_ttft_ms"], peer["cold_ttft_ms"], "atlas/peer",
            div(atlas["cold_ttft_ms"], peer["cold_ttft_ms"]), "-", None),
        Row("warm TTFT ms, same prompt again", atlas["warm_ttft_ms"], peer["warm_ttft_ms"],
            "atlas/peer", warm, "<= 0.30", warm <= 0.30),
        Row("warm TTFT ms, ATLAS turns", atlas["turn_ttft_ms"], peer["turn_ttft_ms"],
            "atlas/peer", turn, "<= 0.30", turn <= 0.30),
        Row("structured pass TTFT ms", atlas["structured_ttft_ms"], peer["structured_ttft_ms"],
            "atlas/peer", div(atlas["structured_ttft_ms"], peer["structured_ttft_ms"]), "-", None),
        Row("decode tok/s plain", atlas["decode_tps"], peer["decode_tps"], "atlas/peer",
            decode, ">= 0.95", decode >= 0.95),
        Row("decode tok/s JSON schema", atlas["json_decode_tps"], peer["json_decode_tps"],
            "atlas/peer", json_vs_peer, "-", None),
        Row("JSON / plain decode", a_json, p_json, "atlas", a_json, ">= 0.80", a_json >= 0.80),
    ]  # fmt: skip


def _number(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def render_table(rows: list[Row]) -> str:
    """Fixed-width text table."""
    header = ("metric", "atlas", "peer", "ratio", "", "target", "result")
    lines = [
        (
            r.metric,
            _number(r.atlas),
            _number(r.peer),
            f"{r.ratio:.2f}",
            r.ratio_name,
            r.target,
            "-" if r.passed is None else ("PASS" if r.passed else "FAIL"),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    out = []
    for row in [header, *lines]:
        cells = [
            cell.ljust(width) if i in (0, 4) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


# --- main --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Command-line flags."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.llm_server",
        description="atlas-llm vs llama-cpp-python's OpenAI server (TTFT and decode speed).",
    )
    parser.add_argument("--model", type=Path, help="GGUF file (default: the embedded Gemma 3 270M)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("ATLAS_DATA_DIR", REPO / ".atlas-data")),
        help="atlas data dir (holds the embedded model; default .atlas-data)",
    )
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for both servers")
    parser.add_argument("--ctx", type=int, default=4096, help="context size for both servers")
    parser.add_argument(
        "--n-gpu-layers", type=int, help="GPU layers for both (default: 99 on a GPU build, else 0)"
    )
    parser.add_argument("--warm-runs", type=int, default=5, help="warm TTFT requests (<= 10)")
    parser.add_argument("--decode-runs", type=int, default=3, help="requests per decode metric")
    parser.add_argument("--decode-tokens", type=int, default=128, help="max_tokens when decoding")
    parser.add_argument(
        "--ttft-tokens", type=int, default=1, help="max_tokens of the TTFT requests (1)"
    )
    parser.add_argument(
        "--omp-wait-policy",
        choices=["PASSIVE", "ACTIVE", "unset"],
        help="OpenMP wait policy for both servers; 'unset' gives libgomp's default (spin a "
        "while, then sleep; libgomp logs a warning). Default: each server's own choice "
        "(both: unset; atlas-llm adapts its thread count to the other processes' load)",
    )
    parser.add_argument(
        "--atlas-arg", action="append", default=[], help="extra flag for atlas-llm (repeatable)"
    )
    parser.add_argument(
        "--peer-arg", action="append", default=[], help="extra flag for the peer (repeatable)"
    )
    parser.add_argument("--startup-timeout", type=float, default=300, help="seconds per server")
    parser.add_argument("--request-timeout", type=float, default=300, help="seconds per request")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each server, wait up to this long for other processes to go quiet",
    )
    parser.add_argument(
        "--busy-neighbours",
        type=int,
        default=0,
        metavar="N",
        help="run N CPU-spinning processes next to each server while it is measured (a box "
        "whose STT, TTS or Home Assistant is busy); default 0",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--repack-cost",
        action="store_true",
        help="only measure --cpu-weight-repack: decode speed with repacking on and off, each in "
        "its own process (a crash, as on AMX CPUs, is reported, not fatal)",
    )
    return parser


_REPACK_PROBE = """
import json, sys, threading, time
from pathlib import Path
from wyoming_servers.llm.engine import EngineConfig, LlamaEngine
from wyoming_servers.llm.request import parse_chat_request
config = EngineConfig(Path(sys.argv[1]), "bench", n_ctx=1024, n_threads=int(sys.argv[3]),
                      adaptive_threads=False, cpu_weight_repack=sys.argv[2])
engine = LlamaEngine(config)
messages = [{"role": "user", "content": "Write a long story."}]
request = parse_chat_request({"messages": messages, "max_tokens": int(sys.argv[4]),
                              "temperature": 0}, max_tokens_cap=4096)
rates = []
for _ in range(3):
    result = engine.generate(request, lambda _event: None, threading.Event())
    rates.append(result.usage.tokens_per_second)
print(json.dumps({"tokens_per_second": sorted(rates)[1], "tokens": result.usage.completion_tokens}))
"""


def repack_cost(args: argparse.Namespace) -> int:
    """Decode speed with CPU weight repacking on vs off (median of 3), in child processes."""
    import signal as signals
    import subprocess

    rates: dict[str, float | None] = {}
    for setting in ("on", "off"):
        run = subprocess.run(
            [sys.executable, "-c", _REPACK_PROBE, str(args.model), setting, str(args.threads),
             str(args.decode_tokens)],
            capture_output=True, text=True, check=False, timeout=args.request_timeout,
        )  # fmt: skip
        if run.returncode < 0:
            print(f"repack {setting:3}: crashed ({signals.Signals(-run.returncode).name})")
            rates[setting] = None
        elif run.returncode != 0:
            print(f"repack {setting:3}: failed: {run.stderr.strip().splitlines()[-1:]}")
            rates[setting] = None
        else:
            rates[setting] = json.loads(run.stdout.strip().splitlines()[-1])["tokens_per_second"]
            print(f"repack {setting:3}: {rates[setting]:.1f} tok/s")
    on, off = rates["on"], rates["off"]
    print("\n| decode, plain | repack on | repack off | off / on |\n|---|---|---|---|")
    ratio = f"{off / on:.2f}x" if on and off else "n/a"
    print(f"| tok/s | {'crashed' if on is None else f'{on:.1f}'} | "
          f"{'crashed' if off is None else f'{off:.1f}'} | {ratio} |")  # fmt: skip
    return 0 if off is not None else 1


def missing_peer_extras() -> list[str]:
    """llama_cpp.server's dependencies that are not installed."""
    return [name for name in PEER_EXTRAS if importlib.util.find_spec(name) is None]


async def settle(args: argparse.Namespace) -> None:
    """Honour ``--wait-idle``."""
    if args.wait_idle > 0:
        load = await wait_for_quiet(args.wait_idle)
        if load is not None:
            print(f"other processes: {load:.2f} busy cores", flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Both suites, one after the other."""
    fmt = peer_format(args.model)
    env = dict(os.environ)
    if args.omp_wait_policy:
        # An empty value makes libgomp fall back to its default; atlas-llm keeps a set value.
        env["OMP_WAIT_POLICY"] = "" if args.omp_wait_policy == "unset" else args.omp_wait_policy
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        log_dir = Path(tmp)
        await settle(args)
        print(f"atlas-llm: {' '.join(atlas_command(args, 'PORT'))}", flush=True)
        atlas = await bench_atlas(args, log_dir, env)
        await settle(args)
        print(f"peer:      {' '.join(peer_command(args, 'PORT', fmt))}", flush=True)
        peer = await bench_peer(args, log_dir, env, fmt)
    a_sum, p_sum = atlas.summary(), peer.summary()
    rows = table_rows(a_sum, p_sum)
    return {
        "config": {
            "model": str(args.model),
            "threads": args.threads,
            "ctx": args.ctx,
            "n_gpu_layers": args.n_gpu_layers,
            "peer_chat_format": fmt.chat_format or "gguf template",
            "omp_wait_policy": args.omp_wait_policy or "server default",
            "busy_neighbours": args.busy_neighbours,
            "warm_runs": args.warm_runs,
            "decode_runs": args.decode_runs,
            "decode_tokens": args.decode_tokens,
        },
        "atlas": {"summary": a_sum, "samples": asdict(atlas)},
        "peer": {"summary": p_sum, "samples": asdict(peer)},
        "table": [asdict(r) for r in rows],
    }


def print_report(result: dict[str, Any]) -> None:
    """Details, then the ratio table."""
    config = result["config"]
    print()
    print(
        f"model {Path(config['model']).name}, {config['threads']} threads, ctx {config['ctx']}, "
        f"{config['n_gpu_layers']} GPU layers, peer chat format {config['peer_chat_format']}, "
        f"OMP_WAIT_POLICY {config['omp_wait_policy']}, "
        f"{config.get('busy_neighbours', 0)} busy neighbour processes"
    )
    for name in ("atlas", "peer"):
        summary, samples = result[name]["summary"], result[name]["samples"]
        load = summary["other_load_cores"]
        warm = ", ".join(f"{s['ttft_s'] * 1000:.0f}" for s in samples["warm"])
        turns = ", ".join(f"{s['ttft_s'] * 1000:.0f}" for s in samples["turns"])
        plain = [f"{s['tokens']} {s['finish']}" for s in samples["plain"]]
        jsn = [f"{s['tokens']} {s['finish']}" for s in samples["json"]]
        print(
            f"{name:5}: prompt {summary['prompt_tokens']} tokens, warm re-use "
            f"{samples['warm_cached_tokens'] or 'n/a'} tokens, warm TTFT ms [{warm}], "
            f"in turns re-use {samples['turn_cached_tokens'] or 'n/a'} tokens, TTFT ms [{turns}], "
            f"plain tokens {plain}, JSON tokens {jsn}, other processes "
            + ("n/a" if load is None else f"{load:.2f} busy cores")
        )
    print()
    print(render_table([Row(**r) for r in result["table"]]))
    prefill = result["atlas"]["summary"].get("warm_prefill_ms")
    peer_warm = result["peer"]["summary"]["warm_ttft_ms"]
    if prefill and peer_warm:
        print(
            f"\nsame prompt again: atlas-llm spent a median {prefill:.1f} ms of its warm TTFT in "
            f"llama.cpp evaluating the ~12 new tokens, which the peer evaluates too: a server "
            f"running these llama.cpp kernels cannot go below {prefill / peer_warm:.2f}x the "
            f"peer's warm TTFT on this prompt and machine"
        )
    loads = [result[n]["summary"]["other_load_cores"] for n in ("atlas", "peer")]
    if not config.get("busy_neighbours") and any(
        load is not None and load > 0.25 for load in loads
    ):
        print(
            "\nnote: other processes were busy during the run; on a small CPU box that skews "
            "TTFT and decode speed (see --wait-idle)"
        )


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    missing = [] if args.repack_cost else missing_peer_extras()
    if missing:
        print(
            f"llama_cpp.server needs {', '.join(missing)}; install them with:\n"
            f"  {sys.executable} -m {PEER_INSTALL}",
            file=sys.stderr,
        )
        return 2
    args.warm_runs = max(1, min(args.warm_runs, len(QUESTIONS) - 1))
    if args.model is None:
        from wyoming_servers.models import embedded_llm

        args.model = embedded_llm(args.data_dir)
    args.model = args.model.resolve()
    if not args.model.is_file():
        print(f"no such GGUF file: {args.model}", file=sys.stderr)
        return 2
    if args.repack_cost:
        return repack_cost(args)
    if args.n_gpu_layers is None:
        args.n_gpu_layers = default_gpu_layers()
    try:
        result = asyncio.run(run(args))
    except BenchError as err:
        print(f"benchmark failed: {err}", file=sys.stderr)
        return 1
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
        print(f"\nwrote {args.json}")
    failed = [r["metric"] for r in result["table"] if r["passed"] is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
