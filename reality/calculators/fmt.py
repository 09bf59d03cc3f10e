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
    # 3 significant digits with a suffix from 10k up ("12.5k", "7.6M", "13.2B"); below that, digits.
    # Rounding can carry into the next scale (999,999 -> "1e+03k"), so such values move up one.
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if ax >= (1e4 if suffix == "k" else scale * 0.9995):
            text = f"{x / scale:.3g}"
            if "e" not in text:
                return text + suffix
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
