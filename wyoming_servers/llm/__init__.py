"""``atlas-llm``: a streaming Wyoming LLM server on llama.cpp."""
