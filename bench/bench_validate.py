"""Benchmark `reality validate`: records/s and peak RSS on generated DPO files.

    .venv/bin/python bench/bench_validate.py            # 10k and 100k records
    .venv/bin/python bench/bench_validate.py --sizes 10000

Generates DPO JSONL files (~500 words per record: ~100-word prompt, ~270-word chosen,
~150-word rejected, with numeric claims about a few dozen distinct plans) into a temp dir,
then runs the whole validator (all rules, claim checks against the calculators, duplicate
and mix state, JSON output to /dev/null) in a fresh subprocess per size, on one core, and
reports records/s and peak RSS (resource.getrusage). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

MODELS = ["7B", "8B", "13B", "3B", "70B", "1.5B"]
METHODS = ["QLoRA", "LoRA", "full fine-tuning"]
GPUS = ["an A100 40GB", "one H100", "an RTX 4090", "two A100 80GB", "an L4"]
EXAMPLES = ["2k", "5k", "10k", "20,000", "50k"]
PERSONAS = ["solo developer", "ML intern", "non-technical CEO", "enterprise architect", "agency consultant",
            "frustrated user", "data scientist"]
FILLER = ("the team wants a clear answer they can act on this week and would like to understand the trade-offs "
          "between speed quality and cost before committing to a longer run on shared hardware").split()


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(FILLER) + (str(rng.randint(0, 999)) if rng.random() < 0.08 else "") for _ in range(n))


def make_record(rng: random.Random, i: int) -> dict:
    model, method, gpu, ex = rng.choice(MODELS), rng.choice(METHODS), rng.choice(GPUS), rng.choice(EXAMPLES)
    epochs = rng.choice([1, 2, 3])
    plan = f"{method} on a {model} model with {ex} examples for {epochs} epochs on {gpu}"
    persona = rng.choice(PERSONAS)
    prompt = (f"I'm a {persona} (ticket {i}). I want to run {plan}. " + _words(rng, 80)
              + " How long will it take and what will it cost?")
    chosen = (f"1. **Plan**: {plan}. " + _words(rng, 60) + f" 2. **Cost**: expect about ${rng.randint(5, 400)} in total. "
              + _words(rng, 60) + f" 3. **Time**: roughly {rng.randint(1, 30)} hours of training. " + _words(rng, 60)
              + f" 4. **Memory**: plan for {rng.choice([8, 12, 16, 24, 40, 80])}GB of VRAM. " + _words(rng, 50)
              + " **Pro Tip:** start with a small subset to confirm the pipeline before the full run.")
    rejected = (f"It depends on your setup. {plan.capitalize()} usually works. " + _words(rng, 120)
                + f" It might take around {rng.randint(1, 20)} hours.")
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected, "persona": persona,
            "scenario": rng.choice(["basic usage", "troubleshooting", "failure", "edge case"])}


def generate(path: str, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(make_record(rng, i)) + "\n")


CHILD = r"""
import io, json, os, resource, sys, time
from reality.validators.config import ValidateConfig
from reality.validators.formatters import get_formatter
from reality.validators.runner import Validation
path = sys.argv[1]
t0 = time.perf_counter()
v = Validation(ValidateConfig())
out = open(os.devnull, "w")
fmt = get_formatter("json", out)
fmt.start()
n = 0
for result in v.run([path]):
    fmt.record(result)
    n += 1
fmt.finish(v.summary)
elapsed = time.perf_counter() - t0
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
checker = v._checker
print(json.dumps({"records": n, "seconds": elapsed, "records_per_s": n / elapsed, "peak_rss_mb": rss_kb / 1024,
                  "estimates": getattr(checker, "estimates_made", None), "rejected": v.summary.rejected}))
"""


def measure(path: str) -> dict:
    env = dict(os.environ)
    cmd = [sys.executable, "-c", CHILD, path]
    if sys.platform.startswith("linux") and _has_taskset():
        cmd = ["taskset", "-c", "0", *cmd]  # one core
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = os.path.join(tmp, f"dpo_{n}.jsonl")
            t = time.perf_counter()
            generate(path, n)
            size_mb = os.path.getsize(path) / 1e6
            words = sum(len(v.split()) for v in make_record(random.Random(1), 0).values() if isinstance(v, str))
            print(f"generated {n:,} records ({size_mb:,.0f} MB, ~{words} words/record) in {time.perf_counter() - t:.1f}s")
            r = measure(path)
            print(f"  {r['records']:,} records in {r['seconds']:.1f}s = {r['records_per_s']:,.0f} records/s on one core; "
                  f"peak RSS {r['peak_rss_mb']:,.0f} MB; {r['estimates']} distinct estimates; {r['rejected']:,} rejected")


if __name__ == "__main__":
    main()
