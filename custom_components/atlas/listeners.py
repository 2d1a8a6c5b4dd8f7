"""Change listeners: the entities that show a store's data subscribe to its changes."""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, callback


class ChangeListeners:
    """Base for ATLAS's stores: ``async_add_listener`` and ``_async_notify``."""

    def __init__(self) -> None:
        """No listeners yet."""
        self._listeners: list[CALLBACK_TYPE] = []

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` on every change; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _async_notify(self) -> None:
        for listener in list(self._listeners):
            listener()
