"""The per-connection Wyoming handler of ``atlas-llm``."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from wyoming.asr import Transcript
from wyoming.event import Event
from wyoming.handle import Handled, HandledChunk, HandledStart, HandledStop
from wyoming.info import Attribution, HandleModel, HandleProgram, Info

from .. import __version__
from ..handler import BaseEventHandler, UnknownEventError
from ..protocol import Limits, ProtocolError, error_event
from . import chat_protocol
from .generation import Dropped, Failed, Finished, JobEvent, Output, Result, Started
from .memory import ConversationMemory
from .model_facts import ModelFacts, read_facts
from .output_parser import TextDelta
from .prompts import DEFAULT_SYSTEM_PROMPT
from .request import ChatRequest, Message, ToolCall, parse_chat_request
from .scheduler import Job, Scheduler

_LOGGER = logging.getLogger(__name__)


@dataclass
class LlmService:
    """What every connection shares: the scheduler, the model's description, the memory."""

    scheduler: Scheduler
    model_name: str
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    max_tokens_cap: int = 2048
    memory: ConversationMemory = field(default_factory=ConversationMemory)

    def info(self) -> Info:
        """The ``info`` answer: a streaming handle program."""
        attribution = Attribution(name="ATLAS", url="https://github.com/atlas-assistant/atlas")
        return Info(
            handle=[
                HandleProgram(
                    name="atlas-llm",
                    description="ATLAS local LLM (llama.cpp)",
                    attribution=attribution,
                    installed=True,
                    version=__version__,
                    models=[
                        HandleModel(
                            name=self.model_name,
                            description=f"{self.model_name} on llama.cpp",
                            attribution=attribution,
                            installed=True,
                            version=None,
                            languages=[],
                        )
                    ],
                    supports_handled_streaming=True,
                )
            ]
        )

    @cached_property
    def facts(self) -> ModelFacts:
        """The loaded model's size and abilities (read once; the model never changes)."""
        return read_facts(self.scheduler.engine)

    def extension(self) -> dict[str, Any]:
        """The ``atlas`` object added to ``info``: how to use the chat extension and which
        model answers (its size and whether its template renders tools)."""
        engine = self.scheduler.engine
        return {
            "protocol": chat_protocol.PROTOCOL,
            "model": self.model_name,
            "n_ctx": engine.n_ctx,
            "n_gpu_layers": engine.config.n_gpu_layers,
            "kv_cache": engine.config.kv_cache,
            "chat_template": engine.template.name,
            "max_queue": self.scheduler.max_queue,
            "max_tokens": self.max_tokens_cap,
            **self.facts.as_extension(),
        }


