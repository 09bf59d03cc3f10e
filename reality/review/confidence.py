"""Confidence tags: high / medium / low per record, with the reasons kept beside the tag.

* ``high``: every numeric claim was checked against sourced, current facts and is in range
  (a record with no numeric claim and no finding is ``high`` too: nothing in it is unchecked).
* ``medium``: checked, but resting on an assumption (a knowledge-base entry marked as an
  assumption) or a stale price (``as_of`` older than ``stale_months``), or a quality-gate
  warning.
* ``low``: an unverifiable claim, a borderline range (in range only thanks to the 2x
  tolerance, or a warning on the claim), a claim out of range, any error, a judge score near
  its threshold, or a contradiction with another record.

The functions here take plain objects (claims and findings with the attributes of
``reality.validators.Claim`` / ``Finding``), so they are testable without the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reality.review.crossref import CHECKED_KINDS, interval

LEVELS = ("low", "medium", "high")
RANK = {name: i for i, name in enumerate(LEVELS)}

# How a finding's rule is read, by the validator check that produced it.
UNVERIFIABLE_CHECKS = frozenset({"claims.unverifiable", "claims.range_unanchored"})
RANGE_CHECKS = frozenset({"claims.range", "claims.prompt_misconception", "claims.impossible_plan"})


@dataclass
class ConfidenceConfig:
    judge_min_chosen: float = 4.0  # judge filtering's min_chosen_score
    judge_max_rejected: float = 3.0  # judge filtering's max_rejected_score
    judge_margin: float = 0.5  # "near the threshold" on the 1-5 scale
    stale_months: int = 12
    today: dt.date | None = None


@dataclass
class ClaimCheck:
    """One claim as the review page shows it: where, what, and the verdict on it."""

    field: str
    span: tuple[int, int]
    kind: str
    text: str
    low: float | None
    high: float | None
    unit: str | None
    verdict: str  # ok | borderline | fail | unverifiable | context
    expected: dict[str, Any] | None = None
    rule: str | None = None
    message: str | None = None
    sources: list[str] = field(default_factory=list)
    subject: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "span": list(self.span),
            "kind": self.kind,
            "text": self.text,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "verdict": self.verdict,
            "expected": self.expected,
            "rule": self.rule,
            "message": self.message,
            "subject": self.subject,
        }


@dataclass
class FactIndex:
    """Which knowledge-base sources are stale or assumptions, looked up by source text or id."""

    stale: Mapping[str, str] = field(default_factory=dict)  # key (id or source) -> reason
    assumed: Mapping[str, str] = field(default_factory=dict)
    cache: dict[str, tuple[str | None, str | None]] = field(default_factory=dict, repr=False)

    def flags(self, source: str) -> tuple[str | None, str | None]:
        return _flags(self, source)

    @classmethod
    def from_kb(cls, kb: Any, today: dt.date | None = None, stale_months: int = 12) -> FactIndex:
        today = today or dt.date.today()
        cutoff = _months_before(today, stale_months)
        stale: dict[str, str] = {}
        assumed: dict[str, str] = {}
        for row in getattr(kb, "prices", []) or []:
            if row.as_of < cutoff:
                why = f"stale price {row.id} (as of {row.as_of.isoformat()}, older than {stale_months} months)"
                stale[row.id] = why
                stale[row.source] = why
        for entries in (getattr(kb, "sections", {}) or {}).values():
            for entry in entries:
                if getattr(entry, "assumption", False):
                    why = f"assumption {entry.id}: {entry.reasoning or 'unsourced'}"
                    assumed[entry.id] = why
        return cls(stale, assumed)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def _flags(index: FactIndex, source: str) -> tuple[str | None, str | None]:
    hit = index.cache.get(source)
    if hit is None:
        stale = index.stale.get(source) or next((v for k, v in index.stale.items() if k in source), None)
        assumed = index.assumed.get(source) or next((v for k, v in index.assumed.items() if k in source), None)
        hit = index.cache.setdefault(source, (stale, assumed))
    return hit


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def check_claims(
    claims: Iterable[tuple[str, Any]],
    findings: Iterable[Any],
    check_of: Callable[[str], str | None],
) -> tuple[list[ClaimCheck], list[Any]]:
    """A verdict per claim from the findings on its span; also the findings tied to no claim."""
    by_field: dict[str | None, list[Any]] = {}
    for f in findings:
        by_field.setdefault(f.field, []).append(f)
    used: set[int] = set()
    checks: list[ClaimCheck] = []
    for field_name, claim in claims:
        span = tuple(claim.span)
        verdict = "ok" if claim.kind in CHECKED_KINDS else "context"
        chosen = None
        for f in by_field.get(field_name, ()):
            if f.span is None or not _overlaps(span, tuple(f.span)):
                continue
            used.add(id(f))
            v = _verdict_of(f, check_of)
            if chosen is None or _WORST[v] < _WORST[verdict]:
                chosen, verdict = f, v
        expected = getattr(chosen, "expected", None) if chosen is not None else None
        if verdict == "ok" and expected and not _inside(claim, expected):
            verdict = "borderline"  # passes only because of the tolerance
        checks.append(
            ClaimCheck(
                field=field_name,
                span=(int(span[0]), int(span[1])),
                kind=claim.kind,
                text=claim.text,
                low=claim.low,
                high=claim.high,
                unit=claim.unit,
                verdict=verdict,
                expected=expected,
                rule=getattr(chosen, "rule", None),
                message=getattr(chosen, "message", None),
                sources=list(getattr(chosen, "sources", None) or []),
                subject=getattr(claim, "subject", None),
            )
        )
    loose = [f for fs in by_field.values() for f in fs if id(f) not in used]
    return checks, loose


_WORST = {"fail": 0, "unverifiable": 1, "borderline": 2, "ok": 3, "context": 4}


def _verdict_of(finding: Any, check_of: Callable[[str], str | None]) -> str:
    check = check_of(finding.rule) or ""
    if check in UNVERIFIABLE_CHECKS or "unverifiable" in finding.rule:
        return "unverifiable"
    if finding.severity == "error":
        return "fail"
    if finding.severity == "warning":
        return "borderline"
    return "ok"  # an info finding on a claim: checked, with its expected range and sources


def _inside(claim: Any, expected: Mapping[str, Any]) -> bool:
    lo, hi = interval(claim)
    elo, ehi = expected.get("low"), expected.get("high")
    if elo is None or ehi is None:
        return True
    return lo <= ehi and elo <= hi


def judge_reasons(record: Mapping[str, Any], cfg: ConfidenceConfig) -> list[str]:
    reasons = []
    chosen = _score(record, ("chosen_score_total", "judge_score", "chosen_score", "score"))
    if chosen is not None and chosen < cfg.judge_min_chosen + cfg.judge_margin:
        reasons.append(f"judge score {chosen:g} near the threshold {cfg.judge_min_chosen:g} (margin {cfg.judge_margin:g})")
    rejected = _score(record, ("rejected_score_total", "rejected_score"))
    if rejected is not None and rejected > cfg.judge_max_rejected - cfg.judge_margin:
        reasons.append(
            f"rejected judge score {rejected:g} near the ceiling {cfg.judge_max_rejected:g} (margin {cfg.judge_margin:g})"
        )
    return reasons


def _score(record: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def tag(
    checks: list[ClaimCheck],
    loose_findings: Iterable[Any],
    record: Mapping[str, Any],
    cfg: ConfidenceConfig,
    facts: FactIndex | None = None,
    extra_sources: Iterable[str] = (),
    contradictions: Iterable[str] = (),
) -> tuple[str, list[str]]:
    """The tag and its reasons, most serious first."""
    low: list[str] = []
    medium: list[str] = []
    for c in checks:
        what = f"{c.field}: {c.kind} claim {c.text!r}"
        if c.verdict == "fail":
            low.append(f"{what} out of range ({c.rule})")
        elif c.verdict == "unverifiable":
            low.append(f"{what} unverifiable" + (f": {c.message}" if c.message else ""))
        elif c.verdict == "borderline":
            low.append(f"{what} borderline" + (f" (expected {_fmt_expected(c.expected)})" if c.expected else ""))
    for f in loose_findings:
        if f.severity == "error":
            low.append(f"{f.rule}: {f.message}")
        elif f.severity == "warning":
            medium.append(f"{f.rule}: {f.message}")
    low += judge_reasons(record, cfg)
    low += [f"contradicts {c}" for c in contradictions]
    checked = [c for c in checks if c.verdict in ("ok", "borderline")]
    if facts is not None and checked:
        seen: set[str] = set()
        sources = [s for c in checked for s in c.sources] + list(extra_sources)
        for source in sources:
            stale, assumed = facts.flags(source)
            for why in (stale, assumed):
                if why and why not in seen:
                    seen.add(why)
                    medium.append(f"rests on {why}")
    if low:
        return "low", _dedupe(low + medium)
    if medium:
        return "medium", _dedupe(medium)
    n = sum(1 for c in checks if c.verdict == "ok")
    if n:
        return "high", [f"{n} numeric claim{'s' if n != 1 else ''} checked against sourced, current facts, all in range"]
    return "high", ["no numeric claims to check; no findings"]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _fmt_expected(expected: Mapping[str, Any] | None) -> str:
    if not expected:
        return "?"
    return f"{_num(expected.get('low'))}-{_num(expected.get('high'))} {expected.get('unit') or ''}".strip()


def _num(x: Any) -> str:
    if not isinstance(x, int | float):
        return "?"
    return f"{x:,.3g}" if abs(x) < 1e4 else f"{x:,.0f}"


def at_least(level: str, minimum: str) -> bool:
    return RANK[level] >= RANK[minimum]
