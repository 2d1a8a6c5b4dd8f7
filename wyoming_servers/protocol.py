"""Reading Wyoming events defensively: size caps, clear errors, no crashes.

Wyoming frames an event as one JSON header line, then optional extra JSON ``data`` bytes and a
binary ``payload``. The stock reader trusts every length it is given; this one enforces caps so a
malformed or hostile client gets an ``error`` event instead of exhausting memory or killing the
connection loop.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from wyoming.error import Error
from wyoming.event import Event

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """Caps applied to every incoming event."""

    max_header_bytes: int = 64 * KIB
    max_data_bytes: int = 1 * MIB
    max_payload_bytes: int = 4 * MIB


class ProtocolError(Exception):
    """A malformed or oversized event.

    ``fatal`` means the byte stream can no longer be re-synchronised, so the connection must close
    after the error event has been sent.
    """

    def __init__(self, code: str, text: str, *, fatal: bool = False) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.fatal = fatal

    def to_event(self) -> Event:
        """Return the Wyoming ``error`` event describing this problem."""
        return Error(text=self.text, code=self.code).event()


def error_event(code: str, text: str) -> Event:
    """Build a Wyoming ``error`` event."""
    return Error(text=text, code=code).event()


async def _read_line(reader: asyncio.StreamReader, limit: int) -> bytes:
    """Read one header line of at most ``limit`` bytes (newline included)."""
    try:
        return await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as err:
        if err.partial:
            raise ProtocolError(
                "truncated", "connection closed in the middle of an event header", fatal=True
            ) from err
        return b""
    except asyncio.LimitOverrunError as err:
        raise ProtocolError(
            "header_too_large",
            f"event header is longer than the stream buffer ({err.consumed} bytes without a "
            f"newline; limit {limit} bytes)",
            fatal=True,
        ) from err


def _length(header: dict[str, Any], key: str, cap: int) -> int:
    value = header.get(key)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProtocolError("bad_header", f"'{key}' must be a non-negative integer", fatal=True)
    if value > cap:
        raise ProtocolError(
            "too_large", f"'{key}' is {value} bytes; this server accepts at most {cap}", fatal=True
        )
    return value


async def read_event(reader: asyncio.StreamReader, limits: Limits) -> Event | None:
    """Read one event, or ``None`` at a clean end of stream.

    Raises :class:`ProtocolError` for anything malformed. Non-fatal errors leave the stream
    positioned at the next event header.
    """
    line = await _read_line(reader, limits.max_header_bytes)
    if not line:
        return None
    if len(line) > limits.max_header_bytes:
        raise ProtocolError(
            "header_too_large",
            f"event header is {len(line)} bytes; this server accepts at most "
            f"{limits.max_header_bytes}",
        )
    if not line.strip():
        raise ProtocolError("bad_header", "empty event header line")
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ProtocolError("bad_json", f"event header is not valid JSON: {err}") from err
    if not isinstance(header, dict):
        raise ProtocolError("bad_header", "event header must be a JSON object")

    data_length = _length(header, "data_length", limits.max_data_bytes)
    payload_length = _length(header, "payload_length", limits.max_payload_bytes)
    try:
        data_bytes = await reader.readexactly(data_length) if data_length else b""
        payload = await reader.readexactly(payload_length) if payload_length else None
    except asyncio.IncompleteReadError as err:
        raise ProtocolError(
            "truncated", "connection closed before the event's data/payload arrived", fatal=True
        ) from err

    event_type = header.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ProtocolError("bad_header", "event header needs a non-empty string 'type'")
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise ProtocolError("bad_data", "event 'data' must be a JSON object")
    if data_bytes:
        try:
            extra = json.loads(data_bytes)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ProtocolError("bad_json", f"event data is not valid JSON: {err}") from err
        if not isinstance(extra, dict):
            raise ProtocolError("bad_data", "event data must be a JSON object")
        data.update(extra)
    return Event(type=event_type, data=data, payload=payload)
