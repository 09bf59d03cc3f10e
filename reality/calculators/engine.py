"""Scenario -> Report: the one estimate that check, validate and generate all use."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ConfigDict

from reality import conditions
from reality.calculators import fmt
from reality.calculators.cost import price_per_gpu_hour
from reality.calculators.memory import capacity_gb, method_memory, shape, vram_per_gpu
from reality.calculators.ranges import Estimate
from reality.calculators.report import Finding, Report, Step
from reality.calculators.scenario import Resolved, Scenario, resolve
from reality.calculators.throughput import (
    SECONDS_PER_HOUR,
    flops_per_token,
    mfu,
    overhead_fraction,
    processed_tokens,
    scaling_efficiency,
    startup_hours,
    tokens_per_epoch,
)
from reality.knowledge import KnowledgeBase, load_kb
from reality.knowledge.loader import builtin_dir, load_yaml_cached

GPU_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


class ScenarioRule(BaseModel):
    """The fields of a rules.yaml rule that `check` needs (the validators own the full schema)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    title: str
    severity: str
    condition: str
    message: str
    fix: str | None = None


@functools.cache
def scenario_rules() -> tuple[ScenarioRule, ...]:
    data = load_yaml_cached(builtin_dir() / "rules.yaml")
    rules = tuple(ScenarioRule(**r) for r in data["rules"] if r.get("applies_to") == "scenario")
    for rule in rules:
        conditions.compile_condition(rule.condition)
    return rules


def _dated(entry) -> str:
    return f"{entry.source} (as of {entry.as_of})"


@functools.cache
def _compiled(condition: str) -> conditions.Condition:
    return conditions.compile_condition(condition)


def fewest_gpus(r: Resolved, kb: KnowledgeBase) -> int | None:
    """The smallest GPU count (1, 2, 4, 8, then whole nodes) whose mid estimate fits."""
    cap = capacity_gb(r, kb)
    for count in GPU_COUNTS:
        if vram_per_gpu(r, kb, count)[0].mid <= cap:
            return count
    return None


def fit_status(vram: Estimate, cap: float) -> str:
    if vram.mid <= cap:
        return "fits"
    return "tight" if vram.low <= cap else "does not fit"


