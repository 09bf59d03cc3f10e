"""The one module that talks to litellm.

litellm is imported lazily, on the first call, with ``LITELLM_LOCAL_MODEL_COST_MAP=True``
set first (nothing is fetched at import) and its debug banners off. Every call goes through:

1. the disk cache (a hit costs nothing and skips the limiter),
2. the budget (a worst-case cost is reserved; a call that could cross the cap is not made),
3. the rate limiters of the model and of its provider (requests and tokens per window),
4. ``litellm.acompletion`` with litellm's and the OpenAI SDK's own retries switched off,
   so that *every* attempt is counted by our limiter,
5. retries on 429 (Retry-After honoured up to a cap, and the model's limiter paused),
   5xx, timeouts, connection errors, malformed bodies, and truncated output
   (``finish_reason == "length"``), with exponential backoff and jitter.

API keys are read from the environment variable the config names, passed to litellm and
nowhere else: not to the cache key, the outputs, the journal or the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import logging
import os
import random
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from reality.generator.cache import DiskCache, request_key
from reality.generator.callprocs import CallProcesses, RemoteCallError
from reality.generator.config import GenConfig, ModelConfig, call_processes_for
from reality.generator.ratelimit import Limiter, acquire

_litellm: Any = None


def get_litellm() -> Any:
    global _litellm
    if _litellm is None:
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        logging.getLogger("LiteLLM").setLevel(logging.ERROR)
        _install_pre_call_hook(litellm)
        _litellm = litellm
    return _litellm


async def warm_up(litellm: Any) -> None:
    """Pay litellm's one-time lazy imports (~0.5 s of CPU on its first call) before the run.

    A mock completion runs litellm's own path; touching the OpenAI SDK's chat resource loads
    the modules every OpenAI-compatible provider needs. Best effort: nothing is sent anywhere.
    """
    try:
        await litellm.acompletion(model="openai/warm-up", messages=[{"role": "user", "content": "hi"}],
                                  mock_response="ok", api_key="unused")
        import openai

        openai.AsyncOpenAI(api_key="unused", base_url="http://127.0.0.1:9").chat.completions  # noqa: B018
    except Exception:  # pragma: no cover - an optimisation only
        pass


# -- start-up and CPU ----------------------------------------------------------------------
#
# Two things make litellm's ~3-5 ms of CPU per call cost more wall time than it should when
# dozens of calls start or finish at once (a run's workers move in step: 64 answers arrive
# together, 64 new requests leave together).
#
# 1. Garbage collection. Importing litellm leaves ~380k objects tracked by the collector; every
#    full collection walks all of them (~200 ms, stopping the event loop), and litellm allocates
#    enough per call to trigger one every few hundred calls. gc.freeze() moves what exists after
#    start-up out of the collector's way; the cycles made during the run are still collected.
#
# 2. Round-robin start. Before its request leaves, a call spends ~1.5 ms in litellm (part of it in
#    a worker thread, so it yields to the loop on the way). 64 calls started together take turns,
#    and the first request is sent only when all 64 are almost ready (~100-150 ms later): every
#    call of the burst waits for the whole burst. SendGate lets a few calls at a time through that
#    phase, in order, so the first requests leave after a few ms and the burst drains in order.
#    The price: requests leave one by one instead of in one batch, which costs some CPU (more
#    wake-ups; bench_generate.py on 2 cores: up to ~1 ms per call with the stub on the same
#    machine); the wall time still drops (200 pairs: 5.6-6.3 s -> 4.4-5.0 s in one process).

_freeze_depth = 0
_froze = False


def freeze_gc() -> None:
    """Keep the collector off the objects that exist now (litellm's modules, the config, the plan)
    until the matching :func:`thaw_gc`. Nested calls count; a freeze made by someone else is left alone."""
    global _freeze_depth, _froze
    _freeze_depth += 1
    if _freeze_depth == 1:
        _froze = gc.get_freeze_count() == 0
        if _froze:
            gc.freeze()


def thaw_gc() -> None:
    global _freeze_depth, _froze
    if _freeze_depth == 0:
        return
    _freeze_depth -= 1
    if _freeze_depth == 0 and _froze:
        gc.unfreeze()  # the frozen objects join the oldest generation again
        _froze = False


class _Ticket:
    """One call's place in a :class:`SendGate`; given back once, from the loop's thread or another."""

    __slots__ = ("_sem", "_loop", "_thread", "_done")

    def __init__(self, sem: asyncio.Semaphore, loop: asyncio.AbstractEventLoop):
        self._sem = sem
        self._loop = loop
        self._thread = threading.get_ident()
        self._done = False

    def release(self) -> None:  # in the loop's thread only
        if not self._done:
            self._done = True
            self._sem.release()

    def release_soon(self) -> None:
        """From litellm's hook, which may run in litellm's worker thread."""
        if threading.get_ident() == self._thread:
            self.release()
        else:
            self._loop.call_soon_threadsafe(self.release)


_ticket: contextvars.ContextVar[_Ticket | None] = contextvars.ContextVar("reality_send_gate", default=None)


class SendGate:
    """At most ``slots`` calls at a time in litellm's work before the request is sent, first come first served.

    A call leaves that phase at litellm's pre-API-call hook (every provider calls it just before its
    HTTP request), when the call ends, or after ``deadline`` seconds, whichever comes first: a
    provider without the hook, or a slow credential fetch, delays the next call by ``deadline`` at
    most, and nothing waits for a response. One gate per event loop.
    """

    def __init__(self, slots: int = 4, deadline: float = 0.02):
        self._sem = asyncio.Semaphore(slots)
        self._deadline = deadline

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self._sem.acquire()
        loop = asyncio.get_running_loop()
        ticket = _Ticket(self._sem, loop)
        timer = loop.call_later(self._deadline, ticket.release)
        token = _ticket.set(ticket)  # litellm copies the context into its thread: the hook sees it
        try:
            yield
        finally:
            _ticket.reset(token)
            timer.cancel()
            ticket.release()


def _install_pre_call_hook(litellm: Any) -> None:
    """Register the input callback that tells a :class:`SendGate` a call's request is about to leave."""
    from litellm.integrations.custom_logger import CustomLogger

    class _RequestLeaving(CustomLogger):
        def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
            ticket = _ticket.get()
            if ticket is not None:
                ticket.release_soon()

    if not any(type(cb).__name__ == "_RequestLeaving" for cb in litellm.input_callback):
        litellm.input_callback.append(_RequestLeaving())


