"""``--dry-run``: expected calls, tokens and cost of a config, before spending anything."""

from __future__ import annotations

import math
from typing import Any

from reality.generator import judge as judge_mod
from reality.generator.client import LLM, estimate_tokens
from reality.generator.config import GenConfig
from reality.generator.prompts import load_prompt_file
from reality.generator.templates import render

TOKENS_PER_WORD = 1.35


def _render_len(tpl: str, values: dict[str, Any]) -> int:
    try:
        return estimate_tokens(render(tpl, values))
    except Exception:
        return estimate_tokens(tpl)


def estimate(cfg: GenConfig) -> dict[str, Any]:
    g = cfg.generation
    llm = LLM(cfg, cache=None)
    words = {k: (lo + hi) / 2 for k, (lo, hi) in cfg.words.items()}
    sample_prompt = " ".join(["word"] * int(words["prompt"]))
    sample_answer = " ".join(["word"] * int(words["chosen"]))
    lines: dict[str, dict[str, float]] = {}

    def add(role: str, calls: float, prompt_tokens: float, out_tokens: float, max_out: float) -> None:
        m = cfg.model_for(role)
        d = lines.setdefault(m.model, {"calls": 0, "input_tokens": 0, "output_tokens": 0, "output_tokens_max": 0})
        d["calls"] += calls
        d["input_tokens"] += calls * prompt_tokens
        d["output_tokens"] += calls * out_tokens
        d["output_tokens_max"] += calls * max_out

    if cfg.prompts.source == "hierarchy":
        n_sub = g.num_subtopics
        per = g.num_prompts_per_subtopic
        n = n_sub * per
        if g.limit:
            n = min(n, g.limit)
        sub_calls = math.ceil(n_sub * (1 + g.over_generation) / g.subtopic_chunk_size)
        m = cfg.model_for("topics")
        add("topics", sub_calls, _render_len(cfg.templates.subtopics, {"main_topic": g.main_topic, "num_subtopics": g.subtopic_chunk_size, "is_retry": False, "exclude": "", "dataset_kind": g.dataset}),
            min(m.max_output_tokens, g.subtopic_chunk_size * 12), m.max_output_tokens)
        per_call_out = per * (1 + g.over_generation) * words["prompt"] * TOKENS_PER_WORD
        add("topics", n_sub, 150 + per * 20, min(m.max_output_tokens, per_call_out), m.max_output_tokens)
    else:
        n = len(load_prompt_file(cfg))
    chosen_in = _render_len(cfg.chosen_template(), {"prompt": sample_prompt, "main_topic": g.main_topic, "sub_topic": "x", "persona": "x", "scenario": "x", "facts": "x" * 400 if g.dataset == "reality" else "", "features": "", "chosen_words": "", "rejected_words": ""})
    m_main = cfg.model_for("main")
    add("main", n, chosen_in, min(m_main.max_output_tokens, words["chosen"] * TOKENS_PER_WORD), m_main.max_output_tokens)
    if cfg.paired:
        m_rej = cfg.model_for("rejected")
        rej_in = _render_len(cfg.templates.rejected, {"prompt": sample_prompt, "main_topic": "", "sub_topic": "", "persona": "", "scenario": "", "features": "", "chosen_words": "", "rejected_words": ""})
        add("rejected", n, rej_in, min(m_rej.max_output_tokens, words["rejected"] * TOKENS_PER_WORD), m_rej.max_output_tokens)
    if cfg.judge_active:
        m_j = cfg.model_for("judge")
        expl = cfg.judge.use_explanations or g.mode == "mo-dpo"
        j_in = _render_len(cfg.templates.judge, {"prompt": sample_prompt, "response": sample_answer, "main_topic": "", "sub_topic": "", "criteria": judge_mod.criteria_block(cfg.judge.criteria), "format": judge_mod.format_block(cfg.judge.criteria, expl)})
        j_out = len(cfg.judge.criteria) * (40 if expl else 6) + 10
        add("judge", n * (2 if cfg.paired else 1), j_in, min(m_j.max_output_tokens, j_out), m_j.max_output_tokens)
    total_cost = total_max = 0.0
    models = {}
    for model, d in lines.items():
        cost = llm.cost(model, int(d["input_tokens"]), int(d["output_tokens"]))
        worst = llm.cost(model, int(d["input_tokens"]), int(d["output_tokens_max"]))
        total_cost += cost
        total_max += worst
        models[model] = {k: int(round(v)) for k, v in d.items()} | {
            "cost_usd": round(cost, 6), "cost_usd_max": round(worst, 6), "priced": model not in llm.unpriced()}
    repair_note = cfg.validation.max_repair_attempts
    return {
        "records": n,
        "mode": g.mode,
        "rows": n * (2 if g.mode == "kto" else 1),
        "calls": int(sum(d["calls"] for d in lines.values())),
        "models": models,
        "cost_usd": round(total_cost, 6),
        "cost_usd_max": round(total_max, 6),
        "budget_usd": g.budget_usd,
        "notes": [
            "expected output from the configured word targets; _max assumes every call uses max_output_tokens",
            f"not counted: retries, and repairs (up to {repair_note} extra call(s) per failing response)",
            "judge filtering and validation may write fewer records than planned",
        ],
    }