def estimate(scenario: Scenario, kb: KnowledgeBase | None = None, *, suggest: bool = True) -> Report:
    """Estimate a plan: VRAM, tokens, FLOPs, GPU-hours, wall time, cost, verdict, suggestions."""
    kb = kb or load_kb()
    r, assumptions = resolve(scenario, kb)
    cap = capacity_gb(r, kb)
    steps: list[Step] = []
    sources: list[str] = [_dated(r.gpu)]
    if r.model:
        sources.append(_dated(r.model))

    # ---- memory and GPU count
    if r.gpus:
        gpus = r.gpus
    else:
        needed = fewest_gpus(r, kb)
        gpus = needed or 8
        assumptions.append(
            f"gpus = {gpus} x {r.gpu.name} (not given; the fewest that hold the mid memory estimate)"
            if needed
            else f"gpus = {gpus} (not given, and no count up to {GPU_COUNTS[-1]} fits)"
        )
    vram, parts = vram_per_gpu(r, kb, gpus)
    if gpus > 1:
        assumptions.append(f"weights, gradients and optimizer states sharded over the {gpus} GPUs (FSDP / ZeRO-3)")
    if r.dpo:
        share = kb.default("dpo_prompt_share")
        assumptions.append(f"DPO processes the prompt twice (with chosen and with rejected): tokens x "
                           f"{1 + float(share.value):g} ({share.reasoning or share.source})")
    mm = method_memory(kb, r.base_method, r.optimizer)
    sources.append(_dated(mm))
    dims = shape(r, kb)
    if not dims.published:
        assumptions.append(
            f"model shape estimated from size: ~{dims.layers:.0f} layers, hidden ~{dims.hidden:.0f}, vocab {dims.vocab:,.0f}"
        )
    parts_text = " + ".join(f"{name} {p.mid:,.1f}" for name, p in parts.items())
    steps.append(
        Step(
            "VRAM per GPU",
            f"{r.method} with {r.optimizer}: weights {mm.weights.text}, grads {mm.gradients.text}, "
            f"optimizer {mm.optimizer_states.text} (trainable share {mm.trainable_fraction.mid:g}), "
            f"x {fmt.num(r.params)} params{' / ' + str(gpus) + ' GPUs (sharded)' if gpus > 1 else ''}; "
            f"activations s={r.seq_len} b={r.micro_batch} ckpt={r.checkpointing}: {parts_text} GB",
            fmt.span(vram, "gb")
            + (f" per GPU, {vram.mid * gpus:,.0f} GB in all" if gpus > 1 else "")
            + f" vs {cap:,.1f} GB on a {r.gpu.name}",
        )
    )
    fit = fit_status(vram, cap)
    estimates: dict[str, Estimate | None] = {"vram_per_gpu_gb": vram}

    # ---- tokens, FLOPs, time, cost (only with a dataset size)
    price, price_rows = price_per_gpu_hour(kb, r.gpu.id, r.provider_class, scenario.price_usd_per_gpu_hour)
    estimates["price_usd_per_gpu_hour"] = price
    sources += [_dated(p) for p in price_rows]
    names: dict[str, Any] = {"capacity": cap, "gpus": gpus, "budget": scenario.budget_usd, "deadline": scenario.deadline_hours}
    names.update(vram_low=vram.low, vram_mid=vram.mid, vram_high=vram.high)
    terms: dict[str, float] = {}
    if r.tokens_per_epoch_source:
        _time_and_cost(r, kb, gpus, price, estimates, steps, sources, names, terms)
    else:
        for key in ("tokens", "flops", "gpu_hours", "wall_hours", "cost_usd", "throughput_tokens_per_s"):
            estimates[key] = None

    findings = _apply_rules(r, vram, cap, estimates, names, scenario)
    report = Report(
        scenario=scenario,
        resolved=r,
        assumptions=assumptions,
        gpus=gpus,
        capacity_gb=cap,
        estimates=estimates,
        vram_parts=parts,
        fit=fit,
        steps=steps,
        findings=findings,
        sources=list(dict.fromkeys(sources)),
        terms=terms,
    )
    asks_time_or_money = scenario.budget_usd is not None or scenario.deadline_hours is not None
    if any(f.severity == "error" for f in findings):
        report.verdict = "infeasible"
    elif asks_time_or_money and estimates.get("cost_usd") is None:
        report.verdict = "unknown"
    else:
        report.verdict = "feasible"
    if suggest:
        from reality.calculators.suggest import suggestions

        report.suggestions = suggestions(report, kb)
    return report


