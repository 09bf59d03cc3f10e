"""One unit registry for the whole program.

Definitions are data (``knowledge/data/units.txt``); this module only loads them, once,
on first use. Everything downstream works in *canonical units* (GB, hour, USD, TFLOPS,
...) held as plain floats, so pint never sits in a hot loop: a quantity string is parsed
once, when the knowledge base is compiled, and conversion factors for the free-text
parsers are resolved once and cached (see :func:`factor`).

Importing this module is free; the registry is built only when a string must be parsed.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import Any

# Dimension kinds used by the knowledge base and calculators, with the canonical unit that
# every magnitude of that kind is stored in.  ``GB`` is the SI gigabyte (1e9 bytes).
CANONICAL: dict[str, str] = {
    "memory": "GB",
    "compute": "TFLOPS",
    "bandwidth": "TB/s",
    "price": "USD/gpu_hour",
    "time": "hour",
    "money": "USD",
    "params": "parameter",
    "tokens": "token",
    "bytes": "GB",
    "bytes_per_param": "byte/parameter",
    "bytes_per_token": "byte/token",
    "throughput": "token/second",
    "ratio": "dimensionless",
}


class QuantityError(ValueError):
    """A quantity string that does not parse, or has the wrong dimension."""


def cache_dir() -> Path:
    """Per-user cache folder (pint's parsed definitions, the compiled knowledge base)."""
    base = os.environ.get("REALITY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "reality"
    )
    return Path(base)


@functools.cache
def ureg() -> Any:
    """The program's pint registry (built on first call; pint's own cache speeds re-use)."""
    import pint

    folder = cache_dir() / "pint"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        registry = pint.UnitRegistry(cache_folder=str(folder))
    except OSError:  # read-only home: build without the cache
        registry = pint.UnitRegistry()
    definitions = resources.files("reality.knowledge").joinpath("data/units.txt").read_text()
    for line in definitions.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            registry.define(line)
    return registry


def parse(text: str | int | float, kind: str) -> float:
    """Parse ``text`` (e.g. ``"80 GB"``) and return its magnitude in ``kind``'s canonical unit.

    Plain numbers are accepted only for dimensionless kinds and counts (params, tokens),
    where the unit is implied. Raises :class:`QuantityError` with a readable message.
    """
    if kind not in CANONICAL:
        raise QuantityError(f"unknown quantity kind {kind!r}")
    target = CANONICAL[kind]
    if isinstance(text, bool):
        raise QuantityError(f"expected a {kind} quantity, got a boolean")
    if isinstance(text, int | float):
        if kind in ("ratio", "params", "tokens"):
            return float(text)
        raise QuantityError(f"{text!r} has no unit; write it with one, e.g. '1 {target}'")
    if "$" in text:
        # pint would read "3 $" as the number 3: refuse instead of silently dropping the unit.
        raise QuantityError(f"{text!r}: write money as 'USD', not '$'")
    registry = ureg()
    try:
        quantity = registry.Quantity(text)
    except Exception as exc:  # pint raises several unrelated types for bad input
        raise QuantityError(f"cannot parse {text!r} as a quantity: {exc}") from None
    if not hasattr(quantity, "to"):
        quantity = registry.Quantity(quantity, "dimensionless")
    try:
        return float(quantity.to(target).magnitude)
    except Exception:
        raise QuantityError(
            f"{text!r} is {quantity.dimensionality}, but a {kind} quantity must convert to {target}"
        ) from None


@functools.cache
def factor(unit: str, kind: str) -> float:
    """How many canonical units of ``kind`` one ``unit`` is (e.g. ``factor("GiB", "memory")``)."""
    return parse(f"1 {unit}", kind)
