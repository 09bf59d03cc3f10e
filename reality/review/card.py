"""The dataset card: README.md beside the merged file, in Hugging Face dataset-card form.

A YAML header (``pretty_name``, ``size_categories``, ``task_categories``, ``tags``,
``configs`` with the data file) between ``---`` lines, then Markdown: counts per mode and
confidence, duplicates and contradictions, the knowledge-base version and sources, the rules
and thresholds applied, and the generation models and spend when a generator summary is
found next to the inputs (``*.summary.json``, ``summary.json``) or given explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

MARKER = "<!-- written by `reality merge`; edit freely, it is rewritten on the next merge -->"
SUMMARY_NAMES = ("summary.json", "generation_summary.json", "generate.summary.json")


class CardError(Exception):
    pass


def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def find_summaries(inputs: Iterable[str]) -> list[Path]:
    """Generator summary JSON files beside the inputs: ``<input>.summary.json`` or ``summary.json``."""
    found: dict[Path, None] = {}
    for name in inputs:
        path = Path(name)
        candidates = [path.with_name(path.name + ".summary.json"), path.with_suffix(".summary.json")]
        candidates += [path.parent / n for n in SUMMARY_NAMES]
        for c in candidates:
            if c.is_file():
                found.setdefault(c.resolve(), None)
    return list(found)


def read_generation(paths: Iterable[Path]) -> dict[str, Any]:
    """Models, spend and tokens from generator summaries, read loosely (unknown keys ignored)."""
    models: dict[str, None] = {}
    spend = 0.0
    spend_known = False
    tokens = 0
    files = []
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        files.append(str(path))
        for m in _models(data):
            models.setdefault(m, None)
        for key in ("cost_usd", "spend_usd", "total_cost_usd", "spent_usd", "cost"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("total") or value.get("usd")
            if isinstance(value, int | float) and not isinstance(value, bool):
                spend += float(value)
                spend_known = True
                break
        for key in ("total_tokens", "tokens"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("total") or sum(v for v in value.values() if isinstance(v, int | float))
            if isinstance(value, int | float) and not isinstance(value, bool):
                tokens += int(value)
                break
    return {"files": files, "models": list(models), "spend_usd": spend if spend_known else None, "tokens": tokens or None}


def _models(data: dict[str, Any]) -> list[str]:
    out = []
    raw = data.get("models")
    if isinstance(raw, dict):
        for role, m in raw.items():
            name = m.get("model_name") or m.get("model") or m.get("name") if isinstance(m, dict) else m
            if isinstance(name, str):
                out.append(f"{name} ({role})")
    elif isinstance(raw, list):
        out += [m if isinstance(m, str) else str(m.get("model") or m.get("name")) for m in raw]
    for key in ("model", "main_model", "rejected_model", "judge_model"):
        if isinstance(data.get(key), str):
            out.append(data[key] + (f" ({key.removesuffix('_model')})" if key != "model" else ""))
    return out


def render_card(report: dict[str, Any], data_file: str, generation: dict[str, Any] | None = None) -> str:
    s = report["summary"]
    engine = report.get("engine") or {}
    kb = engine.get("kb") or {}
    mode = s["mode"]
    header = {
        "pretty_name": Path(data_file).stem,
        "language": ["en"],
        "size_categories": [size_category(s["written"])],
        "task_categories": ["text-generation"],
        "tags": ["synthetic", mode, "reality-checked"],
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": Path(data_file).name}]}],
    }
    lines = ["---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True).rstrip(), "---", MARKER, ""]
    lines += [f"# {Path(data_file).stem}", ""]
    lines += [
        f"A {mode} dataset merged by `reality merge` from {len(s['inputs'])} file(s): duplicates dropped, "
        "numeric claims checked against the knowledge base, claims cross-referenced between records, "
        "and every record tagged with a confidence level and its reasons.",
        "",
        "## Counts",
        "",
        "| | records |",
        "|---|---:|",
        f"| read | {s['read']} |",
        f"| duplicates dropped | {s['duplicates_dropped']} |",
        f"| below --min-confidence ({report['thresholds']['min_confidence']}) | {s['below_min_confidence']} |",
        f"| **written ({mode})** | **{s['written']}** |",
        "",
        "| confidence | merged | written |",
        "|---|---:|---:|",
    ]
    for level, n in s["confidence"].items():
        lines.append(f"| {level} | {n} | {s['confidence_written'][level]} |")
    lines += ["", "| input | mode | records |", "|---|---|---:|"]
    lines += [f"| `{i['file']}` | {i['mode']} | {i['records']} |" for i in s["inputs"]]
    lines += [
        "",
        f"Contradictions between records (same subject and quantity, disjoint ranges): {s['contradictions']}"
        + (f" (+{s['contradictions_omitted']} more pairs not listed)" if s["contradictions_omitted"] else "")
        + ". Pairs with both spans are in the merge report (`"
        + Path(data_file).name
        + ".report.json`).",
        "",
        "## Columns",
        "",
        "The mode's fields, any other input columns, and: `id` (content hash), `provenance` "
        "(`file`, `line` of the record in its input), `confidence` (`high` | `medium` | `low`) and "
        "`confidence_reasons` (why). `high`: every numeric claim checked against sourced, current facts "
        "and in range. `medium`: checked, but resting on an assumption or a stale price. `low`: "
        "unverifiable or borderline claims, findings, a judge score near its threshold, or a contradiction.",
        "",
        "## Knowledge base",
        "",
    ]
    if kb:
        lines.append(f"Version `{kb.get('version')}`, newest entry as of {kb.get('newest_as_of')}. Sections: "
                     + ", ".join(f"{k} ({v})" for k, v in (kb.get("sections") or {}).items()) + ".")
        if kb.get("stale_prices"):
            lines += ["", "Stale prices (older than "
                      f"{report['thresholds']['stale_price_months']} months): " + "; ".join(kb["stale_prices"][:20])]
        lines += ["", "Sources:", ""]
        lines += [f"- {src}" for src in (kb.get("sources") or [])[:200]]
    else:
        lines.append("Not used (the merge ran without the engine).")
    lines += ["", "## Rules and thresholds", ""]
    settings = engine.get("settings") or {}
    thresholds = dict(report["thresholds"])
    if "tolerance" in settings:
        thresholds["claim_tolerance"] = settings["tolerance"]
    lines += ["| setting | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in thresholds.items()]
    rules = engine.get("rules") or []
    if rules:
        lines += ["", "| rule | name | severity | parameters |", "|---|---|---|---|"]
        for r in rules:
            params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
            lines.append(f"| {r['id']} | {r.get('name') or ''} | {r['severity']} | {params} |")
    lines += ["", "## Generation", ""]
    gen = generation or {}
    if gen.get("models") or gen.get("spend_usd") is not None:
        if gen.get("models"):
            lines.append("Models: " + ", ".join(f"`{m}`" for m in gen["models"]) + ".")
        if gen.get("spend_usd") is not None:
            lines.append(f"Spend: ${gen['spend_usd']:,.2f}" + (f" for {gen['tokens']:,} tokens" if gen.get("tokens") else "") + ".")
        lines.append("From: " + ", ".join(f"`{Path(f).name}`" for f in gen["files"]) + ".")
    else:
        lines.append("Unknown (no generator summary found next to the inputs).")
    lines += ["", "## Review", "", "`reality review " + Path(data_file).name + " -o review.html` writes the human review page; "
              "`reality review --apply decisions.jsonl " + Path(data_file).name + " -o final.jsonl` applies its decisions.", ""]
    return "\n".join(lines)


def write_card(path: Path, text: str, force: bool = False) -> None:
    """Write the card, refusing to overwrite a README that `reality merge` did not write."""
    if path.exists() and not force:
        try:
            existing = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            existing = ""
        if MARKER not in existing:
            raise CardError(f"{path} exists and was not written by `reality merge`; pass --card PATH or --force-card")
    path.write_text(text, encoding="utf-8")
