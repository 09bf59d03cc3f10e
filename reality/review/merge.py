"""Merge datasets: unify schemas, drop duplicates, keep provenance, cross-reference, tag.

``merge(paths, config, engine) -> MergeResult``; ``write_result`` writes the merged JSONL,
its report (``<out>.report.json``) and the dataset card. The CLI is a thin shell on these.

Output columns: the mode's fields first, then every other input column (missing -> null),
then ``id`` (content hash), ``provenance`` ({"file", "line"}), ``confidence`` and
``confidence_reasons``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reality.review.confidence import LEVELS, ConfidenceConfig, at_least, tag
from reality.review.crossref import ClaimRef, CrossrefResult, cross_reference
from reality.review.dedup import find_duplicates
from reality.review.engine import Analysis, Engine
from reality.review.modes import (
    META,
    MODES,
    PROJECTIONS,
    InputError,
    check_record,
    content_id,
    detect_mode,
    read_jsonl,
    taught_fields,
)


@dataclass
class MergeConfig:
    mode: str | None = None  # target mode; None = the inputs' common mode
    near_threshold: float | None = 0.8  # Jaccard of word 5-shingles; None = exact only
    dedup_on: str = "all"  # "all" text fields, or "prompt" only
    min_confidence: str = "low"
    crossref_slack: float = 0.10
    max_pairs_per_group: int = 20
    confidence: ConfidenceConfig = field(default_factory=ConfidenceConfig)
    keep_analyses: bool = False  # keep per-record claims/findings on the result (memory!)


@dataclass
class Row:
    file: str
    line: int
    record: dict[str, Any]
    mode: str


@dataclass
class MergeResult:
    mode: str
    records: list[dict[str, Any]]  # the output, after the confidence filter
    inputs: list[dict[str, Any]]
    dropped: list[dict[str, Any]]  # duplicates
    filtered: int  # records below --min-confidence
    crossref: CrossrefResult
    confidence_counts: dict[str, int]  # before the filter
    analyses: list[Analysis]  # parallel to the merged records before the filter (if keep_analyses)
    config: MergeConfig
    engine_info: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        kept = Counter(r["confidence"] for r in self.records)
        return {
            "mode": self.mode,
            "inputs": self.inputs,
            "read": sum(i["records"] for i in self.inputs),
            "duplicates_dropped": len(self.dropped),
            "duplicates_by_kind": dict(Counter(d["kind"] for d in self.dropped)),
            "below_min_confidence": self.filtered,
            "written": len(self.records),
            "confidence": {level: self.confidence_counts.get(level, 0) for level in reversed(LEVELS)},
            "confidence_written": {level: kept.get(level, 0) for level in reversed(LEVELS)},
            "contradictions": len(self.crossref.contradictions),
            "contradictions_omitted": self.crossref.omitted,
        }


# ----------------------------------------------------------------------------- reading
def read_inputs(paths: list[str]) -> tuple[list[Row], list[dict[str, Any]]]:
    rows: list[Row] = []
    inputs: list[dict[str, Any]] = []
    for path in paths:
        file_mode: str | None = None
        count = 0
        for line, record in read_jsonl(path):
            where = f"{path}:{line}"
            mode = detect_mode(record)
            if mode is None:
                raise InputError(
                    f"{where}: unknown record schema (keys: {', '.join(sorted(record)) or 'none'}); "
                    "expected sft (instruction, output), dpo (prompt, chosen, rejected), "
                    "kto (prompt, completion, label) or mo-dpo (dpo + chosen_scores, rejected_scores)"
                )
            if file_mode is None:
                file_mode = mode
            elif mode != file_mode:
                raise InputError(f"{where}: {mode} record in a {file_mode} file (first records are {file_mode})")
            check_record(record, MODES[mode], where)
            rows.append(Row(str(path), line, record, mode))
            count += 1
        if count == 0:
            raise InputError(f"{path}: no records")
        inputs.append({"file": str(path), "mode": file_mode, "records": count})
    return rows, inputs


def target_mode(inputs: list[dict[str, Any]], wanted: str | None) -> str:
    modes = {i["mode"] for i in inputs}
    if wanted is not None:
        if wanted not in MODES:
            raise InputError(f"unknown mode {wanted!r} (sft, dpo, kto, mo-dpo)")
        bad = [i for i in inputs if i["mode"] != wanted and (i["mode"], wanted) not in PROJECTIONS]
        if bad:
            listing = ", ".join(f"{i['file']} is {i['mode']}" for i in bad)
            raise InputError(f"cannot merge into {wanted}: {listing}")
        return wanted
    if len(modes) == 1:
        return modes.pop()
    listing = ", ".join(f"{i['file']} is {i['mode']}" for i in inputs)
    hint = ""
    if modes == {"dpo", "mo-dpo"}:
        hint = "; pass --mode dpo to drop the judge scores and merge them as dpo"
    raise InputError(f"inputs have different modes ({listing}){hint}")


def unify(rows: list[Row], mode_name: str) -> list[str]:
    """Column order of the output: the mode's fields, then the other input columns (META last)."""
    mode = MODES[mode_name]
    drop = set(META)
    for row in rows:
        if row.mode != mode_name:  # projected: its mode's own columns go
            drop.update(k for k in MODES[row.mode].extra if k not in mode.extra)
    columns = dict.fromkeys(mode.required)
    for row in rows:
        for key in row.record:
            if key not in drop:
                columns.setdefault(key, None)
    return list(columns)


