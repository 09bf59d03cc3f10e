"""A training plan: what the user said (``Scenario``) and what we assume (``Resolved``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reality.knowledge import KnowledgeBase
from reality.knowledge.schema import GPU, Model

METHODS = ("full", "lora", "qlora", "pretraining", "dpo-full", "dpo-lora", "dpo-qlora")
Method = Literal["full", "lora", "qlora", "pretraining", "dpo-full", "dpo-lora", "dpo-qlora"]
Checkpointing = Literal["none", "selective", "full"]
ProviderClass = Literal["marketplace", "specialist", "hyperscaler"]


class ScenarioError(ValueError):
    """The plan cannot be understood; the message says what to write instead."""


class Scenario(BaseModel):
    """A training plan as stated. ``None`` means 'not said'; defaults fill it in later."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    model: str | None = None  # knowledge-base model id
    params: float | None = Field(None, gt=0)  # total parameters
    method: Method | None = None
    optimizer: str | None = None
    gpu: str | None = None  # knowledge-base GPU id
    gpus: int | None = Field(None, ge=1, le=100_000)
    tokens: float | None = Field(None, gt=0)  # dataset tokens per epoch
    dataset_gb: float | None = Field(None, gt=0)  # raw text, GB (1e9 bytes)
    examples: float | None = Field(None, gt=0)
    tokens_per_example: float | None = Field(None, gt=0)
    epochs: float | None = Field(None, gt=0)
    seq_len: int | None = Field(None, ge=16, le=10_000_000)
    micro_batch: int | None = Field(None, ge=1, le=4096)
    checkpointing: Checkpointing | None = None
    # CPU offload: "optimizer" (ZeRO-Offload: grads + optimizer states) or "all" (FSDP CPU offload, params too)
    offload: Literal["optimizer", "all"] | None = None
    budget_usd: float | None = Field(None, gt=0)
    deadline_hours: float | None = Field(None, gt=0)
    price_usd_per_gpu_hour: float | None = Field(None, gt=0)
    provider_class: ProviderClass | None = None
    text_kind: Literal["english", "code", "multilingual"] | None = None

    def merged(self, overrides: Scenario) -> Scenario:
        """This scenario with every field ``overrides`` sets replacing ours (flags beat text)."""
        data = self.model_dump()
        data.update(overrides.model_dump(exclude_none=True))
        return Scenario(**data)


@dataclass(frozen=True)
class Resolved:
    """A scenario with every value decided, and the reasons for the ones we chose."""

    model: Model | None
    params: float
    base_method: str  # full | lora | qlora | pretraining
    dpo: bool
    optimizer: str
    gpu: GPU
    gpus: int | None  # None: as many as the memory needs
    tokens_per_epoch_source: str | None  # "tokens" | "examples" | "bytes"; None: no dataset size
    epochs: float
    seq_len: int
    micro_batch: int
    checkpointing: str
    offload: str | None
    provider_class: str
    text_kind: str
    scenario: Scenario

    @property
    def method(self) -> str:
        return f"dpo-{self.base_method}" if self.dpo else self.base_method


def resolve(scenario: Scenario, kb: KnowledgeBase) -> tuple[Resolved, list[str]]:
    """Fill what the plan leaves out with the knowledge base's documented defaults."""
    assumptions: list[str] = []

    def default(field: str, reason: str | None = None):
        entry = kb.default(field)
        shown = f"{entry.value:g}" if isinstance(entry.value, float) else entry.value
        assumptions.append(f"{field} = {shown} (not given; {reason or entry.reasoning or entry.source})")
        return entry.value

    model = kb.model(scenario.model) if scenario.model else None
    params = scenario.params or (model.params.value if model else None)
    if params is None:
        raise ScenarioError("no model size: say e.g. '7B', '70B params' or a model name like 'Llama 3.1 8B'")

    method = scenario.method or default("method")
    dpo = method.startswith("dpo-")
    base_method = method.removeprefix("dpo-")
    optimizer = scenario.optimizer or default("optimizer")

    gpu_id = scenario.gpu or default("gpu")
    if scenario.gpu and not scenario.gpus:
        assumptions.append(f"gpus = 1 (one {scenario.gpu} named, no count given)")
    gpu = kb.gpu(gpu_id)
    if gpu is None:
        known = ", ".join(g.name for g in kb.gpus)
        raise ScenarioError(f"unknown GPU {gpu_id!r}; known: {known}")
    if gpu.bf16_dense is None:
        raise ScenarioError(f"the knowledge base has no dense BF16 figure for {gpu.name}; pick another GPU")

    if scenario.tokens:
        source = "tokens"
    elif scenario.examples:
        source = "examples"
    elif scenario.dataset_gb:
        source = "bytes"
    else:
        source = None  # memory only: time and cost need a dataset size
    epochs = scenario.epochs or (default("epochs") if source else 1)
    seq_len = scenario.seq_len or int(default("seq_len"))
    micro_batch = scenario.micro_batch or int(default("micro_batch"))
    checkpointing = scenario.checkpointing or (
        "selective" if base_method == "pretraining" else default("checkpointing")
    )
    if scenario.examples and not scenario.tokens and not scenario.tokens_per_example:
        default("tokens_per_example")
    provider_class = scenario.provider_class or (
        default("provider_class") if scenario.price_usd_per_gpu_hour is None else "specialist"
    )
    text_kind = scenario.text_kind or (default("text_kind") if source == "bytes" else "english")
    resolved = Resolved(
        model=model,
        params=float(params),
        base_method=base_method,
        dpo=dpo,
        optimizer=str(optimizer),
        gpu=gpu,
        gpus=scenario.gpus or (1 if scenario.gpu else None),
        tokens_per_epoch_source=source,
        epochs=float(epochs),
        seq_len=int(seq_len),
        micro_batch=int(micro_batch),
        checkpointing=str(checkpointing),
        offload=scenario.offload,
        provider_class=str(provider_class),
        text_kind=str(text_kind),
        scenario=scenario,
    )
    return resolved, assumptions
