"""Check a record's numeric claims against the calculators.

1. **Scenario inference.** Claims of the "plan" kinds (``model_size``, ``method``, ``gpu``,
   ``dataset_tokens``/``dataset_bytes``/``dataset_examples``, ``epochs``) describe what a
   record talks about. The record's base scenario takes them from the prompt first, then
   fills gaps from the chosen response (never from the rejected one). Each checked claim
   then gets its own scenario: the base, overridden by the plan the extractor attached to the
   claim (``attrs``: GPU, model, method, dataset, epochs found in its sentence, block and
   headings) — so
   "Alternatively, LoRA on a 7B model costs $20-40" is checked as a 7B LoRA plan even in a
   record about 70B. Money and durations next to words like *budget*, *afford*, *deadline*
   or *within* are the user's constraints (budget / deadline), not claims.
2. **One estimate per scenario.** ``estimate()`` is called once per distinct scenario and
   cached, so a dataset that talks about a few dozen plans costs a few dozen estimates.
3. **Comparison.** A claim ``[low, high]`` passes when it overlaps
   ``[est.low / tolerance, est.high * tolerance]`` (rule R301; the condition lives in
   rules.yaml). money -> ``cost_usd`` (``price_usd_per_gpu_hour`` for a $/hour price),
   duration -> ``wall_hours`` (``gpu_hours`` for GPU-hours; divided by epochs for "per
   epoch"), memory -> ``vram_per_gpu_gb`` (per GPU, or in total unless the claim says per
   GPU; one component such as "16 GB of bf16 weights" -> that part of ``Report.vram_parts``),
   throughput -> ``throughput_tokens_per_s``, a token count that is not the plan's own input
   -> ``tokens`` (all epochs; a count said per epoch, or an ambiguous one, may match the
   per-epoch figure). A claim whose scenario lacks what the estimate needs (no model size, no
   dataset size) is reported as unverifiable (R302), never passed silently.
4. **What a number is about** (:meth:`ClaimChecker.classify`; the phrases it looks for are
   in :mod:`.phrases`). Only figures about the
   training run are compared with it. Not checked: sequence lengths and tokens per example
   ("2048-token sequences", "760 tokens each"); a GPU's capacity ("your 3090 has 24 GB",
   "fits in 24 GB"; a memory figure equal to a card named in the record, unless it is
   phrased as a requirement); disk and system RAM; intervals ("every 30 minutes"),
   thresholds and policies ("runs above 100 GPU-hours need sign-off"), people's effort ("a few
   days of work"), time per step or request, time lost to a failure, monitoring timeouts,
   recurring prices ("$300 per month"), inference throughput; numbers quoted in order to be
   corrected ("not ~305 hours", "3k tokens/s is too low"); a response repeating the prompt's
   own figure. Durations and costs of a test or pilot run are unverifiable unless the
   sentence gives that run's own dataset. An alternative plan is checked against the
   scenario its own sentence gives ("LoRA on a 7B model over a 1GB subset (about 250M
   tokens)").
5. **Prompts.** A wrong number in the prompt is a misconception; it is an error (R305),
   pointing at the prompt, unless the chosen response corrects it: with a checked number of
   the same kind that contradicts it, or by quoting it in order to correct it. A prompt
   duration is a training-time claim only when the sentence says so ("the run takes",
   "finishes in"). A prompt plan the calculators call infeasible must be corrected by the
   chosen response (R303, pointing at the GPU, budget or deadline it breaks): with correction
   words, or with checked numbers that show the plan cannot work (memory above the card,
   cost above the budget, time beyond the deadline); without checked numbers R304 warns.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reality.validators import phrases as ph
from reality.validators.structure import segment_recent

PLAN_KINDS = frozenset({"model_size", "method", "gpu", "dataset_tokens", "dataset_bytes", "dataset_examples", "epochs"})
CHECKED_KINDS = frozenset({"money", "price_rate", "duration", "memory", "throughput", "dataset_tokens"})


ESTIMATE_LABELS = {
    "cost_usd": "cost", "price_usd_per_gpu_hour": "GPU price", "wall_hours": "wall-clock time",
    "gpu_hours": "GPU time", "vram_per_gpu_gb": "GPU memory", "throughput_tokens_per_s": "training throughput",
    "tokens": "token count",
}
CACHE_SIZE = 4096

Emit = Callable[..., None]


def _get(claim: Any, name: str, default: Any = None) -> Any:
    return getattr(claim, name, default)


@dataclass
class Plan:
    """The plan-describing values found in some text (``None`` = not said)."""

    params: float | None = None
    method: str | None = None
    dpo: bool = False
    model: str | None = None  # knowledge-base model id, when the model is named (MoE: active parameters)
    gpu: str | None = None
    gpus: int | None = None
    tokens: float | None = None
    dataset_gb: float | None = None
    examples: float | None = None
    tokens_per_example: float | None = None  # "20k documents, about 3,000 tokens each"
    epochs: float | None = None
    budget_usd: float | None = None
    deadline_hours: float | None = None
    inputs: set[int] = field(default_factory=set)  # id() of the claims used as plan inputs
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # where gpu / budget / deadline were said
    data_inputs: set[int] = field(default_factory=set)  # id() of the claim that gave the dataset size

    def fill_from(self, other: Plan) -> Plan:
        """A copy with every value ``self`` lacks taken from ``other``. Only the dataset size actually
        used counts as an input: a token count the other text gave is a claim to check when this text
        already says how big the dataset is."""
        # field by field (this runs for every checked claim; a loop over the fields was 3x slower)
        out = Plan(
            params=self.params if self.params is not None else other.params,
            model=self.model if self.params is not None else other.model,  # a size said here is not the other's model
            method=self.method if self.method is not None else other.method,
            gpu=self.gpu if self.gpu is not None else other.gpu,
            gpus=self.gpus if self.gpus is not None else other.gpus,
            tokens_per_example=self.tokens_per_example if self.tokens_per_example is not None else other.tokens_per_example,
            epochs=self.epochs if self.epochs is not None else other.epochs,
            budget_usd=self.budget_usd if self.budget_usd is not None else other.budget_usd,
            deadline_hours=self.deadline_hours if self.deadline_hours is not None else other.deadline_hours,
        )
        out.spans = {**other.spans, **self.spans}
        if self.has_data:
            # the dataset is said here: do not mix in the other text's dataset size
            out.tokens, out.dataset_gb, out.examples = self.tokens, self.dataset_gb, self.examples
            out.data_inputs = set(self.data_inputs)
            out.inputs = set(self.inputs) | (set(other.inputs) - set(other.data_inputs))
        else:
            out.tokens, out.dataset_gb, out.examples = other.tokens, other.dataset_gb, other.examples
            out.data_inputs = set(other.data_inputs)
            out.inputs = set(self.inputs) | set(other.inputs)
        out.dpo = self.dpo or other.dpo
        return out

    def with_data_of(self, other: Plan) -> Plan:
        """A copy whose dataset size is ``other``'s (when it has one)."""
        if not other.has_data:
            return self
        out = self.fill_from(Plan())
        out.inputs = (set(self.inputs) - set(self.data_inputs)) | set(other.data_inputs)
        out.tokens, out.dataset_gb, out.examples = other.tokens, other.dataset_gb, other.examples
        out.data_inputs = set(other.data_inputs)
        return out

    def key(self) -> tuple:
        return (self.params, self.model, self.full_method, self.gpu, self.gpus, self.tokens, self.dataset_gb, self.examples,
                self.tokens_per_example,
                self.epochs, self.budget_usd, self.deadline_hours)

    @property
    def full_method(self) -> str | None:
        m = self.method
        if self.dpo:
            if m in (None, "full", "dpo"):
                return "dpo-full"
            if m in ("lora", "qlora"):
                return f"dpo-{m}"
        return None if m == "dpo" else m

    @property
    def has_data(self) -> bool:
        return self.tokens is not None or self.dataset_gb is not None or self.examples is not None


