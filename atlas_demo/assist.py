"""The GPU box added to Home Assistant, an Assist pipeline over it, and one spoken turn."""

from __future__ import annotations

import asyncio
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import HassApi, TimedEvent
from .hass import DemoError
from .judge import answer_problem

EVENT_TIMEOUT = 300.0
FRAME_SECONDS = 0.02
MIME_SUFFIX = {"audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav"}


@dataclass
class Engines:
    """The entities an ATLAS Assist pipeline runs on."""

    stt: str
    tts: str
    conversation: str
    model: str


async def _entity_of(api: HassApi, entry_id: str, domain: str, deadline: float) -> str:
    """The ``domain`` entity that config entry ``entry_id`` adds, once it exists."""
    while True:
        for entity in await api.call("config/entity_registry/list"):
            if entity["config_entry_id"] == entry_id and entity["entity_id"].startswith(
                f"{domain}."
            ):
                return str(entity["entity_id"])
        if time.monotonic() > deadline:
            raise DemoError(f"no {domain} entity appeared for config entry {entry_id}")
        await asyncio.sleep(0.2)


async def add_box(api: HassApi, ports: dict[str, int], deadline: float) -> Engines:
    """Add atlas-stt and atlas-tts (Wyoming) and atlas-llm (ATLAS) through their config flows."""
    stt = await api.config_flow("wyoming", {"host": "127.0.0.1", "port": ports["stt"]})
    tts = await api.config_flow("wyoming", {"host": "127.0.0.1", "port": ports["tts"]})
    atlas = await api.config_flow("atlas", {"host": "127.0.0.1", "port": ports["llm"]})
    return Engines(
        stt=await _entity_of(api, stt["entry_id"], "stt", deadline),
        tts=await _entity_of(api, tts["entry_id"], "tts", deadline),
        conversation=await _entity_of(api, atlas["entry_id"], "conversation", deadline),
        model=str(atlas["title"]),
    )


async def create_pipeline(api: HassApi, engines: Engines) -> dict[str, Any]:
    """An English Assist pipeline: atlas-stt → the ATLAS agent → atlas-tts."""
    provider = (await api.call("tts/engine/get", engine_id=engines.tts))["provider"]
    english = [lang for lang in provider["supported_languages"] if lang.startswith("en")]
    if not english:
        raise DemoError(f"{engines.tts} speaks no English: {provider['supported_languages']}")
    tts_language = next((lang for lang in english if lang in ("en_US", "en-US")), english[0])
    voices = (await api.call("tts/engine/voices", engine_id=engines.tts, language=tts_language))[
        "voices"
    ]
    pipeline: dict[str, Any] = await api.call(
        "assist_pipeline/pipeline/create",
        name="ATLAS",
        language="en",
        conversation_engine=engines.conversation,
        conversation_language="en",
        prefer_local_intents=True,  # HA recommends it for LLM agents: device commands stay local
        stt_engine=engines.stt,
        stt_language="en",
        tts_engine=engines.tts,
        tts_language=tts_language,
        tts_voice=voices[0]["voice_id"] if voices else None,
        wake_word_entity=None,
        wake_word_id=None,
    )
    return pipeline


@dataclass
class ReplyAudio:
    """The pipeline's TTS output fetched from its URL, as a satellite plays it."""

    path: Path
    mime_type: str
    first_byte: float | None = None
    last_byte: float | None = None

    async def fetch(self, api: HassApi, url: str) -> None:
        """Stream ``url`` into :attr:`path`, noting when the first and last bytes came."""
        async with api.session.get(f"{api.url}{url}", headers=api.headers) as response:
            if response.status != 200:
                raise DemoError(f"reply audio: HTTP {response.status} from {url}")
            with self.path.open("wb") as file:
                async for chunk in response.content.iter_any():
                    self.first_byte = self.first_byte or time.perf_counter()
                    file.write(chunk)
        self.last_byte = time.perf_counter()

    def seconds(self) -> float | None:
        """The audio's duration, when it can be read (WAV, or MP3 with mutagen)."""
        if self.path.suffix == ".wav":
            with wave.open(str(self.path), "rb") as wav:
                return wav.getnframes() / wav.getframerate()
        try:
            import mutagen  # noqa: PLC0415
        except ImportError:
            return None
        info = mutagen.File(self.path)
        return None if info is None else float(info.info.length)


@dataclass
class Marks:
    """perf_counter times of what happened during the run."""

    audio_end: float = 0.0
    stt_end: float | None = None
    intent_start: float | None = None
    first_delta: float | None = None
    tts_streaming: float | None = None
    intent_end: float | None = None
    tts_end: float | None = None
    events: list[str] = field(default_factory=list)


async def _stream_audio(api: HassApi, handler_id: int, pcm: bytes, rate: int) -> float:
    """Send 20 ms frames at real-time pace, then the empty end frame: when the audio ended."""
    prefix = bytes([handler_id])
    step = int(rate * FRAME_SECONDS) * 2
    started = time.perf_counter()
    for index, offset in enumerate(range(0, len(pcm), step)):
        await api.send_binary(prefix + pcm[offset : offset + step])
        await asyncio.sleep(max(0.0, started + (index + 1) * FRAME_SECONDS - time.perf_counter()))
    await api.send_binary(prefix)
    return time.perf_counter()


