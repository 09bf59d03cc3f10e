"""`reality generate CONFIG.toml`: generate a grounded SFT / DPO / KTO / MO-DPO dataset.

Exit codes: 0 finished, 1 failed (a fatal provider error, or nothing written),
2 bad config / templates / state, 3 stopped at the budget cap, 130 interrupted
(Ctrl-C; what was written is kept, continue with --resume).
"""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="generator config (TOML; VellumForge2-style configs are read too)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run of this config")
    parser.add_argument("--overwrite", action="store_true", help="start again, replacing an existing output")
    parser.add_argument("--dry-run", action="store_true", help="print expected calls, tokens and cost, then exit")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")
    parser.add_argument("--output", "-o", help="dataset path (overrides generation.output)")
    parser.add_argument("--concurrency", type=int, help="records in flight (overrides generation.concurrency)")
    parser.add_argument("--limit", type=int, help="at most this many prompts")
    parser.add_argument("--budget", type=float, help="budget cap in USD (overrides generation.budget_usd)")
    parser.add_argument("--json", action="store_true", help="print the summary (or dry-run estimate) as JSON")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def _load(args: argparse.Namespace):
    from reality.generator.config import ConfigError, load_config

    try:
        cfg = load_config(args.config)
        g = cfg.generation
        if args.output:
            g.output = args.output
        if args.concurrency:
            g.concurrency = args.concurrency
        if args.limit:
            g.limit = args.limit
        if args.budget:
            g.budget_usd = args.budget
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    except Exception as exc:  # pydantic assignment errors from the overrides
        print(f"error: {exc}", file=sys.stderr)
        return None
    return cfg


def run(args: argparse.Namespace) -> int:
    cfg = _load(args)
    if cfg is None:
        return 2
    from rich.console import Console

    console = Console(stderr=True)
    for note in cfg.warnings:
        console.print(f"[yellow]note:[/] {note}")
    if args.dry_run:
        from reality.generator.estimate import estimate

        try:
            est = estimate(cfg)
        except Exception as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(est, indent=2))
        else:
            _print_estimate(est)
        return 0
    import asyncio
    import signal

    from reality.generator.journal import StateError
    from reality.generator.pipeline import FatalRunError, Generator

    gen = Generator(cfg, resume=args.resume, overwrite=args.overwrite, cache=False if args.no_cache else None,
                    progress=not args.quiet and not args.json, console=console)

    async def main():
        loop = asyncio.get_running_loop()
        hits = {"n": 0}

        def on_signal() -> None:
            hits["n"] += 1
            if hits["n"] > 1:
                raise SystemExit(130)
            console.print("[yellow]stopping: finishing the write in progress; rerun with --resume to continue[/]")
            gen.interrupt()

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        return await gen.run_async()

    try:
        result = asyncio.run(main())
    except (StateError, FatalRunError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    s = result.summary
    if args.json:
        print(json.dumps(s, indent=2))
    else:
        _print_summary(console, s, str(result.summary_path))
    code = result.exit_code
    if code == 0 and s["records_written"] == 0 and s["planned"] > 0:
        code = 1
    return code


def _print_estimate(est: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"dry run: {est['records']} records ({est['mode']}), {est['calls']} calls")
    for col in ("model", "calls", "input tok", "output tok", "output tok (max)", "cost USD", "max USD"):
        t.add_column(col, justify="right" if col != "model" else "left")
    for name, m in est["models"].items():
        t.add_row(name, str(m["calls"]), f"{m['input_tokens']:,}", f"{m['output_tokens']:,}", f"{m['output_tokens_max']:,}",
                  f"{m['cost_usd']:.4f}" if m["priced"] else "unpriced", f"{m['cost_usd_max']:.4f}" if m["priced"] else "-")
    t.add_row("total", str(est["calls"]), "", "", "", f"{est['cost_usd']:.4f}", f"{est['cost_usd_max']:.4f}")
    c = Console()
    c.print(t)
    if est.get("budget_usd"):
        c.print(f"budget cap: {est['budget_usd']} USD")
    for n in est["notes"]:
        c.print(f"[dim]{n}[/]")


def _print_summary(console, s: dict, path: str) -> None:
    from rich.table import Table

    colour = {"completed": "green", "budget": "yellow", "interrupted": "yellow"}.get(s["stop_reason"], "red")
    console.print(f"[{colour}]{s['stop_reason']}[/]: {s['records_written']} of {s['planned']} records "
                  f"({s['rows_in_file']} rows) in {s['output']}")
    if s.get("error"):
        console.print(f"[red]error:[/] {s['error']}")
    if s["dropped"]:
        console.print("dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(s["dropped"].items())))
    t = Table(title="models")
    for col in ("model", "calls", "cached", "retries", "429", "5xx", "timeouts", "truncated", "in tok", "out tok", "tok/s", "USD"):
        t.add_column(col, justify="left" if col == "model" else "right")
    for name, m in s["models"].items():
        t.add_row(name, str(m["calls"]), str(m["cached"]), str(m["retries"]), str(m["rate_limited"]), str(m["server_errors"]),
                  str(m["timeouts"]), str(m["truncated"]), f"{m['prompt_tokens']:,}", f"{m['completion_tokens']:,}",
                  str(m["tokens_per_s"] or "-"), f"{m['cost_usd']:.4f}" if m["priced"] else "unpriced")
    console.print(t)
    console.print(f"cost {s['cost_usd']:.4f} USD; repaired {s['repaired']}; judge-filtered {s['judge_filtered']}; summary: {path}")
    for n in s.get("notes") or []:
        console.print(f"[dim]note: {n}[/]")
    if s["stop_reason"] in ("budget", "interrupted"):
        console.print("continue with: reality generate CONFIG --resume")