# fill_from copies the fields one by one: a new field must be added there too
assert tuple(Plan.__dataclass_fields__) == ("params", "method", "dpo", "model", "gpu", "gpus", "tokens", "dataset_gb", "examples",
                                            "tokens_per_example",
                                            "epochs", "budget_usd", "deadline_hours", "inputs", "spans", "data_inputs")


def _mid(claim: Any) -> float | None:
    lo, hi = _get(claim, "low"), _get(claim, "high")
    if lo is None and hi is None:
        return None
    if lo is None or lo != lo:
        return hi
    if hi is None or hi == float("inf") or hi != hi:
        return lo
    return (lo + hi) / 2


def _value(v: Any) -> float | None:
    if isinstance(v, tuple | list) and len(v) == 2:
        lo, hi = v
        return (lo + hi) / 2 if hi != float("inf") else lo
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return None


def is_constraint(text: str, claim: Any, *, response: bool = False) -> bool:
    """Money / duration that is the user's budget or deadline rather than a claim.

    In a response the test is narrower: "it costs under $10", "done within 3 hours", "you'll
    spend about $40" and "budget at least $120 for the run" are the response's own estimates."""
    span = _get(claim, "span") or (0, 0)
    start, end = span
    before = text[max(0, start - 60) : start]
    if response and "udget" in before and ph.BUDGET_VERB.search(before):
        return False
    subject = (_get(claim, "subject") or "").lower()
    if not response and ("budget" in subject or "deadline" in subject):
        return True  # (a response's "Itemised budget" table or "For the budget, expect ..." holds estimates)
    cue = ph.RESPONSE_CONSTRAINT if response else ph.BEFORE_CONSTRAINT
    return bool(cue.search(before) or ph.AFTER_CONSTRAINT.search(text[end : end + 40]))


def _gpu_ids(claims: Iterable[Any], kb: Any) -> set[str]:
    """The knowledge-base ids of the GPUs the claims name (not those ruled out)."""
    out = set()
    for c in claims:
        if _get(c, "kind") == "gpu" and kb is not None:
            attrs = _get(c, "attrs") or {}
            name = attrs.get("gpu") or _get(c, "text")
            gpu = kb.gpu(str(name)) if name and not attrs.get("negated") else None
            if gpu is not None:
                out.add(gpu.id)
    return out


def plan_from(claims: Iterable[Any], text: str, kb: Any, *, constraints: bool) -> Plan:
    """The plan the given claims describe (first occurrence of each field wins)."""
    plan = Plan()
    data: list[tuple[str, float, Any]] = []
    for c in claims:
        kind = _get(c, "kind")
        attrs = _get(c, "attrs") or {}
        if kind == "model_size":
            if plan.params is None and not attrs.get("negated") and (v := attrs.get("params") or _mid(c)):
                plan.params = v
                plan.model = attrs.get("model")
                plan.inputs.add(id(c))
        elif kind == "method":
            m = str(attrs.get("method") or _get(c, "text") or "").lower()
            m = ph.METHODS.get(m, ph.METHODS.get(m.replace(" ", "-"), None))
            if m == "dpo":
                plan.dpo = True
            elif m and m.startswith("dpo-"):
                plan.dpo = True
                plan.method = plan.method or m[4:]
            elif m and plan.method is None:
                plan.method = m
            plan.inputs.add(id(c))
        elif kind == "gpu":
            if plan.gpu is None and not attrs.get("negated"):
                name = attrs.get("gpu") or _get(c, "text")
                gpu = kb.gpu(str(name)) if (kb is not None and name) else None
                if gpu is not None:
                    plan.gpu = gpu.id
                    plan.spans["gpu"] = tuple(_get(c, "span") or (0, 0))
                    count = attrs.get("count")
                    if isinstance(count, int | float) and count >= 1:
                        plan.gpus = int(count)
            plan.inputs.add(id(c))
        elif kind in ("dataset_tokens", "dataset_bytes", "dataset_examples") or (
                kind == "memory" and _is_dataset_memory(c, text)):
            if kind == "dataset_tokens" and is_sequence_tokens(c, text):
                start, end = _get(c, "span") or (0, 0)
                if plan.tokens_per_example is None and (v := _mid(c)) and v < ph.SEQ_TOKENS_MAX and (
                        ph.PER_EXAMPLE_AFTER.match(text[end:end + 30]) or ph.PER_EXAMPLE_BEFORE.search(text[max(0, start - 30):start])
                ) and not ph.SEQUENCE_NOUN_AFTER.match(text[end:end + 20]):
                    plan.tokens_per_example = v  # "about 3,000 tokens each": the size of an example
                continue  # a sequence length or tokens per example, not the dataset
            if attrs.get("subset"):
                continue  # a pilot's, a smoke test's or an earlier run's data (the extractor marks it)
            if (v := _mid(c)) and not any(d[0] == kind for d in data):
                data.append((kind, v, c))
        elif kind == "epochs":
            if plan.epochs is None and (v := _mid(c)):
                plan.epochs = v
                plan.inputs.add(id(c))
        elif constraints and kind in ("money", "duration") and is_constraint(text, c):
            v = _get(c, "high")
            if v is None or v == float("inf"):
                v = _get(c, "low")
            if v:
                if kind == "money" and plan.budget_usd is None:
                    plan.budget_usd = v
                    plan.spans["budget"] = tuple(_get(c, "span") or (0, 0))
                elif kind == "duration" and plan.deadline_hours is None:
                    plan.deadline_hours = v
                    plan.spans["deadline"] = tuple(_get(c, "span") or (0, 0))
            plan.inputs.add(id(c))
    if plan.method is None and ph.PRETRAINING.search(text):
        plan.method = "pretraining"  # "pretraining a 1B model from scratch" (the method word alone is not a claim)
    # the dataset: examples or bytes when given (a token count next to them is derived from them),
    # else the first token count said per epoch (or a total divided by the epochs)
    data.sort(key=lambda d: 0 if d[0] in ("dataset_examples", "dataset_bytes", "memory") else 1)
    for kind, v, c in data[:1]:
        if kind == "dataset_tokens":
            start, end = _get(c, "span") or (0, 0)
            if ph.TOTAL_AFTER.match(text[end:end + 80]) or ph.MULTI_EPOCH.search(text, _sentence(text, start)[0], start):
                if not plan.epochs:
                    break
                v = v / plan.epochs
            plan.tokens = v
        elif kind == "dataset_examples":
            plan.examples = v
        else:
            plan.dataset_gb = v
        plan.inputs.add(id(c))
        plan.data_inputs.add(id(c))
    return plan


@dataclass
class Outcome:
    """What checking one text's claims found (for the impossible-plan rules)."""

    checked_ok: int = 0
    out_of_range: list[tuple[Any, str, Any]] = field(default_factory=list)  # (claim, key, estimate)
    in_range_keys: set[str] = field(default_factory=set)
    in_range: list[tuple[str, float, float, bool]] = field(default_factory=list)  # (key, low, high, component)
    refuted: list[Any] = field(default_factory=list)  # numbers quoted in order to be corrected


