"""Rate limits: requests and tokens per window, per model and per provider.

Each :class:`Limiter` is a token bucket (steady refill at ``limit / window``, burst capacity
``burst_percent`` of the limit) backed by a sliding-window log that makes the guarantee
exact: never more than ``limit`` requests (or tokens) start in any window. A 429's
Retry-After pauses the whole limiter (:meth:`Limiter.pause`), so the other workers hold back
too. Every attempt, first or retry, goes through :func:`acquire`.

Several limiters (the model's and its provider's) are acquired together, under their locks
taken in a fixed order, and committed at the same instant, so the recorded start time is
the real one for all of them.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass


@dataclass
class Grant:
    """What one acquisition took; :meth:`settle` corrects the token estimate afterwards."""

    entries: list[tuple[Limiter, list[float]]]

    def settle(self, actual_tokens: int) -> None:
        for limiter, entry in self.entries:
            if limiter.kind == "tokens":
                limiter.adjust(entry, actual_tokens)


class Limiter:
    def __init__(self, name: str, kind: str, limit: float | None, window: float, burst_percent: float = 15):
        self.name = name
        self.kind = kind  # "requests" | "tokens"
        self.limit = limit
        self.window = window
        self.lock = asyncio.Lock()
        self.not_before = 0.0
        self.log: deque[list[float]] = deque()  # [t, amount]
        self.in_window = 0.0
        if limit:
            self.capacity = max(1.0, math.ceil(limit * burst_percent / 100.0))
            self.rate = limit / window
            self.tokens = self.capacity
        else:
            self.capacity = self.rate = self.tokens = 0.0
        self.last = time.monotonic()
        self.waited = 0.0

    def _expire(self, now: float) -> None:
        horizon = now - self.window
        while self.log and self.log[0][0] <= horizon:
            self.in_window -= self.log.popleft()[1]

    def wait_time(self, now: float, amount: float) -> float:
        wait = max(0.0, self.not_before - now)
        if not self.limit:
            return wait
        amount = min(amount, self.limit)  # a single over-sized request may still run alone
        self._expire(now)
        # sliding window (the hard guarantee)
        if self.in_window + amount > self.limit and self.log:
            need = self.in_window + amount - self.limit
            freed = 0.0
            for t, a in self.log:
                freed += a
                if freed >= need:
                    wait = max(wait, t + self.window - now + 1e-4)
                    break
        # token bucket (smoothing)
        tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        take = min(amount, self.capacity)
        if tokens < take:
            wait = max(wait, (take - tokens) / self.rate)
        return wait

    def commit(self, now: float, amount: float) -> list[float]:
        entry = [now, float(amount)]
        if self.limit:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            self.tokens -= min(amount, self.capacity)
            self.log.append(entry)
            self.in_window += amount
        return entry

    def adjust(self, entry: list[float], actual: float) -> None:
        if not self.limit:
            return
        delta = actual - entry[1]
        entry[1] = float(actual)
        if self.log and entry[0] >= self.log[0][0]:  # still inside the window log
            self.in_window += delta
        self.tokens = min(self.capacity, self.tokens - delta)

    def pause(self, seconds: float) -> None:
        self.not_before = max(self.not_before, time.monotonic() + seconds)


async def acquire(request_limiters: list[Limiter], token_limiters: list[Limiter], tokens: int) -> Grant:
    """Wait until every limiter allows one request of ``tokens`` tokens; commit to all."""
    pairs = [(lim, 1.0) for lim in request_limiters] + [(lim, float(tokens)) for lim in token_limiters]
    ordered = sorted({id(lim): lim for lim, _ in pairs}.values(), key=lambda lim: (lim.kind, lim.name))
    for lim in ordered:
        await lim.lock.acquire()
    try:
        started = time.monotonic()
        while True:
            now = time.monotonic()
            wait = max((lim.wait_time(now, amount) for lim, amount in pairs), default=0.0)
            if wait <= 0:
                grant = Grant([(lim, lim.commit(now, amount)) for lim, amount in pairs])
                if now > started:
                    for lim, _ in pairs:
                        lim.waited += now - started
                return grant
            await asyncio.sleep(wait)
    finally:
        for lim in reversed(ordered):
            lim.lock.release()
