"""`reality merge A.jsonl B.jsonl ... -o merged.jsonl`: unify, de-duplicate, cross-reference, tag."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = (
    "Merge datasets of one mode: drop exact and near duplicates (keeping provenance), check every "
    "numeric claim, cross-reference claims between records, tag each record high/medium/low "
    "confidence with reasons, and write a dataset card (README.md) and a report beside the output."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="FILE", help="JSONL datasets (sft, dpo, kto or mo-dpo)")
    parser.add_argument("-o", "--output", required=True, help="merged JSONL to write")
    parser.add_argument("--mode", choices=["sft", "dpo", "kto", "mo-dpo"], help="target mode (mo-dpo inputs project to dpo)")
    parser.add_argument("--min-confidence", choices=["low", "medium", "high"], default="low",
                        help="write only records at or above this confidence (default: low = all)")
    parser.add_argument("--near-threshold", type=float, default=0.8,
                        help="word 5-shingle Jaccard at or above which records are near duplicates (default 0.8)")
    parser.add_argument("--no-near", action="store_true", help="drop exact duplicates only")
    parser.add_argument("--dedup-on", choices=["all", "prompt"], default="all",
                        help="compare all text fields (default) or the prompt only")
    parser.add_argument("--slack", type=float, default=0.10,
                        help="relative gap below which two ranges still agree (default 0.10)")
    parser.add_argument("--tolerance", type=float, help="claim tolerance (default: the config's, 2)")
    parser.add_argument("--dataset", choices=["reality", "features"], help="rule set (default: the config's)")
    parser.add_argument("--config", help="reality.toml / pyproject.toml with [tool.reality]")
    parser.add_argument("--judge-threshold", type=float, default=4.0, help="judge min_chosen_score (default 4.0)")
    parser.add_argument("--judge-margin", type=float, default=0.5, help="'near the threshold' margin (default 0.5)")
    parser.add_argument("--stale-months", type=int, default=12, help="a price older than this is stale (default 12)")
    parser.add_argument("--card", help="dataset card path (default: README.md beside the output)")
    parser.add_argument("--no-card", action="store_true", help="do not write the dataset card")
    parser.add_argument("--force-card", action="store_true", help="overwrite a README.md not written by reality")
    parser.add_argument("--generation-summary", action="append", default=[], metavar="JSON",
                        help="generator summary with models and spend (default: found beside the inputs)")
    parser.add_argument("--no-engine", action="store_true", help="skip claim checks (dedup and provenance only)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="summary format on stdout")
    parser.add_argument("--strict", action="store_true", help="exit 1 when records contradict each other")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reality.review.card import CardError, find_summaries, read_generation, render_card, write_card
    from reality.review.confidence import ConfidenceConfig
    from reality.review.merge import MergeConfig, dump_jsonl, merge, report_json
    from reality.review.modes import InputError

    conf = ConfidenceConfig(judge_min_chosen=args.judge_threshold, judge_margin=args.judge_margin, stale_months=args.stale_months)
    config = MergeConfig(
        mode=args.mode,
        near_threshold=None if args.no_near else args.near_threshold,
        dedup_on=args.dedup_on,
        min_confidence=args.min_confidence,
        crossref_slack=args.slack,
        confidence=conf,
    )
    if not args.no_near and not 0 < args.near_threshold <= 1:
        print("reality merge: --near-threshold must be in (0, 1]", file=sys.stderr)
        return 2
    out = Path(args.output)
    if any(Path(i).resolve() == out.resolve() for i in args.inputs):
        print(f"reality merge: the output {out} is also an input", file=sys.stderr)
        return 2
    engine = None
    if not args.no_engine:
        try:
            from reality.review.engine import Engine

            engine = Engine.default(args.tolerance, args.dataset, args.config, conf=conf)
        except ImportError as exc:
            print(f"reality merge: the validators are not available ({exc}); use --no-engine", file=sys.stderr)
            return 2
        except ValueError as exc:  # ConfigError and friends
            print(f"reality merge: {exc}", file=sys.stderr)
            return 2
    try:
        result = merge(args.inputs, config, engine)
    except InputError as exc:
        print(f"reality merge: {exc}", file=sys.stderr)
        return 2
    report = report_json(result)
    card_path = Path(args.card) if args.card else out.with_name("README.md")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        dump_jsonl(result.records, out)
        Path(str(out) + ".report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if not args.no_card:
            summaries = [Path(p) for p in args.generation_summary] or find_summaries(args.inputs)
            write_card(card_path, render_card(report, str(out), read_generation(summaries)), force=args.force_card)
    except CardError as exc:
        print(f"reality merge: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"reality merge: cannot write: {exc}", file=sys.stderr)
        return 2
    summary = result.summary()
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print_text(summary, report, out, None if args.no_card else card_path)
    return 1 if args.strict and result.crossref.contradictions else 0


def _print_text(summary, report, out, card_path) -> None:
    s = summary
    print(f"merged {s['read']} {s['mode']} records from {len(s['inputs'])} file(s) -> {out}: {s['written']} written")
    for d in report["dropped"][:20]:
        print(f"  dropped {d['file']}:{d['line']}: {d['reason']}")
    if len(report["dropped"]) > 20:
        print(f"  ... {len(report['dropped']) - 20} more duplicates (see {out}.report.json)")
    conf = ", ".join(f"{n} {level}" for level, n in s["confidence"].items())
    print(f"confidence: {conf}" + (f"; {s['below_min_confidence']} below --min-confidence not written" if s["below_min_confidence"] else ""))
    for c in report["contradictions"][:20]:
        a, b = c["a"], c["b"]
        print(
            f"  contradiction on {c['kind']} of {c['subject']!r}: "
            f"record {a['id']} {a['field']}[{a['span'][0]}:{a['span'][1]}] {a['text']!r} vs "
            f"record {b['id']} {b['field']}[{b['span'][0]}:{b['span'][1]}] {b['text']!r}"
        )
    if s["contradictions"] > 20 or s["contradictions_omitted"]:
        print(f"  ... {s['contradictions'] - min(20, s['contradictions']) + s['contradictions_omitted']} more contradictions")
    print(f"report: {out}.report.json" + (f"; dataset card: {card_path}" if card_path else ""))