@dataclass
class ClaimRole:
    """What :meth:`ClaimChecker.classify` found out about one claim."""

    skipped: bool = False
    reason: str = ""
    refuted: bool = False
    parts: tuple[str, ...] = ()  # memory of these components only ("weights", "optimizer states", ...)
    subpart: bool = False  # only a share of ``parts`` (Adam moments, the master copy)
    rate: float | None = None  # a duration "at N tokens/s": the time at that throughput, not the engine's
    per_gpu: bool = False  # memory said to be per GPU
    total_tokens: bool = False  # a token count over all epochs
    side_run: bool = False  # a test / pilot / smoke run, not the planned one
    price: bool = False  # money that is a price per GPU-hour ("8 GPUs at $1.50-2.50 each per hour")
    per_node: bool = False  # a price for a whole machine of several GPUs ("node time at $26/hour")
    runs: int = 1  # the figure covers this many runs ("Training runs (3 iterations)", "three attempts at $10 each")
    weight_bytes: float | None = None  # the weights in a named format ("140 GB of bf16 weights"): bytes per parameter

    def skip(self, reason: str, refuted: bool = False) -> ClaimRole:
        self.skipped, self.reason, self.refuted = True, reason, refuted
        return self


class TextContext:
    """Record-wide facts the classification of a claim needs: GPU capacities named anywhere in the
    record, the prompt's own figures (which responses may repeat) and, per text, its sentences."""

    def __init__(self, kb: Any):
        self.kb = kb
        self.capacities: set[float] = set()
        self.prompt_figures: list[Any] = []
        self.prompt = False
        self.text = ""
        self.claims: list[Any] = []
        self._sentences: dict[tuple[int, int], tuple[float | None, float | None] | None] = {}

    def for_text(self, text: str, claims: list[Any], *, prompt: bool) -> TextContext:
        view = TextContext(self.kb)
        view.capacities, view.prompt_figures = self.capacities, self.prompt_figures
        view.prompt, view.text, view.claims = prompt, text, claims
        return view

    def add_gpus(self, claims: Iterable[Any]) -> None:
        for c in claims:
            kind = _get(c, "kind")
            if kind == "gpu":
                gid = (_get(c, "attrs") or {}).get("gpu")
                gpu = self.kb.gpu(str(gid)) if (gid and self.kb is not None) else None
                mem = _gpu_memory(gpu)
                if mem:
                    self.capacities.add(mem)
            elif kind == "memory" and _get(c, "role") == "spec":
                v = _get(c, "low")
                if v:
                    self.capacities.add(float(v))

    def add_prompt(self, text: str, claims: Iterable[Any], plan: Plan) -> None:
        if plan.gpu and self.kb is not None:
            mem = _gpu_memory(self.kb.gpu(plan.gpu))
            if mem:
                self.capacities.add(mem)
        # the prompt's own figures (a card's memory is a spec: a response repeating it may be making a claim)
        self.prompt_figures = [c for c in claims if _get(c, "kind") in CHECKED_KINDS and not (
            _get(c, "kind") == "memory" and (_get(c, "role") == "spec" or self.is_capacity(c)))]

    def echoes(self, claim: Any) -> bool:
        """A response repeating one of the prompt's figures (same kind, same number)."""
        if self.prompt:
            return False
        return any(_get(p, "kind") == _get(claim, "kind") and _same_value(claim, p) for p in self.prompt_figures)

    def is_capacity(self, claim: Any) -> bool:
        lo, hi = _get(claim, "low"), _get(claim, "high")
        if lo is None or hi is None or lo != hi or not lo:
            return False
        return any(abs(lo - cap) <= 0.05 * cap or abs(lo * 1.073741824 - cap) <= 0.05 * cap for cap in self.capacities)

    def sentence_dataset(self, claim: Any) -> tuple[float | None, float | None] | None:
        """(dataset GB, examples) named in the claim's own sentence, e.g. "a 1GB subset (about 250M tokens)"."""
        start = (_get(claim, "span") or (0, 0))[0]
        bounds = _sentence(self.text, start)
        if bounds not in self._sentences:
            found: tuple[float | None, float | None] | None = None
            for c in self.claims:
                cs = (_get(c, "span") or (0, 0))[0]
                if not bounds[0] <= cs < bounds[1]:
                    continue
                kind = _get(c, "kind")
                v = _mid(c)
                if not v:
                    continue
                if kind == "dataset_bytes" or (kind == "memory" and _is_dataset_memory(c, self.text)):
                    found = (v, None)
                    break
                if kind == "dataset_examples":
                    found = (None, v)
                    break
            self._sentences[bounds] = found
        return self._sentences[bounds]


