"""`reality explain ID`: one rule in full, with a passing and a failing example."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = "Explain one validation rule: what it checks, its condition and parameters, the fix, and examples."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="ID", help="rule id (R301) or name (claim-out-of-range)")


def run(args: argparse.Namespace) -> int:
    import difflib

    from reality.validators.rules import builtin_rules, find_rule

    rule = find_rule(args.rule)
    if rule is None:
        keys = [r.id for r in builtin_rules()] + [r.name for r in builtin_rules()]
        close = difflib.get_close_matches(args.rule, keys, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see `reality rules`)"
        print(f"reality explain: error: unknown rule {args.rule!r}{hint}", file=sys.stderr)
        return 2
    from rich.console import Console
    from rich.markup import escape

    c = Console(highlight=False)
    c.print(f"[bold]{rule.id} {rule.name}[/]  —  {escape(rule.title)}")
    c.print(f"severity: {rule.severity}    applies to: {rule.applies_to}    datasets: {', '.join(rule.datasets)}")
    c.print(f"check: {rule.check}")
    c.print(f"condition: {escape(rule.condition) if rule.condition else '(fires whenever the check observes the problem)'}")
    if rule.params:
        c.print("parameters: " + ", ".join(f"{k} = {escape(str(v))}" for k, v in rule.params.items()))
    c.print(f"message: {escape(rule.message)}")
    c.print(f"fix: {escape(rule.fix)}")
    c.print(f"[green]passes:[/] {escape(rule.docs.passing)}")
    c.print(f"[red]fails:[/]  {escape(rule.docs.failing)}")
    tune = (f"\nTune it in [tool.reality]: ignore = [\"{rule.id}\"], [tool.reality.severity] {rule.id} = \"warning\""
            + (f", [tool.reality.rules.{rule.id}] {next(iter(rule.params))} = ..." if rule.params else ""))
    c.print(escape(tune))
    return 0
