"""Read a training plan from free text: "20B, 50GB, $500", "7B qlora 5k examples A100 3 epochs".

Passes run from the most specific pattern to the least (model names before bare sizes,
"1.2B tokens" before "7B"); each match is blanked out so no text is read twice. Anything
the text does not say stays ``None`` and gets a documented default in :func:`resolve`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from pydantic import ValidationError

from reality.calculators.scenario import Scenario, ScenarioError
from reality.knowledge import KnowledgeBase, load_kb

SCALE = {"": 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
         "billion": 1e9, "t": 1e12, "trillion": 1e12}  # fmt: skip
WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "ten": 10, "sixteen": 16, "half a": 0.5}  # fmt: skip
BYTES = {"kb": 1e-6, "mb": 1e-3, "gb": 1.0, "tb": 1e3, "pb": 1e6, "kib": 1024 / 1e9, "mib": 2**20 / 1e9,
         "gib": 2**30 / 1e9, "tib": 2**40 / 1e9, "gigs": 1.0, "gig": 1.0}  # fmt: skip
HOURS = {"min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "h": 1.0, "hr": 1.0, "hrs": 1.0,
         "hour": 1.0, "hours": 1.0, "d": 24.0, "day": 24.0, "days": 24.0, "week": 168.0, "weeks": 168.0,
         "month": 720.0, "months": 720.0}  # fmt: skip

NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
SCALE_RE = r"\s*(?P<scale>thousand|million|billion|trillion|bn|mn|[kmbt])?(?![a-z])"
NUMBER = NUM + SCALE_RE


def _number(m: re.Match) -> float:
    value = float(m.group("num").replace(",", ""))
    return value * SCALE[(m.group("scale") or "").lower()]


def _loose(alias: str) -> str:
    """A regex for a name that tolerates case, spaces, hyphens and underscores between parts."""
    parts = re.findall(r"[a-z]+|\d+(?:\.\d+)?", alias.lower())
    return r"[\s_-]*".join(re.escape(p) for p in parts)


@functools.cache
def _name_patterns(kb_version: str, kind: str) -> tuple[str, list[str]]:
    """An alternation of every name and alias (longest first), and the id each group maps to."""
    kb = load_kb()
    entries = kb.gpus if kind == "gpu" else kb.models
    names = {}
    for entry in entries:
        for alias in (entry.name, entry.id, *entry.aliases):
            if re.search(r"\d", alias) or kind == "gpu":
                names.setdefault(_loose(alias), entry.id)
    alternatives = sorted(names, key=len, reverse=True)
    return "(?:" + "|".join(f"({a})" for a in alternatives) + ")", [names[a] for a in alternatives]


class _Text:
    """The plan text with matched spans blanked out as they are consumed."""

    def __init__(self, text: str):
        self.original = text
        self.text = text

    def take(self, pattern: str | re.Pattern, handle: Callable[[re.Match], bool | None], flags=re.I) -> None:
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        for m in list(regex.finditer(self.text)):
            if handle(m) is not False:
                start, end = m.span()
                self.text = self.text[:start] + " " * (end - start) + self.text[end:]


def parse_scenario(text: str, overrides: Scenario | None = None, kb: KnowledgeBase | None = None) -> Scenario:
    """Parse ``text`` into a :class:`Scenario`; ``overrides`` (from flags) win over the text.

    Raises :class:`ScenarioError` with a readable message for input that cannot be a plan.
    """
    kb = kb or load_kb()
    if not text or not text.strip():
        if overrides is None or not overrides.model_dump(exclude_none=True):
            raise ScenarioError("empty plan: describe it, e.g. \"7B qlora 5k examples A100 3 epochs\"")
        return overrides
    if len(text) > 10_000:
        raise ScenarioError("plan text is longer than 10,000 characters")
    found: dict = {}
    t = _Text(text)

    def bad(message: str) -> None:
        raise ScenarioError(message)

    # Money that is not a number ("$abc") and negative sizes are errors, not guesses.
    if m := re.search(r"\$\s*(?![\d.])(\S+)", text):
        bad(f"cannot read the amount in {m.group(0)!r}: write money like $500 or $1.2k")
    if m := re.search(r"(?<![\w.])-\s*\d[\d.,]*\s*(?:[kmgtp]i?b|[kmbt]\b|tokens|examples|epochs|\$)", text, re.I):
        bad(f"{m.group(0).strip()!r}: sizes, counts and amounts must be positive")

    # Prices per GPU-hour before budgets: "$2.49/hr", "$2/gpu-hour".
    def price(m):
        found["price_usd_per_gpu_hour"] = _number(m)

    t.take(r"\$\s*" + NUMBER + r"\s*(?:/|per\s+)(?:gpu[\s-]*)?(?:h|hr|hour)\b", price)

    def money(m):
        found["budget_usd"] = _number(m)

    t.take(r"\$\s*" + NUMBER, money)
    t.take(r"(?:usd|budget(?:\s+of)?)\s*" + NUMBER + r"(?!\s*(?:gb|tokens|examples|b\b))", money)
    t.take(NUMBER + r"\s*(?:usd|dollars?|bucks)\b", money)

    # Dataset token counts and per-example lengths before anything reads "1.2B".
    def per_example(m):
        value = _number(m)
        if value >= 100_000 and not m.group(0).rstrip().lower().endswith("each"):
            return False  # "with 1.3M tokens" is the dataset, not the length of one example
        found["tokens_per_example"] = value

    t.take(r"(?:of|at|with)\s*(?:~|about|around|roughly)?\s*" + NUMBER + r"\s*tok(?:en)?s?\b(?:\s*each)?", per_example)
    t.take(NUMBER + r"\s*tok(?:en)?s?\s*(?:each|per\s+(?:example|sample|pair|row))", per_example)

    def tokens(m):
        found["tokens"] = _number(m)

    t.take(r"(?:~|about|around)?\s*" + NUMBER + r"\s*tok(?:en)?s?\b", tokens)

    def examples(m):
        found["examples"] = _number(m)

    t.take(NUMBER + r"\s*(?:examples?|samples?|pairs?|conversations?|rows?|records?|instructions?|dialogues?)\b", examples)

    def epochs(m):
        found["epochs"] = float(m.group("num"))

    t.take(r"(?P<num>\d+(?:\.\d+)?)\s*epochs?\b", epochs)
    t.take(r"epochs?\s*[:=]?\s*(?P<num>\d+(?:\.\d+)?)", epochs)

    # GPUs with counts: "8xH100", "2x A100 80GB", "two A100s", "H100 x 8", "on my RTX 3080".
    gpu_alt, gpu_ids = _name_patterns(kb.version, "gpu")
    gpu_re = re.compile(gpu_alt + r"(?![a-z0-9])", re.I)

    def gpu_id(m: re.Match) -> str:
        return next(gpu_ids[i] for i, g in enumerate(m.groups()) if g is not None)

    count_word = r"(?<![a-z0-9.])(?P<count>\d+|" + "|".join(w for w in WORDS if " " not in w) + r")"
    counted = re.compile(
        count_word + r"\s*(?:x|×|\*)?\s*(?P<gpu>" + gpu_alt + r")(?![a-z0-9])s?(?:\s*gpus?)?", re.I
    )

    def gpu_with_count(m):
        inner = gpu_re.match(m.group("gpu"))
        if not inner:
            return False
        count = m.group("count").lower()
        found["gpus"] = int(count) if count.isdigit() else int(WORDS[count])
        found["gpu"] = gpu_id(inner)

    t.take(counted, gpu_with_count)

    def gpu_then_count(m):
        found["gpu"] = gpu_id(m)
        if m.group("n"):
            found["gpus"] = int(m.group("n"))

    t.take(
        re.compile(r"(?<![a-z0-9])" + gpu_alt + r"(?:s|\s*gpus?)?(?![a-z0-9])(?:\s*(?:x|×)\s*(?P<n>\d+))?", re.I),
        gpu_then_count,
    )
    t.take(r"(?P<n>\d+)\s*gpus?\b", lambda m: found.__setitem__("gpus", int(m.group("n"))))

    # Named models before bare sizes: "Llama 3 70B", "mistral-7b".
    model_alt, model_ids = _name_patterns(kb.version, "model")
    model_re = re.compile(r"(?<![a-z0-9])" + model_alt + r"(?![a-z0-9])", re.I)

    def model(m):
        found["model"] = next(model_ids[i] for i, g in enumerate(m.groups()) if g is not None)

    t.take(model_re, model)

    def params(m):
        found["params"] = _number(m)

    t.take(NUM + r"\s*(?P<scale>[bm]|bn|billion|million)\b(?:[\s-]*(?:param(?:eter)?s?|model))?", params)

    # Sizes in bytes: VRAM when said so, otherwise the dataset.
    def memory(m):
        unit = m.group("unit").lower()
        value = float(m.group("num").replace(",", "")) * BYTES[unit]
        if m.group("vram"):
            return  # a memory figure about the GPU, not the dataset: ignore for the plan
        found["dataset_gb"] = value

    t.take(
        NUM + r"\s*(?P<unit>[kmgtp]i?b|gigs?)\b(?P<vram>\s*(?:of\s+)?(?:vram|gpu\s+memory|memory|ram))?(?:\s*(?:of\s+)?(?:text|data(?:set)?|corpus|code))?",
        memory,
    )

    # Deadline: "3 days", "deadline 12h", "in a week", "by tomorrow" is not read.
    def deadline(m):
        count = m.group("num") or m.group("word")
        value = float(count) if m.group("num") else WORDS[count.lower()]
        found["deadline_hours"] = value * HOURS[m.group("unit").lower()]

    t.take(
        r"(?:(?P<num>\d+(?:\.\d+)?)|(?P<word>half a|an?|one|two|three|four|five|six|seven|ten))\s*"
        r"(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|months?)\b",
        deadline,
    )

    # Method words.
    lowered = t.text.lower()
    method = None
    if re.search(r"\bq[\s-]?lora\b|\b4[\s-]?bit\b|\bnf4\b", lowered):
        method = "qlora"
    elif re.search(r"\blora\b|\badapters?\b|\bpeft\b", lowered):
        method = "lora"
    elif re.search(r"\bpre[\s-]?train(?:ing)?\b|\bfrom scratch\b", lowered):
        method = "pretraining"
    elif re.search(r"\bfull\b|\bfull[\s-]?(?:fine[\s-]?tun\w*|ft|parameter)", lowered):
        method = "full"
    if re.search(r"\bdpo\b|\bpreference\b", lowered):
        method = "dpo-" + (method if method in ("lora", "qlora") else "full")
    if method:
        found["method"] = method
    if re.search(r"\boffload", lowered):
        found["offload"] = "all" if re.search(r"fsdp|param(?:eter)?s?\s+offload|full\s+offload", lowered) else "optimizer"
    if re.search(r"\bof code\b|\bcode (?:data|corpus)", text.lower()):
        found["text_kind"] = "code"
    if m := re.search(r"(?:seq(?:uence)?[\s_-]*len(?:gth)?|context(?:\s+length)?|ctx)\s*[:=]?\s*(\d+)\s*(k)?", lowered):
        found["seq_len"] = int(m.group(1)) * (1024 if m.group(2) else 1)
    if m := re.search(r"(?:micro[\s-]*)?batch(?:[\s-]*size)?\s*[:=]?\s*(\d+)", lowered):
        found["micro_batch"] = int(m.group(1))
    if re.search(r"\b(?:aws|gcp|azure|google cloud|hyperscaler)\b", lowered):
        found["provider_class"] = "hyperscaler"
    elif re.search(r"\b(?:vast(?:\.ai)?|marketplace|community cloud)\b", lowered):
        found["provider_class"] = "marketplace"

    if not found:
        raise ScenarioError(
            f"could not find a training plan in {text[:80]!r}: say a model size or name, a dataset size, "
            "and optionally a GPU, method, budget and deadline, e.g. \"7B qlora 5k examples A100 3 epochs\""
        )
    try:
        scenario = Scenario(**found)
        return scenario.merged(overrides) if overrides else scenario
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(f"{first['loc'][0]}: {first['msg']}") from None