class ClaimChecker:
    """Checks claims in a record. Holds the estimate cache; one per validation run."""

    def __init__(
        self,
        extract: Callable[[str], list[Any]] | None = None,
        estimate_fn: Callable[[Any], Any] | None = None,
        kb: Any = None,
        scenario_cls: Any = None,
    ):
        if extract is None:
            from reality.validators.claims import extract_claims as extract
        if estimate_fn is None or scenario_cls is None:
            from reality import calculators

            estimate_fn = estimate_fn or (lambda s: calculators.estimate(s, suggest=False))
            scenario_cls = scenario_cls or calculators.Scenario
        if kb is None:
            from reality.knowledge import load_kb

            kb = load_kb()
        self.extract = extract
        self.estimate_fn = estimate_fn
        self.scenario_cls = scenario_cls
        self.kb = _GpuLookups(kb) if kb is not None else None
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self.estimates_made = 0

    # ------------------------------------------------------------------ estimates
    def report_for(self, plan: Plan) -> tuple[Any, str | None]:
        """(report, None) or (None, why the plan cannot be estimated)."""
        if plan.params is None:
            return None, "no model size in the record"
        key = plan.key()
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        try:
            scenario = self.scenario_cls(
                params=plan.params, model=plan.model, method=plan.full_method, gpu=plan.gpu, gpus=plan.gpus, tokens=plan.tokens,
                tokens_per_example=plan.tokens_per_example,
                dataset_gb=plan.dataset_gb, examples=plan.examples, epochs=plan.epochs,
                budget_usd=plan.budget_usd, deadline_hours=plan.deadline_hours,
            )
            result = (_Slim.of(self.estimate_fn(scenario)), None)
            self.estimates_made += 1
        except Exception as exc:  # a scenario the calculators refuse is unverifiable, not a crash
            result = (None, f"the calculators cannot estimate this plan ({str(exc).splitlines()[0][:120]})")
        self._cache[key] = result
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    # ------------------------------------------------------------------ scopes
    def local_plan(self, claim: Any) -> Plan:
        """The plan stated around the claim: the extractor attaches the GPU, model, method,
        dataset and epochs found in the claim's sentence, block and headings to ``attrs``."""
        attrs = _get(claim, "attrs") or {}
        plan = Plan()
        if not attrs:
            return plan
        params = _value(attrs.get("model_params"))
        if params:
            plan.params = params
            plan.model = attrs.get("model")
        method = attrs.get("method")
        if method:
            m = ph.METHODS.get(str(method).lower())
            if m == "dpo":
                plan.dpo = True
            elif m and m.startswith("dpo-"):
                plan.dpo, plan.method = True, m[4:]
            else:
                plan.method = m
        gpu = attrs.get("gpu")
        if not gpu and attrs.get("gpu_count_given") and isinstance(attrs.get("gpu_count"), int | float) and attrs["gpu_count"] > 1:
            plan.gpus = int(attrs["gpu_count"])  # "Four-GPU run": the count of the plan's GPU type
        if gpu and self.kb is not None:
            found = self.kb.gpu(str(gpu))
            if found is not None:
                plan.gpu = found.id
                count = attrs.get("gpu_count")
                if isinstance(count, int | float) and count >= 1:
                    plan.gpus = int(count)
        # examples or bytes first: a token count nearby is usually derived from them (and may count all epochs)
        for key, name in (("dataset_examples", "examples"), ("dataset_bytes", "dataset_gb"), ("dataset_tokens", "tokens")):
            value = _value(attrs.get(key))
            if key == "dataset_tokens" and value and value < ph.SEQ_TOKENS_MAX:
                continue  # a sequence length or per-example count, not the dataset
            if value:
                setattr(plan, name, value)
                break
        epochs = _value(attrs.get("epochs"))
        if epochs:
            plan.epochs = epochs
        return plan

    # ------------------------------------------------------------------ per claim
    def _target(self, claim: Any, text: str, plan: Plan, report: Any, role: ClaimRole) -> tuple[str | None, list, str | None]:
        """(estimate key, candidate Estimate-likes with low/high/unit, reason if unverifiable)."""
        kind = _get(claim, "kind")
        unit = str(_get(claim, "unit") or "")
        start, end = _get(claim, "span") or (0, 0)
        sentence = text[slice(*_sentence(text, start))]
        est = report.estimates if report is not None else {}
        key: str | None
        scales = [1.0]
        epochs = float(getattr(getattr(report, "resolved", None), "epochs", None) or plan.epochs or 1) if report is not None else 1.0
        if kind == "price_rate":
            key = "price_usd_per_gpu_hour"
        elif kind == "money":
            per_hour = (role.price or "/h" in unit.replace(" ", "").lower() or "hour" in unit.lower()
                        or bool(ph.PER_HOUR.match(text[end:end + 16])))
            key = "price_usd_per_gpu_hour" if per_hour else "cost_usd"
        elif kind == "duration":
            attrs = _get(claim, "attrs") or {}
            key = "gpu_hours" if (attrs.get("gpu_hours") or ph.GPU_HOURS.search(unit) or ph.GPU_HOURS.match(text[end:end + 12].lstrip(" -"))) else "wall_hours"
            if report is not None:
                clause = text[max(_sentence(text, start)[0], start - 40):start]
                if ("per_epoch" in (_get(claim, "qualifiers") or ()) or ph.PER_EPOCH.match(text[end:end + 30].lstrip(" ,"))
                        or ph.PER_EPOCH_IN.search(clause.rsplit(",", 1)[-1])):
                    scales = [1.0 / epochs]  # "one epoch takes 2 hours", "2 hours per epoch"
                elif ph.PER_EPOCH_IN.search(sentence):
                    scales = [1.0 / epochs, 1.0]  # "per epoch" elsewhere in the sentence: either reading
        elif kind == "memory":
            key = "vram_per_gpu_gb"
        elif kind == "throughput":
            key = "throughput_tokens_per_s"
        elif kind == "dataset_tokens":
            key = "tokens"
            # ``tokens`` counts all epochs; a token count may be per epoch or the total
            if "per_epoch" in (_get(claim, "qualifiers") or ()):
                scales = [1.0 / epochs]
            elif role.total_tokens:
                scales = [1.0]
            else:
                scales = [1.0 / epochs, 1.0]
        else:
            return None, [], None
        if role.runs > 1 and key in ("cost_usd", "wall_hours", "gpu_hours"):
            scales = scales + [x * role.runs for x in scales]  # one run, or all of them
        if role.per_node and key == "price_usd_per_gpu_hour" and report is not None and (report.gpus or 1) > 1:
            scales = scales + [float(report.gpus)]  # the machine's price: per GPU, or all of its GPUs
        if report is None:
            return key, [], None
        value = est.get(key)
        if value is None:
            need = "a dataset size" if not plan.has_data else "what the estimate needs"
            return key, [], f"the record does not give {need} for a {ESTIMATE_LABELS.get(key, key)} estimate"
        if key == "wall_hours" and role.rate and est.get("tokens") is not None:
            t = est["tokens"]  # the time the record's tokens take at the stated rate
            value = _Scaled(t.low / role.rate / 3600, t.mid / role.rate / 3600, t.high / role.rate / 3600, "hours",
                            tuple(getattr(t, "sources", ()) or ()))
        if kind == "memory":
            parts = getattr(report, "parts", None) or {}
            if role.weight_bytes and plan.params:
                # the weights in the format the text names, not the plan's: "140 GB of bf16 weights" for a 70B
                # model being 4-bit quantised for QLoRA is right
                lo = float(plan.params) * role.weight_bytes / 1e9
                return key, [_Scaled(lo, lo * 1.075, lo * 1.15, "GB", ())], None
            if role.parts:
                if not all(p in parts for p in role.parts):
                    return key, [], "the calculators give no figure for " + " + ".join(role.parts)
                lo = sum(parts[p][0] for p in role.parts)
                hi = sum(parts[p][1] for p in role.parts)
                if role.subpart:
                    lo /= 3
                value = _Scaled(lo, (lo + hi) / 2, hi, "GB", tuple(getattr(value, "sources", ()) or ()))
            out = [value]
            g = getattr(report, "gpus", 1) or 1
            if g > 1 and not role.per_gpu:
                out.append(_Scaled(value.low * g, value.mid * g, value.high * g, value.unit, value.sources))
            return key, out, None
        out = []
        for scale in dict.fromkeys(scales):
            if scale == 1.0:
                out.append(value)
            else:
                out.append(_Scaled(value.low * scale, value.mid * scale, value.high * scale, getattr(value, "unit", ""),
                                   tuple(getattr(value, "sources", ()) or ())))
        return key, out, None

    def classify(self, claim: Any, text: str, ctx: TextContext) -> ClaimRole:
        """What a numeric claim is about: the training run (checked), or something else (skipped or unverifiable)."""
        kind = _get(claim, "kind")
        start, end = _get(claim, "span") or (0, 0)
        before = text[max(0, start - ph.CLAUSE_BEFORE):start]
        lead = ph.LEAD.match(_get(claim, "text") or "")
        pre = before + (ph.APPROX_WORDS.sub("", lead.group(0)) if lead else "")
        after = text[end:end + 80]
        words = pre.split()
        last = words[-1].lower() if words else ""  # the end-anchored patterns below only run when it can match
        role = ClaimRole()
        # a number quoted in order to be corrected ("not ~305 hours", "3k tokens/s is too low")
        if ((last in ph.NEGATION_WORDS or last.endswith("n't")) and ph.NEGATED_BEFORE.search(pre)) or ph.REFUTED_AFTER.match(after):
            return role.skip("quoted to be corrected", refuted=True)
        # a condition in a response: "If memory stays flat below 12 GB, raise the batch size"
        if not ctx.prompt and ("if" in before.lower() or "unless" in before.lower()) and ph.IF_CLAUSE_BEFORE.search(before):
            return role.skip("a condition (if ...), not an estimate")
        # the user's own figure repeated by a response (checked where it was said: in the prompt)
        if ctx.echoes(claim):
            return role.skip("repeats the prompt's figure")
        sent_span = _sentence(text, start)
        if ("would" in pre or "'d " in pre or "will" in pre) and ph.HYPOTHETICAL_BEFORE.search(text, sent_span[0], start):
            return role.skip("what a hypothetical target would need, not an estimate for the plan")
        if kind in ("money", "price_rate", "duration", "dataset_tokens", "throughput") and ph.PAST_RUN.search(
                text, *sent_span):
            role.side_run = True  # an earlier run ("last month's SFT pass"): checked only with its own data
        if kind in ("money", "price_rate", "duration"):
            sent = text[slice(*sent_span)]
            labelled = _clause_labelled(text, start, end) if kind != "duration" else ""
            if kind == "money" and (ph.RECURRING_AFTER.match(after) or ph.RECURRING_IN.search(_get(claim, "text") or "")):
                return role.skip("a recurring or per-request price, not the training run's cost")
            if kind == "duration" and ph.ARTICLE_UNIT.match(_get(claim, "text") or "") and ph.PERIOD_BEFORE.search(before):
                return role.skip("the period of a rate ('$2,000 saved a month'), not a duration")
            if ph.SAVED_AFTER.match(after) or (kind == "duration" and ph.RECURRING_AFTER.match(after)):
                return role.skip("time or money saved, or a recurring amount, not the training run")
            if kind == "duration" and (ph.PER_STEP_AFTER.match(after) or ph.PER_STEP_BEFORE.search(before)):
                return role.skip("time per step / request, not the run's length")
            if (kind == "duration" and ph.ADJ_DURATION.match(_get(claim, "text") or "") and re.match(r"^[ \t]+[a-z]", after, re.I)
                    and not ph.RUN_NOUN_AFTER.match(after)):
                return role.skip("describes something other than the run ('a 30-minute call')")
            if last in ("every", "each", "per", "other") and ph.INTERVAL_BEFORE.search(pre):
                return role.skip("an interval (every ...)")
            if last in ph.COMPARATORS and ph.THRESHOLD_BEFORE.search(pre):
                return role.skip("a threshold or policy, not an estimate")
            if (_get(claim, "attrs") or {}).get("effort") or ph.PEOPLE_TIME.search(text, sent_span[0], start):
                return role.skip("people's time (its heading or sentence says so), not the training run")
            if kind == "duration" and (ph.OTHER_TASK_BEFORE.search(before, len(before) - 70)
                                       or (("pend" in before or "pent" in before or "nvest" in before or "llocat" in before)
                                           and ph.SPEND_BEFORE.search(before) and not ph.COMPUTE_AFTER.match(after))):
                return role.skip("the time of another task (evaluation, inference, people), not the training run")
            if ph.EFFORT_AFTER.match(after) or (kind == "duration" and (
                    ph.effort_before(words) or (
                        last in ph.IN_WORDS and ph.PERSON_ACT_BEFORE.search(before, len(before) - 110)))):
                return role.skip("people's time or effort, not the training run")
            if kind == "duration" and ph.TASK_GERUND_AFTER.match(after):
                return role.skip("the time of another task ('a week generating data'), not the training run")
            if ph.NOT_RUN_AFTER.match(after):
                return role.skip("not a figure about the run")
            if kind == "duration":
                if last in ("after", "first", "last") and ph.ELAPSED_BEFORE.search(pre):
                    return role.skip("a point in time during a run, not its length")
                if ph.BOOKING_BEFORE.search(before):
                    return role.skip("how long hardware is booked, not the run's length")
                if ph.LOSS_BEFORE.search(before):
                    return role.skip("time lost to a failure, not the run's length")
                if ph.MONITORING.search(sent):
                    return role.skip("a monitoring threshold")
                if ctx.prompt and not ph.RUN_CUE.search(text, *sent_span):
                    return role.skip("no sign that the duration is the training run's")
            if kind == "money":
                if ph.SERVING.search(labelled):
                    return role.skip("serving or hosting the model, not training it")
                if ph.PURCHASE_IN.search(labelled):
                    return role.skip("the price of buying hardware, not the run's cost")
                if ph.CLIENT_FEE_IN.search(labelled):
                    return role.skip("a price charged to clients, not the run's cost")
                if ph.OTHER_SPEND_AFTER.match(after):
                    return role.skip("money spent on something else ('the $8,000 you spent on annotation')")
            if kind == "money" and ((_get(claim, "attrs") or {}).get("per") == "each" or ph.EACH_AFTER.match(after)):
                # "$1.50-2.50 each": a price per GPU (per hour when the sentence says so), not the run's cost
                if not ph.HOURLY.search(sent):
                    return role.skip("a price per item, not the run's cost")
                role.price = True
            if kind in ("money", "price_rate") and ph.NODE_PRICE_IN.search(labelled):
                role.per_node = True
            if kind == "money" and (("hour" in before[-40:] or "hr" in before[-40:]) and ph.HOURLY_BEFORE.search(before, len(before) - 60)
                                    or ph.RATE_NOUN_AFTER.match(after)):
                role.price = True  # "billed per GPU per hour at $2.50-4", "at your $2 contract rate"
            # a test run named before the claim or in its clause ("budget $350-1,800 for the run, plus a small
            # pilot first" is the run's cost)
            clause_end = ph.CLAUSE_END.search(text, end, sent_span[1])
            if (ph.SIDE_RUN.search(text, sent_span[0], clause_end.start() if clause_end else sent_span[1])
                    or (kind == "duration" and _side_run_before(text, sent_span[0])) or _side_run_labels(text, start)):
                role.side_run = True
            cell = _cell_labels(text, start)
            runs = ph.RUN_COUNT.search(text, *sent_span) or (cell and cell[1] and ph.RUN_COUNT.search(text, *cell[1]))
            if runs:
                n = runs.group("n").lower()
                role.runs = int(n) if n.isdigit() else ph.COUNT_WORDS[n]
            if kind == "duration":
                rate = ph.AT_RATE.search(text, sent_span[0], start)
                if rate:  # "at 3k tokens per second it would take around 7 hours": time at that rate
                    role.rate = float(rate.group("n").replace(",", "")) * (1000 if rate.group("k") else 1)
        elif kind == "memory":
            if ph.DATASET_AFTER.match(after):
                return role.skip("a dataset size, not memory")
            if ph.HEADROOM_AFTER.match(after) or (last in ph.HEADROOM_VERBS and ph.HEADROOM_BEFORE.search(before, len(before) - 40)):
                return role.skip("memory to keep free (headroom), not what the run needs")
            if _get(claim, "subject") in ("ram", "disk") or ph.NOT_VRAM.search(_clause_labelled(text, start, end)):
                return role.skip("disk or system memory, not GPU memory")
            if ph.ADAPTER_SIZE_IN.search(text, *sent_span):
                return role.skip("the size of an adapter, not GPU memory")
            if not ph.REQ_BEFORE.search(pre):
                if ph.CAPACITY_BEFORE.search(pre) or ph.CAPACITY_POSSESSIVE.search(pre) or ph.CAPACITY_AFTER.match(after):
                    return role.skip("a GPU's capacity (spec)")
                if ctx.is_capacity(claim):
                    return role.skip("a GPU's capacity (spec)")
            m = (ph.COMPONENT_AFTER.match(after) or ph.COMPONENT_BEFORE.search(before) or ph.COMPONENT_PAREN.search(before)
                 or _label_parts(text, start))
            if m and m.re in (ph.COMPONENT_BEFORE, ph.COMPONENT_PAREN):  # (those two match in ``before``)
                lead_in = before[:m.start()]
                lead_in = lead_in[max(lead_in.rfind(". "), lead_in.rfind("\n")) + 1:]  # the same sentence only
                if ph.SUM_BEFORE.search(lead_in):
                    m = None  # a total that ends with a component ("... together plus activations come to")
            if m:
                role.parts = _parts(m.group("parts"))
                role.subpart = bool(ph.SUBPART_RE.search(m.group("parts")))
                if role.parts == ("weights",):
                    fmt = ph.PRECISION_RE.search(m.group(0)) or ph.PRECISION_RE.search(_clause(text, start, end))
                    if fmt:
                        role.weight_bytes = dict(ph.PRECISION_BYTES)[fmt.group(0).lower()]
            role.per_gpu = bool("per_gpu" in (_get(claim, "qualifiers") or ()) or ph.PER_GPU_AFTER.match(after)
                                or ph.PER_GPU_BEFORE.search(before))
        elif kind == "throughput" and (str(_get(claim, "subject") or "").startswith("inference")
                                       or ph.INFERENCE.search(_clause_labelled(text, start, end))):
            return role.skip("inference throughput, not training")
        elif kind == "dataset_tokens":
            if is_sequence_tokens(claim, text):
                return role.skip("a sequence length or per-example figure, not the dataset")
            role.total_tokens = bool(ph.TOTAL_AFTER.match(after) or ph.MULTI_EPOCH.search(text, sent_span[0], start))
        return role

    def check_text(
        self, field_name: str, text: str, claims: list[Any], base: Plan, emit: Emit, *, prompt: bool = False,
        corrected: Callable[[Any, str, float, float], bool] | bool = False, ctx: TextContext | None = None,
    ) -> Outcome:
        outcome = Outcome()
        ctx = ctx or TextContext(self.kb)
        ctx = ctx.for_text(text, claims, prompt=prompt)
        for claim in claims:
            kind = _get(claim, "kind")
            if kind not in CHECKED_KINDS or id(claim) in base.inputs:
                continue
            if kind in ("money", "duration", "price_rate") and is_constraint(text, claim, response=not prompt):
                continue
            if kind == "memory" and _get(claim, "role") == "spec":
                continue  # "A100 80GB": a hardware spec, part of a GPU name
            role = self.classify(claim, text, ctx)
            if role.skipped:
                if role.refuted:
                    outcome.refuted.append(claim)
                continue
            local = self.local_plan(claim)
            if local.method == "lora":
                sentence = _sentence(text, (_get(claim, "span") or (0, 0))[0])
                if ph.QUANTIZED.search(text, *sentence):
                    local.method = "qlora"  # "a 7B model in 4-bit with LoRA adapters" is QLoRA
                elif base.method == "qlora" and not ph.LORA_METHOD.search(text, *sentence):
                    local.method = None  # "LoRA adapters" in a QLoRA plan is not a switch of method
            if (local.gpus == 1 and local.gpu == base.gpu and (base.gpus or 1) > 1
                    and not (_get(claim, "attrs") or {}).get("gpu_count_given")
                    and not ph.ONE_GPU.search(text, *_sentence(text, (_get(claim, "span") or (0, 0))[0]))):
                local.gpus = None  # "on A100 80GB" names the type of the plan's GPUs, not a count of one
            if not local.has_data and (data := ctx.sentence_dataset(claim)) is not None:
                local.dataset_gb, local.examples = data
            if kind == "dataset_tokens" and not (base.dataset_gb or base.examples or local.dataset_gb or local.examples) and not (
                    role.total_tokens or "total" in (_get(claim, "qualifiers") or ())):
                continue  # the plan's own token count is an input, not a claim (a total over the epochs is checked)
            plan = local.fill_from(base)
            report, why = self.report_for(plan)
            key, values, why2 = self._target(claim, text, plan, report, role)
            if key is None:
                continue
            span = _get(claim, "span")
            quote = _get(claim, "text") or (text[span[0]:span[1]] if span else None)
            why = why or why2
            if role.side_run and not local.has_data:
                values, why = [], "it describes a test or side run, not the planned training run"
            if not values:
                if not prompt:
                    emit("claims.unverifiable", {"kind": kind, "reason": why or "no plan to compare with"},
                         field=field_name, span=span, quote=quote)
                continue
            lo, hi = _get(claim, "low"), _get(claim, "high")
            lo = 0.0 if lo is None else float(lo)
            hi = float("inf") if hi is None else float(hi)
            best = min(values, key=lambda v: _off_by(lo, hi, v.low, v.high))
            off = _off_by(lo, hi, best.low, best.high)
            unit = _unit_label(key)
            label = ESTIMATE_LABELS.get(key, key)
            if role.parts:
                label = f"{' + '.join(role.parts)} memory"
            cctx = {
                "claim_low": lo, "claim_high": hi, "expected_low": float(best.low), "expected_mid": float(best.mid),
                "expected_high": float(best.high), "unit": unit, "off_by": off, "kind": kind,
                "estimate": label,
            }
            sources = list(getattr(best, "sources", ()) or ())[:3] + list(getattr(report, "sources", []) or [])[:3]
            sources = list(dict.fromkeys(sources))
            expected = {"low": float(best.low), "mid": float(best.mid), "high": float(best.high), "unit": unit}
            if prompt:
                fixed = corrected(claim, key, lo, hi) if callable(corrected) else bool(corrected)
                fired = emit("claims.prompt_misconception", {**cctx, "corrected": fixed},
                             field=field_name, span=span, quote=quote, expected=expected, sources=sources)
            elif kind in ("duration", "money") and off > 1.0 and span and not _run_anchored(text, *span, claims) and emit(
                    "claims.range_unanchored", cctx, field=field_name, span=span, quote=quote, expected=expected,
                    sources=sources):
                # time or money far off with no word of the run around it: people's time, a calendar,
                # another task... a warning (R307), neither a checked pass nor an error
                continue
            else:
                fired = emit("claims.range", cctx, field=field_name, span=span, quote=quote, expected=expected,
                             sources=sources)
            out_of_range = off > 2.0 if (fired is None or prompt) else bool(fired)
            if out_of_range:
                outcome.out_of_range.append((claim, key, best))
            else:
                outcome.checked_ok += 1
                outcome.in_range_keys.add(key)
                outcome.in_range.append((key, lo, hi, bool(role.parts)))
        return outcome

    # ------------------------------------------------------------------ a record
    def check_record(self, parts: Mapping[str, str], emit: Emit, claims_of: Callable[[str], list[Any]] | None = None) -> None:
        claims_of = claims_of or self.extract
        claims = {role: claims_of(text) for role, text in parts.items() if role in ("prompt", "chosen", "rejected", "text")}
        prompt_text = parts.get("prompt", "")
        prompt_plan = plan_from(claims.get("prompt", []), prompt_text, self.kb, constraints=True)
        chosen_plan = plan_from(claims.get("chosen", []), parts.get("chosen", ""), self.kb, constraints=False)
        base = prompt_plan.fill_from(chosen_plan) if parts.get("prompt") else chosen_plan
        prompt_gpus = _gpu_ids(claims.get("prompt", []), self.kb)
        if chosen_plan.gpu and base.gpu != chosen_plan.gpu and chosen_plan.gpu in prompt_gpus:
            # the prompt weighs several GPUs ("I assumed an A100; would an A10G do?"): the answer's pick is the plan's
            base.gpu, base.gpus = chosen_plan.gpu, chosen_plan.gpus
        base.budget_usd = base.deadline_hours = None  # claims are checked against the plan, not the constraints
        ctx = TextContext(self.kb)
        for role in claims:
            ctx.add_gpus(claims[role])
        if "prompt" in claims:
            ctx.add_prompt(prompt_text, claims["prompt"], prompt_plan)

        chosen_outcome = Outcome()
        for role in ("chosen", "rejected", "text"):
            if role in claims:
                role_plan = base
                if role == "rejected":
                    # the rejected response answers the same prompt: what the prompt says wins (and the
                    # record's dataset size), then the rejected response's own plan, then the chosen one's
                    own = plan_from(claims[role], parts[role], self.kb, constraints=False)
                    role_plan = (prompt_plan.fill_from(own) if parts.get("prompt") else own).fill_from(chosen_plan)
                    role_plan.budget_usd = role_plan.deadline_hours = None
                    if own.gpu and own.gpu != role_plan.gpu and own.gpu in prompt_gpus:
                        role_plan.gpu, role_plan.gpus = own.gpu, own.gpus  # its pick among the prompt's GPUs
                    elif not own.gpu and base.gpu != role_plan.gpu:
                        role_plan.gpu, role_plan.gpus = base.gpu, base.gpus  # the chosen response's pick
                    role_plan = role_plan.with_data_of(base)
                    role_plan.inputs |= base.inputs
                out = self.check_text(role, parts[role], claims[role], role_plan, emit, ctx=ctx)
                if role == "chosen":
                    chosen_outcome = out

        chosen_text = parts.get("chosen", "")
        if "prompt" in claims:
            prompt_base = prompt_plan.fill_from(chosen_plan)
            prompt_base.budget_usd = prompt_base.deadline_hours = None

            def corrected(claim: Any, key: str, lo: float, hi: float) -> bool:
                """The chosen response contradicts the prompt's figure with a checked number of the same
                kind, or quotes it in order to correct it."""
                for k, clo, chi, component in chosen_outcome.in_range:
                    if k != key:
                        continue
                    if component:
                        if clo > hi:  # one component alone is more than the prompt's total
                            return True
                    elif _off_by(clo, chi, lo, hi) > 1.5:
                        return True
                return any(_same_value(claim, r) for r in chosen_outcome.refuted)

            self.check_text("prompt", prompt_text, claims["prompt"], prompt_base, emit, prompt=True,
                            corrected=corrected, ctx=ctx)
        # an impossible plan in the prompt
        if prompt_plan.params is not None and (prompt_plan.budget_usd or prompt_plan.deadline_hours or prompt_plan.gpu):
            # what the prompt leaves open (often the method) is the chosen response's; its dataset stays the prompt's
            report, _ = self.report_for(prompt_plan.fill_from(chosen_plan))
            if report is not None and getattr(report, "verdict", None) == "infeasible" and "chosen" in parts:
                reasons = [f.message for f in getattr(report, "findings", []) if getattr(f, "severity", "") == "error"]
                contradicts = self._contradicts_plan(prompt_plan, chosen_outcome)
                where = self._infeasible_at(prompt_plan, report)
                span = prompt_plan.spans.get(where) if where else None
                corrects = bool(ph.CORRECTION.search(chosen_text) or ph.CORRECTION_EXTRA.search(chosen_text))
                emit("claims.impossible_plan",
                     {"corrected": corrects or contradicts, "numbers_ok": chosen_outcome.checked_ok > 0,
                      "reason": "; ".join(reasons[:2]) or "the calculators call it infeasible"},
                     field="prompt" if span else "chosen", span=span,
                     quote=prompt_text[span[0]:span[1]] if span else None,
                     sources=list(getattr(report, "sources", []) or [])[:4])

    def _infeasible_at(self, plan: Plan, report: Any) -> str | None:
        """Which of the prompt's givens the plan breaks: the GPU (memory), the budget or the deadline."""
        est = getattr(report, "estimates", {}) or {}
        vram, cost, wall = est.get("vram_per_gpu_gb"), est.get("cost_usd"), est.get("wall_hours")
        capacity = _gpu_memory(self.kb.gpu(plan.gpu)) if (plan.gpu and self.kb is not None) else None
        if capacity and vram is not None and vram.low > capacity:
            return "gpu"
        if plan.budget_usd and cost is not None and cost.low > plan.budget_usd:
            return "budget"
        if plan.deadline_hours and wall is not None and wall.low > plan.deadline_hours:
            return "deadline"
        return None

    def _contradicts_plan(self, plan: Plan, outcome: Outcome) -> bool:
        """The chosen response states checked numbers that show the plan cannot work: memory above the
        plan's GPU, cost above its budget, or time beyond its deadline."""
        capacity = None
        if plan.gpu and self.kb is not None:
            gpu = self.kb.gpu(plan.gpu)
            capacity = _gpu_memory(gpu)
        for key, lo, _hi, component in outcome.in_range:
            if key == "vram_per_gpu_gb" and capacity and lo > capacity * 1.02:
                return True
            if key == "cost_usd" and plan.budget_usd and lo > plan.budget_usd and not component:
                return True
            if key == "wall_hours" and plan.deadline_hours and lo > plan.deadline_hours:
                return True
        return False


