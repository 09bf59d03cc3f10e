"""Benchmark the claim extractor on generated, realistic fine-tuning advice.

    .venv/bin/python bench/bench_extract.py [--texts 3000] [--words 170] [--seed 0] [--profile]

Prints texts/s and words/s for ``extract_claims`` on one core. The texts imitate the
records the validator reads: persona prompts, numbered-step answers with a Pro Tip, a
markdown table now and then, and many number formats. The first call (which loads the
knowledge base for GPU / model ids) is timed separately and excluded from the rate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

SENTENCES = [
    "I'm a {role} with {exp} years of experience and I want to fine-tune {model} on {examples} {noun}.",
    "My budget is about ${budget} and I need it done in {days} days.",
    "I have a single {gpu} with {mem}GB of VRAM, is that enough for {method}?",
    "Step {step}: load {model} in 4-bit with QLoRA so the weights fit in roughly {vram} GB.",
    "Training {epochs} epochs on {examples} {noun} should take {h1}-{h2} hours on {count}x {gpu}.",
    "At ${rate:.2f}/hr that comes to ${c1}-{c2} in total cost.",
    "Throughput is around {tput:,} tok/sec per GPU, so one epoch over {tokens}M tokens takes ~{hrs} hours.",
    "A {size}B model with full fine-tuning needs {full}GB+ of VRAM, which means multiple A100 80GB cards.",
    "Pro Tip: start with {small} examples, evaluate, and only then scale to {examples}.",
    "Expect the {gpu} to cost ${rate:.2f} per GPU-hour on a marketplace, up to ${rate2:.2f} on a hyperscaler.",
    "Your {data}GB of text is about {btok} billion tokens, far more than a {size}B model needs for style tuning.",
    "DPO on {pairs}k preference pairs usually converges in {epochs} epochs; budget {h1} to {h2} hours.",
    "Don't trust the claim that you can train {model} in under an hour for ${small_cost}.",
    "The learning rate of 2e-4 and rank 16 are sensible defaults for LoRA.",
    "Version 2 of the script, released in 2024, fixed the tokenizer padding bug.",
    "It runs 3x faster with packing, and the loss curve flattens after step 500.",
]
PROSE = [
    "Great question, and it is a common one among teams that are just getting started with fine-tuning.",
    "The short answer is that your plan is feasible, but a few details will decide whether it goes smoothly.",
    "First, make sure your examples are clean and consistent, because quality matters far more than quantity.",
    "Deduplicate the data, hold out a validation split, and look at a sample of the outputs by hand.",
    "Keep the prompt format identical between training and inference, or the model will behave unpredictably.",
    "If the evaluation loss starts rising while the training loss keeps falling, you are overfitting.",
    "Monitor the run with a dashboard so you can stop early instead of paying for wasted compute.",
    "Gradient checkpointing trades a little speed for a large reduction in activation memory.",
    "Once the adapter is trained, merge it into the base weights and run your evaluation suite again.",
    "Honestly, the bottleneck for most teams is data preparation rather than the training itself.",
]
TABLE = (
    "\n| GPU | VRAM | Approx $/hour |\n|---|---|---|\n| RTX 4090 | 24GB | $0.50-0.80 |\n"
    "| A100 80GB | 80GB | $2.50-3.50 |\n| H100 80GB | 80GB | $3.00-4.50 |\n"
)
MODELS = ["Llama 3.1 8B", "Mistral 7B", "Qwen2.5-14B", "Llama-3.3-70B", "a 13B model", "Gemma 2 9B", "Phi-3 mini"]
GPUS = ["A100 80GB", "H100", "RTX 4090", "A100 40GB", "L40S", "RTX 3090", "H100 SXM"]


def make_text(rng: random.Random, words: int) -> str:
    parts: list[str] = []
    n = 0
    while n < words:
        r = rng.random()
        if r < 0.03:
            chunk = TABLE
        elif r < 0.6:
            chunk = rng.choice(PROSE)
        else:
            tpl = rng.choice(SENTENCES)
            chunk = tpl.format(
                role=rng.choice(["ML engineer", "startup founder", "researcher", "student"]),
                exp=rng.randint(1, 12),
                model=rng.choice(MODELS),
                examples=rng.choice(["5k", "10,000", "8K", "50k", "1.2M", "twenty thousand"]),
                noun=rng.choice(["examples", "conversations", "high-quality examples", "rows"]),
                budget=rng.choice(["500", "1.2k", "2,000", "300"]),
                days=rng.randint(1, 14),
                gpu=rng.choice(GPUS),
                mem=rng.choice([24, 40, 80, 48]),
                method=rng.choice(["QLoRA", "LoRA", "full fine-tuning", "DPO"]),
                step=rng.randint(1, 6),
                vram=rng.choice([6, 10, 16, 24]),
                epochs=rng.randint(1, 5),
                h1=rng.randint(1, 10),
                h2=rng.randint(11, 40),
                count=rng.choice([1, 2, 4, 8]),
                rate=rng.uniform(0.4, 4.5),
                rate2=rng.uniform(4.5, 9),
                c1=rng.randint(5, 100),
                c2=rng.randint(101, 900),
                tput=rng.choice([1500, 3000, 4200, 12000]),
                tokens=rng.choice([5, 20, 130, 1300]),
                hrs=rng.randint(2, 400),
                size=rng.choice([7, 8, 13, 20, 70]),
                full=rng.choice([60, 120, 160, 320]),
                small=rng.choice([500, 1000, 2000]),
                data=rng.choice([5, 50, 100]),
                btok=rng.choice(["1.2", "12-15", "25"]),
                pairs=rng.choice([2, 5, 10, 20]),
                small_cost=rng.choice([5, 10, 20]),
            )
            if rng.random() < 0.3:
                chunk = f"{rng.randint(1, 6)}. {chunk}\n"
        parts.append(chunk)
        n += len(chunk.split())
    return " ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=3000)
    ap.add_argument("--words", type=int, default=170)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the best is reported")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from reality.validators.claims import extract_claims

    import_s = time.perf_counter() - t0
    rng = random.Random(args.seed)
    texts = [make_text(rng, args.words) for _ in range(args.texts)]
    total_words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    first = extract_claims(texts[0])
    first_s = time.perf_counter() - t0

    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("for t in texts: extract_claims(t)", globals(), {"texts": texts, "extract_claims": extract_claims}, "/tmp/bench_extract.prof")
        pstats.Stats("/tmp/bench_extract.prof").sort_stats("tottime").print_stats(18)
        return

    runs = []
    n_claims = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n_claims = 0
        for t in texts:
            n_claims += len(extract_claims(t))
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    print(f"import {import_s * 1000:.0f} ms; first call (loads KB ids) {first_s * 1000:.0f} ms; {len(first)} claims in text 0")
    print(
        f"{args.texts} texts, {total_words / args.texts:.0f} words/text, {n_claims / args.texts:.1f} claims/text"
    )
    print(
        f"best of {args.repeat}: {args.texts / best:,.0f} texts/s, {total_words / best:,.0f} words/s, "
        f"{best / args.texts * 1e3:.3f} ms/text (median pass {statistics.median(runs):.2f} s)"
    )


if __name__ == "__main__":
    main()
