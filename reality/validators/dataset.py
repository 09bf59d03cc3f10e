"""Whole-dataset checks: exact and near duplicates, persona and scenario mix.

State is bounded so memory stays flat however long the file:

* exact duplicates and repeated prompts keep one 64-bit digest per record, with where it was
  first seen, in flat arrays (:class:`DigestMap`: 16 bytes a slot, at most half full - about
  3 MB per table per 100k records, against ~11 MB for a dict);
* near duplicates use a bottom-k MinHash sketch (k = 64 word-3-gram hashes) per record and
  an inverted index on each sketch's 4 smallest hashes, over a sliding window of the most
  recent ``window`` records (R502 parameter ``window``; rules.yaml sets 50,000, the code
  default is 20,000); index buckets hold at most 8 records each, so a very common 3-gram
  cannot make the check quadratic. The window is a ring of flat arrays (about 300 bytes a
  record) plus one dict entry per index key (see :meth:`DuplicateTracker._near`), so it grows
  until the window is full and not after;
* the mixes are counters over a handful of labels.

Everything is deterministic (words get crc32-based ids, 3-grams of ids are hashed with the
unsalted tuple-of-int hash; no ``hash()`` of strings), so the same input gives the same
findings on every run.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_NORM = re.compile(r"[\W_]+", re.UNICODE)
SKETCH_K = 64
INDEX_KEYS = 4
BUCKET_CAP = 8
_HEAD = 24  # hashes of a candidate's sketch looked at first (see _near)
_HASH_MASK = (1 << 30) - 1
_ZEROS = array("i", bytes(4 * SKETCH_K))
_NO_PREV = array("q", [-1] * INDEX_KEYS)


def normalise(text: str) -> str:
    """Lower case, punctuation and spacing folded: the text that duplicates are judged on."""
    return _NORM.sub(" ", text.lower()).strip()


# Every ASCII character that is not [a-z0-9] becomes a space (upper case is gone after lower()).
_ASCII_FOLD = str.maketrans({i: " " for i in range(128) if not chr(i).isalnum()})


def normal_words(text: str) -> list[str]:
    r"""The words of ``normalise(text)``: ``" ".join(normal_words(t)) == normalise(t)``.

    ASCII text (the common case) takes ``translate`` + ``split`` instead of the regex, several
    times faster; for ASCII, ``[\W_]`` is exactly "not [a-z0-9]" once lower-cased.
    """
    low = text.lower()
    if low.isascii():
        return low.translate(_ASCII_FOLD).split()
    return _NORM.sub(" ", low).split()


def digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


class _WordIds(dict):
    """word -> deterministic id (crc32 of its UTF-8), computed once per distinct word.

    Bounded: cleared when it grows past ``limit`` words (ids are a pure function of the word,
    so clearing changes nothing but speed)."""

    def __init__(self, limit: int = 50_000):
        super().__init__()
        self.limit = limit

    def __missing__(self, word: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = zlib.crc32(word.encode("utf-8", "surrogatepass"))
        return value


_WORD_IDS = _WordIds()
_MASK_AND = _HASH_MASK.__and__


def sketch(words: list[str], k: int = SKETCH_K) -> tuple[int, ...]:
    """Bottom-k sketch of the word 3-gram set (sorted ascending).

    Words become deterministic ids first; shingles of ids are then hashed with Python's tuple
    hash (C speed), which for ints is not salted, so a sketch is the same in every process.
    Hashes keep their low 30 bits: the window stores them in 4 bytes, and small ints sort
    faster. (Two of a record pair's ~1,000 shingles share a hash with odds of about 1 in 2,000,
    which moves the estimate by at most 1/64.)
    """
    if len(words) < 3:
        return ()
    ids = list(map(_WORD_IDS.__getitem__, words))
    # map() with a bound int method keeps the masking in C (a set comprehension runs bytecode per shingle)
    return tuple(sorted(set(map(_MASK_AND, map(hash, zip(ids, ids[1:], ids[2:], strict=False)))))[:k])


def similarity(a: tuple[int, ...], b: tuple[int, ...], k: int = SKETCH_K) -> float:
    """Bottom-k estimate of the Jaccard similarity of the two 3-gram sets."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    union_k = sorted(sa | sb)[:k]
    if not union_k:
        return 0.0
    both = sum(1 for h in union_k if h in sa and h in sb)
    return both / len(union_k)


