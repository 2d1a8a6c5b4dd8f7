"""The router's words, one module per language: vocabulary and safety tables, no logic.

``en`` holds the English vocabulary, safety families and red flags and the words of explicit
requests and planning; ``de``, ``es`` and ``fr`` hold their safety families and red flags, matched
over the folded turn (lower case, no accents or umlauts, French elisions split); ``patterns``
the helpers that build them. ``agent/router.py`` combines them into its compiled patterns.
"""
