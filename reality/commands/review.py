"""`reality review merged.jsonl -o review.html` and `reality review --apply decisions.jsonl merged.jsonl -o final.jsonl`."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = (
    "Write one self-contained HTML review page for a merged dataset (claims highlighted by verdict, "
    "filters, plots, accept / reject / edit, decisions exported as JSONL), or apply exported decisions."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="MERGED", help="merged JSONL (from `reality merge`)")
    parser.add_argument("-o", "--output", required=True, help="review.html to write, or the final JSONL with --apply")
    parser.add_argument("--apply", metavar="DECISIONS", help="apply a decisions JSONL exported from the page")
    parser.add_argument("--undecided", choices=["keep", "drop"], default="keep",
                        help="with --apply: keep (default) or drop records without a decision")
    parser.add_argument("--strip-meta", action="store_true",
                        help="with --apply: drop id, provenance, confidence and review columns")
    parser.add_argument("--only", help="page: only these confidence levels, e.g. low,medium")
    parser.add_argument("--limit", type=int, help="page: at most this many records")
    parser.add_argument("--report", help="page: the merge report (default MERGED.report.json) for dropped duplicates")
    parser.add_argument("--tolerance", type=float, help="claim tolerance (default: the config's, 2)")
    parser.add_argument("--dataset", choices=["reality", "features"], help="rule set (default: the config's)")
    parser.add_argument("--config", help="reality.toml / pyproject.toml with [tool.reality]")
    parser.add_argument("--no-engine", action="store_true", help="page: no claim highlighting")


def run(args: argparse.Namespace) -> int:
    from reality.review.modes import InputError

    if args.apply:
        from reality.review.page import apply_decisions

        try:
            r = apply_decisions(args.input, args.apply, args.output, args.undecided, args.strip_meta)
        except InputError as exc:
            print(f"reality review: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"reality review: cannot write {args.output}: {exc}", file=sys.stderr)
            return 2
        print(
            f"applied {r.accepted + r.rejected + r.edited} decisions ({r.accepted} accepted, {r.rejected} rejected, "
            f"{r.edited} edited; {r.undecided} undecided {'kept' if args.undecided == 'keep' else 'dropped'})"
            f" -> {args.output}: {r.written} records"
            + (f"; {r.overridden} earlier decisions overridden by later lines" if r.overridden else "")
        )
        return 0

    from reality.review.page import build_page

    only = None
    if args.only:
        only = [x.strip() for x in args.only.split(",") if x.strip()]
        bad = [x for x in only if x not in ("low", "medium", "high")]
        if bad:
            print(f"reality review: --only takes low, medium, high; not {', '.join(bad)}", file=sys.stderr)
            return 2
    engine = None
    if not args.no_engine:
        try:
            from reality.review.engine import Engine

            engine = Engine.default(args.tolerance, args.dataset, args.config)
        except ImportError as exc:
            print(f"reality review: the validators are not available ({exc}); use --no-engine", file=sys.stderr)
            return 2
        except ValueError as exc:
            print(f"reality review: {exc}", file=sys.stderr)
            return 2
    try:
        r = build_page(args.input, args.output, engine, only=only, limit=args.limit, report=args.report)
    except InputError as exc:
        print(f"reality review: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"reality review: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {r.records} {r.mode} records, {r.html_bytes / 1e3:,.0f} kB, self-contained (open it in a browser)")
    return 0
