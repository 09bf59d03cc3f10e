"""The bridge to the validators: claims and findings per record, verdicts and tags.

``Engine.default()`` uses the real claim extractor, record validator, rule table and
knowledge base; tests may build an ``Engine`` from small fakes with the same attributes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reality.review.confidence import ClaimCheck, ConfidenceConfig, FactIndex, check_claims
from reality.review.modes import Mode


def _no_check(rule: str) -> str | None:
    return None


@dataclass
class Analysis:
    """What the engine says about one record (before cross-referencing and tagging)."""

    checks: list[ClaimCheck]
    loose: list[Any]  # findings tied to no claim
    findings: list[Any]
    claims: list[tuple[str, Any]]  # (field, Claim)


@dataclass
class Engine:
    extract: Callable[[str], list[Any]]
    validate: Callable[[dict[str, Any], str], list[Any]] | None = None  # (record, mode name)
    check_of: Callable[[str], str | None] = _no_check  # rule id -> validator check
    facts: FactIndex | None = None
    kb_info: dict[str, Any] = field(default_factory=dict)
    rules_info: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def analyze(self, record: dict[str, Any], mode: Mode) -> Analysis:
        claims = [(f, c) for f in mode.text for c in self.extract(record.get(f) or "")]
        # Columns that are null only because another input lacked them are not the record's.
        plain = {k: v for k, v in record.items() if v is not None}
        findings = list(self.validate(plain, mode.name)) if self.validate else []
        checks, loose = check_claims(claims, findings, self.check_of)
        return Analysis(checks, loose, findings, claims)

    @classmethod
    def default(
        cls,
        tolerance: float | None = None,
        dataset: str | None = None,
        config_path: str | None = None,
        kb_dirs: Iterable[str] = (),
        conf: ConfidenceConfig | None = None,
        validate: bool = True,
    ) -> Engine:
        """The real engine, configured like ``reality validate`` (reality.toml / [tool.reality]).

        Raises ImportError if the validators are not installed.
        """
        from reality.validators import extract_claims

        conf = conf or ConfidenceConfig()
        validate_fn = None
        settings: dict[str, Any] = {"mix": dict(DEFAULT_MIX), "persona_field": "persona", "scenario_field": "scenario"}
        check_of: Callable[[str], str | None] = _no_check
        rules_info: list[dict[str, Any]] = []
        if validate:
            from reality.validators import validate_record
            from reality.validators.config import load_config
            from reality.validators.runner import Validation

            config = load_config(config_path).updated(tolerance=tolerance, dataset=dataset)
            settings.update(_settings_of(config))
            settings["tolerance"] = getattr(config, "effective_tolerance", tolerance or 2.0)

            by_mode: dict[str, Any] = {}

            def validate_fn(record: dict[str, Any], mode_name: str) -> list[Any]:
                # One Validation per mode, so its estimate cache lives across records.
                validation = by_mode.get(mode_name)
                if validation is None:
                    validation = by_mode[mode_name] = Validation(config.updated(mode=mode_name))
                return validate_record(record, validation.config, validation=validation)

            check_of, rules_info, targets = _rules(config)
            settings["mix"].update(targets)
        kb_info: dict[str, Any] = {}
        facts = None
        try:
            from reality.knowledge import load_kb

            kb = load_kb(kb_dirs)
            facts = FactIndex.from_kb(kb, conf.today or dt.date.today(), conf.stale_months)
            kb_info = kb_summary(kb, facts)
        except ImportError:  # pragma: no cover - the knowledge package is part of the foundation
            pass
        return cls(extract_claims, validate_fn, check_of, facts, kb_info, rules_info, settings)


DEFAULT_MIX = {
    "scenario": {"basic usage": 0.4, "troubleshooting": 0.3, "failure": 0.2, "edge case": 0.1},
    "persona": {},
}


def _settings_of(config: Any) -> dict[str, Any]:
    out = {}
    items = dataclasses.asdict(config).items() if dataclasses.is_dataclass(config) else vars(config).items()
    for key, value in items:
        if key.startswith("_"):
            continue
        if isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        elif isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str | int | float) for v in value):
            out[key] = sorted(value) if isinstance(value, set | frozenset) else list(value)
    return out


def _rules(config: Any) -> tuple[Callable[[str], str | None], list[dict[str, Any]], dict[str, Any]]:
    """Rule id/name -> check, a description of the active rules, and the mix targets."""
    try:
        from reality.validators.rules import builtin_rules
    except ImportError:
        return _no_check, [], {}
    rules = getattr(config, "rules", None)
    active = getattr(rules, "all", None)
    rule_list = list(active.values()) if isinstance(active, Mapping) else list(builtin_rules())
    table = {}
    info = []
    targets: dict[str, Any] = {}
    for r in rule_list:
        table[r.id] = r.check
        name = getattr(r, "name", None)
        if name:
            table[name] = r.check
        params = getattr(r, "params", None) or {}
        if r.check in ("dataset.persona_mix", "dataset.scenario_mix") and isinstance(params.get("targets"), Mapping):
            targets[r.check.split(".")[1].removesuffix("_mix")] = {str(k): float(v) for k, v in params["targets"].items()}
        info.append(
            {
                "id": r.id,
                "name": name,
                "severity": r.severity,
                "check": r.check,
                "params": {k: v for k, v in dict(params).items() if isinstance(v, str | int | float | bool)},
                "title": getattr(r, "title", None),
            }
        )
    return table.get, info, targets


def kb_summary(kb: Any, facts: FactIndex | None = None) -> dict[str, Any]:
    sections = {name: len(entries) for name, entries in (getattr(kb, "sections", {}) or {}).items()}
    sources: dict[str, None] = {}
    for entries in (getattr(kb, "sections", {}) or {}).values():
        for entry in entries:
            sources.setdefault(entry.source, None)
    newest = max(
        (e.as_of for entries in (getattr(kb, "sections", {}) or {}).values() for e in entries),
        default=None,
    )
    return {
        "version": getattr(kb, "version", None),
        "sections": sections,
        "sources": list(sources),
        "newest_as_of": newest.isoformat() if newest else None,
        "stale_prices": sorted({why for why in (facts.stale.values() if facts else [])}),
        "assumptions": sorted(set(facts.assumed.values())) if facts else [],
    }
