"""Synthesis slots handed out earliest-deadline-first across connections.

Every Piper run uses all CPU cores already, so running many at once only makes each of them
slower. Instead a few slots are shared, and a waiting job is chosen by its deadline: the moment its
client runs out of audio. A client still waiting for its first sound has the earliest deadline; a
client with seconds of speech buffered waits its turn. Jobs are one sentence long, so no connection
holds a slot for long.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class DeadlineScheduler:
    """An asyncio semaphore whose waiters are woken in deadline order."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        """Jobs queued for a slot."""
        return sum(1 for *_, future in self._waiting if not future.done())

    @asynccontextmanager
    async def slot(self, deadline: float) -> AsyncIterator[None]:
        """Hold one slot for the body; the earliest ``deadline`` (loop time) is served first."""
        if self._free > 0 and not self.waiting:
            self._free -= 1
        else:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (deadline, next(self._order), future))
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._release()  # granted just as we were cancelled: pass it on
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiting:
            *_, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)
                return
        self._free += 1
