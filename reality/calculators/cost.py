"""Dated prices per GPU-hour, by provider class."""

from __future__ import annotations

import statistics

from reality.calculators.ranges import Estimate
from reality.knowledge import KnowledgeBase
from reality.knowledge.schema import PriceRow


def price_rows(kb: KnowledgeBase, gpu_id: str, provider_class: str | None) -> list[PriceRow]:
    """Rows for ``gpu_id`` in ``provider_class``; any class if that one has none."""
    rows = [p for p in kb.prices if p.gpu == gpu_id]
    chosen = [p for p in rows if p.provider_class == provider_class]
    return chosen or rows


def price_per_gpu_hour(
    kb: KnowledgeBase, gpu_id: str, provider_class: str | None, override: float | None = None
) -> tuple[Estimate | None, list[PriceRow]]:
    """USD per GPU-hour: the cheapest low, the median midpoint and the dearest high of the rows."""
    if override is not None:
        return Estimate.exact(override, "USD/GPU-hour", ("price given by the user",)), []
    rows = price_rows(kb, gpu_id, provider_class)
    if not rows:
        return None, []
    low = min(r.low.value for r in rows)
    high = max(r.high.value for r in rows)
    mid = statistics.median((r.low.value + r.high.value) / 2 for r in rows)
    sources = tuple(f"{r.source} ({r.as_of})" for r in rows)
    return Estimate(low, mid, high, "USD/GPU-hour", sources), rows
