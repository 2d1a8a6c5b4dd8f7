"""Short per-conversation history for clients that send only the latest utterance (stock HA)."""

from __future__ import annotations

from collections import OrderedDict

from .request import Message


class ConversationMemory:
    """The last ``max_turns`` exchanges of the ``max_conversations`` most recent conversations."""

    def __init__(self, max_conversations: int = 64, max_turns: int = 6) -> None:
        self.max_conversations = max_conversations
        self.max_turns = max_turns
        self._turns: OrderedDict[str, list[tuple[Message, Message]]] = OrderedDict()

    def history(self, conversation_id: str) -> list[Message]:
        """Earlier messages of a conversation, oldest first."""
        return [m for turn in self._turns.get(conversation_id, []) for m in turn]

    def add(self, conversation_id: str, user: str, assistant: str) -> None:
        """Remember one exchange."""
        turns = self._turns.setdefault(conversation_id, [])
        turns.append((Message("user", user), Message("assistant", assistant)))
        del turns[: -self.max_turns]
        self._turns.move_to_end(conversation_id)
        while len(self._turns) > self.max_conversations:
            self._turns.popitem(last=False)
