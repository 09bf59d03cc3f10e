"""The result of a check: estimates, verdict, the arithmetic, suggestions, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reality.calculators.ranges import Estimate
from reality.calculators.scenario import Resolved, Scenario


@dataclass(frozen=True)
class Step:
    """One line of the arithmetic: what, how, and the result with its unit."""

    label: str
    formula: str
    result: str


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {"rule": self.rule, "severity": self.severity, "message": self.message}
        if self.fix:
            data["fix"] = self.fix
        return data


@dataclass
class Report:
    scenario: Scenario
    resolved: Resolved
    assumptions: list[str]
    gpus: int
    capacity_gb: float
    estimates: dict[str, Estimate | None]
    vram_parts: dict[str, Estimate]
    fit: str  # "fits" | "tight" | "does not fit"
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    verdict: str = "unknown"
    # Mid values of the time/cost model's terms, for the solved counterfactual forms.
    terms: dict[str, float] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return self.fit != "does not fit"

    def to_json(self) -> dict[str, Any]:
        """The ``reality check --json`` object (DESIGN.md: names and meaning are stable)."""
        r = self.resolved
        tokens = self.estimates.get("tokens")
        scenario = {
            "params": r.params,
            "model": r.model.id if r.model else None,
            "method": r.method,
            "optimizer": r.optimizer,
            "gpu": r.gpu.id,
            "gpus": self.gpus,
            "tokens": tokens.mid / r.epochs if tokens else None,
            "epochs": r.epochs,
            "seq_len": r.seq_len,
            "micro_batch": r.micro_batch,
            "checkpointing": r.checkpointing,
            "budget_usd": self.scenario.budget_usd,
            "deadline_hours": self.scenario.deadline_hours,
        }
        return {
            "scenario": scenario,
            "assumptions": self.assumptions,
            "estimates": {k: (v.as_dict() if v else None) for k, v in self.estimates.items()},
            "fits": self.fits,
            "fit": self.fit,
            "gpu_memory_gb": self.capacity_gb,
            "verdict": self.verdict,
            "findings": [f.as_dict() for f in self.findings],
            "suggestions": self.suggestions,
            "arithmetic": [{"label": s.label, "formula": s.formula, "result": s.result} for s in self.steps],
            "sources": self.sources,
            "units": {"vram_per_gpu_gb": "GB (1e9 bytes)", "wall_hours": "hours", "cost_usd": "USD"},
        }
