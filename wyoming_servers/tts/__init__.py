"""``atlas-tts``: Piper text to speech over Wyoming, streaming sentence by sentence."""
