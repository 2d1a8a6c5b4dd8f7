"""HA's own Wyoming integration against atlas-stt and atlas-tts, and a full Assist pipeline
(atlas-stt → ATLAS agent → atlas-tts) in a real HA test instance."""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np
import pytest
from homeassistant.components import stt, tts
from homeassistant.components.assist_pipeline import (
    PipelineEvent,
    PipelineEventType,
    async_pipeline_from_audio_stream,
)
from homeassistant.components.assist_pipeline.pipeline import (
    async_create_default_pipeline,
    async_update_pipeline,
)
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from wyoming.audio import AudioChunk, AudioStop
from wyoming.tts import Synthesize

from custom_components.atlas.const import CONF_REWORD_SKILL_REPLIES
from custom_components.atlas.skills.api import ATLAS_API_ID

from ..servers.wyoming_io import ServerProcess, connect, start_server
from .conftest import setup_atlas
from .scripted_llm import Reply, ScriptedLLM
from .test_agent import AGENT, AGENT_OPTIONS

SENTENCE = "Prepare my morning workout for Monday. My shoulder is sore."


def heard_as_said(heard: str, said: str = SENTENCE) -> bool:
    """Whisper heard ``said`` with at most one word wrong (Piper's synthesis is random, so the
    audio, and a short word like "is", can differ from run to run)."""
    words = [re.findall(r"[a-z']+", text.lower()) for text in (heard, said)]
    matcher = difflib.SequenceMatcher(a=words[0], b=words[1], autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched >= len(words[1]) - 1 and len(words[0]) <= len(words[1]) + 1


REWORDING_AGENT = {
    **AGENT_OPTIONS,
    CONF_LLM_HASS_API: [llm.LLM_API_ASSIST, ATLAS_API_ID],
    CONF_REWORD_SKILL_REPLIES: True,
}
LONG_REPLY = (
    "Here is your Monday morning session. We start with ten minutes of gentle yoga, then "
    "three rounds of squats and lunges, and no overhead work for the shoulder."
)


@pytest.fixture(scope="module")
def speech_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServerProcess]]:
    import pytest_socket

    pytest_socket.enable_socket()
    logs = tmp_path_factory.mktemp("voice")
    servers = {
        "stt": start_server("wyoming_servers.stt", log_dir=logs),
        "tts": start_server("wyoming_servers.tts", log_dir=logs),
    }
    yield servers
    for server in servers.values():
        server.stop()


async def _synthesize(port: int, text: str) -> tuple[bytes, int]:
    audio = bytearray()
    async with connect(port) as conn:
        await conn.send(Synthesize(text=text).event())
        while True:
            event = await conn.recv(60)
            assert event is not None
            if AudioChunk.is_type(event.type):
                chunk = AudioChunk.from_event(event)
                audio += chunk.audio
                rate = chunk.rate
            elif AudioStop.is_type(event.type):
                return bytes(audio), rate


def _to_16k(pcm: bytes, rate: int) -> bytes:
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
    times = np.arange(0, len(samples) / rate, 1 / 16000)
    resampled = np.interp(times, np.arange(len(samples)) / rate, samples)
    return resampled.astype(np.int16).tobytes()


async def _setup_wyoming(hass: HomeAssistant, servers: dict[str, ServerProcess]) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    for server in servers.values():
        entry = MockConfigEntry(domain="wyoming", data={"host": "127.0.0.1", "port": server.port})
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


METADATA = stt.SpeechMetadata(
    language="en",
    format=stt.AudioFormats.WAV,
    codec=stt.AudioCodecs.PCM,
    bit_rate=stt.AudioBitRates.BITRATE_16,
    sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
    channel=stt.AudioChannels.CHANNEL_MONO,
)


async def _chunks(pcm: bytes) -> AsyncIterator[bytes]:
    for offset in range(0, len(pcm), 3200):
        yield pcm[offset : offset + 3200]
        await asyncio.sleep(0)


async def test_ha_wyoming_integration_uses_atlas_stt_and_tts(
    hass: HomeAssistant, socket_enabled: None, speech_servers: dict[str, ServerProcess]
) -> None:
    await _setup_wyoming(hass, speech_servers)
    (stt_id,) = hass.states.async_entity_ids("stt")
    (tts_id,) = hass.states.async_entity_ids("tts")

    pcm, rate = await _synthesize(speech_servers["tts"].port, SENTENCE)
    engine = stt.async_get_speech_to_text_entity(hass, stt_id)
    assert engine is not None
    result = await engine.async_process_audio_stream(METADATA, _chunks(_to_16k(pcm, rate)))
    assert result.result is stt.SpeechResultState.SUCCESS
    assert heard_as_said(result.text), result.text

    tts_entity = hass.data[tts.DATA_COMPONENT].get_entity(tts_id)
    assert tts_entity is not None
    assert tts_entity.async_supports_streaming_input()


async def test_assist_pipeline_starts_tts_before_the_agent_finishes(
    hass: HomeAssistant, socket_enabled: None, speech_servers: dict[str, ServerProcess]
) -> None:
    scripted = ScriptedLLM(replies=[Reply(content=LONG_REPLY, delay=0.05)])
    await scripted.start()
    try:
        await _setup_wyoming(hass, speech_servers)
        assert await async_setup_component(hass, "assist_pipeline", {})
        # The plan tool runs first and the model words its result: a model's reply to a skill
        # intent is only spoken once the skill's tool succeeded (agent/confirmation.py).
        await setup_atlas(hass, scripted.port, agent=REWORDING_AGENT)
        (stt_id,) = hass.states.async_entity_ids("stt")
        (tts_id,) = hass.states.async_entity_ids("tts")
        pipeline = await async_create_default_pipeline(hass, stt_id, tts_id, "ATLAS")
        assert pipeline is not None
        await async_update_pipeline(hass, pipeline, conversation_engine=AGENT,
                                    conversation_language="en")  # fmt: skip

        pcm, rate = await _synthesize(speech_servers["tts"].port, SENTENCE)
        events: list[PipelineEvent] = []
        await async_pipeline_from_audio_stream(
            hass,
            context=Context(),
            event_callback=events.append,
            stt_metadata=METADATA,
            stt_stream=_chunks(_to_16k(pcm, rate)),
            pipeline_id=pipeline.id,
        )
    finally:
        await scripted.stop()

    types = [e.type for e in events]
    assert PipelineEventType.ERROR not in types, [e.data for e in events]
    stt_end = next(e for e in events if e.type is PipelineEventType.STT_END)
    assert stt_end.data is not None
    assert heard_as_said(stt_end.data["stt_output"]["text"]), stt_end.data["stt_output"]
    streaming = [
        i for i, e in enumerate(events)
        if e.type is PipelineEventType.INTENT_PROGRESS and (e.data or {}).get("tts_start_streaming")
    ]  # fmt: skip
    intent_end = types.index(PipelineEventType.INTENT_END)
    assert streaming, "TTS never started streaming"
    assert streaming[0] < intent_end, "TTS must start before the agent finished"
    speech: Any = events[intent_end].data["intent_output"]["response"]["speech"]["plain"]
    assert speech["speech"].strip() == LONG_REPLY
    assert PipelineEventType.TTS_END in types
