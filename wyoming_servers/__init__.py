"""ATLAS GPU box: Wyoming servers for speech-to-text, text-to-speech and a local LLM."""

__version__ = "0.1.0"
