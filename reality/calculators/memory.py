"""VRAM per GPU: weights, gradients, optimiser states, activations, runtime overhead.

States follow the bytes-per-parameter entries of ``memory.yaml``; activations follow
Korthikanti et al. (arXiv 2205.05198): ``coefficient * s * b * h`` bytes per layer.
With more than one GPU, states are assumed fully sharded (FSDP / ZeRO-3).
"""

from __future__ import annotations

from dataclasses import dataclass

from reality.calculators.ranges import Estimate
from reality.calculators.scenario import Resolved
from reality.knowledge import KnowledgeBase
from reality.knowledge.schema import MethodMemory

GB = 1e9


@dataclass(frozen=True)
class Shape:
    """Layers, hidden size and vocabulary: published, or estimated from the parameter count."""

    layers: float
    hidden: float
    vocab: float
    published: bool


def shape(r: Resolved, kb: KnowledgeBase) -> Shape:
    m = r.model
    if m and m.layers and m.hidden:
        return Shape(m.layers, m.hidden, m.vocab or float(kb.default("vocab").value), True)
    # A dense transformer has N ~ 12 L h^2; typical models keep h / L near 128 (Llama 2 7B:
    # 4096 / 32; 70B: 8192 / 80 ~ 102), so h ~ (128 N / 12)^(1/3).
    hidden = (128 * r.params / 12) ** (1 / 3)
    layers = max(1.0, r.params / (12 * hidden**2))
    return Shape(layers, hidden, float(kb.default("vocab").value), False)


def method_memory(kb: KnowledgeBase, method: str, optimizer: str) -> MethodMemory:
    entries = [e for e in kb.section("method_memory") if e.method == method]
    for entry in entries:
        if entry.optimizer == optimizer:
            return entry
    for entry in entries:
        if entry.optimizer == "adamw":
            return entry
    raise KeyError(f"no memory model for method {method!r}")


def capacity_gb(r: Resolved, kb: KnowledgeBase) -> float:
    """Bytes a GPU really holds, in GB: memory labels are binary gigabytes."""
    return r.gpu.memory.value * float(kb.default("memory_label_bytes_per_gb").value) / GB


def vram_per_gpu(r: Resolved, kb: KnowledgeBase, gpus: int) -> tuple[Estimate, dict[str, Estimate]]:
    """Peak memory on each of ``gpus`` GPUs, with its parts (all in GB)."""
    mm = method_memory(kb, r.base_method, r.optimizer)
    extra = kb.section("memory_extra")[0]
    n = r.params
    dims = shape(r, kb)
    trainable = Estimate.of(mm.trainable_fraction) * n

    if r.base_method == "qlora":
        # Embeddings and lm_head stay in 16-bit: 2 V h parameters when the shape is known.
        if dims.published:
            share = min(0.5, 2 * dims.vocab * dims.hidden / n)
            unquantised = Estimate(share, share, share)
        else:
            unquantised = Estimate.of(extra.unquantised_fraction_qlora)
        q = mm.weights.value
        weights = Estimate(*(n * (u * 2.0 + (1 - u) * q) for u in (unquantised.low, unquantised.mid, unquantised.high)))
    else:
        weights = Estimate.exact(mm.weights.value * n)
    gradients = trainable * mm.gradients.value
    states = trainable * mm.optimizer_states.value
    if mm.optimizer_states_resident_max is not None:
        states = Estimate(states.low, states.mid, trainable.high * mm.optimizer_states_resident_max.value)
    parts: dict[str, Estimate] = {}
    shard = max(1, gpus)
    if r.offload == "all":
        # FSDP / ZeRO-3 CPU offload: parameters live in CPU memory; a GPU holds about two layers
        # gathered at a time (the one computing and the one prefetched).
        parts["weights (offloaded, 2 layers resident)"] = weights * (2 / dims.layers)
    else:
        parts["weights"] = weights * (1 / shard)
    if r.dpo and r.base_method == "full":
        # A full-model DPO keeps a frozen reference copy; LoRA DPO disables the adapters instead.
        parts["reference model"] = Estimate.exact(2.0 * n / shard)
    if r.offload:
        parts["gradients + optimizer (offloaded)"] = Estimate.exact(0.0)
    else:
        parts["gradients"] = gradients * (1 / shard)
        parts["optimizer states"] = states * (1 / shard)

    # Activations of one micro-batch (chosen and rejected ride together under DPO).
    sequences = r.micro_batch * (2 if r.dpo else 1)
    sbh = r.seq_len * sequences * dims.hidden
    coefficient = {e.checkpointing: Estimate.of(e.coefficient) for e in kb.section("activations")}
    activations = coefficient[r.checkpointing] * (sbh * dims.layers)
    if r.checkpointing == "full":
        activations = activations + coefficient["none"] * sbh  # one layer recomputed at a time
    parts["activations"] = activations
    parts["logits"] = Estimate.exact(r.seq_len * sequences * dims.vocab * extra.logits_bytes_per_vocab_token)
    subtotal = sum(parts.values(), Estimate.exact(0.0)) * (1 / GB)
    parts = {k: v * (1 / GB) for k, v in parts.items()}
    fragmentation = Estimate.of(extra.fragmentation)
    context = Estimate.of(extra.cuda_context)
    parts["runtime (CUDA context, allocator)"] = Estimate(
        *(c + t * (f - 1) for c, t, f in zip(_ends(context), _ends(subtotal), _ends(fragmentation), strict=True))
    )
    total = subtotal * fragmentation + context
    return total.with_unit("GB").ordered(), parts


def _ends(e: Estimate) -> tuple[float, float, float]:
    return e.low, e.mid, e.high
