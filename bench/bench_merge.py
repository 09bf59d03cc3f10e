"""Benchmark `reality merge`: time to merge, de-duplicate, check and tag N generated records.

    .venv/bin/python bench/bench_merge.py            # 100,000 records, real engine
    .venv/bin/python bench/bench_merge.py --n 20000 --no-engine

Generates two DPO files (with ~2% exact and ~2% near duplicates across them, and numeric
claims drawn from a few dozen plans so cross-referencing has real groups), merges them,
and prints seconds, records per second and peak RSS. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "dataset checkpoint adapter gradient learning rate warmup schedule evaluation split tokenizer "
    "sequence length batch accumulation optimizer memory throughput validation loss overfitting "
    "template prompt response format quality review pilot budget experiment baseline metric"
).split()
PERSONAS = ["solo developer", "ml intern", "non-technical ceo", "enterprise architect", "agency consultant", "frustrated user", "data scientist"]
SCENARIOS = ["basic usage"] * 4 + ["troubleshooting"] * 3 + ["failure"] * 2 + ["edge case"]
PLANS = [(size, method) for size in (1, 3, 7, 8, 13, 14, 20, 34, 70) for method in ("QLoRA", "LoRA")]


def make_record(rng: random.Random, i: int) -> dict:
    size, method = rng.choice(PLANS)
    vram = max(2, round(size * (0.9 if method == "QLoRA" else 2.4)))
    if rng.random() < 0.01:  # 1% of answers disagree with the rest: contradictions to find
        vram *= 3
    filler = " ".join(rng.choice(WORDS) for _ in range(265))
    prompt_filler = " ".join(rng.choice(WORDS) for _ in range(80))
    return {
        "prompt": f"Request {i}: I want to fine-tune a {size}B model with {method}. How much VRAM do I need? {prompt_filler}",
        "chosen": f"With {method}, a {size}B model needs about {vram} GB of VRAM. {filler}",
        "rejected": " ".join(rng.choice(WORDS) for _ in range(145)),
        "persona": rng.choice(PERSONAS),
        "scenario": rng.choice(SCENARIOS),
    }


def generate(folder: Path, n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    half = n // 2
    records = [make_record(rng, i) for i in range(n)]
    a, b = records[:half], records[half:]
    for j in range(0, len(b), 50):  # 2% exact copies of file A in file B (case/space changed)
        src = a[rng.randrange(len(a))]
        b[j] = {**src, "prompt": src["prompt"].upper()}
    for j in range(25, len(b), 50):  # 2% near copies: one word changed in the chosen answer
        src = a[rng.randrange(len(a))]
        words = src["chosen"].split()
        words[len(words) // 2] = "changed"
        b[j] = {**src, "chosen": " ".join(words)}
    paths = []
    for name, rows in (("a.jsonl", a), ("b.jsonl", b)):
        path = folder / name
        with open(path, "w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r) + "\n")
        paths.append(str(path))
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--no-engine", action="store_true", help="dedup + provenance + tags without claim checks")
    args = parser.parse_args()

    from reality.review.merge import MergeConfig, dump_jsonl, merge

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        paths = generate(folder, args.n)
        t_gen = time.perf_counter() - t0
        size_mb = sum(Path(p).stat().st_size for p in paths) / 1e6
        engine = None
        t_engine = 0.0
        if not args.no_engine:
            from reality.review.engine import Engine

            t0 = time.perf_counter()
            engine = Engine.default()
            t_engine = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = merge(paths, MergeConfig(), engine)
        t_merge = time.perf_counter() - t0
        t0 = time.perf_counter()
        dump_jsonl(result.records, folder / "merged.jsonl")
        t_write = time.perf_counter() - t0
    s = result.summary()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = t_merge + t_write
    print(f"records: {args.n:,} in 2 files ({size_mb:.0f} MB), generated in {t_gen:.1f} s")
    print(f"engine: {'off' if args.no_engine else f'real (loaded in {t_engine:.2f} s)'}")
    print(f"dropped: {s['duplicates_dropped']:,} ({s['duplicates_by_kind']}); written: {s['written']:,}")
    print(f"confidence: {s['confidence']}; contradictions: {s['contradictions']:,} listed (+{s['contradictions_omitted']:,} more)")
    print(f"merge + tag: {t_merge:.1f} s; write: {t_write:.1f} s; total {total:.1f} s = {args.n / total:,.0f} records/s")
    print(f"peak RSS: {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
