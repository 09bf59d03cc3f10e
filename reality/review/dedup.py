"""Exact and near-duplicate detection that scales linearly (MinHash + LSH banding).

* Exact duplicates: the record's content fields, case-folded and with whitespace collapsed,
  hash to the same digest.
* Near duplicates: word 5-shingles, a MinHash signature by one-permutation hashing (the
  shingle hashes are sorted once; the minimum of each of ``BINS`` equal slices of the hash
  space is found with ``bisect``, so the per-record work is done in C), LSH banding to find
  candidate pairs, and the exact Jaccard similarity of the two shingle sets (recomputed from
  the text, so no shingle set is kept in memory) to confirm a candidate.

Shingle hashes must not depend on ``PYTHONHASHSEED`` (the result would change from run to
run), so words are first mapped to integer ids in order of first appearance and a shingle
is a tuple of ids, whose hash is deterministic.

The first occurrence (input order) is kept; every later one names the record it duplicates.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SHINGLE = 5
BINS = 64  # signature length
ROWS = 4  # rows per LSH band -> 16 bands; P(candidate | J=0.8) ~ 0.9998, P(candidate | J=0.3) ~ 0.12
MAX_BUCKET = 200  # a band bucket larger than this is boilerplate, not a duplicate cluster

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_MIN = -(2**63)
_SPAN = 2**64
_BOUNDS = [_MIN + (_SPAN * i) // BINS for i in range(BINS + 1)]


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip()


def exact_key(text: str) -> bytes:
    return hashlib.blake2b(normalise(text).encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class Duplicate:
    index: int  # the record dropped
    of: int  # the record kept
    kind: str  # "exact" | "near"
    similarity: float


class _Shingler:
    def __init__(self) -> None:
        counter = itertools.count()
        self.vocab: defaultdict[str, int] = defaultdict(counter.__next__)

    def shingles(self, text: str) -> set[int]:
        ids = list(map(self.vocab.__getitem__, _WORD.findall(text.casefold())))
        if len(ids) < SHINGLE:
            return {hash(tuple(ids))} if ids else set()
        return set(map(hash, zip(*(ids[i:] for i in range(SHINGLE)), strict=False)))


def signature(hashes: set[int]) -> tuple[int | None, ...]:
    """One-permutation MinHash: the smallest hash in each of BINS slices of the hash space."""
    ordered = sorted(hashes)
    out: list[int | None] = []
    n = len(ordered)
    for lo, hi in itertools.pairwise(_BOUNDS):
        i = bisect.bisect_left(ordered, lo)
        out.append(ordered[i] if i < n and ordered[i] < hi else None)
    return tuple(out)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def find_duplicates(
    texts: Sequence[str], near_threshold: float | None = 0.8, text_of: Callable[[int], str] | None = None
) -> list[Duplicate]:
    """Indices of ``texts`` to drop, each with the earlier index it duplicates and why.

    ``near_threshold`` is the Jaccard similarity of word 5-shingles at or above which two
    records are near duplicates; ``None`` disables near-duplicate detection.
    """
    text_of = text_of or texts.__getitem__
    dropped: dict[int, Duplicate] = {}
    first: dict[bytes, int] = {}
    for i, text in enumerate(texts):
        key = exact_key(text)
        j = first.setdefault(key, i)
        if j != i:
            dropped[i] = Duplicate(i, j, "exact", 1.0)
    if near_threshold is None:
        return sorted(dropped.values(), key=lambda d: d.index)

    shingler = _Shingler()
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        if i in dropped:
            continue
        sig = signature(shingler.shingles(text))
        candidates: set[int] = set()
        for b in range(0, BINS, ROWS):
            band = sig[b : b + ROWS]
            if band.count(None) == ROWS:
                continue
            bucket = buckets[(b, band)]
            if len(bucket) < MAX_BUCKET:
                candidates.update(bucket)
                bucket.append(i)
        if not candidates:
            continue
        mine = shingler.shingles(text_of(i))
        best: tuple[float, int] | None = None
        for j in sorted(candidates):
            if j in dropped:
                continue
            sim = jaccard(mine, shingler.shingles(text_of(j)))
            if sim >= near_threshold and (best is None or sim > best[0]):
                best = (sim, j)
        if best is not None:
            dropped[i] = Duplicate(i, best[1], "near", round(best[0], 3))
    return sorted(dropped.values(), key=lambda d: d.index)
