"""Accuracy of `reality validate` on the labelled claims corpus (tests/data/claims_corpus/).

    .venv/bin/python bench/bench_accuracy.py                 # all splits, Python API
    .venv/bin/python bench/bench_accuracy.py --split holdout # one split
    .venv/bin/python bench/bench_accuracy.py --cli           # same, through `reality validate --format json`
    .venv/bin/python bench/bench_accuracy.py --warnings      # also list warning findings

Each corpus record is a DPO record (prompt / chosen / rejected) labelled "good" (every
numeric claim within the engine's range, i.e. overlapping [low/2, high*2]) or "bad" (exactly
one claim 3x or more off, in ``bad_field``, quoted in ``bad_claim``). See the corpus README.

Only the numeric-claim rules run (``--select R3`` by default):

    R301 claim-out-of-range            error
    R302 claim-unverifiable            warning
    R303 impossible-plan-accepted      error
    R304 correction-without-numbers    warning
    R305 prompt-misconception-uncorrected  error

so word-count / length gates (R201-R204), schema (R1xx) and dataset checks (R5xx) never
count as rejections here. A record's verdict is "reject" when it has an error finding.

Figures per split:

- **recall (strict)**: bad records whose verdict is "reject" AND that have an error finding
  in ``bad_field`` whose span (or, without a span, whose quote) overlaps the labelled
  ``bad_claim``;
- **recall (bad number quoted anywhere)**: as strict, but the overlapping quote may be in any
  field (e.g. the chosen response repeating the prompt's wrong number);
- **recall (loose)**: bad records rejected for any reason;
- **false-rejection rate**: good records whose verdict is "reject".

Then every miss (strict) and every false rejection, with its findings. Prints figures;
asserts nothing (tests/test_accuracy.py holds the targets).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "claims_corpus"
SPLITS = ("tune", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7", "holdout8", "holdout9")
DEFAULT_SELECT = ("R3",)  # R301-R305: the numeric-claim rules
TEXT_FIELDS = ("prompt", "chosen", "rejected")


@dataclass
class Outcome:
    record: dict[str, Any]
    verdict: str
    findings: list[dict[str, Any]]
    strict: bool = False  # bad: caught at the labelled claim, in the labelled field
    quoted: bool = False  # bad: caught with an overlapping quote in any field

    @property
    def id(self) -> str:
        return str(self.record.get("id"))

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f.get("severity") == "error"]


@dataclass
class SplitReport:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def bad(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.record["label"] == "bad"]

    @property
    def good(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.record["label"] == "good"]

    def recall(self, kind: str = "strict") -> float:
        bad = self.bad
        if not bad:
            return float("nan")
        if kind == "strict":
            hit = sum(o.strict for o in bad)
        elif kind == "quoted":
            hit = sum(o.quoted for o in bad)
        else:
            hit = sum(o.verdict == "reject" for o in bad)
        return hit / len(bad)

    @property
    def false_rejection(self) -> float:
        good = self.good
        return sum(o.verdict == "reject" for o in good) / len(good) if good else float("nan")

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.bad if not o.strict]

    @property
    def false_rejections(self) -> list[Outcome]:
        return [o for o in self.good if o.verdict == "reject"]

    def figures(self) -> dict[str, Any]:
        return {
            "records": len(self.outcomes), "bad": len(self.bad), "good": len(self.good),
            "recall_strict": self.recall("strict"), "recall_quoted": self.recall("quoted"),
            "recall_loose": self.recall("loose"), "false_rejection": self.false_rejection,
            "caught_strict": sum(o.strict for o in self.bad),
            "caught_quoted": sum(o.quoted for o in self.bad),
            "rejected_bad": sum(o.verdict == "reject" for o in self.bad),
            "false_rejections": len(self.false_rejections),
            "misses": [o.id for o in self.misses],
            "false_rejection_ids": [o.id for o in self.false_rejections],
        }


# ---------------------------------------------------------------- corpus
def load_split(name: str, corpus: Path = CORPUS) -> list[dict[str, Any]]:
    path = corpus / f"{name}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("\u201c", "").replace("\u201d", "").split())


def score(record: dict[str, Any], verdict: str, findings: list[dict[str, Any]]) -> Outcome:
    """Decide whether a bad record was caught at its labelled claim."""
    out = Outcome(record, verdict, findings)
    if record["label"] != "bad" or verdict != "reject":
        return out
    bad_field, bad_claim = record["bad_field"], record["bad_claim"]
    text = record.get(bad_field) or ""
    start = text.find(bad_claim)
    claim_span = (start, start + len(bad_claim)) if start >= 0 else None
    needle = _norm(bad_claim)
    for f in out.errors:
        quote = _norm(f.get("quote") or "")
        quote_hit = bool(quote) and (quote in needle or needle in quote)
        span = f.get("span")
        if f.get("field") == bad_field:
            if span and claim_span and _overlaps(tuple(span), claim_span):
                out.strict = out.quoted = True
            elif not span and quote_hit:
                out.strict = out.quoted = True
        if quote_hit:
            out.quoted = True
    return out


# ---------------------------------------------------------------- running the validator
def run_api(records: list[dict[str, Any]], select: Iterable[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    from reality.validators import ValidateConfig, validate_record

    config = ValidateConfig(select=list(select))
    results = []
    for rec in records:
        findings = [f.to_dict() for f in validate_record(rec, config)]
        verdict = "reject" if any(f["severity"] == "error" for f in findings) else "accept"
        results.append((verdict, findings))
    return results


def run_cli(path: Path, select: Iterable[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    exe = Path(sys.executable).with_name("reality")
    cmd = [str(exe) if exe.exists() else "reality", "validate", str(path), "--format", "json",
           "--select", ",".join(select)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"reality validate failed ({proc.returncode}): {proc.stderr.strip()}")
    data = json.loads(proc.stdout)
    return [(r["verdict"], r["findings"]) for r in sorted(data["records"], key=lambda r: r["index"])]


def evaluate(splits: Iterable[str] = SPLITS, select: Iterable[str] = DEFAULT_SELECT, cli: bool = False,
             corpus: Path = CORPUS) -> dict[str, SplitReport]:
    reports: dict[str, SplitReport] = {}
    select = tuple(select)
    for name in splits:
        records = load_split(name, corpus)
        started = time.perf_counter()
        results = run_cli(corpus / f"{name}.jsonl", select) if cli else run_api(records, select)
        elapsed = time.perf_counter() - started
        if len(results) != len(records):
            raise SystemExit(f"{name}: {len(records)} records but {len(results)} results")
        rep = SplitReport(name, elapsed_s=elapsed)
        rep.outcomes = [score(rec, verdict, findings) for rec, (verdict, findings) in zip(records, results, strict=True)]
        reports[name] = rep
    return reports


def combined(reports: dict[str, SplitReport]) -> SplitReport:
    rep = SplitReport("+".join(reports))
    for r in reports.values():
        rep.outcomes.extend(r.outcomes)
        rep.elapsed_s += r.elapsed_s
    return rep


# ---------------------------------------------------------------- printing
def _fmt_finding(f: dict[str, Any]) -> str:
    span = f.get("span")
    where = f"{f.get('field')}[{span[0]}:{span[1]}]" if span else f"{f.get('field') or '-'}"
    quote = f" {f.get('quote')!r}" if f.get("quote") else ""
    return f"{f['rule']} {f['severity']:<7} {where}{quote}: {f.get('message', '')}"


def _print_outcome(o: Outcome, warnings: bool) -> None:
    rec = o.record
    if rec["label"] == "bad":
        print(f"  - {o.id} [bad in {rec['bad_field']}: {rec['bad_claim']!r}] verdict={o.verdict}"
              f"{' (quoted elsewhere)' if o.quoted and not o.strict else ''}")
        print(f"      why: {rec['why']}")
    else:
        print(f"  - {o.id} [good] verdict={o.verdict}")
    shown = o.findings if warnings else o.errors
    if not shown:
        print("      (no findings)" if not o.findings else f"      (no errors; {len(o.findings)} warning(s))")
    for f in shown:
        print(f"      {_fmt_finding(f)}")


def print_report(rep: SplitReport, details: bool = True, warnings: bool = False) -> None:
    fig = rep.figures()
    print(f"== {rep.name}: {fig['records']} records ({fig['bad']} bad, {fig['good']} good), "
          f"{rep.elapsed_s * 1000:.0f} ms")
    print(f"   recall (strict: rejected + error at the labelled claim)  {fig['caught_strict']}/{fig['bad']}"
          f" = {fig['recall_strict']:.3f}")
    print(f"   recall (bad number quoted in any field)                  {fig['caught_quoted']}/{fig['bad']}"
          f" = {fig['recall_quoted']:.3f}")
    print(f"   recall (loose: rejected for any reason)                  {fig['rejected_bad']}/{fig['bad']}"
          f" = {fig['recall_loose']:.3f}")
    print(f"   false-rejection rate on good records                     {fig['false_rejections']}/{fig['good']}"
          f" = {fig['false_rejection']:.3f}")
    if details:
        if rep.misses:
            print(f"   misses ({len(rep.misses)}):")
            for o in rep.misses:
                _print_outcome(o, warnings)
        if rep.false_rejections:
            print(f"   false rejections ({len(rep.false_rejections)}):")
            for o in rep.false_rejections:
                _print_outcome(o, warnings)
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", action="append", choices=SPLITS, help="split(s) to run (default: all)")
    ap.add_argument("--select", default=",".join(DEFAULT_SELECT),
                    help="rules to run, comma-separated ids/prefixes/names (default: R3 = R301-R305)")
    ap.add_argument("--cli", action="store_true", help="run `reality validate --format json` instead of the API")
    ap.add_argument("--warnings", action="store_true", help="also list warning findings")
    ap.add_argument("--summary", action="store_true", help="figures only, no per-record lists")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    select = tuple(s.strip() for s in args.select.split(",") if s.strip())
    reports = evaluate(args.split or SPLITS, select, cli=args.cli)
    if len(reports) > 1:
        reports_all = {**reports, "all": combined(reports)}
    else:
        reports_all = dict(reports)
    if args.json:
        print(json.dumps({k: r.figures() for k, r in reports_all.items()}, indent=2))
        return 0
    print(f"rules selected: {', '.join(select)} (via {'reality validate --format json' if args.cli else 'validate_record'})")
    print()
    for name, rep in reports_all.items():
        print_report(rep, details=not args.summary and name != "all", warnings=args.warnings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
