"""The `rustify` command line (also `python -m rustify`).

Each command lives in its own module here with two functions:
`add_parser(subparsers)` registers its arguments (and
`set_defaults(run=run)`), and `run(args) -> int` does
the work (exit code). Command modules import the heavy parts lazily, so
`rustify --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command name -> module (in the order `--help` lists them)
COMMANDS = {
    "profile": "rustify.cli.profile",
    "accelerate": "rustify.cli.accelerate",
    "explain": "rustify.cli.explain",
    "report": "rustify.cli.report",
    "cache": "rustify.cli.cache",
    "doctor": "rustify.cli.doctor",
    "run": "rustify.cli.run",
}


def build_parser() -> argparse.ArgumentParser:
    from rustify._version import __version__

    parser = argparse.ArgumentParser(
        prog="rustify",
        description="Make slow pure-Python numeric functions fast by translating them to Rust.")
    parser.add_argument("--version", action="version", version=f"rustify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS.values():
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse `argv` (default sys.argv[1:]) and run the command."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # `rustify explain ... | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
