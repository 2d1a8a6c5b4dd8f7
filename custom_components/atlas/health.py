"""Tracks whether the GPU box answers: availability, one log line per change, a repair issue."""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval

from .client import AtlasClient, AtlasError
from .const import DOMAIN, ISSUE_BOX_UNREACHABLE, LOGGER, RECONNECT_INTERVAL
from .listeners import ChangeListeners


class BoxHealth(ChangeListeners):
    """Availability of one GPU box, shared by every entity of its config entry."""

    def __init__(self, hass: HomeAssistant, client: AtlasClient, entry_id: str, title: str) -> None:
        super().__init__()
        self.hass = hass
        self.client = client
        self.entry_id = entry_id
        self.title = title
        self.available = True
        self._unsub_probe: CALLBACK_TYPE | None = None

    @property
    def issue_id(self) -> str:
        """The repair issue raised while this box is unreachable."""
        return f"{ISSUE_BOX_UNREACHABLE}_{self.entry_id}"

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
            translation_placeholders={"name": self.title, "host": self.client.host,
                                      "port": str(self.client.port)},
        )  # fmt: skip
        self._unsub_probe = async_track_time_interval(
            self.hass, self._async_probe, RECONNECT_INTERVAL, name="atlas box probe"
        )
        self._async_notify()

    @callback
    def mark_ok(self) -> None:
        """The box answered: log once and clear the repair issue."""
        if self.available:
            return
        self.available = True
        LOGGER.info("ATLAS GPU box %s is reachable again", self.title)
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
        if self._unsub_probe is not None:
            self._unsub_probe()
            self._unsub_probe = None
        self._async_notify()

    async def _async_probe(self, _now: object = None) -> None:
        try:
            await self.client.async_describe()
        except AtlasError:
            return
        self.mark_ok()

    @callback
    def async_shutdown(self) -> None:
        """Stop probing (entry unload)."""
        if self._unsub_probe is not None:
            self._unsub_probe()
            self._unsub_probe = None
