"""Rows for each dataset mode, in TRL's standard or conversational format.

=========  =====================================================================
mode       columns
=========  =====================================================================
sft        prompt, completion          (or messages, with sft_format = "messages")
dpo        prompt, chosen, rejected
kto        prompt, completion, label   (two rows per pair: chosen True, rejected False)
mo-dpo     prompt, chosen, rejected, chosen_scores, rejected_scores,
           chosen_score_total, rejected_score_total, preference_margin, margin
=========  =====================================================================

``include_topic_columns`` adds main_topic and sub_topic in front. Conversational format
turns strings into message lists: the prompt into ``[system?, user]``, responses into
``[assistant]`` (TRL's trainers apply the chat template themselves).
"""

from __future__ import annotations

from typing import Any

from reality.generator.config import GenConfig


def columns(cfg: GenConfig) -> list[str]:
    g = cfg.generation
    topic = ["main_topic", "sub_topic"] if g.include_topic_columns else []
    if g.mode == "sft":
        return topic + (["messages"] if g.sft_format == "messages" else ["prompt", "completion"])
    if g.mode == "dpo":
        return topic + ["prompt", "chosen", "rejected"]
    if g.mode == "kto":
        return topic + ["prompt", "completion", "label"]
    return topic + [
        "prompt", "chosen", "rejected", "chosen_scores", "rejected_scores",
        "chosen_score_total", "rejected_score_total", "preference_margin", "margin",
    ]


def _scores(result: dict[str, dict[str, Any]] | None, criteria: list[str]) -> dict[str, dict[str, Any]]:
    result = result or {}
    names = criteria or list(result)
    return {
        c: {"score": float(result[c]["score"]) if c in result and result[c].get("score") is not None else None,
            "reasoning": str((result.get(c) or {}).get("reasoning") or "")}
        for c in names
    }


def rows(cfg: GenConfig, rec: dict[str, Any], criteria: list[str] | None = None) -> list[dict[str, Any]]:
    g = cfg.generation
    conv = g.format == "conversational"
    system = g.system_prompt

    def prompt_value(text: str) -> Any:
        if not conv:
            return text
        msgs = [{"role": "system", "content": system}] if system else []
        return msgs + [{"role": "user", "content": text}]

    def answer(text: str) -> Any:
        return [{"role": "assistant", "content": text}] if conv else text

    topic = {"main_topic": rec.get("main_topic", ""), "sub_topic": rec.get("sub_topic", "")} if g.include_topic_columns else {}
    p = rec["prompt"]
    if g.mode == "sft":
        if g.sft_format == "messages":
            msgs = [{"role": "system", "content": system}] if system else []
            msgs += [{"role": "user", "content": p}, {"role": "assistant", "content": rec["chosen"]}]
            return [{**topic, "messages": msgs}]
        return [{**topic, "prompt": prompt_value(p), "completion": answer(rec["chosen"])}]
    if g.mode == "dpo":
        return [{**topic, "prompt": prompt_value(p), "chosen": answer(rec["chosen"]), "rejected": answer(rec["rejected"])}]
    if g.mode == "kto":
        return [
            {**topic, "prompt": prompt_value(p), "completion": answer(rec["chosen"]), "label": True},
            {**topic, "prompt": prompt_value(p), "completion": answer(rec["rejected"]), "label": False},
        ]
    crit = criteria or sorted(set(rec.get("chosen_scores") or {}) | set(rec.get("rejected_scores") or {}))
    ct = rec.get("chosen_total")
    rt = rec.get("rejected_total")
    margin = round(ct - rt, 4) if ct is not None and rt is not None else None
    return [{
        **topic,
        "prompt": prompt_value(p),
        "chosen": answer(rec["chosen"]),
        "rejected": answer(rec["rejected"]),
        "chosen_scores": _scores(rec.get("chosen_scores"), crit),
        "rejected_scores": _scores(rec.get("rejected_scores"), crit),
        "chosen_score_total": None if ct is None else float(ct),
        "rejected_score_total": None if rt is None else float(rt),
        "preference_margin": None if margin is None else float(margin),
        "margin": None if margin is None else float(margin),
    }]