class CallFailed(RuntimeError):
    """A call that failed after all its retries (or could not be retried)."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class BudgetExceeded(RuntimeError):
    pass


class Stopped(RuntimeError):
    pass


@dataclass
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    latency: float
    cached: bool = False


@dataclass
class ModelStats:
    model: str
    calls: int = 0  # successful responses
    requests: int = 0  # HTTP attempts
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    saved_usd: float = 0.0
    latency_s: float = 0.0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    timeouts: int = 0
    truncated: int = 0
    failures: int = 0
    priced: bool = True

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["cost_usd"] = round(self.cost_usd, 6)
        d["saved_usd"] = round(self.saved_usd, 6)
        d["avg_latency_s"] = round(self.latency_s / self.calls, 4) if self.calls else None
        d["tokens_per_s"] = round(self.completion_tokens / self.latency_s, 2) if self.latency_s else None
        d.pop("latency_s")
        return d


class Budget:
    def __init__(self, cap: float | None):
        self.cap = cap
        self.spent = 0.0
        self.reserved = 0.0
        self.exceeded = False

    def reserve(self, amount: float) -> float:
        if self.cap is not None and self.spent + self.reserved + amount > self.cap:
            self.exceeded = True
            raise BudgetExceeded(f"budget cap {self.cap} USD reached (spent {self.spent:.4f})")
        self.reserved += amount
        return amount

    def settle(self, reserved: float, actual: float) -> None:
        self.reserved -= reserved
        self.spent += actual


def provider_of(m: ModelConfig) -> str:
    if m.provider:
        return m.provider
    if m.api_base:
        host = urlparse(m.api_base).netloc
        if host:
            return host
    return m.model.split("/", 1)[0] if "/" in m.model else "default"


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class LLM:
    """All model calls of a run: one instance shared by every worker."""

    def __init__(self, cfg: GenConfig, *, cache: DiskCache | None = None, budget: Budget | None = None):
        self.cfg = cfg
        self.rt = cfg.runtime
        self.cache = cache
        self.budget = budget or Budget(cfg.generation.budget_usd)
        self.stop = asyncio.Event()
        self.stats: dict[str, ModelStats] = {}
        self.prices: dict[str, tuple[float, float]] = {}
        self._req: dict[str, Limiter] = {}
        self._tok: dict[str, Limiter] = {}
        self.on_event: Any = None  # callback(kind, role) for progress
        self._n_procs = call_processes_for(cfg)
        self._procs: CallProcesses | None = None
        self._procs_lock = asyncio.Lock()
        self._gate = SendGate()  # in-process calls only; each call process has its own
        self._frozen = False
        window = self.rt.rate_window_seconds
        burst = self.rt.burst_percent
        for role in ("main", "rejected", "judge", "topics"):
            if role not in cfg.models and role not in ("rejected", "topics"):
                continue
            m = cfg.model_for(role)
            key = self.model_key(m)
            if key in self._req:
                continue
            self._req[key] = Limiter(f"model:{m.model}", "requests", m.requests_per_minute, window, burst)
            if m.tokens_per_minute:
                self._tok[key] = Limiter(f"model:{m.model}", "tokens", m.tokens_per_minute, window, burst)
            prov = provider_of(m)
            plim = cfg.providers.get(prov)
            if plim is not None and f"provider:{prov}" not in self._req:
                self._req[f"provider:{prov}"] = Limiter(f"provider:{prov}", "requests", plim.requests_per_minute, window, burst)
                if plim.tokens_per_minute:
                    self._tok[f"provider:{prov}"] = Limiter(f"provider:{prov}", "tokens", plim.tokens_per_minute, window, burst)
            self.stats.setdefault(m.model, ModelStats(m.model))
            self.prices[m.model] = self._price(m)

    async def _call_processes(self) -> CallProcesses | None:
        """The child processes for ``runtime.call_processes`` > 1, started on the first call."""
        if self._n_procs <= 1 or self._procs is not None:
            return self._procs
        async with self._procs_lock:
            if self._procs is None:
                procs = CallProcesses(self._n_procs, price_registrations(self.cfg))
                await procs.start()
                self._procs = procs
        return self._procs

    async def start(self) -> None:
        """Get ready to call: start the call processes, or warm litellm up in this process.

        Then keep the collector off everything start-up made, until :meth:`aclose`
        (see "start-up and CPU" above; the run's own objects are collected as usual).
        """
        if await self._call_processes() is None:
            await warm_up(get_litellm())
        if not self._frozen:
            self._frozen = True
            freeze_gc()

    async def aclose(self) -> None:
        """Stop the call processes, if any (safe to call more than once)."""
        if self._frozen:
            self._frozen = False
            thaw_gc()
        if self._procs is not None:
            procs, self._procs = self._procs, None
            await procs.close()

    @staticmethod
    def model_key(m: ModelConfig) -> str:
        return f"{m.model}@{m.api_base or ''}"

    # -- pricing -------------------------------------------------------------------------
    def _price(self, m: ModelConfig) -> tuple[float, float]:
        """USD per input token, per output token: config first, then litellm's cost map."""
        if m.input_cost_per_mtok is not None or m.output_cost_per_mtok is not None:
            return ((m.input_cost_per_mtok or 0) / 1e6, (m.output_cost_per_mtok or 0) / 1e6)
        price = lookup_price(m.model)
        if price is None:
            self.stats[m.model].priced = False
            return (0.0, 0.0)
        return price

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        pin, pout = self.prices.get(model, (0.0, 0.0))
        return prompt_tokens * pin + completion_tokens * pout

    def unpriced(self) -> list[str]:
        return [s.model for s in self.stats.values() if not s.priced]

    # -- calling -------------------------------------------------------------------------
    def _limiters(self, m: ModelConfig) -> tuple[list[Limiter], list[Limiter]]:
        key = self.model_key(m)
        prov = f"provider:{provider_of(m)}"
        req = [self._req[key]] + ([self._req[prov]] if prov in self._req else [])
        tok = ([self._tok[key]] if key in self._tok else []) + ([self._tok[prov]] if prov in self._tok else [])
        return req, tok

    def _event(self, kind: str, role: str) -> None:
        if self.on_event is not None:
            self.on_event(kind, role)

    async def complete(
        self, role: str, messages: list[dict[str, str]], *, salt: str, max_tokens: int | None = None
    ) -> Completion:
        m = self.cfg.model_for(role)
        stats = self.stats[m.model]
        if m.system_prompt and not any(msg["role"] == "system" for msg in messages):
            messages = [{"role": "system", "content": m.system_prompt}, *messages]
        max_out = max_tokens or m.max_output_tokens
        params: dict[str, Any] = {"temperature": m.temperature, "max_tokens": max_out}
        if m.top_p is not None:
            params["top_p"] = m.top_p
        params.update(m.extra_params)
        key = None
        if self.cache is not None:
            key = request_key(
                {"model": m.model, "api_base": m.api_base, "messages": messages, "params": params,
                 "seed": self.cfg.generation.seed, "salt": salt}
            )
            hit = self.cache.get(key)
            if hit is not None:
                stats.cached += 1
                stats.saved_usd += self.cost(m.model, hit["prompt_tokens"], hit["completion_tokens"])
                return Completion(hit["text"], hit["finish_reason"], hit["prompt_tokens"],
                                  hit["completion_tokens"], 0.0, 0.0, cached=True)
        litellm = get_litellm()
        procs = await self._call_processes()
        api_key = os.environ.get(m.api_key_env) if m.api_key_env and procs is None else None
        prompt_est = sum(estimate_tokens(msg["content"]) for msg in messages) + 8
        req_lims, tok_lims = self._limiters(m)
        timeout = m.timeout_seconds or self.rt.request_timeout_seconds
        max_retries = m.max_retries if m.max_retries is not None else self.rt.max_retries
        last_reason = "error"
        last_detail = ""
        for attempt in range(max_retries + 1):
            if self.stop.is_set():
                raise Stopped()
            reservation = self.budget.reserve(self.cost(m.model, prompt_est, max_out))
            grant = await acquire(req_lims, tok_lims, prompt_est + max_out)
            stats.requests += 1
            t0 = time.monotonic()
            delay = None
            actual_cost = 0.0
            try:
                kwargs: dict[str, Any] = dict(
                    model=m.model, messages=messages, timeout=timeout, max_retries=0, num_retries=0, **params
                )
                if m.api_base:
                    kwargs["api_base"] = m.api_base
                if api_key:
                    kwargs["api_key"] = api_key
                if procs is not None:
                    text, finish, pt, ct = await procs.attempt(kwargs, m.api_key_env)
                else:
                    async with self._gate.slot():
                        resp = await litellm.acompletion(**kwargs)
                    text, finish, pt, ct = unpack_response(resp)
                pt = pt or prompt_est
                ct = ct or estimate_tokens(text)
                latency = time.monotonic() - t0
                actual_cost = self.cost(m.model, pt, ct)
                grant.settle(pt + ct)
                stats.calls += 1
                stats.prompt_tokens += pt
                stats.completion_tokens += ct
                stats.cost_usd += actual_cost
                stats.latency_s += latency
                if finish == "length":
                    stats.truncated += 1
                    last_reason, last_detail = "truncated", f"finish_reason=length after {ct} tokens"
                    if not self.rt.retry_truncated:
                        raise CallFailed(last_reason, last_detail)
                    self._event("retry", role)
                    delay = 0.0
                else:
                    out = Completion(text, finish, pt, ct, actual_cost, latency)
                    if self.cache is not None and key is not None:
                        self.cache.put(key, {"text": text, "finish_reason": finish, "prompt_tokens": pt,
                                             "completion_tokens": ct})
                    return out
            except (CallFailed, Stopped, BudgetExceeded, asyncio.CancelledError):
                raise
            except Exception as exc:  # classified below; anything unknown is not retried
                grant.settle(prompt_est)
                kind, retry_after = classify(litellm, exc)
                last_reason, last_detail = kind, _short(exc)
                if kind == "rate_limited":
                    stats.rate_limited += 1
                elif kind == "timeout":
                    stats.timeouts += 1
                elif kind == "server_error":
                    stats.server_errors += 1
                else:
                    stats.failures += 1
                    raise CallFailed(kind, _short(exc)) from None
                if retry_after is not None:
                    delay = min(retry_after, self.rt.retry_after_cap_seconds)
                    for lim in req_lims:
                        lim.pause(delay)
                self._event("retry", role)
            finally:
                self.budget.settle(reservation, actual_cost)
            if attempt >= max_retries:
                break
            stats.retries += 1
            if delay is None:
                base = min(self.rt.backoff_max_seconds, self.rt.backoff_base_seconds * (2**attempt))
                delay = base * (0.5 + random.random() / 2)  # exponential backoff, jitter
            if delay:
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=delay)
                    raise Stopped()
                except TimeoutError:
                    pass
        stats.failures += 1
        raise CallFailed(last_reason, last_detail)