def dedup_text(record: dict[str, Any], mode_name: str, on: str) -> str:
    mode = MODES[mode_name]
    fields = mode.text[:1] if on == "prompt" else mode.text
    text = "\n\n".join(record.get(f) or "" for f in fields)
    if mode_name == "kto":
        text += f"\n\nlabel={record.get('label')}"
    return text


# ----------------------------------------------------------------------------- merging
def merge(paths: list[str], config: MergeConfig | None = None, engine: Engine | None = None) -> MergeResult:
    config = config or MergeConfig()
    if config.min_confidence not in LEVELS:
        raise InputError(f"--min-confidence must be one of {', '.join(LEVELS)}")
    rows, inputs = read_inputs(paths)
    mode_name = target_mode(inputs, config.mode)
    mode = MODES[mode_name]
    columns = unify(rows, mode_name)

    texts = [dedup_text(r.record, mode_name, config.dedup_on) for r in rows]
    duplicates = find_duplicates(texts, config.near_threshold)
    del texts
    dropped_idx = {d.index for d in duplicates}
    dropped = []
    for d in duplicates:
        row, kept = rows[d.index], rows[d.of]
        why = (
            "exact duplicate (same text after case and whitespace folding)"
            if d.kind == "exact"
            else f"near duplicate (word 5-shingle Jaccard {d.similarity:.2f} >= {config.near_threshold:.2f})"
        )
        dropped.append(
            {
                "file": row.file,
                "line": row.line,
                "kind": d.kind,
                "similarity": d.similarity,
                "reason": f"{why} of {kept.file}:{kept.line}",
                "kept": {"file": kept.file, "line": kept.line, "id": content_id(kept.record, mode)},
                "id": content_id(row.record, mode),
            }
        )

    merged: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if i in dropped_idx:
            continue
        out = {c: row.record.get(c) for c in columns}
        out["id"] = content_id(row.record, mode)
        provenance: dict[str, Any] = {"file": row.file, "line": row.line}
        if isinstance(row.record.get("provenance"), dict):
            provenance["from"] = row.record["provenance"]
        out["provenance"] = provenance
        merged.append(out)
    del rows

    analyses, crossref = analyze_all(merged, mode_name, engine, config)
    counts: Counter[str] = Counter()
    for out, analysis, contra in zip(merged, analyses, _contradiction_labels(crossref, merged), strict=True):
        level, reasons = tag(
            analysis.checks,
            analysis.loose,
            out,
            config.confidence,
            engine.facts if engine else None,
            contradictions=contra,
        )
        out["confidence"] = level
        out["confidence_reasons"] = reasons
        counts[level] += 1
    if not config.keep_analyses:
        analyses = []
    kept = [r for r in merged if at_least(r["confidence"], config.min_confidence)]
    engine_info = {}
    if engine is not None:
        engine_info = {"kb": engine.kb_info, "rules": engine.rules_info, "settings": engine.settings}
    return MergeResult(
        mode_name, kept, inputs, dropped, len(merged) - len(kept), crossref, dict(counts), analyses, config, engine_info
    )


def analyze_all(
    records: list[dict[str, Any]], mode_name: str, engine: Engine | None, config: MergeConfig
) -> tuple[list[Analysis], CrossrefResult]:
    mode = MODES[mode_name]
    analyses: list[Analysis] = []
    refs: list[ClaimRef] = []
    for i, record in enumerate(records):
        if engine is None:
            analysis = Analysis([], [], [], [])
        else:
            analysis = engine.analyze({k: v for k, v in record.items() if k not in META}, mode)
        analyses.append(analysis)
        taught = taught_fields(record, mode)
        refs += [ClaimRef(i, record["id"], f, c) for f, c in analysis.claims if f in taught]
    crossref = cross_reference(refs, config.crossref_slack, config.max_pairs_per_group)
    return analyses, crossref


def _contradiction_labels(crossref: CrossrefResult, records: list[dict[str, Any]]) -> list[list[str]]:
    labels: list[list[str]] = [[] for _ in records]
    for c in crossref.contradictions:
        for me, other in ((c.a, c.b), (c.b, c.a)):
            prov = records[other.record]["provenance"]
            labels[me.record].append(
                f"{prov['file']}:{prov['line']} ({me.claim.kind} of {c.key[2]!r}: "
                f"{me.claim.text!r} here vs {other.claim.text!r} there)"
            )
    return labels


# ----------------------------------------------------------------------------- writing
def dump_jsonl(records: list[dict[str, Any]], path: str | Path) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")
    os.replace(tmp, path)


def report_json(result: MergeResult) -> dict[str, Any]:
    return {
        "summary": result.summary(),
        "dropped": result.dropped,
        "contradictions": [c.to_json() for c in result.crossref.contradictions],
        "engine": result.engine_info,
        "thresholds": merge_thresholds(result.config),
    }


def merge_thresholds(config: MergeConfig) -> dict[str, Any]:
    c = config.confidence
    return {
        "near_duplicate_jaccard": config.near_threshold,
        "dedup_on": config.dedup_on,
        "contradiction_slack": config.crossref_slack,
        "min_confidence": config.min_confidence,
        "judge_min_chosen": c.judge_min_chosen,
        "judge_max_rejected": c.judge_max_rejected,
        "judge_margin": c.judge_margin,
        "stale_price_months": c.stale_months,
    }