class _GpuLookups:
    """The knowledge base with ``gpu(name)`` memoised: every record looks up the same few GPU names
    (several times per claim), and the KB normalises the name on each call. Other attributes pass
    through. Bounded: cleared past ``LIMIT`` names."""

    LIMIT = 10_000

    def __init__(self, kb: Any):
        self._kb = kb
        self._gpus: dict[str, Any] = {}

    def gpu(self, name: str) -> Any:
        try:
            return self._gpus[name]
        except KeyError:
            pass
        if len(self._gpus) >= self.LIMIT:
            self._gpus.clear()
        found = self._gpus[name] = self._kb.gpu(name)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)


@dataclass(frozen=True, slots=True)
class _Resolved:
    epochs: float | None


@dataclass(frozen=True, slots=True)
class _Slim:
    """What the checks use of a Report, kept small so the estimate cache stays small."""

    estimates: dict
    sources: list
    verdict: str | None
    findings: list
    gpus: int
    resolved: _Resolved
    parts: dict = field(default_factory=dict)  # memory component -> (low, high) GB per GPU

    @classmethod
    def of(cls, report: Any) -> _Slim:
        est = {}
        for key, value in (getattr(report, "estimates", {}) or {}).items():
            if value is not None and key in _UNITS:
                est[key] = _Scaled(float(value.low), float(value.mid), float(value.high), getattr(value, "unit", ""),
                                   tuple(getattr(value, "sources", ()) or ())[:3])
        findings = [f for f in (getattr(report, "findings", []) or []) if getattr(f, "severity", "") == "error"]
        parts = {}
        for name, value in (getattr(report, "vram_parts", None) or {}).items():
            if value is not None:
                parts[name] = (float(value.low), float(value.high))
        return cls(est, list(getattr(report, "sources", []) or [])[:6], getattr(report, "verdict", None), findings,
                   int(getattr(report, "gpus", 1) or 1),
                   _Resolved(getattr(getattr(report, "resolved", None), "epochs", None)), parts)