class DigestMap:
    """64-bit digest -> 64-bit value in two flat ``array('Q')`` (open addressing, linear probing).

    Why not a dict: a dict entry with its two int objects costs ~100 bytes, this 32 bytes at
    most (two 8-byte slots, at most half full). Digests are uniformly distributed, so their low
    bits pick the slot. Key 0 marks an empty slot; the digest 0 itself is kept aside.
    """

    def __init__(self, capacity: int = 1024):
        self._keys = array("Q", [0]) * capacity
        self._values = array("Q", [0]) * capacity
        self._mask = capacity - 1
        self._used = 0
        self._zero: int | None = None  # the value for digest 0

    def __len__(self) -> int:
        return self._used + (self._zero is not None)

    def _slot(self, key: int) -> int:
        """The slot holding ``key``, or the empty slot where it would go."""
        keys, mask = self._keys, self._mask
        i = key & mask
        while True:
            k = keys[i]
            if k == key or k == 0:
                return i
            i = (i + 1) & mask

    def get(self, key: int) -> int | None:
        if key == 0:
            return self._zero
        i = self._slot(key)
        return self._values[i] if self._keys[i] == key else None

    def __setitem__(self, key: int, value: int) -> None:
        if key == 0:
            self._zero = value
            return
        i = self._slot(key)
        if self._keys[i] != key:
            if 2 * (self._used + 1) > len(self._keys):
                self._grow()
                i = self._slot(key)
            self._keys[i] = key
            self._used += 1
        self._values[i] = value

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        capacity = 2 * len(old_keys)
        self._keys = array("Q", [0]) * capacity
        self._values = array("Q", [0]) * capacity
        self._mask = capacity - 1
        for k, v in zip(old_keys, old_values, strict=True):
            if k:
                i = self._slot(k)
                self._keys[i] = k
                self._values[i] = v


@dataclass(slots=True)
class Seen:
    file: str
    index: int


