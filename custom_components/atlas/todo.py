"""The "ATLAS reminders" to-do list: reminders with due times, editable from the UI."""

from __future__ import annotations

from datetime import date, datetime

from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.components.todo.entity import TodoItem, TodoListEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .runtime import AtlasConfigEntry
from .skills.reminders import ReminderManager

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AtlasConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One reminders list per GPU box entry."""
    async_add_entities([AtlasRemindersEntity(entry, entry.runtime_data.skills.reminders)])


def _due(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="reminder_needs_time")


class AtlasRemindersEntity(TodoListEntity):
    """The reminders of one entry; it works whether or not the GPU box answers."""

    _attr_has_entity_name = True
    _attr_translation_key = "reminders"
    _attr_should_poll = False
    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.MOVE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    def __init__(self, entry: AtlasConfigEntry, manager: ReminderManager) -> None:
        """Show ``manager``'s reminders."""
        self._manager = manager
        self._attr_unique_id = f"{entry.entry_id}_reminders"
        self._attr_todo_items = [r.as_todo_item() for r in manager.reminders]

    async def async_added_to_hass(self) -> None:
        """Follow changes made by the tools, the timers and the services."""
        await super().async_added_to_hass()
        self.async_on_remove(self._manager.async_add_listener(self._async_refresh))

    @callback
    def _async_refresh(self) -> None:
        self._attr_todo_items = [r.as_todo_item() for r in self._manager.reminders]
        self.async_write_ha_state()

    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Add a reminder."""
        await self._manager.async_create(item.summary or "", _due(item.due), item.description)

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Change a reminder: a new due time re-arms it, completing it disarms it."""
        assert item.uid is not None
        await self._manager.async_update(
            item.uid,
            summary=item.summary or "",
            due=_due(item.due),
            description=item.description,
            completed=item.status == TodoItemStatus.COMPLETED,
        )

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Remove reminders."""
        await self._manager.async_delete(uids)

    async def async_move_todo_item(self, uid: str, previous_uid: str | None = None) -> None:
        """Reorder the list."""
        await self._manager.async_move(uid, previous_uid)