_UNITS = {"cost_usd", "price_usd_per_gpu_hour", "wall_hours", "gpu_hours", "vram_per_gpu_gb",
          "throughput_tokens_per_s", "tokens"}


@dataclass(frozen=True, slots=True)
class _Scaled:
    low: float
    mid: float
    high: float
    unit: str = ""
    sources: tuple[str, ...] = ()


def _parts(words: str) -> tuple[str, ...]:
    low = words.lower()
    return tuple(dict.fromkeys(name for stem, name in ph.PART_KEYS if stem in low))


def _same_value(a: Any, b: Any) -> bool:
    alo, ahi, blo, bhi = _get(a, "low"), _get(a, "high"), _get(b, "low"), _get(b, "high")
    if None in (alo, ahi, blo, bhi):
        return False

    def close(x: float, y: float) -> bool:
        return x == y or abs(x - y) <= 0.01 * max(abs(x), abs(y))

    return close(alo, blo) and close(ahi, bhi)


def _gpu_memory(gpu: Any) -> float | None:
    mem = getattr(gpu, "memory", None)
    value = getattr(mem, "value", mem)
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _is_dataset_memory(claim: Any, text: str) -> bool:
    """A byte size that is a dataset ("a 1GB subset", "50GB of text"), read as memory."""
    end = (_get(claim, "span") or (0, 0))[1]
    return bool(ph.DATASET_AFTER.match(text[end:end + 60]))


