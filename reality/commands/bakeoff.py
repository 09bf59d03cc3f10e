"""`reality bakeoff CONFIG.toml`: the same prompts through candidate models, one comparison table.

Candidates come from ``[bakeoff] candidates = [{model = "...", ...}]`` in the config (each
inherits the main model's settings) and/or ``--model NAME`` (repeatable).
"""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="generator config (TOML)")
    parser.add_argument("--model", action="append", default=[], help="candidate litellm model name (repeatable)")
    parser.add_argument("--sample", type=int, default=10, help="number of prompts (default 10)")
    parser.add_argument("--no-cache", action="store_true", help="accepted for symmetry; the bake-off never caches")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")


def run(args: argparse.Namespace) -> int:
    from reality.generator.bakeoff import bakeoff, candidates_from
    from reality.generator.config import ConfigError, load_config

    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cfg.runtime.cache = False
    cands = candidates_from(cfg, args.model)
    if not cands:
        print("error: no candidates: pass --model NAME or set [bakeoff] candidates", file=sys.stderr)
        return 2
    rows = bakeoff(cfg, cands, sample=args.sample)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"bake-off on {args.sample} prompts")
    cols = [("model", "model"), ("avg chosen words", "avg_chosen_words"), ("avg rejected words", "avg_rejected_words"),
            ("tok/s", "tokens_per_s"), ("USD/example", "cost_per_example_usd"), ("validation pass", "validation_pass_rate"),
            ("judge score", "judge_score"), ("failed", "failed")]
    for title, _ in cols:
        t.add_column(title, justify="left" if title == "model" else "right")
    for r in rows:
        t.add_row(*[("unpriced" if k == "cost_per_example_usd" and not r["priced"] else "-" if r[k] is None else str(r[k])) for _, k in cols])
    Console().print(t)
    return 0
