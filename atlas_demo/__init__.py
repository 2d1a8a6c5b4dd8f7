"""``atlas-demo``: the morning request spoken through a real Home Assistant's Assist pipeline.

The GPU box's servers and a throw-away ``hass`` process run on loopback ports; Home Assistant
drives atlas-stt → the ATLAS conversation agent → atlas-tts exactly as it would for a voice
satellite. Needs Python 3.14 with ``homeassistant`` installed (``scripts/atlas demo`` sets that
up); ``atlas-demo --direct`` talks to the servers without Home Assistant.
"""
