"""`reality kb lint | show`: check the knowledge base, or summarise what it holds."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = "Knowledge-base tools: `lint` validates it (exit 1 on errors), `show` summarises its coverage."


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="kb_command", metavar="SUBCOMMAND", required=True)
    lint = sub.add_parser("lint", help="validate the shipped knowledge base and any extra directories")
    lint.add_argument("dirs", nargs="*", help="extra knowledge-base directories or YAML files")
    lint.add_argument("--seed-tables", action="store_true", help="also give a verdict for every row of the seed's tables")
    lint.add_argument("--tolerance", type=float, default=2.0, help="seed-table tolerance (default 2x)")
    lint.add_argument("--format", choices=["text", "json"], default="text")
    show = sub.add_parser("show", help="summarise the knowledge base (coverage, version)")
    show.add_argument("dirs", nargs="*")


def run(args: argparse.Namespace) -> int:
    if args.kb_command == "show":
        return _show(args)
    from reality.calculators.kblint import lint, seed_verdicts

    missing = [d for d in args.dirs if not __import__("os").path.exists(d)]
    if missing:
        print(f"reality kb lint: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    kb, problems = lint(args.dirs)
    errors = [p for p in problems if p.severity == "error"]
    verdicts = seed_verdicts(kb, args.tolerance) if args.seed_tables and not errors else []
    if args.format == "json":
        json.dump(
            {
                "problems": [p.__dict__ for p in problems],
                "errors": len(errors),
                "warnings": len(problems) - len(errors),
                "seed_tables": verdicts,
            },
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        for problem in problems:
            print(problem)
        if verdicts:
            _print_verdicts(verdicts, args.tolerance)
        counts = ", ".join(f"{len(v)} {k}" for k, v in kb.sections.items())
        status = "FAILED" if errors else "ok"
        print(f"kb lint {status}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s); {counts}")
    return 1 if errors else 0


def _print_verdicts(verdicts: list[dict], tolerance: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Seed tables vs the engine (within {tolerance:g}x?)", show_lines=False)
    for column in ("row", "scenario", "seed says", "engine (low-high)", "verdict"):
        table.add_column(column)
    for v in verdicts:
        engine = v.get("engine")
        shown = f"{engine['low']:.3g} - {engine['high']:.3g}" if engine else "-"
        style = {"within": "green", "off": "red"}.get(v["verdict"], "yellow")
        table.add_row(v["id"], v["scenario"], v["claim"], shown, f"[{style}]{v['verdict']}[/] {v['why']}")
    Console().print(table)
    off = sum(v["verdict"] == "off" for v in verdicts)
    print(f"seed rows: {len(verdicts)}, within {tolerance:g}x: {len(verdicts) - off}, off: {off}")


def _show(args: argparse.Namespace) -> int:
    from reality.knowledge import KnowledgeError, load_kb

    try:
        kb = load_kb(args.dirs)
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"knowledge base {kb.version} ({len(kb.files)} files)")
    for name, entries in kb.sections.items():
        assumed = sum(e.assumption for e in entries)
        print(f"  {name:16} {len(entries):4} entries" + (f" ({assumed} assumptions)" if assumed else ""))
    return 0
