"""Whole-dataset checks: exact and near duplicates, persona and scenario mix.

State is bounded so memory stays flat however long the file:

* exact duplicates and repeated prompts keep one 64-bit digest per record (about 100 bytes
  per record in a dict; 10 MB per 100k records);
* near duplicates use a bottom-k MinHash sketch (k = 64 word-3-gram hashes) per record and
  an inverted index on each sketch's 4 smallest hashes, over a sliding window of the most
  recent ``window`` records (R502 parameter, default 20,000); index buckets hold at most 8
  records each, so a very common 3-gram cannot make the check quadratic;
* the mixes are counters over a handful of labels.

Everything is deterministic (words get blake2b-based ids, 3-grams of ids are hashed with the
unsalted tuple-of-int hash; no ``hash()`` of strings), so the same input gives the same
findings on every run.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_NORM = re.compile(r"[\W_]+", re.UNICODE)
SKETCH_K = 64
INDEX_KEYS = 4
BUCKET_CAP = 8


def normalise(text: str) -> str:
    """Lower case, punctuation and spacing folded: the text that duplicates are judged on."""
    return _NORM.sub(" ", text.lower()).strip()


# Every ASCII character that is not [a-z0-9] becomes a space (upper case is gone after lower()).
_ASCII_FOLD = str.maketrans({i: " " for i in range(128) if not chr(i).isalnum()})


def normal_words(text: str) -> list[str]:
    """The words of ``normalise(text)``: ``" ".join(normal_words(t)) == normalise(t)``.

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
    """word -> deterministic 64-bit id (blake2b), computed once per distinct word.

    Bounded: cleared when it grows past ``limit`` words (ids are a pure function of the word,
    so clearing changes nothing but speed)."""

    def __init__(self, limit: int = 200_000):
        super().__init__()
        self.limit = limit

    def __missing__(self, word: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = digest(word)
        return value


_WORD_IDS = _WordIds()


def sketch(words: list[str], k: int = SKETCH_K) -> tuple[int, ...]:
    """Bottom-k sketch of the word 3-gram set (sorted ascending).

    Words become deterministic ids first; shingles of ids are then hashed with Python's tuple
    hash (C speed), which for ints is not salted, so a sketch is the same in every process.
    """
    if len(words) < 3:
        return ()
    ids = list(map(_WORD_IDS.__getitem__, words))
    return tuple(sorted(set(map(hash, zip(ids, ids[1:], ids[2:], strict=False))))[:k])


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
        self._exact: dict[int, int] = {}
        self._prompts: dict[int, int] = {}
        self._sketches: OrderedDict[int, bytes] = OrderedDict()  # packed int64 (512 bytes per record)
        self._where: dict[int, int] = {}  # record serial -> packed (file, index) for the window
        self._index: dict[int, list[int]] = {}
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

    def _near(self, me: int, words: list[str], emit: Callable[..., None]) -> None:
        sk = sketch(words)
        if len(sk) < 8:
            return
        best, best_sim = None, 0.0
        mine = set(sk)
        checked: set[int] = set()
        for key in sk[:INDEX_KEYS]:
            for serial in self._index.get(key, ()):
                if serial in checked:
                    continue
                checked.add(serial)
                packed = self._sketches.get(serial)
                if packed is None:
                    continue
                other = array("q", packed)
                if len(mine.intersection(other)) < self.min_shared:
                    continue  # the estimate counts shared hashes: too few shared, too dissimilar
                sim = similarity(sk, tuple(other))
                if sim > best_sim:
                    best, best_sim = serial, sim
        if best is not None:
            seen = self._unpack(self._where[best])
            emit("dataset.near_duplicate", {"similarity": best_sim, "first_index": seen.index, "first_file": seen.file})
        serial = self._serial
        self._serial += 1
        self._sketches[serial] = array("q", sk).tobytes()
        self._where[serial] = me
        for key in sk[:INDEX_KEYS]:
            bucket = self._index.setdefault(key, [])
            bucket.append(serial)
            if len(bucket) > BUCKET_CAP:
                del bucket[0]
        while len(self._sketches) > self.window:
            old, old_packed = self._sketches.popitem(last=False)
            self._where.pop(old, None)
            for key in array("q", old_packed[: 8 * INDEX_KEYS]):
                bucket = self._index.get(key)
                if bucket is not None:
                    try:
                        bucket.remove(old)
                    except ValueError:
                        pass
                    if not bucket:
                        del self._index[key]


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
