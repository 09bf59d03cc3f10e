"""Short human forms of numbers for reports ("12.5B", "$1,240", "3.2 h")."""

from __future__ import annotations

import math

from reality.calculators.ranges import Estimate


def num(x: float) -> str:
    if x is None or math.isnan(x):
        return "?"
    if math.isinf(x):
        return "inf"
    ax = abs(x)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if ax >= scale * 10 or (ax >= scale and suffix in "TB"):
            return f"{x / scale:.3g}{suffix}"
    if ax >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def money(x: float) -> str:
    if x >= 100:
        return f"${x:,.0f}"
    return f"${x:,.2f}"


def hours(x: float) -> str:
    if x < 1:
        return f"{x * 60:.0f} min"
    if x >= 48:
        return f"{x:,.0f} h ({x / 24:.1f} days)"
    return f"{x:.3g} h"


def span(e: Estimate, kind: str = "num") -> str:
    f = {"num": num, "money": money, "hours": hours, "gb": lambda v: f"{v:,.1f} GB"}[kind]
    if f(e.low) == f(e.high):
        return f(e.mid)
    return f"{f(e.low)} - {f(e.high)} (mid {f(e.mid)})"
