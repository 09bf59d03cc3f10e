"""Where prompts come from: the topic hierarchy, or a JSONL / CSV file, or a dataset on disk.

Hierarchy: main topic -> subtopics (in chunks, with over-generation, de-duplication and an
exclusion list on retries) -> prompts per subtopic. Each prompt slot gets a persona and a
scenario type *before* any call: scenario types follow the configured mix exactly (largest
remainder, e.g. 40/30/20/10), personas follow their weights, and both are shuffled with the
run's seed, so the same config gives the same plan.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reality.generator.client import LLM
from reality.generator.config import GenConfig
from reality.generator.templates import render


@dataclass
class PromptItem:
    id: str
    prompt: str
    main_topic: str = ""
    sub_topic: str = ""
    persona: str = ""
    scenario: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def allocate(weights: dict[str, float], n: int, rng: random.Random) -> list[str]:
    """Exactly proportional allocation (largest remainder), shuffled."""
    total = sum(weights.values())
    quotas = {k: n * w / total for k, w in weights.items()}
    counts = {k: math.floor(q) for k, q in quotas.items()}
    rest = n - sum(counts.values())
    for k in sorted(quotas, key=lambda k: quotas[k] - counts[k], reverse=True)[:rest]:
        counts[k] += 1
    out = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(out)
    return out


def normalise(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def parse_list(text: str) -> list[str]:
    """A JSON array of strings, tolerant of fences, wrappers and numbered lines."""
    t = re.sub(r"```(?:json)?", "", text or "").strip()
    start, end = t.find("["), t.rfind("]")
    if start != -1 and end > start:
        try:
            data = json.loads(t[start : end + 1])
            if isinstance(data, list):
                return [str(x if not isinstance(x, dict) else next(iter(x.values()), "")).strip() for x in data if x]
        except ValueError:
            pass
    try:
        data = json.loads(t)
        if isinstance(data, dict):
            for v in data.values():
                if isinstance(v, list):
                    return [str(x).strip() for x in v if x]
    except ValueError:
        pass
    lines = [re.sub(r"^\s*(?:\d+[.)]|[-*])\s*", "", ln).strip().strip('"') for ln in t.splitlines()]
    return [ln for ln in lines if ln]


async def build_hierarchy(cfg: GenConfig, llm: LLM, on_progress: Any = None) -> list[PromptItem]:
    g = cfg.generation
    rng = random.Random(g.seed)
    n_sub = g.num_subtopics
    per = g.num_prompts_per_subtopic
    subtopics = await _subtopics(cfg, llm, n_sub)
    total = len(subtopics) * per
    scenarios = allocate(cfg.scenario_mix, total, rng)
    personas = allocate(cfg.personas, total, rng)
    seen: set[str] = set()
    lock = asyncio.Lock()
    sem = asyncio.Semaphore(max(1, g.concurrency))
    results: dict[int, list[PromptItem]] = {}

    async def one(si: int, sub: str) -> None:
        async with sem:
            slots = [(personas[si * per + j], scenarios[si * per + j]) for j in range(per)]
            extra = math.ceil(per * g.over_generation)
            slots_ext = slots + [slots[j % per] for j in range(extra)]
            kept: list[PromptItem] = []
            exclude: list[str] = []
            for attempt in range(3):
                want = slots_ext[len(kept) :] if attempt else slots_ext
                if not want:
                    break
                lines = "\n".join(f"{i + 1}. persona: {p}; scenario: {s}" for i, (p, s) in enumerate(want))
                text = render(
                    cfg.templates.prompts,
                    {"main_topic": g.main_topic, "sub_topic": sub, "num_prompts": len(want), "slots": lines,
                     "prompt_words": "{}-{}".format(*cfg.words["prompt"]), "dataset_kind": g.dataset,
                     "is_retry": attempt > 0, "exclude": "; ".join(exclude[-20:]), "features": ""},
                )
                resp = await llm.complete("topics", [{"role": "user", "content": text}], salt=f"prompts:{si}:{attempt}")
                items = parse_list(resp.text)
                for (persona, scenario), prompt in zip(want, items, strict=False):
                    key = normalise(prompt)
                    async with lock:
                        if not key or key in seen:
                            exclude.append(prompt[:80])
                            continue
                        seen.add(key)
                    kept.append(PromptItem("", prompt, g.main_topic, sub, persona, scenario))
                    if len(kept) >= per:
                        break
                if len(kept) >= per:
                    break
            results[si] = kept[:per]
            if on_progress:
                on_progress()

    await asyncio.gather(*(one(i, s) for i, s in enumerate(subtopics)))
    plan: list[PromptItem] = []
    for si in range(len(subtopics)):
        for j, item in enumerate(results.get(si, [])):
            item.id = f"s{si:04d}p{j:03d}"
            plan.append(item)
    if g.limit:
        plan = plan[: g.limit]
    return plan


async def _subtopics(cfg: GenConfig, llm: LLM, n: int) -> list[str]:
    g = cfg.generation
    want_total = n + math.ceil(n * g.over_generation)
    found: list[str] = []
    seen: set[str] = set()
    for attempt in range(4):
        missing = want_total - len(found) if attempt == 0 else n - len(found)
        if missing <= 0:
            break
        chunks = [min(g.subtopic_chunk_size, missing - i) for i in range(0, missing, g.subtopic_chunk_size)]

        async def ask(k: int, size: int, attempt: int = attempt) -> list[str]:
            text = render(
                cfg.templates.subtopics,
                {"main_topic": g.main_topic, "num_subtopics": size, "is_retry": attempt > 0,
                 "exclude": "; ".join(found[-50:]), "dataset_kind": g.dataset},
            )
            resp = await llm.complete("topics", [{"role": "user", "content": text}], salt=f"subtopics:{attempt}:{k}")
            return parse_list(resp.text)

        for items in await asyncio.gather(*(ask(k, s) for k, s in enumerate(chunks))):
            for it in items:
                key = normalise(it)
                if key and key not in seen:
                    seen.add(key)
                    found.append(it)
    return found[:n]


def load_prompt_file(cfg: GenConfig) -> list[PromptItem]:
    src = cfg.prompts
    path = Path(src.path or "")
    if not path.is_absolute() and cfg.source_path:
        path = Path(cfg.source_path).parent / path
    rows: list[dict[str, Any]]
    if src.source == "hf":
        from datasets import DatasetDict, load_from_disk  # optional dependency

        ds = load_from_disk(str(path))
        if isinstance(ds, DatasetDict):
            split = src.split or next(iter(ds.keys()))
            ds = ds[split]
        rows = [dict(r) for r in ds]
    elif path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rows.append(json.loads(line))
    out: list[PromptItem] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        value = row.get(src.column)
        if isinstance(value, list):  # conversational prompt: take the last user turn
            value = next((m.get("content") for m in reversed(value) if m.get("role") == "user"), None)
        if not value:
            continue
        key = normalise(str(value))
        if key in seen:
            continue
        seen.add(key)
        out.append(PromptItem(f"r{i:06d}", str(value), str(row.get("main_topic", "")), str(row.get("sub_topic", "")),
                              str(row.get("persona", "")), str(row.get("scenario", ""))))
    if cfg.generation.limit:
        out = out[: cfg.generation.limit]
    return out


def planned_count(cfg: GenConfig) -> int | None:
    """Prompts the plan will hold (None when it depends on a file not read yet)."""
    if cfg.prompts.source != "hierarchy":
        return None
    n = cfg.generation.num_subtopics * cfg.generation.num_prompts_per_subtopic
    return min(n, cfg.generation.limit) if cfg.generation.limit else n