class LlmEventHandler(BaseEventHandler):
    """Serves ``transcript`` (stock HA) and the ``chat`` extension (ATLAS) on one connection."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        limits: Limits,
        service: LlmService,
    ) -> None:
        super().__init__(reader, writer, limits)
        self.service = service
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_id = 0

    def info(self) -> Info:
        return self.service.info()

    def info_event(self) -> Event:
        event = self.info().event()
        event.data["atlas"] = self.service.extension()
        return event

    async def handle(self, event: Event) -> bool:
        try:
            return await self._handle(event)
        except ProtocolError as err:
            request_id = event.data.get("id")
            if isinstance(request_id, str) and request_id:
                reply = err.to_event()
                reply.data["id"] = request_id  # the client knows which request failed
                await self.write_event(reply)
                return True
            raise

    async def _handle(self, event: Event) -> bool:
        if event.type == chat_protocol.CHAT:
            request = parse_chat_request(event.data, max_tokens_cap=self.service.max_tokens_cap)
            if not request.id:
                self._next_id += 1
                request = _with_id(request, f"req-{self._next_id}")
            if request.id in self._jobs:
                raise ProtocolError(
                    chat_protocol.BAD_REQUEST, f"request id '{request.id}' is already running"
                )
            self._start(request, self._stream_chat)
            return True
        if event.type == chat_protocol.CHAT_CANCEL:
            self._cancel(event.data.get("id"))
            return True
        if Transcript.is_type(event.type):
            transcript = Transcript.from_event(event)
            if not transcript.text or not transcript.text.strip():
                raise ProtocolError(chat_protocol.BAD_REQUEST, "the transcript is empty")
            context = transcript.context or {}
            conversation_id = str(context.get("conversation_id") or "")
            messages = [
                Message("system", self.service.system_prompt),
                *self.service.memory.history(conversation_id),
                Message("user", transcript.text.strip()),
            ]
            self._next_id += 1
            request = ChatRequest(messages=tuple(messages), id=f"handle-{self._next_id}")
            self._start(request, lambda job: self._stream_handled(job, context, transcript.text))
            return True
        raise UnknownEventError(event.type)

    def _start(self, request: ChatRequest, streamer: Any) -> None:
        job = self.service.scheduler.submit(request)  # raises QueueFullError at once
        self._jobs[request.id] = job
        task = asyncio.create_task(streamer(job), name=f"stream {request.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _cancel(self, request_id: Any) -> None:
        jobs = (
            list(self._jobs.values()) if request_id is None else [self._jobs.get(str(request_id))]
        )
        for job in jobs:
            if job is not None and not job.cancel.is_set():
                job.cancel.set()
                if job is not self.service.scheduler.running:
                    job.emit(Dropped())  # still queued: answer now

    async def disconnect(self) -> None:
        """Client gone: stop its generations (within one token) and drop its queued jobs."""
        for job in self._jobs.values():
            job.cancel.set()

    async def _next(self, job: Job) -> JobEvent:
        return await job.events.get()

    async def _stream_chat(self, job: Job) -> None:
        rid = job.request.id
        try:
            while True:
                match await self._next(job):
                    case Started(prompt_tokens, cached_prompt_tokens):
                        start: chat_protocol.ChatStart = {
                            "id": rid, "model": self.service.model_name,
                            "prompt_tokens": prompt_tokens,
                            "cached_prompt_tokens": cached_prompt_tokens,
                        }  # fmt: skip
                        await self.write_event(Event(chat_protocol.CHAT_START, dict(start)))
                    case Output(delta):
                        delta_data = _delta_data(rid, delta)
                        await self.write_event(Event(chat_protocol.CHAT_DELTA, dict(delta_data)))
                    case Finished(result):
                        stop = _stop_data(rid, result)
                        await self.write_event(Event(chat_protocol.CHAT_STOP, dict(stop)))
                        return
                    case Dropped():
                        dropped: chat_protocol.ChatStop = {"id": rid, "finish_reason": "cancelled"}
                        await self.write_event(Event(chat_protocol.CHAT_STOP, dict(dropped)))
                        return
                    case Failed(err):
                        event = error_event(err.code, err.text)
                        event.data["id"] = rid
                        await self.write_event(event)
                        return
        finally:
            self._jobs.pop(rid, None)

    async def _stream_handled(self, job: Job, context: dict[str, Any], user_text: str) -> None:
        rid = job.request.id
        conversation_id = str(context.get("conversation_id") or "")
        started = False
        try:
            while True:
                match await self._next(job):
                    case Started():
                        await self.write_event(HandledStart(context=context).event())
                        started = True
                    case Output(TextDelta(channel="content", text=text)):
                        await self.write_event(HandledChunk(text=text).event())
                    case Output():
                        pass  # thinking and tool calls are not part of a stock HA answer
                    case Finished(result):
                        text = result.content.strip()
                        if started:
                            await self.write_event(HandledStop().event())
                        await self.write_event(Handled(text=text, context=context).event())
                        if conversation_id and text:
                            self.service.memory.add(conversation_id, user_text.strip(), text)
                        return
                    case Dropped():
                        return
                    case Failed(err):
                        await self.send_error(err.code, err.text)
                        return
        finally:
            self._jobs.pop(rid, None)


def _with_id(request: ChatRequest, request_id: str) -> ChatRequest:
    from dataclasses import replace  # noqa: PLC0415 - tiny helper

    return replace(request, id=request_id)


def _delta_data(rid: str, delta: TextDelta | ToolCall) -> chat_protocol.ChatDelta:
    if isinstance(delta, ToolCall):
        return {"id": rid, "tool_call": delta.to_dict()}
    if delta.channel == "thinking":
        return {"id": rid, "thinking": delta.text}
    return {"id": rid, "content": delta.text}


def _stop_data(rid: str, result: Result) -> chat_protocol.ChatStop:
    data: chat_protocol.ChatStop = {
        "id": rid,
        "finish_reason": result.finish_reason,
        "content": result.content,
        "tool_calls": [c.to_dict() for c in result.tool_calls],
        "usage": result.usage.to_dict(),
    }
    if result.thinking:
        data["thinking"] = result.thinking
    if result.invalid_tool_calls:
        data["invalid_tool_calls"] = result.invalid_tool_calls
    return data
