"""``atlas-llm``: a streaming Wyoming LLM server on llama.cpp."""

import os

# llama.cpp's OpenMP threads spin while waiting for work by default. On a box where STT and TTS
# share the CPU with the LLM that spinning steals their cores (and slows decoding several-fold
# under contention), so wait passively unless the user chose otherwise. Must be set before
# llama_cpp loads its library.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
