"""A scriptable OpenAI-compatible ``/v1/chat/completions`` server for the generator tests.

It runs an aiohttp application on its own event loop in a daemon thread, bound to
127.0.0.1 on a free port, so both in-process tests and subprocesses can talk to it::

    with StubServer(latency=0.01) as stub:
        stub.base_url                      # "http://127.0.0.1:PORT/v1"
        stub.add_rule(status=429, headers={"Retry-After": "1"}, times=2)
        stub.add_rule(match="judge", content="not json", times=1)
        ...
        stub.requests                      # [StubRequest(t, model, body, status), ...]

Without a matching rule the *default responder* answers like a cooperative model that
follows the generator's default templates:

- "JSON array of exactly N" -> a JSON array of N distinct strings (prompt text when the
  request asks for user prompts, short titles otherwise);
- a judge request (mentions "Return ONLY valid JSON" and lists criteria) -> scores per
  criterion, 5 for a long response and 2 for a short one (so judge filtering keeps
  every default pair), with reasoning when the rubric asks for it;
- "A-B words" -> a text of (A+B)/2 words;
- anything else -> a short sentence.

Rules are tried in order; the first whose ``match`` (substring of the request text, a
model name via ``model=``, or a callable taking the parsed body) fits and which still has
``times`` left is used. A rule may set ``status`` (+ ``headers``), ``hang`` (seconds to
sleep before answering; the client should time out), ``raw`` (a malformed body),
``content`` / ``finish_reason`` (a normal 200 with that text), or ``handler`` (a callable
body -> content string).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_WORDS = (
    "the model needs memory for weights gradients and optimizer states so plan the run "
    "with a realistic budget measure throughput first then scale the dataset carefully "
    "check evaluation loss not only training loss and keep a held out set for honest numbers"
).split()


@dataclass
class StubRequest:
    t: float  # time.monotonic() at arrival
    model: str
    body: dict
    status: int = 200
    authorization: str = ""  # the request's Authorization header (tests check the key arrived)

    @property
    def text(self) -> str:
        return _request_text(self.body)


@dataclass
class Rule:
    match: Any = None  # substring, callable(body)->bool, or None (any request)
    model: str | None = None
    times: int | None = 1  # None = forever
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    raw: str | None = None
    content: str | None = None
    finish_reason: str = "stop"
    handler: Callable[[dict], str] | None = None
    used: int = 0

    def fits(self, body: dict, text: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.model is not None and body.get("model") != self.model:
            return False
        if self.match is None:
            return True
        if callable(self.match):
            return bool(self.match(body))
        return self.match in text


def _request_text(body: dict) -> str:
    parts = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
        parts.append(str(content or ""))
    return "\n".join(parts)


def words(n: int, seed: int = 0) -> str:
    out = [_WORDS[(seed + i * 7) % len(_WORDS)] for i in range(n)]
    return " ".join(out).capitalize() + "."


def default_content(body: dict, counters: dict[str, Iterator[int]] | None = None) -> str:
    counters = counters if counters is not None else {}
    text = _request_text(body)
    m = re.search(r"JSON array of exactly (\d+)", text)
    if m:
        n = int(m.group(1))
        if "user prompt" in text.lower() or "user message" in text.lower():
            wm = re.search(r"(\d+)\s*-\s*(\d+) words", text)
            size = (int(wm.group(1)) + int(wm.group(2))) // 2 if wm else 100
            items = [f"Prompt {next(counters.setdefault('prompt', itertools.count()))}: I am planning a fine-tune. " + words(size - 6, i) for i in range(n)]
        else:
            items = [f"Subtopic {next(counters.setdefault('subtopic', itertools.count()))}" for _ in range(n)]
        return json.dumps(items)
    if "Return ONLY valid JSON" in text:
        crit = re.findall(r"^- ([a-z_]+):", text, flags=re.M) or ["quality"]
        response = text.split("<<<RESPONSE", 1)[-1].split("RESPONSE>>>", 1)[0]
        score = 5 if len(response.split()) >= 200 else 2
        explain = "reasoning" in text
        return json.dumps(
            {c: ({"score": score, "reasoning": "fine"} if explain else score) for c in dict.fromkeys(crit)}
        )
    wm = re.search(r"(\d+)\s*-\s*(\d+) words", text)
    if wm:
        n = (int(wm.group(1)) + int(wm.group(2))) // 2
        return words(n, len(text))
    return "A short answer."


class StubServer:
    def __init__(self, latency: float | Callable[[dict], float] = 0.0):
        self.latency = latency
        self.rules: list[Rule] = []
        self.requests: list[StubRequest] = []
        counters: dict[str, Iterator[int]] = {}
        self.default: Callable[[dict], str] = lambda body: default_content(body, counters)
        self.usage_scale = 1.0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- scripting ---------------------------------------------------------------------
    def add_rule(self, match: Any = None, **kwargs: Any) -> Rule:
        rule = Rule(match=match, **kwargs)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.requests.clear()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def count(self, match: str | None = None, model: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (match is None or match in r.text) and (model is None or r.model == model)
            )

    # -- server ------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        try:
            body = await request.json()
        except Exception:
            return web.json_response({"error": {"message": "bad json"}}, status=400)
        text = _request_text(body)
        with self._lock:
            rule = next((r for r in self.rules if r.fits(body, text)), None)
            if rule is not None:
                rule.used += 1
            record = StubRequest(arrived, body.get("model", ""), body, rule.status if rule else 200,
                                 request.headers.get("Authorization", ""))
            self.requests.append(record)
        latency = self.latency(body) if callable(self.latency) else self.latency
        if latency:
            await asyncio.sleep(latency)
        if rule is not None and rule.hang:
            await asyncio.sleep(rule.hang)
        if rule is not None and rule.status != 200:
            return web.json_response(
                {"error": {"message": f"stub error {rule.status}", "type": "stub", "code": rule.status}},
                status=rule.status,
                headers=rule.headers,
            )
        if rule is not None and rule.raw is not None:
            return web.Response(text=rule.raw, content_type="application/json")
        finish = "stop"
        if rule is not None and rule.handler is not None:
            content = rule.handler(body)
        elif rule is not None and rule.content is not None:
            content = rule.content
        else:
            content = self.default(body)
        if rule is not None:
            finish = rule.finish_reason
        prompt_tokens = max(1, int(len(text) / 4 * self.usage_scale))
        completion_tokens = max(1, int(len(content) / 4 * self.usage_scale))
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "stub"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )

    def start(self) -> StubServer:
        ready = threading.Event()
        error: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                app = web.Application()
                app.router.add_post("/v1/chat/completions", self._handle)
                app.router.add_post("/chat/completions", self._handle)
                self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
                loop.run_until_complete(self._runner.setup())
                site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
                loop.run_until_complete(site.start())
                self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            except BaseException as exc:  # pragma: no cover - start-up failure
                error.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="stub-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if error:
            raise error[0]
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():

            async def shutdown() -> None:
                if self._runner is not None:
                    await self._runner.cleanup()
                loop.stop()

            try:
                asyncio.run_coroutine_threadsafe(shutdown(), loop)
            except RuntimeError:  # pragma: no cover - loop already gone
                pass
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # manual use: python tests/stub_server.py [latency]
    import sys

    server = StubServer(latency=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0).start()
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