def unpack_response(resp: Any) -> tuple[str, str, int, int]:
    """(text, finish_reason, prompt_tokens, completion_tokens) of a litellm response; 0 = not reported."""
    choice = resp.choices[0]
    usage = getattr(resp, "usage", None)
    return (
        choice.message.content or "",
        choice.finish_reason or "stop",
        int(getattr(usage, "prompt_tokens", 0) or 0),
        int(getattr(usage, "completion_tokens", 0) or 0),
    )


def _short(exc: BaseException) -> str:
    if isinstance(exc, RemoteCallError):  # classified and shortened in the child already
        return str(exc)
    text = str(exc).replace("\n", " ")
    return f"{type(exc).__name__}: {text[:200]}"


def classify(litellm: Any, exc: BaseException) -> tuple[str, float | None]:
    """-> (kind, retry_after seconds or None). kind: rate_limited, timeout, server_error, fatal."""
    if isinstance(exc, RemoteCallError):
        return exc.kind, exc.retry_after
    status = getattr(exc, "status_code", None)
    if isinstance(exc, litellm.RateLimitError) or status == 429:
        return "rate_limited", retry_after_of(exc)
    if isinstance(exc, (litellm.Timeout, asyncio.TimeoutError, TimeoutError)) or status == 408:
        return "timeout", None
    if isinstance(exc, (litellm.APIConnectionError, litellm.InternalServerError, litellm.ServiceUnavailableError)):
        return "server_error", retry_after_of(exc)
    if isinstance(status, int) and status >= 500:
        return "server_error", retry_after_of(exc)
    if isinstance(exc, (ConnectionError, OSError)):
        return "server_error", None
    return "fatal", None


