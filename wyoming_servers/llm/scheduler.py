"""A bounded FIFO of generation jobs served by one engine thread.

The event loop never runs engine code: jobs execute on a single worker thread (one model per
process) and stream their output back through ``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..protocol import ProtocolError
from .chat_protocol import QUEUE_FULL
from .engine import LlamaEngine
from .generation import Cancelled, Dropped, Failed, Finished, JobEvent
from .request import ChatRequest

_LOGGER = logging.getLogger(__name__)


class QueueFullError(ProtocolError):
    """Every queue slot is taken."""

    def __init__(self, size: int) -> None:
        super().__init__(QUEUE_FULL, f"the server is busy: {size} requests are already waiting")


@dataclass
class Job:
    """One request on its way through the queue."""

    request: ChatRequest
    loop: asyncio.AbstractEventLoop
    events: asyncio.Queue[JobEvent] = field(default_factory=asyncio.Queue)
    cancel: threading.Event = field(default_factory=threading.Event)
    enqueued_at: float = field(default_factory=time.perf_counter)

    def emit(self, event: JobEvent) -> None:
        """Called from the engine thread (or the loop): hand one event to the event loop."""
        self.loop.call_soon_threadsafe(self.events.put_nowait, event)


class Scheduler:
    """Runs jobs one at a time, first in first out, with at most ``max_queue`` waiting."""

    def __init__(self, engine: LlamaEngine, max_queue: int) -> None:
        self.engine = engine
        self.max_queue = max_queue
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")
        self._worker: asyncio.Task[None] | None = None
        self.running: Job | None = None

    @property
    def waiting(self) -> int:
        """Jobs queued but not started."""
        return self._queue.qsize()

    def start(self) -> None:
        """Start the worker task (call from the event loop)."""
        self._worker = asyncio.get_running_loop().create_task(self._work(), name="llama worker")

    def submit(self, request: ChatRequest) -> Job:
        """Queue a request, or raise :class:`QueueFullError` at once."""
        if self._queue.qsize() >= self.max_queue:
            raise QueueFullError(self._queue.qsize())
        job = Job(request, asyncio.get_running_loop())
        self._queue.put_nowait(job)
        return job

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = await self._queue.get()
            if job.cancel.is_set():
                job.emit(Dropped())
                continue
            self.running = job
            queue_ms = (time.perf_counter() - job.enqueued_at) * 1000
            try:
                result = await loop.run_in_executor(
                    self._executor,
                    self.engine.generate,
                    job.request,
                    job.emit,
                    job.cancel,
                    queue_ms,
                )
                job.emit(Finished(result))
            except Cancelled:
                job.emit(Dropped())
            except ProtocolError as err:
                job.emit(Failed(err))
            except Exception as err:
                _LOGGER.exception("Generation failed")
                job.emit(Failed(ProtocolError("engine_error", f"generation failed: {err}")))
            finally:
                self.running = None

    async def close(self) -> None:
        """Stop the worker and release the thread."""
        if self.running is not None:
            self.running.cancel.set()
        if self._worker is not None:
            self._worker.cancel()
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)
