"""Tracks whether the GPU box answers: availability, one log line per change, repair issues.

Two problems are told apart: the box is unreachable (its agents go unavailable), or atlas-box
stopped a crashing atlas-llm and serves its crash report instead (the agents stay available for
the skills and say what happened; the repair issue says what to try).
"""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval

from ..const import DOMAIN, ISSUE_BOX_CRASHED, ISSUE_BOX_UNREACHABLE, LOGGER, RECONNECT_INTERVAL
from ..listeners import ChangeListeners
from .client import AtlasClient, AtlasError


class BoxHealth(ChangeListeners):
    """Availability of one GPU box, shared by every entity of its config entry."""

    def __init__(self, hass: HomeAssistant, client: AtlasClient, entry_id: str, title: str) -> None:
        super().__init__()
        self.hass = hass
        self.client = client
        self.entry_id = entry_id
        self.title = title
        self.available = True
        self.crash: str | None = None
        self._unsub_probe: CALLBACK_TYPE | None = None

    @property
    def issue_id(self) -> str:
        """The repair issue raised while this box is unreachable."""
        return f"{ISSUE_BOX_UNREACHABLE}_{self.entry_id}"

    @property
    def crash_issue_id(self) -> str:
        """The repair issue raised while the box reports a crashed atlas-llm."""
        return f"{ISSUE_BOX_CRASHED}_{self.entry_id}"

    @property
    def healthy(self) -> bool:
        """Reachable and no crash reported."""
        return self.available and self.crash is None

    def _placeholders(self) -> dict[str, str]:
        return {"name": self.title, "host": self.client.host, "port": str(self.client.port)}

    @callback
    def mark_lost(self, reason: str) -> None:
        """The box stopped answering: log once, raise a repair issue, probe until it is back."""
        if not self.available:
            return
        self.available = False
        LOGGER.warning("ATLAS GPU box %s is unreachable: %s", self.title, reason)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_BOX_UNREACHABLE,
            translation_placeholders=self._placeholders(),
        )
        self._start_probe()
        self._async_notify()

    @callback
    def mark_crashed(self, details: str) -> None:
        """atlas-box reports a crash loop: log once, raise a repair issue saying what to try."""
        if self.crash == details:
            return
        self.crash = details
        LOGGER.error("ATLAS GPU box %s: its language model keeps crashing: %s", self.title, details)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.crash_issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_BOX_CRASHED,
            translation_placeholders={**self._placeholders(), "details": details},
        )
        self._start_probe()
        self._async_notify()

    @callback
    def mark_ok(self) -> None:
        """The box answered without a crash report: log once and clear the repair issues."""
        if self.healthy:
            return
        if not self.available:
            LOGGER.info("ATLAS GPU box %s is reachable again", self.title)
        if self.crash is not None:
            LOGGER.info("ATLAS GPU box %s serves its language model again", self.title)
        self.available = True
        self.crash = None
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
        ir.async_delete_issue(self.hass, DOMAIN, self.crash_issue_id)
        if self._unsub_probe is not None:
            self._unsub_probe()
            self._unsub_probe = None
        self._async_notify()

    def _start_probe(self) -> None:
        if self._unsub_probe is None:
            self._unsub_probe = async_track_time_interval(
                self.hass, self._async_probe, RECONNECT_INTERVAL, name="atlas box probe"
            )

    async def _async_probe(self, _now: object = None) -> None:
        try:
            info = await self.client.async_describe()
        except AtlasError:
            return
        if info.crash is not None:
            if not self.available:  # reachable again, still crashed
                self.available = True
                ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
                self._async_notify()
            self.mark_crashed(info.crash)
            return
        self.mark_ok()

    @callback
    def async_shutdown(self) -> None:
        """Stop probing (entry unload)."""
        if self._unsub_probe is not None:
            self._unsub_probe()
            self._unsub_probe = None
