"""What keeps litellm's per-call CPU from costing wall time (client.py, "start-up and CPU").

- the call processes learn the config's prices even after this process registered them (else
  litellm prices every response through its slow fallback path, ~1 ms per call);
- SendGate: a few calls at a time in litellm's work before the request leaves, released by
  litellm's pre-API-call hook, by a deadline, or by the end of the call;
- the collector is kept off start-up's objects during a run, and only during it.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/stub_server.py, tests/generator_fixtures.py

from generator_fixtures import *  # noqa: E402,F403
from generator_fixtures import write_config  # noqa: E402
from stub_server import StubServer  # noqa: E402

from reality.generator import client  # noqa: E402
from reality.generator.client import LLM, SendGate, get_litellm, price_registrations, register_prices  # noqa: E402
from reality.generator.config import load_config  # noqa: E402


def test_call_processes_still_get_prices_this_process_registered(tmp_path, stub):
    cfg = load_config(write_config(tmp_path, stub, judge=True))
    before = price_registrations(cfg)
    assert set(before) == {"openai/stub-main", "openai/stub-rejected", "openai/stub-judge"}
    register_prices(cfg)  # the pipeline does this before it starts the call processes
    assert all(m in get_litellm().model_cost for m in before)
    assert price_registrations(cfg) == before
    # a model litellm knows by itself is still left to litellm's own map
    cfg.models["main"].model = "gpt-4o-mini"
    assert "gpt-4o-mini" not in price_registrations(cfg)


def _enter_times(gate: SendGate, n: int, body) -> tuple[list[float], float]:
    """Start n coroutines at once through the gate: when each got its slot, and when the first
    one finished (the assertions compare the two, so a slow machine does not fail them)."""

    async def main() -> tuple[list[float], float]:
        t0 = time.monotonic()
        entered: list[float] = [0.0] * n
        finished: list[float] = []

        async def one(i: int) -> None:
            async with gate.slot():
                entered[i] = time.monotonic() - t0
                await body(i)
            finished.append(time.monotonic() - t0)

        await asyncio.gather(*(one(i) for i in range(n)))
        return entered, min(finished)

    return asyncio.run(main())


def test_send_gate_lets_the_next_call_in_when_the_hook_fires():
    gate = SendGate(slots=1, deadline=10)

    async def body(i: int) -> None:
        client._ticket.get().release_soon()  # what litellm's pre-API-call hook does
        await asyncio.sleep(0.3)  # "waiting for the response": holds no slot

    entered, first_done = _enter_times(gate, 4, body)
    assert entered == sorted(entered)  # first come, first served
    assert entered[-1] < first_done  # nobody waited for a response to get in


def test_send_gate_hook_from_litellms_thread():
    gate = SendGate(slots=1, deadline=10)

    async def body(i: int) -> None:
        # litellm runs part of a call in a worker thread, in a copy of the caller's context
        ctx = contextvars.copy_context()
        t = threading.Thread(target=ctx.run, args=(lambda: client._ticket.get().release_soon(),))
        t.start()
        t.join()
        await asyncio.sleep(0.3)

    entered, first_done = _enter_times(gate, 3, body)
    assert entered[-1] < first_done


def test_send_gate_deadline_and_errors_free_the_slot():
    gate = SendGate(slots=1, deadline=0.05)

    async def no_hook(i: int) -> None:
        await asyncio.sleep(0.5)  # a provider that never calls the hook

    entered, first_done = _enter_times(gate, 3, no_hook)
    assert 0.09 < entered[-1] < first_done  # two deadlines (0.05 s each), not two whole calls

    async def fails(i: int) -> None:
        raise ValueError("boom")

    async def main() -> None:
        for _ in range(3):  # slots=1: a slot kept by a failed call would block the second round
            try:
                async with gate.slot():
                    await fails(0)
            except ValueError:
                pass

    asyncio.run(asyncio.wait_for(main(), 2))


def test_litellm_calls_the_hook_before_the_request_leaves(dummy_key):
    """The real thing: a call waiting for a slow answer must not hold its slot."""
    litellm = get_litellm()
    with StubServer(latency=1.0) as slow:
        gate = SendGate(slots=1, deadline=30)

        async def body(i: int) -> None:
            await litellm.acompletion(model="openai/stub-main", api_base=slow.base_url, api_key=dummy_key,
                                      messages=[{"role": "user", "content": "hi"}], max_retries=0, num_retries=0,
                                      timeout=10)

        entered, first_done = _enter_times(gate, 3, body)
    assert entered[-1] < first_done  # all three requests were sent before the first answer came


def test_collector_is_frozen_during_a_run_only(tmp_path, stub):
    cfg = load_config(write_config(tmp_path, stub))
    assert gc.get_freeze_count() == 0

    async def main() -> int:
        llm = LLM(cfg)
        await llm.start()
        frozen = gc.get_freeze_count()
        await llm.aclose()
        await llm.aclose()  # twice is fine and thaws once
        return frozen

    assert asyncio.run(main()) > 0
    assert gc.get_freeze_count() == 0
