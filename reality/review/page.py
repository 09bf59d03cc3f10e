"""The human review pass: one self-contained HTML page, and applying its decisions.

``build_page(path, ...)`` reads a merged JSONL file, re-runs the same analysis as ``merge``
(claims, findings, contradictions; deterministic) and writes a page with the data inline
(``<script type="application/json">``), the CSS and JS inline, and no network access.

The page exports decisions as JSONL, one line per decided record, in record order::

    {"id": "...", "hash": "...", "decision": "accept"}
    {"id": "...", "hash": "...", "decision": "reject"}
    {"id": "...", "hash": "...", "decision": "edited", "fields": {"chosen": "new text"}}

``hash`` is the content id of the record as the reviewer saw it; ``apply_decisions`` refuses a
decision whose record has changed since.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from reality import __version__
from reality.review.confidence import LEVELS, tag
from reality.review.crossref import CrossrefResult
from reality.review.engine import Analysis, Engine
from reality.review.merge import MergeConfig, _contradiction_labels, analyze_all, dump_jsonl
from reality.review.modes import META, MODES, InputError, content_id, detect_mode, read_jsonl

DECISIONS = ("accept", "reject", "edited")
REVIEW_COLUMN = "review"


# ----------------------------------------------------------------------------- reading
def read_merged(path: str | Path, add_provenance: bool = False) -> tuple[str, list[dict[str, Any]]]:
    records: list[dict[str, Any]] = []
    mode_name: str | None = None
    for line, record in read_jsonl(path):
        mode = detect_mode(record)
        if mode is None:
            raise InputError(f"{path}:{line}: unknown record schema (keys: {', '.join(sorted(record))})")
        if mode_name is None:
            mode_name = mode
        elif mode != mode_name:
            raise InputError(f"{path}:{line}: {mode} record in a {mode_name} file")
        if add_provenance:
            record.setdefault("provenance", {"file": str(path), "line": line})
        records.append(record)
    if mode_name is None:
        raise InputError(f"{path}: no records")
    return mode_name, records


def _utf16(text: str, offsets: Iterable[int]) -> list[int]:
    """Python (code point) offsets as JavaScript (UTF-16) offsets."""
    offsets = list(offsets)
    if text.isascii() or all(ord(ch) <= 0xFFFF for ch in text):
        return offsets
    out = []
    for off in offsets:
        prefix = text[:off]
        out.append(off + sum(1 for ch in prefix if ord(ch) > 0xFFFF))
    return out


def _label(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None and isinstance(record.get("metadata"), dict):
        value = record["metadata"].get(key)
    return str(value).strip() if value is not None and str(value).strip() else None


# ----------------------------------------------------------------------------- payload
def build_payload(
    records: list[dict[str, Any]],
    mode_name: str,
    analyses: list[Analysis],
    crossref: CrossrefResult,
    engine: Engine | None,
    source: str = "",
    dropped: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    mode = MODES[mode_name]
    settings = engine.settings if engine else {}
    persona_key = settings.get("persona_field", "persona")
    scenario_key = settings.get("scenario_field", "scenario")
    contradicts: dict[int, list[str]] = {}
    for c in crossref.contradictions:
        contradicts.setdefault(c.a.record, []).append(c.b.record_id)
        contradicts.setdefault(c.b.record, []).append(c.a.record_id)
    items = []
    for i, (record, analysis) in enumerate(zip(records, analyses, strict=True)):
        fields = {f: record.get(f) or "" for f in mode.text}
        claims = []
        for c in analysis.checks:
            text = fields.get(c.field, "")
            s, e = _utf16(text, c.span)
            claims.append(
                {
                    "field": c.field,
                    "s": s,
                    "e": e,
                    "kind": c.kind,
                    "verdict": c.verdict,
                    "title": claim_title(c),
                }
            )
        rules = sorted({f.rule for f in analysis.findings})
        if i in contradicts:
            rules.append("contradiction")
        prov = record.get("provenance") or {}
        items.append(
            {
                "id": str(record.get("id") or content_id(record, mode)),
                "hash": content_id(record, mode),
                "prov": f"{prov.get('file', '?')}:{prov.get('line', '?')}",
                "confidence": record.get("confidence"),
                "reasons": list(record.get("confidence_reasons") or []),
                "persona": _label(record, persona_key),
                "scenario": _label(record, scenario_key),
                "label": record.get("label") if mode_name == "kto" else None,
                "fields": fields,
                "words": {f: len(t.split()) for f, t in fields.items()},
                "claims": claims,
                "rules": rules,
                "findings": [
                    {"rule": f.rule, "severity": f.severity, "field": f.field, "message": f.message}
                    for f in analysis.findings
                ],
                "contradicts": contradicts.get(i, []),
            }
        )
    word_targets = {}
    for r in (engine.rules_info if engine else []):
        check = r.get("check") or ""
        if check.startswith("words.") and check != "words.ratio":
            p = r.get("params") or {}
            if "min_words" in p and "max_words" in p:
                word_targets[check.split(".", 1)[1]] = [p["min_words"], p["max_words"]]
    return {
        "meta": {
            "title": f"Review: {Path(source).name}" if source else "Review",
            "source": source,
            "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "tool": f"reality {__version__}",
            "mode": mode_name,
            "fields": list(mode.text),
            "levels": list(reversed(LEVELS)),
            "targets": settings.get("mix", {}),
            "word_targets": word_targets,
            "kb_version": (engine.kb_info.get("version") if engine else None),
            "persona_field": persona_key,
            "scenario_field": scenario_key,
        },
        "records": items,
        "contradictions": [c.to_json() for c in crossref.contradictions],
        "dropped": dropped or [],
    }


def claim_title(c: Any) -> str:
    parts = [f"{c.kind} claim {c.text!r}: {c.verdict}"]
    if c.rule:
        parts[0] += f" ({c.rule})"
    if c.expected:
        e = c.expected
        parts.append(f"expected {_n(e.get('low'))}–{_n(e.get('high'))} {e.get('unit') or ''}".rstrip())
    if c.subject:
        parts.append(f"subject: {c.subject}")
    if c.message:
        parts.append(c.message)
    return "\n".join(parts)


def _n(x: Any) -> str:
    if not isinstance(x, int | float):
        return "?"
    return f"{x:,.3g}" if abs(x) < 1e4 else f"{x:,.0f}"


def render_html(payload: dict[str, Any]) -> str:
    pkg = resources.files("reality.review")
    template = pkg.joinpath("page.html").read_text(encoding="utf-8")
    css = pkg.joinpath("page.css").read_text(encoding="utf-8")
    js = pkg.joinpath("page.js").read_text(encoding="utf-8")
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    # Inside <script>, "</script" or "<!--" would end or confuse the element; \u003c is JSON.
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    title = _html_escape(payload["meta"]["title"])
    parts = {"/*__CSS__*/": css, "/*__JS__*/": js, "__DATA__": data, "__TITLE__": title}
    # One pass over the template: inserted text (user data included) is never re-scanned.
    pieces = re.split("(" + "|".join(re.escape(k) for k in parts) + ")", template)
    missing = set(parts) - set(pieces)
    if missing:
        raise RuntimeError(f"review template lacks {', '.join(sorted(missing))}")
    return "".join(parts.get(p, p) for p in pieces)


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass
class PageResult:
    records: int
    html_bytes: int
    mode: str


def build_page(
    path: str | Path,
    out: str | Path,
    engine: Engine | None,
    config: MergeConfig | None = None,
    only: Iterable[str] | None = None,
    limit: int | None = None,
    report: str | Path | None = None,
) -> PageResult:
    config = config or MergeConfig()
    mode_name, records = read_merged(path, add_provenance=True)
    if only:
        keep = set(only)
        records = [r for r in records if r.get("confidence") in keep]
    if limit is not None:
        records = records[:limit]
    analyses, crossref = analyze_all(records, mode_name, engine, config)
    for record, analysis, contra in zip(records, analyses, _contradiction_labels(crossref, records), strict=True):
        if record.get("confidence") not in LEVELS:  # a file that did not come from `merge`
            level, reasons = tag(
                analysis.checks, analysis.loose, record, config.confidence, engine.facts if engine else None,
                contradictions=contra,
            )
            record["confidence"], record["confidence_reasons"] = level, reasons
    dropped = []
    report_path = Path(report) if report else Path(str(path) + ".report.json")
    if report_path.is_file():
        try:
            dropped = json.loads(report_path.read_text(encoding="utf-8")).get("dropped", [])
        except (OSError, ValueError, AttributeError):
            dropped = []
    payload = build_payload(records, mode_name, analyses, crossref, engine, str(path), dropped)
    html = render_html(payload)
    Path(out).write_text(html, encoding="utf-8")
    return PageResult(len(records), len(html.encode("utf-8")), mode_name)


# ----------------------------------------------------------------------------- applying
@dataclass
class ApplyResult:
    written: int
    accepted: int
    rejected: int
    edited: int
    undecided: int
    overridden: int


def read_decisions(path: str | Path) -> tuple[dict[str, dict[str, Any]], int]:
    decisions: dict[str, dict[str, Any]] = {}
    overridden = 0
    for line, d in read_jsonl(path):
        where = f"{path}:{line}"
        if not isinstance(d.get("id"), str):
            raise InputError(f"{where}: a decision needs an 'id' string")
        if d.get("decision") not in DECISIONS:
            raise InputError(f"{where}: decision must be one of {', '.join(DECISIONS)}, not {d.get('decision')!r}")
        fields = d.get("fields")
        if d["decision"] == "edited":
            if not isinstance(fields, dict) or not fields or not all(isinstance(v, str) for v in fields.values()):
                raise InputError(f"{where}: an 'edited' decision needs 'fields': {{field: new text}}")
        elif fields:
            raise InputError(f"{where}: only an 'edited' decision carries 'fields'")
        if d["id"] in decisions:
            overridden += 1
        decisions[d["id"]] = d
    return decisions, overridden


def apply_decisions(
    merged: str | Path,
    decisions_path: str | Path,
    out: str | Path,
    undecided: str = "keep",
    strip_meta: bool = False,
) -> ApplyResult:
    """Apply review decisions: rejected records go, edited ones get the reviewer's text.

    Every decided record gains a ``review`` column (accept / edited); undecided ones are
    kept with ``review: null`` (or dropped with ``undecided="drop"``). ``strip_meta`` drops
    the merge's columns too, leaving the plain training schema.
    """
    mode_name, records = read_merged(merged)
    mode = MODES[mode_name]
    decisions, overridden = read_decisions(decisions_path)
    by_id: dict[str, dict[str, Any]] = {}
    for record in records:
        by_id.setdefault(str(record.get("id") or content_id(record, mode)), record)
    unknown = [i for i in decisions if i not in by_id]
    if unknown:
        raise InputError(f"{decisions_path}: {len(unknown)} decision(s) for records not in {merged}: {', '.join(unknown[:5])}")
    for rid, d in decisions.items():
        record = by_id[rid]
        if d.get("hash") is not None and d["hash"] != content_id(record, mode):
            raise InputError(f"{decisions_path}: record {rid} changed since it was reviewed (content hash differs)")
        for f in d.get("fields") or {}:
            if f not in mode.text:
                raise InputError(f"{decisions_path}: record {rid}: cannot edit {f!r} (editable: {', '.join(mode.text)})")
    out_records = []
    counts = dict.fromkeys((*DECISIONS, "undecided"), 0)
    for record in records:
        rid = str(record.get("id") or content_id(record, mode))
        d = decisions.get(rid)
        decision = d["decision"] if d else "undecided"
        counts[decision] += 1
        if decision == "reject" or (decision == "undecided" and undecided == "drop"):
            continue
        new = dict(record)
        if decision == "edited":
            new.update(d["fields"])
        new[REVIEW_COLUMN] = None if decision == "undecided" else decision
        if strip_meta:
            for key in (*META, REVIEW_COLUMN):
                new.pop(key, None)
        out_records.append(new)
    dump_jsonl(out_records, out)
    return ApplyResult(len(out_records), counts["accept"], counts["reject"], counts["edited"], counts["undecided"], overridden)
