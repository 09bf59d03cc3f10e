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
   epoch"), memory -> ``vram_per_gpu_gb`` (per GPU or in total), throughput ->
   ``throughput_tokens_per_s``, a token count that is not the plan's own input -> ``tokens``
   per epoch. A claim whose scenario lacks what the estimate needs (no model size, no
   dataset size) is reported as unverifiable (R302), never passed silently.
4. **Prompts.** A wrong number in the prompt is a misconception; it is an error (R305) only
   when the chosen response leaves it standing. A prompt plan the calculators call
   infeasible must be corrected by the chosen response (R303), with checked numbers (R304).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PLAN_KINDS = frozenset({"model_size", "method", "gpu", "dataset_tokens", "dataset_bytes", "dataset_examples", "epochs"})
CHECKED_KINDS = frozenset({"money", "price_rate", "duration", "memory", "throughput", "dataset_tokens"})

_BEFORE_CONSTRAINT = re.compile(
    r"(?:\bbudget\b|\bafford\b|\bspend\b|\bspending\b|\bdeadline\b|\bwithin\b|\bunder\b|\blimit(?:ed)?\b|\bcap(?:ped)?\b|"
    r"\bno more than\b|\bat most\b|\bmax(?:imum)?\b|\bonly have\b|\bi have\b|\bwe have\b|\bgot\b|\bneed (?:it|this|results?) (?:in|by|within)\b|"
    r"\bby\b|\bin (?:the )?next\b|\bleft\b|\bremaining\b|\ballocated\b|\bapproved\b)[^.!?\n]{0,25}$",
    re.I,
)
_AFTER_CONSTRAINT = re.compile(r"^[^.!?\n]{0,12}\b(?:budget|deadline|limit|cap|to spend|left|available|allocated|approved)\b", re.I)
_DEADLINE_WORDS = re.compile(r"\b(deadline|within|by|in the next|need (?:it|this|results?) in|due|before|have)\b", re.I)
_PER_EPOCH = re.compile(r"\b(?:per|each|every|one|1|a single|an|first)\s+epoch\b|\bepoch\)", re.I)
_GPU_HOURS = re.compile(r"gpu[- ]?h(?:ou)?rs?\b", re.I)
_PER_HOUR = re.compile(r"^\s*(?:/|per\s+|an?\s+)(?:gpu[- ]?)?(?:hour|hr|h)\b", re.I)
CORRECTION = re.compile(
    r"\bnot (?:realistic|feasible|possible|enough|going to (?:work|fit))\b|\bunrealistic\b|\binfeasible\b|\bimpossible\b|"
    r"\b(?:won't|will not|doesn't|does not|can't|cannot|wouldn't|would not) (?:fit|work|cover|be enough|be possible|get you|happen)\b|"
    r"\bisn't (?:realistic|feasible|possible|enough)\b|\bexceeds?\b|\bover (?:your |the )?budget\b|\bfalls? short\b|\bshort of\b|"
    r"\bout of reach\b|\bwould (?:need|require|cost|take)\b|\byou(?:'d| would) need\b|\brealistically\b|\breality check\b|"
    r"\bunfortunately\b|\bthe math\b|\bmore than (?:your|you have)\b|\bfar more\b|\bunderestimat\w*|\boverestimat\w*|"
    r"\bmisconception\b|\bcommon myth\b|\bactually\b|\bin practice\b|\bnot quite\b|\btoo (?:small|little|large|big|optimistic)\b",
    re.I,
)
_METHODS = {
    "qlora": "qlora", "4-bit": "qlora", "4bit": "qlora", "nf4": "qlora", "lora": "lora", "peft": "lora",
    "full": "full", "full fine-tune": "full", "full-ft": "full", "pretraining": "pretraining", "pretrain": "pretraining",
    "dpo": "dpo", "dpo-full": "dpo-full", "dpo-lora": "dpo-lora", "dpo-qlora": "dpo-qlora",
}
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
    gpu: str | None = None
    gpus: int | None = None
    tokens: float | None = None
    dataset_gb: float | None = None
    examples: float | None = None
    epochs: float | None = None
    budget_usd: float | None = None
    deadline_hours: float | None = None
    inputs: set[int] = field(default_factory=set)  # id() of the claims used as plan inputs

    def fill_from(self, other: Plan) -> Plan:
        """A copy with every value ``self`` lacks taken from ``other``."""
        out = Plan(**{k: getattr(self, k) for k in self.__dataclass_fields__ if k != "inputs"})
        out.inputs = set(self.inputs) | set(other.inputs)
        for k in self.__dataclass_fields__:
            if k in ("inputs", "dpo"):
                continue
            if getattr(out, k) is None:
                setattr(out, k, getattr(other, k))
        if out.tokens is None and out.dataset_gb is None and out.examples is None:
            out.tokens, out.dataset_gb, out.examples = other.tokens, other.dataset_gb, other.examples
        elif (self.tokens, self.dataset_gb, self.examples) != (None, None, None):
            # the dataset is said here: do not mix in the other text's dataset size
            out.tokens, out.dataset_gb, out.examples = self.tokens, self.dataset_gb, self.examples
        out.dpo = self.dpo or other.dpo
        return out

    def key(self) -> tuple:
        return (self.params, self.full_method, self.gpu, self.gpus, self.tokens, self.dataset_gb, self.examples,
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


def is_constraint(text: str, claim: Any) -> bool:
    """Money / duration that is the user's budget or deadline rather than a claim."""
    span = _get(claim, "span") or (0, 0)
    start, end = span
    subject = (_get(claim, "subject") or "").lower()
    if "budget" in subject or "deadline" in subject:
        return True
    before = text[max(0, start - 60) : start]
    return bool(_BEFORE_CONSTRAINT.search(before) or _AFTER_CONSTRAINT.search(text[end : end + 40]))


def plan_from(claims: Iterable[Any], text: str, kb: Any, *, constraints: bool) -> Plan:
    """The plan the given claims describe (first occurrence of each field wins)."""
    plan = Plan()
    for c in claims:
        kind = _get(c, "kind")
        attrs = _get(c, "attrs") or {}
        if kind == "model_size":
            if plan.params is None and (v := _mid(c)):
                plan.params = v
                plan.inputs.add(id(c))
        elif kind == "method":
            m = str(attrs.get("method") or _get(c, "text") or "").lower()
            m = _METHODS.get(m, _METHODS.get(m.replace(" ", "-"), None))
            if m == "dpo":
                plan.dpo = True
            elif m and m.startswith("dpo-"):
                plan.dpo = True
                plan.method = plan.method or m[4:]
            elif m and plan.method is None:
                plan.method = m
            plan.inputs.add(id(c))
        elif kind == "gpu":
            if plan.gpu is None:
                name = attrs.get("gpu") or _get(c, "text")
                gpu = kb.gpu(str(name)) if (kb is not None and name) else None
                if gpu is not None:
                    plan.gpu = gpu.id
                    count = attrs.get("count")
                    if isinstance(count, int | float) and count >= 1:
                        plan.gpus = int(count)
            plan.inputs.add(id(c))
        elif kind in ("dataset_tokens", "dataset_bytes", "dataset_examples"):
            if not plan.has_data and (v := _mid(c)):
                if kind == "dataset_tokens":
                    plan.tokens = v
                elif kind == "dataset_bytes":
                    plan.dataset_gb = v
                else:
                    plan.examples = v
                plan.inputs.add(id(c))
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
                elif kind == "duration" and plan.deadline_hours is None:
                    plan.deadline_hours = v
            plan.inputs.add(id(c))
    return plan


@dataclass
class Outcome:
    """What checking one text's claims found (for the impossible-plan rules)."""

    checked_ok: int = 0
    out_of_range: list[tuple[Any, str, Any]] = field(default_factory=list)  # (claim, key, estimate)
    in_range_keys: set[str] = field(default_factory=set)


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
        self.kb = kb
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
                params=plan.params, method=plan.full_method, gpu=plan.gpu, gpus=plan.gpus, tokens=plan.tokens,
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
        method = attrs.get("method")
        if method:
            m = _METHODS.get(str(method).lower())
            if m == "dpo":
                plan.dpo = True
            elif m and m.startswith("dpo-"):
                plan.dpo, plan.method = True, m[4:]
            else:
                plan.method = m
        gpu = attrs.get("gpu")
        if gpu and self.kb is not None:
            found = self.kb.gpu(str(gpu))
            if found is not None:
                plan.gpu = found.id
                count = attrs.get("gpu_count")
                if isinstance(count, int | float) and count >= 1:
                    plan.gpus = int(count)
        for key, name in (("dataset_tokens", "tokens"), ("dataset_bytes", "dataset_gb"), ("dataset_examples", "examples")):
            value = _value(attrs.get(key))
            if value:
                setattr(plan, name, value)
                break
        epochs = _value(attrs.get("epochs"))
        if epochs:
            plan.epochs = epochs
        return plan

    # ------------------------------------------------------------------ per claim
    def _target(self, claim: Any, text: str, plan: Plan, report: Any) -> tuple[str | None, Any, str | None]:
        """(estimate key, Estimate-like with low/high/unit, reason if unverifiable)."""
        kind = _get(claim, "kind")
        unit = str(_get(claim, "unit") or "")
        start, end = _get(claim, "span") or (0, 0)
        sentence = text[slice(*_sentence(text, start))]
        est = report.estimates if report is not None else {}
        key: str | None
        scale = 1.0
        if kind == "price_rate":
            key = "price_usd_per_gpu_hour"
        elif kind == "money":
            per_hour = "/h" in unit.replace(" ", "").lower() or "hour" in unit.lower() or bool(_PER_HOUR.match(text[end:end + 16]))
            key = "price_usd_per_gpu_hour" if per_hour else "cost_usd"
        elif kind == "duration":
            attrs = _get(claim, "attrs") or {}
            key = "gpu_hours" if (attrs.get("gpu_hours") or _GPU_HOURS.search(unit) or _GPU_HOURS.match(text[end:end + 12].lstrip(" -"))) else "wall_hours"
            if _PER_EPOCH.search(sentence) and report is not None:
                epochs = getattr(getattr(report, "resolved", None), "epochs", None) or plan.epochs or 1
                scale = 1.0 / float(epochs)
        elif kind == "memory":
            key = "vram_per_gpu_gb"
        elif kind == "throughput":
            key = "throughput_tokens_per_s"
        elif kind == "dataset_tokens":
            key = "tokens"
            if report is not None:
                epochs = getattr(getattr(report, "resolved", None), "epochs", None) or plan.epochs or 1
                scale = 1.0 / float(epochs)
        else:
            return None, None, None
        if report is None:
            return key, None, None
        value = est.get(key)
        if value is None:
            need = "a dataset size" if not plan.has_data else "what the estimate needs"
            return key, None, f"the record does not give {need} for a {ESTIMATE_LABELS.get(key, key)} estimate"
        if scale != 1.0:
            value = _Scaled(value.low * scale, value.mid * scale, value.high * scale, getattr(value, "unit", ""),
                            tuple(getattr(value, "sources", ()) or ()))
        return key, value, None

    def check_text(
        self, field_name: str, text: str, claims: list[Any], base: Plan, emit: Emit, *, prompt: bool = False,
        corrected: bool = False,
    ) -> Outcome:
        outcome = Outcome()
        for claim in claims:
            kind = _get(claim, "kind")
            if kind not in CHECKED_KINDS or id(claim) in base.inputs:
                continue
            if kind in ("money", "duration", "price_rate") and is_constraint(text, claim):
                continue
            local = self.local_plan(claim)
            if kind == "dataset_tokens" and not (base.dataset_gb or base.examples or local.dataset_gb or local.examples):
                continue  # the plan's own token count is an input, not a claim
            if kind == "memory" and _get(claim, "role") == "spec":
                continue  # "A100 80GB": a hardware spec, part of a GPU name
            plan = local.fill_from(base)
            report, why = self.report_for(plan)
            key, value, why2 = self._target(claim, text, plan, report)
            if key is None:
                continue
            span = _get(claim, "span")
            quote = _get(claim, "text") or (text[span[0]:span[1]] if span else None)
            why = why or why2
            if value is None:
                if not prompt:
                    emit("claims.unverifiable", {"kind": kind, "reason": why or "no plan to compare with"},
                         field=field_name, span=span, quote=quote)
                continue
            lo, hi = _get(claim, "low"), _get(claim, "high")
            lo = 0.0 if lo is None else float(lo)
            hi = float("inf") if hi is None else float(hi)
            candidates = [value]
            if key == "vram_per_gpu_gb" and report is not None and getattr(report, "gpus", 1) > 1:
                g = report.gpus
                candidates.append(_Scaled(value.low * g, value.mid * g, value.high * g, value.unit, value.sources))
            best = min(candidates, key=lambda v: _off_by(lo, hi, v.low, v.high))
            off = _off_by(lo, hi, best.low, best.high)
            unit = _unit_label(key)
            ctx = {
                "claim_low": lo, "claim_high": hi, "expected_low": float(best.low), "expected_mid": float(best.mid),
                "expected_high": float(best.high), "unit": unit, "off_by": off, "kind": kind,
                "estimate": ESTIMATE_LABELS.get(key, key),
            }
            sources = list(getattr(best, "sources", ()) or ())[:3] + list(getattr(report, "sources", []) or [])[:3]
            sources = list(dict.fromkeys(sources))
            expected = {"low": float(best.low), "mid": float(best.mid), "high": float(best.high), "unit": unit}
            fired = emit(
                "claims.prompt_misconception" if prompt else "claims.range",
                {**ctx, "corrected": corrected} if prompt else ctx,
                field=field_name, span=span, quote=quote, expected=expected, sources=sources,
            )
            out_of_range = off > 2.0 if fired is None else bool(fired)
            if out_of_range:
                outcome.out_of_range.append((claim, key, best))
            else:
                outcome.checked_ok += 1
                outcome.in_range_keys.add(key)
        return outcome

    # ------------------------------------------------------------------ a record
    def check_record(self, parts: Mapping[str, str], emit: Emit, claims_of: Callable[[str], list[Any]] | None = None) -> None:
        claims_of = claims_of or self.extract
        claims = {role: claims_of(text) for role, text in parts.items() if role in ("prompt", "chosen", "rejected", "text")}
        prompt_text = parts.get("prompt", "")
        prompt_plan = plan_from(claims.get("prompt", []), prompt_text, self.kb, constraints=True)
        chosen_plan = plan_from(claims.get("chosen", []), parts.get("chosen", ""), self.kb, constraints=False)
        base = prompt_plan.fill_from(chosen_plan) if parts.get("prompt") else chosen_plan
        base.budget_usd = base.deadline_hours = None  # claims are checked against the plan, not the constraints

        chosen_outcome = Outcome()
        for role in ("chosen", "rejected", "text"):
            if role in claims:
                role_plan = base
                if role == "rejected":
                    role_plan = plan_from(claims[role], parts[role], self.kb, constraints=False).fill_from(base)
                    role_plan.inputs |= base.inputs
                out = self.check_text(role, parts[role], claims[role], role_plan, emit)
                if role == "chosen":
                    chosen_outcome = out

        chosen_text = parts.get("chosen", "")
        corrects = bool(CORRECTION.search(chosen_text))
        if "prompt" in claims:
            prompt_base = prompt_plan.fill_from(chosen_plan)
            prompt_base.budget_usd = prompt_base.deadline_hours = None
            self.check_text("prompt", prompt_text, claims["prompt"], prompt_base, emit, prompt=True,
                            corrected=corrects or bool(chosen_outcome.in_range_keys))
        # an impossible plan in the prompt
        if prompt_plan.params is not None and (prompt_plan.budget_usd or prompt_plan.deadline_hours or prompt_plan.gpu):
            report, _ = self.report_for(prompt_plan.fill_from(chosen_plan) if not prompt_plan.has_data else prompt_plan)
            if report is not None and getattr(report, "verdict", None) == "infeasible" and "chosen" in parts:
                reasons = [f.message for f in getattr(report, "findings", []) if getattr(f, "severity", "") == "error"]
                emit("claims.impossible_plan",
                     {"corrected": corrects, "numbers_ok": chosen_outcome.checked_ok > 0,
                      "reason": "; ".join(reasons[:2]) or "the calculators call it infeasible"},
                     field="chosen", sources=list(getattr(report, "sources", []) or [])[:4])


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

    @classmethod
    def of(cls, report: Any) -> _Slim:
        est = {}
        for key, value in (getattr(report, "estimates", {}) or {}).items():
            if value is not None and key in _UNITS:
                est[key] = _Scaled(float(value.low), float(value.mid), float(value.high), getattr(value, "unit", ""),
                                   tuple(getattr(value, "sources", ()) or ())[:3])
        findings = [f for f in (getattr(report, "findings", []) or []) if getattr(f, "severity", "") == "error"]
        return cls(est, list(getattr(report, "sources", []) or [])[:6], getattr(report, "verdict", None), findings,
                   int(getattr(report, "gpus", 1) or 1),
                   _Resolved(getattr(getattr(report, "resolved", None), "epochs", None)))


_UNITS = {"cost_usd", "price_usd_per_gpu_hour", "wall_hours", "gpu_hours", "vram_per_gpu_gb",
          "throughput_tokens_per_s", "tokens"}


@dataclass(frozen=True, slots=True)
class _Scaled:
    low: float
    mid: float
    high: float
    unit: str = ""
    sources: tuple[str, ...] = ()


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


_SENT = re.compile(r"[.!?](?=\s)|\n")


def _sentence(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENT.finditer(text, 0, pos):
        start = m.end()
    m = _SENT.search(text, pos)
    return start, (m.end() if m else len(text))
