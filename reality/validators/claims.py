"""Deterministic extraction of typed numeric claims from free text.

``extract_claims(text)`` reads money, durations, memory, model sizes, dataset sizes,
throughput, epochs, compute, GPUs (with counts) and training methods, each as a
:class:`Claim` with a character span, a canonical ``[low, high]`` interval, qualifiers
(approximate, range, bounds, per GPU / epoch / hour, total), a subject and a role.

How it works, in three passes over the text:

1. **Grammar** - one combined regular expression (compiled at import) finds every candidate
   in a single ``finditer`` pass: GPU names with counts and memory ("8xH100", "two A100
   80GB"), model names with sizes ("Llama 3.1 8B"), money ("$10-30", "USD 300", "$1.2k"),
   word durations ("overnight"), number + unit expressions with ranges, scales and
   qualifiers ("~305 hours", "12-15 billion tokens", "up to 24 GB"), bare model sizes
   ("7B") and method names ("QLoRA", "4-bit"). Values are multiplied by exact factors from
   :mod:`.lexicon`; nothing parses units at run time.
2. **Structure** - :func:`.structure.segment` splits the text into sentences, list items,
   table cells (with their column header and row label) and heading / label context.
3. **Attachment** - a second combined regex finds cue words ("cost", "budget", "VRAM",
   "dataset", "per hour", "needs"...). Each claim takes the nearest cue *of a compatible
   type*, looking both ways, first in its sentence (or table cell), then its block, then
   its context (column header, row label, label line, headings). Memory next to a GPU name
   is that GPU's spec, not a requirement; money under a "$/hour" header is a price rate.
   Claims also record the GPU, model, method and dataset size named in the same scope
   (``attrs``), which is what a checker needs to rebuild the scenario.

The knowledge base is consulted only to turn GPU and model names into ids, once per
distinct name (memoised); if it cannot be loaded the ids fall back to slugs.
"""

from __future__ import annotations

import bisect
import math
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import attrgetter

from reality.validators import lexicon as lx
from reality.validators.phrases import PAST_RUN, SIDE_RUN
from reality.validators.structure import Structure, segment_recent
from reality.validators.wordre import LETTER, WordStarts

__all__ = ["Claim", "extract_claims", "KINDS", "QUALIFIERS"]

KINDS = frozenset(lx.CANONICAL_UNIT)
QUALIFIERS = frozenset({"approx", "range", "lower_bound", "upper_bound", "per_gpu", "per_epoch", "per_hour", "total"})
INF = math.inf


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str
    low: float
    high: float
    unit: str
    span: tuple[int, int]
    text: str
    qualifiers: frozenset[str] = frozenset()
    subject: str | None = None
    role: str | None = None
    attrs: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def value(self) -> float:
        """A single representative value: the point, the middle of a range, or the finite bound."""
        if self.high == INF:
            return self.low
        if self.low == 0 and "upper_bound" in self.qualifiers:
            return self.high
        return (self.low + self.high) / 2


# ============================================================================ grammar
# The scan: one trie regex over the lower-cased text finds *anchors* - digit runs, currency
# signs and the lexicon's words (GPU names, model families, methods, unit and scale words,
# cue words). Claims are then parsed at the anchors with small anchored regexes, and
# qualifiers / number words / count words before an anchor are read backwards with
# reversed-trie regexes. Nothing is tried at the other ~95% of positions.
_WS = r"[ \t\u00a0\u202f]"
_DNUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_WNUM = lx.alternation(lx.NUMBER_WORDS)
_WNUM_STRONG = lx.alternation(w for w in lx.NUMBER_WORDS if w not in lx.WEAK_NUMBER_WORDS)
_SUFFIX = lx.alternation(lx.SCALE_SUFFIXES)
_SCALEW = lx.alternation(lx.SCALE_WORDS)
_RSEP = rf"(?:{_WS}*[-–—]{_WS}*|{_WS}+(?i:to|or|and){_WS}+)"


