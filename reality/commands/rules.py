"""`reality rules`: list the validation rules."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = "List the rules of `reality validate` (ids, names, severities, what they check). Rules are data: reality/knowledge/data/rules.yaml."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the rules as JSON")
    parser.add_argument("--config", metavar="FILE", help="show severities / parameters after this config")
    parser.add_argument("--dataset", choices=("reality", "features"), help="only rules that run for this dataset kind")


def run(args: argparse.Namespace) -> int:
    from reality.validators.config import ConfigError, load_config
    from reality.validators.rules import RulesError, builtin_rules

    try:
        config = load_config(args.config)
        active = {r.id: r for r in config.rules.all.values()}
    except (ConfigError, RulesError) as exc:
        print(f"reality rules: error: {exc}", file=sys.stderr)
        return 2
    rules = [active.get(r.id, r) for r in builtin_rules()]
    if args.dataset:
        rules = [r for r in rules if args.dataset in r.datasets]
    if args.json:
        json.dump([r.model_dump() | {"enabled": r.id in active} for r in rules], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for col in ("id", "name", "severity", "applies to", "title"):
        table.add_column(col)
    for r in rules:
        sev = r.severity if r.id in active else f"[dim]off[/] ({r.severity})"
        table.add_row(r.id, r.name, sev, r.applies_to, r.title)
    Console(highlight=False).print(table)
    return 0