async def _next(queue: asyncio.Queue[TimedEvent]) -> TimedEvent:
    try:
        return await asyncio.wait_for(queue.get(), EVENT_TIMEOUT)
    except TimeoutError:
        raise DemoError("the Assist pipeline stalled (no event for 300 s)") from None


def _seconds(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else round(end - start, 3)


async def run_voice_turn(
    api: HassApi, pipeline_id: str, pcm: bytes, rate: int, out: Path
) -> dict[str, Any]:
    """Speak ``pcm`` into the pipeline as a satellite would; what came back, with timings."""
    turns = await api.subscribe("subscribe_events", event_type="atlas_turn")
    events = await api.subscribe(
        "assist_pipeline/run",
        pipeline=pipeline_id,
        start_stage="stt",
        end_stage="tts",
        # The satellite's own VAD ends the command: the end frame closes the audio.
        input={"sample_rate": rate, "no_vad": True},
    )
    _, start = await _next(events)
    if start["type"] != "run-start":
        raise DemoError(f"pipeline error: {start.get('data')}")
    output = start["data"]["tts_output"]
    suffix = MIME_SUFFIX.get(output["mime_type"], Path(output["url"]).suffix)
    out.parent.mkdir(parents=True, exist_ok=True)
    reply_audio = ReplyAudio(out.with_suffix(suffix), output["mime_type"])
    streamer = asyncio.create_task(
        _stream_audio(api, start["data"]["runner_data"]["stt_binary_handler_id"], pcm, rate)
    )
    download: asyncio.Task[None] | None = None
    marks = Marks()
    transcript = reply = ""
    try:
        while True:
            received, event = await _next(events)
            kind, data = event["type"], event.get("data") or {}
            marks.events.append(kind)
            if kind == "error":
                raise DemoError(f"pipeline error {data.get('code')}: {data.get('message')}")
            if kind == "stt-end":
                marks.stt_end = received
                transcript = data["stt_output"]["text"]
            elif kind == "intent-start":
                marks.intent_start = received
            elif kind == "intent-progress":
                if marks.first_delta is None and (data.get("chat_log_delta") or {}).get("content"):
                    marks.first_delta = received
                if data.get("tts_start_streaming"):
                    marks.tts_streaming = received
            elif kind == "intent-end":
                marks.intent_end = received
                reply = data["intent_output"]["response"]["speech"]["plain"]["speech"]
            elif kind == "tts-end":
                marks.tts_end = received
            elif kind == "run-end":
                break
            # A satellite starts playing once the reply streams, or when TTS is done.
            if download is None and (marks.tts_streaming or marks.tts_end):
                download = asyncio.create_task(reply_audio.fetch(api, output["url"]))
        marks.audio_end = await streamer
        if download is None:
            raise DemoError(f"the pipeline produced no reply audio (events: {marks.events})")
        await asyncio.wait_for(download, EVENT_TIMEOUT)
        _, turn_event = await asyncio.wait_for(turns.get(), 30)
    finally:
        for task in (streamer, download):
            if task is not None and not task.done():
                task.cancel()
    audio_seconds = reply_audio.seconds()
    return {
        "transcript": transcript,
        **turn_fields(turn_event["data"]),
        "reply": reply,
        "reply_audio": str(reply_audio.path),
        "reply_audio_mime": reply_audio.mime_type,
        "reply_audio_seconds": None if audio_seconds is None else round(audio_seconds, 2),
        "latency_s": {
            "stt": _seconds(marks.audio_end, marks.stt_end),
            "llm_ttft": _seconds(marks.intent_start, marks.first_delta),
            "agent": _seconds(marks.intent_start, marks.intent_end),
            "first_audio": _seconds(marks.audio_end, reply_audio.first_byte),
            "total": _seconds(marks.audio_end, reply_audio.last_byte),
        },
    }


def turn_fields(turn: dict[str, Any]) -> dict[str, Any]:
    """What the demo reports of the agent's ``atlas_turn`` event."""
    return {
        "intent": turn.get("intent"),
        "slots": turn.get("slots"),
        "confidence": turn.get("confidence"),
        "understood_by": turn.get("understood_by"),
        "route": turn.get("route"),
        "route_reason": turn.get("route_reason"),
        "answered_by": turn.get("answered_by"),
        "asked": turn.get("asked", False),
        "tools": turn.get("tools", []),
        "speech": turn.get("speech"),
        "error": turn.get("error"),
        "atlas_timings_ms": turn.get("timings_ms", {}),
        "llm_usage": turn.get("usage", {}),
    }


def failed_stage(result: dict[str, Any], expected_intent: str) -> str | None:
    """Why the spoken turn did not do its job (``stage: reason``), or None when it did.

    The job: a transcript, the expected intent understood, an answer that is no apology and
    that may be heard (:func:`.judge.answer_problem`: the intent's tool ran, nothing claimed
    that no tool did, nothing unspeakable, at most 20 s of audio), and reply audio.
    """
    if not str(result.get("transcript") or "").strip():
        return "stt: the transcript is empty"
    if result.get("error"):
        return (
            f"agent: the turn failed ({result['error']}) and ATLAS apologised: {result['reply']!r}"
        )
    if result.get("intent") != expected_intent:
        return (
            f"understanding: intent {result.get('intent')!r} (expected {expected_intent!r}) "
            f"for {result['transcript']!r}"
        )
    if not str(result.get("reply") or "").strip():
        return "agent: the reply is empty"
    if not result.get("reply_audio_seconds"):
        return "tts: the reply has no audio"
    return answer_problem(result)
