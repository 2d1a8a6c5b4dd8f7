"""Claude: the Messages API backend, its settings and the monthly budget."""