def _trie(words) -> str:
    """A regex alternation of literal words shaped as a trie (fast in sre: one branch per letter)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        keys = sorted(k for k in node if k)
        if not keys:
            return ""
        alts = [re.escape(k) + build(node[k]) for k in keys]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def _num(p: str, strong: bool = False) -> str:
    """A number with an optional scale: groups {p}n (digits), {p}s (suffix), {p}w (word), {p}S/{p}W (scale word)."""
    words = _WNUM_STRONG if strong else _WNUM
    return (
        rf"(?:(?<![\w.,])(?P<{p}n>{_DNUM})(?:(?P<{p}s>{_SUFFIX})(?![A-Za-z])|{_WS}*(?P<{p}S>(?i:{_SCALEW}))\b)?"
        rf"|\b(?P<{p}w>(?i:{words}))\b(?:{_WS}+(?P<{p}W>(?i:{_SCALEW}))\b)?)"
    )


def _range(p: str, cur: str = "") -> str:
    return rf"{_num(p + 'a')}(?:(?P<{p}sep>{_RSEP}){cur}{_num(p + 'b', strong=True)})?"


# --- number (range) at an anchor; the unit after it is read by _read_unit
_NUMR = re.compile(rf"{_range('q')}(?P<qplus>\+)?")
_UNIT_WORD = re.compile(rf"(?:{_WS}*|-|{_WS}-{_WS})([a-z&][a-z&\-]*)")
_PER_SEC = re.compile(rf"{_WS}?/{_WS}?(?:s|sec|second)(?![a-z])|{_WS}+(?:per|a){_WS}+(?:s|sec|second)(?![a-z])")
_SLASH_S = re.compile(rf"{_WS}?/{_WS}?s(?![a-z])")
_GPU_HOURS_TAIL = re.compile(r"[ \t-]+(?:hours?|hrs?|h)(?![a-z])")
_OR_TWO = re.compile(rf"{_WS}+or{_WS}+(?:(?P<two>two)|(?P<so>so))(?![a-z])")
_FILLERS = frozenset(
    w for w in re.sub(r"\[- \]\??|\(\?:|\)|\?", " ", lx.COUNT_FILLERS).replace("|", " ").split() if w.isalpha() or "-" in w or "&" in w
) | frozenset({"high-quality", "low-quality", "good-quality", "domain-specific", "hand-written", "hand-labeled",
               "hand-labelled", "human-written", "human-labeled", "task-specific", "held-out", "multi-turn",
               "single-turn", "question-answer", "prompt-response", "fine-tuning", "high-signal", "q&a", "dpo", "sft",
               "rlhf", "qa", "specific", "written", "labeled", "labelled", "crafted", "out", "turn", "signal",
               "in-house", "customer-service"})
_COUNT_KINDS = frozenset({"dataset_examples", "dataset_tokens"})

# --- GPUs (the optional count in front is read here for digits, backwards for words)
_GPU = re.compile(
    rf"(?:(?<![\w.])(?P<gcn>\d{{1,4}})(?:{_WS}*[x×*]{_WS}*|{_WS}+)|\b(?P<gcw>(?i:{lx.alternation(lx.COUNT_WORDS)})){_WS}+(?:[x×]{_WS}*)?)?"
    rf"(?:(?<![\w.])(?P<gpm>\d{{2,3}}){_WS}?(?:GB|G|GiB|gb){_WS}?-?{_WS}?)?"
    rf"(?<![A-WYZa-wyz0-9_])(?P<gname>{lx.GPU_NAMES}|{lx.GPU_BARE})"
    rf"(?:[ \t-]?(?P<gm>\d{{2,3}}){_WS}?(?:GB|G|GiB|gb)(?![A-Za-z])|{_WS}?\({_WS}?(?P<gm2>\d{{2,3}}){_WS}?(?:GB|GiB|G)(?:{_WS}(?:VRAM|vram))?{_WS}?\))?"
    rf"(?P<gpl>s|'s|’s)?(?![A-Za-z0-9])"
    rf"(?:{_WS}*[x×]{_WS}*(?P<gcp>\d{{1,3}})(?![\w.]))?"
)
_GGEN = re.compile(
    rf"(?:(?<![\w.])(?P<ggn>\d{{1,4}})|\b(?P<ggw>(?i:{lx.alternation(w for w in lx.COUNT_WORDS if w not in ('a', 'an'))})))"
    rf"(?:{_WS}*[x×]{_WS}*|{_WS}*-?{_WS}*)(?P<ggu>(?i:gpus?|cards?|graphics{_WS}cards?|accelerators?))(?![A-Za-z]|[- ]?(?i:hours?|hrs?|h)\b)"
)
_MODEL = re.compile(
    rf"\b(?P<mf>(?i:(?:meta[-/ ]?)?(?:{lx.MODEL_FAMILIES})))(?P<mv>[- ]?(?i:v)?\d+(?:\.\d+)?)??"
    rf"(?:[- _](?i:{lx.MODEL_TAGS}))*?[- _]?(?P<msz>(?:\d+x)?\d+(?:\.\d+)?)(?P<mu>[bBmM])(?![A-Za-z0-9])"
)
_NAMED_MODEL = re.compile(rf"\b(?i:{lx.MODEL_NAMES_NO_SIZE})(?![\w-])")
_MONEY = re.compile(rf"(?P<ycur>\$|€|£|(?:USD|EUR|usd|eur){_WS}?){_WS}?{_range('y', cur=rf'(?:[$€£]{_WS}?)?')}(?P<yplus>\+)?")
_METHOD = re.compile(
    r"(?<![\w-])(?:" + "|".join(rf"(?P<me{i}>{pat})" for i, (pat, _) in enumerate(lx.METHODS)) + r")(?![\w])"
)

# --- the anchor scan
_ANCHOR_CLASSES: dict[str, tuple[str | None, str | None, bool]] = {}  # word -> (anchor, cue, prefix)


def _anchor(word: str, anchor: str | None = None, cue: str | None = None) -> None:
    prefix = word.endswith("*")
    word = word.rstrip("*")
    old = _ANCHOR_CLASSES.get(word, (None, None, False))
    _ANCHOR_CLASSES[word] = (anchor or old[0], cue or old[1], prefix or old[2])


for _w in re.findall(r"[A-Za-z0-9]+", lx.GPU_NAMES):
    if (_w[0].isalpha() and any(ch.isdigit() for ch in _w)) or _w.lower() in ("rtx", "gtx", "geforce", "nvidia", "amd", "gaudi", "tpu"):
        _anchor(_w.lower() + "*", "gpu")
for _w in ("a10g", "l40s", "mi300x", "mi325x", "mi250x", "gb200", "gh200"):
    _anchor(_w + "*", "gpu")
for _w in lx.MODEL_FAMILIES.split("|"):
    _anchor(_w.split("[")[0].split("?")[0].rstrip("2z") + "*", "model")
_anchor("meta*", "model")
for _w in ("qlora", "lora", "dora", "full", "fully", "bf16", "bfloat16", "fp16", "float16", "nf4", "int4", "int8", "dpo",
           "orpo", "kto", "simpo", "grpo", "ppo", "rlhf", "sft", "peft"):
    _anchor(_w, "method")
for _w, (_k, _) in lx.UNITS.items():
    if _k in ("duration", "epochs") and " " not in _w and len(_w) > 2:
        _anchor(_w, "unitword")
for _w in lx.SCALE_WORDS:
    _anchor(_w, "unitword")
for _w in ("dozen",):
    _anchor(_w, "unitword")
for _w in ("gpu", "gpus", "card", "cards", "accelerator", "accelerators"):
    _anchor(_w, "gpuword")
for _w in ("overnight", "weekend"):
    _anchor(_w, "wdur")
for _w in ("usd", "eur"):
    _anchor(_w, "curword")
_CUE_CLASS: dict[str, str] = {}
_INFLECT = ("", "s", "e", "es", "ed", "ing", "er", "ers", "ion", "ions", "ive", "ly", "able", "ment", "ments", "ation", "ations", "y")
for _cls, _words in lx.CUE_WORDS.items():
    for _w in _words:
        for _x in ([_w[:-1] + _i for _i in _INFLECT] if _w.endswith("*") else [_w]):
            _CUE_CLASS.setdefault(_x, _cls)
_CUE_SCAN = re.compile(rf"(?<![a-z0-9_])(?:{_trie(sorted(k for k in _CUE_CLASS if k != '$'))})(?![a-z0-9])|\$")

_SCAN = re.compile(rf"\b(?:(?P<d>\d)|(?P<w>{_trie(sorted(_ANCHOR_CLASSES))}))|(?P<c>[$€£])")
_WORD_TAIL = re.compile(r"[a-z0-9]*")
# The same two scans in one pass, for ASCII text (where ``\b`` before a word character and
# ``(?<![a-z0-9_])`` both mean "after a character outside [a-z0-9_]"; the text is lower-cased).
# It runs over " " + text and stops only at a non-word character that a digit, an anchor word
# or a cue word follows, or at "$": sre then skips the ~80% of positions inside words with a
# charset test instead of trying the whole pattern at each of them. Groups: 1 digit, 2 anchor
# word, 3 cue word (with an anchor), 4 cue word (without).
_CUE_TRIE = _trie(sorted(k for k in _CUE_CLASS if k != "$"))
_FAST_SCAN = re.compile(
    rf"[^a-z0-9_](?:(?=(\d)|({_trie(sorted(_ANCHOR_CLASSES))}))(?=({_CUE_TRIE})(?![a-z0-9]))?"
    rf"|(?=({_CUE_TRIE})(?![a-z0-9]))|(?<=\$))"
)
_BARE_RE = re.compile(r"[2-5]0[5-9]0")  # the start of lx.GPU_BARE
_GPU_PREFIX_RUN = re.compile(r"(?:\d|[ \t\u00a0\u202fx×*GgBbi\-])*")  # what _GPU may read before a name


def _rev(words, symbols: str = "") -> re.Pattern:
    """Match one of ``words`` ending right before a position, on the reversed preceding text."""
    pat = _trie(sorted({w[::-1] for w in words}))
    return re.compile(rf"{_WS}*(?P<w>{pat})(?:(?<=[{re.escape(symbols) or 'x'}])|(?![a-z0-9]))" if symbols else rf"{_WS}*(?P<w>{pat})(?![a-z0-9])")


_QUAL_WORDS: dict[str, str | None] = {"between": None, "from": None}
for _w in ("~", "≈", "approx", "approximately", "approx.", "about", "around", "roughly", "circa", "nearly", "almost"):
    _QUAL_WORDS[_w] = "approx"
for _w in ("over", "more than", "at least", "upwards of", "north of", "above", "minimum", "minimum of", "just over", "well over"):
    _QUAL_WORDS[_w] = "lower_bound"
for _w in ("up to", "under", "less than", "fewer than", "at most", "below", "no more than", "within", "maximum",
           "maximum of", "just under", "well under", "as much as", "as many as"):
    _QUAL_WORDS[_w] = "upper_bound"
_QUAL_REV = _rev(_QUAL_WORDS, symbols="~≈")
_PASS_OVER = re.compile(r"\b(?:pass(?:es)?|epochs?|iterat\w*|loop\w*|train(?:ed|ing|s)?|fine-?tun\w*)\s*$")
_NOT_MORE = re.compile(r"(?:n't|\bnot|\bnever)\s+(?:\w+\s+)?(?:take|last|need|cost|run|be)\s*$")
_NUMW_REV = _rev(lx.NUMBER_WORDS)
# a count before a GPU word, also hyphenated: "four-GPU run", "a two-GPU node"
_COUNT_REV = re.compile(rf"(?:{_WS}*|-)(?P<w>{_trie(sorted({w[::-1] for w in lx.COUNT_WORDS}))})(?![a-z0-9])")
# Pre-tests for the reversed matches: the text before the position, less trailing _WS, must
# end with one of the words (a necessary condition, checked with one str.endswith call).
_WS_CHARS = " \t\u00a0\u202f"
_QUAL_ENDS = tuple(_QUAL_WORDS)
_REV_ENDS = {_NUMW_REV: tuple(lx.NUMBER_WORDS), _COUNT_REV: tuple(lx.COUNT_WORDS)}
_LOOKBACK = 40

# --- right context (matched at a claim's end)
_RATE_AFTER = re.compile(
    rf"{_WS}*(?:/{_WS}*|{_WS}*\bper{_WS}+|{_WS}*\ban?{_WS}+)(?P<per>(?i:(?:gpu|node)[- ]?(?:hours?|hrs?|h)|[a-z]{{1,4}}\d{{1,4}}[a-z]{{0,2}}(?:{_WS}\d{{2,3}}{_WS}?gb)?[- ](?:hours?|hrs?)|hours?|hrs?|h(?!\d)|"
    rf"months?|mo|days?|weeks?|years?|yr|epochs?|runs?|gpus?|"
    rf"(?:1|one)?{_WS}?(?:m|million){_WS}?tokens?|(?:1|one)?{_WS}?(?:k|thousand){_WS}?tokens?|tokens?|examples?))(?![A-Za-z])"
)
_SUFFIX_BOUND = re.compile(
    rf"{_WS}*(?:(?P<lo>(?i:or{_WS}+more|or{_WS}+higher|or{_WS}+above|or{_WS}+longer|plus|at{_WS}+minimum|minimum|and{_WS}+up)\b)"
    rf"|(?P<hi>(?i:or{_WS}+less|or{_WS}+fewer|or{_WS}+under|at{_WS}+most|max(?:imum)?|tops)\b))"
)
_NOT_CLAIM_AFTER = re.compile(lx.NOT_A_CLAIM_AFTER, re.I)
# First characters (after _WS*) of every alternative of _SUFFIX_BOUND ("or", "plus", "at",
# "minimum", "and", "max", "tops") and _PER_AFTER ("per", "/", "each", "an", "for", "in", "(",
# "total", "overall", "all", "altogether", "combined"), case-insensitively as re sees them.
_AFTER_FIRST = frozenset(
    ch for ch in "/(" + "opamtefic" + "opamtefic".upper() + "\u0130\u0131\u017f\u212a" if re.fullmatch(r"(?i:[opamtefic/(])", ch)
)
_PER_AFTER = re.compile(
    rf"{_WS}*(?:(?P<gpu>(?i:per{_WS}+gpu|/{_WS}*gpu|each{_WS}+gpu|per{_WS}+card|per{_WS}+device))"
    rf"|(?P<epoch>(?i:per{_WS}+epoch|/{_WS}*epoch|each{_WS}+epoch|an{_WS}+epoch|(?:for|in){_WS}+(?:one|1|a{_WS}+single|each|the{_WS}+first|a){_WS}+epoch|\({_WS}*(?:1|one){_WS}+epoch{_WS}*\)))"
    rf"|(?P<total>(?i:in{_WS}+total|total|overall|all[- ]in|altogether|combined)))(?![A-Za-z])"
)
# "a 24 GB card", "80GB GPUs" - but not "300 GB of GPU memory", which is an amount, not a card
_SPEC_AFTER = re.compile(rf"{_WS}*(?:-|{_WS})?(?:of{_WS}+)?(?:VRAM{_WS}+|vram{_WS}+)?(?i:(?:gpus?|cards?|graphics{_WS}+cards?)\b"
                         rf"(?!{_WS}*(?:memory|ram|vram)\b))")
_SPEC_BETWEEN = re.compile(
    rf"^[\s,(:\-–]*(?i:(?:with|has|have|which{_WS}+has|that{_WS}+has|offers|packs|sports|comes{_WS}+with|ships{_WS}+with|'s|’s|s'|and{_WS}+its|and{_WS}+their)\b)?"
    rf"[\s,(]*(?i:(?:only|just|a{_WS}+mere|about|~|up{_WS}+to)\b)?[\s~]*$"
)
_DATASET_AFTER = re.compile(
    rf"{_WS}*(?:-|{_WS})?(?i:(?:of{_WS}+)?(?:(?:raw|clean|plain|training|cleaned|compressed|uncompressed|domain|text|json|jsonl|csv|parquet)[ -])*"
    rf"(?:text|data|dataset|datasets|corpus|corpora|documents|docs|pdfs|logs|files|jsonl|csv|parquet|books|articles|code))\b"
    # "500 MB of de-identified English clinical notes": up to three describing words after "of"
    rf"|{_WS}+(?i:of{_WS}+(?:[a-z][\w-]*{_WS}+){{1,3}}(?:text|data|documents|docs|notes|logs|emails|transcripts|tickets|"
    rf"articles|books|code|papers|reports|records|messages|conversations|manuals|documentation|contracts|filings))\b"
)


# ============================================================================ context regexes
_REQ_WORDS = [r"needs?", r"needed", r"requir\w*", r"minimum", r"min\.?", r"at\s+least", r"fits?", r"fitting", r"peak", r"footprint",
              r"usage", r"uses?", r"using", r"consum\w*", r"oom", r"out\s+of\s+memory"]
_EST_WORDS = [r"est\.?", r"estimat\w*", r"expect\w*", r"should", r"would", r"will", r"probably", r"likely", r"typically", r"roughly",
              r"approx\w*", r"about", r"around", r"~", r"≈"]
# = (?<![A-Za-z])(?i:needs?|needed|...)(?![A-Za-z]); only searched (in _has), where the WordStarts
# locator skips from one non-letter to the next instead of testing every candidate letter.
_REQ_RE = WordStarts(_REQ_WORDS, boundary=LETTER, tail="(?![A-Za-z])")
_EST_RE = WordStarts(_EST_WORDS, boundary=LETTER, tail="(?![A-Za-z])")
_EFFORT_CTX_RE = re.compile(
    r"(?i:\byour\s+time\b|\bpeople(?:'s)?\s+(?:time|cost)|\bpeople\b|\bstaff\b|\blabou?r\b|\beffort\b|\bengineer(?:ing)?\s+time|"
    r"\bteam\s+time|\bhuman\s+time|\bconsult\w*\s+(?:time|fees?)|\bdata\s+prep\w*|\bevaluation\b|\breview\b|"
    r"\bintegration\b|\bcleaning\b|\blabell?ing\b|\bannotation\b|\bonboarding\b|\bhosting\b|\bserving\b|\binference\b)")
_APPROX_CTX_RE = re.compile(r"(?i:\bapprox\w*|~|≈|\brough\w*)")
# searched only in short spans (a header, 60 characters after a claim): a plain alternation does
_PER_EPOCH_CTX_RE = re.compile(
    r"(?i:per\s+epoch|/\s*epoch|\(\s*(?:1|one)\s+epoch\s*\)|for\s+(?:one|1|a\s+single)\s+epoch|each\s+epoch)")
_RUN_CTX_RE = re.compile(r"(?i:\btrain\w*|\bfine-?tun\w*|\bruns?\b|\bgpus?\b|\bcompute\b)")
_RATE_GIVEN_CTX_RE = re.compile(
    r"(?i:\$\s*\d[\d.,]*(?:\s*[-–]\s*\$?\d[\d.,]*)?\s*(?:/|per\s+)(?:gpu[- ]?)?(?:hour|hr|h)\b)")
_PER_HOUR_CTX_RE = re.compile(r"(?i:\$\s*/\s*(?:gpu[- ]?)?(?:hour|hr|h)\b|per\s+(?:gpu[- ]?)?hour|/\s*(?:gpu[- ]?)?(?:hour|hr|h)\b|hourly|per\s+hr)")

_FAMILY = {
    "money": "money",
    "price_rate": "money",
    "duration": "duration",
    "memory": "memory",
    "dataset_bytes": "memory",
    "dataset_tokens": "dataset_tokens",
    "throughput": "throughput",
}


# ============================================================================ helpers
def _fnum(s: str) -> float:
    return float(s.replace(",", ""))


def _norm_words(s: str) -> str:
    return " ".join(s.lower().split())


def _number(n: str | None, sx: str | None, sw: str | None, w: str | None, ww: str | None) -> tuple[float, float, float | None, str | None] | None:
    """(low, high, scale or None, number word or None) of one number of a range, from its
    groups: digits, scale suffix, scale word after digits, number word, scale word after it."""
    if n is not None:
        v = float(n.replace(",", ""))
        if sx:
            return v, v, _SCALE_SUFFIXES[sx], None
        sw = sw or ww
        return v, v, _SCALE_WORDS[sw.lower()] if sw else None, None
    if w is None:
        return None
    word = " ".join(w.lower().split())
    lo, hi = _NUMBER_WORDS.get(word, (1, 1))
    if sx:
        scale = _SCALE_SUFFIXES[sx]
    else:
        sw = sw or ww
        scale = _SCALE_WORDS[sw.lower()] if sw else None
    return float(lo), float(hi), scale, word


_SCALE_SUFFIXES = lx.SCALE_SUFFIXES
_SCALE_WORDS = lx.SCALE_WORDS
_NUMBER_WORDS = lx.NUMBER_WORDS
_APPROX_NUMBER_WORDS = lx.APPROX_NUMBER_WORDS


def _range_values(g: tuple, i: int) -> tuple[float, float, bool, set[str], str | None] | None:
    """Resolve a range from a match's ``groups()`` tuple ``g``, whose groups ``i .. i + 10`` are
    (an, as, aS, aw, aW, sep, bn, bs, bS, bw, bW) of :func:`_range`:
    (low, high, is_range, qualifiers, first number word)."""
    a = _number(g[i], g[i + 1], g[i + 2], g[i + 3], g[i + 4])
    if a is None:
        return None
    quals: set[str] = set()
    alo, ahi, ascale, aword = a
    b = _number(g[i + 6], g[i + 7], g[i + 8], g[i + 9], g[i + 10]) if g[i + 5] is not None else None
    if aword in _APPROX_NUMBER_WORDS:
        quals.add("approx")
    if b is None:
        s = ascale or 1.0
        is_range = alo != ahi
        if is_range:
            quals.add("range")
        return alo * s, ahi * s, is_range, quals, aword
    blo, bhi, bscale, _ = b
    if ascale is None and bscale is not None and alo <= blo:
        ascale = bscale  # "12-15 billion": the scale applies to both ends
    elif bscale is None and ascale is not None and blo >= alo:
        bscale = ascale
    lo, hi = alo * (ascale or 1.0), bhi * (bscale or 1.0)
    if lo > hi:
        lo, hi = hi, lo
    quals.add("range")
    return lo, hi, True, quals, aword


def _apply_bounds(lo: float, hi: float, quals: set[str]) -> tuple[float, float]:
    if "lower_bound" in quals and "upper_bound" not in quals:
        return lo, INF
    if "upper_bound" in quals and "lower_bound" not in quals:
        return 0.0, hi
    return lo, hi


# --- knowledge-base lookups, memoised per distinct name
_KB_STATE: dict[str, object] = {}
_GPU_IDS: dict[str, str] = {}
_MODEL_IDS: dict[str, tuple[str, float | None]] = {}


def _kb():
    if "kb" not in _KB_STATE:
        try:
            from reality.knowledge import load_kb

            _KB_STATE["kb"] = load_kb()
        except Exception:  # the KB is optional for extraction: fall back to slugs
            _KB_STATE["kb"] = None
    return _KB_STATE["kb"]


def _slug(s: str) -> str:
    s = re.sub(r"(?i)\b(?:nvidia|geforce|amd)\b", "", s)
    return re.sub(r"[^a-z0-9.]+", "-", s.lower()).strip("-")


def _gpu_id(name: str, mem: int | None) -> str:
    key = f"{name}|{mem}"
    got = _GPU_IDS.get(key)
    if got is not None:
        return got
    base = re.sub(r"\s+", " ", name.strip())
    candidates = [f"{base} {mem}GB", base] if mem else [base]
    kb = _kb()
    gid = None
    if kb is not None:
        for cand in candidates:
            try:
                entry = kb.gpu(cand)
            except Exception:
                entry = None
            if entry is not None:
                # "A100" alone resolves to the 80GB entry; "A100 40GB" must not.
                if mem and getattr(getattr(entry, "memory", None), "value", mem) not in (mem, float(mem)):
                    continue
                gid = entry.id
                break
    if gid is None:
        gid = _slug(candidates[0])
    _GPU_IDS[key] = gid
    return gid


def _model_id(name: str) -> tuple[str, float | None]:
    got = _MODEL_IDS.get(name)
    if got is not None:
        return got
    kb = _kb()
    result: tuple[str, float | None] = (_slug(name), None)
    if kb is not None:
        try:
            entry = kb.model(name)
        except Exception:
            entry = None
        if entry is not None:
            params = getattr(getattr(entry, "params", None), "value", None)
            result = (entry.id, params)
    _MODEL_IDS[name] = result
    return result



# ============================================================================ extraction
class _C:
    """Mutable claim under construction."""

    __slots__ = ("kind", "low", "high", "unit", "start", "end", "quals", "subject", "role", "attrs", "fixed")

    def __init__(self, kind, low, high, unit, start, end, quals=None, subject=None, role=None, attrs=None):
        self.kind = kind
        self.low = low
        self.high = high
        self.unit = unit
        self.start = start
        self.end = end
        self.quals = quals if quals is not None else set()
        self.subject = subject
        self.role = role
        self.attrs = attrs if attrs is not None else {}
        self.fixed = False  # subject/role decided by the grammar (GPU specs, named models)


def _qual_back(low: str, start: int, floor: int) -> tuple[int, set[str]]:
    """Qualifier words right before ``start`` ("about", "up to", "~", "between"...), stacked."""
    quals: set[str] = set()
    for _ in range(3):
        lo = max(floor, start - _LOOKBACK)
        if lo >= start:
            break
        before = low[lo:start]
        if not before.rstrip(_WS_CHARS).endswith(_QUAL_ENDS):
            break  # cheap test: no qualifier word ends there, so _QUAL_REV cannot match
        m = _QUAL_REV.match(before[::-1])
        if not m:
            break
        word = m.group("w")[::-1]
        q = _QUAL_WORDS.get(" ".join(word.split()))
        if q == "lower_bound" and word == "over" and _PASS_OVER.search(low, max(0, start - m.end() - 30), start - m.end()):
            q = None  # "three passes over 10,000 emails": a preposition, not "more than"
        elif q == "lower_bound" and word == "more than" and _NOT_MORE.search(low, max(0, start - m.end() - 30), start - m.end()):
            q = "upper_bound"  # "shouldn't take more than a few hours"
        if q:
            quals.add(q)
        start -= m.end()
    return start, quals


def _word_back(rev: re.Pattern, low: str, start: int, floor: int) -> int | None:
    lo = max(floor, start - _LOOKBACK)
    if lo >= start:
        return None
    before = low[lo:start]
    if not before.rstrip(_WS_CHARS + "-" if rev is _COUNT_REV else _WS_CHARS).endswith(_REV_ENDS[rev]):
        return None  # cheap test: none of the words ends there
    m = rev.match(before[::-1])
    return start - m.end() if m else None


def _after_quals(text: str, end: int, quals: set[str]) -> None:
    j = end
    n = len(text)
    while j < n and text[j] in _WS_CHARS:
        j += 1
    if j >= n or text[j] not in _AFTER_FIRST:
        return  # neither _SUFFIX_BOUND nor _PER_AFTER can match: both read _WS*, then one of these
    m = _SUFFIX_BOUND.match(text, end)
    if m:
        quals.add("lower_bound" if m.group("lo") else "upper_bound")
    m = _PER_AFTER.match(text, end)
    if m:
        if m.group("gpu"):
            quals.add("per_gpu")
        elif m.group("epoch"):
            quals.add("per_epoch")
        else:
            quals.add("total")


# Words that end a count rather than describe its examples ("7B model examples", "5k of them").
_NOT_FILLERS = frozenset(
    "of and or to the a an in on for with per from by at is are was were than more less over under about into "
    "model models llm llms gpu gpus card cards node nodes epoch epochs step steps hour hours day days minute minutes "
    "parameter parameters params weight weights layer layers".split()
)


_SLASH_WORD = re.compile(r"/[a-z][a-z\-]*")
_OF_POSSESSIVE = re.compile(r"\s*(?:their|your|our|my|his|her|the\s+client's|the\s+company's)\s+")


def _read_unit(low: str, pos: int, digits: bool) -> tuple[str, float, int] | None:
    """The unit after a number: (kind, factor, end) or None. Skips up to three count fillers
    ("5k high-quality examples"), reads multi-word units ("tokens per second", "GPU hours")."""
    fillers = unknown = 0
    spare = 0  # one more describing word after "of their": "12k of their past campaign copy examples"
    start = pos
    while True:
        m = _UNIT_WORD.match(low, pos)
        if m is None:
            return None
        w = m.group(1)
        if w == "of" and digits and pos == start and (p := _OF_POSSESSIVE.match(low, m.end())):
            pos, spare = p.end(), 1
            continue
        end = m.end()
        info = lx.UNITS.get(w)
        if info is None and "-" in w:
            head = w.split("-", 1)[0]
            if head in lx.UNITS and head not in _FILLERS:
                w, info, end = head, lx.UNITS[head], m.start(1) + len(head)
        if w in ("tok", "toks", "tokens", "token", "t", "tflop"):
            t = (_SLASH_S if w == "tflop" else _PER_SEC).match(low, end)
            if t:
                return ("compute", 1.0, t.end()) if w == "tflop" else ("throughput", 1.0, t.end())
            if w == "t":
                return None
        elif w == "gpu":
            t = _GPU_HOURS_TAIL.match(low, end)
            if t:
                return "gpu_hours", 1.0, t.end()
        if info is not None:
            kind, factor = info
            if fillers and kind not in _COUNT_KINDS:
                return None
            if unknown and kind != "dataset_examples":
                return None
            if w in lx.ATTACHED_ONLY_UNITS and (not digits or m.start(1) != start):
                return None
            return kind, factor, end
        if w in _FILLERS and fillers < 3 + spare:
            fillers += 1
            pos = m.end()
            if (s := _SLASH_WORD.match(low, pos)) is not None:
                pos = s.end()  # "20k input/output examples"
            continue
        if digits and unknown < 2 + spare and fillers + unknown < 3 + spare and w not in _NOT_FILLERS and w[:1].isalpha():
            # any one or two words before a noun that counts examples: "60k maintenance-log examples"
            unknown += 1
            fillers += 1
            pos = m.end()
            if (s := _SLASH_WORD.match(low, pos)) is not None:
                pos = s.end()  # "50k function/comment pairs": one describing word
            continue
        return None


def _do_number(text: str, low: str, start: int, floor: int, out: list[_C]) -> int:
    """Parse a number (or number word) + unit at ``start``; returns the end, or -1."""
    m = _NUMR.match(text, start)
    if m is None:
        return -1
    g = m.groups()  # qan qas qaS qaw qaW qsep qbn qbs qbS qbw qbW qplus
    digits = g[0] is not None
    unit = _read_unit(low, m.end(), digits)
    if unit is None:
        # bare model size: "7B", "70b", "7B-13B", "20B+"
        sa, sb = g[1], g[7]
        if digits and (sa in ("b", "B") or sb in ("b", "B")) and not (g[6] is None and g[5]):
            e = m.end()
            if e < len(text) and (text[e].isalnum() or text[e] == "_" or (text[e] == "." and text[e + 1 : e + 2].isdigit())):
                return -1
            rv = _range_values(g, 0)
            if rv is None:
                return -1
            lo, hi, _, quals, _ = rv
            s, pq = _qual_back(low, start, floor)
            quals |= pq
            if g[11]:
                quals.add("lower_bound")
            lo, hi = _apply_bounds(lo, hi, quals)
            out.append(_C("model_size", lo, hi, "parameter", s, e, quals, "model"))
            return e
        return -1
    kind, factor, end = unit
    rv = _range_values(g, 0)
    if rv is None:
        return -1
    lo, hi, _, quals, word = rv
    if word in _WEAK_NUMBER_WORDS and not (g[2] or g[4]):
        if ("duration" if kind == "gpu_hours" else kind) not in lx.WEAK_NUMBER_UNITS_KINDS:
            return -1
        if low.startswith("second", end - 6) and _ORDINAL_NEXT.match(low, end):
            return -1  # "a second copy", "a second tab": the ordinal, not one second
    if _NOT_CLAIM_AFTER.match(text, end):
        return -1
    if kind == "duration" and low.endswith(_PART_OF, max(floor, start - 16), start):
        return -1  # "a fraction of a day" is not a day
    if g[11]:
        quals.add("lower_bound")
    if end < len(text) and text[end] == "+":
        quals.add("lower_bound")
        end += 1
    s, pq = _qual_back(low, start, floor)
    quals |= pq
    attrs: dict = {}
    subject = None
    if kind == "gpu_hours":
        kind = "duration"
        attrs["gpu_hours"] = True
        subject = "gpu_hours"
        quals.add("total")
    elif kind == "money_eur":
        kind = "money"
        attrs["currency"] = "EUR"
    if kind == "epochs" and "lower_bound" in pq and low[s:s + 4] == "over":
        quals.discard("lower_bound")  # "train over 3 epochs" is not "more than 3 epochs"
    if kind == "duration" and not g[5]:
        t = _OR_TWO.match(low, end)
        if t:  # "an hour or two", "a day or so"
            end = t.end()
            if t.group("two"):
                hi = 2 * hi
                quals.add("range")
            else:
                quals.add("approx")
    lo *= factor
    hi *= factor
    if kind in ("duration", "memory") and not g[5] and end < len(low) and low[end] in _RANGE_JOIN_START:
        mixed = _mixed_range_end(low, end, kind, hi)
        if mixed is not None:  # "45 minutes to 2.5 hours": one range in two units
            hi, end = mixed
            quals.add("range")
    unit_name = "EUR" if attrs.get("currency") == "EUR" else lx.CANONICAL_UNIT[kind]
    c = _C(kind, lo, hi, unit_name, s, end, quals, subject, None, attrs)
    if kind == "money":
        _money_rate(text, c)
    out.append(c)
    return c.end


_WEAK_NUMBER_WORDS = lx.WEAK_NUMBER_WORDS
_ORDINAL_NEXT = re.compile(rf"{_WS}+(?!(?:or|of|and|per|to|in|on|for|each|longer|faster|slower|later|ago)\b)[a-z]")
_PART_OF = ("fraction of ", "part of ", "portion of ", "share of ", "most of ", "rest of ", "remainder of ")
_RANGE_JOIN_START = frozenset(" \t-–—")
_RANGE_JOIN = re.compile(rf"{_WS}*(?:[-–—]|to){_WS}*(?=[\d.])")


def _mixed_range_end(low: str, end: int, kind: str, hi: float) -> tuple[float, int] | None:
    """(high, end) when a range continues with a number in another unit of the same kind."""
    j = _RANGE_JOIN.match(low, end)
    if j is None:
        return None
    m = _NUMR.match(low, j.end())
    if m is None or m.group("qan") is None or m.group("qsep"):
        return None
    unit = _read_unit(low, m.end(), True)
    if unit is None or unit[0] != kind:
        return None
    num = _number(m.group("qan"), m.group("qas"), m.group("qaS"), None, None)
    if num is None:
        return None
    value = num[1] * unit[1]
    return (value, unit[2]) if value > hi else None
assert tuple(_NUMR.groupindex) == ("qan", "qas", "qaS", "qaw", "qaW", "qsep", "qbn", "qbs", "qbS", "qbw", "qbW", "qplus")
assert tuple(_MONEY.groupindex) == ("ycur", "yan", "yas", "yaS", "yaw", "yaW", "ysep", "ybn", "ybs", "ybS", "ybw", "ybW", "yplus")
assert all(_NUMR.groupindex[k] == i + 1 for i, k in enumerate(_NUMR.groupindex))
assert all(_MONEY.groupindex[k] == i + 1 for i, k in enumerate(_MONEY.groupindex))


# A GPU named in order to be ruled out ("you don't need an A100", "instead of an H100").
_RULED_OUT_WORDS = re.compile(r"(?i:need|instead|rather|without)")  # cheap pre-test
_NOT_THIS_GPU = re.compile(
    r"(?:\b(?:do|does|did|will|would|wo|should)(?:n['’]t|\s+not)\s+need|\bno\s+need\s+for|\binstead\s+of|\brather\s+than|\bwithout)"
    r"\s+(?:(?:to\s+)?(?:rent|buy|use|renting|buying|using)\s+)?(?:an?|the|any)?\s*$",
    re.I,
)


# precision words parsed as methods say nothing of full vs LoRA: not context for a claim's method
_PRECISION_ONLY = frozenset({"bf16", "fp16", "16-bit", "float16", "bfloat16", "fp32"})
# A model named for comparison ("unlike a dense 7B", "compared with the 13B").
_COMPARE_WORDS = re.compile(r"(?i:unlike|instead|rather|compared|than|vs|versus)")  # cheap pre-test
_NOT_THIS_MODEL = re.compile(
    r"(?:\bunlike|\binstead\s+of|\brather\s+than|\bcompared\s+(?:to|with)|\bthan|\bvs\.?|\bversus)\s+"
    r"(?:(?:a|an|the|our|your|my|their)\s+)?(?:(?:dense|smaller|larger|bigger|plain|regular|standard|base)\s+)?$",
    re.I,
)


def _do_gpu(text: str, m: re.Match, out: list[_C], start: int | None = None) -> bool:
    name = m.group("gname")
    gcn, gcw, gcp = m.group("gcn"), m.group("gcw"), m.group("gcp")
    bare = name[0].isdigit()
    plural = m.group("gpl") == "s"
    if bare and not (gcn or gcw or gcp or plural or re.match(rf"{_WS}+(?i:gpus?|cards?)\b", text[m.end() : m.end() + 12])):
        return False
    count = None
    if gcn:
        count = int(gcn)
    elif gcw:
        count = lx.COUNT_WORDS.get(_norm_words(gcw))
    if gcp:
        count = int(gcp)
    if count == 0 or (count is not None and count > 4096):
        return False
    mem_s = m.group("gm") or m.group("gm2") or m.group("gpm")
    mem = int(mem_s) if mem_s else None
    if bare:
        name = "RTX " + name
    gid = _gpu_id(name, mem)
    given = count is not None and _norm_words(gcw or "") not in ("a", "an")
    s = m.start() if start is None else start
    attrs = {"gpu": gid, "count": count or 1, "count_given": given}
    if _RULED_OUT_WORDS.search(text, max(0, s - 40), s) and _NOT_THIS_GPU.search(text, max(0, s - 40), s):
        attrs["negated"] = True  # "you don't need an A100": not the plan's GPU, not context for claims
    c = _C("gpu", float(count or 1), float(count or 1), "GPU", s, m.end(), set(), "gpu", "spec", attrs)
    c.fixed = True
    out.append(c)
    for g in ("gm", "gm2", "gpm"):
        if m.group(g):
            s, e = m.span(g)
            um = re.match(r"[ \t]?(?:GB|GiB|G|gb)", text[e : e + 4])
            e2 = e + (um.end() if um else 0)
            factor = 1.073741824 if "GiB" in text[e:e2] else 1.0
            mc = _C("memory", mem * factor, mem * factor, "GB", s, e2, set(), f"gpu:{gid}", "spec", {"gpu": gid})
            mc.fixed = True
            out.append(mc)
    return True


def _do_ggen(m: re.Match, out: list[_C]) -> None:
    if m.group("ggn"):
        count = int(m.group("ggn"))
    else:
        count = lx.COUNT_WORDS.get(_norm_words(m.group("ggw")), 1)
    if count == 0 or count > 100000:
        return
    c = _C("gpu", float(count), float(count), "GPU", m.start(), m.end(), set(), "gpu", None,
           {"gpu": None, "count": count, "count_given": True})
    c.fixed = True
    out.append(c)


def _do_model(m: re.Match, out: list[_C]) -> None:
    size = m.group("msz")
    mult = 1.0
    if "x" in size:
        k, size = size.split("x", 1)
        mult = float(k)
    scale = 1e9 if m.group("mu") in "bB" else 1e6
    value = mult * float(size) * scale
    mid, params = _model_id(m.group(0))
    attrs: dict = {"model": mid}
    if params:
        attrs["params"] = params
    c = _C("model_size", value, value, "parameter", m.start(), m.end(), set(), "model", "spec", attrs)
    c.fixed = True
    out.append(c)


def _do_named_model(m: re.Match, out: list[_C]) -> bool:
    """A model named without its size ("Phi-3 mini"): a model_size claim when the KB knows it."""
    mid, params = _model_id(m.group(0))
    if not params:
        return False
    c = _C("model_size", params, params, "parameter", m.start(), m.end(), set(), "model", "spec",
           {"model": mid, "params": params})
    c.fixed = True
    out.append(c)
    return True


_EACH = re.compile(rf"{_WS}*(?i:each|apiece)\b")
_SENT_END = re.compile(r"[.!?](?:\s|$)|\n")
_HOURLY_NEAR = re.compile(r"(?i:\bhour(?:ly|s)?\b|\bhrs?\b|gpu[- ]?h)")


def _money_rate(text: str, c: _C) -> None:
    e = _EACH.match(text, c.end)
    if e:  # "eight GPUs at $1.50-2.50 each": a price per item (per GPU-hour when the sentence says hourly)
        c.end = e.end()
        before = text[max(0, c.start - 60) : c.start]
        cut = max(before.rfind(". "), before.rfind("\n"))
        near = before[cut + 1 :] + " " + _SENT_END.split(text[c.end : c.end + 60], maxsplit=1)[0]
        if _RATE_AFTER.match(text, c.end) is None:
            if not _HOURLY_NEAR.search(near):
                c.attrs["per"] = "each"
                return
            c.kind, c.unit = "price_rate", "USD/GPU-hour"
            c.quals.add("per_hour")
            return
    r = _RATE_AFTER.match(text, c.end)
    if not r:
        return
    per = _norm_words(r.group("per"))
    if per.startswith(("gpu", "hour", "hr")) or per == "h" or per.endswith(("-hour", "-hours", " hour", " hours", "-hr", "-hrs")):
        # "per GPU-hour", "per hour", "per A100-hour"
        c.kind = "price_rate"
        c.unit = "USD/GPU-hour"
        c.quals.add("per_hour")
    elif per.startswith("node"):
        c.kind = "price_rate"
        c.unit = "USD/node-hour"
        c.quals.add("per_hour")
        c.attrs["per"] = "node-hour"
    elif per.startswith("epoch"):
        c.quals.add("per_epoch")
    else:
        c.attrs["per"] = per
    c.end = r.end()


def _do_money(text: str, low: str, start: int, floor: int, out: list[_C]) -> int:
    m = _MONEY.match(text, start)
    if m is None:
        return -1
    g = m.groups()  # ycur yan yas yaS yaw yaW ysep ybn ybs ybS ybw ybW yplus
    rv = _range_values(g, 1)
    if rv is None:
        return -1
    lo, hi, _, quals, word = rv
    if word in _WEAK_NUMBER_WORDS and not (g[3] or g[5]):
        return -1
    cur = g[0].strip()
    s = start
    if cur == "$" and low[max(floor, s - 2) : s] == "us":
        s -= 2
    s, pq = _qual_back(low, s, floor)
    quals |= pq
    if g[12]:
        quals.add("lower_bound")
    unit = _CURRENCY.get(cur, "USD")
    c = _C("money", lo, hi, unit, s, m.end(), quals)
    if unit != "USD":
        c.attrs["currency"] = unit
    _money_rate(text, c)
    out.append(c)
    return c.end


_CURRENCY = {"€": "EUR", "EUR": "EUR", "eur": "EUR", "£": "GBP"}


def _do_wdur(low: str, start: int, end: int, floor: int, out: list[_C]) -> int:
    w = low[start:end]
    s = start
    if w == "weekend":
        b = _word_back(_NUMW_REV, low, start, floor)
        if b is None or low[b:start].strip() != "a":
            return -1
        s = b
        lo, hi = 48.0, 60.0
    else:
        lo, hi = 8.0, 14.0
    s, quals = _qual_back(low, s, floor)
    quals.add("approx")
    lo, hi = _apply_bounds(lo, hi, quals)
    out.append(_C("duration", lo, hi, "hour", s, end, quals))
    return end


def _do_method(text: str, start: int, out: list[_C]) -> int:
    m = _METHOD.match(text, start)
    if m is None:
        return -1
    for i, (_, norm) in enumerate(lx.METHODS):
        if m.group(f"me{i}") is not None:
            c = _C("method", 0.0, 0.0, "", m.start(), m.end(), set(), "method", None, {"method": norm})
            c.fixed = True
            out.append(c)
            return m.end()
    return -1


def _find_anchors(text: str, low: str) -> tuple[list[tuple[int, int, str | None]], list[int], list[tuple[int, int, str]] | None]:
    """Anchors (start, end, class), GPU-name anchor starts and, for ASCII text, the cues (else None)."""
    anchors: list[tuple[int, int, str | None]] = []  # (start, end, anchor class)
    gpu_pos: list[int] = []
    classes = _ANCHOR_CLASSES
    n = len(low)
    if low.isascii():
        cues: list[tuple[int, int, str]] = []
        cue_class = _CUE_CLASS
        cue_end = 0
        for m in _FAST_SCAN.finditer(" " + low):
            s = m.start()  # offset in low of the word after the non-word character at s - 1
            if low[s - 1 : s] == "$":
                anchors.append((s - 1, s, "cur"))
                if s - 1 >= cue_end:
                    cues.append((s - 1, s, cue_class["$"]))
                    cue_end = s
            d, w, k, k2 = m.groups()
            if d is not None:
                if not (s and low[s - 1] in ".,"):
                    anchors.append((s, s + 1, "digit"))
            elif w is not None:
                e = s + len(w)
                anchor, _, prefix = classes[w]
                if e < n and low[e].isalpha():
                    if prefix:
                        e = _WORD_TAIL.match(low, e).end()
                        anchors.append((s, e, anchor))
                        if anchor == "gpu":
                            gpu_pos.append(s)
                else:
                    anchors.append((s, e, anchor))
                    if anchor == "gpu":
                        gpu_pos.append(s)
            k = k or k2
            if k is not None and s >= cue_end:
                cue_end = s + len(k)
                cues.append((s, cue_end, cue_class[k]))
        if "RAM" in text:
            cues.extend((m.start(), m.end(), "ram") for m in _RAM_RE.finditer(text))
            cues.sort()
        return anchors, gpu_pos, cues
    return _find_anchors_plain(low) + (None,)


def _find_anchors_plain(low: str) -> tuple[list[tuple[int, int, str | None]], list[int]]:
    """The anchors with the plain scan (any text; the fast scan in _find_anchors needs ASCII)."""
    anchors: list[tuple[int, int, str | None]] = []
    gpu_pos: list[int] = []
    classes = _ANCHOR_CLASSES
    n = len(low)
    for m in _SCAN.finditer(low):
        kind = m.lastgroup
        if kind == "w":
            s, e = m.span()
            word = m.group()
            anchor, cue, prefix = classes[word]
            if e < n and low[e].isalpha():
                if not prefix:
                    continue
                e = _WORD_TAIL.match(low, e).end()
            anchors.append((s, e, anchor))
            if anchor == "gpu":
                gpu_pos.append(s)
        elif kind == "d":
            s = m.start()
            if s and low[s - 1] in ".,":
                continue
            anchors.append((s, m.end(), "digit"))
        else:
            anchors.append((m.start(), m.end(), "cur"))
    return anchors, gpu_pos


def _scan(text: str) -> tuple[list[_C], str, list[tuple[int, int, str]] | None]:
    """One pass over the text: the claims (unsorted), the lower-cased text and (ASCII text) the cues."""
    low = text.lower()
    if len(low) != len(text):  # a few characters change length when lower-cased
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    out: list[_C] = []
    anchors, gpu_pos, cues = _find_anchors(text, low)
    if not anchors:
        return out, low, cues

    last = 0  # end of the last claim: anchors inside it are skipped, look-backs stop there
    for s, e, anchor in anchors:
        if s < last:
            continue
        end = -1
        if anchor == "digit":
            de = _digits_end(low, s)
            try_gpu = low[de : de + 1] in ("x", "×", "*") and low[de + 1 : de + 2] != " " or low[de - 1 : de] == " " and low[de : de + 1] == "x"
            if not try_gpu and gpu_pos:
                i = bisect.bisect_right(gpu_pos, s)
                try_gpu = i < len(gpu_pos) and gpu_pos[i] - s <= 16
            if try_gpu:
                g = _GPU.match(text, s)
                if g and _do_gpu(text, g, out):
                    end = g.end()
            if end < 0 and low.startswith(("gpu", "card", "x", "-gpu", " gpu", " card", " x", "-card"), de):
                g = _GGEN.match(text, s)
                if g:
                    _do_ggen(g, out)
                    end = g.end()
            if end < 0:
                end = _do_number(text, low, s, last, out)
            if end < 0 and low.startswith(("-bit", "bit", " bit"), s + 1 + (low[s + 1 : s + 2].isdigit())):
                end = _do_method(text, s, out)
            if end < 0 and _BARE_RE.search(text, s, _GPU_PREFIX_RUN.match(text, s).end()):
                # "4090s" and other GPU names that start with a digit. The name (GPU_BARE) can
                # only start at or after s, after count / memory characters, hence the test.
                b = _word_back(_COUNT_REV, low, s, last)
                g = _GPU.match(text, b) if b is not None else None
                if g is None or g.end() <= s:
                    g = _GPU.match(text, s)
                if g and g.group("gname")[0].isdigit() and _do_gpu(text, g, out):
                    end = g.end()
        elif anchor == "cur":
            end = _do_money(text, low, s, last, out)
        elif anchor == "gpu":
            b = _word_back(_COUNT_REV, low, s, last)
            g = _GPU.match(text, b) if b is not None else None
            if g is None or g.end() <= s:
                g = _GPU.match(text, s)
            if g and _do_gpu(text, g, out):
                end = g.end()
        elif anchor == "model":
            g = _MODEL.match(text, s)
            if g:
                _do_model(g, out)
                end = g.end()
            else:
                g = _NAMED_MODEL.match(text, s)
                if g and _do_named_model(g, out):
                    end = g.end()
        elif anchor == "method":
            end = _do_method(text, s, out)
        elif anchor == "unitword":
            b = _word_back(_NUMW_REV, low, s, last)
            if b is not None:
                end = _do_number(text, low, b, last, out)
        elif anchor == "gpuword":
            b = _word_back(_COUNT_REV, low, s, last)
            if b is not None and _GPU_HOURS_TAIL.match(low, e) and not low.startswith(("a gpu", "an gpu", "per gpu"), b):
                end = _do_number(text, low, b, last, out)  # "a single GPU-hour", "two GPU hours"
            elif b is not None:
                g = _GGEN.match(text, b)
                if g:
                    _do_ggen(g, out)
                    end = g.end()
        elif anchor == "wdur":
            end = _do_wdur(low, s, e, last, out)
        elif anchor == "curword":
            end = _do_money(text, low, s, last, out)
        if end > 0:
            last = end
    for c in out:
        if c.kind not in ("gpu", "method") and not c.fixed:
            _after_quals(text, c.end, c.quals)
            if "lower_bound" in c.quals or "upper_bound" in c.quals:
                c.low, c.high = _apply_bounds(c.low, c.high, c.quals)
    return out, low, cues


def _cues(text: str, low: str) -> list[tuple[int, int, str]]:
    """Cue words, sorted: (start, end, class)."""
    cls = _CUE_CLASS
    cues = [(m.start(), m.end(), cls[m.group()]) for m in _CUE_SCAN.finditer(low)]
    if "RAM" in text:
        cues.extend((m.start(), m.end(), "ram") for m in _RAM_RE.finditer(text))
        cues.sort()
    return cues


def _digits_end(low: str, s: int) -> int:
    e = s
    n = len(low)
    while e < n and low[e].isdigit():
        e += 1
    while e < n and low[e] == " ":
        e += 1
    return e


# = (?<![A-Za-z])RAM(?![A-Za-z]), written to start with the literal so sre searches for "RAM"
# directly ("VRAM" is common: the look-behind then rejects it).
_RAM_RE = re.compile(r"RAM(?<![A-Za-z]RAM)(?![A-Za-z])")


# ============================================================================ attachment
def _nearest_cue(
    c: _C,
    scopes: list[tuple[int, int]],
    starts: list[int],
    cues: list[tuple[int, int, str]],
    classes: dict[str, str],
    blockers: list[tuple[int, int]],
) -> tuple[str, int] | None:
    """(cue class, scope index) of the best compatible cue, or None."""
    cstart, cend = c.start, c.end
    ncues = len(cues)
    order = None
    si = 0
    for a, b in scopes:
        i = bisect_left(starts, a)
        best = None
        best_key = None
        inside = cstart >= a and cend <= b
        while i < ncues:
            cs, ce, cls = cues[i]
            if cs >= b:
                break
            i += 1
            if cls not in classes or ce > b:
                continue
            if cs < cend and ce > cstart:
                continue  # part of the claim itself
            blocked = False
            for bs, be in blockers:
                if bs <= cs and ce <= be:
                    blocked = True  # part of another claim of the same family
                    break
            if blocked:
                continue
            if inside:
                if ce <= cstart:
                    dist = cstart - ce
                    lo_, hi_ = ce, cstart
                    side = 0
                else:
                    dist = cs - cend
                    lo_, hi_ = cend, cs
                    side = 1
                for bs, be in blockers:
                    if lo_ <= bs and be <= hi_:
                        dist += 1000  # another claim of the same family sits in between
                        break
                key = (dist, side)
            else:  # context (header, label, heading): most specific class wins
                if order is None:
                    order = list(classes)
                key = (order.index(cls), cs)
            if best_key is None or key < best_key:
                best, best_key = cls, key
        if best is not None:
            return best, si
        si += 1
    return None


def _has(pattern: WordStarts, text: str, scopes: list[tuple[int, int]], skip: tuple[int, int]) -> bool:
    for a, b in scopes:
        if skip[0] >= a and skip[1] <= b:
            if pattern.search(text, a, skip[0]) or pattern.search(text, skip[1], b):
                return True
        elif pattern.search(text, a, b):
            return True
    return False


_CONTEXT_KINDS = ("gpu", "model_size", "method", "dataset_examples", "dataset_tokens", "dataset_bytes", "epochs")
_CONTEXT_SET = frozenset(_CONTEXT_KINDS)
_CHECKABLE = frozenset({"money", "price_rate", "duration", "memory", "throughput", "dataset_bytes", "compute"})


def _attach(text: str, claims: list[_C], st: Structure, cues: list[tuple[int, int, str]]) -> None:
    starts = [c[0] for c in cues]
    by_start = [c.start for c in claims]
    spans_by_family: dict[str, list[tuple[int, int]]] = {}
    for c in claims:
        fam = _FAMILY.get(c.kind)
        if fam:
            spans_by_family.setdefault(fam, []).append((c.start, c.end))
    gpus = [c for c in claims if c.kind == "gpu" and c.attrs.get("gpu")]

    layer_cache: dict[int, list[tuple[int, int]]] = {}
    effort_spans: dict[tuple[int, int], bool] = {}

    def effort_ctx(a: int, b: int) -> bool:  # a heading about people's time (several claims share one)
        hit = effort_spans.get((a, b))
        if hit is None:
            # "Evaluation and review" is people's time; "Training and evaluation" is still the run's
            hit = effort_spans[(a, b)] = bool(_EFFORT_CTX_RE.search(text, a, b)) and not _RUN_CTX_RE.search(text, a, b)
        return hit

    def claims_in(a: int, b: int):
        i = bisect.bisect_left(by_start, a)
        while i < len(claims) and claims[i].start < b:
            yield claims[i]
            i += 1

    for c in claims:
        if c.kind in ("gpu", "method") or c.fixed:
            continue
        lay = st.layers(c.start)
        if lay is None:
            continue
        seg, blk_span, contexts = lay
        scopes = [seg] if blk_span == seg else [seg, blk_span]
        scopes.extend(contexts)
        layer_cache[c.start] = scopes
        fam = _FAMILY.get(c.kind)
        blockers = [s for s in spans_by_family.get(fam, ()) if s != (c.start, c.end)] if fam else []

        # -- memory: GPU spec, dataset size, or a requirement
        if c.kind == "memory":
            spec_gpu = None
            if _SPEC_AFTER.match(text, c.end):
                spec_gpu = "gpu"
            else:
                for g in gpus:
                    if g.end <= c.start and c.start - g.end <= 40 and seg[0] <= g.start:
                        if _SPEC_BETWEEN.match(text[g.end : c.start]):
                            spec_gpu = "gpu:" + g.attrs["gpu"]
                    elif g.start >= c.end and g.start - c.end <= 6 and text[c.end : g.start].strip(" -") == "":
                        spec_gpu = "gpu:" + g.attrs["gpu"]
                if spec_gpu is None and len(scopes) > 1 and seg != scopes[1]:
                    # table cell: the row label is a GPU, no requirement word in header/cell
                    blk = st.locate(c.start)
                    if blk is not None and st.blocks[blk.block].kind == "row" and blk.context:
                        for a, b in blk.context[:2]:
                            for g in claims_in(a, b):
                                if g.kind == "gpu" and g.attrs.get("gpu") and not _has(_REQ_RE, text, [seg, blk.context[0]], (c.start, c.end)):
                                    spec_gpu = "gpu:" + g.attrs["gpu"]
                                    break
                            if spec_gpu:
                                break
            if spec_gpu:
                c.subject, c.role = spec_gpu, "spec"
                if spec_gpu != "gpu":
                    c.attrs["gpu"] = spec_gpu[4:]
                continue
            if _DATASET_AFTER.match(text, c.end):
                c.kind, c.subject = "dataset_bytes", "dataset"
            else:
                hit = _nearest_cue(c, scopes, starts, cues, lx.CUE_SUBJECTS["memory"], blockers)
                if hit and hit[0] == "dataset":
                    c.kind, c.subject = "dataset_bytes", "dataset"
                elif hit:
                    c.subject = lx.CUE_SUBJECTS["memory"][hit[0]]
            # (the cheap test first: "at least 24 GB" needs no search for a requirement word)
            if c.kind == "memory" and ("lower_bound" in c.quals or _has(_REQ_RE, text, scopes, (c.start, c.end))):
                c.role = "requirement"

        elif c.kind in ("money", "price_rate"):
            if c.kind == "money" and "per" not in c.attrs and "per_epoch" not in c.quals:
                rate_ctx = [(a, b) for a, b in contexts[:3] if _PER_HOUR_CTX_RE.search(text, a, b)]
                # a header that states the rate itself ("GPU cost ($2.50-4/GPU-hr)") heads costs worked out from it
                if rate_ctx and not any(_RATE_GIVEN_CTX_RE.search(text, a, b) for a, b in rate_ctx) and _context_rate(
                    text, c, scopes, starts, cues, blockers
                ):
                    c.kind, c.unit = "price_rate", "USD/GPU-hour"
                    c.quals.add("per_hour")
            if c.kind == "price_rate":
                c.subject = "price"
            else:
                hit = _nearest_cue(c, scopes, starts, cues, {"budget": "budget", "cost": "cost"}, blockers)
                c.subject = lx.CUE_SUBJECTS["money"][hit[0]] if hit else "cost"

        elif c.kind == "duration":
            if c.subject is None:
                hit = _nearest_cue(c, scopes, starts, cues, lx.CUE_SUBJECTS["duration"], blockers)
                if hit:
                    c.subject = lx.CUE_SUBJECTS["duration"][hit[0]]

        elif c.kind == "dataset_tokens":
            hit = _nearest_cue(c, scopes, starts, cues, lx.CUE_SUBJECTS["dataset_tokens"], blockers)
            c.subject = lx.CUE_SUBJECTS["dataset_tokens"][hit[0]] if hit else "dataset"

        elif c.kind == "dataset_examples":
            c.subject = "dataset"
        elif c.kind == "epochs":
            c.subject = "epochs"
        elif c.kind == "model_size":
            c.subject = "model"
        elif c.kind == "throughput":
            hit = _nearest_cue(c, scopes, starts, cues, lx.CUE_SUBJECTS["throughput"], blockers)
            c.subject = lx.CUE_SUBJECTS["throughput"][hit[0]] if hit and hit[0] == "inference" else "throughput"
        elif c.kind == "compute":
            c.subject = "compute"
            for g in gpus:
                if abs(g.end - c.start) <= 25 or abs(c.end - g.start) <= 6:
                    c.subject, c.role = "gpu:" + g.attrs["gpu"], "spec"

        # -- context qualifiers from headers / labels ("Approx $/hour", "Est. Time (1 epoch)")
        ctx = contexts
        if ctx and c.kind in ("money", "duration") and any(effort_ctx(a, b) for a, b in ctx[:2]):
            c.attrs["effort"] = True  # under "Your time", "People cost", "Evaluation:": not the training run
        if ctx:
            if "approx" not in c.quals and any(_APPROX_CTX_RE.search(text, a, b) for a, b in ctx[:2]):
                c.quals.add("approx")
            if "per_epoch" not in c.quals and c.kind in ("duration", "money") and any(
                _PER_EPOCH_CTX_RE.search(text, a, b) for a, b in ctx[:2]
            ):
                c.quals.add("per_epoch")
        if "per_epoch" not in c.quals and c.kind in ("duration", "money", "dataset_tokens"):
            # "~305 hours for ONE epoch" where the phrase is not adjacent
            a, b = seg
            if _PER_EPOCH_CTX_RE.search(text, c.end, min(b, c.end + 60)):
                c.quals.add("per_epoch")

        # -- role
        if c.role is None and c.kind in ("money", "price_rate", "duration", "throughput", "dataset_tokens", "dataset_bytes"):
            if c.subject not in ("budget", "deadline") and (
                c.quals & {"approx", "range"} or _has(_EST_RE, text, scopes, (c.start, c.end))
            ):
                c.role = "estimate"

    # -- scenario context: what GPU / model / method / data the claim sits with
    # Only claims of a context kind can be context (model sizes only as specs or "model"), so
    # the scopes are walked over that sub-list (same order, same starts).
    for o in claims:
        if o.kind == "model_size" and _COMPARE_WORDS.search(text, max(0, o.start - 40), o.start) and _NOT_THIS_MODEL.search(
                text, max(0, o.start - 40), o.start):
            o.attrs["negated"] = True  # "unlike a dense 7B": a comparison, not the plan's model
        elif o.kind == "model_size" and _ACTIVE_AFTER.match(text, o.end):
            o.attrs["negated"] = True  # "about 12.9B are active per token": an MoE's active share, not its size
    for o in claims:
        if o.kind in _DATASET_KINDS and (_SUBSET_AFTER.match(text, o.end) or (
                (sc := layer_cache.get(o.start)) and (SIDE_RUN.search(text, *sc[0]) or PAST_RUN.search(text, *sc[0])))):
            # "a pilot on a 4k-example subset", "a smoke test on a few hundred examples", "my last attempt (2k
            # examples)": that sentence's data only
            o.attrs["subset"] = True
    ctx_claims = [
        o for o in claims
        if o.kind in _CONTEXT_SET and not (o.kind == "model_size" and o.role != "spec" and o.subject != "model")
        and not o.attrs.get("negated")
        and not (o.kind == "method" and o.attrs.get("method") in _PRECISION_ONLY)
    ]
    if not ctx_claims:
        return  # nothing below can change without context claims
    ctx_starts = [o.start for o in ctx_claims]
    n = len(ctx_claims)
    n_kinds = len(_CONTEXT_KINDS)
    for c in claims:
        if c.kind not in _CHECKABLE or c.role == "spec":
            continue
        scopes = layer_cache.get(c.start)
        if scopes is None:
            continue
        found: dict[str, _C] = {}
        ckind, cstart, cend = c.kind, c.start, c.end
        si = 0
        for a, b in scopes:
            i = bisect_left(ctx_starts, a)
            here: dict[str, _C] = {}
            while i < n:
                o = ctx_claims[i]
                i += 1
                if o.start >= b:
                    break
                k = o.kind
                if o is c or k == ckind or k in found or o.end > b or (si and o.attrs.get("subset")):
                    continue
                if si == 0 and o.start >= cend and _CONTRAST.search(text, cend, o.start):
                    continue  # "It trains in an hour, while the 70B run takes several": the 70B is the other plan
                prev = here.get(k)
                if prev is None:
                    here[k] = o
                elif si < 2:
                    d_o = cstart - o.end if o.end <= cstart else o.start - cend
                    d_p = cstart - prev.end if prev.end <= cstart else prev.start - cend
                    if si == 1 and (o.end <= cstart) != (prev.end <= cstart):
                        # in the paragraph around the sentence, what came before is what "it" refers to
                        if o.end <= cstart:
                            here[k] = o
                    elif d_o < d_p:
                        here[k] = o
            if here:
                found.update(here)
                if len(found) == n_kinds:
                    break
            si += 1
        g = found.get("gpu")
        if g is not None:
            c.attrs.setdefault("gpu", g.attrs.get("gpu"))
            c.attrs.setdefault("gpu_count", g.attrs.get("count"))
            c.attrs.setdefault("gpu_count_given", g.attrs.get("count_given"))
        mdl = found.get("model_size")
        if mdl is not None:
            if "model" in mdl.attrs:
                c.attrs.setdefault("model", mdl.attrs["model"])
            c.attrs.setdefault("model_params", mdl.attrs.get("params") or (mdl.low if mdl.low == mdl.high else (mdl.low, mdl.high)))
        meth = found.get("method")
        if meth is not None:
            c.attrs.setdefault("method", meth.attrs["method"])
        for k in ("dataset_examples", "dataset_tokens", "dataset_bytes", "epochs"):
            o = found.get(k)
            if o is not None:
                c.attrs.setdefault(k, o.low if o.low == o.high else (o.low, o.high))
        # a duration or memory figure with no cue but a training scenario around it
        if c.subject is None and found:
            if c.kind == "duration":
                c.subject = "training time"
            elif c.kind == "memory" and ("gpu" in found or "model_size" in found or "method" in found):
                c.subject = "vram"


_CONTRAST = re.compile(r"\b(?:while|whereas|but|instead of|rather than|unlike|compared (?:with|to)|versus|vs\.?)\s", re.I)
_ACTIVE_AFTER = re.compile(r"\s+(?:parameters\s+|params\s+)?(?:are\s+|is\s+|of\s+them\s+are\s+)?(?:active|activated)\b", re.I)
_DATASET_KINDS = frozenset({"dataset_examples", "dataset_tokens", "dataset_bytes"})
_SUBSET_AFTER = re.compile(r"[\s-]*(?:[\w-]+\s+){0,2}?(?:subset|subsample|sample|slice)\b", re.I)


def _context_rate(text, c, scopes, starts, cues, blockers) -> bool:
    """A money figure under a "$/hour"-style header is a price rate unless a closer cost cue says otherwise."""
    hit = _nearest_cue(c, scopes[:2], starts, cues, {"cost": "cost", "budget": "budget"}, blockers)
    return hit is None or hit[0] == "cost" and not any(
        cls in ("cost", "budget") for s, e, cls in cues if scopes[0][0] <= s < scopes[0][1] and text[s:e] != "$"
    )


def _dist(o: _C, c: _C) -> int:
    return c.start - o.end if o.end <= c.start else o.start - c.end


_RANGE_JOIN = re.compile(r"[ \t]*(?:to|or|-|–|—)[ \t]*")


def _join_duration_ranges(text: str, raw: list[_C]) -> None:
    """Two durations joined by "to" / "or" / a dash are one range: "a few hours to half a day"
    (each side read alone would be checked alone). In place; ``raw`` is sorted."""
    i = 0
    while i < len(raw) - 1:
        a, b = raw[i], raw[i + 1]
        if (a.kind == b.kind == "duration" and not (a.fixed or b.fixed) and b.start - a.end <= 6
                and _RANGE_JOIN.fullmatch(text, a.end, b.start)):
            a.low, a.high = min(a.low, b.low), max(a.high, b.high)
            a.end = b.end
            a.quals |= b.quals
            a.quals.add("range")
            a.quals.discard("upper_bound")  # "up to" said of the first side is not the range's
            del raw[i + 1]
        else:
            i += 1


# ============================================================================ API
def _extract(text: str) -> list[Claim]:
    raw, low, cues = _scan(text)
    if not raw:
        return []
    raw.sort(key=_START_END)
    _join_duration_ranges(text, raw)
    st = segment_recent(text)
    _attach(text, raw, st, _cues(text, low) if cues is None else cues)
    out = []
    append = out.append
    new, inter = _new_claim, QUALIFIERS.intersection
    s_kind, s_low, s_high, s_unit, s_span, s_text, s_quals, s_subject, s_role, s_attrs = _CLAIM_SETTERS
    for c in raw:
        # Claim(...) without the frozen dataclass __init__ (one object.__setattr__ per field):
        # the slot descriptors set the same fields directly.
        o = new(Claim)
        s_kind(o, c.kind)
        s_low(o, float(c.low))
        s_high(o, float(c.high))
        s_unit(o, c.unit)
        start, end = c.start, c.end
        s_span(o, (start, end))
        s_text(o, text[start:end])
        s_quals(o, inter(c.quals))
        s_subject(o, c.subject)
        s_role(o, c.role)
        s_attrs(o, c.attrs)
        append(o)
    return out


_START_END = attrgetter("start", "end")
_new_claim = object.__new__
_CLAIM_SETTERS = tuple(Claim.__dict__[f].__set__ for f in Claim.__dataclass_fields__)
assert tuple(Claim.__dataclass_fields__) == ("kind", "low", "high", "unit", "span", "text", "qualifiers", "subject", "role", "attrs")


def extract_claims(text: str) -> list[Claim]:
    """All claims in ``text``, sorted by span. Deterministic; never raises (bad input gives [])."""
    if not isinstance(text, str) or not text:
        return []
    try:
        return _extract(text)
    except Exception:  # pragma: no cover - a bug must not take the validator down
        return []
