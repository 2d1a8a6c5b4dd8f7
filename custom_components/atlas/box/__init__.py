"""The GPU box as the integration sees it: the atlas-llm client, its protocol and its health."""
