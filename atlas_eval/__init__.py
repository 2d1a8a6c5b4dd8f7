"""``atlas-eval``: offline evaluation commands for ATLAS (routing now; more subcommands later)."""
