"""``--format sarif``: SARIF 2.1.0 (GitHub code scanning, IDEs).

One run, tool ``reality`` with every active rule as a ``reportingDescriptor``; one result
per finding with ``ruleId``, ``level`` (error / warning / note), the message, and a
physical location (file, line) when there is one. Only the findings are kept in memory.
"""

from __future__ import annotations

import json
from typing import IO, Any

from reality import __version__
from reality.validators.findings import Finding, RecordResult, Summary
from reality.validators.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


class SarifFormatter:
    def __init__(self, stream: IO[str], rules: list[Rule] | None = None, **_: object):
        self.stream = stream
        self.rules = rules or []
        self.results: list[dict[str, Any]] = []

    def start(self) -> None:
        pass

    def _result(self, f: Finding) -> dict[str, Any]:
        text = f.message
        if f.expected:
            text += f" (expected {f.expected.get('low'):.4g}-{f.expected.get('high'):.4g} {f.expected.get('unit', '')})"
        out: dict[str, Any] = {"ruleId": f.rule, "level": _LEVEL.get(f.severity, "warning"), "message": {"text": text}}
        if f.file:
            loc: dict[str, Any] = {"artifactLocation": {"uri": f.file}}
            if f.line:
                loc["region"] = {"startLine": f.line}
            out["locations"] = [{"physicalLocation": loc}]
        props = {k: v for k, v in {"index": f.index, "field": f.field, "quote": f.quote,
                                   "sources": f.sources or None}.items() if v is not None}
        if props:
            out["properties"] = props
        return out

    def record(self, result: RecordResult) -> None:
        self.results.extend(self._result(f) for f in result.findings)

    def finish(self, summary: Summary) -> None:
        self.results.extend(self._result(f) for f in summary.dataset_findings)
        rules = [
            {
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.fix},
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
                "help": {"text": f"{r.fix}\nPasses: {r.docs.passing}\nFails: {r.docs.failing}"},
            }
            for r in self.rules
        ]
        doc = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "reality", "version": __version__,
                                    "informationUri": "https://pypi.org/project/finetune-reality/", "rules": rules}},
                "results": self.results,
                "properties": {"summary": summary.to_dict() | {"dataset_findings": len(summary.dataset_findings)}},
            }],
        }
        json.dump(doc, self.stream, ensure_ascii=False, indent=2, default=str)
        self.stream.write("\n")