class DuplicateTracker:
    """Streaming duplicate detection over a dataset (one per validation run)."""

    def __init__(self, window: int = 20_000, near: bool = True, min_similarity: float = 0.5):
        self.window = max(1, int(window))
        self.min_shared = int(min_similarity * SKETCH_K * 0.9)
        self.near = near
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._exact = DigestMap()
        self._prompts = DigestMap()
        # The near-duplicate window: record serial s lives in slot s % window of flat arrays
        # (no Python object per record). An index bucket is a chain through the slots: _heads
        # maps an index key to the latest serial that has it, _prev links each slot's keys to the
        # serial before it with the same key.
        self._ring = array("i")  # SKETCH_K hashes per slot (a short sketch is padded with 0)
        self._ring_len = array("B")  # how many hashes each slot's sketch has
        self._ring_where = array("Q")  # packed (file, index) of each slot's record
        self._prev = array("q")  # INDEX_KEYS per slot: the previous serial with the same key, or -1
        self._heads: dict[int, int] = {}
        self._serial = 0

    def _pack(self, file: str, index: int) -> int:
        fid = self._file_ids.get(file)
        if fid is None:
            fid = self._file_ids[file] = len(self._files)
            self._files.append(file)
        return (fid << 40) | index

    def _unpack(self, packed: int) -> Seen:
        return Seen(self._files[packed >> 40], packed & ((1 << 40) - 1))

    def add(
        self, file: str, index: int, parts: Mapping[str, str], emit: Callable[..., None], *, prompt_dupes: bool = True
    ) -> None:
        # normalise("\n".join(parts)) word by word: the "\n" between two parts folds into the space
        # between their words, so the whole text is the parts' words in order.
        words: list[str] = []
        prompt_words: list[str] = []
        for k in sorted(parts):
            part = normal_words(parts[k])
            words.extend(part)
            if k == "prompt":
                prompt_words = part
        if not words:
            return
        full = " ".join(words)
        me = self._pack(file, index)
        d = digest(full)
        first = self._exact.get(d)
        if first is not None:
            seen = self._unpack(first)
            emit("dataset.exact_duplicate", {"first_index": seen.index, "first_file": seen.file})
            return  # an exact duplicate is not also a near duplicate or a repeated prompt
        self._exact[d] = me
        if prompt_dupes and parts.get("prompt"):
            p = digest(" ".join(prompt_words))
            first = self._prompts.get(p)
            if first is not None:
                seen = self._unpack(first)
                emit("dataset.duplicate_prompt", {"first_index": seen.index, "first_file": seen.file}, field="prompt")
            else:
                self._prompts[p] = me
        if self.near:
            self._near(me, words, emit)

    def _bucket(self, key: int) -> list[int]:
        """The serials indexed under ``key``, oldest first: the BUCKET_CAP latest in the window that
        have it among their INDEX_KEYS smallest hashes."""
        out: list[int] = []
        serial = self._heads.get(key, -1)
        oldest = self._serial - self.window  # serials before it have left the window
        while serial >= 0 and serial >= oldest and len(out) < BUCKET_CAP:
            out.append(serial)
            slot = serial % self.window
            j = self._ring[slot * SKETCH_K : slot * SKETCH_K + INDEX_KEYS].index(key)
            serial = self._prev[slot * INDEX_KEYS + j]
        out.reverse()
        return out

    def _near(self, me: int, words: list[str], emit: Callable[..., None]) -> None:
        sk = sketch(words)
        if len(sk) < 8:
            return
        best, best_sim = None, 0.0
        mine = set(sk)
        checked: set[int] = set()
        ring, ring_len = self._ring, self._ring_len
        for key in sk[:INDEX_KEYS]:
            for serial in self._bucket(key):
                if serial in checked:
                    continue
                checked.add(serial)
                slot = serial % self.window
                n = ring_len[slot]
                base = slot * SKETCH_K
                # A first look at its 24 smallest hashes: when more of them are missing from ours
                # than it may miss in all, it cannot share min_shared (most candidates stop here).
                head = ring[base : base + min(n, _HEAD)]
                if len(head) - len(mine.intersection(head)) > n - self.min_shared:
                    continue
                other = ring[base : base + n]
                if len(mine.intersection(other)) < self.min_shared:
                    continue  # the estimate counts shared hashes: too few shared, too dissimilar
                sim = similarity(sk, tuple(other))
                if sim > best_sim:
                    best, best_sim = serial, sim
        if best is not None:
            seen = self._unpack(self._ring_where[best % self.window])
            emit("dataset.near_duplicate", {"similarity": best_sim, "first_index": seen.index, "first_file": seen.file})
        self._store(sk, me)

    def _store(self, sk: tuple[int, ...], me: int) -> None:
        """Put a sketch in the window, in the slot of the record that leaves it."""
        serial = self._serial
        self._serial += 1
        slot = serial % self.window
        base = slot * SKETCH_K
        padded = array("i", sk)
        padded.extend(_ZEROS[: SKETCH_K - len(sk)])
        if serial < self.window:  # the window is still filling: the arrays grow
            self._ring.extend(padded)
            self._ring_len.append(len(sk))
            self._ring_where.append(me)
            self._prev.extend(_NO_PREV)
        else:
            old = serial - self.window
            for key in self._ring[base : base + INDEX_KEYS]:
                if self._heads.get(key) == old:
                    del self._heads[key]  # nothing newer has this key
            self._ring[base : base + SKETCH_K] = padded
            self._ring_len[slot] = len(sk)
            self._ring_where[slot] = me
        for j, key in enumerate(sk[:INDEX_KEYS]):
            self._prev[slot * INDEX_KEYS + j] = self._heads.get(key, -1)
            self._heads[key] = serial

    # Views of the window, built on demand (for tests and debugging).
    def _live(self) -> range:
        return range(max(0, self._serial - self.window), self._serial)

    @property
    def _sketches(self) -> dict[int, tuple[int, ...]]:
        out = {}
        for s in self._live():
            slot = s % self.window
            out[s] = tuple(self._ring[slot * SKETCH_K : slot * SKETCH_K + self._ring_len[slot]])
        return out

    @property
    def _where(self) -> dict[int, int]:
        return {s: self._ring_where[s % self.window] for s in self._live()}

    @property
    def _index(self) -> dict[int, list[int]]:
        return {key: self._bucket(key) for key in self._heads}


# ---------------------------------------------------------------- persona and scenario mix