def is_sequence_tokens(claim: Any, text: str) -> bool:
    """A token count that is a sequence length or a per-example figure ("4096 tokens" of context,
    "2048-token sequences", "roughly 760 tokens each"), not a dataset size."""
    if _get(claim, "subject") == "sequence length":
        return True
    lo, hi = _get(claim, "low") or 0.0, _get(claim, "high")
    value = lo if hi is None or hi == float("inf") else hi
    if value < ph.SEQ_TOKENS_MAX:
        return True
    start, end = _get(claim, "span") or (0, 0)
    return bool(ph.PER_ITEM_AFTER.match(text[end:end + 40]) or ph.SEQ_CUE_BEFORE.search(text[max(0, start - 40):start]))


def _off_by(lo: float, hi: float, elo: float, ehi: float) -> float:
    """How many times the claim [lo, hi] is away from [elo, ehi] (1.0 when they overlap)."""
    if hi < elo:
        return elo / hi if hi > 0 else float("inf")
    if lo > ehi:
        return lo / ehi if ehi > 0 else float("inf")
    return 1.0


def _unit_label(key: str) -> str:
    return {"cost_usd": "USD", "price_usd_per_gpu_hour": "USD/GPU-hour", "wall_hours": "hours", "gpu_hours": "GPU-hours",
            "vram_per_gpu_gb": "GB", "throughput_tokens_per_s": "tokens/s", "tokens": "tokens"}.get(key, "")


