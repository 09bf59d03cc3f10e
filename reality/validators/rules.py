"""The rule layer: rules are data (``knowledge/data/rules.yaml``), this module is their schema.

A rule names the *check* that measures something (``words.prompt`` counts the prompt's
words, ``claims.range`` compares a numeric claim with the calculators' estimate) and a
*condition* over what the check measured plus the rule's parameters, in the whitelisted
language of :mod:`reality.conditions`. When the condition is true the rule fires
and its message template is filled from the same values. Checks are code; thresholds,
severities, messages and the decision itself are data that a user can tune.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reality.conditions import Condition, ConditionError, compile_condition

Severity = Literal["error", "warning", "info"]
AppliesTo = Literal["scenario", "claim", "record", "dataset"]

# What each check measures: the names a rule on that check may use (besides its params).
# Every check also provides ``field`` and ``quote`` (strings, for messages).
CHECKS: dict[str, frozenset[str]] = {
    "input.malformed_json": frozenset({"error", "column"}),
    "input.encoding": frozenset({"error", "byte"}),
    "input.not_object": frozenset({"type"}),
    "input.empty_file": frozenset(),
    "input.too_large": frozenset({"size_mb"}),
    "schema.missing_field": frozenset({"mode"}),
    "schema.wrong_type": frozenset({"mode", "expected", "got"}),
    "schema.mode_mismatch": frozenset({"mode", "record_mode"}),
    "schema.implicit_prompt": frozenset({"mode"}),
    "schema.empty_text": frozenset(),
    "schema.score_total": frozenset({"margin", "chosen_total", "rejected_total"}),
    "schema.score_range": frozenset({"score"}),
    "words.prompt": frozenset({"words"}),
    "words.chosen": frozenset({"words"}),
    "words.rejected": frozenset({"words"}),
    "words.ratio": frozenset({"ratio", "chosen_words", "rejected_words"}),
    "claims.range": frozenset(
        {"claim_low", "claim_high", "expected_low", "expected_mid", "expected_high", "unit", "off_by", "kind", "estimate"}
    ),
    "claims.range_unanchored": frozenset(
        {"claim_low", "claim_high", "expected_low", "expected_mid", "expected_high", "unit", "off_by", "kind", "estimate"}
    ),
    "claims.unverifiable": frozenset({"kind", "reason"}),
    "claims.impossible_plan": frozenset({"corrected", "numbers_ok", "reason"}),
    "claims.prompt_misconception": frozenset(
        {"corrected", "claim_low", "claim_high", "expected_low", "expected_high", "unit", "off_by", "kind"}
    ),
    "features.response_claim": frozenset({"kind"}),
    "features.prompt_claim": frozenset({"kind"}),
    "features.unknown_feature": frozenset({"name", "suggestion"}),
    "features.no_manifest": frozenset(),
    "dataset.exact_duplicate": frozenset({"first_index", "first_file"}),
    "dataset.near_duplicate": frozenset({"similarity", "first_index", "first_file"}),
    "dataset.duplicate_prompt": frozenset({"first_index", "first_file"}),
    "dataset.persona_mix": frozenset({"label", "share", "target", "count", "records", "unknown"}),
    "dataset.scenario_mix": frozenset({"label", "share", "target", "count", "records", "unknown"}),
    # Plan rules, applied by `reality check` (reality/calculators/engine.py) to a scenario.
    "plan.memory": frozenset({"vram_low", "vram_mid", "vram_high", "capacity", "gpus", "vram", "gpu", "capacity_gb"}),
    "plan.budget": frozenset({"cost_low", "cost_mid", "cost_high", "budget", "cost", "budget_usd"}),
    "plan.deadline": frozenset({"wall_low", "wall_mid", "wall_high", "deadline", "wall"}),
}
ALWAYS = frozenset({"field", "quote"})

_ID = re.compile(r"^R\d{3}$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)(!r)?(?::([<>^=+\- #0-9,._%a-zA-Z]{0,12}))?\}")
_BRACE = re.compile(r"\{[^{}]*\}")

ParamValue = float | int | bool | str | list[float] | dict[str, float]


class RuleDocs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    passing: str
    failing: str


class Rule(BaseModel):
    """One rule. ``condition`` ``None`` means: fire whenever the check reports an observation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    title: str
    severity: Severity
    applies_to: AppliesTo
    check: str
    condition: str | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict)
    datasets: list[Literal["reality", "features"]] = Field(default_factory=lambda: ["reality", "features"])
    message: str
    fix: str
    docs: RuleDocs

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"rule id {v!r} must look like R101")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError(f"rule name {v!r} must be a lower-case slug like 'prompt-words'")
        return v

    @field_validator("check")
    @classmethod
    def _check(cls, v: str) -> str:
        if v not in CHECKS:
            raise ValueError(f"unknown check {v!r} (known: {', '.join(sorted(CHECKS))})")
        return v

    @model_validator(mode="after")
    def _condition_and_message(self) -> Rule:
        names = self.allowed_names
        if self.condition is not None:
            compile_condition(self.condition, names)  # raises ConditionError (a ValueError)
        for brace in _BRACE.finditer(self.message):
            match = _PLACEHOLDER.fullmatch(brace.group(0))
            if match is None:
                raise ValueError(f"message placeholder {brace.group(0)} is not of the form {{name}}, {{name!r}} or {{name:spec}}")
            if match.group(1) not in names:
                raise ValueError(f"message placeholder {{{match.group(1)}}} is not a known value")
        return self

    @property
    def allowed_names(self) -> frozenset[str]:
        return CHECKS[self.check] | ALWAYS | frozenset(self.params)

    @functools.cached_property
    def compiled(self) -> Condition | None:
        return None if self.condition is None else compile_condition(self.condition, self.allowed_names)

    def with_changes(self, severity: str | None = None, params: Mapping[str, Any] | None = None) -> Rule:
        data = self.model_dump()
        if severity is not None:
            data["severity"] = severity
        if params:
            unknown = set(params) - set(self.params)
            if unknown:
                raise ValueError(
                    f"{self.id} ({self.name}) has no parameter {', '.join(sorted(unknown))}"
                    f" (its parameters: {', '.join(sorted(self.params)) or 'none'})"
                )
            data["params"] = {**self.params, **params}
        return Rule.model_validate(data)

    def fires(self, context: Mapping[str, Any]) -> bool:
        cond = self.compiled
        if cond is None:
            return True
        return bool(cond({**self.params, **context} if self.params else context))

    def render(self, context: Mapping[str, Any]) -> str:
        values = {**self.params, **context} if self.params else context
        return render_template(self.message, values)

    def message_if_fires(self, context: Mapping[str, Any]) -> str | None:
        """``render(context)`` when ``fires(context)``, else None (the parameters are merged once)."""
        values = {**self.params, **context} if self.params else context
        cond = self.compiled
        if cond is not None and not cond(values):
            return None
        return render_template(self.message, values)


