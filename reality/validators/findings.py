"""Findings and per-record results: what the validator reports, in a stable shape.

Plain dataclasses with ``__slots__`` (tens of thousands are made per run, so no pydantic
here). ``to_dict`` gives the JSON shape that ``reality validate --format json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(slots=True)
class Finding:
    """One problem found by one rule.

    ``rule``/``severity``/``message`` always; ``field`` is the record field the problem is in
    (``prompt``, ``chosen``, ...), ``span`` the character span inside that field's text,
    ``quote`` the text of the span, ``expected`` the range the value should lie in
    (``{"low", "high", "unit"}``), ``sources`` where the expectation comes from.
    ``file``/``line``/``index`` are filled by the runner.
    """

    rule: str
    severity: str
    message: str
    field: str | None = None
    span: tuple[int, int] | None = None
    quote: str | None = None
    expected: dict[str, Any] | None = None
    sources: list[str] = dc_field(default_factory=list)
    file: str | None = None
    line: int | None = None
    index: int | None = None
    title: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
            "span": list(self.span) if self.span else None,
            "quote": self.quote,
            "expected": self.expected,
            "sources": list(self.sources),
            "file": self.file,
            "line": self.line,
            "index": self.index,
        }


@dataclass(slots=True)
class RecordResult:
    """The verdict on one input record (or one unparseable line)."""

    file: str
    index: int
    line: int | None
    findings: list[Finding] = dc_field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "reject" if any(f.severity == "error" for f in self.findings) else "accept"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "index": self.index,
            "line": self.line,
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(slots=True)
class Summary:
    """Counts over a whole run plus the findings that belong to no single record."""

    files: list[str] = dc_field(default_factory=list)
    records: int = 0
    accepted: int = 0
    rejected: int = 0
    by_severity: dict[str, int] = dc_field(default_factory=lambda: {s: 0 for s in SEVERITIES})
    by_rule: dict[str, int] = dc_field(default_factory=dict)
    dataset_findings: list[Finding] = dc_field(default_factory=list)
    mode: dict[str, str] = dc_field(default_factory=dict)  # file -> detected / given mode
    dataset: str = "reality"
    tolerance: float = 2.0
    elapsed_s: float = 0.0

    def add(self, result: RecordResult) -> None:
        self.records += 1
        if result.verdict == "reject":
            self.rejected += 1
        else:
            self.accepted += 1
        for f in result.findings:
            self._count(f)

    def add_dataset_finding(self, finding: Finding) -> None:
        self.dataset_findings.append(finding)
        self._count(finding)

    def _count(self, f: Finding) -> None:
        self.by_severity[f.severity] = self.by_severity.get(f.severity, 0) + 1
        self.by_rule[f.rule] = self.by_rule.get(f.rule, 0) + 1

    @property
    def errors(self) -> int:
        return self.by_severity.get("error", 0)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "records": self.records,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": self.by_severity.get("error", 0),
            "warnings": self.by_severity.get("warning", 0),
            "infos": self.by_severity.get("info", 0),
            "by_rule": dict(sorted(self.by_rule.items())),
            "dataset_findings": [f.to_dict() for f in self.dataset_findings],
            "modes": dict(self.mode),
            "dataset": self.dataset,
            "tolerance": self.tolerance,
            "exit_code": self.exit_code,
        }
