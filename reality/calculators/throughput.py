"""Tokens, FLOPs and time.

FLOPs per processed token = k * N (k = 6 for full training, 4 for LoRA/QLoRA) plus the
attention term 12 * L * h * s scaled the same way (PaLM, arXiv 2204.02311 App. B); DPO adds a
reference-model forward (2 N) and processes the prompt twice. Time = FLOPs / (GPUs * dense
peak * MFU * scaling efficiency), plus proportional overheads (evaluation, checkpointing).
"""

from __future__ import annotations

from reality.calculators.memory import shape
from reality.calculators.ranges import Estimate
from reality.calculators.scenario import Resolved
from reality.knowledge import KnowledgeBase

SECONDS_PER_HOUR = 3600.0


def tokens_per_epoch(r: Resolved, kb: KnowledgeBase) -> Estimate:
    s = r.scenario
    if r.tokens_per_epoch_source == "tokens":
        return Estimate.exact(s.tokens, "token")
    if r.tokens_per_epoch_source == "examples":
        per_example = s.tokens_per_example or float(kb.default("tokens_per_example").value)
        return Estimate.exact(s.examples * per_example, "token")
    ratio = next(t for t in kb.section("text_ratios") if t.text_kind == r.text_kind)
    bytes_total = s.dataset_gb * 1e9
    return (Estimate.exact(bytes_total) / Estimate.of(ratio.bytes_per_token)).with_unit("token")


def sequence_tokens(r: Resolved, kb: KnowledgeBase) -> float:
    """Tokens in one training sequence: examples shorter than the context are not packed."""
    s = r.scenario
    if r.tokens_per_epoch_source == "examples":
        per_example = s.tokens_per_example or float(kb.default("tokens_per_example").value)
        return min(float(r.seq_len), per_example)
    return float(r.seq_len)


def processed_tokens(r: Resolved, kb: KnowledgeBase, dataset_tokens: Estimate) -> Estimate:
    """Tokens the policy runs over, all epochs (DPO processes each pair's prompt twice)."""
    total = dataset_tokens * r.epochs
    if r.dpo:
        total = total * (1 + float(kb.default("dpo_prompt_share").value))
    return total.with_unit("token")


def flops_per_token(r: Resolved, kb: KnowledgeBase) -> tuple[Estimate, list[str]]:
    entry = next(f for f in kb.section("flops") if f.method == r.base_method)
    k = Estimate.of(entry.flops_per_param_token)
    sources = [f"{entry.source} (as of {entry.as_of})"]
    n_active = r.model.active_params.value if (r.model and r.model.active_params) else r.params
    dims = shape(r, kb)
    attention = 12 * dims.layers * dims.hidden * sequence_tokens(r, kb) / 2  # causal: half the pairs
    per_token = k * (n_active + attention)
    if r.dpo:
        per_token = per_token + 2 * (n_active + attention)  # reference model forward
        sources.append("DPO: reference forward 2N per token (TRL DPOTrainer docs)")
    return per_token.with_unit("FLOP/token"), sources


def mfu(r: Resolved, kb: KnowledgeBase) -> tuple[Estimate, list[str]]:
    """Utilisation for the regime, lowered for small micro-batches (per-step overheads)."""
    regime = "pretraining" if r.base_method == "pretraining" else r.base_method
    entry = next(u for u in kb.section("utilisation") if u.regime == regime)
    value = Estimate.of(entry.mfu)
    sources = [f"{entry.source} (as of {entry.as_of})"]
    if entry.half_tokens:
        batch_tokens = sequence_tokens(r, kb) * r.micro_batch * (2 if r.dpo else 1)
        value = value * (batch_tokens / (batch_tokens + entry.half_tokens))
    if r.dpo:
        dpo = next(u for u in kb.section("utilisation") if u.regime == "dpo")
        value = value * Estimate.of(dpo.mfu)
    factor, source = matmul_factor(r, kb)
    if source:
        value = value * factor
        sources.append(source)
    return value, sources


def matmul_factor(r: Resolved, kb: KnowledgeBase) -> tuple[float, str | None]:
    """MFU scale for a GPU whose achievable matmul is a smaller share of its peak than the reference's.

    Never above 1: the MFU ranges already describe the GPUs they were calibrated on.
    """
    entries = kb.section("matmul_efficiency")
    mine = next((e for e in entries if e.gpu == r.gpu.id), None)
    ref = next((e for e in entries if e.reference), None)
    if mine is None or ref is None or mine.share >= ref.share:
        return 1.0, None
    factor = mine.share / ref.share
    return factor, (f"MFU x {factor:.2f}: {r.gpu.name} reaches {mine.share:.0%} of its peak in matmul "
                    f"vs {ref.share:.0%} on the reference GPU ({mine.source}, as of {mine.as_of})")


def scaling_efficiency(kb: KnowledgeBase, gpus: int) -> Estimate:
    for entry in sorted(kb.section("scaling"), key=lambda e: e.max_gpus):
        if gpus <= entry.max_gpus:
            return Estimate.of(entry.efficiency)
    return Estimate.of(max(kb.section("scaling"), key=lambda e: e.max_gpus).efficiency)


def overhead_fraction(kb: KnowledgeBase) -> Estimate:
    total = Estimate.exact(1.0)
    for entry in kb.section("overheads"):
        if entry.kind == "proportional":
            total = total + Estimate.of(entry.fraction)
    return total


def startup_hours(kb: KnowledgeBase) -> Estimate:
    total = Estimate.exact(0.0)
    for entry in kb.section("overheads"):
        if entry.kind == "fixed":
            total = total + Estimate.of(entry.hours)
    return total