def format_value(value: Any) -> str:
    """Numbers the way a person writes them: 1,200 / 3.5 / 1.2e10 -> 12B."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if math.isnan(value):
            return "?"
        a = abs(value)
        if a >= 1e12:
            return f"{value / 1e12:.3g}T"
        if a >= 1e9:
            return f"{value / 1e9:.3g}B"
        if a >= 1e6:
            return f"{value / 1e6:.3g}M"
        if a >= 1e4:
            return f"{value:,.0f}"
        if a >= 100:
            return f"{value:.0f}"
        if a >= 1:
            return f"{value:.3g}"
        return f"{value:.2g}"
    if isinstance(value, list | tuple):
        return "-".join(format_value(v) for v in value)
    return str(value)


def render_template(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` / ``{name:spec}`` placeholders: names only, no attribute or index access."""
    out = []
    for piece in _template_pieces(template):
        if isinstance(piece, str):
            out.append(piece)
            continue
        name, conv, spec, original = piece
        if name not in values:
            out.append(original)
            continue
        value = values[name]
        if conv:
            text = value if isinstance(value, str) else format_value(value)
            out.append("\u201c" + text + "\u201d")
        elif spec and isinstance(value, int | float) and not isinstance(value, bool):
            try:
                out.append(format(value, spec))
            except ValueError:
                out.append(format_value(value))
        else:
            out.append(format_value(value))
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _template_pieces(template: str) -> tuple[str | tuple[str, str | None, str | None, str], ...]:
    """A template split once into literal text and placeholders (name, conversion, spec, as written);
    a rule's message is rendered for every finding."""
    pieces: list[str | tuple[str, str | None, str | None, str]] = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        pieces.append(template[last : m.start()])
        pieces.append((m.group(1), m.group(2), m.group(3), m.group(0)))
        last = m.end()
    pieces.append(template[last:])
    return tuple(pieces)