def _time_and_cost(r, kb, gpus, price, estimates, steps, sources, names, terms) -> None:
    tokens = tokens_per_epoch(r, kb)
    processed = processed_tokens(r, kb, tokens)
    per_token, flop_sources = flops_per_token(r, kb)
    utilisation, mfu_sources = mfu(r, kb)
    efficiency = scaling_efficiency(kb, gpus)
    peak = r.gpu.bf16_dense.value * 1e12
    throughput = (utilisation * efficiency * peak / per_token).with_unit("token/s")  # per GPU
    flops = (per_token * processed).with_unit("FLOP")
    overheads = overhead_fraction(kb)
    gpu_hours = (flops / (utilisation * efficiency * peak * SECONDS_PER_HOUR) * overheads).with_unit("GPU-hour")
    startup = startup_hours(kb)
    wall = (gpu_hours * (1 / gpus) + startup).with_unit("hour")
    sources += flop_sources + mfu_sources
    estimates.update(tokens=processed, flops=flops, gpu_hours=gpu_hours, wall_hours=wall, throughput_tokens_per_s=throughput)
    terms.update(
        F=per_token.mid, D=processed.mid, P=peak, u=utilisation.mid, e=efficiency.mid, o=overheads.mid,
        t0=startup.mid, G=float(gpus), per_epoch=processed.mid / r.epochs,
    )
    if price is not None:
        terms["p"] = price.mid

    s = r.scenario
    if r.tokens_per_epoch_source == "bytes":
        ratio = next(t for t in kb.section("text_ratios") if t.text_kind == r.text_kind)
        sources.append(_dated(ratio))
        how = f"{s.dataset_gb:g} GB of {r.text_kind} text / {ratio.bytes_per_token.low:g}-{ratio.bytes_per_token.high:g} bytes per token"
    elif r.tokens_per_epoch_source == "examples":
        per = s.tokens_per_example or float(kb.default("tokens_per_example").value)
        how = f"{fmt.num(s.examples)} examples x {per:g} tokens"
    else:
        how = "as given"
    steps.append(Step("tokens per epoch", how, fmt.span(tokens)))
    dpo = f" x (1 + {kb.default('dpo_prompt_share').value} prompt share, DPO)" if r.dpo else ""
    steps.append(Step("tokens processed", f"{fmt.span(tokens)} x {r.epochs:g} epochs{dpo}", fmt.span(processed)))
    k = next(f for f in kb.section("flops") if f.method == r.base_method).flops_per_param_token.mid
    steps.append(
        Step(
            "FLOPs",
            f"({k:g}{' + 2 (reference forward)' if r.dpo else ''}) x {fmt.num(r.params)} params (+ attention) "
            f"= {fmt.num(per_token.mid)} FLOP/token x {fmt.num(processed.mid)} tokens",
            f"{flops.mid:.3g} FLOP",
        )
    )
    steps.append(
        Step(
            "throughput per GPU",
            f"{r.gpu.bf16_dense.text} dense BF16 x MFU {utilisation.low:.2f}-{utilisation.high:.2f} "
            f"x scaling {efficiency.low:.2f}-{efficiency.high:.2f} / {fmt.num(per_token.mid)} FLOP/token",
            fmt.span(throughput) + " tokens/s",
        )
    )
    steps.append(
        Step(
            "GPU-hours",
            f"{flops.mid:.3g} FLOP / (throughput) / 3600 s/h x overheads (eval, checkpoints) {overheads.low:.2f}-{overheads.high:.2f}",
            fmt.span(gpu_hours),
        )
    )
    steps.append(
        Step("wall time", f"GPU-hours / {gpus} GPUs + start-up {fmt.span(startup, 'hours')}", fmt.span(wall, "hours"))
    )
    names.update(wall_low=wall.low, wall_mid=wall.mid, wall_high=wall.high)
    if price is None:
        estimates["cost_usd"] = None
        return
    cost = (wall * gpus * price).with_unit("USD")
    estimates["cost_usd"] = cost
    steps.append(
        Step(
            "cost",
            f"wall time x {gpus} GPUs x {fmt.span(price, 'money')} per GPU-hour ({r.provider_class} prices)",
            fmt.span(cost, "money"),
        )
    )
    names.update(cost_low=cost.low, cost_mid=cost.mid, cost_high=cost.high)


def _apply_rules(r, vram, cap, estimates, names, scenario) -> list[Finding]:
    text = {
        "vram": fmt.span(vram, "gb"),
        "gpu": r.gpu.name,
        "capacity_gb": f"{cap:,.1f} GB",
        "budget_usd": fmt.money(scenario.budget_usd) if scenario.budget_usd else "",
        "deadline": fmt.hours(scenario.deadline_hours) if scenario.deadline_hours else "",
        "cost": fmt.span(estimates["cost_usd"], "money") if estimates.get("cost_usd") else "",
        "wall": fmt.span(estimates["wall_hours"], "hours") if estimates.get("wall_hours") else "",
    }
    findings = []
    for rule in scenario_rules():
        condition = _compiled(rule.condition)
        if any(names.get(name) is None for name in condition.names):
            continue  # a value this plan does not have (no budget, no dataset size)
        if condition(names):
            findings.append(Finding(rule.id, rule.severity, rule.message.format(**text), rule.fix))
    return findings
