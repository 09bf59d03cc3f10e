"""`reality kb lint`: schema, units, sources and dates, stale prices, duplicates, monotonicity.

Schema, unit and dimension problems come from the loader (each with file and line); this
module adds the checks that need the whole knowledge base (and, for monotonicity and the
seed tables, the calculators: which is why it lives here and not in `knowledge`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from reality.knowledge.loader import KnowledgeBase, Problem, kb_files, load_files

STALE_AFTER_DAYS = 365


def lint(
    extra_dirs: Iterable[str | Path] = (), today: dt.date | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    kb, problems = load_files(kb_files(extra_dirs))
    problems += stale_prices(kb, today or dt.date.today())
    problems += monotonicity(kb)
    problems += unsourced_assumptions(kb)
    return kb, problems


def _where(kb: KnowledgeBase, entry_id: str) -> tuple[str, int | None]:
    return kb.locations.get(entry_id, ("?", None))


def stale_prices(kb: KnowledgeBase, today: dt.date) -> list[Problem]:
    out = []
    for row in kb.prices:
        age = (today - row.as_of).days
        if age > STALE_AFTER_DAYS:
            file, line = _where(kb, row.id)
            out.append(
                Problem(file, line, row.id, f"price is {age // 30} months old (as_of {row.as_of}); re-check it",
                        severity="warning", code="stale-price")
            )  # fmt: skip
        if row.as_of > today:
            file, line = _where(kb, row.id)
            out.append(Problem(file, line, row.id, f"as_of {row.as_of} is in the future", code="future-date"))
    return out


def monotonicity(kb: KnowledgeBase) -> list[Problem]:
    """A bigger model never needs less memory under the same method (and bytes/param stay positive)."""
    out = []
    for entry in kb.section("method_memory"):
        per_param = entry.weights.value + entry.trainable_fraction.low * (
            entry.gradients.value + entry.optimizer_states.value
        )
        if per_param <= 0:
            file, line = _where(kb, entry.id)
            out.append(
                Problem(file, line, entry.id, "bytes per parameter must be positive", code="monotonicity")
            )
    if not kb.gpus or not kb.section("defaults"):
        return out
    from reality.calculators.memory import vram_per_gpu
    from reality.calculators.scenario import Scenario, resolve

    sizes = [0.5e9, 1e9, 3e9, 7e9, 13e9, 20e9, 34e9, 70e9, 180e9, 405e9]
    for entry in kb.section("method_memory"):
        previous = 0.0
        for params in sizes:
            resolved, _ = resolve(
                Scenario(params=params, method=entry.method, optimizer=entry.optimizer, gpus=1), kb
            )
            vram = vram_per_gpu(resolved, kb, 1)[0]
            if vram.mid < previous:
                file, line = _where(kb, entry.id)
                out.append(
                    Problem(
                        file,
                        line,
                        entry.id,
                        f"a {params:.3g}-parameter model needs less memory than a smaller one",
                        code="monotonicity",
                    )
                )
            previous = vram.mid
    # Published dimensions must roughly account for the parameter count (12 L h^2 + 2 V h).
    for model in kb.models:
        if model.active_params or not (model.layers and model.hidden and model.vocab):
            continue
        ratio = model.params.value / (12 * model.layers * model.hidden**2 + 2 * model.vocab * model.hidden)
        if not 0.5 <= ratio <= 2:
            file, line = _where(kb, model.id)
            out.append(
                Problem(
                    file,
                    line,
                    model.id,
                    f"params {model.params.text} do not match its dimensions (ratio {ratio:.2f}); check them",
                    code="dimensions",
                )
            )
    return out


def unsourced_assumptions(kb: KnowledgeBase) -> list[Problem]:
    out = []
    for entries in kb.sections.values():
        for entry in entries:
            if "assumption" in entry.source.lower() and not entry.assumption:
                file, line = _where(kb, entry.id)
                out.append(
                    Problem(file, line, entry.id, "source says 'assumption' but the entry is not marked assumption: true",
                            code="unmarked-assumption")
                )  # fmt: skip
    return out


def seed_verdicts(kb: KnowledgeBase, tolerance: float = 2.0) -> list[dict]:
    """A verdict for every row of the seed's tables: within ``tolerance`` of the engine, or not."""
    from reality.calculators import Scenario, ScenarioError, check

    rows = []
    for row in kb.section("seed_rows"):
        result = {"id": row.id, "table": row.table, "scenario": row.scenario, "claim": row.claim}
        if row.quantity == "price_usd_per_hour":
            rows.append(result | _price_verdict(kb, row, tolerance))
            continue
        # The VRAM table gives minimums: judge them at the least memory-hungry common settings.
        minimal = Scenario(micro_batch=1, seq_len=512) if row.quantity == "vram_per_gpu_gb" else None
        try:
            report = check(row.scenario, minimal, kb=kb)
        except ScenarioError as exc:
            rows.append(result | {"verdict": "unchecked", "why": str(exc)})
            continue
        key = {"vram_per_gpu_gb": "vram_per_gpu_gb", "price_usd_per_hour": "price_usd_per_gpu_hour",
               "wall_hours": "wall_hours", "cost_usd": "cost_usd"}[row.quantity]  # fmt: skip
        estimate = report.estimates.get(key)
        if estimate is None:
            rows.append(
                result | {"verdict": "unchecked", "why": f"the engine has no {key} for this scenario"}
            )
            continue
        if row.quantity == "vram_per_gpu_gb" and report.gpus > 1:
            estimate = estimate * report.gpus  # the seed's VRAM table gives totals across GPUs
        ok = estimate.overlaps(row.low, row.high, tolerance)
        if ok and row.quantity == "vram_per_gpu_gb" and estimate.low > row.high:
            # The VRAM table gives minimums: a minimum below the engine's optimistic end is a
            # promise that the plan fits where it does not, however close the numbers are.
            rows.append(
                result | {"verdict": "off", "engine": estimate.as_dict(), "unit": key,
                          "why": f"a minimum of {row.claim} is below the engine's optimistic {estimate.low:.0f} GB "
                                 "(micro-batch 1, 512 tokens): it would not fit"}
            )  # fmt: skip
            continue
        if ok:
            why = "overlaps the engine's range widened by the tolerance"
        elif row.high < estimate.low / tolerance:
            why = f"more than {tolerance:g}x below the engine's low end ({estimate.low / max(row.high, 1e-12):.1f}x)"
        else:
            why = f"more than {tolerance:g}x above the engine's high end ({row.low / estimate.high:.1f}x)"
        rows.append(
            result
            | {"verdict": "within" if ok else "off", "engine": estimate.as_dict(), "unit": key, "why": why}
        )
    return rows


def _price_verdict(kb: KnowledgeBase, row, tolerance: float) -> dict:
    """A seed price row against every dated price the knowledge base has for that GPU."""
    from reality.calculators.cost import price_per_gpu_hour

    gpu = kb.gpu(row.scenario)
    price = price_per_gpu_hour(kb, gpu.id, None)[0] if gpu else None
    if price is None:
        return {"verdict": "unchecked", "why": f"no GPU or price in the knowledge base for {row.scenario!r}"}
    # Across all provider classes: the seed does not say which kind of cloud it priced.
    rows = [p for p in kb.prices if p.gpu == gpu.id]
    low, high = min(p.low.value for p in rows), max(p.high.value for p in rows)
    ok = high * tolerance >= row.low and low / tolerance <= row.high
    why = (
        f"overlaps the dated prices {low:.2f}-{high:.2f} USD/GPU-hour widened by {tolerance:g}x"
        if ok
        else (f"outside the dated prices {low:.2f}-{high:.2f} USD/GPU-hour by more than {tolerance:g}x")
    )
    return {
        "verdict": "within" if ok else "off",
        "engine": {"low": low, "mid": price.mid, "high": high},
        "unit": "price_usd_per_gpu_hour",
        "why": why,
    }
