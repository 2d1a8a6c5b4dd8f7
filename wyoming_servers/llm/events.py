"""Event names of the ATLAS chat extension to Wyoming (see docs/protocol.md)."""

CHAT = "chat"
CHAT_CANCEL = "chat-cancel"
CHAT_START = "chat-start"
CHAT_DELTA = "chat-delta"
CHAT_STOP = "chat-stop"

PROTOCOL = "atlas-chat/1"
