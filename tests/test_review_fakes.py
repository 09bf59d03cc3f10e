"""Small stand-ins for the claim extractor and record validator, and the checks they rest on.

They have the attributes of ``reality.validators.Claim`` / ``Finding`` so the merge, tagging
and page logic can be tested with hand-worked expectations independent of the engine.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reality.review.confidence import FactIndex
from reality.review.engine import Engine

DATA = Path(__file__).parent / "data" / "review"

_MEM = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*GB")
_MONEY = re.compile(r"\$(\d+)(?:-(\d+))?")
_MODEL = re.compile(r"\b(\d+B)\b.*?\b(QLoRA|LoRA)\b|\b(QLoRA|LoRA)\b.*?\b(\d+B)\b", re.I)


@dataclass(frozen=True)
class FakeClaim:
    kind: str
    low: float
    high: float
    unit: str
    span: tuple[int, int]
    text: str
    qualifiers: frozenset = frozenset()
    subject: str | None = None
    role: str | None = "requirement"
    attrs: dict = dataclasses.field(default_factory=dict, hash=False)


@dataclass
class FakeFinding:
    rule: str
    severity: str
    message: str
    field: str | None = None
    span: tuple[int, int] | None = None
    quote: str | None = None
    expected: dict | None = None
    sources: list = dataclasses.field(default_factory=list)


def _sentence(text: str, pos: int) -> str:
    start = max(text.rfind(". ", 0, pos) + 1, 0)
    end = text.find(". ", pos)
    return text[start : end if end >= 0 else len(text)]


def fake_extract(text: str) -> list[FakeClaim]:
    out = []
    for rx, kind, unit in ((_MEM, "memory", "GB"), (_MONEY, "money", "USD")):
        for m in rx.finditer(text):
            low = float(m.group(1))
            high = float(m.group(2) or m.group(1))
            sentence = _sentence(text, m.start())
            s = _MODEL.search(sentence)
            subject = None
            if s:
                size, method = (s.group(1), s.group(2)) if s.group(1) else (s.group(4), s.group(3))
                subject = f"{size} {method}".lower()
            quals = frozenset({"~"}) if re.search(r"about\s*$|roughly\s*$", text[: m.start()]) else frozenset()
            out.append(FakeClaim(kind, low, high, unit, (m.start(), m.end()), m.group(0), quals, subject))
    return sorted(out, key=lambda c: c.span)


RULES = {"R301": "claims.range", "R302": "claims.unverifiable", "R201": "words.prompt"}


def fake_validate(record: dict[str, Any], mode: str = "dpo") -> list[FakeFinding]:
    """Memory > 100 GB is out of range; 'unsure' makes a claim unverifiable; 'old price' a stale source."""
    findings = []
    for name in ("prompt", "chosen", "rejected", "output", "completion"):
        text = record.get(name)
        if not isinstance(text, str):
            continue
        for c in fake_extract(text):
            sentence = _sentence(text, c.span[0])
            if c.kind == "memory" and c.high > 100:
                findings.append(FakeFinding("R301", "error", "too much memory", name, c.span, c.text, {"low": 10, "high": 20, "unit": "GB"}, ["gpus:a100"]))
            elif "unsure" in sentence:
                findings.append(FakeFinding("R302", "info", "subject not resolved", name, c.span, c.text))
            elif "old price" in sentence:
                findings.append(FakeFinding("R301", "info", "in range", name, c.span, c.text, {"low": c.low, "high": c.high, "unit": c.unit}, ["price-old"]))
            elif "edge of range" in sentence:
                findings.append(FakeFinding("R301", "info", "in range within tolerance", name, c.span, c.text, {"low": c.high * 1.5, "high": c.high * 1.8, "unit": c.unit}, []))
    if "TOO SHORT" in (record.get("prompt") or ""):
        findings.append(FakeFinding("R201", "warning", "prompt has 3 words", "prompt"))
    return findings


def fake_engine() -> Engine:
    facts = FactIndex(stale={"price-old": "stale price price-old (as of 2023-01-01)"}, assumed={})
    return Engine(
        fake_extract,
        fake_validate,
        RULES.get,
        facts,
        kb_info={"version": "fake", "sections": {"gpus": 1}, "sources": ["fake source"], "newest_as_of": "2025-11-01"},
        rules_info=[{"id": "R201", "name": "prompt-words", "severity": "warning", "check": "words.prompt", "params": {"min_words": 5, "max_words": 60}}],
        settings={"mix": {"scenario": {"basic usage": 0.4, "troubleshooting": 0.3, "failure": 0.2, "edge case": 0.1}, "persona": {}}, "tolerance": 2.0},
    )


def test_fake_extract_reads_ranges_and_subjects():
    claims = fake_extract("With QLoRA, a 7B model needs 10-12 GB of VRAM. It costs $10-30.")
    assert [(c.kind, c.low, c.high, c.subject) for c in claims] == [("memory", 10, 12, "7b qlora"), ("money", 10, 30, None)]
