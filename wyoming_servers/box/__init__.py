"""``atlas-box``: run the ATLAS GPU box (STT, TTS, LLM) from one command, plan its GPU memory,
and download its models."""