# The heuristics used when a record has no persona / scenario field. First match wins, in
# the order listed; documented in the README (Validating training data).
PERSONA_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("data scientist", re.compile(r"\bdata scien\w*|\bstatistician\b", re.I)),
    ("ml intern", re.compile(r"\bintern(ship)?\b|\bfirst (ml |data |tech )?job\b|\bjunior\b|\bnew grad\b|\bjust started\b", re.I)),
    ("non-technical ceo", re.compile(r"\bCEO\b|\bboard (meeting|presentation|members?)\b|\bnon-?technical\b|\bfounder\b|\bexecutive\b", re.I)),
    ("enterprise architect", re.compile(r"\b(enterprise|solutions?) architect\b|\bcompany-?wide\b|\benterprise\b|\bcompliance\b|\bour organi[sz]ation\b", re.I)),
    ("agency consultant", re.compile(r"\bagency\b|\bconsult(ant|ing|ancy)\b|\b(my|our|multiple|several) clients?\b|\bclient projects?\b", re.I)),
    ("frustrated user", re.compile(r"\bfrustrat\w*|\bannoy\w*|\bfed up\b|\bfor the (third|fourth|fifth|\w+th) time\b|\bkeeps? (failing|crashing)\b|\bwaste of\b|!{2,}", re.I)),
    ("solo developer", re.compile(r"\bsolo\b|\bside project\b|\bindie\b|\bhobby\w*|\bweekend project\b|\bpersonal project\b|\bon my own\b|\bfreelanc\w*", re.I)),
]
SCENARIO_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("failure", re.compile(
        r"\b(broke|broken|crash\w*|corrupt\w*|lost|deleted|wiped|diverg\w*|NaN|OOM|out of memory|killed|failed|disaster|ruined|rolled? back)\b", re.I)),
    ("troubleshooting", re.compile(
        r"\bnot working\b|\b(doesn't|does not|won't|will not|can't|cannot|isn't|is not) (work|load|start|show|run|appear|connect|improv\w*|converg\w*|decreas\w*)|\bstuck\b|\bslow\w*\b|\bwhy (is|does|do|are|did)\b|\berror\b|\bissue\b|\bproblem\b|\bwrong\b|\bstrange\b|\bweird\b", re.I)),
    ("edge case", re.compile(
        r"\bedge case\b|\bunusual\b|\bwhat if\b|\bwhat happens if\b|\bis it possible\b|\bcorner case\b|\bmixed\b|\b(non-?english|multilingual)\b|\bexactly\b|\bat the same time\b|\bboth\b", re.I)),
    ("basic usage", re.compile(r"\bhow (do|can|should) (i|we)\b|\bwhere (do|can) (i|we)\b|\bwhat('s| is) the best way\b|\bhow to\b|\bgetting started\b|\bset up\b|\bsetup\b", re.I)),
]
_LABEL_ALIASES = {
    "basic": "basic usage", "basic-usage": "basic usage", "basic_usage": "basic usage", "how-to": "basic usage",
    "troubleshoot": "troubleshooting", "failure scenario": "failure", "failure-scenario": "failure",
    "failure_scenario": "failure", "failures": "failure", "edge": "edge case", "edge-case": "edge case",
    "edge_case": "edge case", "edge cases": "edge case",
}


def _field(record: Mapping[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    meta = record.get("metadata")
    if isinstance(meta, dict):
        return meta.get(name)
    return None


def classify(record: Mapping[str, Any], prompt: str, field_name: str, cues: list[tuple[str, re.Pattern[str]]],
             default: str | None) -> str | None:
    value = _field(record, field_name)
    if isinstance(value, str) and value.strip():
        label = value.strip().lower().replace("_", " ")
        return _LABEL_ALIASES.get(label, label)
    for label, pattern in cues:
        if pattern.search(prompt):
            return label
    return default


class MixTracker:
    """Counts persona and scenario labels; reports shares against targets at the end."""

    def __init__(self, persona_field: str = "persona", scenario_field: str = "scenario"):
        self.persona_field = persona_field
        self.scenario_field = scenario_field
        self.personas: Counter[str] = Counter()
        self.scenarios: Counter[str] = Counter()
        self.records = 0

    def add(self, record: Mapping[str, Any], prompt: str) -> None:
        self.records += 1
        self.personas[classify(record, prompt, self.persona_field, PERSONA_CUES, None) or "unknown"] += 1
        self.scenarios[classify(record, prompt, self.scenario_field, SCENARIO_CUES, "basic usage") or "unknown"] += 1

    def report(self, check: str, targets: Mapping[str, float], emit: Callable[..., None]) -> None:
        counts = self.personas if check == "dataset.persona_mix" else self.scenarios
        unknown = counts.get("unknown", 0)
        known = self.records - unknown
        if known <= 0 or not targets:
            return
        labels = list(targets) + sorted(k for k in counts if k not in targets and k != "unknown")
        for label in labels:
            count = counts.get(label, 0)
            emit(check, {"label": label, "share": count / known, "target": float(targets.get(label, 0.0)),
                         "count": count, "records": known, "unknown": unknown})
