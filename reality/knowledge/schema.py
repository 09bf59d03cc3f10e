"""Schema of the knowledge base: every fact is sourced, dated and typed.

YAML holds quantities as strings with units ("80 GB", "989 TFLOPS"). A :class:`Q` field
parses the string with pint once, checks its dimension, and keeps both the text (for
reports) and the magnitude in the canonical unit of its kind (for arithmetic).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WrapValidator, model_validator

from reality import units


class Q(BaseModel):
    """A parsed quantity: the text as written and its value in the kind's canonical unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    text: str
    value: float
    unit: str

    def __str__(self) -> str:
        return self.text


def _quantity(kind: str):
    def validate(raw: Any, handler: Any, info: ValidationInfo) -> Q:
        # A compiled snapshot (written by the loader itself) carries parsed values; YAML
        # from a file never does: there, only strings (or bare numbers for counts) pass.
        if isinstance(raw, Q):
            return raw
        if isinstance(raw, dict) and (info.context or {}).get("trusted_snapshot"):
            return Q(**raw)
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            try:
                value = units.parse(raw, kind)
            except units.QuantityError as exc:
                raise ValueError(str(exc)) from None
            return Q(text=str(raw), value=value, unit=units.CANONICAL[kind])
        raise ValueError(f"expected a {kind} quantity as a string with a unit, got {raw!r}")

    return Annotated[Q, WrapValidator(validate)]


Memory = _quantity("memory")
Compute = _quantity("compute")
Bandwidth = _quantity("bandwidth")
Price = _quantity("price")
Time = _quantity("time")
Money = _quantity("money")
Params = _quantity("params")
Tokens = _quantity("tokens")
BytesPerParam = _quantity("bytes_per_param")
BytesPerToken = _quantity("bytes_per_token")
Throughput = _quantity("throughput")
Ratio = _quantity("ratio")


