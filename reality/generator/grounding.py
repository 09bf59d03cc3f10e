"""Facts for the chosen-generation prompt, computed by the calculators.

For the reality dataset, the scenario a prompt describes ("13B QLoRA, 10k examples, one
A100") is estimated by :func:`reality.calculators.check` -- the same numbers ``reality
check`` prints and ``reality validate`` compares claims against -- and turned into a short
block of ranges with their sources. No scenario in the text, or no calculators: no facts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_LABELS = {
    "vram_per_gpu_gb": ("VRAM per GPU", "GB"),
    "gpu_hours": ("GPU-hours (all epochs)", "GPU-hours"),
    "wall_hours": ("Wall-clock time (all epochs)", "hours"),
    "cost_usd": ("Cost", "USD"),
}


def _fmt(x: float) -> str:
    if x is None:
        return "?"
    ax = abs(x)
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{x:.2g}" if ax < 1 else f"{x:.2f}".rstrip("0").rstrip(".")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def facts_block(report: Any, max_sources: int = 3) -> str:
    """Render a calculators Report as a few lines of ranges, verdict and sources."""
    lines: list[str] = []
    scenario = _get(report, "scenario")
    if scenario is not None:
        desc = _get(scenario, "describe")
        if callable(desc):
            lines.append(f"Scenario: {desc()}")
    estimates = _get(report, "estimates") or {}
    for key, (label, default_unit) in _LABELS.items():
        est = estimates.get(key) if isinstance(estimates, dict) else None
        if est is None:
            continue
        low, mid, high = _get(est, "low"), _get(est, "mid"), _get(est, "high")
        unit = _get(est, "unit") or default_unit
        if key == "cost_usd":
            lines.append(f"- {label}: ${_fmt(low)}-${_fmt(high)} (best guess ${_fmt(mid)})")
        else:
            lines.append(f"- {label}: {_fmt(low)}-{_fmt(high)} {unit} (best guess {_fmt(mid)})")
    verdict = _get(report, "verdict")
    if verdict:
        lines.append(f"- Verdict for the plan as stated: {verdict}")
    for f in (_get(report, "findings") or [])[:3]:
        msg = _get(f, "message")
        if msg:
            lines.append(f"- Note: {msg}")
    sources = [str(s)[:160] for s in (_get(report, "sources") or [])][:max_sources]
    if sources:
        lines.append("Sources: " + "; ".join(sources))
    return "\n".join(lines) if len(lines) > (1 if verdict else 0) else ""


def calculators_available() -> bool:
    try:
        from reality.calculators import check  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=4096)
def facts_for(prompt: str) -> str:
    """Facts for the scenario ``prompt`` describes; '' when there is none (or no calculators)."""
    try:
        from reality.calculators import check
    except ImportError:
        return ""
    try:
        report = check(prompt)
    except Exception as exc:  # ScenarioError and friends: no scenario, no facts
        if type(exc).__name__ == "ScenarioError" or isinstance(exc, ValueError):
            return ""
        return ""
    try:
        return facts_block(report)
    except Exception:
        return ""