def retry_after_of(exc: BaseException) -> float | None:
    for attr in ("litellm_response_headers", "headers"):
        headers = getattr(exc, attr, None)
        if headers:
            break
    else:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        value = headers.get("retry-after") or headers.get("Retry-After")
    except Exception:
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def lookup_price(model: str) -> tuple[float, float] | None:
    """(USD per input token, USD per output token) from litellm's bundled cost map."""
    litellm = get_litellm()
    names = [model]
    if "/" in model:
        names.append(model.split("/", 1)[1])
    for name in names:
        info = litellm.model_cost.get(name)
        if info and ("input_cost_per_token" in info or "output_cost_per_token" in info):
            return (float(info.get("input_cost_per_token") or 0), float(info.get("output_cost_per_token") or 0))
    return None


# Models this process registered with litellm (register_prices). They are in litellm.model_cost
# afterwards, but the call processes still need them: price_registrations() must not mistake
# them for models litellm knows by itself.
_registered: set[str] = set()


def price_registrations(cfg: GenConfig) -> dict[str, dict[str, Any]]:
    """litellm ``register_model`` entries for the config's priced models litellm does not know.

    litellm prices every response itself (we ignore its figure), and for a model missing from
    its map that lookup walks its fallbacks and logs a zero-cost diagnostic: ~1 ms of CPU per call.
    """
    litellm = get_litellm()
    out: dict[str, dict[str, Any]] = {}
    for m in {mc.model: mc for mc in cfg.models.values()}.values():
        if m.input_cost_per_mtok is None and m.output_cost_per_mtok is None:
            continue
        if m.model in litellm.model_cost and m.model not in _registered:
            continue
        provider = m.model.split("/", 1)[0] if "/" in m.model else "openai"
        out[m.model] = {"input_cost_per_token": (m.input_cost_per_mtok or 0) / 1e6,
                        "output_cost_per_token": (m.output_cost_per_mtok or 0) / 1e6,
                        "litellm_provider": provider, "mode": "chat"}
    return out


def register_prices(cfg: GenConfig) -> None:
    """Teach litellm the config's prices for unknown models (keeps its cost lookups cheap)."""
    litellm = get_litellm()
    for model, info in price_registrations(cfg).items():
        try:
            litellm.register_model({model: info})
            _registered.add(model)
        except Exception:  # pragma: no cover - pricing is ours anyway
            pass


def default_cache_dir(cfg: GenConfig) -> Path:
    if cfg.runtime.cache_dir:
        p = Path(cfg.runtime.cache_dir)
        if not p.is_absolute() and cfg.source_path:
            p = Path(cfg.source_path).parent / p
        return p
    return cfg.output_path().parent / ".reality-cache"
