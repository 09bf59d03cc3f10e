"""The `reality` command: parse arguments, call one function, render the result.

Each subcommand lives in ``reality/commands/<name>.py`` with ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code). Command modules import nothing heavy at top level,
so building the parser is cheap; the domain code loads only for the command that runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). Order is the order of `reality --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("reality.commands.check", "check a training plan: VRAM, time, cost, verdict"),
    "validate": ("reality.commands.validate", "validate a dataset's numeric claims and quality gates"),
    "generate": ("reality.commands.generate", "generate a grounded SFT/DPO/KTO/MO-DPO dataset"),
    "bakeoff": ("reality.commands.bakeoff", "compare candidate generation models on the same prompts"),
    "merge": ("reality.commands.merge", "merge datasets, cross-reference claims, tag confidence"),
    "review": ("reality.commands.review", "write / apply the human review page"),
    "rules": ("reality.commands.rules", "list the validation rules"),
    "explain": ("reality.commands.explain", "explain one rule with examples"),
    "kb": ("reality.commands.kb", "knowledge base tools (lint, show)"),
}

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line hint (its default), never a traceback."""


def build_parser() -> argparse.ArgumentParser:
    from reality import __version__

    parser = _Parser(prog="reality", description="Fact-grounded reality checks for LLM training plans and data.")
    parser.add_argument("--version", action="version", version=f"reality {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a command not built yet is simply absent
        command = sub.add_parser(name, help=help_text, description=getattr(module, "DESCRIPTION", help_text))
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
