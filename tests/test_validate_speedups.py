"""The validator's speed-ups give the same answers as the plain code they replace.

* :class:`WordStarts` (reality/validators/wordre.py) searches like its plain regex;
* :class:`DigestMap` stores like a dict;
* the near-duplicate window (a ring of flat arrays with index chains) finds the same
  candidates, in the same order, as the straightforward dict-of-buckets version kept here.
"""

from __future__ import annotations

import random
import re
from collections import OrderedDict

from hypothesis import given, settings
from hypothesis import strategies as st

from reality.validators import dataset
from reality.validators.dataset import BUCKET_CAP, INDEX_KEYS, DigestMap, DuplicateTracker, similarity, sketch
from reality.validators.wordre import LETTER, WORD, WordStarts

ALTERNATIVES = [r"not (?:realistic|enough)\b", r"too (?:small|big)\b", r"in total\b", r"per\s+epoch\b", r"epoch\)",
                r"kill (?:it|the job)\b", r"ram\b", r"s3\b", r"1 x\b", r"is\b", r"underestimat\w*", r"ſtall\b"]
CHARS = list(" .,;\n\t-'()~$_1aAeEiIkKlLnNoOpPsStTxİıſKé") + ["not ", "Not realistic", "too big", "in total", "per epoch",
                                                             "epoch)", "kill it", "RAM", "s3", "1 x", "is ", "underestimated"]
TEXT = st.lists(st.sampled_from(CHARS), max_size=25).map("".join)


@settings(max_examples=400, deadline=None, database=None)
@given(TEXT, st.integers(0, 30), st.integers(0, 30), st.sampled_from([WORD, LETTER]), st.booleans())
def test_word_starts_search_matches_the_plain_regex(text, pos, cut, boundary, ignore_case):
    alts = ALTERNATIVES if boundary is WORD else [a for a in ALTERNATIVES if a[0].isalpha()]
    ws = WordStarts(alts, flags=re.I if ignore_case else 0, boundary=boundary, tail="(?![A-Za-z])" if boundary is LETTER else "")
    endpos = max(0, len(text) - cut)
    got, want = ws.search(text, pos, endpos), ws.regex.search(text, pos, endpos)
    assert (got and (got.span(), got.group())) == (want and (want.span(), want.group()))


def test_word_starts_refuses_alternatives_it_cannot_speed_up():
    for bad in ["(?:a|b)c", "x?y", "a|b", "~x"]:
        try:
            WordStarts([bad])
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_digest_map_is_a_dict():
    rng = random.Random(0)
    table, ref = DigestMap(4), {}
    for _ in range(20_000):
        key = rng.choice([0, rng.getrandbits(64), rng.getrandbits(8)])
        if rng.random() < 0.5:
            assert table.get(key) == ref.get(key)
        else:
            table[key] = ref[key] = rng.getrandbits(48)
        assert len(table) == len(ref)


class PlainWindow:
    """The near-duplicate search written the obvious way: a dict of sketches and of buckets."""

    def __init__(self, window: int, min_shared: int):
        self.window, self.min_shared = window, min_shared
        self.sketches: OrderedDict[int, tuple[int, ...]] = OrderedDict()
        self.where: dict[int, int] = {}
        self.index: dict[int, list[int]] = {}
        self.serial = 0

    def near(self, sk: tuple[int, ...], record: int) -> tuple[int | None, float]:
        best, best_sim, checked = None, 0.0, set()
        for key in sk[:INDEX_KEYS]:
            for serial in self.index.get(key, ()):
                if serial in checked:
                    continue
                checked.add(serial)
                other = self.sketches[serial]
                if len(set(sk) & set(other)) >= self.min_shared and similarity(sk, other) > best_sim:
                    best, best_sim = serial, similarity(sk, other)
        serial, self.serial = self.serial, self.serial + 1
        self.sketches[serial] = sk
        self.where[serial] = record
        for key in sk[:INDEX_KEYS]:
            bucket = self.index.setdefault(key, [])
            bucket.append(serial)
            if len(bucket) > BUCKET_CAP:
                del bucket[0]
        while len(self.sketches) > self.window:
            old, old_sk = self.sketches.popitem(last=False)
            for key in old_sk[:INDEX_KEYS]:
                if old in self.index.get(key, ()):
                    self.index[key].remove(old)
                    if not self.index[key]:
                        del self.index[key]
        return (None if best is None else self.where[best]), best_sim


def test_near_duplicate_window_finds_what_the_plain_version_finds():
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(40)]
    docs = [[rng.choice(vocab) for _ in range(rng.randint(5, 60))] for _ in range(30)]
    for window, threshold in [(1, 0.8), (7, 0.5), (50, 0.8), (10_000, 0.3)]:
        tracker = DuplicateTracker(window=window, min_similarity=threshold)
        plain = PlainWindow(window, tracker.min_shared)
        tracker._pack("f.jsonl", 0)  # registers the file
        for i in range(1500):
            words = list(rng.choice(docs))
            for _ in range(rng.randint(0, 5)):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            found: list[dict] = []
            tracker._near(i, words, lambda check, ctx, **kw: found.append(ctx))  # noqa: B023
            sk = sketch(words)
            if len(sk) < 8:
                continue
            best, sim = plain.near(sk, i)
            assert [(f["first_index"], f["similarity"]) for f in found] == ([(best, sim)] if best is not None else [])
        assert len(tracker._sketches) == min(window, plain.serial)


def test_sketches_do_not_depend_on_the_process_hash_seed():
    # word ids are crc32-based and 3-grams of ints hash the same in every process
    assert sketch("a b c d".split()) == sketch("a b c d".split())
    ids = [dataset._WORD_IDS[w] for w in "a b c".split()]
    assert ids == [3904355907, 1908338681, 112844655]
