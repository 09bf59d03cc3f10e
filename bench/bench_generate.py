"""Generator throughput against the stub: 200 DPO pairs, judge filtering, concurrency 64, 500 ms latency.

    .venv/bin/python bench/bench_generate.py [--pairs 200] [--concurrency 64] [--latency 0.5] [--processes auto|1|2]

The stub runs in a separate process (its CPU is not ours). Prompts come from a JSONL file so
the figure is the pair phase: per pair, chosen || rejected (one latency) then the two judge
calls in parallel (one more latency), so the bound is concurrency / (2 x latency) pairs/s.
Prints throughput vs that bound and vs the best possible makespan for the run size, litellm's
CPU per call (measured separately on the same stub), and the run's peak RSS (this process;
with call processes each adds its own, printed separately).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--processes", default="auto", help="runtime.call_processes (default auto: 2 on 2 cores)")
    args = ap.parse_args()
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    os.environ["STUB_API_KEY"] = "dummy"
    stub = subprocess.Popen([sys.executable, str(ROOT / "tests" / "stub_server.py"), str(args.latency)],
                            stdout=subprocess.PIPE, text=True)
    base = stub.stdout.readline().strip()
    try:
        from generator_fixtures import toml_config
        from stub_server import words

        from reality.generator.client import freeze_gc, get_litellm, thaw_gc
        from reality.generator.config import load_config
        from reality.generator.pipeline import Generator

        tmp = Path(tempfile.mkdtemp())
        with open(tmp / "prompts.jsonl", "w") as fh:
            for i in range(args.pairs):
                fh.write(json.dumps({"prompt": f"Prompt {i}: " + words(100, i)}) + "\n")
        model = lambda n: {"model": f"openai/stub-{n}", "api_base": base, "api_key_env": "STUB_API_KEY",  # noqa: E731
                           "max_output_tokens": 600, "input_cost_per_mtok": 1.0, "output_cost_per_mtok": 2.0}
        (tmp / "gen.toml").write_text(toml_config({
            "generation": {"mode": "dpo", "concurrency": args.concurrency, "output": "out/bench.jsonl"},
            "prompts": {"source": "file", "path": "prompts.jsonl"},
            "models.main": model("main"), "models.rejected": model("rejected"), "models.judge": model("judge"),
            "judge": {"enabled": True, "min_chosen_score": 4.0, "max_rejected_score": 3.0},
            "validation": {"enabled": False},
            "runtime": {"cache": False, "call_processes": args.processes if args.processes == "auto" else int(args.processes)},
        }))
        cfg = load_config(tmp / "gen.toml")
        get_litellm()  # import cost outside the timing
        gen = Generator(cfg, progress=False, grounder=None, validator=None)
        cpu0 = time.process_time()
        res = asyncio.run(gen.run_async())
        cpu = time.process_time() - cpu0
        s = res.summary
        secs = s["seconds"]["records"]
        bound = args.concurrency / (2 * args.latency)
        # With a fixed latency a run of P pairs on C workers cannot finish before ceil(P/C) rounds
        # of 2 latencies (200 pairs / 64 workers: 4 rounds, 4.0 s = 50 pairs/s = 78% of the bound).
        floor_s = math.ceil(args.pairs / args.concurrency) * 2 * args.latency
        pairs_s = s["records_written"] / secs
        calls = sum(m["requests"] for m in s["models"].values())
        print({k: (m["avg_latency_s"], m["requests"]) for k, m in s["models"].items()})
        print(f"call_processes {s['call_processes']}; pairs written {s['records_written']} / {args.pairs} "
              f"(dropped {s['dropped']}) in {secs:.2f} s, {calls} calls")
        print(f"throughput {pairs_s:.1f} pairs/s = {pairs_s / bound:.0%} of the bound {bound:.1f} pairs/s "
              f"(concurrency {args.concurrency} / (2 x {args.latency}s)); "
              f"{floor_s / secs:.0%} of the best possible for this run size ({floor_s:.2f} s, "
              f"{args.pairs / floor_s:.1f} pairs/s)")
        print(f"CPU of this process during the run {cpu:.2f} s = {cpu / calls * 1000:.2f} ms per call "
              f"(ours + litellm{'; the call processes not counted' if s['call_processes'] > 1 else ''})")

        # litellm alone: the same calls, no pipeline
        litellm = get_litellm()

        async def raw(n: int) -> float:
            sem = asyncio.Semaphore(args.concurrency)
            kw = dict(model="openai/stub-main", api_base=base, api_key="dummy", max_retries=0,
                      messages=[{"role": "user", "content": "Write 10-12 words"}])

            async def one() -> None:
                async with sem:
                    await litellm.acompletion(**kw)

            c0 = time.process_time()
            await asyncio.gather(*(one() for _ in range(n)))
            return (time.process_time() - c0) / n * 1000

        # As in a run (LLM.start, the call processes): start-up's objects kept from the collector.
        # The machine's other load moves single rounds by +-1 ms: the median of three.
        freeze_gc()
        try:
            per_call = sorted(asyncio.run(raw(300)) for _ in range(3))[1]
        finally:
            thaw_gc()
        print(f"litellm CPU per call (acompletion alone, 300 calls, median of 3 rounds): {per_call:.2f} ms")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:.0f} MB")
        if s["call_processes"] > 1:  # the call processes have exited (and been waited for); the stub has not
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"peak RSS of the largest call process {child:.0f} MB (x {s['call_processes']})")
    finally:
        stub.kill()


if __name__ == "__main__":
    main()
