"""The scripted atlas-llm of the integration tests: it lives in ``atlas_eval.scripted_box``
(``atlas-eval turns`` runs on it too); imported from here by the tests.

:class:`ScriptedLLM` here also describes a model size when a test sets ``parameters`` (the
``atlas`` info extension's ``parameters`` and ``native_tools``, as atlas-llm reports them).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from dataclasses import dataclass
from typing import Any

from wyoming.event import Event, async_read_event, async_write_event

from atlas_eval.scripted_box import INFO, Reply, is_structured_pass, is_warm_up
from atlas_eval.scripted_box import ScriptedLLM as _ScriptedLLM
from custom_components.atlas.box import chat_protocol as wire

__all__ = ["INFO", "Reply", "ScriptedLLM", "is_structured_pass", "is_warm_up"]


@dataclass
class ScriptedLLM(_ScriptedLLM):
    """The scripted box; ``parameters`` (None: not said, as an older atlas-llm) and
    ``native_tools`` go into its describe."""

    parameters: int | None = None
    native_tools: bool | None = None

    def info(self) -> dict[str, Any]:
        """The ``info`` answer, with the model's size when one is set."""
        info: dict[str, Any] = copy.deepcopy(INFO)
        extension: dict[str, Any] = info[wire.INFO_KEY]
        if self.parameters is not None:
            extension["parameters"] = self.parameters
        if self.native_tools is not None:
            extension["native_tools"] = self.native_tools
        return info

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while (event := await async_read_event(reader)) is not None:
                if event.type == "describe":
                    await async_write_event(Event("info", self.info()), writer)
                elif event.type == wire.CHAT:
                    self.requests.append(event.data)
                    if not await self._answer(event.data, writer):
                        return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
