"""Ranges with a best guess: the currency of every estimate.

``low`` is the optimistic end (fast utilisation, cheap price), ``high`` the pessimistic end.
Arithmetic combines ends that move the same way: ``a * b`` multiplies low by low, and
``a / b`` divides low by high (a faster GPU lowers the time).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Estimate:
    low: float
    mid: float
    high: float
    unit: str = ""
    sources: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def exact(cls, value: float, unit: str = "", sources: tuple[str, ...] = ()) -> Estimate:
        return cls(value, value, value, unit, sources)

    @classmethod
    def of(cls, r, unit: str = "", sources: tuple[str, ...] = ()) -> Estimate:
        """From any object with low / mid / high (a knowledge-base Range)."""
        return cls(r.low, r.mid, r.high, unit, sources)

    def _coerce(self, other: Estimate | float) -> Estimate:
        return other if isinstance(other, Estimate) else Estimate.exact(float(other))

    def __add__(self, other: Estimate | float) -> Estimate:
        o = self._coerce(other)
        return Estimate(self.low + o.low, self.mid + o.mid, self.high + o.high, self.unit, self.sources + o.sources)

    __radd__ = __add__

    def __mul__(self, other: Estimate | float) -> Estimate:
        o = self._coerce(other)
        return Estimate(self.low * o.low, self.mid * o.mid, self.high * o.high, self.unit, self.sources + o.sources)

    __rmul__ = __mul__

    def __truediv__(self, other: Estimate | float) -> Estimate:
        o = self._coerce(other)
        return Estimate(self.low / o.high, self.mid / o.mid, self.high / o.low, self.unit, self.sources + o.sources)

    def with_unit(self, unit: str) -> Estimate:
        return Estimate(self.low, self.mid, self.high, unit, self.sources)

    def ordered(self) -> Estimate:
        lo, mid, hi = sorted((self.low, self.mid, self.high))
        return Estimate(lo, mid, hi, self.unit, self.sources)

    def overlaps(self, low: float, high: float, tolerance: float = 1.0) -> bool:
        """Does [low, high] meet this range widened by ``tolerance`` (the 'within Nx' gate)?"""
        return high >= self.low / tolerance and low <= self.high * tolerance

    def as_dict(self) -> dict[str, float]:
        return {"low": self.low, "mid": self.mid, "high": self.high}