def _clause(text: str, start: int, end: int) -> str:
    """The clause around a span (between commas, semicolons, parentheses and sentence ends)."""
    a = 0
    for m in ph.CLAUSE_END.finditer(text, max(0, start - 120), start):
        a = m.end()
    m = ph.CLAUSE_END.search(text, end)
    return text[max(a, start - 120):(m.start() if m else len(text))]


_SENT_CACHE: dict[str, list[int]] = {}
def _clause_labelled(text: str, start: int, end: int) -> str:
    """The claim's clause and, in a table, its column header and row label ("| L4, 24/7 | ~$580 |")."""
    clause = _clause(text, start, end)
    cell = _cell_labels(text, start) if "|" in text else None
    if not cell:
        return clause
    return " | ".join([clause, *(text[a:b] for a, b in filter(None, cell))])


def _cell_labels(text: str, pos: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None] | None:
    """For a table cell: (its column header, its row label), either None when absent; None outside tables."""
    st = segment_recent(text)
    seg = st.locate(pos)
    if seg is None or st.blocks[seg.block].kind != "row":
        return None
    block = st.blocks[seg.block]
    first = block.segs[0] if block.segs else None
    label = (first.start, first.end) if first is not None and (first.start, first.end) != (seg.start, seg.end) else None
    has_header = len(seg.context) - len(block.context) - (1 if label else 0) == 1
    return (seg.context[0] if has_header else None), label


def _row_anchored(text: str, label: tuple[int, int], claims: Iterable[Any]) -> bool:
    """A row label that names the run, or one of its options (a GPU, a model, a method)."""
    if ph.TOTAL_LABEL.match(text[label[0]:label[1]]):
        return False
    return bool(ph.RUN_ANCHOR.search(text, *label)) or any(
        _get(c, "kind") in ("gpu", "model_size", "method") and label[0] <= (_get(c, "span") or (-1, -1))[0] < label[1]
        for c in claims)


def _run_anchored(text: str, start: int, end: int, claims: Iterable[Any] = ()) -> bool:
    """A run word in the claim's clause or in its structural labels: a list item's label, a heading
    and, in a table, the row label (a column header only when it names more than the measure:
    "Training cost" does, "Cost" does not). A "Total" row is the run's only when every other row
    of its table is. See ph.RUN_ANCHOR."""
    if ph.RUN_ANCHOR.search(_clause(text, start, end)):
        return True
    cell = _cell_labels(text, start)
    if cell is None or cell[1] is None:
        lay = segment_recent(text).layers(start)
        return bool(lay) and any(ph.RUN_ANCHOR.search(text, a, b) for a, b in lay[2][:2])
    header, label = cell
    if header and ph.RUN_ANCHOR.search(text, *header) and not ph.MEASURE_ONLY.match(text[header[0]:header[1]]):
        return True
    if not ph.TOTAL_LABEL.match(text[label[0]:label[1]]):
        return _row_anchored(text, label, claims)
    # the total of a table: the run's only if each of the rows it sums is
    st = segment_recent(text)
    bi = st.locate(start).block
    lo = bi
    while lo > 0 and st.blocks[lo - 1].kind == "row":
        lo -= 1
    rows = [st.blocks[i] for i in range(lo, bi)]
    return bool(rows) and all(r.segs and _row_anchored(text, (r.segs[0].start, r.segs[0].end), claims) for r in rows)


def _label_parts(text: str, start: int) -> re.Match[str] | None:
    """The item label names memory components only ("**Gradients**: ... another ~6.2 GB")."""
    lay = segment_recent(text).layers(start)
    if not lay or not lay[2] or _cell_labels(text, start) is not None:
        return None
    a, b = lay[2][0]
    return ph.LABEL_PARTS.match(text[a:b])


def _side_run_labels(text: str, start: int) -> bool:
    """A table cell under a test-run column or row ("| | Pilot (4k) | Full (40k) |")."""
    cell = _cell_labels(text, start)
    return cell is not None and any(span and ph.SIDE_RUN.search(text, *span) for span in cell)


def _side_run_before(text: str, sent_start: int) -> bool:
    """The sentence before, in the same paragraph, sets up a test run ("Before the full run, train
    for 50 steps. ... you've found out in five minutes"): a duration here is likely that run's."""
    if sent_start <= 0:
        return False
    a, b = _sentence(text, sent_start - 1)
    return "\n" not in text[a:sent_start].strip() and bool(ph.SIDE_RUN.search(text, a, b))


def _sentence(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the sentence around ``pos``; the boundaries of the last few texts are cached."""
    ends = _SENT_CACHE.get(text)
    if ends is None:
        if len(_SENT_CACHE) >= 16:
            _SENT_CACHE.clear()
        ends = _SENT_CACHE[text] = [m.end() for m in ph.SENT.finditer(text)]
    i = bisect_right(ends, pos)
    return (ends[i - 1] if i else 0), (ends[i] if i < len(ends) else len(text))
