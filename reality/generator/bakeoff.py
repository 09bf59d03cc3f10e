"""Bake-off: the same sample of prompts through several candidate models, one comparison table.

For each candidate the chosen and rejected templates are run (the candidate answers both),
the judge scores the chosen answer when a judge is configured, and the validators check
the pair. Columns follow the seed's model-selection table: average words of chosen and
rejected, tokens per second, cost per example, validation pass rate, judge score.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from reality.generator import judge as judge_mod
from reality.generator import validation
from reality.generator.client import LLM, CallFailed, register_prices
from reality.generator.config import GenConfig, ModelConfig
from reality.generator.prompts import PromptItem, build_hierarchy, load_prompt_file
from reality.generator.templates import render


async def _sample(cfg: GenConfig, n: int) -> list[PromptItem]:
    if cfg.prompts.source == "hierarchy":
        llm = LLM(cfg)
        try:
            plan = await build_hierarchy(cfg, llm)
        finally:
            await llm.aclose()
    else:
        plan = load_prompt_file(cfg)
    rng = random.Random(cfg.generation.seed)
    return plan if len(plan) <= n else rng.sample(plan, n)


async def _candidate(cfg: GenConfig, model: ModelConfig, prompts: list[PromptItem], validator: Any) -> dict[str, Any]:
    c = cfg.model_copy(deep=True)
    c.models["main"] = model
    c.models["rejected"] = model
    llm = LLM(c)
    sem = asyncio.Semaphore(cfg.generation.concurrency)
    rows: list[dict[str, Any]] = []
    lo_c, hi_c = cfg.words["chosen"]
    lo_r, hi_r = cfg.words["rejected"]

    async def one(item: PromptItem) -> None:
        async with sem:
            values = {"prompt": item.prompt, "main_topic": item.main_topic, "sub_topic": item.sub_topic,
                      "persona": item.persona or "user", "scenario": item.scenario or "question", "facts": "",
                      "features": "", "chosen_words": f"{lo_c}-{hi_c}", "rejected_words": f"{lo_r}-{hi_r}"}
            try:
                ch, rj = await asyncio.gather(
                    llm.complete("main", [{"role": "user", "content": render(c.chosen_template(), values)}], salt=f"bake:{item.id}:c"),
                    llm.complete("rejected", [{"role": "user", "content": render(c.templates.rejected, values)}], salt=f"bake:{item.id}:r"),
                )
            except CallFailed:
                rows.append({"failed": True})
                return
            row: dict[str, Any] = {"chosen_words": len(ch.text.split()), "rejected_words": len(rj.text.split())}
            if validator is not None:
                row["pass"] = not validation.errors_of(validator({"prompt": item.prompt, "chosen": ch.text, "rejected": rj.text}))
            if "judge" in cfg.models and cfg.models["judge"].enabled:
                content = render(cfg.templates.judge, {"prompt": item.prompt, "response": ch.text, "main_topic": "", "sub_topic": "",
                                                       "criteria": judge_mod.criteria_block(cfg.judge.criteria),
                                                       "format": judge_mod.format_block(cfg.judge.criteria, False)})
                try:
                    resp = await llm.complete("judge", [{"role": "user", "content": content}], salt=f"bake:{item.id}:j:{model.model}")
                    row["judge"] = judge_mod.parse_judge(resp.text, list(cfg.judge.criteria)).total
                except CallFailed:
                    row["judge"] = None
            rows.append(row)

    try:
        await asyncio.gather(*(one(p) for p in prompts))
    finally:
        await llm.aclose()
    ok = [r for r in rows if not r.get("failed")]
    st = llm.stats[model.model]
    avg = lambda xs: round(sum(xs) / len(xs), 2) if xs else None  # noqa: E731
    return {
        "model": model.model,
        "examples": len(ok),
        "failed": len(rows) - len(ok),
        "avg_chosen_words": avg([r["chosen_words"] for r in ok]),
        "avg_rejected_words": avg([r["rejected_words"] for r in ok]),
        "tokens_per_s": round(st.completion_tokens / st.latency_s, 1) if st.latency_s else None,
        "cost_per_example_usd": round(st.cost_usd / len(ok), 6) if ok else None,
        "priced": st.priced,
        "validation_pass_rate": avg([1.0 if r["pass"] else 0.0 for r in ok if "pass" in r]),
        "judge_score": avg([r["judge"] for r in ok if r.get("judge") is not None]),
    }


async def bakeoff_async(cfg: GenConfig, candidates: list[ModelConfig], sample: int = 10,
                        validator: Any = "auto") -> list[dict[str, Any]]:
    register_prices(cfg)
    if validator == "auto":
        validator, _ = validation.make_validator(cfg)
    prompts = await _sample(cfg, sample)
    return [await _candidate(cfg, m, prompts, validator) for m in candidates]


def candidates_from(cfg: GenConfig, names: list[str]) -> list[ModelConfig]:
    """Candidates: [bakeoff] candidates = [{model=...}, ...] in the config, or names (main's settings)."""
    out = []
    for entry in cfg.bakeoff.get("candidates", []):
        out.append(ModelConfig.model_validate({**cfg.models["main"].model_dump(exclude_none=True), **entry}))
    for name in names:
        out.append(cfg.models["main"].model_copy(update={"model": name, "input_cost_per_mtok": None, "output_cost_per_mtok": None}))
    return out


def bakeoff(cfg: GenConfig, candidates: list[ModelConfig], sample: int = 10, validator: Any = "auto") -> list[dict[str, Any]]:
    return asyncio.run(bakeoff_async(cfg, candidates, sample, validator))
