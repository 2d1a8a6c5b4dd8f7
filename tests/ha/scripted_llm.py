"""The scripted atlas-llm of the integration tests: it lives in ``atlas_eval.scripted_box``
(``atlas-eval turns`` runs on it too); imported from here by the tests."""

from __future__ import annotations

from atlas_eval.scripted_box import INFO, Reply, ScriptedLLM, is_structured_pass, is_warm_up

__all__ = ["INFO", "Reply", "ScriptedLLM", "is_structured_pass", "is_warm_up"]
