"""Calculators: a training plan in, honest ranges, a verdict and the arithmetic out.

    from reality.calculators import check
    report = check("20B, 50GB, $500")
    report.verdict                      # "infeasible"
    report.estimates["cost_usd"].mid    # USD
    report.to_json()                    # the `reality check --json` object
"""

from __future__ import annotations

from reality.calculators.engine import estimate
from reality.calculators.parse import parse_scenario
from reality.calculators.ranges import Estimate
from reality.calculators.report import Finding, Report, Step
from reality.calculators.scenario import Scenario, ScenarioError
from reality.knowledge import KnowledgeBase


def check(text: str = "", overrides: Scenario | None = None, kb: KnowledgeBase | None = None) -> Report:
    """Parse a plan from text (flags in ``overrides`` win) and estimate it."""
    return estimate(parse_scenario(text, overrides, kb), kb)


__all__ = ["Estimate", "Finding", "Report", "Scenario", "ScenarioError", "Step", "check", "estimate", "parse_scenario"]