class RulesError(ValueError):
    """The rules file does not load (schema, condition or duplicate id)."""


def builtin_rules_path() -> Path:
    return Path(str(resources.files("reality.knowledge").joinpath("data/rules.yaml")))


def parse_rules(text: str, origin: str = "rules.yaml") -> list[Rule]:
    """Validate a rules document (a YAML list of rules, or ``{rules: [...]}``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{origin}: not valid YAML: {exc}") from None
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    if not isinstance(data, list):
        raise RulesError(f"{origin}: expected a list of rules")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    problems: list[str] = []
    for i, entry in enumerate(data):
        label = entry.get("id", f"#{i}") if isinstance(entry, dict) else f"#{i}"
        try:
            rule = Rule.model_validate(entry)
        except ValidationError as exc:
            msgs = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'rule'}: {e['msg']}" for e in exc.errors())
            problems.append(f"{origin}: rule {label}: {msgs}")
            continue
        except ConditionError as exc:  # pragma: no cover - pydantic wraps it
            problems.append(f"{origin}: rule {label}: {exc}")
            continue
        for key in (rule.id, rule.name):
            if key in seen:
                problems.append(f"{origin}: rule {label}: {key!r} is used twice")
            seen[key] = rule.id
        rules.append(rule)
    if problems:
        raise RulesError("\n".join(problems))
    return rules


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    path = builtin_rules_path()
    return tuple(parse_rules(path.read_text(encoding="utf-8"), origin=str(path)))


class RuleSet:
    """The active rules after select / ignore / severity / parameter changes from the config."""

    def __init__(self, rules: Iterable[Rule], dataset: str = "reality"):
        self.all: dict[str, Rule] = {r.id: r for r in rules}
        self.dataset = dataset
        self._by_check: dict[str, list[Rule]] = {}
        for rule in self.all.values():
            if dataset in rule.datasets:
                self._by_check.setdefault(rule.check, []).append(rule)

    @classmethod
    def build(
        cls,
        rules: Iterable[Rule] | None = None,
        *,
        dataset: str = "reality",
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severity: Mapping[str, str] | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> RuleSet:
        rules = list(rules if rules is not None else builtin_rules())
        lookup = {r.id: r for r in rules} | {r.name: r for r in rules}

        def matches(rule: Rule, patterns: list[str]) -> bool:
            return any(p == rule.name or rule.id.startswith(p) or p == "ALL" for p in patterns)

        select, ignore = [s.strip() for s in select], [s.strip() for s in ignore]
        for pat in [*select, *ignore, *(severity or {}), *(params or {})]:
            if pat != "ALL" and pat not in lookup and not any(r.id.startswith(pat) for r in rules):
                raise RulesError(f"unknown rule {pat!r} (see `reality rules`)")
        chosen = [r for r in rules if (not select or matches(r, select)) and not matches(r, ignore)]
        out = []
        for rule in chosen:
            sev = None
            changes: dict[str, Any] = {}
            for key, value in (severity or {}).items():
                if key in (rule.id, rule.name):
                    sev = value
            for key, value in (params or {}).items():
                if key in (rule.id, rule.name):
                    changes.update(value)
            if sev is not None and sev not in ("error", "warning", "info"):
                raise RulesError(f"{rule.id}: severity must be error, warning or info, not {sev!r}")
            try:
                out.append(rule.with_changes(sev, changes) if (sev or changes) else rule)
            except (ValidationError, ValueError) as exc:
                raise RulesError(str(exc).splitlines()[0] if isinstance(exc, ValueError) else str(exc)) from None
        return cls(out, dataset=dataset)

    def for_check(self, check: str) -> list[Rule]:
        return self._by_check.get(check, [])

    def active(self, check: str) -> bool:
        return check in self._by_check

    def get(self, key: str) -> Rule | None:
        return self.all.get(key) or next((r for r in self.all.values() if r.name == key), None)

    def param(self, check: str, name: str, default: Any) -> Any:
        for rule in self.for_check(check):
            if name in rule.params:
                return rule.params[name]
        return default


def find_rule(key: str, rules: Iterable[Rule] | None = None) -> Rule | None:
    key = key.strip()
    for rule in rules if rules is not None else builtin_rules():
        if key.upper() == rule.id or key.lower() == rule.name:
            return rule
    return None
