"""Claim extraction: values, units, spans, qualifiers, subjects, false positives, properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reality.validators.claims import Claim, _extract, extract_claims


def one(text: str, kind: str) -> Claim:
    found = [c for c in extract_claims(text) if c.kind == kind]
    assert len(found) == 1, f"{text!r}: expected one {kind}, got {found}"
    c = found[0]
    assert text[c.span[0] : c.span[1]] == c.text
    return c


# ---------------------------------------------------------------------------- values
@pytest.mark.parametrize(
    "text, kind, low, high, unit, quote, quals",
    [
        ("It costs $10-30.", "money", 10, 30, "USD", "$10-30", {"range"}),
        ("about $1.2k total", "money", 1200, 1200, "USD", "about $1.2k", {"approx", "total"}),
        ("It is 1,200 dollars.", "money", 1200, 1200, "USD", "1,200 dollars", set()),
        ("Budget: USD 300", "money", 300, 300, "USD", "USD 300", set()),
        ("Would need $750+ minimum", "money", 750, math.inf, "USD", "$750+", {"lower_bound"}),
        ("Rent at $0.50-0.80/hr.", "price_rate", 0.5, 0.8, "USD/GPU-hour", "$0.50-0.80/hr", {"range", "per_hour"}),
        ("$2.50 per GPU-hour", "price_rate", 2.5, 2.5, "USD/GPU-hour", "$2.50 per GPU-hour", {"per_hour"}),
        ("It takes 15-30 min.", "duration", 0.25, 0.5, "hour", "15-30 min", {"range"}),
        ("Training takes 1.5 hrs.", "duration", 1.5, 1.5, "hour", "1.5 hrs", set()),
        ("Training takes a week.", "duration", 168, 168, "hour", "a week", set()),
        ("Training takes 2 days.", "duration", 48, 48, "hour", "2 days", set()),
        ("Training takes ~305 hours.", "duration", 305, 305, "hour", "~305 hours", {"approx"}),
        ("Training takes under an hour.", "duration", 0, 1, "hour", "under an hour", {"upper_bound"}),
        ("Training takes an hour or two.", "duration", 1, 2, "hour", "an hour or two", {"range"}),
        ("You need 24GB.", "memory", 24, 24, "GB", "24GB", set()),
        ("You need 40 GiB.", "memory", 40 * 1.073741824, 40 * 1.073741824, "GB", "40 GiB", set()),
        ("You need 24 gigs of memory.", "memory", 24, 24, "GB", "24 gigs", set()),
        ("That needs 80GB VRAM.", "memory", 80, 80, "GB", "80GB", set()),
        ("up to 24 GB of VRAM", "memory", 0, 24, "GB", "up to 24 GB", {"upper_bound"}),
        ("a 7B model", "model_size", 7e9, 7e9, "parameter", "7B", set()),
        ("a 70B params model", "model_size", 70e9, 70e9, "parameter", "70B params", set()),
        ("1.1 billion parameters", "model_size", 1.1e9, 1.1e9, "parameter", "1.1 billion parameters", set()),
        ("I have 50GB of text.", "dataset_bytes", 50, 50, "GB", "50GB", set()),
        ("I have 8K examples.", "dataset_examples", 8000, 8000, "example", "8K examples", set()),
        ("5k high-quality examples", "dataset_examples", 5000, 5000, "example", "5k high-quality examples", set()),
        ("a corpus of 1.3M tokens", "dataset_tokens", 1.3e6, 1.3e6, "token", "1.3M tokens", set()),
        ("half a billion tokens", "dataset_tokens", 5e8, 5e8, "token", "half a billion tokens", set()),
        ("12-15 billion tokens", "dataset_tokens", 12e9, 15e9, "token", "12-15 billion tokens", {"range"}),
        ("between 2 and 4 hours", "duration", 2, 4, "hour", "between 2 and 4 hours", {"range"}),
        ("3,000 tok/sec", "throughput", 3000, 3000, "token/s", "3,000 tok/sec", set()),
        ("3k tokens/s per GPU", "throughput", 3000, 3000, "token/s", "3k tokens/s", {"per_gpu"}),
        ("train for 3 epochs", "epochs", 3, 3, "epoch", "3 epochs", set()),
        ("train over 3 epochs", "epochs", 3, 3, "epoch", "over 3 epochs", set()),
        ("at least 80GB", "memory", 80, math.inf, "GB", "at least 80GB", {"lower_bound"}),
        ("312 TFLOPS", "compute", 312, 312, "TFLOPS", "312 TFLOPS", set()),
        ("about 40 GPU-hours", "duration", 40, 40, "hour", "about 40 GPU-hours", {"approx", "total"}),
    ],
)
def test_values(text, kind, low, high, unit, quote, quals):
    c = one(text, kind)
    assert c.low == pytest.approx(low)
    assert c.high == pytest.approx(high) if high != math.inf else c.high == math.inf
    assert c.unit == unit
    assert c.text == quote
    assert c.span == (text.index(quote), text.index(quote) + len(quote))
    assert quals <= c.qualifiers, c.qualifiers


@pytest.mark.parametrize(
    "text, gpu, count, quote",
    [
        ("Use 8xH100 for this.", "h100-sxm", 8, "8xH100"),
        ("Use two A100 80GB cards.", "a100-80gb", 2, "two A100 80GB"),
        ("A single RTX 4090 is enough.", "rtx-4090", 1, "A single RTX 4090"),
        ("Rent 4x A100s.", "a100-80gb", 4, "4x A100s"),
        ("Rent an A100 40GB.", "a100-40gb", 1, "an A100 40GB"),
        ("two 4090s in one box", "rtx-4090", 2, "two 4090s"),
    ],
)
def test_gpus(text, gpu, count, quote):
    c = one(text, "gpu")
    assert c.attrs["gpu"] == gpu and c.attrs["count"] == count and c.low == count
    assert c.text == quote and c.role == "spec"


def test_generic_gpu_count():
    c = one("It runs on 8 GPUs.", "gpu")
    assert c.attrs == {"gpu": None, "count": 8, "count_given": True}


@pytest.mark.parametrize(
    "text, method",
    [("a full fine-tune", "full"), ("use LoRA", "lora"), ("use QLoRA", "qlora"), ("load in 4-bit", "4-bit"), ("then DPO", "dpo")],
)
def test_methods(text, method):
    assert one(text, "method").attrs["method"] == method


def test_named_model():
    c = one("Fine-tune Llama 3.1 8B with LoRA.", "model_size")
    assert c.low == 8e9 and c.text == "Llama 3.1 8B" and c.attrs["model"].startswith("llama-3.1-8b")
    c = one("Training a GPT-NeoX 20B model", "model_size")
    assert c.low == 20e9 and "neox" in c.attrs["model"]


# ---------------------------------------------------------------------------- false positives
@pytest.mark.parametrize(
    "text",
    [
        "Step 1: open the dashboard.",
        "Released in 2024, v2 of the library.",
        "Llama 3 is a model family.",
        "It runs 3x faster with packing.",
        "1. Prepare the data\n2. Train\n3. Evaluate",
        "The learning rate is 2e-4 and rank 16.",
        "I have 5 years of experience.",
        "That was 2 weeks ago.",
        "Use GPT-4 to write the prompts.",
        "Score 4.5 out of 5.",
        "Meet at 2.15pm on 2025-11-25.",
        "",
    ],
)
def test_no_claims(text):
    kinds = {c.kind for c in extract_claims(text)}
    assert not kinds - {"method"}, extract_claims(text)


def test_7b_is_parameters_not_bytes_and_8k_is_examples():
    assert one("a 7B model", "model_size").unit == "parameter"
    assert one("8K examples", "dataset_examples").low == 8000
    assert not [c for c in extract_claims("4-bit quantization") if c.kind not in ("method",)]


def test_gpu_memory_is_a_spec_not_a_requirement():
    claims = extract_claims("Rent an A100 80GB for this job.")
    mem = [c for c in claims if c.kind == "memory"]
    assert len(mem) == 1 and mem[0].role == "spec" and mem[0].subject == "gpu:a100-80gb"
    req = one("A 13B QLoRA run needs 24 GB of VRAM.", "memory")
    assert req.role == "requirement" and req.subject == "vram"
    spec = one("The RTX 3080 has only 10GB.", "memory")
    assert spec.role == "spec" and spec.subject == "gpu:rtx-3080"


# ---------------------------------------------------------------------------- subjects
def test_money_is_not_attached_to_the_gpu_on_its_left():
    # The research prototype's nearest-left rule attached "$10-30" to "A100 80GB".
    text = "Renting an A100 80GB for a 7B QLoRA run on 5k examples should cost $10-30."
    c = one(text, "money")
    assert c.subject == "cost" and c.role == "estimate"
    assert c.attrs["gpu"] == "a100-80gb" and c.attrs["method"] == "qlora" and c.attrs["dataset_examples"] == 5000


def test_subject_looks_right():
    c = one("~305 hours on a single RTX 4090", "duration")
    assert c.attrs["gpu"] == "rtx-4090" and c.attrs["gpu_count"] == 1
    assert one("$10-30 in total cost", "money").subject == "cost"
    assert one("Cost: $10-30", "money").subject == "cost"
    assert one("My budget is $500.", "money").subject == "budget"


def test_table_row_and_header():
    text = (
        "| GPU | VRAM | Approx $/hour |\n|---|---|---|\n| RTX 4090 | 24GB | $0.50-0.80 |\n\n"
        "| Scenario | Est. Cost |\n|---|---|\n| 7B model, 5k examples, QLoRA, 3 epochs | $10-30 |\n"
    )
    claims = extract_claims(text)
    rate = next(c for c in claims if c.kind == "price_rate")
    assert rate.text == "$0.50-0.80" and rate.attrs["gpu"] == "rtx-4090" and "approx" in rate.qualifiers
    mem = next(c for c in claims if c.kind == "memory" and c.text == "24GB")
    assert mem.role == "spec" and mem.subject == "gpu:rtx-4090"
    cost = next(c for c in claims if c.kind == "money")
    assert cost.subject == "cost" and cost.attrs["epochs"] == 3 and cost.attrs["method"] == "qlora"


def test_heading_gives_context():
    text = "### Training time\n- 2-4 hours\n\n### Budget\n- $300\n"
    assert one(text, "duration").subject == "training time"
    assert one(text, "money").subject == "budget"


def test_vram_table_with_method_columns():
    text = "| Model Size | Min VRAM (Full FT) | Min VRAM (QLoRA 4-bit) |\n|---|---|---|\n| 7B | 32GB | 8GB |\n"
    mems = [c for c in extract_claims(text) if c.kind == "memory"]
    assert [(m.low, m.role, m.attrs.get("method")) for m in mems] == [(32, "requirement", "full"), (8, "requirement", "qlora")]
    assert all(m.attrs["model_params"] == 7e9 for m in mems)


def test_seed_example():
    text = (
        "- 50GB text ≈ 12-15 billion tokens\n- H100 at ~3,000 tok/sec = ~305 hours for ONE epoch\n"
        "- $500 ÷ $3.50/hr = only 143 hours available\n- **Reality: Would need $750+ minimum for single epoch**\n"
    )
    claims = extract_claims(text)
    got = {(c.kind, c.text) for c in claims}
    assert {("dataset_bytes", "50GB"), ("dataset_tokens", "≈ 12-15 billion tokens"), ("throughput", "~3,000 tok/sec"),
            ("duration", "~305 hours"), ("price_rate", "$3.50/hr"), ("money", "$750+")} <= got
    dur = next(c for c in claims if c.text == "~305 hours")
    assert "per_epoch" in dur.qualifiers and dur.attrs["gpu"] == "h100-sxm"


# ---------------------------------------------------------------------------- properties
@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_and_spans_index_input(text):
    for c in _extract(text):  # the inner function: a bug would raise here, not be swallowed
        assert 0 <= c.span[0] < c.span[1] <= len(text)
        assert text[c.span[0] : c.span[1]] == c.text
        assert c.low <= c.high


ALPHABET = st.sampled_from(list("0123456789$~.,-– +/|#*:\n") + ["k", "B", "GB", " hours", " tokens", " A100", " about", " to ", "x", "a ", "QLoRA"])


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_never_raises_on_numberish_text(text):
    claims = _extract(text)
    assert claims == sorted(claims, key=lambda c: c.span)
    for c in claims:
        assert text[c.span[0] : c.span[1]] == c.text


def test_deterministic():
    text = "Training a 7B model with QLoRA on 10k examples takes 2-4 hours on an A100 and costs about $10."
    assert extract_claims(text) == extract_claims(text)


def test_non_string_input():
    assert extract_claims(None) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- fast-path equivalence
# The extractor rewrites some patterns for speed (a leading character class, one combined scan);
# each must find exactly what the plain pattern finds.
import re  # noqa: E402

from reality.validators import claims as _cl  # noqa: E402

_PLAIN = {
    "_REQ_RE": r"(?<![A-Za-z])(?i:needs?|needed|requir\w*|minimum|min\.?|at\s+least|fits?|fitting|peak|footprint|usage|uses?|using|consum\w*|oom|out\s+of\s+memory)(?![A-Za-z])",
    "_EST_RE": r"(?<![A-Za-z])(?i:est\.?|estimat\w*|expect\w*|should|would|will|probably|likely|typically|roughly|approx\w*|about|around|~|≈)(?![A-Za-z])",
    "_PER_EPOCH_CTX_RE": r"(?i:per\s+epoch|/\s*epoch|\(\s*(?:1|one)\s+epoch\s*\)|for\s+(?:one|1|a\s+single)\s+epoch|each\s+epoch)",
    "_RAM_RE": r"(?<![A-Za-z])RAM(?![A-Za-z])",
}
FASTPATH_TEXT = st.lists(
    st.sampled_from(["Needs", " uses", "min.", " at  least", "RAM", "VRAM", "ſhould", "~", "≈", " about", "est.", "x", "per epoch",
                     "/ epoch", "(one epoch)", "For a single epoch", "each\tepoch", " ", ".", "\n", "İ", "ı", "a", "7", "$5", "GPU"]),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(FASTPATH_TEXT, st.integers(0, 60), st.integers(0, 60))
def test_rewritten_patterns_match_the_plain_ones(text, a, b):
    a, b = min(a, len(text)), min(max(a, b), len(text))
    for name, plain in _PLAIN.items():
        fast, ref = getattr(_cl, name).search(text, a, b), re.compile(plain).search(text, a, b)
        assert (fast and fast.span()) == (ref and ref.span()), name


@settings(max_examples=300, deadline=None)
@given(st.one_of(FASTPATH_TEXT, ALPHABET.map(str), st.lists(ALPHABET, max_size=40).map("".join)))
def test_combined_scan_matches_the_two_scans(text):
    low = text.lower()
    anchors, gpu_pos, cues = _cl._find_anchors(text, low)
    if cues is None:  # non-ASCII text takes the plain path
        return
    assert (anchors, gpu_pos) == _cl._find_anchors_plain(low)
    assert cues == _cl._cues(text, low)


# ---------------------------------------------------------------------------- ordinals, parts, mixed units, counts
def test_ordinal_second_and_part_of_a_duration_are_not_durations():
    assert [c for c in extract_claims("You don't load a second copy; open a second tab.") if c.kind == "duration"] == []
    assert [c for c in extract_claims("That limits any loss to a fraction of a day.") if c.kind == "duration"] == []
    assert one("It took a second or two.", "duration").high == pytest.approx(2 / 3600)


@pytest.mark.parametrize("text, low, high, quote", [
    ("The run takes roughly 45 minutes to 2.5 hours.", 0.75, 2.5, "roughly 45 minutes to 2.5 hours"),
    ("Expect 30 min - 2 hours.", 0.5, 2.0, "30 min - 2 hours"),
])
def test_range_written_with_two_units_is_one_claim(text, low, high, quote):
    c = one(text, "duration")
    assert (c.low, c.high, c.text) == (pytest.approx(low), pytest.approx(high), quote) and "range" in c.qualifiers


def test_price_each_is_per_gpu_hour_only_when_the_sentence_says_hourly():
    c = one("Eight A100s at $1.50-2.50 each, billed hourly.", "price_rate")
    assert (c.low, c.high, c.unit) == (1.5, 2.5, "USD/GPU-hour")
    c = one("Ten seats at $30 each.", "money")
    assert c.attrs.get("per") == "each"


@pytest.mark.parametrize("text, n", [
    ("fine-tune on our 10k internal support tickets", 10_000),
    ("5k customer emails", 5_000),
    ("20k past customer-service conversations", 20_000),
    ("2,000 documents and 300 QA pairs", 2_000),
    ("12k transcripts", 12_000),
])
def test_documents_counted_as_examples(text, n):
    found = [c for c in extract_claims(text) if c.kind == "dataset_examples"]
    assert found and found[0].low == n


def test_every_knowledge_base_model_alias_without_a_size_is_recognised():
    import re

    from reality.knowledge import load_kb
    from reality.validators import lexicon

    sized = re.compile(r"\d+(?:\.\d+)?\s*[bBmM]\b")
    named = re.compile(rf"(?i:{lexicon.MODEL_NAMES_NO_SIZE})")
    for model in load_kb().models:
        for alias in [model.name, *model.aliases]:
            if not sized.search(alias):
                assert named.fullmatch(alias), f"{model.id}: {alias!r} has no size; add it to MODEL_NAMES_NO_SIZE"


@pytest.mark.parametrize("text,kind,low,high", [
    ("probably a couple hundred million tokens", "dataset_tokens", 2e8, 2e8),
    ("Three passes over 10,000 emails", "dataset_examples", 10_000, 10_000),  # "over" is a preposition here
    ("it shouldn't take more than a few hours", "duration", 0.0, 5.0),  # an upper bound, not a lower one
    ("I have 500 MB of de-identified English clinical notes", "dataset_bytes", 0.5, 0.5),
])
def test_quantities_read_in_context(text, kind, low, high):
    [c] = [c for c in extract_claims(text) if c.kind == kind]
    assert (c.low, c.high) == (low, high)


def test_hyphenated_gpu_counts_passes_and_fully_fine_tune():
    assert [(c.kind, c.attrs.get("count")) for c in extract_claims("the Four-GPU run")] == [("gpu", 4)]
    assert [(c.kind, c.low) for c in extract_claims("Three passes over the data")] == [("epochs", 3.0)]
    assert [c.attrs.get("method") for c in extract_claims("asked me to fully fine-tune it")] == ["full"]
