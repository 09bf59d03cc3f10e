"""What would work instead: counterfactuals from the same formulas as the estimate.

Continuous questions (the most tokens a budget buys, the GPUs a deadline needs, the largest
model that fits) use the forms sympy solved once (:mod:`reality.calculators.solve`);
discrete ones (a lighter method, another GPU) re-run the estimate.
"""

from __future__ import annotations

import dataclasses
import math

from reality.calculators import fmt
from reality.calculators.memory import capacity_gb, vram_per_gpu
from reality.calculators.report import Report
from reality.calculators.solve import solve
from reality.knowledge import KnowledgeBase

LIGHTER = {"full": ("lora", "qlora"), "lora": ("qlora",), "qlora": (), "pretraining": ("lora", "qlora")}


def suggestions(report: Report, kb: KnowledgeBase) -> list[str]:
    out: list[str] = []
    r = report.resolved
    if report.fit != "fits":
        out += _memory(report, kb)
    budget, deadline = report.scenario.budget_usd, report.scenario.deadline_hours
    t = report.terms
    cost, wall = report.estimates.get("cost_usd"), report.estimates.get("wall_hours")
    if budget and cost and cost.mid > budget and "p" in t:
        if budget > t["G"] * t["p"] * t["t0"]:
            most = solve("tokens_within_budget", B=budget, **_only(t, "P e u G p t0 F o"))
            per_epoch = t["per_epoch"]
            out.append(
                f"within {fmt.money(budget)}: at most {fmt.num(most)} tokens on {report.gpus} x {r.gpu.name} "
                f"({most / per_epoch:.2g} of the planned epoch{'s' if r.epochs > 1 else ''}; mid estimate)"
            )
        out.append(f"smallest budget for this plan: {fmt.money(cost.low)} optimistic, {fmt.money(cost.mid)} mid")
    if deadline and wall and wall.mid > deadline and deadline > t.get("t0", 0):
        gpus = solve("gpus_for_deadline", T=deadline, **_only(t, "D F o P e u t0"))
        most = solve("tokens_within_deadline", T=deadline, **_only(t, "G P e u t0 F o"))
        out.append(
            f"to finish in {fmt.hours(deadline)}: about {math.ceil(gpus)} x {r.gpu.name} (mid estimate), "
            f"or at most {fmt.num(most)} tokens on {report.gpus}"
        )
    if report.verdict == "infeasible" or report.fit != "fits":
        out += _cheapest(report, kb)
    return out


def _only(terms: dict[str, float], names: str) -> dict[str, float]:
    return {n: terms[n] for n in names.split()}


def _with(report: Report, **changes):
    return dataclasses.replace(report.resolved, **changes)


def _memory(report: Report, kb: KnowledgeBase) -> list[str]:
    from reality.calculators.engine import fewest_gpus

    r = report.resolved
    out = []
    cap = capacity_gb(r, kb)
    needed = fewest_gpus(r, kb)
    if needed and needed != report.gpus:
        vram = vram_per_gpu(r, kb, needed)[0]
        out.append(f"{needed} x {r.gpu.name} hold it ({vram.mid:,.1f} GB per GPU, sharded)")
    for method in LIGHTER.get(r.base_method, ()):
        lighter = _with(report, base_method=method)
        vram = vram_per_gpu(lighter, kb, report.gpus)[0]
        if vram.mid <= cap:
            name = f"dpo-{method}" if r.dpo else method
            out.append(f"{name} fits on {report.gpus} x {r.gpu.name}: {vram.mid:,.1f} GB per GPU")
            break
    # Largest model of this method that fits: vram = b * N / G + A, linear in N.
    small, big = vram_per_gpu(_with(report, params=1e9, model=None), kb, report.gpus)[0].mid, vram_per_gpu(
        _with(report, params=2e9, model=None), kb, report.gpus
    )[0].mid
    per_billion = big - small  # GB per extra 1e9 parameters, at this GPU count
    rest = small - per_billion
    if per_billion > 0 and cap > rest:
        n_max = solve("params_within_memory", b=per_billion * report.gpus, A=rest, M=cap, G=report.gpus) * 1e9
        out.append(f"largest model for {r.method} on {report.gpus} x {r.gpu.name}: about {fmt.num(n_max)} parameters")
    return out


def _cheapest(report: Report, kb: KnowledgeBase) -> list[str]:
    """The cheapest GPU type and count that holds the plan (by cost if known, else by hourly price)."""
    from reality.calculators.cost import price_per_gpu_hour
    from reality.calculators.engine import fewest_gpus
    from reality.calculators.throughput import SECONDS_PER_HOUR

    r = report.resolved
    options = []
    for gpu in kb.gpus:
        if gpu.bf16_dense is None:
            continue
        candidate = _with(report, gpu=gpu, gpus=None)
        count = fewest_gpus(candidate, kb)
        price, _ = price_per_gpu_hour(kb, gpu.id, r.provider_class)
        if count is None or price is None:
            continue
        if report.terms:
            t = report.terms
            speed = gpu.bf16_dense.value * 1e12 / t["P"]  # same MFU, other peak
            hours = t["F"] * t["D"] * t["o"] / (t["P"] * speed * t["u"] * t["e"] * SECONDS_PER_HOUR) / count + t["t0"]
            options.append((hours * count * price.mid, gpu, count, f"~{fmt.money(hours * count * price.mid)}, {fmt.hours(hours)}"))
        else:
            options.append((count * price.mid, gpu, count, f"{fmt.money(count * price.mid)}/hour"))
    options.sort(key=lambda o: o[0])
    if not options:
        return []
    _, gpu, count, how = options[0]
    vram = vram_per_gpu(_with(report, gpu=gpu), kb, count)[0].mid
    return [f"cheapest configuration that fits: {count} x {gpu.name} ({vram:,.1f} GB per GPU; {how} at mid estimates)"]


