"""Spread litellm's per-call CPU over child processes (``runtime.call_processes``).

litellm spends about 3-4 ms of CPU on every completion (building the request, the response
objects, its cost lookup and logging). At concurrency 64 one event loop is busy with that alone
and the run waits for CPU instead of for the provider. With ``call_processes = N`` (N > 1) the
client keeps everything that needs one view of the run in this process (disk cache, budget,
rate limits, retries and backoff, counters) and hands only the single HTTP attempt to one of N
children, each with its own event loop and its own litellm.

Protocol: JSON lines over each child's stdin and stdout.

    -> {"init": {"prices": {...}}}                  once: the config's prices for litellm (a
                                                    model missing from its map costs ~1 ms more
                                                    per call); then the child freezes the GC
    <- {"ready": true}                              litellm imported; start() waits for this
    -> {"id": 7, "kw": {...}, "key_env": "NAME"}    one attempt; the child reads the API key
                                                    from its inherited environment, so the key
                                                    never crosses the pipe
    <- {"id": 7, "ok": [text, finish_reason, prompt_tokens, completion_tokens]}
    <- {"id": 7, "err": [kind, retry_after, detail]}   kind as client.classify() names it

A child exits when its stdin closes: at the end of the run, or when the parent dies (kill -9),
so no orphan keeps calling a provider.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

LINE_LIMIT = 64 * 1024 * 1024  # one response per line; long completions must fit


class RemoteCallError(Exception):
    """A failed attempt in a child, already classified there (see client.classify)."""

    def __init__(self, kind: str, retry_after: float | None, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.retry_after = retry_after


class _Child:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.pending: dict[int, asyncio.Future] = {}
        self.reader: asyncio.Task | None = None
        self.dead: str | None = None
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()


class CallProcesses:
    """N child processes that each make litellm calls; ``attempt()`` is one call in one of them."""

    def __init__(self, n: int, prices: dict[str, dict[str, Any]]):
        self.n = n
        self.prices = prices
        self.children: list[_Child] = []
        self._next_id = 0

    async def start(self) -> None:
        for _ in range(self.n):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "reality.generator.callprocs",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
            )
            child = _Child(proc)
            child.reader = asyncio.create_task(self._read(child))
            self.children.append(child)
            await self._send(child, {"init": {"prices": self.prices}})
        # Wait until every child has imported litellm, so the first calls do not queue behind it.
        await asyncio.gather(*(c.ready for c in self.children))

    async def attempt(self, kw: dict[str, Any], key_env: str | None) -> tuple[str, str, int, int]:
        live = [c for c in self.children if c.dead is None]
        if not live:
            reason = self.children[0].dead if self.children else "not started"
            raise RemoteCallError("fatal", None, f"call processes unavailable: {reason}")
        child = min(live, key=lambda c: len(c.pending))  # least loaded
        self._next_id += 1
        rid = self._next_id
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        child.pending[rid] = fut
        try:
            await self._send(child, {"id": rid, "kw": kw, "key_env": key_env})
            text, finish, pt, ct = await fut
            return text, finish, pt, ct
        finally:
            child.pending.pop(rid, None)  # a cancelled wait leaves no entry; a late reply is ignored

    async def close(self) -> None:
        for child in self.children:
            if child.proc.stdin is not None and not child.proc.stdin.is_closing():
                child.proc.stdin.close()
        for child in self.children:
            try:
                await asyncio.wait_for(child.proc.wait(), timeout=5)
            except TimeoutError:
                child.proc.kill()
                await child.proc.wait()
            if child.reader is not None:
                child.reader.cancel()
                await asyncio.gather(child.reader, return_exceptions=True)
        self.children = []

    async def _send(self, child: _Child, msg: dict[str, Any]) -> None:
        assert child.proc.stdin is not None
        try:
            child.proc.stdin.write(json.dumps(msg, ensure_ascii=False).encode() + b"\n")
            await child.proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            self._fail(child, f"call process pipe closed ({exc})")
            raise RemoteCallError("fatal", None, child.dead or "call process pipe closed") from None

    async def _read(self, child: _Child) -> None:
        assert child.proc.stdout is not None
        while True:
            line = await child.proc.stdout.readline()
            if not line:
                break
            msg = json.loads(line)
            if "ready" in msg:
                if not child.ready.done():
                    child.ready.set_result(True)
                continue
            fut = child.pending.get(msg.get("id"))
            if fut is None or fut.done():
                continue
            if "ok" in msg:
                fut.set_result(tuple(msg["ok"]))
            else:
                kind, retry_after, detail = msg["err"]
                fut.set_exception(RemoteCallError(kind, retry_after, detail))
        code = await child.proc.wait()
        self._fail(child, f"call process exited with code {code}")

    @staticmethod
    def _fail(child: _Child, reason: str) -> None:
        if child.dead is None:
            child.dead = reason
        if not child.ready.done():
            child.ready.set_exception(RemoteCallError("fatal", None, reason))
        for fut in child.pending.values():
            if not fut.done():
                fut.set_exception(RemoteCallError("fatal", None, reason))


# -- the child ---------------------------------------------------------------------------


async def _child_main() -> None:
    from reality.generator.client import (
        SendGate,
        _short,
        classify,
        freeze_gc,
        get_litellm,
        unpack_response,
        warm_up,
    )

    litellm = get_litellm()
    await warm_up(litellm)
    # Keep the protocol on its own descriptor: anything printed (by litellm or a provider SDK)
    # goes to stderr instead of corrupting the stream.
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def send(msg: dict[str, Any]) -> None:
        proto.write(json.dumps(msg, ensure_ascii=False).encode() + b"\n")
        proto.flush()

    gate = SendGate()  # requests leave in the order they came (client.py, "start-up and CPU")

    async def one(rid: int, kw: dict[str, Any], key_env: str | None) -> None:
        if key_env and os.environ.get(key_env):
            kw["api_key"] = os.environ[key_env]
        try:
            async with gate.slot():
                resp = await litellm.acompletion(**kw)
            send({"id": rid, "ok": list(unpack_response(resp))})
        except Exception as exc:
            kind, retry_after = classify(litellm, exc)
            send({"id": rid, "err": [kind, retry_after, _short(exc)]})

    tasks: set[asyncio.Task] = set()
    while line := await reader.readline():
        msg = json.loads(line)
        if "init" in msg:
            for model, info in msg["init"].get("prices", {}).items():
                try:
                    litellm.register_model({model: info})
                except Exception:  # pricing is ours anyway; this only speeds litellm's lookups
                    pass
            freeze_gc()  # for the child's life: start-up is over (client.py, "start-up and CPU")
            send({"ready": True})
            continue
        task = asyncio.create_task(one(msg["id"], msg["kw"], msg.get("key_env")))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    for task in tasks:  # stdin closed: the run is over or the parent died
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(_child_main())