class Sourced(BaseModel):
    """Fields every knowledge-base entry carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    source: str = Field(min_length=8, description="paper + arXiv id, vendor page, or repo + path")
    as_of: dt.date
    notes: str | None = None
    # An unsourced number is allowed only as a labelled assumption with its reasoning.
    assumption: bool = False
    reasoning: str | None = None

    @model_validator(mode="after")
    def _assumption_has_reasoning(self) -> Sourced:
        if self.assumption and not (self.reasoning and self.reasoning.strip()):
            raise ValueError("an assumption must give its reasoning")
        return self


class Range(BaseModel):
    """A low / mid / high triple of plain numbers (fractions, multipliers, counts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float
    mid: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.mid <= self.high:
            raise ValueError(f"range must satisfy low <= mid <= high, got {self.low}, {self.mid}, {self.high}")
        return self


# ---------------------------------------------------------------------------- hardware
class GPU(Sourced):
    name: str
    aliases: list[str] = []
    vendor: Literal["nvidia", "amd", "other"] = "nvidia"
    tier: Literal["consumer", "workstation", "datacenter"]
    memory: Memory
    bf16_dense: Compute | None = Field(
        None, description="dense BF16 tensor TFLOPS with FP32 accumulate; never the sparsity figure"
    )
    bandwidth: Bandwidth


class PriceRow(Sourced):
    gpu: str
    provider_class: Literal["marketplace", "specialist", "hyperscaler"]
    provider: str | None = None
    low: Price
    high: Price

    @model_validator(mode="after")
    def _ordered(self) -> PriceRow:
        if self.low.value > self.high.value:
            raise ValueError("price low must not exceed high")
        return self


# ---------------------------------------------------------------------------- models
class Model(Sourced):
    name: str
    aliases: list[str] = []
    family: str
    params: Params
    active_params: Params | None = None  # mixture-of-experts: parameters used per token
    layers: int | None = None
    hidden: int | None = None
    heads: int | None = None
    kv_heads: int | None = None
    intermediate: int | None = None
    vocab: int | None = None
    context: int | None = None


# ---------------------------------------------------------------------------- memory
class MethodMemory(Sourced):
    """Bytes per parameter of one training method, split by what holds them."""

    method: Literal["full", "lora", "qlora", "pretraining"]
    optimizer: str
    weights: BytesPerParam  # per base parameter
    gradients: BytesPerParam  # per trainable parameter
    optimizer_states: BytesPerParam  # per trainable parameter, incl. fp32 master copy
    # Paged optimizers keep states on the GPU while memory allows: the pessimistic end uses this.
    optimizer_states_resident_max: BytesPerParam | None = None
    trainable_fraction: Range  # trainable / total parameters


class ActivationModel(Sourced):
    """Activation bytes per layer = coefficient * s * b * h (Korthikanti et al.)."""

    checkpointing: Literal["none", "selective", "full"]
    coefficient: Range


class MemoryExtra(Sourced):
    """Runtime overheads added on top of states and activations."""

    cuda_context: Range  # GB
    fragmentation: Range  # multiplier on the total
    logits_bytes_per_vocab_token: float  # bytes per (token x vocab) for the logits buffer
    unquantised_fraction_qlora: Range  # share of params left in 16-bit under QLoRA (embeddings, lm_head)


# ---------------------------------------------------------------------------- throughput
class Utilisation(Sourced):
    """Model FLOPs utilisation (MFU) for a training regime on a tier of GPU."""

    regime: Literal["pretraining", "full", "lora", "qlora", "dpo"]
    tier: Literal["consumer", "workstation", "datacenter", "any"] = "any"
    mfu: Range
    # Tokens per micro-batch at which utilisation reaches half of ``mfu`` (0 = always saturated):
    # per-step overheads dominate small, unpacked batches.
    half_tokens: float = 0
    calibrated_on: list[str] = []  # ids in shared/calibration


class FlopsModel(Sourced):
    """Training FLOPs per token per parameter, by method (6 for full: 2 fwd + 4 bwd)."""

    method: Literal["full", "lora", "qlora", "pretraining"]
    flops_per_param_token: Range


class ScalingEfficiency(Sourced):
    """Multi-GPU scaling efficiency by GPU count (data-parallel / FSDP within and across nodes)."""

    max_gpus: int
    efficiency: Range


class MatmulEfficiency(Sourced):
    """Measured maximum achievable BF16 matmul TFLOPS of a GPU against its spec peak."""

    gpu: str
    mamf: Compute
    peak: Compute
    reference: bool = False  # the GPU the MFU ranges are calibrated on (exactly one entry)

    @property
    def share(self) -> float:
        return float(self.mamf.value) / float(self.peak.value)


class Overhead(Sourced):
    """Fixed or proportional per-run overheads (start-up, evaluation, checkpointing)."""

    kind: Literal["fixed", "proportional"]
    hours: Range | None = None  # fixed: hours per run
    fraction: Range | None = None  # proportional: fraction of training time


class TextRatio(Sourced):
    """Bytes of raw text per token for a kind of text."""

    text_kind: Literal["english", "code", "multilingual"]
    bytes_per_token: Range


class Default(Sourced):
    """A documented default for a scenario field the user did not give."""

    field: str
    value: float | str


# ---------------------------------------------------------------------------- rules & references
class Misconception(Sourced):
    claim: str
    correction: str
    check: str | None = None  # a scenario text for `reality check` that demonstrates it


class SeedRow(Sourced):
    """One row of a seed table, kept as a claim to check (not as ground truth)."""

    table: Literal["vram", "pricing", "training_time", "cost"]
    scenario: str  # free text understood by the scenario parser
    claim: str  # the seed's figure as written, e.g. "12GB" or "$50-150"
    quantity: Literal["vram_per_gpu_gb", "price_usd_per_hour", "wall_hours", "cost_usd"]
    low: float
    high: float
