"""``atlas-stt``: a faster-whisper speech-to-text server speaking the Wyoming protocol."""
