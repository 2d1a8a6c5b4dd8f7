"""Entry point of ``atlas-eval``: one subcommand per evaluation module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import learned, models, route, turns

# Each module registers its subcommand with ``register(subparsers)`` and sets ``func``.
COMMANDS = (route, models, turns, learned)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``atlas-eval`` subcommand and return its exit code."""
    parser = argparse.ArgumentParser(
        prog="atlas-eval", description="Offline evaluation of ATLAS components."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
