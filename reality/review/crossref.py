"""Cross-reference numeric claims across records: one question, two answers.

Two claims are about the same thing when they share kind, unit, subject (normalised), role
and the attributes that change the answer (method, GPU, count, ...). They contradict when
their ranges do not overlap even after a small relative slack, whether or not each alone is
within the engine's 2x tolerance: a dataset that says "7B QLoRA needs 6 GB" in one record and
"7B QLoRA needs 10-12 GB" in another teaches two answers to one question.

The work is a dict grouping plus a sort per group; a group with many claims reports at most
``max_pairs_per_group`` pairs (the most extreme first) and counts the rest.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Attributes of a claim that change the answer to the question it answers.
KEY_ATTRS = (
    "method", "gpu", "gpu_count", "count", "model", "model_params", "params", "dataset_examples",
    "dataset_tokens", "dataset_bytes", "epochs", "per", "currency", "gpu_hours", "precision", "provider_class",
)
# Qualifiers that change which quantity a number is (per GPU vs total, per epoch vs all epochs).
KEY_QUALIFIERS = frozenset({"per_gpu", "per_epoch", "per_hour", "total"})
METHOD_ALIASES = {"4-bit": "qlora", "4bit": "qlora", "nf4": "qlora", "int4": "qlora", "full fine-tune": "full", "full-ft": "full"}
# Claims about what the engine computes; inputs (model size, dataset size, epochs) are context.
CHECKED_KINDS = frozenset({"money", "duration", "memory", "throughput"})
APPROX = frozenset({"~", "approx", "about", "around", "roughly", "approximately", "≈"})
AT_LEAST = frozenset({"+", "at least", "min", "minimum", ">=", "more than", "over", "lower_bound"})
UP_TO = frozenset({"up to", "at most", "max", "maximum", "<=", "under", "less than", "below", "upper_bound"})

_NON_WORD = re.compile(r"[^a-z0-9.]+")


@dataclass(frozen=True)
class ClaimRef:
    """A claim located in the merged dataset."""

    record: int  # index in the merged output
    record_id: str
    field: str
    claim: Any  # reality.validators.Claim (or anything with the same attributes)

    def interval(self) -> tuple[float, float]:
        return interval(self.claim)

    def to_json(self) -> dict[str, Any]:
        c = self.claim
        return {
            "record": self.record,
            "id": self.record_id,
            "field": self.field,
            "span": list(c.span),
            "text": c.text,
            "low": c.low,
            "high": c.high,
            "unit": c.unit,
        }


@dataclass
class Contradiction:
    key: tuple
    a: ClaimRef
    b: ClaimRef
    gap: float  # b.low / a.high: how far apart the two ranges are

    def to_json(self) -> dict[str, Any]:
        kind, unit, subject, role, attrs = self.key
        return {
            "kind": kind,
            "unit": unit,
            "subject": subject,
            "role": role,
            "attrs": dict(attrs),
            "gap": round(self.gap, 3),
            "a": self.a.to_json(),
            "b": self.b.to_json(),
        }


@dataclass
class CrossrefResult:
    contradictions: list[Contradiction] = field(default_factory=list)
    omitted: int = 0  # pairs beyond the per-group cap
    groups: int = 0  # subject/quantity groups with claims from two or more records

    def by_record(self) -> dict[int, list[Contradiction]]:
        out: dict[int, list[Contradiction]] = defaultdict(list)
        for c in self.contradictions:
            out[c.a.record].append(c)
            out[c.b.record].append(c)
        return out


def normalise_subject(subject: str | None) -> str | None:
    if not subject:
        return None
    s = _NON_WORD.sub(" ", subject.casefold()).strip()
    return s or None


def interval(claim: Any) -> tuple[float, float]:
    """The range a claim asserts, honouring its qualifiers (~ widens by 10%, + / up to open an end)."""
    low = claim.low if claim.low is not None else claim.high
    high = claim.high if claim.high is not None else claim.low
    if low is None:
        return (-math.inf, math.inf)
    quals = {str(q).casefold() for q in (claim.qualifiers or ())}
    if quals & APPROX:
        low, high = low / 1.1, high * 1.1
    if quals & AT_LEAST:
        high = math.inf
    if quals & UP_TO:
        low = 0.0
    return (low, high)


def claim_key(claim: Any) -> tuple | None:
    subject = normalise_subject(getattr(claim, "subject", None))
    if subject is None or claim.kind not in CHECKED_KINDS:
        return None
    attrs = getattr(claim, "attrs", None) or {}
    picked = []
    for k in KEY_ATTRS:
        value = attrs.get(k)
        if value is None or isinstance(value, dict | list | set):
            continue
        value = str(value).casefold()
        picked.append((k, METHOD_ALIASES.get(value, value) if k == "method" else value))
    quals = sorted(str(q) for q in (getattr(claim, "qualifiers", None) or ()) if q in KEY_QUALIFIERS)
    if quals:
        picked.append(("per", "+".join(quals)))
    return (claim.kind, claim.unit, subject, getattr(claim, "role", None), tuple(picked))


def cross_reference(
    refs: Iterable[ClaimRef], slack: float = 0.10, max_pairs_per_group: int = 20
) -> CrossrefResult:
    """Pairs of claims from different records about the same quantity whose ranges are disjoint.

    ``slack``: ranges closer than this relative gap (``b.low <= a.high * (1 + slack)``) are
    treated as agreeing, so "about 16 GB" and "17 GB" are not a contradiction.
    """
    groups: dict[tuple, list[ClaimRef]] = defaultdict(list)
    for ref in refs:
        key = claim_key(ref.claim)
        if key is not None:
            groups[key].append(ref)
    result = CrossrefResult()
    for key, members in groups.items():
        if len({m.record for m in members}) < 2:
            continue
        result.groups += 1
        spans = sorted(((*m.interval(), m) for m in members), key=lambda t: (t[0], t[1], t[2].record))
        # Pair each range with every range that starts beyond its end (+ slack): a suffix of the
        # list sorted by low, found by bisection. Pairs are counted arithmetically; only the
        # most extreme few per range (the end of its suffix) are materialised, so a group of
        # thousands of disagreeing claims costs O(g * max_pairs), not O(g^2).
        lows = [s[0] for s in spans]
        best: list[tuple[float, int, int, int, ClaimRef, ClaimRef]] = []  # min-heap of the top pairs
        tie = 0
        count = 0
        for _lo, hi, ref in spans:
            if math.isinf(hi):
                continue
            start = bisect.bisect_right(lows, hi * (1 + slack))
            count += len(spans) - start
            taken = 0
            for j in range(len(spans) - 1, start - 1, -1):
                other = spans[j][2]
                if other.record == ref.record:
                    count -= 1
                    continue
                gap = spans[j][0] / hi if hi > 0 else math.inf
                tie += 1
                item = (gap, -ref.record, -other.record, -tie, ref, other)
                if len(best) < max_pairs_per_group:
                    heapq.heappush(best, item)
                elif item[:4] > best[0][:4]:
                    heapq.heapreplace(best, item)
                else:
                    break  # the suffix is sorted by low: the rest of it is less extreme
                taken += 1
                if taken >= max_pairs_per_group:
                    break
        for gap, _, _, _, a, b in sorted(best, key=lambda p: (-p[0], p[4].record, p[5].record)):
            result.contradictions.append(Contradiction(key, a, b, gap))
        result.omitted += max(0, count - len(best))
    result.contradictions.sort(key=lambda c: (c.a.record, c.b.record, c.a.claim.span))
    return result
